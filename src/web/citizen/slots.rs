//! An appointment service's free slots on its form: beside the time field,
//! the slots still free on the day entered (or a button to see them, which
//! posts the form back without sending it); the page's script asks
//! `services/CODE/slots?date=…` for them as soon as the date changes.

use crate::core::agenda::{Hours, day_name, short};
use crate::core::catalogue::Service;
use crate::core::forms::{self, RawValue};
use crate::usecases::appointments;
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml};
use crate::web::{Body, html_response, not_found, plain};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use jiff::civil::{Date, Time};

/// What the form shows of an appointment service's agenda.
pub(super) struct SlotsView {
    /// The time field's and the date field's paths.
    pub time: String,
    pub date: String,
    /// The resource field's, when each of its values has an agenda.
    pub resource: Option<String>,
    /// Where the page's script asks for the free slots of a day.
    pub url: String,
    pub open_days: String,
    /// The day entered and its free slots, once the date is known.
    pub day: Option<(Date, bool, Vec<Time>)>,
}

/// The slots view of `service` (none without appointments); `day` as read
/// by [`free_on_entered_day`].
pub(super) fn view(
    frame: &Frame,
    service: &Service,
    hours: Option<&Hours>,
    day: Option<(Date, Vec<Time>)>,
) -> Option<SlotsView> {
    let booking = service.booking.as_ref()?;
    let appointment = booking.appointment()?;
    let hours = hours.unwrap_or(&appointment.hours);
    Some(SlotsView {
        time: booking.start.clone(),
        date: booking.date.clone(),
        resource: booking.resource.clone(),
        url: frame.desk_url(&format!("/services/{}/slots", service.code)),
        open_days: hours.open_days(frame.lang),
        day: day.map(|(d, free)| (d, hours.is_open(d), free)),
    })
}

/// The day the form's date field holds, with its free slots (for the
/// resource chosen), when it is a date; nothing for other services.
pub(super) async fn free_on_entered_day(
    cx: &Ctx<'_>,
    service: &Service,
    entries: &[(String, RawValue)],
) -> Option<(Date, Vec<Time>)> {
    let booking = service.booking.as_ref()?;
    booking.appointment()?;
    let text = |name: &str| {
        entries.iter().find_map(|(n, v)| match v {
            RawValue::Text(t) if n == name && !t.trim().is_empty() => Some(t.trim().to_owned()),
            _ => None,
        })
    };
    let day = forms::parse_date(&text(&booking.date)?)?;
    let resource = booking.resource.as_ref().and_then(|r| text(r));
    free(cx, service, day, resource.as_deref()).await
}

async fn free(
    cx: &Ctx<'_>,
    service: &Service,
    day: Date,
    resource: Option<&str>,
) -> Option<(Date, Vec<Time>)> {
    match appointments::free(cx.app, cx.site, service, day, resource).await {
        Ok(slots) => Some((day, slots.into_iter().map(|(s, _)| s).collect())),
        Err(e) => {
            tracing::error!(tenant = %cx.site.tenant.slug, service = %service.code, error = %e, "free slots unreadable");
            None
        }
    }
}

/// The `<slots>` element of the time field's view.
pub(super) fn write(x: &mut Xml, frame: &Frame, slots: &SlotsView) {
    let date_field = slots.date.replace('/', ".");
    let resource_field = slots.resource.as_ref().map(|r| r.replace('/', "."));
    let mut attrs: Vec<(&str, &str)> = vec![
        ("url", &slots.url),
        ("date-field", &date_field),
        ("button", "_slots"),
    ];
    if let Some(r) = &resource_field {
        attrs.push(("resource-field", r));
    }
    let (date_text, day_text);
    if let Some((day, _, _)) = &slots.day {
        date_text = day.to_string();
        day_text = day_words(frame, *day);
        attrs.push(("date", &date_text));
        attrs.push(("day", &day_text));
    }
    x.open("slots", &attrs);
    x.text("note", &[], &note(frame, slots));
    if let Some((_, _, free)) = &slots.day {
        for t in free {
            x.text("slot", &[], &short(*t));
        }
    }
    x.text("see", &[], &frame.message("form.slots.see"));
    x.close("slots");
}

/// `mardi 8 décembre 2026`.
fn day_words(frame: &Frame, day: Date) -> String {
    format!("{} {}", day_name(day, frame.lang), frame.date(day))
}

fn note(frame: &Frame, slots: &SlotsView) -> String {
    match &slots.day {
        None => frame.format("form.slots.pick", &[("days", &slots.open_days)]),
        Some((day, false, _)) => frame.format(
            "form.slots.closed",
            &[("day", &day_words(frame, *day)), ("days", &slots.open_days)],
        ),
        Some((day, true, free)) if free.is_empty() => {
            frame.format("form.slots.full", &[("day", &day_words(frame, *day))])
        }
        Some((day, true, _)) => {
            frame.format("form.slots.free", &[("day", &day_words(frame, *day))])
        }
    }
}

/// `GET services/CODE/slots?date=YYYY-MM-DD[&resource=VALUE]`: the free
/// slots of a day as a view document (what the form's script shows).
pub(super) async fn slots(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let Some(service) = site
        .tenant
        .offer(frame.desk.audience(), cx.param("code"))
        .cloned()
    else {
        return not_found(site, frame, req);
    };
    let Some(hours) = appointments::hours(site, &service) else {
        return not_found(site, frame, req);
    };
    let Some(day) = cx.query("date").and_then(|d| forms::parse_date(&d)) else {
        return plain(
            StatusCode::BAD_REQUEST,
            "Indiquez le jour : ?date=AAAA-MM-JJ.",
        );
    };
    let resource = cx.query("resource").filter(|r| !r.is_empty());
    let Some(found) = free(cx, &service, day, resource.as_deref()).await else {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Les créneaux ne peuvent pas être lus pour le moment.",
        );
    };
    let view = view(frame, &service, Some(&hours), Some(found)).expect("an appointment service");
    let mut x = Xml::new();
    x.open(
        "free-slots",
        &[
            ("xmlns", crate::web::view::VIEW_NS),
            ("service", &service.code),
        ],
    );
    write(&mut x, frame, &view);
    x.close("free-slots");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        x.finish()
    );
    html_response(
        frame,
        StatusCode::OK,
        Bytes::from(body),
        "application/xml; charset=utf-8",
        true,
    )
}
