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
