//! The acknowledgement, the tracking lookup and the tracking page, found by
//! tracking code; what the citizen may see of a request comes from
//! `core::status`.

use crate::core::status::{self, CitizenStatus, ShownMessage};
use crate::core::tracking::TrackingCode;
use crate::web::printed::{Printed, load, request_document};
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml};
use crate::web::{Body, not_found, page, redirect};
use hyper::{Response, StatusCode};

pub(super) async fn receipt(cx: &Ctx<'_>) -> Response<Body> {
    match find(cx, cx.param("code")).await {
        Some((status, code)) => {
            let v = receipt_view(cx.frame, &status, &code.to_string());
            page(
                cx.site,
                cx.frame,
                cx.req,
                StatusCode::OK,
                "receipt.xsl",
                v,
                true,
            )
        }
        None => not_found(cx.site, cx.frame, cx.req),
    }
}

pub(super) async fn lookup(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let typed = cx.query("code").unwrap_or_default();
    if typed.trim().is_empty() {
        let v = lookup_view(frame, "", None);
        return page(site, frame, req, StatusCode::OK, "track.xsl", v, false);
    }
    match TrackingCode::parse(&typed) {
        None => {
            let v = lookup_view(frame, &typed, Some(&frame.message("track.malformed")));
            page(
                site,
                frame,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                "track.xsl",
                v,
                true,
            )
        }
        Some(code) => match find(cx, &code.to_string()).await {
            Some(_) => redirect(&frame.desk_url(&format!("/track/{code}"))),
            None => unknown_code(cx, &typed),
        },
    }
}

pub(super) async fn tracking(cx: &Ctx<'_>) -> Response<Body> {
    let code = cx.param("code");
    match find(cx, code).await {
        Some((status, code)) => {
            // The public desk's page takes the citizen's replies.
            let form = (cx.frame.desk == crate::web::view::Desk::Public).then(|| ReplyForm {
                action: cx.frame.desk_url(&format!("/track/{code}/reply")),
                token: cx.app.secret.issue(
                    &reply_purpose(cx, &code),
                    crate::web::session::now_secs(cx.app),
                ),
                typed: "",
                error: None,
                sent: cx.query("sent").is_some() || cx.query("corrected").is_some(),
            });
            let v = tracking_view(cx.frame, &status, &code.to_string(), form.as_ref());
            page(
                cx.site,
                cx.frame,
                cx.req,
                StatusCode::OK,
                "track.xsl",
                v,
                true,
            )
        }
        None => unknown_code(cx, code),
    }
}

/// A file the requester sent, downloaded by the request's tracking code.
pub(super) async fn file(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site) = (cx.app, cx.site);
    let found = match TrackingCode::parse(cx.param("code")) {
        Some(code) => app
            .store
            .request_by_tracking(site.tenant.id, code.digest())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let (Some(record), Ok(id)) = (found, cx.param("file").parse::<i64>()) else {
        return crate::web::not_found(site, cx.frame, cx.req);
    };
    let theirs = cx.frame.desk.audience().sees(&record)
        && record
            .attachments
            .iter()
            .any(|a| a.id == id && a.requester_may_read());
    if !theirs {
        return crate::web::not_found(site, cx.frame, cx.req);
    }
    match crate::usecases::files::read(app, &record, id).await {
        Ok(Some((file, bytes))) => crate::web::file_download(&file, bytes),
        Ok(None) => crate::web::not_found(site, cx.frame, cx.req),
        Err(e) => crate::web::plain(StatusCode::SERVICE_UNAVAILABLE, &e),
    }
}

/// The request as a PDF, found by its tracking code.
pub(super) async fn request_pdf(cx: &Ctx<'_>) -> Response<Body> {
    printed(cx, Printed::Request).await
}

/// Its receipt as a PDF, with the tracking code.
pub(super) async fn receipt_pdf(cx: &Ctx<'_>) -> Response<Body> {
    printed(cx, Printed::Receipt).await
}

async fn printed(cx: &Ctx<'_>, which: Printed) -> Response<Body> {
    match find(cx, cx.param("code")).await {
        Some((status, code)) => match load(cx, status.reference).await {
            Ok(item) => request_document(cx, &item, which, Some(&code.to_string())).await,
            Err(r) => r,
        },
        None => not_found(cx.site, cx.frame, cx.req),
    }
}

/// A request and its status by tracking code, if the code is well-formed and
/// known at this desk (test requests are known to testers only).
async fn find(cx: &Ctx<'_>, typed: &str) -> Option<(CitizenStatus, TrackingCode)> {
    let (app, site) = (cx.app, cx.site);
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
    if !cx.frame.desk.audience().sees(&record) {
        return None;
    }
    let service = site
        .tenant
        .service_version(&record.service_code, record.service_version)?;
    Some((
        status::citizen_view(service, &record, &site.tenant.time_zone, cx.frame.lang),
        code,
    ))
}

