//! Mass actions from the console: the same action on many requests, listed
//! for confirmation first.

use crate::core::tracking::Reference;
use crate::usecases::act::{self};
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::route::Ctx;
use crate::web::view::Frame;
use crate::web::view::Xml;
use crate::web::{Body, redirect};
use hyper::{Response, StatusCode};

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, _req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let fields = &cx.fields;
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
                    crate::web::view::service_title(&c.service, frame.lang),
                    c.item.requester_name
                ),
            )
        })
        .collect();
    let v = confirm_view(frame, &bar(session), &action, &label, &listed);
    bo_page(cx, StatusCode::OK, "bo-confirm.xsl", v)
}

// The views of these pages (`xsd/view.xsd`, `docs/backoffice-views.md`).

pub(super) fn confirm_view(
    frame: &Frame,
    b: &Bar,
    action_id: &str,
    label: &str,
    requests: &[(String, String)],
) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-confirm", &frame.message("bo.confirm.title"));
    agent_bar(frame, &mut x, b);
    let action = format!("{}/backoffice/mass", frame.base);
    let cancel = format!("{}/backoffice/", frame.base);
    x.open(
        "confirm",
        &[
            ("action", &action),
            ("token", b.token),
            ("action-id", action_id),
            ("cancel", &cancel),
        ],
    );
    x.text("label", &[], label);
    for (reference, text) in requests {
        x.text("request", &[("reference", reference)], text);
    }
    x.close("confirm");
    x.close("page");
    x.finish()
}
