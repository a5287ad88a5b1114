//! SQL of the statistics' rows (which ones is `crate::store::stats`'s,
//! shared with PostgreSQL).

use super::SqliteStore;
use crate::store::*;
use rusqlite::{Connection, params_from_iter};

impl StatsStore for SqliteStore {
    fn stat_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        since: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Vec<StatRow>, StoreError>> {
        self.read(move |conn| stat_rows(conn, tenant_id, departments.as_deref(), since))
    }
}

fn stat_rows(
    conn: &Connection,
    tenant_id: i64,
    departments: Option<&[String]>,
    since: jiff::Timestamp,
) -> Result<Vec<StatRow>, StoreError> {
    let Some(filter) = stat_filter(tenant_id, departments, since, &|n| format!("?{n}")) else {
        return Ok(Vec::new());
    };
    let args = super::console::bound(filter.args);
    let mut stmt = conn.prepare(&format!(
        "SELECT {STAT_COLUMNS} FROM requests WHERE {}",
        filter.sql
    ))?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(9)?;
        let (submitted, due, entered): (String, String, String) =
            (row.get(3)?, row.get(4)?, row.get(6)?);
        out.push(StatRow {
            service_code: row.get(0)?,
            channel: row.get(1)?,
            department: row.get(2)?,
            submitted_at: parse_time(id, "submitted_at", &submitted)?,
            due_date: parse_date(id, "due_date", &due)?,
            step: row.get(5)?,
            entered_at: parse_time(id, "entered_at", &entered)?,
            finished: row.get(7)?,
            waiting: row.get(8)?,
        });
    }
    Ok(out)
}
