//! Intake: every channel's input becomes a [`Submission`]; a valid submission
//! becomes a [`NewRequest`] ready to be stored.

use super::agenda::Hours;
use super::catalogue::{Appointment, Service, StepKind, Until};
use super::forms::{self, FieldError, Form, RawValue, Value};
use super::tracking::TrackingCode;
use super::workflow::{self, Outcome};
use jiff::Zoned;
use jiff::civil::{Date, Time};
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
    /// An Open311 GeoReport v2 client (a reporting app, a dashboard).
    Open311,
}

impl Channel {
    pub const ALL: [Channel; 9] = [
        Channel::Web,
        Channel::Soap,
        Channel::Email,
        Channel::Sms,
        Channel::Phone,
        Channel::Counter,
        Channel::Letter,
        Channel::Fax,
        Channel::Open311,
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
            Channel::Open311 => "open311",
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
    /// The citizen's account, when they submit signed in.
    pub citizen_id: Option<i64>,
    /// The agent who recorded it (a phone call, a counter visit, a letter,
    /// a fax taken down in the back office): the first event is theirs.
    pub recorded_by: Option<String>,
    /// The item of the qualification queue (an e-mail, an SMS) the agent
    /// makes this request of.
    pub inbound: Option<i64>,
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
    /// The citizen's account it belongs to (submitted signed in).
    pub citizen_id: Option<i64>,
    /// Its address's point and district in the town's places.
    pub place: super::places::Placed,
    /// Made of an item of the qualification queue by an agent: the store
    /// takes the item out of the queue in the request's transaction, or
    /// refuses the request when another agent was first.
    pub inbound: Option<FromInbound>,
}

/// The queue's item a request is made of, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromInbound {
    pub id: i64,
    /// `agent:LOGIN`.
    pub agent: String,
}

/// What a booking holds: a time range of a day on an agenda. Requests on
/// one agenda compete for its slots: more than `desks` of them cannot
/// overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// `service/CODE` for a booking, `agenda/NAME` for an appointment,
    /// then `/RESOURCE` when the service books one of several.
    pub agenda: String,
    pub day: Date,
    pub start: Time,
    pub end: Time,
    /// How many requests may hold overlapping slots (1 for a room).
    pub desks: u32,
    /// The steps at which a request no longer holds its slot (refused or
    /// closed): every other step holds it, accepted ones included.
    pub released_at: Vec<String>,
}

impl Slot {
    /// `HH:MM:SS`: text order is time order.
    pub fn start_text(&self) -> String {
        self.start.strftime("%H:%M:%S").to_string()
    }

    pub fn end_text(&self) -> String {
        self.end.strftime("%H:%M:%S").to_string()
    }
}

/// A start whose first event (the submission) is the recording agent's.
fn recorded(mut start: Outcome, by: Option<&str>) -> Outcome {
    if let (Some(login), Some(first)) = (by, start.events.first_mut()) {
        first.actor = format!("agent:{login}");
    }
    start
}

/// The hours an appointment service offers: the town's, or its own.
pub fn hours<'a>(appointment: &'a Appointment, published: Option<&'a Hours>) -> &'a Hours {
    published.unwrap_or(&appointment.hours)
}

/// The agenda a booking's requests compete on (its resource's, if any).
pub fn agenda(service: &Service, resource: Option<&str>) -> Option<String> {
    let booking = service.booking.as_ref()?;
    let mut key = match booking.appointment() {
        Some(a) => format!("agenda/{}", a.agenda),
        None => format!("service/{}", service.code),
    };
    if let Some(r) = resource {
        key.push('/');
        key.push_str(r);
    }
    Some(key)
}

