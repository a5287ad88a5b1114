//! A service's form: shown empty (rendered once per thread, the anti-forgery
//! token put in), posted through the submit use case, shown again with every
//! value and every message next to its field when refused.

use crate::core::catalogue::{
    ADDRESS_PARTS, Field, FieldType, LONG_TEXT_MAX, REQUESTER_FIELDS, Service, TEXT_MAX,
};
use crate::core::forms::{FieldError, REQUESTER, RawValue};
use crate::core::intake::{Channel, Submission};
use crate::usecases::submit::{self, SubmitError};
use crate::usecases::{App, appointments};
use crate::web::route::Ctx;
use crate::web::view::{Desk, Frame, Xml, deadline_key, service_title};
use crate::web::{Body, Fields, html_response, not_found, page, plain, redirect};
use bytes::Bytes;
use hyper::header;
use hyper::{Response, StatusCode};
use std::sync::Arc;

use super::slots::{self, SlotsView};

pub(super) async fn form(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let Some(service) = site
        .tenant
        .offer(frame.desk.audience(), cx.param("code"))
        .cloned()
    else {
        return not_found(site, frame, req);
    };
    let token = app
        .secret
        .issue(&form_purpose(cx, &service.code), now_secs(app));
    let hours = appointments::hours(site, &service);
    let empty = || Entered {
        entries: &[],
        slots: slots::view(frame, &service, hours.as_ref(), None),
        ask_requester: true,
    };
    // Signed in, the requester's block starts from the account's profile
    // (a page of its own, not the cached one).
    if frame.desk == Desk::Public
        && service.simulation.is_none()
        && let Some(s) = crate::web::account::session::current(app, site, req).await
    {
        let entries = crate::web::account::session::prefilled(&s.citizen);
        let entered = Entered {
            entries: &entries,
            slots: slots::view(frame, &service, hours.as_ref(), None),
            ask_requester: true,
        };
        let v = form_view(frame, &service, &entered, &[], &token, None);
        return page(site, frame, req, StatusCode::OK, "form.xsl", v, true);
    }
    // At the e-mail or SMS intake desk, a request made of an item of the
    // qualification queue starts from its sender and text.
    if let (Some(id), Some(_)) = (frame.inbound, &cx.session)
        && let Ok(Some(item)) = app.store.inbound_item(site.tenant.id, id).await
    {
        let entries = from_message(&service, &item);
        let entered = Entered {
            entries: &entries,
            slots: slots::view(frame, &service, hours.as_ref(), None),
            ask_requester: true,
        };
        let v = form_view(frame, &service, &entered, &[], &token, None);
        return page(site, frame, req, StatusCode::OK, "form.xsl", v, true);
    }
    // At the intake desk, a request for someone of the town's file of
    // people starts from what their file says.
    if matches!(frame.desk, Desk::Intake(_))
        && cx.session.is_some()
        && let Some(id) = cx.query("person").and_then(|p| p.parse::<i64>().ok())
        && let Ok(Some(crate::store::FoundPerson::File(file))) =
            app.store.person_file(site.tenant.id, id).await
    {
        let entries = from_file(&file.person);
        let entered = Entered {
            entries: &entries,
            slots: slots::view(frame, &service, hours.as_ref(), None),
            ask_requester: true,
        };
        let v = form_view(frame, &service, &entered, &[], &token, None);
        return page(site, frame, req, StatusCode::OK, "form.xsl", v, true);
    }
    if req.wants_xml() {
        let v = form_view(frame, &service, &empty(), &[], &token, None);
        return page(site, frame, req, StatusCode::OK, "form.xsl", v, false);
    }
    // An empty form is the same for everyone but its token: render it once
    // per thread and put the token in.
    // The service's version too: a new one published is a new form.
    let key = format!(
        "form:{}:{}:{}:{}:{:?}",
        service.code, service.version, frame.lang, frame.look.version, frame.desk
    );
    let html =
        crate::render::render_cached(&site.look.dir().join("xslt"), "form.xsl", &key, || {
            form_view(frame, &service, &empty(), &[], TOKEN_PLACEHOLDER, None)
        });
    match html {
        Ok(html) => {
            let html = String::from_utf8_lossy(&html).replacen(TOKEN_PLACEHOLDER, &token, 1);
            html_response(
                frame,
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

pub(super) async fn post_form(cx: &Ctx<'_>) -> Response<Body> {
    match cx
        .site
        .tenant
        .offer(cx.frame.desk.audience(), cx.param("code"))
        .cloned()
    {
        Some(service) => submit(cx, &service).await,
        None => not_found(cx.site, cx.frame, cx.req),
    }
}

/// A service's form as citizens will see it, for the editor's preview:
/// empty, or (when the administrator sent it) with what was typed checked
/// by the same validation as a real submission — every message next to its
/// field, or a notice that it would have been accepted. Nothing is stored.
/// The form posts back to `action` with the session's token (`token`).
pub(crate) fn preview(
    cx: &Ctx<'_>,
    service: &Service,
    action: &str,
    token: &str,
) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let (mut entries, _) = if req.method == hyper::Method::POST {
        entries_from_form(&cx.fields)
    } else {
        (Vec::new(), None)
    };
    let changed =
        req.method == hyper::Method::POST && row_change(&cx.fields, service, &mut entries);
    if !changed {
        without_blank_rows(service, &mut entries);
    }
    let entered = Entered {
        entries: &entries,
        slots: slots::view(
            frame,
            service,
            appointments::hours(site, service).as_ref(),
            None,
        ),
        ask_requester: true,
    };
    let (status, errors, notice) = if req.method == hyper::Method::POST && !changed {
        let today = cx.app.now().to_zoned(site.tenant.time_zone.clone()).date();
        match crate::core::forms::validate(service, &entries, today) {
            Ok(_) => (
                StatusCode::OK,
                Vec::new(),
                frame.message("bo.editor.preview-valid"),
            ),
            Err(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                frame.message("bo.editor.preview-invalid"),
            ),
        }
    } else {
        (
            StatusCode::OK,
            Vec::new(),
            frame.message("bo.editor.preview-notice"),
        )
    };
    let v = form_view_at(
        frame,
        service,
        action,
        &entered,
        &errors,
        token,
        Some(&notice),
        &[],
        0,
    );
    page(site, frame, req, status, "form.xsl", v, true)
}

/// A requester's block filled from a file of the town's people (its kind
/// when a form can say it: a partner is the town's word, not a form's).
fn from_file(p: &crate::store::Person) -> Vec<(String, RawValue)> {
    let kind =
        (p.kind != crate::core::people::PersonKind::Partner).then(|| p.kind.as_str().to_owned());
    let pairs = [
        ("kind", kind),
        ("firstName", Some(p.first_name.clone())),
        ("lastName", Some(p.last_name.clone())),
        ("organisation", p.organisation.clone()),
        ("email", p.email.clone()),
        ("phone", p.phone.clone()),
        ("address.street", p.street.clone()),
        ("address.postalCode", p.postal_code.clone()),
        ("address.town", p.town.clone()),
    ];
    crate::core::forms::entries_from_paths(
        pairs.into_iter().filter_map(|(name, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| (format!("{REQUESTER}.{name}"), v))
        }),
        '.',
    )
}

/// A requester's block filled from a message of the qualification queue
/// (its sender's address or phone, their name as the e-mail gave it), and
/// the service's `description` from its subject and text.
fn from_message(service: &Service, item: &crate::store::InboundItem) -> Vec<(String, RawValue)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let name = item.sender_name.trim();
    if let Some((first, last)) = name.rsplit_once(' ') {
        pairs.push((format!("{REQUESTER}.firstName"), first.trim().to_owned()));
        pairs.push((format!("{REQUESTER}.lastName"), last.trim().to_owned()));
    } else if !name.is_empty() {
        pairs.push((format!("{REQUESTER}.lastName"), name.to_owned()));
    }
    let contact = if item.channel == "sms" {
        "phone"
    } else {
        "email"
    };
    pairs.push((format!("{REQUESTER}.{contact}"), item.sender.clone()));
    if service.field("description").is_some() {
        let text = [item.subject.trim(), item.body.trim()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        pairs.push(("description".to_owned(), text));
    }
    crate::core::forms::entries_from_paths(pairs, '.')
}

/// Stands for the anti-forgery token in cached form pages.
const TOKEN_PLACEHOLDER: &str = "guichet-token-placeholder";

/// What a form's anti-forgery token is for: the service's form, or at the
/// testers' desk the agent's session (which the back office's guard checks).
fn form_purpose(cx: &Ctx<'_>, code: &str) -> String {
    match &cx.session {
        Some(session) if matches!(cx.frame.desk, Desk::Testers | Desk::Intake(_)) => {
            crate::web::session::session_purpose(cx.site, &session.digest)
        }
        _ => format!("{}/form/{code}", cx.site.tenant.slug),
    }
}

fn now_secs(app: &App) -> i64 {
    (app.clock)().as_second()
}

/// Names a form posts besides the fields: a group's row added or removed,
/// a long form's page and the way it goes.
const CONTROLS: [&str; 5] = ["_add", "_remove", "_step", "_nav", "_slots"];

/// Raw entries from a posted form (urlencoded, or multipart when it sends
/// files): `requester.address.street=…` becomes nested groups, each file
/// chosen an entry of its input's name.
fn entries_from_form(fields: &Fields) -> (Vec<(String, RawValue)>, Option<String>) {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut token = None;
    for (key, value) in fields.pairs() {
        if key == "_token" {
            token = Some(value.to_owned());
            continue;
        }
        // The form's own controls: rows, and a long form's pages.
        if CONTROLS.contains(&key) {
            continue;
        }
        pairs.push((key.to_owned(), value.to_owned()));
    }
    let mut entries = crate::core::forms::entries_from_paths(pairs, '.');
    for (name, upload) in fields.files() {
        entries.push((
            name.to_owned(),
            RawValue::File(crate::core::files::RawFile {
                file_name: upload.file_name.clone(),
                bytes: upload.bytes.clone(),
            }),
        ));
    }
    (entries, token)
}

/// What a form post asks besides sending: another row of a group
/// (`_add=GROUP`) or one row less (`_remove=GROUP.N`), for pages without
/// JavaScript; the form comes back with the rows changed.
fn row_change(fields: &Fields, service: &Service, entries: &mut Vec<(String, RawValue)>) -> bool {
    for (key, value) in fields.pairs() {
        let is_group = |name: &str| {
            service
                .field(name)
                .is_some_and(|f| f.kind == FieldType::Group)
        };
        match key {
            "_add" if is_group(value) => {
                let field = service.field(value).expect("a group");
                // The rows shown (at least the minimum, and one), then one more.
                let given = entries.iter().filter(|(n, _)| n == value).count();
                let shown = given.max(field.facets.min_items.unwrap_or(0)).max(1);
                let at = entries
                    .iter()
                    .rposition(|(n, _)| n == value)
                    .map_or(entries.len(), |i| i + 1);
                for _ in given..=shown {
                    entries.insert(at, (value.to_string(), RawValue::Group(Vec::new())));
                }
                return true;
            }
            "_remove" => {
                let Some((name, n)) = value.rsplit_once('.') else {
                    continue;
                };
                let (Some(n), true) = (n.parse::<usize>().ok(), is_group(name)) else {
                    continue;
                };
                if let Some(i) = entries
                    .iter()
                    .enumerate()
                    .filter(|(_, (e, _))| e == name)
                    .nth(n.saturating_sub(1))
                    .map(|(i, _)| i)
                {
                    entries.remove(i);
                }
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Blank rows of the groups are not rows: left out before checking, so
/// that the rows the errors name are the rows shown again.
fn without_blank_rows(service: &Service, entries: &mut Vec<(String, RawValue)>) {
    entries.retain(|(name, value)| {
        let group = service
            .field(name)
            .is_some_and(|f| f.kind == FieldType::Group);
        !(group && crate::core::forms::is_blank(value))
    });
}

async fn submit(cx: &Ctx<'_>, service: &Arc<crate::core::catalogue::Service>) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let purpose = form_purpose(cx, &service.code);
    let now = now_secs(app);
    let fresh_token = app.secret.issue(&purpose, now);
    let content_type = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded")
        && !content_type.starts_with("multipart/form-data")
    {
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Envoyez le formulaire en application/x-www-form-urlencoded ou multipart/form-data.",
        );
    }
    if !crate::web::same_origin(req) {
        tracing::warn!(tenant = %site.tenant.slug, "form posted from another site: refused");
        return plain(
            StatusCode::FORBIDDEN,
            "Ce formulaire ne peut être envoyé que depuis sa propre page.",
        );
    }
    let (mut entries, token) = entries_from_form(&cx.fields);
    let token_ok = token.is_some_and(|t| app.secret.verify(&purpose, &t, now));
    // Sent signed in, the request belongs to the account.
    let citizen = match frame.desk {
        Desk::Public => crate::web::account::session::current(app, site, req)
            .await
            .map(|s| s.citizen),
        Desk::Testers | Desk::Intake(_) => None,
    };
    // An appointment service shows the free slots of the day entered
    // whenever the form comes back (read then, not for a request stored).
    let hours = appointments::hours(site, service);
    let seeing_slots = control(&cx.fields, "_slots").is_some();
    if token_ok && (row_change(&cx.fields, service, &mut entries) || seeing_slots) {
        let day = slots::free_on_entered_day(cx, service, &entries).await;
        let entered = Entered {
            entries: &entries,
            slots: slots::view(frame, service, hours.as_ref(), day),
            ask_requester: true,
        };
        let step = control(&cx.fields, "_step")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let v = paged_view(frame, service, &entered, &[], &fresh_token, step);
        return page(site, frame, req, StatusCode::OK, "form.xsl", v, true);
    }
    without_blank_rows(service, &mut entries);
    // A long form's pages come back at each turn.
    let day = if token_ok && !service.pages.is_empty() {
        slots::free_on_entered_day(cx, service, &entries).await
    } else {
        None
    };
    let entered = Entered {
        entries: &entries,
        slots: slots::view(frame, service, hours.as_ref(), day),
        ask_requester: true,
    };
    if !token_ok {
        let v = form_view(
            frame,
            service,
            &entered,
            &[],
            &fresh_token,
            Some(&frame.message("form.expired")),
        );
        return page(site, frame, req, StatusCode::FORBIDDEN, "form.xsl", v, true);
    }
    if service.simulation.is_some() {
        return simulation(cx, service, &entered, &fresh_token);
    }
    if !service.pages.is_empty()
        && let Some(response) = turn_page(cx, service, &entered, &fresh_token)
    {
        return response;
    }
    // At the intake desk, the channel is the desk's and the agent records it.
    let (channel, recorded_by) = match (frame.desk, &cx.session) {
        (Desk::Intake(channel), Some(session)) => {
            if !session.record.agent.handles_requests() {
                return crate::web::backoffice::forbidden(cx);
            }
            (channel, Some(session.record.agent.login.clone()))
        }
        _ => (Channel::Web, None),
    };
    let submission = Submission {
        channel,
        entries: entries.clone(),
        lang: frame.lang.to_owned(),
        citizen_id: citizen.as_ref().map(|c| c.id),
        inbound: frame.inbound.filter(|_| recorded_by.is_some()),
        recorded_by,
    };
    match submit::submit(app, site, service, &submission).await {
        Err(SubmitError::Invalid(errors)) => {
            let entered = if entered.slots.as_ref().is_some_and(|v| v.day.is_none()) {
                let day = slots::free_on_entered_day(cx, service, &entries).await;
                Entered {
                    slots: slots::view(frame, service, hours.as_ref(), day),
                    ..entered
                }
            } else {
                entered
            };
            // A long form goes back to the page of its first error.
            let step = errors.first().map_or(0, |e| step_of(service, &e.path));
            let here: Vec<FieldError> = errors
                .into_iter()
                .filter(|e| service.pages.is_empty() || step_of(service, &e.path) == step)
                .collect();
            let v = paged_view(frame, service, &entered, &here, &fresh_token, step);
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
        Ok(receipt) => match (frame.desk, &cx.session) {
            // Recorded by an agent: the request's page, with its receipt to
            // print, when the agent reads its department; else the intake.
            (Desk::Intake(channel), Some(session)) => {
                let reads = session
                    .record
                    .agent
                    .request_departments()
                    .is_none_or(|d| d.contains(&receipt.department));
                let to = if reads {
                    format!(
                        "/backoffice/requests/{}?recorded={}",
                        receipt.reference,
                        channel.as_str()
                    )
                } else {
                    format!(
                        "/backoffice/intake?recorded={}&channel={}",
                        receipt.reference,
                        channel.as_str()
                    )
                };
                redirect(&frame.url(&to))
            }
            _ => redirect(&frame.desk_url(&format!("/receipt/{}", receipt.tracking_code))),
        },
    }
}

/// A control's value in a form body (`_step`, `_nav`).
fn control(fields: &Fields, name: &str) -> Option<String> {
    fields.get(name).map(str::to_owned)
}

/// The step of a long form a field is on: its page, the requester's page
/// (after the service's), for an error's path.
fn step_of(service: &Service, path: &str) -> usize {
    let first = path.split('/').next().unwrap_or_default();
    if first == REQUESTER {
        return service.pages.len();
    }
    service.field(first).map_or(0, |f| f.page)
}

/// The form at `step` (0 for a form of one page).
fn paged_view(
    frame: &Frame,
    service: &Service,
    entered: &Entered,
    errors: &[FieldError],
    token: &str,
    step: usize,
) -> String {
    form_at_step(frame, service, entered, errors, token, None, step)
}

/// The form posting to the service's own address, at `step`.
fn form_at_step(
    frame: &Frame,
    service: &Service,
    entered: &Entered,
    errors: &[FieldError],
    token: &str,
    notice: Option<&str>,
    step: usize,
) -> String {
    let mut action = frame.desk_url(&format!("/services/{}", service.code));
    if let Some(inbound) = frame.inbound {
        action.push_str(&format!("?inbound={inbound}"));
    }
    form_view_at(
        frame,
        service,
        &action,
        entered,
        errors,
        token,
        notice,
        &[],
        step,
    )
}

/// A long form's way between its pages (`_nav`: `next`, `back`, `edit-N`;
/// `send` from the summary is the submission, `None` here): the next page
/// once this one's answers are right, the previous one, the page to change,
/// the summary once every answer is. Nothing is stored on the way: what was
/// typed rides along in the form.
fn turn_page(
    cx: &Ctx<'_>,
    service: &Service,
    entered: &Entered,
    token: &str,
) -> Option<Response<Body>> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let summary = service.pages.len() + 1;
    let step: usize = control(&cx.fields, "_step")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
        .min(summary);
    let nav = control(&cx.fields, "_nav").unwrap_or_else(|| "next".to_owned());
    let today = cx.app.now().to_zoned(site.tenant.time_zone.clone()).date();
    let errors = match crate::core::forms::validate(service, entered.entries, today) {
        Ok(_) => Vec::new(),
        Err(errors) => errors,
    };
    let (status, step, shown) = match nav.as_str() {
        "send" => return None,
        "back" => (StatusCode::OK, step.saturating_sub(1), Vec::new()),
        edit if edit.starts_with("edit-") => (
            StatusCode::OK,
            edit[5..].parse::<usize>().unwrap_or(0).min(summary - 1),
            Vec::new(),
        ),
        _ => {
            let here: Vec<FieldError> = errors
                .iter()
                .filter(|e| step_of(service, &e.path) == step)
                .cloned()
                .collect();
            if !here.is_empty() {
                (StatusCode::UNPROCESSABLE_ENTITY, step, here)
            } else if step + 1 == summary && !errors.is_empty() {
                // The summary only once every answer is right.
                let first = step_of(service, &errors[0].path);
                let there = errors
                    .iter()
                    .filter(|e| step_of(service, &e.path) == first)
                    .cloned()
                    .collect();
                (StatusCode::UNPROCESSABLE_ENTITY, first, there)
            } else {
                (StatusCode::OK, (step + 1).min(summary), Vec::new())
            }
        }
    };
    let v = paged_view(frame, service, entered, &shown, token, step);
    Some(page(site, frame, req, status, "form.xsl", v, true))
}

/// A simulation posted: its results on the form page, the values kept to
/// try others; nothing stored.
fn simulation(cx: &Ctx<'_>, service: &Service, entered: &Entered, token: &str) -> Response<Body> {
    use crate::usecases::simulate::{SimulateError, simulate};
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let today = cx.app.now().to_zoned(site.tenant.time_zone.clone()).date();
    let action = frame.desk_url(&format!("/services/{}", service.code));
    let (status, errors, notice, results) = match simulate(service, entered.entries, today) {
        Ok(answers) => {
            let results: Vec<(String, String)> = answers
                .iter()
                .map(|(computed, answer)| {
                    let label = computed.label_in(frame.lang).to_owned();
                    let value = shown_number(&answer.value, frame.lang);
                    let value = match &computed.unit {
                        Some(unit) => format!("{value} {unit}"),
                        None => value,
                    };
                    (label, value)
                })
                .collect();
            (StatusCode::OK, Vec::new(), None, results)
        }
        Err(SimulateError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors, None, Vec::new())
        }
        Err(SimulateError::Failed(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            Some(frame.message("form.simulation-failed")),
            Vec::new(),
        ),
    };
    let v = form_view_at(
        frame,
        service,
        &action,
        entered,
        &errors,
        token,
        notice.as_deref(),
        &results,
        0,
    );
    page(site, frame, req, status, "form.xsl", v, true)
}

/// A computed number as the page's language writes it (`785,00` in
/// French); a text stays as it is.
fn shown_number(value: &str, lang: &str) -> String {
    let is_number = value.parse::<f64>().is_ok();
    if is_number && lang == "fr" {
        value.replace('.', ",")
    } else {
        value.to_owned()
    }
}

// The form's view.

/// What the citizen typed, to put back in the form after an error.
pub(super) struct Entered<'a> {
    pub entries: &'a [(String, RawValue)],
    /// An appointment service's agenda, beside its time field.
    pub slots: Option<SlotsView>,
    /// The requester block is asked (not when correcting some fields).
    pub ask_requester: bool,
}

impl Entered<'_> {
    /// Every value given at `path` (`requester/address/street`).
    fn values(&self, path: &str) -> Vec<&str> {
        let mut parts = path.split('/');
        let first = parts.next().unwrap_or_default();
        let mut current: Vec<&RawValue> = self
            .entries
            .iter()
            .filter(|(n, _)| n == first)
            .map(|(_, v)| v)
            .collect();
        for part in parts {
            if let Ok(n) = part.parse::<usize>() {
                // The Nth row of a group.
                current = current
                    .into_iter()
                    .skip(n.saturating_sub(1))
                    .take(1)
                    .collect();
                continue;
            }
            current = current
                .into_iter()
                .filter_map(|v| match v {
                    RawValue::Group(items) => {
                        Some(items.iter().filter(|(n, _)| n == part).map(|(_, v)| v))
                    }
                    RawValue::Text(_) | RawValue::File(_) => None,
                })
                .flatten()
                .collect();
        }
        current
            .into_iter()
            .filter_map(|v| match v {
                RawValue::Text(t) => Some(t.as_str()),
                RawValue::Group(_) | RawValue::File(_) => None,
            })
            .collect()
    }

    /// How many rows of the group `name` were given.
    fn rows(&self, name: &str) -> usize {
        self.entries.iter().filter(|(n, _)| n == name).count()
    }
}

pub(super) fn field_id(path: &str) -> String {
    format!("f-{}", path.replace('/', "-"))
}

/// The form of a service, with the values and errors of a refused attempt.
pub(super) fn form_view(
    frame: &Frame,
    service: &Service,
    entered: &Entered,
    errors: &[FieldError],
    token: &str,
    notice: Option<&str>,
) -> String {
    form_at_step(frame, service, entered, errors, token, notice, 0)
}

/// The form posting to `action`; a simulation's `results` (label and value
/// with its unit) shown above it once computed.
#[allow(clippy::too_many_arguments)]
fn form_view_at(
    frame: &Frame,
    service: &Service,
    action: &str,
    entered: &Entered,
    errors: &[FieldError],
    token: &str,
    notice: Option<&str>,
    results: &[(String, String)],
    step: usize,
) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "form", service_title(service, frame.lang));
    // A long form: its pages, then the requester's, then the summary.
    let paged = !service.pages.is_empty();
    let requester_step = service.pages.len();
    let summary_step = requester_step + 1;
    let step_text = step.to_string();
    let steps_text = (summary_step + 1).to_string();
    let mut attrs = vec![
        ("action", action),
        ("service", service.code.as_str()),
        ("token", token),
    ];
    if frame.tenant.service_in_test(&service.code).is_some() {
        attrs.push(("test", "true"));
    }
    if service.simulation.is_some() {
        attrs.push(("simulation", "true"));
    }
    if paged {
        attrs.push(("step", &step_text));
        attrs.push(("steps", &steps_text));
    }
    if service.takes_files() {
        attrs.push(("multipart", "true"));
    }
    x.open("form", &attrs);
    if !service.description.is_empty() {
        x.text("description", &frame.french_text(), &service.description);
    }
    let deadline = if service.simulation.is_some() {
        frame.message("form.simulation")
    } else {
        frame.format(
            deadline_key("form.deadline", service),
            &[("days", &service.deadline_days.to_string())],
        )
    };
    x.text("deadline", &[], &deadline);
    if service.simulation.is_none() {
        privacy_view(&mut x, frame, service);
    }
    if let Some(notice) = notice {
        x.text("notice", &[], notice);
    }
    if !results.is_empty() {
        let then = service
            .simulation
            .as_ref()
            .and_then(|s| s.then.as_deref())
            .and_then(|code| frame.tenant.offer(frame.desk.audience(), code));
        let href = then.map(|t| frame.desk_url(&format!("/services/{}", t.code)));
        let text = then.map(|t| {
            frame.format(
                "form.continue",
                &[("service", service_title(t, frame.lang))],
            )
        });
        let mut rattrs = Vec::new();
        if let (Some(href), Some(text)) = (&href, &text) {
            rattrs.push(("continue", href.as_str()));
            rattrs.push(("continue-text", text.as_str()));
        }
        x.open("results", &rattrs);
        for (label, value) in results {
            x.text("result", &[("label", label.as_str())], value);
        }
        x.close("results");
    }
    let errors: Vec<Shown> = errors.iter().map(|e| localize(frame, service, e)).collect();
    let errors = errors.as_slice();
    if !errors.is_empty() {
        x.open("errors", &[]);
        for e in errors {
            let target = error_target(e, service);
            let id = field_id(&target);
            let mut attrs = vec![
                ("for", id.as_str()),
                ("path", e.path.as_str()),
                ("code", e.code.as_str()),
            ];
            attrs.extend(error_lang(frame, e));
            x.text("error", &attrs, &e.message);
        }
        x.close("errors");
    }
    if paged {
        stages_view(&mut x, frame, service, step);
        carried_view(&mut x, service, entered, step);
        if step == summary_step {
            summary_view(&mut x, frame, service, entered);
        }
    }
    // A simulation asks nobody's details; a long form, on its own page.
    let asked = service.requester_fields();
    let requester_fields: &[Field] = if service.simulation.is_some()
        || !entered.ask_requester
        || (paged && step != requester_step)
    {
        &[]
    } else {
        &asked
    };
    if !requester_fields.is_empty() {
        x.open("group", &[("name", REQUESTER)]);
        x.text("legend", &[], &frame.message("form.requester"));
    }
    for field in requester_fields {
        field_view(
            &mut x,
            frame,
            field,
            &format!("{REQUESTER}/{}", field.name),
            entered,
            errors,
            (requester_fields, Some(REQUESTER)),
        );
    }
    if !requester_fields.is_empty() {
        x.close("group");
    }
    let mut details = vec![("name", "details")];
    // The town's wording is French unless every field says itself in the
    // page's language.
    if !service.fields.iter().all(|f| f.worded_in(frame.lang)) {
        details.extend(frame.french_text());
    }
    if paged && step >= requester_step {
        x.close("form");
        x.close("page");
        return x.finish();
    }
    x.open("group", &details);
    let legend = match service.pages.get(step) {
        Some(page) if paged => page.title_in(frame.lang).to_owned(),
        _ => frame.message("form.details"),
    };
    x.text("legend", &[], &legend);
    for field in service.fields.iter().filter(|f| !paged || f.page == step) {
        field_view(
            &mut x,
            frame,
            field,
            &field.name,
            entered,
            errors,
            (&service.fields, None),
        );
    }
    x.close("group");
    x.close("form");
    x.close("page");
    x.finish()
}

/// The input an error points at: a group's error goes to its first input.
fn error_target(error: &Shown, service: &Service) -> String {
    let path = &error.path;
    if path.is_empty() {
        return "form".into();
    }
    let field = if let Some(rest) = path.strip_prefix("requester/") {
        REQUESTER_FIELDS.iter().find(|f| f.name == rest)
    } else {
        service.field(path)
    };
    match field.map(|f| f.kind) {
        Some(FieldType::Address) => format!("{path}/street"),
        Some(FieldType::MultipleChoice) | Some(FieldType::Choice) => {
            let f = field.expect("matched");
            if f.kind == FieldType::MultipleChoice || f.options.len() <= 4 {
                format!("{path}/{}", f.options[0].value)
            } else {
                path.clone()
            }
        }
        _ if path == "requester" => "requester/firstName".into(),
        _ => path.clone(),
    }
}

/// An error as shown on the page.
pub(super) struct Shown {
    pub path: String,
    pub code: String,
    pub message: String,
    /// The message stayed in French on a page in another language.
    pub french: bool,
}

fn error_lang(frame: &Frame, e: &Shown) -> Vec<(&'static str, &'static str)> {
    if e.french {
        frame.french_text()
    } else {
        Vec::new()
    }
}

/// An error in the page's language: the catalogue's `error.CODE` wording (a
/// tenant may reword any of them, in French too) filled with the field's
/// label and limits; otherwise the core's French message, marked as French
/// when the page is not (rule messages of the town's definitions, say).
fn localize(frame: &Frame, service: &Service, e: &FieldError) -> Shown {
    let mut out = Shown {
        path: e.path.clone(),
        code: e.code.clone(),
        message: e.message.clone(),
        french: frame.lang != "fr",
    };
    let Some(template) = frame.message_opt(&format!("error.{}", e.code)) else {
        return out;
    };
    out.french = false;
    let (field, rest) = match e.path.strip_prefix("requester/") {
        Some(rest) => (
            REQUESTER_FIELDS
                .iter()
                .find(|f| rest.starts_with(f.name.as_str())),
            rest,
        ),
        None => (
            service
                .fields
                .iter()
                .find(|f| e.path.split('/').next() == Some(f.name.as_str())),
            e.path.as_str(),
        ),
    };
    // A group's row: GROUP/N/FIELD[/PART] speaks of the row's field.
    let (field, rest, row) = match field {
        Some(g) if g.kind == FieldType::Group => {
            let mut it = rest.splitn(3, '/').skip(1);
            let n = it.next().unwrap_or_default();
            let inner = it.next().unwrap_or_default();
            let name = inner.split('/').next().unwrap_or_default();
            match g.fields.iter().find(|f| f.name == name) {
                Some(f) => (Some(f), inner, Some(format!("{} {n}", g.label))),
                None => (Some(g), rest, None),
            }
        }
        other => (other, rest, None),
    };
    let requester = e.path.starts_with("requester/");
    let field_label = field.map(|f| {
        let label = requester
            .then(|| frame.message_opt(&format!("field.requester.{}", f.name)))
            .flatten()
            .unwrap_or_else(|| f.label.clone());
        match &row {
            Some(row) => format!("{row} — {label}"),
            None => label,
        }
    });
    let part = rest
        .split_once('/')
        .and_then(|(_, p)| ADDRESS_PARTS.iter().find(|(n, ..)| *n == p));
    let label = match (field_label, part) {
        (Some(l), Some((name, part_label, _, _))) => {
            let part_label = requester
                .then(|| frame.message_opt(&format!("field.address.{name}")))
                .flatten()
                .unwrap_or_else(|| part_label.to_string());
            format!(
                "{l}{} {}",
                if frame.lang == "fr" { " :" } else { ":" },
                part_label.to_lowercase()
            )
        }
        (Some(l), None) => l,
        (None, _) if e.path == REQUESTER => frame.message("form.requester"),
        (None, _) => String::new(),
    };
    let facets = field.map(|f| &f.facets);
    let default_max = match field.map(|f| f.kind) {
        Some(FieldType::LongText) => LONG_TEXT_MAX,
        Some(FieldType::Email) => 254,
        _ => TEXT_MAX,
    };
    let max = match (e.code.as_str(), part) {
        (_, Some((_, _, _, max))) => max.to_string(),
        ("too-long", _) => facets
            .and_then(|f| f.max_length)
            .unwrap_or(default_max)
            .to_string(),
        ("too-many-choices", _) => facets
            .and_then(|f| f.max_items)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        _ => facets.and_then(|f| f.max.clone()).unwrap_or_default(),
    };
    let min = match e.code.as_str() {
        "too-short" => facets
            .and_then(|f| f.min_length)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        "too-few-choices" => facets
            .and_then(|f| f.min_items)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        _ => facets.and_then(|f| f.min.clone()).unwrap_or_default(),
    };
    let length = facets
        .and_then(|f| f.length)
        .map(|l| l.to_string())
        .unwrap_or_default();
    let digits = facets
        .and_then(|f| f.fraction_digits)
        .map(|d| d.to_string())
        .unwrap_or_default();
    out.message = frame.fill(
        &template,
        &[
            ("label", &label),
            ("min", &min),
            ("max", &max),
            ("length", &length),
            ("digits", &digits),
        ],
    );
    out
}

/// The privacy notice of the form (GDPR art. 13): the service's own words
/// (in French), each part it leaves out said in general words, and the
/// requester's rights.
fn privacy_view(x: &mut Xml, frame: &Frame, service: &Service) {
    let p = &service.privacy;
    let town = frame
        .look
        .settings
        .name
        .clone()
        .unwrap_or_else(|| frame.tenant.name.clone());
    let words = [
        ("service", service_title(service, frame.lang)),
        ("town", town.as_str()),
        ("department", service.department.name.as_str()),
    ];
    x.open("privacy", &[]);
    for (part, own) in [
        ("purpose", &p.purpose),
        ("retention", &p.retention),
        ("recipients", &p.recipients),
    ] {
        let label = frame.message(&format!("form.privacy.{part}"));
        match own {
            Some(text) => {
                let mut attrs = vec![("label", label.as_str())];
                attrs.extend(frame.french_text());
                x.text(part, &attrs, text);
            }
            None => {
                x.text(
                    part,
                    &[("label", label.as_str())],
                    &frame.format(&format!("form.privacy.{part}-default"), &words),
                );
            }
        }
        if part == "retention" {
            let months = p.anonymise_after_months.to_string();
            let files = p.files_deleted_after_months.unwrap_or_default().to_string();
            let key = if p.files_go_sooner() {
                "form.privacy.erasure-files"
            } else {
                "form.privacy.erasure"
            };
            x.text(
                "erasure",
                &[],
                &frame.format(key, &[("months", months.as_str()), ("files", &files)]),
            );
        }
    }
    let basis = frame.message(&format!("form.privacy.basis.{}", p.legal_basis.name()));
    x.text(
        "basis",
        &[("label", frame.message("form.privacy.basis").as_str())],
        &basis,
    );
    x.text("rights", &[], &frame.format("form.privacy.rights", &words));
    x.close("privacy");
}

fn errors_at<'a>(errors: &'a [Shown], path: &str) -> Vec<&'a Shown> {
    errors.iter().filter(|e| e.path == path).collect()
}

