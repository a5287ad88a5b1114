//! SQL of the statistics' rows (which ones is `crate::store::stats`'s,
//! shared with SQLite).

use super::PostgresStore;
use crate::store::*;
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

impl StatsStore for PostgresStore {
    fn stat_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        since: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Vec<StatRow>, StoreError>> {
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
) -> Result<Vec<StatRow>, StoreError> {
    let Some(filter) = stat_filter(tenant_id, departments, since, &|n| format!("${n}")) else {
        return Ok(Vec::new());
    };
    let args = super::console::bound(filter.args);
    let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|p| &**p as _).collect();
    let rows = tx
        .query(
            &format!("SELECT {STAT_COLUMNS} FROM requests WHERE {}", filter.sql),
            &refs,
        )
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.get(9);
            Ok(StatRow {
                service_code: row.get(0),
                channel: row.get(1),
                department: row.get(2),
                submitted_at: parse_time(id, "submitted_at", row.get(3))?,
                due_date: parse_date(id, "due_date", row.get(4))?,
                step: row.get(5),
                entered_at: parse_time(id, "entered_at", row.get(6))?,
                finished: row.get::<_, i64>(7) != 0,
                waiting: row.get::<_, i64>(8) != 0,
            })
        })
        .collect()
}