/// The slot a validated booking asks for; none when the form does not ask
/// it (a conditional appointment) or, for an appointment, when the time is
/// not a slot of the hours (validation refuses it first).
pub fn slot(service: &Service, form: &forms::Form, published: Option<&Hours>) -> Option<Slot> {
    let booking = service.booking.as_ref()?;
    let value = |name: &str| form.values.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let resource = match &booking.resource {
        Some(r) => match value(r)? {
            Value::Choice(c) => Some(c.as_str()),
            _ => return None,
        },
        None => None,
    };
    let Some(Value::Date(day)) = value(&booking.date) else {
        return None;
    };
    let Some(Value::Time(start)) = value(&booking.start) else {
        return None;
    };
    let (end, desks) = match &booking.until {
        Until::Field(end) => match value(end)? {
            Value::Time(end) => (*end, 1),
            _ => return None,
        },
        Until::Appointment(a) => {
            let hours = hours(a, published);
            (hours.slot_at(*day, a.minutes, *start)?.1, hours.desks)
        }
    };
    Some(Slot {
        agenda: agenda(service, resource)?,
        day: *day,
        start: *start,
        end,
        desks,
        released_at: service
            .steps
            .iter()
            .filter(|s| matches!(s.kind, StepKind::Refused | StepKind::Closed))
            .map(|s| s.id.clone())
            .collect(),
    })
}

/// An appointment's time must be one of the slots offered that day: the
/// error on its date (a day without appointments) or on its time.
fn check_offered(
    service: &Service,
    form: &forms::Form,
    published: Option<&Hours>,
) -> Option<FieldError> {
    let booking = service.booking.as_ref()?;
    let appointment = booking.appointment()?;
    let hours = hours(appointment, published);
    let value = |name: &str| form.values.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    if booking
        .resource
        .as_ref()
        .is_some_and(|r| value(r).is_none())
    {
        // Not asked (a drop-in session rather than an elected official):
        // no slot held, none checked.
        return None;
    }
    let (Some(Value::Date(day)), Some(Value::Time(time))) =
        (value(&booking.date), value(&booking.start))
    else {
        return None;
    };
    if !hours.is_open(*day) {
        let days = hours.open_days("fr");
        return Some(FieldError {
            path: booking.date.clone(),
            code: "day-closed".into(),
            message: if days.is_empty() {
                "Aucun rendez-vous n'est proposé pour le moment.".into()
            } else {
                format!(
                    "Pas de rendez-vous ce jour-là : ils sont proposés le {days}, hors jours fériés."
                )
            },
        });
    }
    if hours.slot_at(*day, appointment.minutes, *time).is_none() {
        return Some(FieldError {
            path: booking.start.clone(),
            code: "slot-not-offered".into(),
            message: format!(
                "Cet horaire n'est pas un créneau proposé : les rendez-vous durent {} minutes, à choisir parmi les créneaux libres de ce jour.",
                appointment.minutes
            ),
        });
    }
    None
}

/// The error a booking gets when its slot is taken: on its start time.
/// The message of the qualification queue a request was being made of was
/// made something else first (by another agent).
pub fn inbound_taken() -> forms::FieldError {
    forms::FieldError {
        path: String::new(),
        code: "inbound-taken".into(),
        message: "Ce message a déjà été traité par un autre agent : rien n'a été enregistré."
            .into(),
    }
}

pub fn slot_taken(service: &Service) -> forms::FieldError {
    let path = service
        .booking
        .as_ref()
        .map_or_else(String::new, |b| b.start.clone());
    let appointment = service.booking.as_ref().and_then(|b| b.appointment());
    forms::FieldError {
        path,
        code: "slot-taken".into(),
        message: if appointment.is_some() {
            "Ce créneau vient d'être pris : choisissez-en un autre parmi les créneaux libres."
                .into()
        } else {
            "Ce créneau est déjà réservé : choisissez une autre date ou d'autres horaires.".into()
        },
    }
}

/// Validates a submission; `now` is in the tenant's time zone, `tracking` was
/// drawn by the caller from a random source; the request is placed in the
/// town's `places`.
pub fn receive(
    service: &Service,
    submission: &Submission,
    now: &Zoned,
    tracking: &TrackingCode,
    published: Option<&Hours>,
    places: &super::places::Places,
) -> Result<NewRequest, Vec<FieldError>> {
    let today = now.date();
    let form = forms::validate(service, &submission.entries, today)?;
    if let Some(error) = check_offered(service, &form, published) {
        return Err(vec![error]);
    }
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
        start: recorded(
            workflow::start(service, now.timestamp(), submission.channel.as_str()),
            submission.recorded_by.as_deref(),
        ),
        slot: slot(service, &form, published),
        citizen_id: submission.citizen_id,
        place: places.place(&form),
        inbound: submission
            .inbound
            .zip(submission.recorded_by.as_ref())
            .map(|(id, login)| FromInbound {
                id,
                agent: format!("agent:{login}"),
            }),
        form,
    })
}
