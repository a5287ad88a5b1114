//! SQL of the agents' console: the requests an agent may see, filtered, sorted, paged.

use super::SqliteStore;
use super::requests::parse_time;
use crate::core::tracking::Reference;
use crate::store::*;
use rusqlite::types::ToSql;
use rusqlite::{Connection, params_from_iter};

impl ConsoleStore for SqliteStore {
    fn console(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<(u64, Vec<ConsoleRow>), StoreError>> {
        self.read(move |conn| console(conn, tenant_id, &query))
    }
}

/// `fold(text)`: the text in lower case, for every alphabet (SQLite's own
/// LIKE folds ASCII letters only, so "éluard" would not find "Éluard").
pub(super) fn register_fold(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                rusqlite::types::ValueRef::Text(t) => {
                    Some(String::from_utf8_lossy(t).to_lowercase())
                }
                _ => None,
            })
        },
    )
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

pub(super) fn console(
    conn: &Connection,
    tenant_id: i64,
    q: &ConsoleQuery,
) -> Result<(u64, Vec<ConsoleRow>), StoreError> {
    let mut clauses = vec!["tenant_id = ?".to_owned()];
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(tenant_id)];
    if let Some(departments) = &q.departments {
        if departments.is_empty() {
            return Ok((0, Vec::new()));
        }
        // A department sees its requests, and those it is asked to validate.
        let marks = vec!["?"; departments.len()].join(", ");
        clauses.push(format!(
            "(department IN ({marks}) OR validation_to IN ({marks}))"
        ));
        for _ in 0..2 {
            for d in departments {
                args.push(Box::new(d.clone()));
            }
        }
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
            clauses.push(format!("{column} = ?"));
            args.push(Box::new(v.clone()));
        }
    }
    if let Some(day) = q.due_before {
        clauses.push("finished = 0 AND due_date < ?".into());
        args.push(Box::new(day.to_string()));
    }
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push(
            "(printf('%04d-%06d', year, number) LIKE ?1x ESCAPE '\\' OR fold(requester_name) LIKE ?1x ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM request_values v WHERE v.request_id = requests.id AND fold(v.value) LIKE ?1x ESCAPE '\\'))"
                .replace("?1x", "?"),
        );
        let pattern = like_pattern(text);
        for _ in 0..3 {
            args.push(Box::new(pattern.clone()));
        }
    }
    let filter = clauses.join(" AND ");
    let total: i64 = conn
        .prepare(&format!("SELECT count(*) FROM requests WHERE {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    let total = total.max(0) as u64;
    let dir = if q.descending { "DESC" } else { "ASC" };
    let order = match q.sort {
        SortKey::Reference => format!("year {dir}, number {dir}"),
        SortKey::Service => format!("service_code {dir}, id {dir}"),
        SortKey::Received => format!("id {dir}"),
        SortKey::Due => format!("due_date {dir}, id {dir}"),
    };
    let sql = format!(
        "SELECT year, number, service_code, service_version, channel, step, department,
                requester_name, submitted_at, due_date, waiting, finished, id, test, unread
         FROM requests WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
    );
    args.push(Box::new(q.limit));
    args.push(Box::new(q.offset));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(12)?;
        let submitted: String = row.get(8)?;
        let due: String = row.get(9)?;
        out.push(ConsoleRow {
            reference: Reference {
                year: row.get(0)?,
                number: row.get(1)?,
            },
            service_code: row.get(2)?,
            service_version: row.get(3)?,
            channel: row.get(4)?,
            step: row.get(5)?,
            department: row.get(6)?,
            requester_name: row.get(7)?,
            submitted_at: parse_time(id, "submitted_at", &submitted)?,
            due_date: due
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("request {id}: due_date: {e}")))?,
            waiting: row.get(10)?,
            finished: row.get(11)?,
            test: row.get(13)?,
            unread: row.get(14)?,
        });
    }
    Ok((total, out))
}
