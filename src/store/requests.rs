//! Requests: submitting, reading, applying workflow outcomes, export marks and deadline marks.

use super::{BoxFuture, StoreError};
use crate::core::intake::NewRequest;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use crate::core::workflow::{Outcome, RequestState};
use jiff::Timestamp;
use jiff::civil::Date;

/// A stored request with its field values, for request files.
#[derive(Debug, Clone)]
pub struct StoredRequest {
    pub record: RequestRecord,
    /// `(path, lexical value)` in submission order.
    pub rows: Vec<(String, String)>,
}

/// One line of a request's history as stored.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub at: Timestamp,
    pub actor: String,
    /// The agent's name when the actor is an agent still known.
    pub actor_name: Option<String>,
    pub action: String,
    pub from_step: Option<String>,
    pub to_step: Option<String>,
    pub comment: Option<String>,
    pub citizen_visible: bool,
    pub department: Option<String>,
}

/// A request as agents work on it.
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub record: RequestRecord,
    pub state: RequestState,
    /// Grows at every change; actions name the revision they were decided on.
    pub revision: i64,
    pub requester_name: String,
    /// `(path, lexical value)` in submission order.
    pub rows: Vec<(String, String)>,
    pub events: Vec<StoredEvent>,
}

/// An open request the scheduler looks at.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub reference: Reference,
    pub service_code: String,
    pub service_version: u32,
    pub state: RequestState,
    pub revision: i64,
    pub due_date: Date,
    /// The department was reminded (past the reminder point).
    pub reminded: bool,
    /// 0: not escalated; 1: the department head was told; 2: the administrators.
    pub escalation: u8,
}

/// A deadline notice the scheduler records once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineMark {
    /// Most of the delay has gone: the department is reminded.
    Reminder,
    /// Late: level 1 tells the department head, level 2 the administrators.
    Escalation(u8),
}

pub trait RequestStore: Send + Sync {
    /// Stores a validated request, gives it the next reference of its tenant
    /// and year, and resolves once that is committed.
    fn submit(
        &self,
        tenant_id: i64,
        request: NewRequest,
    ) -> BoxFuture<'_, Result<Reference, StoreError>>;

