//! A test e-mail or SMS sent at once with the town's settings.

use super::admin_page;
use super::agents::AgentForm;
use crate::web::route::Ctx;
use crate::web::{Body, not_found};
use hyper::{Response, StatusCode};

/// An administrator sends a test e-mail or SMS with the tenant's settings
/// as they are, and reads on the admin page whether it went, or the mail
/// server's or provider's answer (502: the fault is theirs, or the settings').
pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let fields = &cx.fields;
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
            let Some(site_arc) = app.site(&site.tenant.slug) else {
                return not_found(site, frame, req);
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
                    frame.format(&format!("bo.test.failed.{channel}"), &[("error", &error.0)]),
                    StatusCode::BAD_GATEWAY,
                ),
            }
        }
    };
    admin_page(cx, &AgentForm::default(), Some((kind, &text)), status).await
}
