//! Durable storage. The only module that knows SQL.
//!
//! [`Store`] is what channels and the server need; [`sqlite::SqliteStore`] is
//! the embedded implementation (PostgreSQL for clusters will implement the
//! same trait). A request is acknowledged only after the transaction holding
//! its row, its values and its first history event has committed.

pub mod sqlite;

use crate::core::intake::NewRequest;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use crate::core::workflow::{Agent, Outcome, RequestState, Role};
use jiff::Timestamp;
use jiff::civil::Date;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the store is shutting down")]
    Closed,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
    /// Somebody changed the request since the caller read it.
    #[error("the request was changed by somebody else in the meantime")]
    Conflict,
}

/// A tenant as stored: its settings and the definitions of its services.
#[derive(Debug, Clone)]
pub struct TenantRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    /// `(definition XML, online)` of the current version of each service, in
    /// catalogue order.
    pub services: Vec<(String, bool)>,
    /// Definitions of older versions still referenced by requests.
    pub older_versions: Vec<String>,
}

/// A stored request with its field values, for request files.
#[derive(Debug, Clone)]
pub struct StoredRequest {
    pub record: RequestRecord,
    /// `(path, lexical value)` in submission order.
    pub rows: Vec<(String, String)>,
}

/// A municipal department (état civil, voirie…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub code: String,
    pub name: String,
    /// The login of the agent told first when a request is late.
    pub head: Option<String>,
}

/// An agent as stored.
#[derive(Debug, Clone)]
pub struct AgentRecord {
    pub id: i64,
    pub agent: Agent,
    /// PHC string of the password's Argon2id hash.
    pub password_hash: String,
    pub active: bool,
    /// Where the agent is told of new requests, reminders and escalations.
    pub email: Option<String>,
}

/// An agent to create.
#[derive(Debug, Clone)]
pub struct NewAgent {
    pub login: String,
    pub name: String,
    pub password_hash: String,
    pub admin: bool,
    pub roles: Vec<(String, Role)>,
    pub email: Option<String>,
}

/// New values for an agent's account, all of them (the login stays).
#[derive(Debug, Clone)]
pub struct AgentChange {
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub admin: bool,
    /// An inactive agent cannot log in; their sessions end.
    pub active: bool,
    pub roles: Vec<(String, Role)>,
    /// The hash of a new password; `None` keeps the current one.
    pub password_hash: Option<String>,
}

/// What became of an [`AgentChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentChanged {
    Changed,
    NotFound,
    /// Refused: the tenant would be left without an active administrator.
    LastAdministrator,
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

/// Which requests the console lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// Not finished (waiting for the citizen included).
    Open,
    Waiting,
    Finished,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Reference,
    Service,
    Received,
    Due,
}

#[derive(Debug, Clone)]
pub struct ConsoleQuery {
    /// Departments whose requests the agent may see; `None` for all.
    pub departments: Option<Vec<String>>,
    pub state: StateFilter,
    pub service: Option<String>,
    pub department: Option<String>,
    pub channel: Option<String>,
    /// Only requests due before this day (late ones) and not finished.
    pub due_before: Option<Date>,
    /// Free text: reference, requester, any field value.
    pub text: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct ConsoleRow {
    pub reference: Reference,
    pub service_code: String,
    pub service_version: u32,
    pub channel: String,
    pub step: String,
    pub department: String,
    pub requester_name: String,
    pub submitted_at: Timestamp,
    pub due_date: Date,
    pub waiting: bool,
    pub finished: bool,
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

/// A message of the outbox not yet expanded into deliveries.
#[derive(Debug, Clone)]
pub struct PendingMessage {
    pub id: i64,
    pub tenant_id: i64,
    /// `citizen` or `department`.
    pub recipient_kind: String,
    /// The department, for `department`.
    pub recipient: Option<String>,
    pub template: Option<String>,
    pub text: Option<String>,
    /// The tracking code, for an acknowledgement.
    pub secret: Option<String>,
    pub request: Option<MessageRequest>,
}

/// What messages say of their request.
#[derive(Debug, Clone)]
pub struct MessageRequest {
    pub id: i64,
    pub reference: Reference,
    pub service_code: String,
    pub service_version: u32,
    pub step: String,
    pub department: String,
    pub due_date: Date,
    pub requester_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The requester asked for news by SMS.
    pub sms: bool,
    /// The language the requester used (`fr`, `en`).
    pub lang: String,
}

/// One message to one address, to be sent once.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// `email` or `sms`.
    pub channel: &'static str,
    pub address: String,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    pub has_secret: bool,
    /// SMS: concatenated parts.
    pub parts: Option<u32>,
}

/// A delivery due for sending.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub tenant_id: i64,
    pub channel: String,
    pub address: String,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    pub attempts: u32,
}

/// A delivery as agents see it (request page, admin page).
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: i64,
    pub reference: Option<Reference>,
    pub channel: String,
    pub address: String,
    pub subject: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

/// A standard answer of a department.
#[derive(Debug, Clone)]
pub struct StandardAnswer {
    pub id: i64,
    pub department: String,
    pub title: String,
    pub text: String,
}

