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
    /// Only requests in one of these districts (a district, or a sector's).
    pub districts: Option<Vec<String>>,
    /// Only requests with a point (the map's).
    pub located: bool,
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
    /// The district of the town it is in (`""`: none).
    pub district: String,
    /// The point its address gave.
    pub point: Option<crate::core::places::Point>,
}

pub trait ConsoleStore: Send + Sync {
    /// One page of the console and the number of matching requests.
    fn console(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<(u64, Vec<ConsoleRow>), StoreError>>;
}

// ---------------------------------------------------------------------------
// Which requests a console query chooses, the same on every backend: the
// filter and the order, written with the backend's placeholders and its
// way of spelling a reference as text. Backends run it and read the rows.
// ---------------------------------------------------------------------------

/// The columns of a console row, in the order both backends read them.
pub(super) const CONSOLE_COLUMNS: &str =
    "year, number, service_code, service_version, channel, step, department,
     requester_name, submitted_at, due_date, waiting, finished, id, test, unread, district,
     longitude, latitude";

/// The point of a row's `longitude, latitude`, when it has both.
pub(super) fn point(lon: Option<f64>, lat: Option<f64>) -> Option<crate::core::places::Point> {
    Some(crate::core::places::Point {
        lon: lon?,
        lat: lat?,
    })
}

/// `%text%` for LIKE on folded text, with LIKE's own characters escaped by `\`.
pub(super) fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A value bound to a console filter's placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ConsoleArg {
    Int(i64),
    Text(String),
}

/// The `WHERE` of a console query (on `requests`) and the values of its
/// placeholders, numbered from 1 in order.
pub(super) struct ConsoleFilter {
    pub sql: String,
    pub args: Vec<ConsoleArg>,
}

impl ConsoleFilter {
    /// Binds one more value, returning its placeholder.
    pub(super) fn bind(
        &mut self,
        placeholder: &dyn Fn(usize) -> String,
        arg: ConsoleArg,
    ) -> String {
        self.args.push(arg);
        placeholder(self.args.len())
    }
}

/// The requests of `q`, `None` when it can match none (no department
/// allowed). `placeholder(n)` spells the n-th parameter (`?n`, `$n`);
/// `reference_text` is the SQL of a request's reference as `YYYY-NNNNNN`;
/// `fold(text)` is the backend's SQL function for folded text.
pub(super) fn console_filter(
    tenant_id: i64,
    q: &ConsoleQuery,
    placeholder: &dyn Fn(usize) -> String,
    reference_text: &str,
) -> Option<ConsoleFilter> {
    let mut f = ConsoleFilter {
        sql: String::new(),
        args: Vec::new(),
    };
    let mut clauses = vec![format!(
        "tenant_id = {}",
        f.bind(placeholder, ConsoleArg::Int(tenant_id))
    )];
    if let Some(departments) = &q.departments {
        if departments.is_empty() {
            return None;
        }
        // A department sees its requests, and those it is asked to validate.
        let marks: Vec<String> = departments
            .iter()
            .map(|d| f.bind(placeholder, ConsoleArg::Text(d.clone())))
            .collect();
        let marks = marks.join(", ");
        clauses.push(format!(
            "(department IN ({marks}) OR validation_to IN ({marks}))"
        ));
    }
    match q.state {
        StateFilter::Open => clauses.push("finished = 0".into()),
        StateFilter::Waiting => clauses.push("finished = 0 AND waiting = 1".into()),
        StateFilter::Finished => clauses.push("finished = 1".into()),
        StateFilter::All => {}
    }
    for (column, value) in [
        ("service_code", &q.service),
        ("department", &q.department),
        ("channel", &q.channel),
    ] {
        if let Some(v) = value {
            let mark = f.bind(placeholder, ConsoleArg::Text(v.clone()));
            clauses.push(format!("{column} = {mark}"));
        }
    }
    if let Some(districts) = &q.districts {
        if districts.is_empty() {
            return None;
        }
        let marks: Vec<String> = districts
            .iter()
            .map(|d| f.bind(placeholder, ConsoleArg::Text(d.clone())))
            .collect();
        clauses.push(format!("district IN ({})", marks.join(", ")));
    }
    if q.located {
        clauses.push("latitude IS NOT NULL".into());
    }
    if let Some(day) = q.due_before {
        let mark = f.bind(placeholder, ConsoleArg::Text(day.to_string()));
        clauses.push(format!("finished = 0 AND due_date < {mark}"));
    }
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = f.bind(placeholder, ConsoleArg::Text(like_pattern(text)));
        clauses.push(format!(
            "({reference_text} LIKE {p} ESCAPE '\\' OR fold(requester_name) LIKE {p} ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM request_values v WHERE v.request_id = requests.id AND fold(v.value) LIKE {p} ESCAPE '\\'))"
        ));
    }
    f.sql = clauses.join(" AND ");
    Some(f)
}

/// The `ORDER BY` of a console query.
pub(super) fn console_order(q: &ConsoleQuery) -> String {
    let dir = if q.descending { "DESC" } else { "ASC" };
    match q.sort {
        SortKey::Reference => format!("year {dir}, number {dir}"),
        SortKey::Service => format!("service_code {dir}, id {dir}"),
        SortKey::Received => format!("id {dir}"),
        SortKey::Due => format!("due_date {dir}, id {dir}"),
    }
}
