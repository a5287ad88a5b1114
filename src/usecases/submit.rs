//! A submission, from any channel, becomes a stored request with its receipt.
//!
//! Validation against the service definition, the tracking code, the due
//! date, the reference and the first history event, the audit entry and the
//! acknowledgement in the outbox: all decided by the core and written by the
//! store in one transaction before the receipt exists. A refused submission
//! stores nothing and draws no reference.

use super::App;
use crate::core::catalogue::Service;
use crate::core::forms::FieldError;
use crate::core::intake::{self, Submission};
use crate::core::tracking::{Reference, TRACKING_BYTES, TrackingCode};
use crate::store::StoreError;
use crate::tenant::Site;
use jiff::Zoned;
use jiff::civil::Date;

/// What the citizen keeps of a stored request.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub reference: Reference,
    /// A test request (its service is in test): agents follow it in the back office.
    pub test: bool,
    /// Shown once, never stored in clear.
    pub tracking_code: TrackingCode,
    pub due_date: Date,
    /// When it was received, in the tenant's time zone.
    pub submitted_at: Zoned,
    /// The department its workflow put it in.
    pub department: String,
    /// The district of the town it is in, when the town has places.
    pub district: Option<String>,
}

#[derive(Debug)]
pub enum SubmitError {
    /// Every bad field at once; nothing was stored.
    Invalid(Vec<FieldError>),
    /// The random source or the store failed; nothing was acknowledged.
    Unavailable(String),
}

/// Validates `submission` against `service` and stores it.
pub async fn submit(
    app: &App,
    site: &Site,
    service: &Service,
    submission: &Submission,
) -> Result<Receipt, SubmitError> {
    let tenant = &site.tenant;
    let now = app.now().to_zoned(tenant.time_zone.clone());
    let mut bytes = [0u8; TRACKING_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "no random source");
        SubmitError::Unavailable(format!("no random source: {e}"))
    })?;
    let code = TrackingCode::from_random(bytes);
    let published = super::appointments::published(site, service);
    let places = site.look.get().places.clone();
    let mut request = intake::receive(
        service,
        submission,
        &now,
        &code,
        published.as_ref(),
        &places,
    )
    .map_err(SubmitError::Invalid)?;
    // A service in its test phase takes test requests only, whoever sends them.
    request.test = tenant.service_in_test(&service.code).is_some();
    let due_date = request.due_date;
    let request_test = request.test;
    let department = request.start.state.department.clone();
    let district = request.place.district.clone();
    // The files first, synced: the request's transaction then records them.
    super::files::keep(app, &request.form)
        .await
        .map_err(SubmitError::Unavailable)?;
    let reference = app
        .store
        .submit(tenant.id, request)
        .await
        .map_err(|e| match e {
            // Someone booked the slot first: the requester's field error.
            // The message was made something else meanwhile.
            StoreError::Conflict if submission.inbound.is_some() => {
                SubmitError::Invalid(vec![intake::inbound_taken()])
            }
            StoreError::SlotTaken(holder) => {
                tracing::info!(tenant = %tenant.slug, service = %service.code, %holder, "slot already booked");
                SubmitError::Invalid(vec![intake::slot_taken(service)])
            }
            e => {
                tracing::error!(tenant = %tenant.slug, error = %e, "could not store a request");
                SubmitError::Unavailable(e.to_string())
            }
        })?;
    crate::metrics::submit_stored(submission.channel.as_str());
    tracing::info!(
        tenant = %tenant.slug,
        service = %service.code,
        %reference,
        channel = submission.channel.as_str(),
        test = request_test,
        "request received"
    );
    Ok(Receipt {
        reference,
        test: request_test,
        tracking_code: code,
        due_date,
        submitted_at: now,
        department,
        district,
    })
}