/// The lookup page again, saying no request has this code.
fn unknown_code(cx: &Ctx<'_>, typed: &str) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let v = lookup_view(frame, typed, Some(&frame.message("track.unknown")));
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

// Their views.

/// The acknowledgement of a request just submitted (or looked up again).
pub(super) fn receipt_view(frame: &Frame, status: &CitizenStatus, code: &str) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "receipt", &frame.message("receipt.title"));
    let tz = &frame.tenant.time_zone;
    let submitted = status.submitted_at.to_zoned(tz.clone());
    x.open(
        "receipt",
        &[
            ("reference", &status.reference.to_string()),
            ("tracking-code", code),
            ("tracking-url", &frame.desk_url(&format!("/track/{code}"))),
            ("due-date", &status.due_date.to_string()),
            (
                "submitted",
                &submitted.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            ),
        ],
    );
    x.text("service", &[], &status.service_title);
    x.text("due-date", &[], &frame.date(status.due_date));
    x.text(
        "submitted",
        &[],
        &format!(
            "{} {}",
            frame.date(submitted.date()),
            submitted.strftime("%H:%M")
        ),
    );
    let path = format!("{}/track/{code}", frame.desk.prefix());
    crate::web::printed::links(&mut x, frame, &path, true);
    x.close("receipt");
    x.close("page");
    x.finish()
}

/// The step-by-step progress of a request.
pub(super) fn tracking_view(
    frame: &Frame,
    status: &CitizenStatus,
    code: &str,
    reply: Option<&ReplyForm>,
) -> String {
    let mut x = Xml::new();
    let reference = status.reference.to_string();
    frame.begin(
        &mut x,
        "tracking",
        &frame.format("track.status-title", &[("reference", &reference)]),
    );
    x.open(
        "tracking",
        &[
            ("reference", &reference),
            ("tracking-code", code),
            ("state", status.state.as_str()),
            ("due-date", &status.due_date.to_string()),
        ],
    );
    x.text("service", &[], &status.service_title);
    x.text("state", &[], status.state.label_in(frame.lang));
    x.text("due-date", &[], &frame.date(status.due_date));
    x.open("steps", &[]);
    for step in &status.steps {
        let mut attrs = vec![
            ("done", if step.done { "true" } else { "false" }),
            ("current", if step.current { "true" } else { "false" }),
        ];
        let date = step.date.map(|d| d.to_string());
        if let Some(d) = &date {
            attrs.push(("date", d));
        }
        x.open("step", &attrs);
        x.text("label", &[], &step.label);
        let when = match step.date {
            Some(d) => frame.format("track.done", &[("date", &frame.date(d))]),
            None => frame.message("track.not-yet"),
        };
        x.text("when", &[], &when);
        x.close("step");
    }
    x.close("steps");
    for (name, files) in [("files", &status.files), ("town-files", &status.town_files)] {
        if files.is_empty() {
            continue;
        }
        x.open(name, &[]);
        for f in files {
            let href = frame.desk_url(&format!("/track/{code}/files/{}", f.id));
            let size = crate::core::files::size_words(f.size);
            x.text(
                "file",
                &[
                    ("href", &href),
                    ("size", &size),
                    ("media-type", &f.media_type),
                ],
                &f.name,
            );
        }
        x.close(name);
    }
    let path = format!("{}/track/{code}", frame.desk.prefix());
    crate::web::printed::links(&mut x, frame, &path, true);
    if status.correction_asked {
        correction_link(
            &mut x,
            frame,
            &frame.desk_url(&format!("/track/{code}/correct")),
        );
    }
    conversation(&mut x, frame, &status.messages);
    if let Some(form) = reply {
        reply_form(&mut x, frame, form);
    }
    x.close("tracking");
    x.close("page");
    x.finish()
}

/// The town asked for a correction: where to make it.
pub(crate) fn correction_link(x: &mut Xml, frame: &Frame, href: &str) {
    x.open("correct", &[("href", href)]);
    x.text("notice", &[], &frame.message("track.correct.notice"));
    x.text("link", &[], &frame.message("track.correct.link"));
    x.close("correct");
}

/// The messages between the town and the citizen, oldest first.
pub(crate) fn conversation(x: &mut Xml, frame: &Frame, messages: &[ShownMessage]) {
    if messages.is_empty() {
        return;
    }
    x.open("replies", &[]);
    for m in messages {
        let from = if m.from_citizen { "citizen" } else { "town" };
        x.open("message", &[("date", &m.date.to_string()), ("from", from)]);
        x.text("when", &[], &frame.date(m.date));
        x.text("who", &[], &frame.message(&format!("track.from.{from}")));
        x.text("text", &[], &m.text);
        x.close("message");
    }
    x.close("replies");
}