/// The fields beside a field (its condition names one of them), and the
/// path they are under (a group's row), if any.
type Siblings<'a> = (&'a [Field], Option<&'a str>);

fn field_view(
    x: &mut Xml,
    frame: &Frame,
    field: &Field,
    path: &str,
    entered: &Entered,
    errors: &[Shown],
    (siblings, under): Siblings<'_>,
) {
    let id = field_id(path);
    let input_name = path.replace('/', ".");
    let widget = widget(field);
    let when = field.when.as_ref().map(|w| {
        let on = match under {
            Some(u) => format!("{u}/{}", w.field),
            None => w.field.clone(),
        };
        (on.replace('/', "."), w.values.join(" "))
    });
    let rows_min = field.facets.min_items.unwrap_or(0).to_string();
    let rows_max = field.facets.max_items.unwrap_or(1).to_string();
    let (input_type, autocomplete, inputmode) = input_hints(field.kind, path);
    let required = if field.required { "true" } else { "false" };
    let mut attrs: Vec<(&str, &str)> = vec![
        ("name", &input_name),
        ("id", &id),
        ("type", field.kind.name()),
        ("widget", widget),
        ("input-type", input_type),
        ("required", required),
    ];
    if !autocomplete.is_empty() {
        attrs.push(("autocomplete", autocomplete));
    }
    if !inputmode.is_empty() {
        attrs.push(("inputmode", inputmode));
    }
    let max_length = field.facets.max_length.map(|m| m.to_string());
    if let Some(m) = &max_length {
        attrs.push(("maxlength", m));
    }
    let (min, max) = (field.facets.min.clone(), field.facets.max.clone());
    if let Some(m) = &min {
        attrs.push(("min", m));
    }
    if let Some(m) = &max {
        attrs.push(("max", m));
    }
    if let Some((on, values)) = &when {
        attrs.push(("when", on));
        attrs.push(("equals", values));
    }
    if field.kind == FieldType::Group || field.kind == FieldType::File {
        attrs.push(("min-rows", &rows_min));
        attrs.push(("max-rows", &rows_max));
    }
    let accept = accept_list(field);
    if field.kind == FieldType::File {
        attrs.push(("accept", &accept));
    }
    x.open("field", &attrs);
    // The requester block is Guichet's own: worded in the page's language.
    let requester = path.starts_with("requester/");
    let label = requester
        .then(|| frame.message_opt(&format!("field.{}", path.replace('/', "."))))
        .flatten()
        .unwrap_or_else(|| field.label_in(frame.lang).to_owned());
    x.text("label", &[], &label);
    // Types with a shape of their own say it when the definition gives
    // no help, in the page's language.
    let help = field
        .help_in(frame.lang)
        .map(str::to_owned)
        .or_else(|| frame.message_opt(&format!("form.hint.{}", field.kind.name())));
    // A file field says what it takes, whatever the definition's help.
    let help = if field.kind == FieldType::File {
        let limits = file_limits(frame, field);
        Some(match help {
            Some(h) => format!("{h} {limits}"),
            None => limits,
        })
    } else {
        help
    };
    if let Some(help) = &help {
        x.text("help", &[], help);
    }
    if let Some(words) = condition_words(frame, field, siblings) {
        x.text("condition", &[], &words);
    }
    errors_view(x, frame, errors, path);
    match field.kind {
        FieldType::Group => rows_view(x, frame, field, path, entered, errors),
        FieldType::Address => address_parts(x, frame, field, path, entered, errors),
        FieldType::Choice | FieldType::MultipleChoice => options(x, frame, field, path, entered),
        FieldType::Country => countries(x, path, entered),
        FieldType::Boolean => {
            let checked = entered.values(path).first().is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "on" | "oui")
            });
            x.text(
                "option",
                &[
                    ("value", "true"),
                    ("id", &id),
                    ("selected", if checked { "true" } else { "false" }),
                ],
                &frame.message("form.yes"),
            );
        }
        _ => {
            if let Some(v) = entered.values(path).first() {
                x.text("value", &[], v);
            }
        }
    }
    if let Some(s) = entered.slots.as_ref().filter(|s| s.time == path) {
        slots::write(x, frame, s);
    }
    x.close("field");
}

