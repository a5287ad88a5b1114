//! The web channel: the pages a citizen sees, embedded in the town's site.
//!
//! Every page is an XML view ([`view`]) turned into HTML by an XSLT stylesheet
//! ([`crate::render`]). Forms go through the same core `Submission` path as
//! SOAP. Pages carry a strict Content-Security-Policy (scripts only from
//! Guichet's own files, framing only by the tenant's declared origins).

pub mod backoffice;
pub mod view;

use crate::core::forms::RawValue;
use crate::core::intake::{Channel, Submission};
use crate::core::status::{self, CitizenStatus};
use crate::core::tracking::TrackingCode;
use crate::tenant::Site;
use crate::tenant::look::Look;
use crate::usecases::App;
use crate::usecases::submit::{self, SubmitError};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Response, StatusCode};
use std::sync::Arc;
use view::{Entered, Frame};

pub(crate) type Body = Full<Bytes>;

/// Stands for the anti-forgery token in cached form pages.
const TOKEN_PLACEHOLDER: &str = "guichet-token-placeholder";

/// Built-in static files.
const GUICHET_CSS: &str = include_str!("../../css/guichet.css");
const BACKOFFICE_CSS: &str = include_str!("../../css/backoffice.css");
const FRAME_JS: &str = include_str!("../../js/frame.js");
const EMBED_JS: &str = include_str!("../../js/embed.js");

/// What the web channel needs of an HTTP request.
pub struct PageRequest<'a> {
    pub method: &'a Method,
    /// Path segments after the tenant slug.
    pub rest: &'a [&'a str],
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    /// `http://host:port`, as the client addressed us.
    pub origin: &'a str,
    /// The body of a POST (already size-limited).
    pub body: Bytes,
    /// The client's address (login throttling).
    pub peer: std::net::IpAddr,
}

impl PageRequest<'_> {
    pub(crate) fn query_values(&self, name: &str) -> Vec<String> {
        self.query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn wants_xml(&self) -> bool {
        if self.query_values("format").iter().any(|f| f == "xml") {
            return true;
        }
        let accept = self
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        (accept.contains("application/xml") || accept.contains("text/xml"))
            && !accept.contains("text/html")
    }
}