/// The form a citizen replies with, as typed when refused.
pub(crate) struct ReplyForm<'a> {
    pub action: String,
    pub token: String,
    pub typed: &'a str,
    pub error: Option<String>,
    pub sent: bool,
}

pub(crate) fn reply_form(x: &mut Xml, frame: &Frame, form: &ReplyForm) {
    let max = crate::core::workflow::REPLY_MAX.to_string();
    x.open(
        "reply",
        &[
            ("action", &form.action),
            ("token", &form.token),
            ("maxlength", &max),
        ],
    );
    x.text("label", &[], &frame.message("track.reply.label"));
    x.text("help", &[], &frame.message("track.reply.help"));
    if let Some(e) = &form.error {
        x.text("error", &[], e);
    }
    if form.sent {
        x.text("sent", &[], &frame.message("track.reply.sent"));
    }
    x.text("value", &[], form.typed);
    x.close("reply");
}

/// The message of a refused reply.
pub(crate) fn reply_refusal(frame: &Frame, refusal: crate::core::workflow::ReplyRefusal) -> String {
    use crate::core::workflow::ReplyRefusal;
    match refusal {
        ReplyRefusal::Empty => frame.message("track.reply.empty"),
        ReplyRefusal::TooLong => frame.format(
            "track.reply.too-long",
            &[("max", &crate::core::workflow::REPLY_MAX.to_string())],
        ),
    }
}

fn reply_purpose(cx: &Ctx<'_>, code: &TrackingCode) -> String {
    format!(
        "{}/track-reply/{}",
        cx.site.tenant.slug,
        &code.digest()[..16]
    )
}

/// The citizen replies from the tracking page (its code proves the
/// request is theirs); back to the page, the reply in its messages.
pub(super) async fn post_reply(cx: &Ctx<'_>) -> Response<Body> {
    use crate::usecases::reply::{self, ReplyError};
    let typed = cx.param("code");
    let Some((status, code)) = find(cx, typed).await else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    let now = crate::web::session::now_secs(cx.app);
    let text = cx.fields.get("text").unwrap_or("").to_owned();
    let again = |status_code, error: String| {
        let form = ReplyForm {
            action: cx.frame.desk_url(&format!("/track/{code}/reply")),
            token: cx.app.secret.issue(&reply_purpose(cx, &code), now),
            typed: &text,
            error: Some(error),
            sent: false,
        };
        let v = tracking_view(cx.frame, &status, &code.to_string(), Some(&form));
        page(cx.site, cx.frame, cx.req, status_code, "track.xsl", v, true)
    };
    if !cx.app.secret.verify(
        &reply_purpose(cx, &code),
        cx.fields.get("_token").unwrap_or(""),
        now,
    ) {
        return again(StatusCode::FORBIDDEN, cx.frame.message("form.expired"));
    }
    match reply::reply(cx.app, cx.site, status.reference, &text, "web").await {
        Ok(()) => redirect(&cx.frame.desk_url(&format!("/track/{code}?sent=1"))),
        Err(ReplyError::Refused(r)) => {
            again(StatusCode::UNPROCESSABLE_ENTITY, reply_refusal(cx.frame, r))
        }
        Err(ReplyError::Unknown) => not_found(cx.site, cx.frame, cx.req),
        Err(ReplyError::Unavailable(why)) => {
            tracing::error!(error = %why, "reply not stored");
            crate::web::plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Votre message n'a pas pu être enregistré. Réessayez dans quelques instants.",
            )
        }
    }
}

/// The "type your code" page, with an error when a code was refused.
pub(super) fn lookup_view(frame: &Frame, value: &str, error: Option<&str>) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "lookup", &frame.message("track.title"));
    let action = format!("{}{}/track", frame.base, frame.desk.prefix());
    let mut attrs = vec![("action", action.as_str()), ("value", value)];
    if frame.lang != frame.look.settings.language {
        attrs.push(("lang", frame.lang));
    }
    x.open("lookup", &attrs);
    if let Some(e) = error {
        x.text("error", &[], e);
    }
    x.close("lookup");
    x.close("page");
    x.finish()
}

/// The correction page, found by the tracking code.
pub(super) async fn correct(cx: &Ctx<'_>) -> Response<Body> {
    let Some((status, code)) = find(cx, cx.param("code")).await else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    let action = cx.frame.desk_url(&format!("/track/{code}/correct"));
    let back = cx.frame.desk_url(&format!("/track/{code}"));
    super::form::correction(cx, status.reference, &action, &back).await
}
