//! An appointment service's free slots: the hours its agenda publishes (the
//! town's settings, or the service's own) less the slots requests hold.
//! What the form offers, the slots page answers and the documentation's
//! example takes; the submit use case checks the same hours.

use super::App;
use crate::core::agenda::Hours;
use crate::core::catalogue::Service;
use crate::core::intake;
use crate::store::StoreError;
use crate::tenant::Site;
use jiff::civil::{Date, Time};

/// The hours the town publishes for the service's agenda, if it does (the
/// service's own apply otherwise).
pub fn published(site: &Site, service: &Service) -> Option<Hours> {
    let appointment = service.booking.as_ref()?.appointment()?;
    site.look.get().agendas.get(&appointment.agenda).cloned()
}

/// The hours in force for an appointment service; `None` for any other.
pub fn hours(site: &Site, service: &Service) -> Option<Hours> {
    let appointment = service.booking.as_ref()?.appointment()?;
    Some(published(site, service).unwrap_or_else(|| appointment.hours.clone()))
}

/// The slots still free on `day` (with `resource`, the value of the
/// service's resource field), in time order; none for a service without
/// appointments.
pub async fn free(
    app: &App,
    site: &Site,
    service: &Service,
    day: Date,
    resource: Option<&str>,
) -> Result<Vec<(Time, Time)>, StoreError> {
    let (Some(hours), Some(appointment)) = (
        hours(site, service),
        service.booking.as_ref().and_then(|b| b.appointment()),
    ) else {
        return Ok(Vec::new());
    };
    if !hours.is_open(day) {
        return Ok(Vec::new());
    }
    let Some(agenda) = intake::agenda(service, resource) else {
        return Ok(Vec::new());
    };
    let test = site.tenant.service_in_test(&service.code).is_some();
    let taken = app
        .store
        .held_slots(site.tenant.id, agenda, test, day)
        .await?;
    Ok(hours.free(day, appointment.minutes, &taken))
}

/// The first free slot from `from` on (within a year).
pub async fn first_free(
    app: &App,
    site: &Site,
    service: &Service,
    from: Date,
    resource: Option<&str>,
) -> Result<Option<(Date, Time)>, StoreError> {
    let Some(hours) = hours(site, service) else {
        return Ok(None);
    };
    let mut day = from;
    for _ in 0..366 {
        if hours.is_open(day)
            && let Some((start, _)) = free(app, site, service, day, resource).await?.first()
        {
            return Ok(Some((day, *start)));
        }
        let Ok(next) = day.tomorrow() else {
            break;
        };
        day = next;
    }
    Ok(None)
}

/// The service's example submission (see [`crate::core::example`]), an
/// appointment service's at the first slot free today.
pub async fn example(
    app: &App,
    site: &Site,
    service: &Service,
    today: Date,
) -> Vec<(String, crate::core::forms::RawValue)> {
    use crate::core::example;
    use crate::core::forms::RawValue;
    let entries = example::example(service, today, None);
    let (Some(booking), Some(from)) = (
        service.booking.as_ref(),
        example::appointment_search_from(service, today),
    ) else {
        return entries;
    };
    let resource = booking.resource.as_ref().and_then(|r| {
        entries.iter().find_map(|(n, v)| match v {
            RawValue::Text(t) if n == r => Some(t.clone()),
            _ => None,
        })
    });
    match first_free(app, site, service, from, resource.as_deref()).await {
        Ok(Some(slot)) => example::example(service, today, Some(slot)),
        Ok(None) => entries,
        Err(e) => {
            tracing::warn!(tenant = %site.tenant.slug, service = %service.code, error = %e, "free slots unreadable; the example keeps the first slot offered");
            entries
        }
    }
}