pub async fn handle(app: &App, site: &Site, req: PageRequest<'_>) -> Response<Body> {
    let look = site.look.get();
    let requested = req.query_values("lang").into_iter().next();
    let lang = requested
        .as_deref()
        .filter(|l| look.has_language(l))
        .unwrap_or(&look.settings.language)
        .to_owned();
    let frame = Frame {
        tenant: &site.tenant,
        step_colours: &site.step_colours,
        look: &look,
        lang: &lang,
        base: format!("/{}", site.tenant.slug),
        backoffice: matches!(req.rest, ["backoffice", ..]),
    };
    if let ["backoffice", rest @ ..] = req.rest {
        return backoffice::handle(app, site, &frame, &req, rest).await;
    }
    // The contract names `/T/admin/…` for administrators; their pages are
    // in the back office (one login, one session, one agent's bar), so that
    // path leads there for good, method and body kept (308).
    if let ["admin", rest @ ..] = req.rest {
        let mut location = format!("{}/backoffice/admin", frame.base);
        for part in rest.iter().filter(|p| !p.is_empty()) {
            location.push('/');
            location.push_str(part);
        }
        if let Some(q) = req.query {
            location.push('?');
            location.push_str(q);
        }
        let mut r = redirect(&location);
        *r.status_mut() = StatusCode::PERMANENT_REDIRECT;
        return r;
    }
    let get_only = matches!(
        req.rest,
        [""] | ["receipt", _] | ["track"] | ["track", _] | ["assets", _]
    );
    let allowed = if get_only {
        "GET, HEAD"
    } else {
        "GET, HEAD, POST"
    };
    let method_ok = req.method == Method::GET
        || req.method == Method::HEAD
        || (req.method == Method::POST && !get_only);
    if !method_ok {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "Méthode non permise.");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allowed));
        return r;
    }
    match req.rest {
        ["assets", file] => asset(&look, &site.step_colours, file),
        [""] => page(
            site,
            &frame,
            &req,
            StatusCode::OK,
            "catalogue.xsl",
            view::catalogue(&frame),
            false,
        ),
        ["services", code] => match site.tenant.service(code).cloned() {
            None => not_found(site, &frame, &req),
            Some(service) if req.method == Method::POST => {
                submit(app, site, &frame, &req, &service).await
            }
            Some(service) => {
                let token = app
                    .secret
                    .issue(&form_purpose(site, &service.code), now_secs(app));
                if req.wants_xml() {
                    let v = view::form(
                        &frame,
                        &service,
                        &Entered { entries: &[] },
                        &[],
                        &token,
                        None,
                    );
                    return page(site, &frame, &req, StatusCode::OK, "form.xsl", v, false);
                }
                // An empty form is the same for everyone but its token: render
                // it once per thread and put the token in.
                let key = format!("form:{}:{}:{}", service.code, frame.lang, look.version);
                let html = crate::render::render_cached(
                    &site.look.dir().join("xslt"),
                    "form.xsl",
                    &key,
                    || {
                        view::form(
                            &frame,
                            &service,
                            &Entered { entries: &[] },
                            &[],
                            TOKEN_PLACEHOLDER,
                            None,
                        )
                    },
                );
                match html {
                    Ok(html) => {
                        let html =
                            String::from_utf8_lossy(&html).replacen(TOKEN_PLACEHOLDER, &token, 1);
                        html_response(
                            &frame,
                            StatusCode::OK,
                            Bytes::from(html),
                            "text/html; charset=utf-8",
                            false,
                        )
                    }
                    Err(e) => {
                        tracing::error!(tenant = %site.tenant.slug, error = %e, "form could not be rendered");
                        plain(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "Cette page ne peut pas être affichée pour le moment.",
                        )
                    }
                }
            }
        },
        ["receipt", code] => match find(app, site, code).await {
            Some((status, code)) => {
                let v = view::receipt(&frame, &status, &code.to_string());
                page(site, &frame, &req, StatusCode::OK, "receipt.xsl", v, true)
            }
            None => not_found(site, &frame, &req),
        },
        ["track"] => {
            let typed = req
                .query_values("code")
                .into_iter()
                .next()
                .unwrap_or_default();
            if typed.trim().is_empty() {
                return page(
                    site,
                    &frame,
                    &req,
                    StatusCode::OK,
                    "track.xsl",
                    view::lookup(&frame, "", None),
                    false,
                );
            }
            match TrackingCode::parse(&typed) {
                None => {
                    let v = view::lookup(&frame, &typed, Some(&frame.message("track.malformed")));
                    page(
                        site,
                        &frame,
                        &req,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "track.xsl",
                        v,
                        true,
                    )
                }
                Some(code) => match find(app, site, &code.to_string()).await {
                    Some(_) => redirect(&frame.url(&format!("/track/{code}"))),
                    None => unknown_code(site, &frame, &req, &typed),
                },
            }
        }
        ["track", code] => match find(app, site, code).await {
            Some((status, code)) => {
                let v = view::tracking(&frame, &status, &code.to_string());
                page(site, &frame, &req, StatusCode::OK, "track.xsl", v, true)
            }
            None => unknown_code(site, &frame, &req, code),
        },
        _ => not_found(site, &frame, &req),
    }
}

fn form_purpose(site: &Site, code: &str) -> String {
    format!("{}/form/{code}", site.tenant.slug)
}

fn now_secs(app: &App) -> i64 {
    (app.clock)().as_second()
}

/// A request and its status by tracking code, if the code is well-formed and known.
async fn find(app: &App, site: &Site, typed: &str) -> Option<(CitizenStatus, TrackingCode)> {
    let code = TrackingCode::parse(typed)?;
    let record = match app
        .store
        .request_by_tracking(site.tenant.id, code.digest())
        .await
    {
        Ok(r) => r?,
        Err(e) => {
            tracing::error!(tenant = %site.tenant.slug, error = %e, "status lookup failed");
            return None;
        }
    };
    let service = site
        .tenant
        .service_version(&record.service_code, record.service_version)?;
    Some((
        status::citizen_view(service, &record, &site.tenant.time_zone),
        code,
    ))
}

