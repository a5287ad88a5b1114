//! A request's page and the agents' commands on it (act, transfer, ask for
//! validation, decide, note, answer, hold, resume, reopen).

use crate::core::tracking::Reference;
use crate::core::workflow::Command;
use crate::store::{StandardAnswer, WorkItem};
use crate::usecases::act::{self, ActError};
use crate::web::backoffice::view::{self};
use crate::web::backoffice::{bar, bo_page, forbidden, today, unavailable};
use crate::web::route::Ctx;
use crate::web::{Body, Fields, not_found, plain, redirect};
use hyper::{Response, StatusCode};

/// A request the agent may read, or the response that says why not.
async fn readable_item(
    cx: &Ctx<'_>,
    reference: &str,
) -> Result<(WorkItem, std::sync::Arc<crate::core::catalogue::Service>), Response<Body>> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let Some(reference) = Reference::parse(reference) else {
        return Err(not_found(site, frame, req));
    };
    act::readable(app, site, &session.record.agent, reference)
        .await
        .map_err(|e| refused(cx, e))
}

/// The page that says why an agent's request went nowhere; a conflict or a
/// refusal is shown by the caller with the request.
fn refused(cx: &Ctx<'_>, e: ActError) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let _session = cx.session();
    match e {
        ActError::NotFound => not_found(site, frame, req),
        ActError::Forbidden => forbidden(cx),
        ActError::Unavailable(e) => unavailable(&e),
        ActError::Conflict(_) | ActError::Refused(..) => {
            plain(StatusCode::CONFLICT, &frame.message("bo.notice.conflict"))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_request(
    cx: &Ctx<'_>,
    item: &WorkItem,
    service: &crate::core::catalogue::Service,
    status: StatusCode,
    notice: Option<(&str, &str)>,
) -> Response<Body> {
    let (app, site, frame, _req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
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
    bo_page(cx, status, "bo-request.xsl", v)
}

async fn request_page(cx: &Ctx<'_>, reference: &str) -> Response<Body> {
    let (_app, _site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let _session = cx.session();
    let (item, service) = match readable_item(cx, reference).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let saved = (!req.query_values("saved").is_empty()).then(|| frame.message("bo.notice.done"));
    show_request(
        cx,
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

async fn act(cx: &Ctx<'_>, reference: &str, fields: &Fields) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let Some(reference) = Reference::parse(reference) else {
        return not_found(site, frame, req);
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
            Err(e) => return refused(cx, e),
        };
    let Some(service) = site
        .tenant
        .service_version(&item.record.service_code, item.record.service_version)
    else {
        return not_found(site, frame, req);
    };
    show_request(cx, &item, service, status, Some((kind, &text))).await
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    request_page(cx, cx.param("reference")).await
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    act(cx, cx.param("reference"), &cx.fields).await
}
