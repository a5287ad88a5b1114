//! The agents' back office (`/T/backoffice/…`): login, console, request
//! page, mass actions, administration.
//!
//! Every page and every action checks, on the server, who is logged in and
//! what their roles allow on this request's department; the engine
//! ([`crate::core::workflow`]) decides what an action does, the store applies
//! it only if nobody changed the request since the page was shown
//! (revision), so two agents acting at once never both win.
//!
//! Sessions live in a cookie (`HttpOnly`, `SameSite=Strict`, `Secure` unless
//! the server is addressed on a loopback name, path limited to the back
//! office); every POST also carries an anti-forgery token bound to the
//! session, and must come from our own pages (Fetch metadata / Origin).

mod files;
mod settings;
mod templates;
pub mod view;

use super::view::Frame;
use super::{Body, PageRequest, page, plain, redirect, same_origin};
use crate::auth;
use crate::core::intake::Channel;
use crate::core::tracking::Reference;
use crate::core::workflow::{self, Command, Role};
use crate::store::{
    AgentChange, AgentChanged, AgentRecord, ConsoleQuery, NewAgent, NewStandardAnswer, SortKey,
    StandardAnswer, StateFilter, StoreError, WorkItem,
};
use crate::tenant::Site;
use crate::usecases::App;
use crate::usecases::act::{self, ActError};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};
use view::{AgentForm, AnswerForm, Bar, Filter};

const COOKIE: &str = "guichet_session";
/// Requests per console page.
const PAGE_SIZE: u32 = 25;

struct Session {
    record: AgentRecord,
    digest: String,
    token: String,
}

pub async fn handle(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    rest: &[&str],
) -> Response<Body> {
    let post = req.method == Method::POST;
    let get = req.method == Method::GET || req.method == Method::HEAD;
    let allowed = match rest {
        [] | [""] | ["requests", _] | ["admin"] => "GET, HEAD, POST",
        ["login"] => "GET, HEAD, POST",
        ["logout"]
        | ["mass"]
        | [
            "admin",
            "agents" | "departments" | "deliveries" | "test-message",
        ] => "POST",
        ["admin", "agents" | "answers", _] => "GET, HEAD, POST",
        ["admin", "templates", _, ..] | ["admin", "settings"] => "GET, HEAD, POST",
        _ => "GET, HEAD",
    };
    let method_ok = (get && allowed.contains("GET")) || (post && allowed.contains("POST"));
    if !method_ok {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "Méthode non permise.");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allowed));
        return r;
    }
    if post && !same_origin(req) {
        tracing::warn!(tenant = %site.tenant.slug, "back-office form posted from another site: refused");
        return plain(
            StatusCode::FORBIDDEN,
            "Ce formulaire ne peut être envoyé que depuis l'espace agents.",
        );
    }
    if rest == ["login"] {
        return if post {
            login_post(app, site, frame, req).await
        } else {
            login_page(app, site, frame, req, StatusCode::OK, "", None)
        };
    }
    let Some(session) = session(app, site, req).await else {
        if post {
            return login_page(
                app,
                site,
                frame,
                req,
                StatusCode::UNAUTHORIZED,
                "",
                Some(&frame.message("bo.login.expired")),
            );
        }
        let here = format!("{}/backoffice/{}", frame.base, rest.join("/"));
        let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
        return redirect(&format!("{}/backoffice/login?next={next}", frame.base));
    };
    if post {
        let fields = Fields::parse(&req.body);
        let purpose = session_purpose(site, &session.digest);
        if !app
            .secret
            .verify(&purpose, fields.get("_token").unwrap_or(""), now_secs(app))
        {
            return plain(
                StatusCode::FORBIDDEN,
                &frame.message("bo.notice.form-expired"),
            );
        }
        return match rest {
            ["logout"] => logout(app, frame, &session).await,
            ["requests", reference] => {
                act(app, site, frame, req, &session, reference, &fields).await
            }
            ["mass"] => mass(app, site, frame, req, &session, &fields).await,
            ["admin", "agents"] if session.record.agent.admin => {
                add_agent(app, site, frame, req, &session, &fields).await
            }
            ["admin", "agents", login] if session.record.agent.admin => {
                change_agent(app, site, frame, req, &session, login, &fields).await
            }
            ["admin", "departments"] if session.record.agent.admin => {
                set_heads(app, site, frame, &session, &fields).await
            }
            ["admin", "deliveries"] if session.record.agent.admin => {
                let actor = format!("agent:{}", session.record.agent.login);
                match app
                    .store
                    .retry_failed_deliveries(site.tenant.id, actor, (app.clock)())
                    .await
                {
                    Ok(n) => redirect(&format!("{}/backoffice/admin?retried={n}", frame.base)),
                    Err(e) => unavailable(&e),
                }
            }
            ["admin", "answers", which] if session.record.agent.admin => {
                save_answer(app, site, frame, req, &session, which, &fields).await
            }
            ["admin", "templates", scope @ ..] if session.record.agent.admin => {
                templates::post(app, site, frame, req, &session, scope, &fields).await
            }
            ["admin", "settings"] if session.record.agent.admin => {
                settings::post(app, site, frame, req, &session, &fields).await
            }
            ["admin", "test-message"] if session.record.agent.admin => {
                test_message(app, site, frame, req, &session, &fields).await
            }
            _ => forbidden(site, frame, req, &session),
        };
    }
    match rest {
        [] | [""] => console(app, site, frame, req, &session).await,
        ["requests", reference] => request_page(app, site, frame, req, &session, reference).await,
        ["admin"] if session.record.agent.admin => {
            let created = req.query_values("created").into_iter().next();
            let changed = req.query_values("changed").into_iter().next();
            let heads = !req.query_values("heads").is_empty();
            let answer = req.query_values("answer").into_iter().next();
            let retried = req.query_values("retried").into_iter().next();
            let notice = match (created, changed) {
                (Some(login), _) => {
                    Some(frame.format("bo.notice.agent-created", &[("login", &login)]))
                }
                (None, Some(login)) => {
                    Some(frame.format("bo.notice.agent-changed", &[("login", &login)]))
                }
                (None, None) => match answer.as_deref() {
                    Some("saved") => Some(frame.message("bo.notice.answer-saved")),
                    Some("removed") => Some(frame.message("bo.notice.answer-removed")),
                    _ => match retried {
                        Some(n) => Some(frame.format("bo.notice.retried", &[("count", &n)])),
                        None => heads.then(|| frame.message("bo.notice.heads-saved")),
                    },
                },
            };
            admin_page(
                app,
                site,
                frame,
                req,
                &session,
                &AgentForm::default(),
                notice.as_deref().map(|n| ("success", n)),
                StatusCode::OK,
            )
            .await
        }
        ["admin", "agents", login] if session.record.agent.admin => {
            match app.store.agent(site.tenant.id, (*login).to_owned()).await {
                Ok(Some(record)) => {
                    let own = record.id == session.record.id;
                    let v =
                        view::agent_edit(frame, site, &bar(&session), &AgentForm::of(&record), own);
                    bo_page(site, frame, req, StatusCode::OK, "bo-agent.xsl", v)
                }
                Ok(None) => super::not_found(site, frame, req),
                Err(e) => unavailable(&e),
            }
        }
        ["admin", "answers", which] if session.record.agent.admin => {
            let form = if *which == "new" {
                AnswerForm {
                    department: req
                        .query_values("department")
                        .into_iter()
                        .next()
                        .unwrap_or_default(),
                    ..AnswerForm::default()
                }
            } else {
                match find_answer(app, site, which).await {
                    Ok(Some(a)) => AnswerForm {
                        id: Some(a.id),
                        department: a.department,
                        title: a.title,
                        text: a.text,
                        errors: Vec::new(),
                    },
                    Ok(None) => return super::not_found(site, frame, req),
                    Err(e) => return unavailable(&e),
                }
            };
            let v = view::answer_edit(frame, site, &bar(&session), &form);
            bo_page(site, frame, req, StatusCode::OK, "bo-answer.xsl", v)
        }
        ["admin", "templates"] if session.record.agent.admin => {
            templates::list(site, frame, req, &session)
        }
        ["admin", "settings"] if session.record.agent.admin => {
            settings::page(site, frame, req, &session)
        }
        ["admin", "templates", scope @ ..] if session.record.agent.admin => {
            templates::page(app, site, frame, req, &session, scope)
        }
        ["admin"] | ["admin", ..] => forbidden(site, frame, req, &session),
        _ => super::not_found(site, frame, req),
    }
}