/// Raw entries from a form body: `requester.address.street=…` becomes nested groups.
fn entries_from_form(body: &[u8]) -> (Vec<(String, RawValue)>, Option<String>) {
    let mut entries: Vec<(String, RawValue)> = Vec::new();
    let mut token = None;
    for (key, value) in form_urlencoded::parse(body) {
        if key == "_token" {
            token = Some(value.into_owned());
            continue;
        }
        let parts: Vec<&str> = key.split('.').collect();
        insert(&mut entries, &parts, value.into_owned());
    }
    (entries, token)
}

fn insert(entries: &mut Vec<(String, RawValue)>, path: &[&str], value: String) {
    match path {
        [] => {}
        [name] => entries.push(((*name).to_owned(), RawValue::Text(value))),
        [name, rest @ ..] => {
            let existing = entries
                .iter_mut()
                .find(|(n, v)| n == name && matches!(v, RawValue::Group(_)));
            match existing {
                Some((_, RawValue::Group(items))) => insert(items, rest, value),
                _ => {
                    let mut items = Vec::new();
                    insert(&mut items, rest, value);
                    entries.push(((*name).to_owned(), RawValue::Group(items)));
                }
            }
        }
    }
}

/// The browser says where a POST comes from; only Guichet's own pages may
/// post. Fetch metadata (`Sec-Fetch-Site`) decides when present; otherwise the
/// `Origin` header, when it names a site, must be ours (`null`, sent by some
/// browsers for privacy, says nothing). The form's token is checked as well.
pub(crate) fn same_origin(req: &PageRequest) -> bool {
    if let Some(site) = req
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        return site == "same-origin" || site == "none";
    }
    match req
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        None | Some("null") => true,
        Some(origin) => origin == req.origin,
    }
}

async fn submit(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    service: &Arc<crate::core::catalogue::Service>,
) -> Response<Body> {
    let purpose = form_purpose(site, &service.code);
    let now = now_secs(app);
    let fresh_token = app.secret.issue(&purpose, now);
    let content_type = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Envoyez le formulaire en application/x-www-form-urlencoded.",
        );
    }
    if !same_origin(req) {
        tracing::warn!(tenant = %site.tenant.slug, "form posted from another site: refused");
        return plain(
            StatusCode::FORBIDDEN,
            "Ce formulaire ne peut être envoyé que depuis sa propre page.",
        );
    }
    let (entries, token) = entries_from_form(&req.body);
    let entered = Entered { entries: &entries };
    if !token.is_some_and(|t| app.secret.verify(&purpose, &t, now)) {
        let v = view::form(
            frame,
            service,
            &entered,
            &[],
            &fresh_token,
            Some(&frame.message("form.expired")),
        );
        return page(site, frame, req, StatusCode::FORBIDDEN, "form.xsl", v, true);
    }
    let submission = Submission {
        channel: Channel::Web,
        entries: entries.clone(),
        lang: frame.lang.to_owned(),
    };
    match submit::submit(app, site, service, &submission).await {
        Err(SubmitError::Invalid(errors)) => {
            let v = view::form(frame, service, &entered, &errors, &fresh_token, None);
            page(
                site,
                frame,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                "form.xsl",
                v,
                true,
            )
        }
        Err(SubmitError::Unavailable(_)) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Votre demande n'a pas pu être enregistrée. Réessayez dans quelques instants.",
        ),
        Ok(receipt) => redirect(&frame.url(&format!("/receipt/{}", receipt.tracking_code))),
    }
}

/// The lookup page again, saying no request has this code.
fn unknown_code(site: &Site, frame: &Frame, req: &PageRequest, typed: &str) -> Response<Body> {
    let v = view::lookup(frame, typed, Some(&frame.message("track.unknown")));
    page(
        site,
        frame,
        req,
        StatusCode::NOT_FOUND,
        "track.xsl",
        v,
        true,
    )
}