/// A long form's stages: its pages, the requester's, the summary; the
/// current one marked.
fn stages_view(x: &mut Xml, frame: &Frame, service: &Service, step: usize) {
    x.open("stages", &[]);
    let mut titles: Vec<String> = service
        .pages
        .iter()
        .map(|p| p.title_in(frame.lang).to_owned())
        .collect();
    titles.push(frame.message("form.requester"));
    titles.push(frame.message("form.summary"));
    for (i, title) in titles.iter().enumerate() {
        let index = i.to_string();
        let mut attrs = vec![("index", index.as_str())];
        if i == step {
            attrs.push(("current", "true"));
        }
        x.text("stage", &attrs, title);
    }
    x.close("stages");
}

/// What was typed on the other pages of a long form, carried as hidden
/// inputs from page to page: nothing is kept on the server before the
/// request is sent.
fn carried_view(x: &mut Xml, service: &Service, entered: &Entered, step: usize) {
    let requester_step = service.pages.len();
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (name, value) in entered.entries {
        let here = if name == REQUESTER {
            step == requester_step
        } else {
            service.field(name).is_some_and(|f| f.page == step)
        };
        if here && step != requester_step + 1 {
            continue;
        }
        let group = service
            .field(name)
            .is_some_and(|f| f.kind == FieldType::Group);
        let prefix = if group {
            let n = match seen.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    seen.push((name, 1));
                    1
                }
            };
            format!("{name}.{n}")
        } else {
            name.clone()
        };
        carry(x, &prefix, value);
    }
}

