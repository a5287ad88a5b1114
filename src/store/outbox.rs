//! The outbox: messages written with their cause, expanded into deliveries, sent, retried.

use super::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use jiff::Timestamp;
use jiff::civil::Date;

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
    /// A document of the town's the e-mail carries.
    pub enclosure: Option<Enclosure>,
    /// The request a message to its requester is about (none for agents'
    /// messages): its e-mail carries the reply token an answer brings back.
    pub reference: Option<Reference>,
}

/// A file an e-mail carries: its name and type, its bytes in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub name: String,
    pub media_type: String,
    pub sha256: String,
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
    /// When a pending delivery is tried next (Unix seconds).
    pub next_attempt_at: i64,
    pub sent_at: Option<String>,
}

/// A call to the town's software due for sending.
#[derive(Debug, Clone)]
pub struct DueCall {
    pub id: i64,
    pub tenant_id: i64,
    pub reference: Reference,
    pub target: String,
    pub body: crate::core::workflow::CallBody,
    /// The step it announces.
    pub step: String,
    pub attempts: u32,
}

/// What became of one try of a call.
#[derive(Debug, Clone)]
pub enum CallResult {
    /// The software answered (HTTP status).
    Answered { status: u16 },
    /// It failed; tried again at this time (Unix seconds), or given up.
    Failed {
        error: String,
        next_attempt_at: Option<i64>,
    },
}

pub trait OutboxStore: Send + Sync {
    /// Calls to the town's software due now (`now` in Unix seconds), oldest
    /// first.
    fn due_calls(&self, now: i64, limit: u32) -> BoxFuture<'_, Result<Vec<DueCall>, StoreError>>;

    /// Claims the calls `ids` (just read from [`OutboxStore::due_calls`])
    /// for the caller until `until` (Unix seconds): those still due at
    /// `now` are claimed and returned; the others were claimed by another
    /// node meanwhile, or are done. A node that dies holding a claim loses
    /// it at `until`, and the call is due again.
    fn claim_calls(
        &self,
        ids: Vec<i64>,
        now: i64,
        until: i64,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>>;

    /// Records a try of a call.
    fn call_result(
        &self,
        id: i64,
        result: CallResult,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

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
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.expand_messages(vec![(message_id, deliveries)])
    }

    /// Replaces each message by its deliveries, all in one transaction: a
    /// backlog is expanded with one commit per slice, not one per message.
    fn expand_messages(
        &self,
        messages: Vec<(i64, Vec<NewDelivery>)>,
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

    /// Claims the deliveries `ids` (just read from
    /// [`OutboxStore::due_deliveries`]) for the caller until `until`, as
    /// [`OutboxStore::claim_calls`] does calls: each is sent by the one node
    /// that claimed it.
    fn claim_deliveries(
        &self,
        ids: Vec<i64>,
        now: i64,
        until: i64,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>>;

    /// How many deliveries of a tenant (of every tenant for `None`) wait to
    /// be sent, by channel.
    fn pending_deliveries(
        &self,
        tenant_id: Option<i64>,
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

    /// Gives the tenant's failed deliveries a new round of attempts from
    /// `now` (after the mail or SMS settings were fixed), audited. Returns
    /// how many.
    fn retry_failed_deliveries(
        &self,
        tenant_id: i64,
        actor: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>>;
}

// ---------------------------------------------------------------------------
// What the outbox's rows mean, the same on every backend: backends only
// read and write the rows.
// ---------------------------------------------------------------------------

/// The document a delivery carries: the message's, for an e-mail only (an
/// SMS carries no file).
pub(super) fn enclosed(attachment: Option<i64>, channel: &str) -> Option<i64> {
    attachment.filter(|_| channel == "email")
}

/// The document an e-mail carries, from its attachment's columns (all
/// `None` when it carries none).
pub(super) fn enclosure(
    name: Option<String>,
    media_type: Option<String>,
    sha256: Option<String>,
) -> Option<Enclosure> {
    match (name, media_type, sha256) {
        (Some(name), Some(media_type), Some(sha256)) => Some(Enclosure {
            name,
            media_type,
            sha256,
        }),
        _ => None,
    }
}

/// A request's due date as stored (ISO text).
pub(super) fn stored_due_date(request_id: i64, text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("request {request_id}: due_date: {e}")))
}

/// Whether the requester asked for news by SMS, from its
/// `requester/smsUpdates` value.
pub(super) fn wants_sms(value: Option<&str>) -> bool {
    value == Some("true")
}

/// A call's body as stored (`json`, `file`).
pub(super) fn stored_call_body(
    call_id: i64,
    name: &str,
) -> Result<crate::core::workflow::CallBody, StoreError> {
    crate::core::workflow::CallBody::from_name(name)
        .ok_or_else(|| StoreError::Corrupt(format!("call {call_id}: body {name:?}")))
}

/// The journal entry's detail when failed deliveries are given a new round.
pub(super) fn retried_detail(count: usize) -> String {
    format!("{count} failed deliveries sent again")
}