pub(crate) fn not_found(site: &Site, frame: &Frame, req: &PageRequest) -> Response<Body> {
    let v = view::error(
        frame,
        404,
        &frame.message("page.not-found"),
        &frame.message("page.not-found-text"),
    );
    page(
        site,
        frame,
        req,
        StatusCode::NOT_FOUND,
        "error.xsl",
        v,
        false,
    )
}

pub(crate) fn redirect(location: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

pub(crate) fn plain(status: StatusCode, message: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(format!("{message}\n"))));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Content-Security-Policy of every page: nothing inline, nothing foreign,
/// framing only by the tenant's declared origins.
pub fn content_security_policy(look: &Look, backoffice: bool) -> String {
    let mut ancestors = String::from("'self'");
    // The back office is never framed by the town's site.
    if !backoffice {
        for origin in &look.settings.frame_ancestors {
            ancestors.push(' ');
            ancestors.push_str(origin);
        }
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// Renders a view as HTML, or returns it as XML when asked.
pub(crate) fn page(
    site: &Site,
    frame: &Frame,
    req: &PageRequest,
    status: StatusCode,
    stylesheet: &str,
    view: String,
    private: bool,
) -> Response<Body> {
    let (body, content_type) = if req.wants_xml() {
        (
            Bytes::from(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{view}\n"
            )),
            "application/xml; charset=utf-8",
        )
    } else {
        match crate::render::render(&site.look.dir().join("xslt"), stylesheet, &view) {
            Ok(html) => (Bytes::from(html), "text/html; charset=utf-8"),
            Err(e) => {
                tracing::error!(tenant = %site.tenant.slug, page = %stylesheet, error = %e, "page could not be rendered");
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Cette page ne peut pas être affichée pour le moment.",
                );
            }
        }
    };
    html_response(frame, status, body, content_type, private)
}

/// A page's response with the headers every page carries.
fn html_response(
    frame: &Frame,
    status: StatusCode,
    body: Bytes,
    content_type: &'static str,
    private: bool,
) -> Response<Body> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(frame.look, frame.backoffice)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Tracking codes travel in URLs: never leak them to another site.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if private {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(lang) = HeaderValue::from_str(frame.lang) {
        h.insert(header::CONTENT_LANGUAGE, lang);
    }
    r
}

fn asset(
    look: &Look,
    step_colours: &crate::tenant::look::StepColours,
    file: &str,
) -> Response<Body> {
    let (body, content_type): (Bytes, &str) = match file {
        "steps.css" => (
            Bytes::from(step_colours.css.clone()),
            "text/css; charset=utf-8",
        ),
        "guichet.css" => (
            Bytes::from_static(GUICHET_CSS.as_bytes()),
            "text/css; charset=utf-8",
        ),
        "backoffice.css" => (
            Bytes::from_static(BACKOFFICE_CSS.as_bytes()),
            "text/css; charset=utf-8",
        ),
        "theme.css" => (
            Bytes::from(look.theme_css.clone()),
            "text/css; charset=utf-8",
        ),
        "tenant.css" => match &look.tenant_css {
            Some(css) => (Bytes::from(css.clone()), "text/css; charset=utf-8"),
            None => {
                return plain(
                    StatusCode::NOT_FOUND,
                    "Pas de feuille de style propre à cette collectivité.",
                );
            }
        },
        "frame.js" => (
            Bytes::from_static(FRAME_JS.as_bytes()),
            "text/javascript; charset=utf-8",
        ),
        "embed.js" => (
            Bytes::from_static(EMBED_JS.as_bytes()),
            "text/javascript; charset=utf-8",
        ),
        name => match &look.logo {
            Some((logo, bytes, content_type)) if logo == name => {
                (Bytes::from(bytes.clone()), *content_type)
            }
            _ => return plain(StatusCode::NOT_FOUND, "Fichier introuvable."),
        },
    };
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // URLs carry a version, so browsers may keep them; embed.js is loaded by
    // the town's own pages under a fixed URL.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if file == "embed.js" {
            "max-age=3600"
        } else {
            "max-age=86400"
        }),
    );
    if file == "embed.js" {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    r
}