/// A standard answer's wording, to store.
#[derive(Debug, Clone)]
pub struct NewStandardAnswer {
    pub department: String,
    pub title: String,
    pub text: String,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub tenant: String,
    pub entries: u64,
    /// The first problem met, in words, with the entry's number.
    pub problem: Option<String>,
}

pub trait Store: Send + Sync + 'static {
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

    /// Every tenant with its services (at start-up).
    fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError>;

    /// Creates a tenant with these service definitions, all online, unless a
    /// tenant with this slug exists. Returns whether it was created.
    fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        definitions: &[(String, String, u32)],
    ) -> Result<bool, StoreError>;

    /// Records the tenant's departments (adding missing ones, renaming known
    /// ones) and gives requests stored before departments existed the
    /// department of their service (`(service code, department)`).
    fn sync_departments(
        &self,
        tenant_id: i64,
        departments: &[Department],
        service_departments: &[(String, String)],
    ) -> Result<(), StoreError>;

    fn departments(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Department>, StoreError>>;

    /// Sets departments' heads (`(code, Some(login))`, or `None` for no
    /// head), audited; returns how many changed.
    fn set_department_heads(
        &self,
        tenant_id: i64,
        heads: Vec<(String, Option<String>)>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>>;

    /// An agent by login (active or not).
    fn agent(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>>;

    fn agents(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<AgentRecord>, StoreError>>;

    /// Creates an agent, recording it in the audit journal as done by
    /// `actor`. `Ok(false)` when the login is taken.
    fn add_agent(
        &self,
        tenant_id: i64,
        agent: NewAgent,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Changes an agent's account in one transaction, recorded in the audit
    /// journal as done by `actor`. When the agent is deactivated or given a
    /// new password, their sessions end, except `keep_session` (the digest
    /// of the session making the change, when agents change their own
    /// password).
    fn change_agent(
        &self,
        tenant_id: i64,
        change: AgentChange,
        actor: String,
        keep_session: Option<String>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<AgentChanged, StoreError>>;

    fn create_session(
        &self,
        agent_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The active agent of an unexpired session.
    fn session_agent(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>>;

    fn end_session(&self, digest: String) -> BoxFuture<'_, Result<(), StoreError>>;

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

    /// One page of the console and the number of matching requests.
    fn console(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<(u64, Vec<ConsoleRow>), StoreError>>;

    /// Requests neither finished nor waiting for the citizen (for timed jumps).
    fn open_requests(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>>;

    fn standard_answers(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<StandardAnswer>, StoreError>>;

    /// Creates (`id` `None`) or changes a standard answer, audited. Returns
    /// its id, or `None` when there is no answer `id`.
    fn save_standard_answer(
        &self,
        tenant_id: i64,
        id: Option<i64>,
        answer: NewStandardAnswer,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>>;

    /// Removes a standard answer (answers already sent keep their text),
    /// audited. `false` when there is no such answer.
    fn remove_standard_answer(
        &self,
        tenant_id: i64,
        id: i64,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Gives the tenant's failed deliveries a new round of attempts from
    /// `now` (after the mail or SMS settings were fixed), audited. Returns
    /// how many.
    fn retry_failed_deliveries(
        &self,
        tenant_id: i64,
        actor: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>>;

    /// Writes one entry of the tenant's audit journal for a change made
    /// outside the store (the tenant's `templates.toml`, `settings.toml`).
    fn record_audit(
        &self,
        tenant_id: i64,
        actor: String,
        subject: String,
        action: String,
        detail: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Adds standard answers `(department, title, text)` unless the tenant has some.
    fn seed_standard_answers(
        &self,
        tenant_id: i64,
        answers: &[(&str, &str, &str)],
    ) -> Result<(), StoreError>;

    /// Requests a workflow marked for export to business software, oldest first.
    fn export_pending(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>>;

    /// Clears a request's export mark once its file is written.
    fn export_done(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Walks every tenant's audit chain.
    fn verify_audit(&self) -> Result<Vec<AuditReport>, StoreError>;

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

    /// Outbox messages not yet expanded, oldest first.
    fn pending_messages(
        &self,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<PendingMessage>, StoreError>>;

    /// Replaces a message by its deliveries (and forgets its secret).
    fn expand_message(
        &self,
        message_id: i64,
        deliveries: Vec<NewDelivery>,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Deliveries to send now (`now` in Unix seconds), except on `idle`
    /// channels (`(tenant_id, channel)` with nowhere to send to: they wait,
    /// without counting attempts).
    fn due_deliveries(
        &self,
        now: i64,
        limit: u32,
        idle: Vec<(i64, &'static str)>,
    ) -> BoxFuture<'_, Result<Vec<Delivery>, StoreError>>;

    /// How many deliveries of a tenant wait to be sent, by channel.
    fn pending_deliveries(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>>;

    /// Records a sending: sent, or failed with the next attempt's time (or
    /// `None` to give up).
    fn delivery_result(
        &self,
        id: i64,
        result: Result<(), (String, Option<i64>)>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// A tenant's deliveries, newest first: of one request, or the failed ones.
    fn deliveries(
        &self,
        tenant_id: i64,
        reference: Option<Reference>,
    ) -> BoxFuture<'_, Result<Vec<DeliveryRecord>, StoreError>>;
}