    /// A request by the digest of its tracking code.
    fn request_by_tracking(
        &self,
        tenant_id: i64,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>>;

    /// A request and its values by public reference.
    fn request_by_reference(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<StoredRequest>, StoreError>>;

    /// A request with its state, values and whole history.
    fn work_item(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<WorkItem>, StoreError>>;

    /// Applies a workflow outcome decided on `revision` in one transaction:
    /// new state, history events, audit entries, outbox messages, export
    /// mark. [`StoreError::Conflict`] if the request changed since; returns
    /// the new revision.
    fn apply(
        &self,
        tenant_id: i64,
        reference: Reference,
        revision: i64,
        outcome: Outcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>>;

    /// The times held on an agenda's day (see [`crate::core::intake::Slot`]),
    /// on the test or the real side, in time order: what an appointment
    /// form subtracts from the slots offered.
    fn held_slots(
        &self,
        tenant_id: i64,
        agenda: String,
        test: bool,
        day: jiff::civil::Date,
    ) -> BoxFuture<'_, Result<Vec<(jiff::civil::Time, jiff::civil::Time)>, StoreError>>;

    /// The citizen's correction: the request's values replaced by `rows`
    /// (the whole form, validated) and `outcome` applied, decided on
    /// `revision`, in one transaction.
    /// `files`: the files of the file fields corrected, which replace the
    /// ones sent in those fields (their blobs already written).
    #[allow(clippy::too_many_arguments)]
    fn correct(
        &self,
        tenant_id: i64,
        reference: Reference,
        revision: i64,
        rows: Vec<(String, String)>,
        files: Vec<(String, crate::core::files::FileValue)>,
        outcome: Outcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>>;

    /// An agent opened the request: its citizen's replies are read.
    fn mark_read(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Requests neither finished nor waiting for the citizen (for timed jumps).
    fn open_requests(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>>;

    /// Requests not finished and waiting for the citizen (a correction
    /// asked, or on hold), for the jump of a wait left unanswered.
    fn waiting_requests(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>>;

    /// Requests a workflow marked for export to business software, oldest first.
    fn export_pending(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>>;

    /// Clears a request's export mark once its file is written.
    fn export_done(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// How many test requests the town has, per service code, by code.
    fn test_counts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>>;

    /// Deletes the town's test requests (of service `code`, or all) with
    /// their values, history and messages, in one transaction that records
    /// their references in the audit journal. Returns how many went.
    fn purge_tests(
        &self,
        tenant_id: i64,
        code: Option<String>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// Records a deadline notice once: the mark on the request, an internal
    /// history event and the outbox message, in one transaction. `false` if
    /// it was already recorded (nothing written).
    fn deadline_mark(
        &self,
        tenant_id: i64,
        reference: Reference,
        mark: DeadlineMark,
        department: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;
}

// ---------------------------------------------------------------------------
// What both backends do alike around their SQL: how stored text becomes a
// request, its state and its history as the citizen sees it, and what an
// outcome writes. Backends only read and write the rows.
// ---------------------------------------------------------------------------

/// A stored timestamp of request `id`.
pub(super) fn parse_time(id: i64, what: &str, text: &str) -> Result<Timestamp, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("request {id}: {what}: {e}")))
}

/// A stored date of request `id`.
pub(super) fn parse_date(id: i64, what: &str, text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("request {id}: {what}: {e}")))
}

/// The requester's name as stored on the request (and searched by the
/// console): first and last name, blank ones left out.
/// Who asks (`citizen`, `association`, `business`), from the requester's
/// `kind`: a person when the form does not ask.
pub(super) fn requester_kind(request: &NewRequest) -> &'static str {
    request
        .form
        .requester_text("kind")
        .and_then(crate::core::catalogue::RequesterKind::from_name)
        .unwrap_or(crate::core::catalogue::RequesterKind::Citizen)
        .name()
}

pub(super) fn requester_name(request: &NewRequest) -> String {
    format!(
        "{} {}",
        request.form.requester_text("firstName").unwrap_or_default(),
        request.form.requester_text("lastName").unwrap_or_default()
    )
    .trim()
    .to_owned()
}

/// The request a new booking collides with, given the requests (oldest
/// first) already holding an overlapping slot: the first of them, once they
/// fill the agenda's `desks`.
pub(super) fn slot_taken_by(holders: &[Reference], desks: u32) -> Option<Reference> {
    let desks = usize::try_from(desks.max(1)).unwrap_or(1);
    (holders.len() >= desks).then(|| holders[0])
}

/// A slot's stored time (`HH:MM:SS`).
pub(super) fn parse_slot_time(text: &str) -> Result<jiff::civil::Time, StoreError> {
    text.parse::<jiff::civil::Time>()
        .map_err(|e| StoreError::Corrupt(format!("slot time {text:?}: {e}")))
}

/// The audit entry of a purge of test requests: its subject and its detail
/// (`CODE REFERENCE, …`), from the requests purged (service code, reference).
pub(super) fn purge_audit(code: Option<&str>, purged: &[(String, Reference)]) -> (String, String) {
    let listed: Vec<String> = purged
        .iter()
        .map(|(code, reference)| format!("{code} {reference}"))
        .collect();
    (
        format!("service:{}", code.unwrap_or("*")),
        listed.join(", "),
    )
}

/// The audit detail of a history event: `FROM -> TO [DEPARTMENT]: COMMENT`.
pub(super) fn event_audit_detail(e: &crate::core::workflow::Event) -> String {
    format!(
        "{} -> {}{}{}{}",
        e.from_step.as_deref().unwrap_or("-"),
        e.to_step.as_deref().unwrap_or("-"),
        e.department
            .as_deref()
            .map(|d| format!(" [{d}]"))
            .unwrap_or_default(),
        if e.comment.is_some() { ": " } else { "" },
        e.comment.as_deref().unwrap_or("")
    )
}

/// A message to the citizen as queued: its text (a template message keeps
/// the step it announces) and its secret (the tracking code, which only the
/// acknowledgement carries, until it is sent).
pub(super) fn citizen_message<'a>(
    outcome: &'a Outcome,
    template: Option<&'a str>,
    text: Option<&'a String>,
    tracking_code: Option<&'a str>,
) -> (Option<&'a String>, Option<&'a str>) {
    let secret =
        tracking_code.filter(|_| template == Some(crate::core::workflow::ACKNOWLEDGEMENT_TEMPLATE));
    let text = match template {
        Some(_) => Some(&outcome.state.step),
        None => text,
    };
    (text, secret)
}

/// Who added the files an outcome attaches: the actor of its first event.
pub(super) fn attached_by(outcome: &Outcome) -> &str {
    outcome
        .events
        .first()
        .map_or("system", |e| e.actor.as_str())
}

/// The due date `days` later than the stored one (a legal deadline's clock
/// stopped meanwhile), as stored.
pub(super) fn postponed_due(request_id: i64, due: &str, days: u32) -> Result<String, StoreError> {
    let due = parse_date(request_id, "due_date", due)?;
    let moved = due
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .map_err(|e| StoreError::Invalid(format!("due date out of range: {e}")))?;
    Ok(moved.to_string())
}

/// The mark's outbox template and history action: what a deadline notice
/// is called.
pub(super) fn deadline_names(mark: DeadlineMark) -> (&'static str, &'static str) {
    match mark {
        DeadlineMark::Reminder => ("reminder", "reminder"),
        DeadlineMark::Escalation(1) => ("escalation-head", "escalation"),
        DeadlineMark::Escalation(_) => ("escalation-admin", "escalation"),
    }
}

/// What a deadline notice records, once its mark is set on a request at
/// `step`: an internal history event and the department's message.
pub(super) fn deadline_outcome(mark: DeadlineMark, step: String, department: &str) -> Outcome {
    let (template, action) = deadline_names(mark);
    Outcome {
        state: RequestState {
            step: step.clone(),
            department: department.to_owned(),
            created_at: Timestamp::UNIX_EPOCH,
            entered_at: Timestamp::UNIX_EPOCH,
            waiting_for_citizen: false,
            validation: None,
            finished: false,
            waiting_since: None,
        },
        events: vec![crate::core::workflow::Event {
            actor: "system".into(),
            action: action.into(),
            from_step: Some(step),
            to_step: None,
            comment: Some(template.into()),
            citizen_visible: false,
            department: Some(department.to_owned()),
        }],
        effects: vec![crate::core::workflow::Effect::NotifyDepartment {
            department: department.to_owned(),
            reason: template.into(),
        }],
    }
}

/// A request's workflow state as stored (the columns `STATE_COLUMNS` of
/// each backend: step, department, submitted_at, entered_at, waiting,
/// finished, validation_from, validation_to, validation_answer,
/// waiting_since).
pub(super) struct RawState {
    pub step: String,
    pub department: String,
    pub created_at: String,
    pub entered_at: String,
    pub waiting: bool,
    pub finished: bool,
    pub validation_from: Option<String>,
    pub validation_to: Option<String>,
    pub validation_answer: Option<String>,
    pub waiting_since: Option<String>,
}

impl RawState {
    pub(super) fn into_state(self, id: i64) -> Result<RequestState, StoreError> {
        Ok(RequestState {
            created_at: parse_time(id, "submitted_at", &self.created_at)?,
            entered_at: parse_time(id, "entered_at", &self.entered_at)?,
            step: self.step,
            department: self.department,
            waiting_for_citizen: self.waiting,
            validation: match (
                self.validation_from,
                self.validation_to,
                self.validation_answer,
            ) {
                (Some(from), Some(to), Some(answer)) => {
                    Some(crate::core::workflow::PendingValidation { from, to, answer })
                }
                _ => None,
            },
            finished: self.finished,
            waiting_since: self
                .waiting_since
                .map(|t| parse_time(id, "waiting_since", &t))
                .transpose()?,
        })
    }
}

/// A request's own row as stored, before its history and files are joined.
pub(super) struct RawRecord {
    pub id: i64,
    pub reference: Reference,
    pub service_code: String,
    pub service_version: u32,
    pub channel: String,
    pub step: String,
    pub submitted_at: String,
    pub due_date: String,
    pub test: bool,
    pub correction: Option<String>,
    pub anonymised_at: Option<String>,
    pub lang: Option<String>,
    pub district: String,
    pub person_id: Option<i64>,
}

/// A citizen-visible history event as stored: `to_step, at, action, comment`.
pub(super) struct VisibleEvent {
    pub to_step: Option<String>,
    pub at: String,
    pub action: String,
    pub comment: Option<String>,
}

impl RawRecord {
    /// The request as the citizen sees it, from its citizen-visible events
    /// (in order) and its files: steps entered, and the words exchanged.
    pub(super) fn into_record(
        self,
        events: Vec<VisibleEvent>,
        attachments: Vec<crate::core::files::Attached>,
    ) -> Result<RequestRecord, StoreError> {
        use crate::core::status::{Exchange, StepEntry};
        let id = self.id;
        let mut history = Vec::new();
        let mut messages = Vec::new();
        for e in events {
            let at = parse_time(id, "event date", &e.at)?;
            let action = e.action;
            match (e.to_step, e.comment) {
                (_, Some(text))
                    if matches!(
                        action.as_str(),
                        "answer" | "hold" | "reply" | "correction-asked" | "corrected"
                    ) =>
                {
                    messages.push(Exchange {
                        at,
                        text,
                        from_citizen: action == "reply" || action == "corrected",
                    })
                }
                // A decision by silence, or a wait left unanswered, is a
                // step, and words for the requester.
                (Some(step), Some(text)) if action == "silence" || action == "unanswered" => {
                    history.push(StepEntry { step, at });
                    messages.push(Exchange {
                        at,
                        text,
                        from_citizen: false,
                    });
                }
                (Some(step), _) => history.push(StepEntry { step, at }),
                _ => {}
            }
        }
        Ok(RequestRecord {
            reference: self.reference,
            service_code: self.service_code,
            service_version: self.service_version,
            channel: self.channel,
            step: self.step,
            submitted_at: parse_time(id, "submitted_at", &self.submitted_at)?,
            due_date: parse_date(id, "due_date", &self.due_date)?,
            history,
            messages,
            test: self.test,
            correction: self
                .correction
                .map(|c| c.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            anonymised_at: self
                .anonymised_at
                .map(|a| parse_time(id, "anonymised_at", &a))
                .transpose()?,
            attachments,
            lang: self.lang.unwrap_or_else(|| "fr".to_owned()),
            district: self.district,
            person_id: self.person_id,
        })
    }
}

/// A file kept with a request as stored: id, field, file name, media type,
/// size, SHA-256, added at, added by, sent by e-mail.
pub(super) type RawAttachment = (
    i64,
    Option<String>,
    String,
    String,
    i64,
    String,
    String,
    String,
    bool,
);

pub(super) fn attachment_from_row(
    row: RawAttachment,
) -> Result<crate::core::files::Attached, StoreError> {
    let (id, field, name, media_type, size, sha256, at, by, sent) = row;
    Ok(crate::core::files::Attached {
        id,
        field,
        name,
        media_type,
        size: size as u64,
        sha256,
        added_at: at
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("attachment {id}: {e}")))?,
        added_by: by,
        sent,
    })
}
