//! The qualification queue (`/T/backoffice/inbound`): the messages received
//! by e-mail or SMS that answer no request, those routed to the agent's
//! departments and those routed to none, oldest first; one message's page
//! (`/T/backoffice/inbound/ID`) with its text and files, where an agent
//! makes it a request of a service (the service's form at the e-mail or SMS
//! intake desk, the requester's block and description filled from it),
//! writes it on a request as its requester's reply, forwards it to another
//! department or files it as not a request.

use super::view::{agent_bar, date_time};
use super::{bar, bo_page, forbidden, unavailable};
use crate::core::tenant::Audience;
use crate::core::tracking::Reference;
use crate::store::{InboundDecision, InboundItem};
use crate::web::route::Ctx;
use crate::web::view::{Xml, service_title};
use crate::web::{Body, not_found, redirect};
use hyper::{Response, StatusCode};

/// Messages the queue lists at most.
const MOST_LISTED: u32 = 200;

pub(super) async fn queue(cx: &Ctx<'_>) -> Response<Body> {
    let session = cx.session();
    let agent = &session.record.agent;
    if !agent.handles_requests() {
        return forbidden(cx);
    }
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let (items, total) = match app
        .store
        .inbound_queue(site.tenant.id, agent.request_departments(), MOST_LISTED)
        .await
    {
        Ok(found) => found,
        Err(e) => return unavailable(&e),
    };
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-inbound", &frame.message("bo.inbound.title"));
    agent_bar(frame, &mut x, &bar(session));
    x.open("inbound", &[("total", &total.to_string())]);
    if let Some(done) = cx
        .query("done")
        .filter(|d| ["request", "replied", "forwarded", "filed", "gone"].contains(&d.as_str()))
    {
        x.text(
            "done",
            &[("outcome", &done)],
            &frame.message(&format!("bo.inbound.done.{done}")),
        );
    }
    for item in &items {
        message_view(cx, &mut x, item, false);
    }
    x.close("inbound");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-inbound.xsl", x.finish())
}

/// The message `id` if the agent may see it: routed to one of their
/// departments, or to none.
async fn visible(cx: &Ctx<'_>) -> Result<InboundItem, Response<Body>> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let agent = &cx.session().record.agent;
    if !agent.handles_requests() {
        return Err(forbidden(cx));
    }
    let Ok(id) = cx.param("id").parse::<i64>() else {
        return Err(not_found(site, frame, cx.req));
    };
    let item = match app.store.inbound_item(site.tenant.id, id).await {
        Ok(Some(item)) => item,
        Ok(None) => return Err(not_found(site, frame, cx.req)),
        Err(e) => return Err(unavailable(&e)),
    };
    let mine = match (&item.department, agent.request_departments()) {
        (_, None) | (None, _) => true,
        (Some(d), Some(theirs)) => theirs.contains(d),
    };
    if !mine {
        return Err(forbidden(cx));
    }
    Ok(item)
}

pub(super) async fn item(cx: &Ctx<'_>) -> Response<Body> {
    let item = match visible(cx).await {
        Ok(item) => item,
        Err(r) => return r,
    };
    let (site, frame, session) = (cx.site, cx.frame, cx.session());
    let mut x = Xml::new();
    let title = if item.subject.is_empty() {
        frame.message("bo.inbound.item")
    } else {
        item.subject.clone()
    };
    frame.begin(&mut x, "bo-inbound-item", &title);
    agent_bar(frame, &mut x, &bar(session));
    let queue = format!("{}/backoffice/inbound", frame.base);
    x.open("inbound-item", &[("queue", &queue)]);
    if let Some(error) = cx
        .query("error")
        .filter(|e| ["reference", "refused"].contains(&e.as_str()))
    {
        x.text(
            "error",
            &[("code", &error)],
            &frame.message(&format!("bo.inbound.error.{error}")),
        );
    }
    message_view(cx, &mut x, &item, true);
    if item.state == "new" {
        let action = format!("{}/backoffice/inbound/{}", frame.base, item.id);
        let intake = format!("{}/backoffice/intake", frame.base);
        x.open("actions", &[("action", &action), ("intake", &intake)]);
        let mut services: Vec<(String, String)> = site
            .tenant
            .offered(Audience::Public)
            .map(|s| (s.code.clone(), service_title(s, frame.lang).to_owned()))
            .collect();
        services.sort_by(|a, b| a.1.cmp(&b.1));
        for (code, title) in services {
            let mut attrs = vec![("code", code.as_str())];
            if item.service_code.as_deref() == Some(code.as_str()) {
                attrs.push(("suggested", "true"));
            }
            x.text("service", &attrs, &title);
        }
        for d in &site.departments {
            if item.department.as_deref() == Some(d.code.as_str()) {
                continue;
            }
            x.text("department", &[("code", &d.code)], &d.name);
        }
        x.close("actions");
    }
    x.close("inbound-item");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-inbound-item.xsl", x.finish())
}