fn now_secs(app: &App) -> i64 {
    (app.clock)().as_second()
}

fn session_purpose(site: &Site, digest: &str) -> String {
    format!(
        "{}/backoffice/{}",
        site.tenant.slug,
        &digest[..16.min(digest.len())]
    )
}

fn login_purpose(site: &Site) -> String {
    format!("{}/backoffice/login", site.tenant.slug)
}

fn cookie(req: &PageRequest, name: &str) -> Option<String> {
    req.headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

async fn session(app: &App, site: &Site, req: &PageRequest<'_>) -> Option<Session> {
    let token = cookie(req, COOKIE)?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digest = auth::session_digest(&token);
    match app
        .store
        .session_agent(site.tenant.id, digest.clone(), (app.clock)())
        .await
    {
        Ok(Some(record)) => {
            let token = app
                .secret
                .issue(&session_purpose(site, &digest), now_secs(app));
            Some(Session {
                record,
                digest,
                token,
            })
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            None
        }
    }
}

/// Form fields of a POST body, in order (repeated names kept).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(body: &[u8]) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Sends back-office pages with no caching and no framing by other sites.
fn bo_page(
    site: &Site,
    frame: &Frame,
    req: &PageRequest,
    status: StatusCode,
    stylesheet: &str,
    view: String,
) -> Response<Body> {
    page(site, frame, req, status, stylesheet, view, true)
}

fn is_loopback(req: &PageRequest) -> bool {
    let host = req
        .origin
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let name = if host.starts_with('[') {
        host.split(']')
            .next()
            .unwrap_or(host)
            .trim_start_matches('[')
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name == "localhost" || name.starts_with("127.") || name == "::1"
}

fn set_cookie(site: &Site, req: &PageRequest, value: &str, max_age: i64) -> HeaderValue {
    let secure = if is_loopback(req) { "" } else { "; Secure" };
    let text = format!(
        "{COOKIE}={value}; Path=/{}/backoffice; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}",
        site.tenant.slug
    );
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("guichet_session=; Max-Age=0"))
}

/// Only back-office addresses of this tenant are followed after login.
fn safe_next(site: &Site, next: Option<&str>) -> Option<String> {
    let next = next?;
    let prefix = format!("/{}/backoffice/", site.tenant.slug);
    (next.starts_with(&prefix)
        && !next.contains("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic()))
    .then(|| next.to_owned())
}

fn login_page(
    app: &App,
    site: &Site,
    frame: &Frame,
    req: &PageRequest,
    status: StatusCode,
    value: &str,
    error: Option<&str>,
) -> Response<Body> {
    let token = app.secret.issue(&login_purpose(site), now_secs(app));
    let next = safe_next(site, req.query_values("next").first().map(String::as_str));
    let v = view::login(frame, &token, value, next.as_deref(), error);
    bo_page(site, frame, req, status, "bo-login.xsl", v)
}

/// A password hash compared against when the login is unknown, so that
/// answering takes as long either way.
const UNKNOWN_AGENT_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$mFsuxXY41laCMkiX0MeEfQ$e8qH9zyLe668SrHlgpcllRY6kUQPZjqiZ8Dw85YCARY";

async fn login_post(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
) -> Response<Body> {
    let fields = Fields::parse(&req.body);
    let now = now_secs(app);
    let login = fields.get("login").unwrap_or("").trim().to_lowercase();
    let password = fields.get("password").unwrap_or("").to_owned();
    let next = safe_next(site, fields.get("next"));
    let again = |status, error: String| {
        let token = app.secret.issue(&login_purpose(site), now);
        let v = view::login(frame, &token, &login, next.as_deref(), Some(&error));
        bo_page(site, frame, req, status, "bo-login.xsl", v)
    };
    if !app.secret.verify(
        &login_purpose(site),
        fields.get("_token").unwrap_or(""),
        now,
    ) {
        return again(
            StatusCode::FORBIDDEN,
            frame.message("bo.notice.form-expired"),
        );
    }
    let key = format!("{}/{login}/{}", site.tenant.slug, req.peer);
    let wait = app.throttle.wait(&key, now);
    if wait > 0 {
        let mut r = again(
            StatusCode::TOO_MANY_REQUESTS,
            frame.format("bo.login.throttled", &[("seconds", &wait.to_string())]),
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let record = match app.store.agent(site.tenant.id, login.clone()).await {
        Ok(r) => r.filter(|r| r.active),
        Err(e) => return unavailable(&e),
    };
    let hash = record
        .as_ref()
        .map_or(UNKNOWN_AGENT_HASH.to_owned(), |r| r.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some(record) = record.filter(|_| matches) else {
        app.throttle.failed(&key, now);
        tracing::warn!(tenant = %site.tenant.slug, %login, peer = %req.peer, "failed back-office login");
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            frame.message("bo.login.failed"),
        );
    };
    app.throttle.succeeded(&key);
    let Ok((token, digest)) = auth::new_session() else {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service momentanément indisponible.",
        );
    };
    let at = (app.clock)();
    let expires = at
        .checked_add(jiff::SignedDuration::from_secs(auth::SESSION_SECS))
        .unwrap_or(at);
    if let Err(e) = app
        .store
        .create_session(record.id, digest, at, expires)
        .await
    {
        return unavailable(&e);
    }
    tracing::info!(tenant = %site.tenant.slug, %login, "agent logged in");
    let target = next.unwrap_or_else(|| format!("{}/backoffice/", frame.base));
    let mut r = redirect(&target);
    r.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(site, req, &token, auth::SESSION_SECS),
    );
    r
}

async fn logout(app: &App, frame: &Frame<'_>, session: &Session) -> Response<Body> {
    if let Err(e) = app.store.end_session(session.digest.clone()).await {
        return unavailable(&e);
    }
    let mut r = redirect(&format!("{}/backoffice/login", frame.base));
    let clear = format!(
        "{COOKIE}=; Path={}/backoffice; Max-Age=0; HttpOnly; SameSite=Strict",
        frame.base
    );
    if let Ok(v) = HeaderValue::from_str(&clear) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

fn unavailable(e: &StoreError) -> Response<Body> {
    tracing::error!(error = %e, "back office: store error");
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service momentanément indisponible. Réessayez dans quelques instants.",
    )
}

fn forbidden(site: &Site, frame: &Frame, req: &PageRequest, session: &Session) -> Response<Body> {
    tracing::warn!(tenant = %site.tenant.slug, agent = %session.record.agent.login, rest = ?req.rest, "back office: access refused");
    let v = view::error(
        frame,
        &bar(session),
        403,
        &frame.message("bo.forbidden.title"),
        &frame.message("bo.forbidden.text"),
    );
    bo_page(site, frame, req, StatusCode::FORBIDDEN, "bo-error.xsl", v)
}

fn bar(session: &Session) -> Bar<'_> {
    Bar {
        agent: &session.record.agent,
        token: &session.token,
    }
}

/// The departments whose requests an agent sees; `None` for administrators.
fn visible_departments(session: &Session) -> Option<Vec<String>> {
    let agent = &session.record.agent;
    if agent.admin {
        return None;
    }
    let mut departments: Vec<String> = agent.roles.iter().map(|(d, _)| d.clone()).collect();
    departments.sort();
    departments.dedup();
    Some(departments)
}

fn today(app: &App, site: &Site) -> jiff::civil::Date {
    (app.clock)().to_zoned(site.tenant.time_zone.clone()).date()
}

async fn console(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
) -> Response<Body> {
    let q = |name: &str| {
        req.query_values(name)
            .into_iter()
            .next()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let visible = visible_departments(session);
    let state_value = q("state").unwrap_or_else(|| "open".into());
    let state = match state_value.as_str() {
        "waiting" => StateFilter::Waiting,
        "final" => StateFilter::Finished,
        "all" => StateFilter::All,
        _ => StateFilter::Open,
    };
    let known =
        |value: Option<String>, allowed: &dyn Fn(&str) -> bool| value.filter(|v| allowed(v));
    let service = known(q("service"), &|v| site.tenant.service(v).is_some());
    let department = known(q("department"), &|v| {
        site.department(v).is_some() && visible.as_ref().is_none_or(|d| d.iter().any(|d| d == v))
    });
    let channel = known(q("channel"), &|v| Channel::from_name(v).is_some());
    let text = q("q").map(|t| t.chars().take(100).collect::<String>());
    let late_only = q("late").is_some();
    let (sort_name, sort) = match q("sort").as_deref() {
        Some("reference") => ("reference", SortKey::Reference),
        Some("service") => ("service", SortKey::Service),
        Some("received") => ("received", SortKey::Received),
        _ => ("due", SortKey::Due),
    };
    let descending = q("dir").as_deref() == Some("desc");
    let page: u32 = q("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(100_000);
    let today = today(app, site);
    let query = ConsoleQuery {
        departments: visible.clone(),
        state,
        service: service.clone(),
        department: department.clone(),
        channel: channel.clone(),
        due_before: late_only.then_some(today),
        text: text.clone(),
        sort,
        descending,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let (total, rows) = match app.store.console(site.tenant.id, query).await {
        Ok(r) => r,
        Err(e) => return unavailable(&e),
    };
    let pages = (total.div_ceil(u64::from(PAGE_SIZE)).max(1)) as u32;
    let mut filter_query = String::new();
    {
        let mut s = form_urlencoded::Serializer::new(&mut filter_query);
        if let Some(t) = &text {
            s.append_pair("q", t);
        }
        s.append_pair("state", &state_value);
        for (k, v) in [
            ("service", &service),
            ("department", &department),
            ("channel", &channel),
        ] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        if late_only {
            s.append_pair("late", "1");
        }
    }
    filter_query.push('&');
    let all = frame.message("bo.filter.all");
    let mut services: Vec<(String, String)> = vec![(String::new(), all.clone())];
    for s in &site.tenant.services {
        services.push((
            s.code.clone(),
            super::view::service_title(s, frame.lang).to_owned(),
        ));
    }
    let mut departments = vec![(String::new(), all.clone())];
    for d in &site.departments {
        if visible.as_ref().is_none_or(|v| v.contains(&d.code)) {
            departments.push((d.code.clone(), d.name.clone()));
        }
    }
    let mut channels = vec![(String::new(), all)];
    for c in Channel::ALL {
        channels.push((
            c.as_str().to_owned(),
            frame.message(&format!("bo.channel.{}", c.as_str())),
        ));
    }
    let states = ["open", "waiting", "final", "all"]
        .map(|s| (s.to_owned(), frame.message(&format!("bo.state.{s}"))))
        .to_vec();
    let filters = vec![
        Filter {
            name: "q",
            value: text.unwrap_or_default(),
            options: Vec::new(),
        },
        Filter {
            name: "state",
            value: state_value,
            options: states,
        },
        Filter {
            name: "service",
            value: service.unwrap_or_default(),
            options: services,
        },
        Filter {
            name: "department",
            value: department.unwrap_or_default(),
            options: departments,
        },
        Filter {
            name: "channel",
            value: channel.unwrap_or_default(),
            options: channels,
        },
    ];
    // Mass actions: the buttons without a required comment that this agent
    // may press on at least one listed request.
    let agent = &session.record.agent;
    let mut mass: Vec<(String, String)> = Vec::new();
    for row in rows.iter().filter(|r| !r.finished) {
        let Some(svc) = site
            .tenant
            .service_version(&row.service_code, row.service_version)
        else {
            continue;
        };
        let state = workflow::RequestState {
            step: row.step.clone(),
            department: row.department.clone(),
            created_at: row.submitted_at,
            entered_at: row.submitted_at,
            waiting_for_citizen: row.waiting,
            validation: None,
            finished: row.finished,
        };
        for a in workflow::available_actions(svc, &state, agent) {
            if !a.comment_required && !mass.iter().any(|(id, _)| *id == a.id) {
                mass.push((a.id.clone(), a.label.clone()));
            }
        }
    }
    let notice = if let Some(done) = q("done") {
        let skipped = q("skipped").unwrap_or_else(|| "0".into());
        Some((
            "success",
            frame.format("bo.notice.mass", &[("done", &done), ("skipped", &skipped)]),
        ))
    } else if q("saved").is_some() {
        Some(("success", frame.message("bo.notice.done")))
    } else {
        None
    };
    let p = view::ConsolePage {
        filters,
        late_only,
        sort: sort_name,
        descending,
        filter_query,
        total,
        page,
        pages,
        first: u64::from((page - 1) * PAGE_SIZE) + 1,
        rows: &rows,
        today,
        mass,
        notice,
    };
    let v = view::console(frame, site, &bar(session), &p);
    bo_page(site, frame, req, StatusCode::OK, "bo-console.xsl", v)
}

/// A request the agent may read, or the response that says why not.
async fn readable_item(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    reference: &str,
) -> Result<(WorkItem, std::sync::Arc<crate::core::catalogue::Service>), Response<Body>> {
    let Some(reference) = Reference::parse(reference) else {
        return Err(super::not_found(site, frame, req));
    };
    act::readable(app, site, &session.record.agent, reference)
        .await
        .map_err(|e| refused(site, frame, req, session, e))
}

/// The page that says why an agent's request went nowhere; a conflict or a
/// refusal is shown by the caller with the request.
fn refused(
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    e: ActError,
) -> Response<Body> {
    match e {
        ActError::NotFound => super::not_found(site, frame, req),
        ActError::Forbidden => forbidden(site, frame, req, session),
        ActError::Unavailable(e) => unavailable(&e),
        ActError::Conflict(_) | ActError::Refused(..) => {
            plain(StatusCode::CONFLICT, &frame.message("bo.notice.conflict"))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_request(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    item: &WorkItem,
    service: &crate::core::catalogue::Service,
    status: StatusCode,
    notice: Option<(&str, &str)>,
) -> Response<Body> {
    let answers: Vec<StandardAnswer> = app
        .store
        .standard_answers(site.tenant.id)
        .await
        .unwrap_or_default();
    let commands = view::commands(
        service,
        item,
        &session.record.agent,
        &answers,
        &session.token,
    );
    let sent = app
        .store
        .deliveries(site.tenant.id, Some(item.record.reference))
        .await
        .unwrap_or_default();
    let v = view::request(
        frame,
        site,
        &bar(session),
        service,
        item,
        &commands,
        notice,
        today(app, site),
        &sent,
    );
    bo_page(site, frame, req, status, "bo-request.xsl", v)
}

async fn request_page(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    reference: &str,
) -> Response<Body> {
    let (item, service) = match readable_item(app, site, frame, req, session, reference).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let saved = (!req.query_values("saved").is_empty()).then(|| frame.message("bo.notice.done"));
    show_request(
        app,
        site,
        frame,
        req,
        session,
        &item,
        &service,
        StatusCode::OK,
        saved.as_deref().map(|n| ("success", n)),
    )
    .await
}

/// The command a request page's form asks for.
fn command(fields: &Fields, answers: &[StandardAnswer]) -> Option<Command> {
    let comment = fields.text("comment");
    Some(match fields.get("command")? {
        "act" => Command::Act {
            action: fields.get("action")?.to_owned(),
            comment,
        },
        "transfer" => Command::Transfer {
            to: fields.get("to")?.to_owned(),
            comment,
        },
        "ask-validation" => Command::AskValidation {
            to: fields.get("to")?.to_owned(),
            answer: fields.get("text").unwrap_or("").to_owned(),
        },
        "decide" => Command::Decide {
            approve: fields.get("approve")? == "yes",
            comment,
        },
        "note" => Command::Note {
            text: fields.get("text").unwrap_or("").to_owned(),
        },
        "answer" => {
            // The typed text wins; otherwise the chosen standard answer.
            let text = fields.text("text").or_else(|| {
                let id: i64 = fields.get("standard")?.parse().ok()?;
                answers.iter().find(|a| a.id == id).map(|a| a.text.clone())
            });
            Command::Answer {
                text: text.unwrap_or_default(),
            }
        }
        "hold" => Command::Hold {
            comment: comment.unwrap_or_default(),
        },
        "resume" => Command::Resume { comment },
        "reopen" => Command::Reopen {
            comment: comment.unwrap_or_default(),
        },
        _ => return None,
    })
}

async fn act(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    reference: &str,
    fields: &Fields,
) -> Response<Body> {
    let Some(reference) = Reference::parse(reference) else {
        return super::not_found(site, frame, req);
    };
    let answers = app
        .store
        .standard_answers(site.tenant.id)
        .await
        .unwrap_or_default();
    let revision: Option<i64> = fields.get("revision").and_then(|r| r.parse().ok());
    let Some(command) = command(fields, &answers) else {
        return plain(StatusCode::BAD_REQUEST, "Commande inconnue.");
    };
    let agent = &session.record.agent;
    let (item, status, kind, text) =
        match act::act(app, site, agent, reference, revision, command).await {
            Ok(done) if done.still_readable => {
                return redirect(&format!(
                    "{}/backoffice/requests/{}?saved=1",
                    frame.base, done.reference
                ));
            }
            Ok(_) => return redirect(&format!("{}/backoffice/?saved=1", frame.base)),
            // Decided on an older page, or changed meanwhile: say so and
            // show the request as it is now.
            Err(ActError::Conflict(item)) => (
                item,
                StatusCode::CONFLICT,
                "conflict",
                frame.message("bo.notice.conflict"),
            ),
            Err(ActError::Refused(item, refusal)) => (
                item,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error",
                frame.format("bo.refused", &[("reason", &refusal.to_string())]),
            ),
            Err(e) => return refused(site, frame, req, session, e),
        };
    let Some(service) = site
        .tenant
        .service_version(&item.record.service_code, item.record.service_version)
    else {
        return super::not_found(site, frame, req);
    };
    show_request(
        app,
        site,
        frame,
        req,
        session,
        &item,
        service,
        status,
        Some((kind, &text)),
    )
    .await
}

async fn mass(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    fields: &Fields,
) -> Response<Body> {
    let action = fields.get("action").unwrap_or("").to_owned();
    let references: Vec<Reference> = fields
        .all("ref")
        .into_iter()
        .filter_map(Reference::parse)
        .take(500)
        .collect();
    let console = format!("{}/backoffice/", frame.base);
    if action.is_empty() || references.is_empty() {
        return redirect(&console);
    }
    let agent = &session.record.agent;
    let (candidates, skipped) =
        match act::mass_candidates(app, site, agent, &action, &references).await {
            Ok(found) => found,
            Err(e) => return unavailable(&e),
        };
    if fields.get("confirm") == Some("yes") {
        return match act::mass_act(app, site, agent, &action, candidates).await {
            Ok((done, more_skipped)) => redirect(&format!(
                "{console}?done={done}&skipped={}",
                skipped + more_skipped
            )),
            Err(e) => unavailable(&e),
        };
    }
    let Some(label) = candidates.first().map(|c| c.label.clone()) else {
        return redirect(&format!("{console}?done=0&skipped={skipped}"));
    };
    let listed: Vec<(String, String)> = candidates
        .iter()
        .map(|c| {
            (
                c.item.record.reference.to_string(),
                format!(
                    "{} — {}",
                    super::view::service_title(&c.service, frame.lang),
                    c.item.requester_name
                ),
            )
        })
        .collect();
    let v = view::confirm(frame, &bar(session), &action, &label, &listed);
    bo_page(site, frame, req, StatusCode::OK, "bo-confirm.xsl", v)
}

#[allow(clippy::too_many_arguments)]
async fn admin_page(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    form: &AgentForm,
    notice: Option<(&str, &str)>,
    status: StatusCode,
) -> Response<Body> {
    let agents = match app.store.agents(site.tenant.id).await {
        Ok(a) => a,
        Err(e) => return unavailable(&e),
    };
    let failures = match app.store.deliveries(site.tenant.id, None).await {
        Ok(f) => f,
        Err(e) => return unavailable(&e),
    };
    let departments = match app.store.departments(site.tenant.id).await {
        Ok(d) => d,
        Err(e) => return unavailable(&e),
    };
    let answers = match app.store.standard_answers(site.tenant.id).await {
        Ok(a) => a,
        Err(e) => return unavailable(&e),
    };
    // Messages held back because their channel has nowhere to send to.
    let idle = crate::notify::idle_channels(app, site);
    let unsent: Vec<(String, u64)> = if idle.is_empty() {
        Vec::new()
    } else {
        match app.store.pending_deliveries(site.tenant.id).await {
            Ok(p) => p
                .into_iter()
                .filter(|(channel, n)| *n > 0 && idle.contains(&channel.as_str()))
                .collect(),
            Err(e) => return unavailable(&e),
        }
    };
    let v = view::admin(
        frame,
        site,
        &bar(session),
        &view::AdminLists {
            agents: &agents,
            departments: &departments,
            failures: &failures,
            answers: &answers,
            unsent: &unsent,
        },
        form,
        notice,
    );
    bo_page(site, frame, req, status, "bo-admin.xsl", v)
}

fn valid_login(login: &str) -> bool {
    (2..=40).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// The agent form as posted, checked; `None` for a post no form of ours
/// could send (an unknown role). `existing`: the agent being changed (its login stays, the
/// password may stay empty).
fn read_agent_form(
    site: &Site,
    frame: &Frame<'_>,
    fields: &Fields,
    existing: Option<&AgentRecord>,
) -> Option<(AgentForm, String)> {
    let mut form = AgentForm {
        login: match existing {
            Some(record) => record.agent.login.clone(),
            None => fields.get("login").unwrap_or("").trim().to_owned(),
        },
        name: fields.get("name").unwrap_or("").trim().to_owned(),
        email: fields.get("email").unwrap_or("").trim().to_owned(),
        admin: fields.get("admin") == Some("yes"),
        active: existing.map(|_| fields.get("active") == Some("yes")),
        ..AgentForm::default()
    };
    let password = fields.get("password").unwrap_or("").to_owned();
    for grant in fields.all("role") {
        let parsed = grant
            .split_once(':')
            .and_then(|(d, r)| Some((d, Role::from_name(r)?)))
            .filter(|(d, _)| site.department(d).is_some());
        match parsed {
            Some((d, r)) => form.grants.push((d.to_owned(), r)),
            None => return None,
        }
    }
    if existing.is_none() && !valid_login(&form.login) {
        form.errors
            .push(("login", frame.message("bo.admin.error.login")));
    }
    if form.name.is_empty() || form.name.chars().count() > 100 {
        form.errors
            .push(("name", frame.message("bo.admin.error.name")));
    }
    if !form.email.is_empty()
        && (form.email.len() > 254
            || form.email.contains(char::is_whitespace)
            || !form
                .email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.')))
    {
        form.errors
            .push(("email", frame.message("bo.admin.error.email")));
    }
    let keeps_password = existing.is_some() && password.is_empty();
    if !keeps_password && password.chars().count() < auth::MIN_PASSWORD_CHARS {
        form.errors
            .push(("password", frame.message("bo.admin.error.password")));
    }
    Some((form, password))
}

async fn hash_off_thread(password: String) -> Option<String> {
    match tokio::task::spawn_blocking(move || auth::hash_password(&password)).await {
        Ok(Ok(h)) => Some(h),
        _ => None,
    }
}

fn unknown_role() -> Response<Body> {
    plain(StatusCode::BAD_REQUEST, "Rôle inconnu.")
}

fn hashing_failed() -> Response<Body> {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service momentanément indisponible.",
    )
}

async fn add_agent(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    fields: &Fields,
) -> Response<Body> {
    let Some((mut form, password)) = read_agent_form(site, frame, fields, None) else {
        return unknown_role();
    };
    if !form.errors.is_empty() {
        return admin_page(
            app,
            site,
            frame,
            req,
            session,
            &form,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let Some(hash) = hash_off_thread(password).await else {
        return hashing_failed();
    };
    let agent = NewAgent {
        login: form.login.clone(),
        name: form.name.clone(),
        password_hash: hash,
        admin: form.admin,
        roles: form.grants.clone(),
        email: (!form.email.is_empty()).then(|| form.email.clone()),
    };
    let actor = format!("agent:{}", session.record.agent.login);
    match app
        .store
        .add_agent(site.tenant.id, agent, actor, (app.clock)())
        .await
    {
        Ok(true) => {
            let login: String = form_urlencoded::byte_serialize(form.login.as_bytes()).collect();
            redirect(&format!("{}/backoffice/admin?created={login}", frame.base))
        }
        Ok(false) => {
            form.errors
                .push(("login", frame.message("bo.admin.error.login-taken")));
            admin_page(
                app,
                site,
                frame,
                req,
                session,
                &form,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => unavailable(&e),
    }
}

/// An administrator changes an agent's account: name, e-mail, rights,
/// active or not, a new password. Administrators cannot lock themselves
/// out, and the tenant always keeps an active administrator.
async fn change_agent(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    login: &str,
    fields: &Fields,
) -> Response<Body> {
    let record = match app.store.agent(site.tenant.id, login.to_owned()).await {
        Ok(Some(record)) => record,
        Ok(None) => return super::not_found(site, frame, req),
        Err(e) => return unavailable(&e),
    };
    let own = record.id == session.record.id;
    let Some((mut form, password)) = read_agent_form(site, frame, fields, Some(&record)) else {
        return unknown_role();
    };
    if own && !form.admin {
        form.errors
            .push(("admin", frame.message("bo.agent.error.own-admin")));
    }
    if own && form.active == Some(false) {
        form.errors
            .push(("active", frame.message("bo.agent.error.own-active")));
    }
    let refused = |form: &AgentForm| {
        let v = view::agent_edit(frame, site, &bar(session), form, own);
        bo_page(
            site,
            frame,
            req,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bo-agent.xsl",
            v,
        )
    };
    if !form.errors.is_empty() {
        return refused(&form);
    }
    let password_hash = if password.is_empty() {
        None
    } else {
        match hash_off_thread(password).await {
            Some(h) => Some(h),
            None => return hashing_failed(),
        }
    };
    let change = AgentChange {
        login: record.agent.login.clone(),
        name: form.name.clone(),
        email: (!form.email.is_empty()).then(|| form.email.clone()),
        admin: form.admin,
        active: form.active.unwrap_or(true),
        roles: form.grants.clone(),
        password_hash,
    };
    let actor = format!("agent:{}", session.record.agent.login);
    let keep = own.then(|| session.digest.clone());
    match app
        .store
        .change_agent(site.tenant.id, change, actor, keep, (app.clock)())
        .await
    {
        Ok(AgentChanged::Changed) => {
            let login: String = form_urlencoded::byte_serialize(form.login.as_bytes()).collect();
            redirect(&format!("{}/backoffice/admin?changed={login}", frame.base))
        }
        Ok(AgentChanged::LastAdministrator) => {
            form.errors
                .push(("admin", frame.message("bo.agent.error.last-admin")));
            refused(&form)
        }
        Ok(AgentChanged::NotFound) => super::not_found(site, frame, req),
        Err(e) => unavailable(&e),
    }
}

/// An administrator names the head of each department (or none): the agent
/// told first when one of its requests is late.
async fn set_heads(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    session: &Session,
    fields: &Fields,
) -> Response<Body> {
    let agents = match app.store.agents(site.tenant.id).await {
        Ok(a) => a,
        Err(e) => return unavailable(&e),
    };
    let mut heads = Vec::new();
    for d in &site.departments {
        let Some(value) = fields.get(&format!("head-{}", d.code)) else {
            continue;
        };
        if value.is_empty() {
            heads.push((d.code.clone(), None));
        } else if agents.iter().any(|a| a.active && a.agent.login == value) {
            heads.push((d.code.clone(), Some(value.to_owned())));
        } else {
            return plain(StatusCode::BAD_REQUEST, "Agent inconnu ou désactivé.");
        }
    }
    let actor = format!("agent:{}", session.record.agent.login);
    match app
        .store
        .set_department_heads(site.tenant.id, heads, actor, (app.clock)())
        .await
    {
        Ok(_) => redirect(&format!("{}/backoffice/admin?heads=1#heads", frame.base)),
        Err(e) => unavailable(&e),
    }
}

/// An administrator sends a test e-mail or SMS with the tenant's settings
/// as they are, and reads on the admin page whether it went, or the mail
/// server's or provider's answer (502: the fault is theirs, or the settings').
async fn test_message(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    fields: &Fields,
) -> Response<Body> {
    let channel = if fields.get("channel") == Some("sms") {
        "sms"
    } else {
        "email"
    };
    let typed = fields.get("address").unwrap_or("").trim().to_owned();
    let address = match channel {
        "sms" => crate::notify::sms::mobile_number(&typed),
        _ => crate::notify::mail::is_address(&typed).then(|| typed.clone()),
    };
    let (kind, text, status) = match address {
        None => (
            "error",
            frame.message(&format!("bo.test.error.{channel}-address")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Some(address) => {
            let Some(site_arc) = app.site(&site.tenant.slug).cloned() else {
                return super::not_found(site, frame, req);
            };
            let town = site.town_name();
            let subject = frame.format("bo.test.subject", &[("town", &town)]);
            let text = frame.format(
                &format!("bo.test.text.{channel}"),
                &[("town", &town), ("agent", &session.record.agent.name)],
            );
            let sent = crate::notify::send_test(
                app,
                &site_arc,
                channel,
                address.clone(),
                &subject,
                &text,
                frame.lang,
            )
            .await;
            tracing::info!(tenant = %site.tenant.slug, agent = %session.record.agent.login, channel, ok = sent.is_ok(), "test message");
            match sent {
                Ok(()) => (
                    "success",
                    frame.format(&format!("bo.test.sent.{channel}"), &[("address", &address)]),
                    StatusCode::OK,
                ),
                Err(error) => (
                    "error",
                    frame.format(&format!("bo.test.failed.{channel}"), &[("error", &error)]),
                    StatusCode::BAD_GATEWAY,
                ),
            }
        }
    };
    admin_page(
        app,
        site,
        frame,
        req,
        session,
        &AgentForm::default(),
        Some((kind, &text)),
        status,
    )
    .await
}

/// Standard answers longer than this are refused (a letter, not a file).
const MAX_ANSWER_CHARS: usize = 4000;

async fn find_answer(
    app: &App,
    site: &Site,
    id: &str,
) -> Result<Option<StandardAnswer>, StoreError> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    Ok(app
        .store
        .standard_answers(site.tenant.id)
        .await?
        .into_iter()
        .find(|a| a.id == id))
}

/// An administrator writes, changes or removes a standard answer.
async fn save_answer(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    session: &Session,
    which: &str,
    fields: &Fields,
) -> Response<Body> {
    let id = if which == "new" {
        None
    } else {
        match find_answer(app, site, which).await {
            Ok(Some(a)) => Some(a.id),
            Ok(None) => return super::not_found(site, frame, req),
            Err(e) => return unavailable(&e),
        }
    };
    let mut form = AnswerForm {
        id,
        department: fields.get("department").unwrap_or("").to_owned(),
        title: fields.get("title").unwrap_or("").trim().to_owned(),
        text: fields
            .get("text")
            .unwrap_or("")
            .replace("\r\n", "\n")
            .trim()
            .to_owned(),
        errors: Vec::new(),
    };
    let actor = format!("agent:{}", session.record.agent.login);
    let done = |what: &str| {
        redirect(&format!(
            "{}/backoffice/admin?answer={what}#answers",
            frame.base
        ))
    };
    let refused = |form: &AnswerForm| {
        let v = view::answer_edit(frame, site, &bar(session), form);
        bo_page(
            site,
            frame,
            req,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bo-answer.xsl",
            v,
        )
    };
    if let (Some(id), Some("yes")) = (id, fields.get("delete")) {
        if fields.get("confirm") != Some("yes") {
            form.errors
                .push(("confirm", frame.message("bo.answer.error.confirm")));
            return refused(&form);
        }
        return match app
            .store
            .remove_standard_answer(site.tenant.id, id, actor, (app.clock)())
            .await
        {
            Ok(true) => done("removed"),
            Ok(false) => super::not_found(site, frame, req),
            Err(e) => unavailable(&e),
        };
    }
    if site.department(&form.department).is_none() {
        form.errors
            .push(("department", frame.message("bo.answer.error.department")));
    }
    if form.title.is_empty() || form.title.chars().count() > 100 {
        form.errors
            .push(("title", frame.message("bo.answer.error.title")));
    }
    if form.text.is_empty() || form.text.chars().count() > MAX_ANSWER_CHARS {
        form.errors
            .push(("text", frame.message("bo.answer.error.text")));
    }
    if !form.errors.is_empty() {
        return refused(&form);
    }
    let answer = NewStandardAnswer {
        department: form.department.clone(),
        title: form.title.clone(),
        text: form.text.clone(),
    };
    match app
        .store
        .save_standard_answer(site.tenant.id, id, answer, actor, (app.clock)())
        .await
    {
        Ok(Some(_)) => done("saved"),
        Ok(None) => super::not_found(site, frame, req),
        Err(e) => unavailable(&e),
    }
}