fn carry(x: &mut Xml, name: &str, value: &RawValue) {
    match value {
        RawValue::Text(t) => {
            x.empty("carry", &[("name", name), ("value", t)]);
        }
        RawValue::Group(items) => {
            for (n, v) in items {
                carry(x, &format!("{name}.{n}"), v);
            }
        }
        // Files are not carried from page to page: a form with pages asks
        // none (the loader refuses it).
        RawValue::File(_) => {}
    }
}

/// The summary of a long form before it is sent: each page's answers, as
/// the citizen gave them, with a button to change that page.
fn summary_view(x: &mut Xml, frame: &Frame, service: &Service, entered: &Entered) {
    x.open("summary", &[]);
    let mut sections: Vec<(usize, String, Vec<&Field>)> = service
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let title = p.title_in(frame.lang).to_owned();
            (
                i,
                title,
                service.fields.iter().filter(|f| f.page == i).collect(),
            )
        })
        .collect();
    let asked = service.requester_fields();
    sections.push((
        service.pages.len(),
        frame.message("form.requester"),
        asked.iter().collect(),
    ));
    for (i, title, fields) in sections {
        let index = i.to_string();
        x.open(
            "section",
            &[("step", index.as_str()), ("title", title.as_str())],
        );
        let requester = i == service.pages.len();
        for field in fields {
            let path = if requester {
                format!("{REQUESTER}/{}", field.name)
            } else {
                field.name.clone()
            };
            for (label, shown) in answered(frame, field, &path, entered) {
                x.text("item", &[("label", label.as_str())], &shown);
            }
        }
        x.close("section");
    }
    x.close("summary");
}

