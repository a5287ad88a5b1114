//! SQL of the exports of requests and of the export models (which requests
//! is the console's filter, shared with PostgreSQL).

use super::SqliteStore;
use super::audit::append_audit;
use super::console::{bound, console_row};
use crate::core::export::{ExportModel, columns_text};
use crate::store::exports::{
    JOB_COLUMNS, JobRow, audit_detail, outcome_detail, stored_columns, values_by_request,
};
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

impl ExportStore for SqliteStore {
    fn export_rows(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>> {
        self.read(move |conn| export_rows(conn, tenant_id, &query, values))
    }

    fn export_ids(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>> {
        self.read(move |conn| export_ids(conn, tenant_id, &query))
    }

    fn export_rows_of(
        &self,
        tenant_id: i64,
        ids: Vec<i64>,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>> {
        self.read(move |conn| export_rows_of(conn, tenant_id, &ids, values))
    }

    fn queue_export(
        &self,
        tenant_id: i64,
        job: NewExportJob,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        let now = at.to_string();
        self.write(move |tx| {
            let pending: i64 = tx.query_row(
                "SELECT count(*) FROM export_jobs
                 WHERE tenant_id = ?1 AND agent = ?2 AND state IN ('queued', 'running')",
                params![tenant_id, job.agent],
                |r| r.get(0),
            )?;
            if pending as u64 >= PENDING_EXPORTS {
                return Ok(None);
            }
            let format = if job.xlsx { "xlsx" } else { "csv" };
            let id: i64 = tx.query_row(
                "INSERT INTO export_jobs (tenant_id, agent, filters, columns, format, lang, expected, state, queued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8) RETURNING id",
                params![tenant_id, job.agent, job.filters, job.columns, format, job.lang, job.expected as i64, now],
                |r| r.get(0),
            )?;
            append_audit(
                tx,
                tenant_id,
                &now,
                &format!("agent:{}", job.agent),
                &format!("export:{id}"),
                "export.queued",
                &audit_detail(&job),
            )?;
            Ok(Some(id))
        })
    }

    fn claim_export(
        &self,
        at: Timestamp,
        stale: Timestamp,
    ) -> BoxFuture<'_, Result<Option<ExportJob>, StoreError>> {
        let (now, stale) = (at.to_string(), stale.to_string());
        self.write(move |tx| {
            let id: Option<i64> = tx
                .query_row(
                    "SELECT id FROM export_jobs
                     WHERE state = 'queued' OR (state = 'running' AND claimed_at < ?1)
                     ORDER BY id LIMIT 1",
                    params![stale],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = id else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE export_jobs SET state = 'running', claimed_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            Ok(Some(job(tx, id)?))
        })
    }

    fn finish_export(
        &self,
        job_id: i64,
        outcome: ExportOutcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let now = at.to_string();
        self.write(move |tx| {
            let tenant: Option<i64> = tx
                .query_row(
                    "SELECT tenant_id FROM export_jobs WHERE id = ?1 AND state = 'running'",
                    params![job_id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(tenant_id) = tenant else {
                return Ok(false);
            };
            match &outcome {
                ExportOutcome::Ready { file, expires_at } => tx.execute(
                    "UPDATE export_jobs SET state = 'ready', finished_at = ?2, expires_at = ?3,
                       rows = ?4, sha256 = ?5, size = ?6, file_name = ?7
                     WHERE id = ?1",
                    params![
                        job_id,
                        now,
                        expires_at.to_string(),
                        file.rows as i64,
                        file.sha256,
                        file.size as i64,
                        file.name
                    ],
                )?,
                ExportOutcome::Failed(why) => tx.execute(
                    "UPDATE export_jobs SET state = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
                    params![job_id, now, why],
                )?,
            };
            let (action, detail) = outcome_detail(job_id, &outcome);
            append_audit(
                tx,
                tenant_id,
                &now,
                "system:exports",
                &format!("export:{job_id}"),
                action,
                &detail,
            )?;
            Ok(true)
        })
    }

    fn export_jobs(
        &self,
        tenant_id: i64,
        agent: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<ExportJob>, StoreError>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM export_jobs WHERE tenant_id = ?1 AND agent = ?2
                 ORDER BY id DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![tenant_id, agent, limit], job_row)?;
            rows.map(|r| r?.assemble()).collect()
        })
    }

    fn expire_exports(&self, at: Timestamp) -> BoxFuture<'_, Result<u64, StoreError>> {
        let now = at.to_string();
        self.write(move |tx| {
            Ok(tx.execute(
                "UPDATE export_jobs SET state = 'expired' WHERE state = 'ready' AND expires_at <= ?1",
                params![now],
            )? as u64)
        })
    }

    fn export_models(
        &self,
        tenant_id: i64,
        service: Option<String>,
    ) -> BoxFuture<'_, Result<Vec<ExportModel>, StoreError>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, service_code, name, columns FROM export_models
                 WHERE tenant_id = ?1 AND (?2 IS NULL OR service_code IN (?2, ''))
                 ORDER BY name, service_code, id",
            )?;
            let mut rows = stmt.query(params![tenant_id, service])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let columns: String = row.get(3)?;
                out.push(ExportModel {
                    id,
                    service: row.get(1)?,
                    name: row.get(2)?,
                    columns: stored_columns(id, &columns)?,
                });
            }
            Ok(out)
        })
    }

    fn save_export_model(
        &self,
        tenant_id: i64,
        model: ExportModel,
        by: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        let columns = columns_text(&model.columns);
        let now = at.to_string();
        self.write(move |conn| {
            Ok(conn.query_row(
                "INSERT INTO export_models (tenant_id, service_code, name, columns, saved_by, saved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (tenant_id, service_code, name)
                 DO UPDATE SET columns = excluded.columns, saved_by = excluded.saved_by, saved_at = excluded.saved_at
                 RETURNING id",
                params![tenant_id, model.service, model.name, columns, by, now],
                |r| r.get(0),
            )?)
        })
    }

    fn delete_export_model(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| {
            Ok(conn.execute(
                "DELETE FROM export_models WHERE tenant_id = ?1 AND id = ?2",
                params![tenant_id, id],
            )? > 0)
        })
    }
}

