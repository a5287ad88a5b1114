//! What the statistics read: one row per request of a tenant that counts
//! in a period (`crate::core::stats` turns them into figures).

use super::console::{ConsoleArg, ConsoleFilter};
use super::{BoxFuture, StoreError};
use crate::core::stats::{Day, Name, Names};
use jiff::Timestamp;

/// A request as statistics read it: the columns kept with every request in
/// the transaction that records its history. Small, since a large town's
/// year is a million of them: names interned in [`StatRows::names`], times
/// as Unix seconds (the town's time zone is the caller's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatRow {
    pub service_code: Name,
    pub channel: Name,
    pub department: Name,
    /// Unix seconds.
    pub submitted_at: i64,
    pub due_date: Day,
    pub step: Name,
    /// When it entered its current step (when it closed, for a finished
    /// one), in Unix seconds.
    pub entered_at: i64,
    pub finished: bool,
    pub waiting: bool,
    /// The requester's kind.
    pub kind: Name,
    /// The district's code (`""`: none).
    pub district: Name,
}

/// The rows [`StatsStore::stat_rows`] read, and the names they use.
#[derive(Debug, Clone, Default)]
pub struct StatRows {
    pub names: Names,
    pub rows: Vec<StatRow>,
}

/// One [`StatRow`] as a backend's driver gives its columns
/// (`STAT_COLUMNS`, in order, as bytes: text is checked only when a name is
/// new).
pub(super) struct StatColumns<'a> {
    pub service_code: &'a [u8],
    pub channel: &'a [u8],
    pub department: &'a [u8],
    pub submitted_at: &'a [u8],
    pub due_date: &'a [u8],
    pub step: &'a [u8],
    pub entered_at: &'a [u8],
    pub finished: bool,
    pub waiting: bool,
    pub kind: &'a [u8],
    pub district: &'a [u8],
}

/// The previous value of each name column: rows come in the order of the
/// statistics index, so a name is mostly the one of the row before and is
/// compared before it is looked up.
#[derive(Default)]
pub(super) struct LastNames([Option<(Vec<u8>, Name)>; 6]);

impl StatRows {
    fn name(
        &mut self,
        last: &mut Option<(Vec<u8>, Name)>,
        column: &'static str,
        text: &[u8],
    ) -> Result<Name, &'static str> {
        if let Some((t, n)) = last
            && t == text
        {
            return Ok(*n);
        }
        let n = self
            .names
            .intern(std::str::from_utf8(text).map_err(|_| column)?);
        *last = Some((text.to_owned(), n));
        Ok(n)
    }

    /// The rows of several reads in one, names interned once.
    pub fn merge(parts: Vec<StatRows>) -> StatRows {
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for part in parts {
            let names: Vec<Name> = (0..part.names.len())
                .map(|i| all.names.intern(part.names.get(Name::nth(i))))
                .collect();
            let name = |n: Name| names[n.index()];
            all.rows.extend(part.rows.iter().map(|r| StatRow {
                service_code: name(r.service_code),
                channel: name(r.channel),
                department: name(r.department),
                step: name(r.step),
                kind: name(r.kind),
                district: name(r.district),
                ..*r
            }));
        }
        all
    }

    /// Adds a row; a column that does not read is named in the error.
    pub(super) fn push(
        &mut self,
        last: &mut LastNames,
        c: StatColumns<'_>,
    ) -> Result<(), &'static str> {
        let [service, channel, department, step, kind, district] = &mut last.0;
        let row = StatRow {
            service_code: self.name(service, "service_code", c.service_code)?,
            channel: self.name(channel, "channel", c.channel)?,
            department: self.name(department, "department", c.department)?,
            submitted_at: unix_seconds(c.submitted_at).ok_or("submitted_at")?,
            due_date: day(c.due_date).ok_or("due_date")?,
            step: self.name(step, "step", c.step)?,
            entered_at: unix_seconds(c.entered_at).ok_or("entered_at")?,
            finished: c.finished,
            waiting: c.waiting,
            kind: self.name(kind, "requester_kind", c.kind)?,
            district: self.name(district, "district", c.district)?,
        };
        self.rows.push(row);
        Ok(())
    }
}