/// A field's answer as the summary shows it (label, words): nothing for a
/// field left empty or not asked, one line per row of a group.
fn answered(frame: &Frame, field: &Field, path: &str, entered: &Entered) -> Vec<(String, String)> {
    let label = field.label_in(frame.lang).to_owned();
    let words = |f: &Field, values: Vec<&str>| -> Option<String> {
        let values: Vec<&str> = values
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect();
        if values.is_empty() {
            return None;
        }
        let (yes, no) = (frame.message("form.yes"), frame.message("form.no"));
        let mut shown = values
            .iter()
            .map(|v| f.value_words_in(v, frame.lang, (&yes, &no)));
        Some(if f.kind == FieldType::Boolean {
            shown.next().unwrap_or_default()
        } else {
            shown.collect::<Vec<_>>().join(", ")
        })
    };
    match field.kind {
        FieldType::Group => (1..=entered.rows(&field.name))
            .filter_map(|n| {
                let parts: Vec<String> = field
                    .fields
                    .iter()
                    .filter_map(|f| {
                        words(f, entered.values(&format!("{path}/{n}/{}", f.name)))
                            .map(|w| format!("{} : {w}", f.label_in(frame.lang)))
                    })
                    .collect();
                (!parts.is_empty()).then(|| (format!("{label} — {n}"), parts.join(" ; ")))
            })
            .collect(),
        FieldType::Address => {
            let parts: Vec<&str> = ADDRESS_PARTS
                .iter()
                .flat_map(|(part, ..)| entered.values(&format!("{path}/{part}")))
                .filter(|v| !v.trim().is_empty())
                .collect();
            if parts.is_empty() {
                Vec::new()
            } else {
                vec![(label, parts.join(", "))]
            }
        }
        _ => words(field, entered.values(path))
            .map(|w| vec![(label, w)])
            .unwrap_or_default(),
    }
}