/// A message's `<message>`: who sent it, how and when, where it is routed,
/// its text (on its own page) and files.
fn message_view(cx: &Ctx<'_>, x: &mut Xml, item: &InboundItem, whole: bool) {
    let frame = cx.frame;
    let href = format!("{}/backoffice/inbound/{}", frame.base, item.id);
    let (when, iso) = date_time(frame, item.received_at);
    x.open(
        "message",
        &[
            ("id", &item.id.to_string()),
            ("href", &href),
            ("channel", &item.channel),
            ("state", &item.state),
        ],
    );
    let sender = if item.sender_name.is_empty() {
        item.sender.clone()
    } else {
        format!("{} <{}>", item.sender_name, item.sender)
    };
    x.text("sender", &[], &sender);
    x.text(
        "channel",
        &[("code", &item.channel)],
        &frame.message(&format!("bo.channel.{}", item.channel)),
    );
    x.text("received", &[("date", &iso)], &when);
    x.text("subject", &[], &item.subject);
    let department = item
        .department
        .as_deref()
        .and_then(|d| cx.site.departments.iter().find(|k| k.code == d));
    match department {
        Some(d) => x.text("department", &[("code", &d.code)], &d.name),
        None => x.text("department", &[], &frame.message("bo.inbound.unrouted")),
    };
    if let Some(service) = item
        .service_code
        .as_deref()
        .and_then(|c| cx.site.tenant.service(c))
    {
        x.text(
            "service",
            &[("code", &service.code)],
            service_title(service, frame.lang),
        );
    }
    if whole {
        x.text("text", &[], &item.body);
        for f in &item.files {
            let href = format!(
                "{}/backoffice/inbound/{}/files/{}",
                frame.base, item.id, f.id
            );
            x.text(
                "file",
                &[
                    ("href", &href),
                    ("type", &f.media_type),
                    ("size", &f.size.to_string()),
                ],
                &f.name,
            );
        }
        if let Some(r) = item.request {
            let href = format!("{}/backoffice/requests/{r}", frame.base);
            x.text("request", &[("href", &href)], &r.to_string());
        }
    } else {
        let excerpt: String = item.body.chars().take(160).collect();
        x.text("excerpt", &[], excerpt.trim());
        if !item.files.is_empty() {
            x.text("files", &[("count", &item.files.len().to_string())], "");
        }
    }
    x.close("message");
}

pub(super) async fn file(cx: &Ctx<'_>) -> Response<Body> {
    let item = match visible(cx).await {
        Ok(item) => item,
        Err(r) => return r,
    };
    let Some(file) = cx
        .param("file")
        .parse::<i64>()
        .ok()
        .and_then(|id| item.files.iter().find(|f| f.id == id))
    else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    let blobs = std::sync::Arc::clone(&cx.app.blobs);
    let sha256 = file.sha256.clone();
    match tokio::task::spawn_blocking(move || blobs.get(&sha256)).await {
        Ok(Ok(Some(bytes))) => crate::web::download(bytes, &file.media_type, &file.name),
        Ok(Ok(None)) => not_found(cx.site, cx.frame, cx.req),
        _ => crate::web::plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Ce fichier ne peut pas être lu pour le moment.",
        ),
    }
}

/// An agent's answer to a message: `do=reply` with `reference`,
/// `do=forward` with `department`, `do=file`.
pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let item = match visible(cx).await {
        Ok(item) => item,
        Err(r) => return r,
    };
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let agent = &cx.session().record.agent;
    let actor = format!("agent:{}", agent.login);
    let queue = format!("{}/backoffice/inbound", frame.base);
    let page = format!("{queue}/{}", item.id);
    let decision = match cx.fields.get("do") {
        Some("file") => InboundDecision::Filed,
        Some("forward") => match cx
            .fields
            .get("department")
            .filter(|d| site.departments.iter().any(|k| k.code == *d))
        {
            Some(d) => InboundDecision::Forward(d.to_owned()),
            None => return redirect(&page),
        },
        Some("reply") => {
            let Some(reference) = cx.fields.get("reference").and_then(Reference::parse) else {
                return redirect(&format!("{page}?error=reference"));
            };
            return match crate::usecases::inbound::write_on(app, site, agent, &item, reference)
                .await
            {
                Ok(true) => redirect(&format!("{queue}?done=replied")),
                Ok(false) => redirect(&format!("{queue}?done=gone")),
                Err(crate::usecases::inbound::WriteError::Unknown) => {
                    redirect(&format!("{page}?error=reference"))
                }
                Err(crate::usecases::inbound::WriteError::Refused) => {
                    redirect(&format!("{page}?error=refused"))
                }
                Err(crate::usecases::inbound::WriteError::Unavailable(e)) => unavailable(&e),
            };
        }
        _ => return redirect(&page),
    };
    let done = match &decision {
        InboundDecision::Filed => "filed",
        _ => "forwarded",
    };
    match app
        .store
        .decide_inbound(site.tenant.id, item.id, decision, actor, app.now())
        .await
    {
        Ok(true) => redirect(&format!("{queue}?done={done}")),
        Ok(false) => redirect(&format!("{queue}?done=gone")),
        Err(e) => unavailable(&e),
    }
}
