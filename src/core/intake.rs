//! Intake: every channel's input becomes a [`Submission`]; a valid submission
//! becomes a [`NewRequest`] ready to be stored.

use super::catalogue::{Service, StepKind};
use super::forms::{self, FieldError, Form, RawValue};
use super::tracking::TrackingCode;
use super::workflow::{self, Outcome};
use jiff::Zoned;
use jiff::civil::Date;
use std::fmt;

/// How a request reached the town.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Soap,
    Email,
    Sms,
    Phone,
    Counter,
    Letter,
    Fax,
}

impl Channel {
    pub const ALL: [Channel; 8] = [
        Channel::Web,
        Channel::Soap,
        Channel::Email,
        Channel::Sms,
        Channel::Phone,
        Channel::Counter,
        Channel::Letter,
        Channel::Fax,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Soap => "soap",
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Phone => "phone",
            Channel::Counter => "counter",
            Channel::Letter => "letter",
            Channel::Fax => "fax",
        }
    }

    pub fn from_name(name: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a channel received for one service, not yet validated.
#[derive(Debug, Clone)]
pub struct Submission {
    pub channel: Channel,
    /// The language the citizen used (`fr`, `en`): their messages follow it.
    pub lang: String,
    /// Named raw values in the order received, the requester block under
    /// [`forms::REQUESTER`].
    pub entries: Vec<(String, RawValue)>,
}

/// A validated request, ready to be stored; the store gives it its reference.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub service_code: String,
    pub service_version: u32,
    pub channel: Channel,
    pub form: Form,
    pub submitted_at: Zoned,
    pub due_date: Date,
    /// Digest of the tracking code; the code itself goes back to the citizen
    /// only (in the answer, and in the acknowledgement message, which keeps
    /// it until it is sent).
    pub tracking_digest: String,
    pub tracking_code: String,
    /// The language the citizen used.
    pub lang: String,
    /// Made while the service is in its test phase (the submit use case
    /// decides; the core takes every submission the same way).
    pub test: bool,
    /// Where the workflow puts it: first step, department, history and
    /// effects of entering it (automatic actions included).
    pub start: Outcome,
    /// A booking service's slot: the store refuses it, in the storing
    /// transaction, when another request holds an overlapping one.
    pub slot: Option<Slot>,
}

/// What a booking holds: a resource (or the service's one), a day, a time
/// range; each as the path and lexical value of its stored row, so that the
/// store compares rows without knowing the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub resource: Option<(String, String)>,
    pub date: (String, String),
    /// `HH:MM:SS`: text order is time order.
    pub start: (String, String),
    pub end: (String, String),
    /// The steps at which a request no longer holds its slot (refused or
    /// closed): every other step holds it, accepted ones included.
    pub released_at: Vec<String>,
}

/// The slot a validated booking asks for.
pub fn slot(service: &Service, form: &forms::Form) -> Option<Slot> {
    let booking = service.booking.as_ref()?;
    let rows = form.rows();
    let row = |name: &str| rows.iter().find(|(path, _)| path == name).cloned();
    Some(Slot {
        resource: match &booking.resource {
            Some(r) => Some(row(r)?),
            None => None,
        },
        date: row(&booking.date)?,
        start: row(&booking.start)?,
        end: row(&booking.end)?,
        released_at: service
            .steps
            .iter()
            .filter(|s| matches!(s.kind, StepKind::Refused | StepKind::Closed))
            .map(|s| s.id.clone())
            .collect(),
    })
}

/// The error a booking gets when its slot is taken: on its start time.
pub fn slot_taken(service: &Service) -> forms::FieldError {
    let path = service
        .booking
        .as_ref()
        .map_or_else(String::new, |b| b.start.clone());
    forms::FieldError {
        path,
        code: "slot-taken".into(),
        message: "Ce créneau est déjà réservé : choisissez une autre date ou d'autres horaires."
            .into(),
    }
}

/// Validates a submission; `now` is in the tenant's time zone, `tracking` was
/// drawn by the caller from a random source.
pub fn receive(
    service: &Service,
    submission: &Submission,
    now: &Zoned,
    tracking: &TrackingCode,
) -> Result<NewRequest, Vec<FieldError>> {
    let today = now.date();
    let form = forms::validate(service, &submission.entries, today)?;
    Ok(NewRequest {
        service_code: service.code.clone(),
        service_version: service.version,
        channel: submission.channel,
        submitted_at: now.clone(),
        due_date: super::calendar::add_days(today, service.deadline_days, service.deadline_count),
        tracking_digest: tracking.digest(),
        tracking_code: tracking.to_string(),
        lang: submission.lang.clone(),
        test: false,
        start: workflow::start(service, now.timestamp(), submission.channel.as_str()),
        slot: slot(service, &form),
        form,
    })
}