/// A conditional field's condition in the page's words: without
/// JavaScript every field shows, and this says when to fill it.
fn condition_words(frame: &Frame, field: &Field, siblings: &[Field]) -> Option<String> {
    let when = field.when.as_ref()?;
    let on = siblings.iter().find(|f| f.name == when.field)?;
    let values: Vec<String> = when
        .values
        .iter()
        .map(|v| {
            let (yes, no) = (frame.message("form.yes"), frame.message("form.no"));
            let shown = on.value_words_in(v, frame.lang, (&yes, &no));
            if frame.lang == "fr" {
                format!("« {shown} »")
            } else {
                format!("“{shown}”")
            }
        })
        .collect();
    let or = format!(" {} ", frame.message("form.or"));
    Some(frame.format(
        "form.condition",
        &[
            ("label", on.label_in(frame.lang)),
            ("values", &values.join(&or)),
        ],
    ))
}

/// A repeating group's rows: those given (at least its minimum, and one),
/// each with its fields under `PATH/N/…` and a button to remove it, and a
/// button to add one while below the maximum. The buttons post the form
/// back (`_remove`, `_add`); the page's script does it in place.
fn rows_view(
    x: &mut Xml,
    frame: &Frame,
    field: &Field,
    path: &str,
    entered: &Entered,
    errors: &[Shown],
) {
    let min = field.facets.min_items.unwrap_or(0);
    let max = field.facets.max_items.unwrap_or(1).max(1);
    let n = entered.rows(&field.name).max(min).max(1).min(max);
    for i in 1..=n {
        let row_path = format!("{path}/{i}");
        let number = i.to_string();
        let remove = format!("{}.{i}", path.replace('/', "."));
        // Every row has its remove button; at the minimum, hidden (the
        // page's script shows them again when rows are added).
        let mut rattrs = vec![("index", number.as_str()), ("remove", remove.as_str())];
        if n <= min {
            rattrs.push(("removable", "false"));
        }
        x.open("row", &rattrs);
        x.text(
            "legend",
            &[],
            &frame.format("form.row", &[("label", &field.label), ("number", &number)]),
        );
        errors_view(x, frame, errors, &row_path);
        for f in &field.fields {
            field_view(
                x,
                frame,
                f,
                &format!("{row_path}/{}", f.name),
                entered,
                errors,
                (&field.fields, Some(&row_path)),
            );
        }
        x.close("row");
    }
    if n < max {
        x.text(
            "add",
            &[("value", &field.name)],
            &frame.format("form.add-row", &[("label", &field.label)]),
        );
    }
}

