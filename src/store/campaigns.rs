//! Lists' subscribers, campaigns and each recipient's send (see
//! [`crate::core::campaigns`]): a campaign is stored with one send per
//! active subscriber in one transaction; senders claim due sends, record
//! what the provider or the mail server said, and receipts mark them
//! delivered or failed.

use super::{BoxFuture, StoreError};
use crate::core::campaigns::Figures;
use jiff::Timestamp;

/// A message to the subscriber queued with a subscription's change (the
/// outbox's `alerts` messages): its template, and the link it carries
/// (`link_prefix` followed by the subscriber's token), if any.
#[derive(Debug, Clone)]
pub struct Notice {
    pub template: &'static str,
    pub link_prefix: Option<String>,
}

/// A subscription asked for.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub list: String,
    /// `sms` or `email`.
    pub channel: &'static str,
    /// An e-mail (lower case) or a phone (national digits).
    pub address: String,
    /// `web`, `sms`, `counter`.
    pub source: &'static str,
    /// Waits for its address's confirmation (a web subscription).
    pub pending: bool,
    /// A fresh random token, kept unless the subscriber has one.
    pub token: String,
    /// Who did it, audited (an agent at the counter).
    pub actor: Option<String>,
    pub notice: Option<Notice>,
}

/// What subscribing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// Subscribed now (or again), active.
    Active,
    /// Waiting for the confirmation its notice asks for.
    Pending,
    /// Active already: nothing changed, nothing sent.
    Already,
}

/// A subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub id: i64,
    pub list: String,
    pub channel: String,
    pub address: String,
    pub source: String,
    /// `pending`, `active`, `stopped`.
    pub state: String,
    pub token: String,
    pub created_at: Timestamp,
}

/// How many subscribers a list has by one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCount {
    pub list: String,
    pub channel: String,
    pub active: u64,
    pub pending: u64,
}

/// A campaign as its author wrote it, checked.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub list: String,
    pub channel: &'static str,
    pub subject: String,
    pub text: String,
    pub parts: u32,
    /// `agent:LOGIN`, audited.
    pub actor: String,
}

/// A campaign and its figures.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub list: String,
    pub channel: String,
    pub subject: String,
    pub text: String,
    pub parts: u32,
    pub created_by: String,
    pub created_at: Timestamp,
    /// `sending`, `sent`.
    pub state: String,
    pub finished_at: Option<Timestamp>,
    pub figures: Figures,
    /// Left the list before their turn.
    pub cancelled: u64,
}

/// One recipient of a campaign, as the campaign's page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub address: String,
    pub state: String,
    pub attempts: u32,
    pub error: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub receipt_at: Option<Timestamp>,
}

/// A send a sender claimed.
#[derive(Debug, Clone)]
pub struct DueSend {
    pub id: i64,
    pub tenant_id: i64,
    pub campaign_id: i64,
    pub list: String,
    pub channel: String,
    pub address: String,
    /// The subscriber's token, for the e-mail's link to leave the list.
    pub token: String,
    pub subject: String,
    pub text: String,
    /// Tries before this one.
    pub attempts: u32,
}

/// What became of a claimed send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Taken by the provider (its id of the message, if it gave one) or
    /// the mail server.
    Sent(Option<String>),
    /// Refused for good (a number the provider rejects).
    Failed(String),
    /// To try again at this time (Unix seconds).
    Retry(String, i64),
}

/// Which send a receipt names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptKey {
    /// The provider's id of the SMS.
    Provider(String),
    /// The reference Guichet gave it (`{ref}`): the send's id.
    Ours(i64),
}

