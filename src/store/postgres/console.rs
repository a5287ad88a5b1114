//! SQL of the agents' console: the requests an agent may see, filtered,
//! sorted, paged (which ones is `crate::store::console`'s, shared with
//! SQLite).

use super::PostgresStore;
use super::{narrow, reference};
use crate::store::*;
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

/// A request's reference as text (`2026-000042`), for the free-text search.
pub(super) const REFERENCE_TEXT: &str =
    "lpad(year::text, 4, '0') || '-' || lpad(number::text, 6, '0')";

impl ConsoleStore for PostgresStore {
    fn console(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<(u64, Vec<ConsoleRow>), StoreError>> {
        self.read(move |tx| Box::pin(async move { console(tx, tenant_id, &query).await }))
    }
}

/// A filter's values, as tokio-postgres binds them.
pub(super) fn bound(args: Vec<ConsoleArg>) -> Vec<Box<dyn ToSql + Sync + Send>> {
    args.into_iter()
        .map(|a| -> Box<dyn ToSql + Sync + Send> {
            match a {
                ConsoleArg::Int(i) => Box::new(i),
                ConsoleArg::Text(t) => Box::new(t),
            }
        })
        .collect()
}

/// A row of [`CONSOLE_COLUMNS`], with the request's id.
pub(super) fn console_row(row: &tokio_postgres::Row) -> Result<(i64, ConsoleRow), StoreError> {
    let id: i64 = row.get(12);
    Ok((
        id,
        ConsoleRow {
            reference: reference(row.get(0), row.get(1))?,
            service_code: row.get(2),
            service_version: narrow("service version", row.get(3))?,
            channel: row.get(4),
            step: row.get(5),
            department: row.get(6),
            requester_name: row.get(7),
            submitted_at: parse_time(id, "submitted_at", row.get(8))?,
            due_date: parse_date(id, "due_date", row.get(9))?,
            waiting: row.get::<_, i64>(10) != 0,
            finished: row.get::<_, i64>(11) != 0,
            test: row.get::<_, i64>(13) != 0,
            unread: row.get::<_, i64>(14) != 0,
            district: row.get(15),
            point: point(row.get(16), row.get(17)),
        },
    ))
}

async fn console(
    tx: &Transaction<'_>,
    tenant_id: i64,
    q: &ConsoleQuery,
) -> Result<(u64, Vec<ConsoleRow>), StoreError> {
    let Some(ConsoleFilter { sql: filter, args }) =
        console_filter(tenant_id, q, &|n| format!("${n}"), REFERENCE_TEXT)
    else {
        return Ok((0, Vec::new()));
    };
    let mut args = bound(args);
    let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|p| &**p as _).collect();
    let total: i64 = tx
        .query_one(
            &format!("SELECT count(*) FROM requests WHERE {filter}"),
            &refs,
        )
        .await?
        .get(0);
    let total = total.max(0) as u64;
    let order = console_order(q);
    let (limit, offset) = (args.len() + 1, args.len() + 2);
    let sql = format!(
        "SELECT {CONSOLE_COLUMNS} FROM requests WHERE {filter} ORDER BY {order} LIMIT ${limit} OFFSET ${offset}"
    );
    args.push(Box::new(i64::from(q.limit)));
    args.push(Box::new(i64::from(q.offset)));
    let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|p| &**p as _).collect();
    let rows = tx.query(&sql, &refs).await?;
    let page = rows
        .iter()
        .map(|row| Ok(console_row(row)?.1))
        .collect::<Result<_, StoreError>>()?;
    Ok((total, page))
}
