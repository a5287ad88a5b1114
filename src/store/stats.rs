//! What the statistics read: one row per request of a tenant that counts
//! in a period (`crate::core::stats` turns them into figures).

use super::console::{ConsoleArg, ConsoleFilter};
use super::{BoxFuture, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;

/// A request as statistics read it: the columns kept with every request in
/// the transaction that records its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub service_code: String,
    pub channel: String,
    pub department: String,
    pub submitted_at: Timestamp,
    pub due_date: Date,
    pub step: String,
    /// When it entered its current step (when it closed, for a finished one).
    pub entered_at: Timestamp,
    pub finished: bool,
    pub waiting: bool,
}

pub trait StatsStore: Send + Sync {
    /// The tenant's requests (test ones left out) that were submitted at or
    /// after `since`, entered their current step at or after it, or are
    /// still open; of `departments` only when given (none for an empty
    /// list).
    fn stat_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        since: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<StatRow>, StoreError>>;
}

/// The columns of a [`StatRow`], in its order.
pub(super) const STAT_COLUMNS: &str = "service_code, channel, department, submitted_at, due_date, step, entered_at, finished, waiting, id";

/// The `WHERE` of [`StatsStore::stat_rows`] (on `requests`), `None` when it
/// can match nothing; placeholders spelled by `placeholder(n)`.
pub(super) fn stat_filter(
    tenant_id: i64,
    departments: Option<&[String]>,
    since: Timestamp,
    placeholder: &dyn Fn(usize) -> String,
) -> Option<ConsoleFilter> {
    let mut f = ConsoleFilter {
        sql: String::new(),
        args: vec![
            ConsoleArg::Int(tenant_id),
            ConsoleArg::Text(since.to_string()),
        ],
    };
    let mut clauses = vec![
        format!("tenant_id = {}", placeholder(1)),
        "test = 0".to_owned(),
        format!(
            "(finished = 0 OR submitted_at >= {p} OR entered_at >= {p})",
            p = placeholder(2)
        ),
    ];
    if let Some(departments) = departments {
        if departments.is_empty() {
            return None;
        }
        let marks: Vec<String> = departments
            .iter()
            .map(|d| {
                f.args.push(ConsoleArg::Text(d.clone()));
                placeholder(f.args.len())
            })
            .collect();
        clauses.push(format!("department IN ({})", marks.join(", ")));
    }
    f.sql = clauses.join(" AND ");
    Some(f)
}