pub trait CampaignStore: Send + Sync {
    /// Subscribes an address to a list (again, after it left), with its
    /// notice, audited when an agent did it.
    fn subscribe_to_list(
        &self,
        tenant_id: i64,
        subscription: NewSubscription,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Subscribed, StoreError>>;

    fn subscriber(
        &self,
        tenant_id: i64,
        token: String,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>>;

    /// A pending subscriber made active by its link; the subscriber as it
    /// is then (`None` for a token nobody has).
    fn confirm_subscriber(
        &self,
        tenant_id: i64,
        token: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>>;

    /// The subscriber of this token leaves its list: stopped, its queued
    /// sends cancelled.
    fn leave(
        &self,
        tenant_id: i64,
        token: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>>;

    /// A phone leaves every list (`STOP`) or one: stopped, queued sends
    /// cancelled, the notice queued when it was on one; how many it left.
    fn stop_phone(
        &self,
        tenant_id: i64,
        phone: String,
        list: Option<String>,
        notice: Option<Notice>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// Every subscription of an address (an e-mail in lower case, a phone
    /// in national digits) to the town's lists, oldest first: what a
    /// person's data holds of them.
    fn subscriptions_of(
        &self,
        tenant_id: i64,
        address: String,
    ) -> BoxFuture<'_, Result<Vec<Subscriber>, StoreError>>;

    /// Active and pending subscribers per list and channel.
    fn list_counts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<ListCount>, StoreError>>;

    /// The subscribers of a list, newest first, `limit` at most.
    fn subscribers(
        &self,
        tenant_id: i64,
        list: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Subscriber>, StoreError>>;

    /// Stores a campaign with one queued send per active subscriber of its
    /// list and channel, audited, in one transaction: its id and how many
    /// recipients it has.
    fn create_campaign(
        &self,
        tenant_id: i64,
        campaign: NewCampaign,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(i64, u64), StoreError>>;

    /// The town's campaigns, newest first, of these lists only (every
    /// list's when `None`), with their figures.
    fn campaigns(
        &self,
        tenant_id: i64,
        lists: Option<Vec<String>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Campaign>, StoreError>>;

    fn campaign(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<Campaign>, StoreError>>;

    /// A campaign's recipients in order, `limit` at most.
    fn campaign_recipients(
        &self,
        tenant_id: i64,
        id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Recipient>, StoreError>>;

    /// Claims up to `limit` sends due at `now` (Unix seconds), oldest
    /// first, until `until`: another sender (node) does not take them in
    /// the meantime, and a sender that dies leaves them due again then.
    fn claim_sends(
        &self,
        now: i64,
        until: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<DueSend>, StoreError>>;

    /// Records what became of claimed sends, in one transaction; a
    /// campaign none of whose sends is queued any more is `sent`.
    fn record_sends(
        &self,
        outcomes: Vec<(i64, SendOutcome)>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// A provider's receipt: the send delivered or failed (a receipt for a
    /// send still queued or sent; a later one does not undo a final
    /// state); false when no send has that key.
    fn record_receipt(
        &self,
        tenant_id: i64,
        key: ReceiptKey,
        delivered: bool,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;
}

/// The columns of a [`Subscriber`], in order.
pub(super) const SUBSCRIBER_COLUMNS: &str =
    "id, list_code, channel, address, source, state, token, created_at";

/// The columns of a [`Campaign`] but its figures, in order.
pub(super) const CAMPAIGN_COLUMNS: &str = "id, list_code, channel, subject, body, parts, created_by, created_at, state, finished_at, recipients";

/// The figures of a campaign from its sends' counts by state.
pub(super) fn figures(recipients: u64, counts: &[(String, u64)]) -> (Figures, u64) {
    let count = |s: &str| {
        counts
            .iter()
            .filter(|(state, _)| state == s)
            .map(|(_, n)| *n)
            .sum::<u64>()
    };
    (
        Figures {
            recipients,
            queued: count("queued"),
            sent: count("sent"),
            delivered: count("delivered"),
            failed: count("failed"),
        },
        count("cancelled"),
    )
}

/// The error text kept of a send, short.
pub(super) fn short_error(e: &str) -> String {
    e.chars().take(300).collect()
}
