//! SQL of the statistics' rows (which ones is `crate::store::stats`'s,
//! shared with PostgreSQL), read from the covering index
//! `requests_stats` (migration 0025) without touching the table.

use super::SqliteStore;
use crate::store::stats::{LastNames, StatColumns, corrupt_row};
use crate::store::*;
use rusqlite::{Connection, params_from_iter};

impl StatsStore for SqliteStore {
    fn free_texts(
        &self,
        query: TextQuery,
    ) -> BoxFuture<'_, Result<Vec<(String, String)>, StoreError>> {
        self.read(move |conn| {
            let Some(filter) = text_filter(&query, &|n| format!("?{n}")) else {
                return Ok(Vec::new());
            };
            let args = super::console::bound(filter.args);
            let mut stmt = conn.prepare(&filter.sql)?;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn stat_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        since: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<StatRows, StoreError>> {
        // A year of a large town is a million rows: read in parts side by
        // side, one per core (each part from its own snapshot, a request
        // read once, as it was in the snapshot of its part).
        let parts = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(self.readers.len() / 2)
            .clamp(1, 4);
        let reads: Vec<_> = (0..parts)
            .map(|k| {
                let departments = departments.clone();
                let part = (parts > 1).then_some((k, parts));
                self.start_read(move |conn| {
                    stat_rows(conn, tenant_id, departments.as_deref(), since, part)
                })
            })
            .collect();
        Box::pin(async move {
            let mut all = Vec::with_capacity(reads.len());
            for read in reads {
                all.push(read.await?);
            }
            Ok(StatRows::merge(all))
        })
    }
}

fn stat_rows(
    conn: &Connection,
    tenant_id: i64,
    departments: Option<&[String]>,
    since: jiff::Timestamp,
    part: Option<(usize, usize)>,
) -> Result<StatRows, StoreError> {
    let mut out = StatRows::default();
    let Some(filter) = stat_filter(tenant_id, departments, since, part, &|n| format!("?{n}"))
    else {
        return Ok(out);
    };
    let args = super::console::bound(filter.args);
    let mut stmt = conn.prepare(&format!(
        "SELECT {STAT_COLUMNS} FROM requests INDEXED BY requests_stats WHERE {}",
        filter.sql
    ))?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut last = LastNames::default();
    while let Some(row) = rows.next()? {
        let text = |i: usize| -> Result<&[u8], StoreError> {
            row.get_ref(i)?
                .as_bytes()
                .map_err(|e| StoreError::Corrupt(format!("statistics column {i}: {e}")))
        };
        let columns = StatColumns {
            service_code: text(0)?,
            channel: text(1)?,
            department: text(2)?,
            submitted_at: text(3)?,
            due_date: text(4)?,
            step: text(5)?,
            entered_at: text(6)?,
            finished: row.get(7)?,
            waiting: row.get(8)?,
            kind: text(9)?,
            district: text(10)?,
        };
        if let Err(column) = out.push(&mut last, columns) {
            return Err(corrupt_row(row.get(11)?, column));
        }
    }
    Ok(out)
}