fn accept_list(field: &Field) -> String {
    crate::core::files::accept_list(&field.file.accept)
}

/// A file field's limits in the page's language.
fn file_limits(frame: &Frame, field: &Field) -> String {
    let kinds: Vec<&str> = field.file.accept.iter().map(|k| k.label()).collect();
    let count = field.facets.max_items.unwrap_or(1);
    let size = crate::core::files::size_words(field.file.max_bytes);
    let key = if count > 1 {
        "form.file.limits-many"
    } else {
        "form.file.limits"
    };
    frame.format(
        key,
        &[
            ("kinds", &kinds.join(", ")),
            ("size", &size),
            ("count", &count.to_string()),
        ],
    )
}

fn widget(field: &Field) -> &'static str {
    match field.kind {
        FieldType::Group => "rows",
        FieldType::Choice if field.options.len() <= 4 => "radio",
        FieldType::Choice | FieldType::Country => "select",
        FieldType::MultipleChoice => "checkboxes",
        FieldType::Boolean => "checkbox",
        FieldType::LongText => "textarea",
        FieldType::Address => "address",
        FieldType::File => "file",
        _ => "input",
    }
}

/// The input's type, `autocomplete` and `inputmode`: what makes a phone
/// show a keypad and a browser fill in the requester's own details.
fn input_hints(kind: FieldType, path: &str) -> (&'static str, &'static str, &'static str) {
    // The browser may fill in the requester's own address and number only.
    let own = |hint| {
        if path.starts_with("requester/") {
            hint
        } else {
            ""
        }
    };
    match (kind, path) {
        (_, "requester/firstName") => ("text", "given-name", ""),
        (_, "requester/lastName") => ("text", "family-name", ""),
        (FieldType::Email, _) => ("email", own("email"), ""),
        (FieldType::Phone, _) => ("tel", own("tel"), ""),
        (FieldType::PostalCode, _) => ("text", "", "numeric"),
        (FieldType::Date, _) => ("date", "", ""),
        (FieldType::Time, _) => ("time", "", ""),
        (FieldType::Integer, _) => ("number", "", "numeric"),
        (FieldType::Decimal | FieldType::Amount, _) => ("text", "", "decimal"),
        (FieldType::Siren | FieldType::Siret, _) => ("text", "", "numeric"),
        (FieldType::Country, _) => ("text", own("country"), ""),
        (FieldType::PartialDate, _) => ("text", "", ""),
        (FieldType::Commune, _) => ("text", "", ""),
        _ => ("text", "", ""),
    }
}

