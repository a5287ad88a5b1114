//! Messages received by e-mail or SMS: kept once each, as a reply written on
//! a request or as an item of the qualification queue, where an agent makes
//! it a request (in the request's storing transaction: see
//! [`NewRequest::inbound`](crate::core::intake::NewRequest)), a reply on a
//! request, forwards it to another department or files it.

use super::{BoxFuture, StoreError};
use crate::core::files::FileValue;
use crate::core::tracking::Reference;
use jiff::Timestamp;

/// A message as received.
#[derive(Debug, Clone)]
pub struct NewInbound {
    /// `email` or `sms`.
    pub channel: &'static str,
    /// The mailbox's name, `sms` for the provider's callback.
    pub source: String,
    /// The Message-ID, the provider's id: a message is kept once.
    pub external_id: Option<String>,
    /// An address (lower case) or a phone (national digits).
    pub sender: String,
    pub sender_name: String,
    pub subject: String,
    pub body: String,
    /// Routed by the town's rules.
    pub department: Option<String>,
    pub service_code: Option<String>,
    /// Already known as a reply on this request (its reply token checked):
    /// kept as such, not queued.
    pub reply_to: Option<Reference>,
    /// Its files, their bytes already in the blob store.
    pub files: Vec<FileValue>,
    /// The acknowledgement to queue with it, to the sender (the outbox's
    /// `inbound` messages): its template.
    pub acknowledge: Option<&'static str>,
}

/// What keeping a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Kept under this id.
    Kept(i64),
    /// Seen already (the same id from the same channel): nothing done.
    Duplicate,
}

/// A file a message brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFile {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
}

/// A message as agents see it.
#[derive(Debug, Clone)]
pub struct InboundItem {
    pub id: i64,
    pub channel: String,
    pub source: String,
    pub sender: String,
    pub sender_name: String,
    pub subject: String,
    pub body: String,
    pub received_at: Timestamp,
    pub department: Option<String>,
    pub service_code: Option<String>,
    /// `new`, `request`, `reply`, `filed`.
    pub state: String,
    pub request: Option<Reference>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub files: Vec<InboundFile>,
}

/// What an agent does with an item of the queue (besides making it a
/// request, which the request's storing does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundDecision {
    /// Not a request (thanks, advertising): kept, out of the queue.
    Filed,
    /// To another department's queue.
    Forward(String),
    /// Written on the request as its requester's reply (the use case writes
    /// the reply first); its files join the request's.
    Replied(Reference),
    /// Back in the queue (a reply the request could not take).
    Queued,
}

pub trait InboundStore: Send + Sync {
    /// Keeps a message, with its files and its acknowledgement, in one
    /// transaction.
    fn receive_inbound(
        &self,
        tenant_id: i64,
        message: NewInbound,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Received, StoreError>>;

    /// The queue's items (state `new`) of these departments and those
    /// routed to none (every department's when `None`), oldest first,
    /// `limit` at most, and how many there are.
    fn inbound_queue(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<InboundItem>, u64), StoreError>>;

    fn inbound_item(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<InboundItem>, StoreError>>;

    /// The message a request was made of (by an agent, from the queue),
    /// if it was.
    fn inbound_of_request(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>>;

    /// Applies an agent's decision (`actor`) to an item still in the queue
    /// (or, for [`InboundDecision::Queued`], kept as a reply), audited;
    /// false when it is not there any more.
    fn decide_inbound(
        &self,
        tenant_id: i64,
        id: i64,
        decision: InboundDecision,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;
}

/// The columns of an [`InboundItem`] but its files and request, in order.
pub(super) const INBOUND_COLUMNS: &str = "i.id, i.channel, i.source, i.sender, i.sender_name, i.subject, i.body, i.received_at, i.department, i.service_code, i.state, r.year, r.number, i.decided_by, i.decided_at";
