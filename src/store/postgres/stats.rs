//! SQL of the statistics' rows (which ones is `crate::store::stats`'s,
//! shared with SQLite).

use super::PostgresStore;
use crate::store::stats::{LastNames, StatColumns, corrupt_row};
use crate::store::*;
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

impl StatsStore for PostgresStore {
    fn free_texts(
        &self,
        query: TextQuery,
    ) -> BoxFuture<'_, Result<Vec<(String, String)>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let Some(filter) = text_filter(&query, &|n| format!("${n}")) else {
                    return Ok(Vec::new());
                };
                let args = super::console::bound(filter.args);
                let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|p| &**p as _).collect();
                let rows = tx.query(&filter.sql, &refs).await?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            })
        })
    }

    fn stat_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        since: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<StatRows, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move { stat_rows(tx, tenant_id, departments.as_deref(), since).await })
        })
    }
}

async fn stat_rows(
    tx: &Transaction<'_>,
    tenant_id: i64,
    departments: Option<&[String]>,
    since: jiff::Timestamp,
) -> Result<StatRows, StoreError> {
    let mut out = StatRows::default();
    let Some(filter) = stat_filter(tenant_id, departments, since, None, &|n| format!("${n}"))
    else {
        return Ok(out);
    };
    let args = super::console::bound(filter.args);
    let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|p| &**p as _).collect();
    let rows = tx
        .query(
            &format!("SELECT {STAT_COLUMNS} FROM requests WHERE {}", filter.sql),
            &refs,
        )
        .await?;
    let mut last = LastNames::default();
    out.rows.reserve(rows.len());
    for row in &rows {
        let text = |i: usize| -> &[u8] { row.get::<_, &str>(i).as_bytes() };
        let columns = StatColumns {
            service_code: text(0),
            channel: text(1),
            department: text(2),
            submitted_at: text(3),
            due_date: text(4),
            step: text(5),
            entered_at: text(6),
            finished: row.get::<_, i64>(7) != 0,
            waiting: row.get::<_, i64>(8) != 0,
            kind: text(9),
            district: text(10),
        };
        if let Err(column) = out.push(&mut last, columns) {
            return Err(corrupt_row(row.get(11), column));
        }
    }
    Ok(out)
}