/// The error of a row that did not read, naming its request.
pub(super) fn corrupt_row(id: i64, column: &str) -> StoreError {
    StoreError::Corrupt(format!("request {id}: {column} does not read"))
}

/// Digits of `b[range]` as a number.
fn digits(b: &[u8], range: std::ops::Range<usize>) -> Option<u32> {
    b.get(range)?.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD` at the start of `b`, checked.
fn ymd(b: &[u8]) -> Option<Day> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (digits(b, 0..4)?, digits(b, 5..7)?, digits(b, 8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = Day::from_ymd(y as i32, m, d);
    (d <= 28 || day.ymd() == (y as i32, m, d)).then_some(day)
}

/// A stored time as Unix seconds: the text the store writes
/// (`2026-11-22T10:00:00Z`, a fraction of a second ignored) read without a
/// general parser, which statistics would pay a million times; any other
/// spelling jiff reads.
fn unix_seconds(b: &[u8]) -> Option<i64> {
    let fast = || {
        let n = b.len();
        let shaped = n >= 20
            && [(10, b'T'), (13, b':'), (16, b':')]
                .iter()
                .all(|&(i, c)| b[i] == c)
            && b[n - 1] == b'Z'
            && (n == 20 || (b[19] == b'.' && digits(b, 20..n - 1).is_some()));
        if !shaped {
            return None;
        }
        let day = ymd(b)?;
        let (h, mi, s) = (digits(b, 11..13)?, digits(b, 14..16)?, digits(b, 17..19)?);
        (h < 24 && mi < 60 && s < 60)
            .then(|| i64::from(day.0) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
    };
    fast().or_else(|| {
        let t: Timestamp = std::str::from_utf8(b).ok()?.parse().ok()?;
        Some(t.as_second())
    })
}

/// A stored date.
fn day(b: &[u8]) -> Option<Day> {
    if b.len() == 10
        && let Some(d) = ymd(b)
    {
        return Some(d);
    }
    let d: jiff::civil::Date = std::str::from_utf8(b).ok()?.parse().ok()?;
    Some(Day::of(d))
}

/// Which free texts [`StatsStore::free_texts`] reads: the values at
/// `paths` of each service, of the requests received in `[from, to)`.
#[derive(Debug, Clone)]
pub struct TextQuery {
    pub tenant_id: i64,
    pub departments: Option<Vec<String>>,
    pub from: Timestamp,
    pub to: Timestamp,
    /// (service code, value path).
    pub paths: Vec<(String, String)>,
    /// The most recent ones only.
    pub limit: u32,
}

pub trait StatsStore: Send + Sync {
    /// The free texts `query` names (test requests left out), newest first:
    /// (service code, text).
    fn free_texts(
        &self,
        query: TextQuery,
    ) -> BoxFuture<'_, Result<Vec<(String, String)>, StoreError>>;

    /// The tenant's requests (test ones left out) that were submitted at or
    /// after `since`, entered their current step at or after it, or are
    /// still open; of `departments` only when given (none for an empty
    /// list).
    fn stat_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        since: Timestamp,
    ) -> BoxFuture<'_, Result<StatRows, StoreError>>;
}

/// The SQL of [`StatsStore::free_texts`] (`r` the requests, `v` their
/// values), `None` when it can match nothing; placeholders spelled by
/// `placeholder(n)`.
pub(super) fn text_filter(
    q: &TextQuery,
    placeholder: &dyn Fn(usize) -> String,
) -> Option<ConsoleFilter> {
    if q.paths.is_empty() || q.departments.as_ref().is_some_and(Vec::is_empty) {
        return None;
    }
    let mut f = ConsoleFilter {
        sql: String::new(),
        args: Vec::new(),
    };
    let tenant = f.bind(placeholder, ConsoleArg::Int(q.tenant_id));
    let from = f.bind(placeholder, ConsoleArg::Text(q.from.to_string()));
    let to = f.bind(placeholder, ConsoleArg::Text(q.to.to_string()));
    let mut clauses = vec![
        format!("r.tenant_id = {tenant}"),
        "r.test = 0".to_owned(),
        format!("r.submitted_at >= {from}"),
        format!("r.submitted_at < {to}"),
    ];
    if let Some(departments) = &q.departments {
        let marks: Vec<String> = departments
            .iter()
            .map(|d| f.bind(placeholder, ConsoleArg::Text(d.clone())))
            .collect();
        clauses.push(format!("r.department IN ({})", marks.join(", ")));
    }
    let paths: Vec<String> = q
        .paths
        .iter()
        .map(|(service, path)| {
            let s = f.bind(placeholder, ConsoleArg::Text(service.clone()));
            let p = f.bind(placeholder, ConsoleArg::Text(path.clone()));
            format!("(r.service_code = {s} AND v.path = {p})")
        })
        .collect();
    clauses.push(format!("({})", paths.join(" OR ")));
    let limit = f.bind(placeholder, ConsoleArg::Int(i64::from(q.limit)));
    f.sql = format!(
        "SELECT r.service_code, v.value FROM requests r JOIN request_values v ON v.request_id = r.id
         WHERE {} ORDER BY r.id DESC LIMIT {limit}",
        clauses.join(" AND ")
    );
    Some(f)
}

/// The columns of a [`StatRow`], in its order.
pub(super) const STAT_COLUMNS: &str = "service_code, channel, department, submitted_at, due_date, step, entered_at, finished, waiting, requester_kind, district, id";

/// The `WHERE` of [`StatsStore::stat_rows`] (on `requests`), `None` when it
/// can match nothing; placeholders spelled by `placeholder(n)`.
/// With `part` `(k, n)`, of the requests whose id is `k` modulo `n` only:
/// `n` reads side by side, each of a share of the rows.
pub(super) fn stat_filter(
    tenant_id: i64,
    departments: Option<&[String]>,
    since: Timestamp,
    part: Option<(usize, usize)>,
    placeholder: &dyn Fn(usize) -> String,
) -> Option<ConsoleFilter> {
    let mut f = ConsoleFilter {
        sql: String::new(),
        args: Vec::new(),
    };
    let tenant = f.bind(placeholder, ConsoleArg::Int(tenant_id));
    let since = f.bind(placeholder, ConsoleArg::Text(since.to_string()));
    let mut clauses = vec![
        format!("tenant_id = {tenant}"),
        "test = 0".to_owned(),
        format!("(finished = 0 OR submitted_at >= {since} OR entered_at >= {since})"),
    ];
    if let Some(departments) = departments {
        if departments.is_empty() {
            return None;
        }
        let marks: Vec<String> = departments
            .iter()
            .map(|d| f.bind(placeholder, ConsoleArg::Text(d.clone())))
            .collect();
        clauses.push(format!("department IN ({})", marks.join(", ")));
    }
    if let Some((k, n)) = part {
        clauses.push(format!("id % {n} = {k}"));
    }
    f.sql = clauses.join(" AND ");
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_and_dates_read_as_jiff_reads_them() {
        for text in [
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:00:00.123456789Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59Z",
            "2026-03-29T01:00:00+02:00",
        ] {
            let t: Timestamp = text.parse().unwrap();
            assert_eq!(unix_seconds(text.as_bytes()), Some(t.as_second()), "{text}");
        }
        for bad in [
            "2026-02-30T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "yesterday",
            "",
        ] {
            assert_eq!(unix_seconds(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(
            day(b"2026-11-22"),
            Some(Day::of(jiff::civil::date(2026, 11, 22)))
        );
        assert_eq!(day(b"2025-02-29"), None);
        assert_eq!(
            day(b"2024-02-29").and_then(|d| d.date()),
            Some(jiff::civil::date(2024, 2, 29))
        );
    }
}
