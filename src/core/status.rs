//! What a citizen may see of a request: its citizen-visible steps, each done
//! (with its date) or not yet, and its due date.

use super::catalogue::{Service, StepKind};
use super::tracking::Reference;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// A stored request as the status view needs it.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub reference: Reference,
    pub service_code: String,
    pub service_version: u32,
    pub channel: String,
    pub step: String,
    pub submitted_at: Timestamp,
    pub due_date: Date,
    /// Citizen-visible steps entered, oldest first.
    pub history: Vec<StepEntry>,
    /// What the town wrote to the citizen (answers, requests for more) and
    /// the citizen's replies, oldest first.
    pub messages: Vec<Exchange>,
    /// Made while its service was in test: for the town's agents only.
    pub test: bool,
    /// The fields an agent asked the citizen to correct, until corrected.
    pub correction: Vec<String>,
    /// When its personal data was removed (retention, a closed account):
    /// it has no requester, values or comments any more.
    pub anonymised_at: Option<Timestamp>,
    /// The files kept with it, oldest first.
    pub attachments: Vec<crate::core::files::Attached>,
    /// The language of the pages it was made on (`fr`, `en`): its
    /// messages and letters are in it.
    pub lang: String,
    /// The district of the town it is in (`""`: none).
    pub district: String,
    /// The file of who asked, in the town's file of people.
    pub person_id: Option<i64>,
}

/// A message between the town and the citizen about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub at: Timestamp,
    pub text: String,
    /// Written by the citizen (a reply), not the town.
    pub from_citizen: bool,
}

/// A message as the citizen's page shows it: the day written (tenant's
/// time zone), its text, who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownMessage {
    pub date: Date,
    pub text: String,
    pub from_citizen: bool,
}

#[derive(Debug, Clone)]
pub struct StepEntry {
    pub step: String,
    pub at: Timestamp,
}

/// Coarse state of a request, as told to the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Received,
    InProgress,
    WaitingForCitizen,
    Accepted,
    Refused,
    Closed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::InProgress => "in-progress",
            State::WaitingForCitizen => "waiting-for-citizen",
            State::Accepted => "accepted",
            State::Refused => "refused",
            State::Closed => "closed",
        }
    }

    pub const ALL: [State; 6] = [
        State::Received,
        State::InProgress,
        State::WaitingForCitizen,
        State::Accepted,
        State::Refused,
        State::Closed,
    ];

    /// French wording for people.
    pub fn label(self) -> &'static str {
        match self {
            State::Received => "Reçue",
            State::InProgress => "En cours de traitement",
            State::WaitingForCitizen => "En attente de votre part",
            State::Accepted => "Acceptée",
            State::Refused => "Refusée",
            State::Closed => "Terminée",
        }
    }

    /// The wording in `lang` (English, or French for any other).
    pub fn label_in(self, lang: &str) -> &'static str {
        if lang != "en" {
            return self.label();
        }
        match self {
            State::Received => "Received",
            State::InProgress => "Being processed",
            State::WaitingForCitizen => "Waiting for you",
            State::Accepted => "Accepted",
            State::Refused => "Refused",
            State::Closed => "Completed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenStep {
    pub label: String,
    pub done: bool,
    /// Day the step was reached, in the tenant's time zone.
    pub date: Option<Date>,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct CitizenStatus {
    pub reference: Reference,
    pub service_title: String,
    pub state: State,
    pub current_step: Option<String>,
    pub submitted_at: Timestamp,
    pub due_date: Date,
    pub steps: Vec<CitizenStep>,
    /// The town's messages and the citizen's replies, oldest first.
    pub messages: Vec<ShownMessage>,
    /// The town asked the citizen to correct some fields.
    pub correction_asked: bool,
    /// The files the requester sent (not those the town's agents added).
    pub files: Vec<crate::core::files::Attached>,
    /// The town's letters and documents sent to the requester.
    pub town_files: Vec<crate::core::files::Attached>,
}

/// Builds the citizen's view of a request under the definition it was
/// submitted with, its steps worded in `lang` where the definition says
/// them in it.
pub fn citizen_view(
    service: &Service,
    record: &RequestRecord,
    tz: &TimeZone,
    lang: &str,
) -> CitizenStatus {
    let current = service.step(&record.step);
    let state = match current.map(|s| s.kind) {
        Some(StepKind::Accepted) => State::Accepted,
        Some(StepKind::Refused) => State::Refused,
        Some(StepKind::Closed) => State::Closed,
        Some(StepKind::Citizen) => State::WaitingForCitizen,
        _ if record.step == service.first_step().id && record.history.len() <= 1 => State::Received,
        _ => State::InProgress,
    };
    // The normal outcome is the first final step; other endings (refused,
    // not our responsibility) are shown only when they happened.
    let normal_end = service
        .steps
        .iter()
        .find(|s| s.kind.is_final())
        .map(|s| s.id.as_str());
    let steps = service
        .steps
        .iter()
        .filter_map(|step| {
            let label = step.citizen_label_in(lang)?.to_owned();
            let reached = record.history.iter().rev().find(|h| h.step == step.id);
            if step.kind.is_final() && reached.is_none() && Some(step.id.as_str()) != normal_end {
                return None;
            }
            Some(CitizenStep {
                label,
                done: reached.is_some(),
                date: reached.map(|h| h.at.to_zoned(tz.clone()).date()),
                current: step.id == record.step,
            })
        })
        .collect();
    CitizenStatus {
        reference: record.reference,
        service_title: service.title_in(lang).to_owned(),
        state,
        current_step: current.and_then(|s| s.citizen_label_in(lang).map(str::to_owned)),
        submitted_at: record.submitted_at,
        due_date: record.due_date,
        steps,
        messages: record
            .messages
            .iter()
            .map(|m| ShownMessage {
                date: m.at.to_zoned(tz.clone()).date(),
                text: m.text.clone(),
                from_citizen: m.from_citizen,
            })
            .collect(),
        correction_asked: !record.correction.is_empty(),
        files: record
            .attachments
            .iter()
            .filter(|a| a.from_requester())
            .cloned()
            .collect(),
        town_files: record
            .attachments
            .iter()
            .filter(|a| !a.from_requester() && a.sent)
            .cloned()
            .collect(),
    }
}