/// Every request of the query, in its order: which ones, then their rows
/// (one way for an export written at once and for a background one).
fn export_rows(
    conn: &Connection,
    tenant_id: i64,
    q: &ConsoleQuery,
    values: bool,
) -> Result<Vec<ExportRow>, StoreError> {
    let ids = export_ids(conn, tenant_id, q)?;
    export_rows_of(conn, tenant_id, &ids, values)
}

/// The ids of the query's requests, in its order, at most its limit.
fn export_ids(conn: &Connection, tenant_id: i64, q: &ConsoleQuery) -> Result<Vec<i64>, StoreError> {
    let Some(ConsoleFilter { sql: filter, args }) = console_filter(
        tenant_id,
        q,
        &|n| format!("?{n}"),
        "printf('%04d-%06d', year, number)",
    ) else {
        return Ok(Vec::new());
    };
    let mut args = bound(args);
    let limit = args.len() + 1;
    args.push(Box::new(q.limit));
    let order = console_order(q);
    let mut stmt = conn.prepare(&format!(
        "SELECT id FROM requests WHERE {filter} ORDER BY {order} LIMIT ?{limit}"
    ))?;
    let ids = stmt.query_map(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        agent: r.get(2)?,
        filters: r.get(3)?,
        columns: r.get(4)?,
        format: r.get(5)?,
        lang: r.get(6)?,
        expected: r.get(7)?,
        state: r.get(8)?,
        queued_at: r.get(9)?,
        finished_at: r.get(10)?,
        expires_at: r.get(11)?,
        rows: r.get(12)?,
        sha256: r.get(13)?,
        size: r.get(14)?,
        file_name: r.get(15)?,
        error: r.get(16)?,
    })
}

fn job(conn: &Connection, id: i64) -> Result<ExportJob, StoreError> {
    conn.query_row(
        &format!("SELECT {JOB_COLUMNS} FROM export_jobs WHERE id = ?1"),
        params![id],
        job_row,
    )?
    .assemble()
}

/// Requests by id, a slice of ids at a time, in the order of `ids`. The
/// tenant is checked on each row found (`+tenant_id`: not an index to walk,
/// which would read the whole town per slice), the ids by primary key.
fn export_rows_of(
    conn: &Connection,
    tenant_id: i64,
    ids: &[i64],
    values: bool,
) -> Result<Vec<ExportRow>, StoreError> {
    let mut found: std::collections::HashMap<i64, ExportRow> =
        std::collections::HashMap::with_capacity(ids.len());
    for slice in ids.chunks(500) {
        let marks = vec!["?"; slice.len()].join(", ");
        let mut args: Vec<i64> = vec![tenant_id];
        args.extend_from_slice(slice);
        let mut stmt = conn.prepare(&format!(
            "SELECT {CONSOLE_COLUMNS}, requester_email FROM requests
             WHERE +tenant_id = ? AND id IN ({marks})"
        ))?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(row) = rows.next()? {
            let (id, console) = console_row(row)?;
            found.insert(
                id,
                ExportRow {
                    row: console,
                    email: row.get(18)?,
                    values: Vec::new(),
                },
            );
        }
        if values {
            let mut stmt = conn.prepare(&format!(
                "SELECT request_id, path, value FROM request_values
                 WHERE request_id IN ({marks}) ORDER BY request_id, position"
            ))?;
            let read = stmt.query_map(params_from_iter(slice.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            let by_request = values_by_request(read.collect::<Result<Vec<_>, _>>()?.into_iter());
            for (id, v) in by_request {
                if let Some(row) = found.get_mut(&id) {
                    row.values = v;
                }
            }
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}
