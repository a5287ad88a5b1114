//! The agents' console: the requests an agent may see, filtered, sorted, paged.

use super::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use jiff::Timestamp;
use jiff::civil::Date;

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
    /// Made while its service was in test.
    pub test: bool,
    /// The citizen replied and no agent has opened it since.
    pub unread: bool,
}

pub trait ConsoleStore: Send + Sync {
    /// One page of the console and the number of matching requests.
    fn console(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<(u64, Vec<ConsoleRow>), StoreError>>;
}
