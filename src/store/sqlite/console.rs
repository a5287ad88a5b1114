//! SQL of the agents' console: the requests an agent may see, filtered, sorted, paged.

use super::SqliteStore;
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

/// A filter's values, as rusqlite binds them.
pub(super) fn bound(args: Vec<ConsoleArg>) -> Vec<Box<dyn ToSql>> {
    args.into_iter()
        .map(|a| -> Box<dyn ToSql> {
            match a {
                ConsoleArg::Int(i) => Box::new(i),
                ConsoleArg::Text(t) => Box::new(t),
            }
        })
        .collect()
}

/// A row of [`CONSOLE_COLUMNS`], with the request's id.
pub(super) fn console_row(row: &rusqlite::Row<'_>) -> Result<(i64, ConsoleRow), StoreError> {
    let id: i64 = row.get(12)?;
    let submitted: String = row.get(8)?;
    let due: String = row.get(9)?;
    Ok((
        id,
        ConsoleRow {
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
            due_date: parse_date(id, "due_date", &due)?,
            waiting: row.get(10)?,
            finished: row.get(11)?,
            test: row.get(13)?,
            unread: row.get(14)?,
            district: row.get(15)?,
            point: point(row.get(16)?, row.get(17)?),
        },
    ))
}

pub(super) fn console(
    conn: &Connection,
    tenant_id: i64,
    q: &ConsoleQuery,
) -> Result<(u64, Vec<ConsoleRow>), StoreError> {
    let Some(ConsoleFilter { sql: filter, args }) = console_filter(
        tenant_id,
        q,
        &|n| format!("?{n}"),
        "printf('%04d-%06d', year, number)",
    ) else {
        return Ok((0, Vec::new()));
    };
    let mut args = bound(args);
    let total: i64 = conn
        .prepare(&format!("SELECT count(*) FROM requests WHERE {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    let total = total.max(0) as u64;
    let order = console_order(q);
    let (limit, offset) = (args.len() + 1, args.len() + 2);
    let sql = format!(
        "SELECT {CONSOLE_COLUMNS} FROM requests WHERE {filter} ORDER BY {order} LIMIT ?{limit} OFFSET ?{offset}"
    );
    args.push(Box::new(q.limit));
    args.push(Box::new(q.offset));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(console_row(row)?.1);
    }
    Ok((total, out))
}
