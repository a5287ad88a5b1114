//! XML views of the back-office pages (`docs/backoffice-views.md`,
//! `xsd/view.xsd`). Like the citizen views: data only, every text escaped,
//! wording from the message catalogue.

use crate::core::catalogue::Service;
use crate::core::workflow::Agent;
use crate::store::DeliveryRecord;
use crate::web::view::{Frame, Xml};
use jiff::Timestamp;
use jiff::civil::Date;

/// Who is logged in, for the agent's bar.
pub struct Bar<'a> {
    pub agent: &'a Agent,
    pub token: &'a str,
}

pub(crate) fn agent_bar(frame: &Frame, x: &mut Xml, bar: &Bar) {
    let home = format!("{}/backoffice/", frame.base);
    let logout = format!("{}/backoffice/logout", frame.base);
    let admin = format!("{}/backoffice/admin", frame.base);
    let mut attrs = vec![
        ("home", home.as_str()),
        ("logout", logout.as_str()),
        ("token", bar.token),
    ];
    if bar.agent.admin {
        attrs.push(("admin", admin.as_str()));
    }
    let stats = format!("{}/backoffice/stats", frame.base);
    if bar.agent.sees_stats() {
        attrs.push(("stats", stats.as_str()));
    }
    let testers = format!(
        "{}{}/",
        frame.base,
        crate::web::view::Desk::Testers.prefix()
    );
    if !frame.tenant.testing.is_empty() {
        attrs.push(("test", testers.as_str()));
    }
    let intake = format!("{}/backoffice/intake", frame.base);
    let map = format!("{}/backoffice/map", frame.base);
    let people = format!("{}/backoffice/people", frame.base);
    let inbound = format!("{}/backoffice/inbound", frame.base);
    let campaigns = format!("{}/backoffice/campaigns", frame.base);
    if !frame.look.settings.lists.is_empty() && (bar.agent.handles_requests() || bar.agent.admin) {
        attrs.push(("campaigns", campaigns.as_str()));
    }
    if bar.agent.handles_requests() {
        attrs.push(("inbound", inbound.as_str()));
        attrs.push(("intake", intake.as_str()));
        attrs.push(("map", map.as_str()));
        attrs.push(("people", people.as_str()));
    }
    x.open("backoffice", &attrs);
    x.text(
        "agent",
        &[
            ("login", &bar.agent.login),
            ("admin", bool_str(bar.agent.admin)),
        ],
        &bar.agent.name,
    );
    x.close("backoffice");
}

pub(crate) fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// `22/11/2026`
pub(crate) fn short_date(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// `22 novembre 2026 à 11:00` in the tenant's time zone, and its ISO form.
pub(crate) fn date_time(frame: &Frame, at: Timestamp) -> (String, String) {
    let z = at.to_zoned(frame.tenant.time_zone.clone());
    (
        frame.format(
            "bo.date-time",
            &[
                ("date", &frame.date(z.date())),
                ("time", &z.strftime("%H:%M").to_string()),
            ],
        ),
        z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    )
}

pub(crate) use crate::render::stats::department_name;

pub(crate) fn channel_label(frame: &Frame, channel: &str) -> String {
    crate::render::stats::channel_label(&frame.wording(), channel)
}

/// Whether a request is late (due date passed), or nearly (66 % of its delay gone).
pub(crate) fn lateness(submitted: Date, due: Date, today: Date, finished: bool) -> (bool, bool) {
    if finished {
        return (false, false);
    }
    if due < today {
        return (true, false);
    }
    let total = (due - submitted).get_days().max(1) as f64;
    let gone = (today - submitted).get_days() as f64;
    (false, gone / total >= 0.66)
}

/// An error page inside the back office (access refused…).
pub(crate) fn error(frame: &Frame, b: &Bar, status: u16, title: &str, text: &str) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "error", title);
    agent_bar(frame, &mut x, b);
    x.text("error", &[("status", &status.to_string())], text);
    x.close("page");
    x.finish()
}

/// A listed request's `<service>` (its version's title), and that
/// version when the town still has it.
pub(crate) fn row_service<'a>(
    frame: &Frame<'a>,
    x: &mut Xml,
    row: &crate::store::ConsoleRow,
) -> Option<&'a Service> {
    let service = frame
        .tenant
        .service_version(&row.service_code, row.service_version)
        .map(|s| &**s);
    x.text(
        "service",
        &[("code", &row.service_code)],
        service.map_or(row.service_code.as_str(), |s| {
            crate::web::view::service_title(s, frame.lang)
        }),
    );
    service
}

/// A listed request's `<received>` day in the town's zone; the day.
pub(crate) fn row_received(frame: &Frame, x: &mut Xml, row: &crate::store::ConsoleRow) -> Date {
    let received = row
        .submitted_at
        .to_zoned(frame.tenant.time_zone.clone())
        .date();
    x.text(
        "received",
        &[("date", &received.to_string())],
        &short_date(received),
    );
    received
}

pub(crate) fn step_element(x: &mut Xml, service: Option<&Service>, step: &str) {
    let s = service.and_then(|s| s.step(step));
    let label = s.map_or(step, |s| s.label.as_str());
    match s.and_then(|s| s.rules.colour.as_deref()) {
        Some(colour) => x.text("step", &[("colour", colour)], label),
        None => x.text("step", &[], label),
    };
}

/// Messages sent or to send, with their state (request page, admin page).
pub(crate) fn deliveries_view(frame: &Frame, x: &mut Xml, name: &str, list: &[DeliveryRecord]) {
    if list.is_empty() {
        return;
    }
    x.open(name, &[]);
    for d in list {
        let reference = d.reference.map(|r| r.to_string()).unwrap_or_default();
        let href = format!("{}/backoffice/requests/{reference}", frame.base);
        let mut attrs = vec![("channel", d.channel.as_str()), ("state", d.state.as_str())];
        let attempts = d.attempts.to_string();
        attrs.push(("attempts", &attempts));
        if d.reference.is_some() {
            attrs.push(("reference", &reference));
            attrs.push(("href", &href));
        }
        x.open("delivery", &attrs);
        x.text("address", &[], &d.address);
        if let Some(subject) = &d.subject {
            x.text("subject", &[], subject);
        }
        x.text(
            "status",
            &[],
            &frame.message(&format!("bo.delivery.{}", d.state)),
        );
        if let Some(e) = &d.last_error {
            x.text("error", &[], e);
        }
        x.close("delivery");
    }
    x.close(name);
}