/// The messages of the errors at `path`, each with its language.
fn errors_view(x: &mut Xml, frame: &Frame, errors: &[Shown], path: &str) {
    for e in errors_at(errors, path) {
        let mut attrs = vec![("code", e.code.as_str())];
        attrs.extend(error_lang(frame, e));
        x.text("error", &attrs, &e.message);
    }
}

/// The parts of an address: a postal address needs no coordinates; a
/// location may have them.
fn address_parts(
    x: &mut Xml,
    frame: &Frame,
    field: &Field,
    path: &str,
    entered: &Entered,
    errors: &[Shown],
) {
    let requester = path.starts_with("requester/");
    let postal = path.starts_with("requester/");
    for (part, label, part_required, max) in ADDRESS_PARTS {
        if postal && matches!(part, "latitude" | "longitude") {
            continue;
        }
        let sub = format!("{path}/{part}");
        let max = max.to_string();
        let inputmode = match part {
            "postalCode" => "numeric",
            "latitude" | "longitude" => "decimal",
            _ => "",
        };
        let autocomplete = match (path.starts_with("requester/"), part) {
            (true, "street") => "street-address",
            (true, "postalCode") => "postal-code",
            (true, "town") => "address-level2",
            _ => "",
        };
        let sub_name = sub.replace('/', ".");
        let sub_id = field_id(&sub);
        let mut pattrs = vec![
            ("name", part),
            ("input-name", sub_name.as_str()),
            ("id", sub_id.as_str()),
            (
                "required",
                if part_required && field.required {
                    "true"
                } else {
                    "false"
                },
            ),
            ("maxlength", max.as_str()),
        ];
        if !inputmode.is_empty() {
            pattrs.push(("inputmode", inputmode));
        }
        if !autocomplete.is_empty() {
            pattrs.push(("autocomplete", autocomplete));
        }
        x.open("part", &pattrs);
        let part_label = requester
            .then(|| frame.message_opt(&format!("field.address.{part}")))
            .flatten()
            .unwrap_or_else(|| label.to_owned());
        x.text("label", &[], &part_label);
        errors_view(x, frame, errors, &sub);
        if let Some(v) = entered.values(&sub).first() {
            x.text("value", &[], v);
        }
        x.close("part");
    }
}

/// The countries of a country field, by French name, the one chosen (its
/// code, in any case) marked.
fn countries(x: &mut Xml, path: &str, entered: &Entered) {
    let chosen = entered
        .values(path)
        .first()
        .map(|v| v.trim().to_ascii_uppercase());
    for (code, name) in crate::core::countries::BY_NAME.iter() {
        let option_id = field_id(&format!("{path}/{code}"));
        let mut oattrs = vec![("value", *code), ("id", option_id.as_str())];
        if chosen.as_deref() == Some(*code) {
            oattrs.push(("selected", "true"));
        }
        x.text("option", &oattrs, name);
    }
}

/// The options of a choice, the chosen ones marked.
fn options(x: &mut Xml, frame: &Frame, field: &Field, path: &str, entered: &Entered) {
    let requester = path.starts_with("requester/");
    let chosen = entered.values(path);
    for option in &field.options {
        let option_id = field_id(&format!("{path}/{}", option.value));
        let mut oattrs = vec![("value", option.value.as_str()), ("id", option_id.as_str())];
        if chosen.contains(&option.value.as_str()) {
            oattrs.push(("selected", "true"));
        }
        let option_label = requester
            .then(|| {
                frame.message_opt(&format!(
                    "field.{}.{}",
                    path.replace('/', "."),
                    option.value
                ))
            })
            .flatten()
            .unwrap_or_else(|| option.label_in(frame.lang).to_owned());
        x.text("option", &oattrs, &option_label);
    }
}

/// The page where the citizen corrects the fields an agent asked them to
/// (found by the tracking code or through their account): only those
/// fields, filled with what is stored, the agent's reason above; sent, the
/// same validation as a submission, then back to `back` (`?corrected=1`).
pub(crate) async fn correction(
    cx: &Ctx<'_>,
    reference: crate::core::tracking::Reference,
    action: &str,
    back: &str,
) -> Response<Body> {
    use crate::usecases::correct::{self, CorrectError};
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let (item, service, stored) = match correct::asked(app, site, reference).await {
        Ok(found) => found,
        Err(CorrectError::NotAsked) => return not_found(site, frame, req),
        Err(CorrectError::Invalid(_)) => return not_found(site, frame, req),
        Err(CorrectError::Unavailable(why)) => {
            tracing::error!(error = %why, "correction page unavailable");
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Cette page ne peut pas être affichée pour le moment.",
            );
        }
    };
    let purpose = format!("{}/correct/{reference}", site.tenant.slug);
    let now = now_secs(app);
    let token = app.secret.issue(&purpose, now);
    // Only the fields asked, each asked whatever the others say.
    let mut open = (*service).clone();
    open.fields
        .retain(|f| item.record.correction.contains(&f.name));
    for f in &mut open.fields {
        f.when = None;
        f.page = 0;
    }
    open.pages.clear();
    let reason = item
        .events
        .iter()
        .rev()
        .find(|e| e.action == "correction-asked")
        .and_then(|e| e.comment.clone())
        .unwrap_or_default();
    let notice = frame.format("form.correction", &[("reason", &reason)]);
    let render = |entries: &[(String, RawValue)], errors: &[FieldError], status: StatusCode| {
        let entered = Entered {
            entries,
            slots: None,
            ask_requester: false,
        };
        let v = form_view_at(
            frame,
            &open,
            action,
            &entered,
            errors,
            &token,
            Some(&notice),
            &[],
            0,
        );
        page(site, frame, req, status, "form.xsl", v, true)
    };
    if req.method != hyper::Method::POST {
        return render(&stored, &[], StatusCode::OK);
    }
    let (entries, sent_token) = entries_from_form(&cx.fields);
    if !sent_token.is_some_and(|t| app.secret.verify(&purpose, &t, now)) {
        return render(&entries, &[], StatusCode::FORBIDDEN);
    }
    match correct::correct(app, site, reference, &entries, "web").await {
        Ok(()) => redirect(&format!("{back}?corrected=1")),
        Err(CorrectError::Invalid(errors)) => {
            render(&entries, &errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(CorrectError::NotAsked) => not_found(site, frame, req),
        Err(CorrectError::Unavailable(why)) => {
            tracing::error!(error = %why, "correction not stored");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Votre correction n'a pas pu être enregistrée. Réessayez dans quelques instants.",
            )
        }
    }
}
