//! The agents' intake (`/T/backoffice/intake`): a request received by
//! phone, at the counter, by letter or by fax is recorded by an agent
//! through the service's own form at the intake desk
//! (`/T/backoffice/intake/CHANNEL/…`, the citizen pages' handlers): the
//! same definition, rules and errors, the channel recorded, the first event
//! the agent's. This page picks the channel and says what was recorded
//! when the agent may not open the request itself; from a file of the
//! town's people (`?person=ID&channel=…&service=…`) it sends to the
//! service's form at that channel's desk with the requester's block filled
//! from the file.

use super::view::agent_bar;
use super::{bar, bo_page, forbidden};
use crate::core::intake::Channel;
use crate::core::tenant::Audience;
use crate::core::tracking::Reference;
use crate::web::route::Ctx;
use crate::web::view::{Desk, INTAKE_CHANNELS, Xml};
use crate::web::{Body, redirect};
use hyper::{Response, StatusCode};

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let session = cx.session();
    if !session.record.agent.handles_requests() {
        return forbidden(cx);
    }
    let frame = cx.frame;
    if let (Some(person), Some(Desk::Intake(channel)), Some(service)) = (
        cx.query("person").and_then(|p| p.parse::<i64>().ok()),
        cx.query("channel").and_then(|c| Desk::intake(&c)),
        cx.query("service")
            .and_then(|s| cx.site.tenant.offer(Audience::Public, &s).cloned()),
    ) {
        return redirect(&format!(
            "{}{}/services/{}?person={person}",
            frame.base,
            Desk::Intake(channel).prefix(),
            service.code
        ));
    }
    if let (Some(id), Some(service)) = (
        cx.query("inbound").and_then(|p| p.parse::<i64>().ok()),
        cx.query("service")
            .and_then(|s| cx.site.tenant.offer(Audience::Public, &s).cloned()),
    ) {
        let channel = match cx.app.store.inbound_item(cx.site.tenant.id, id).await {
            Ok(Some(item)) if item.channel == "sms" => Channel::Sms,
            Ok(Some(_)) => Channel::Email,
            Ok(None) => return crate::web::not_found(cx.site, frame, cx.req),
            Err(e) => return super::unavailable(&e),
        };
        return redirect(&format!(
            "{}{}/services/{}?inbound={id}",
            frame.base,
            Desk::Intake(channel).prefix(),
            service.code
        ));
    }
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-intake", &frame.message("bo.intake.title"));
    agent_bar(frame, &mut x, &bar(session));
    x.open("intake", &[]);
    let recorded = cx.query("recorded").and_then(|r| Reference::parse(&r));
    let channel = cx
        .query("channel")
        .and_then(|c| Desk::intake(&c))
        .and_then(|d| match d {
            Desk::Intake(c) => Some(c),
            _ => None,
        });
    if let (Some(reference), Some(channel)) = (recorded, channel) {
        let how = frame.message(&format!("intake.how.{}", channel.as_str()));
        x.text(
            "recorded",
            &[("reference", &reference.to_string())],
            &frame.format(
                "bo.intake.recorded",
                &[("reference", &reference.to_string()), ("how", &how)],
            ),
        );
    }
    for channel in INTAKE_CHANNELS {
        let href = format!("{}{}/", frame.base, Desk::Intake(channel).prefix());
        x.text(
            "channel",
            &[("code", channel.as_str()), ("href", &href)],
            &frame.message(&format!("bo.intake.channel.{}", channel.as_str())),
        );
    }
    x.close("intake");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-intake.xsl", x.finish())
}
