//! The statistics' saved queries, their subscribers, and the monthly
//! reports queued for them.

use super::{BoxFuture, NewDelivery, StoreError};
use crate::core::saved_query::{SavedQuery, StatQuery};

/// A query to save under its owner's name for it.
#[derive(Debug, Clone)]
pub struct NewSavedQuery {
    pub owner: String,
    pub name: String,
    pub shared_with: Option<String>,
    pub query: StatQuery,
}

/// A monthly report to queue: the e-mail already written, for one
/// subscriber of one query and one month.
#[derive(Debug, Clone)]
pub struct QueuedReport {
    pub query_id: i64,
    pub agent: String,
    /// `YYYY-MM`.
    pub month: String,
    pub mail: NewDelivery,
}

pub trait QueryStore: Send + Sync {
    /// The tenant's saved queries with their subscribers, by name then
    /// owner.
    fn saved_queries(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<SavedQuery>, StoreError>>;

    /// Saves a query under its owner and name, replacing the one of that
    /// name (its subscribers kept); its id.
    fn save_query(
        &self,
        tenant_id: i64,
        query: NewSavedQuery,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>>;

    /// Removes a query and its subscriptions; whether there was one.
    fn delete_query(&self, tenant_id: i64, id: i64) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Subscribes an agent to a query's monthly report, the first one to
    /// come after `reported` (`YYYY-MM`, the month already covered), or
    /// unsubscribes them (`None`). Whether the query exists.
    fn subscribe(
        &self,
        tenant_id: i64,
        id: i64,
        agent: String,
        reported: Option<String>,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// The (query id, agent) subscriptions of a tenant not yet reported
    /// for `month`.
    fn unreported(
        &self,
        tenant_id: i64,
        month: String,
    ) -> BoxFuture<'_, Result<Vec<(i64, String)>, StoreError>>;

    /// Queues a report: marks its subscription reported for its month and
    /// writes its e-mail to the outbox, in one transaction, unless the
    /// subscription is gone or already reported for that month (another
    /// node sent it). Whether it was queued.
    fn queue_report(
        &self,
        tenant_id: i64,
        report: QueuedReport,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;
}

/// A stored query's text read back.
pub(super) fn stored_query(id: i64, text: &str) -> Result<StatQuery, StoreError> {
    StatQuery::parse(text)
        .map_err(|e| StoreError::Corrupt(format!("saved query {id}: bad {}", e.field)))
}

/// Saved queries read as (id, name, owner, shared with, query text) rows
/// and (query id, agent) subscriptions, put together.
pub(super) fn assemble(
    rows: Vec<(i64, String, String, Option<String>, String)>,
    subscriptions: Vec<(i64, String)>,
) -> Result<Vec<SavedQuery>, StoreError> {
    rows.into_iter()
        .map(|(id, name, owner, shared_with, text)| {
            Ok(SavedQuery {
                id,
                query: stored_query(id, &text)?,
                name,
                owner,
                shared_with,
                subscribers: subscriptions
                    .iter()
                    .filter(|(q, _)| *q == id)
                    .map(|(_, a)| a.clone())
                    .collect(),
            })
        })
        .collect()
}
