//! SQL of the exports of requests and of the export models (which requests
//! is the console's filter, shared with SQLite).

use super::PostgresStore;
use super::audit::append_audit;
use super::console::{REFERENCE_TEXT, bound, console_row};
use crate::core::export::{ExportModel, columns_text};
use crate::store::exports::{
    JOB_COLUMNS, JobRow, audit_detail, outcome_detail, stored_columns, values_by_request,
};
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;
use tokio_postgres::types::ToSql;

impl ExportStore for PostgresStore {
    fn export_rows(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move { export_rows(tx, tenant_id, &query, values).await })
        })
    }

    fn export_ids(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>> {
        self.read(move |tx| {
            let query = query.clone();
            Box::pin(async move { export_ids(tx, tenant_id, &query).await })
        })
    }

    fn export_rows_of(
        &self,
        tenant_id: i64,
        ids: Vec<i64>,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>> {
        self.read(move |tx| {
            let ids = ids.clone();
            Box::pin(async move { export_rows_of(tx, tenant_id, &ids, values).await })
        })
    }

    fn queue_export(
        &self,
        tenant_id: i64,
        job: NewExportJob,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        let now = at.to_string();
        self.write(move |tx| {
            let (job, now) = (job.clone(), now.clone());
            Box::pin(async move {
                let pending: i64 = tx
                    .query_one(
                        "SELECT count(*) FROM export_jobs
                         WHERE tenant_id = $1 AND agent = $2 AND state IN ('queued', 'running')",
                        &[&tenant_id, &job.agent],
                    )
                    .await?
                    .get(0);
                if pending as u64 >= PENDING_EXPORTS {
                    return Ok(None);
                }
                let format = if job.xlsx { "xlsx" } else { "csv" };
                let id: i64 = tx
                    .query_one(
                        "INSERT INTO export_jobs (tenant_id, agent, filters, columns, format, lang, expected, state, queued_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8) RETURNING id",
                        &[
                            &tenant_id,
                            &job.agent,
                            &job.filters,
                            &job.columns,
                            &format,
                            &job.lang,
                            &(job.expected as i64),
                            &now,
                        ],
                    )
                    .await?
                    .get(0);
                append_audit(
                    tx,
                    tenant_id,
                    &now,
                    &format!("agent:{}", job.agent),
                    &format!("export:{id}"),
                    "export.queued",
                    &audit_detail(&job),
                )
                .await?;
                Ok(Some(id))
            })
        })
    }

    fn claim_export(
        &self,
        at: Timestamp,
        stale: Timestamp,
    ) -> BoxFuture<'_, Result<Option<ExportJob>, StoreError>> {
        let (now, stale) = (at.to_string(), stale.to_string());
        self.write(move |tx| {
            let (now, stale) = (now.clone(), stale.clone());
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        &format!(
                            "UPDATE export_jobs SET state = 'running', claimed_at = $2
                             WHERE id = (SELECT id FROM export_jobs
                                         WHERE state = 'queued' OR (state = 'running' AND claimed_at < $1)
                                         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                             RETURNING {JOB_COLUMNS}"
                        ),
                        &[&stale, &now],
                    )
                    .await?;
                row.map(|r| job_row(&r).assemble()).transpose()
            })
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
            let (outcome, now) = (outcome.clone(), now.clone());
            Box::pin(async move {
                let tenant: Option<i64> = tx
                    .query_opt(
                        "SELECT tenant_id FROM export_jobs WHERE id = $1 AND state = 'running'",
                        &[&job_id],
                    )
                    .await?
                    .map(|r| r.get(0));
                let Some(tenant_id) = tenant else {
                    return Ok(false);
                };
                match &outcome {
                    ExportOutcome::Ready { file, expires_at } => {
                        tx.execute(
                            "UPDATE export_jobs SET state = 'ready', finished_at = $2, expires_at = $3,
                               rows = $4, sha256 = $5, size = $6, file_name = $7
                             WHERE id = $1",
                            &[
                                &job_id,
                                &now,
                                &expires_at.to_string(),
                                &(file.rows as i64),
                                &file.sha256,
                                &(file.size as i64),
                                &file.name,
                            ],
                        )
                        .await?
                    }
                    ExportOutcome::Failed(why) => {
                        tx.execute(
                            "UPDATE export_jobs SET state = 'failed', finished_at = $2, error = $3 WHERE id = $1",
                            &[&job_id, &now, why],
                        )
                        .await?
                    }
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
                )
                .await?;
                Ok(true)
            })
        })
    }

    fn export_jobs(
        &self,
        tenant_id: i64,
        agent: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<ExportJob>, StoreError>> {
        self.read(move |tx| {
            let agent = agent.clone();
            Box::pin(async move {
                tx.query(
                    &format!(
                        "SELECT {JOB_COLUMNS} FROM export_jobs WHERE tenant_id = $1 AND agent = $2
                         ORDER BY id DESC LIMIT $3"
                    ),
                    &[&tenant_id, &agent, &i64::from(limit)],
                )
                .await?
                .iter()
                .map(|r| job_row(r).assemble())
                .collect()
            })
        })
    }

    fn expire_exports(&self, at: Timestamp) -> BoxFuture<'_, Result<u64, StoreError>> {
        let now = at.to_string();
        self.write(move |tx| {
            let now = now.clone();
            Box::pin(async move {
                Ok(tx
                    .execute(
                        "UPDATE export_jobs SET state = 'expired' WHERE state = 'ready' AND expires_at <= $1",
                        &[&now],
                    )
                    .await?)
            })
        })
    }

    fn export_models(
        &self,
        tenant_id: i64,
        service: Option<String>,
    ) -> BoxFuture<'_, Result<Vec<ExportModel>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        "SELECT id, service_code, name, columns FROM export_models
                         WHERE tenant_id = $1 AND ($2::TEXT IS NULL OR service_code IN ($2, ''))
                         ORDER BY name, service_code, id",
                        &[&tenant_id, &service],
                    )
                    .await?;
                rows.iter()
                    .map(|row| {
                        let id: i64 = row.get(0);
                        Ok(ExportModel {
                            id,
                            service: row.get(1),
                            name: row.get(2),
                            columns: stored_columns(id, row.get(3))?,
                        })
                    })
                    .collect()
            })
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
        self.write(move |tx| {
            let (model, columns, by, now) = (model.clone(), columns.clone(), by.clone(), now.clone());
            Box::pin(async move {
                Ok(tx
                    .query_one(
                        "INSERT INTO export_models (tenant_id, service_code, name, columns, saved_by, saved_at)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (tenant_id, service_code, name)
                         DO UPDATE SET columns = excluded.columns, saved_by = excluded.saved_by, saved_at = excluded.saved_at
                         RETURNING id",
                        &[&tenant_id, &model.service, &model.name, &columns, &by, &now],
                    )
                    .await?
                    .get(0))
            })
        })
    }

    fn delete_export_model(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            Box::pin(async move {
                Ok(tx
                    .execute(
                        "DELETE FROM export_models WHERE tenant_id = $1 AND id = $2",
                        &[&tenant_id, &id],
                    )
                    .await?
                    > 0)
            })
        })
    }
}

/// Every request of the query, in its order: which ones, then their rows
/// (one way for an export written at once and for a background one), in
/// one read transaction.
async fn export_rows(
    tx: &Transaction<'_>,
    tenant_id: i64,
    q: &ConsoleQuery,
    values: bool,
) -> Result<Vec<ExportRow>, StoreError> {
    let ids = export_ids(tx, tenant_id, q).await?;
    export_rows_of(tx, tenant_id, &ids, values).await
}

/// The ids of the query's requests, in its order, at most its limit.
async fn export_ids(
    tx: &Transaction<'_>,
    tenant_id: i64,
    q: &ConsoleQuery,
) -> Result<Vec<i64>, StoreError> {
    let Some(ConsoleFilter { sql: filter, args }) =
        console_filter(tenant_id, q, &|n| format!("${n}"), REFERENCE_TEXT)
    else {
        return Ok(Vec::new());
    };
    let mut args = bound(args);
    let limit = args.len() + 1;
    args.push(Box::new(i64::from(q.limit)));
    let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|p| &**p as _).collect();
    let order = console_order(q);
    Ok(tx
        .query(
            &format!("SELECT id FROM requests WHERE {filter} ORDER BY {order} LIMIT ${limit}"),
            &refs,
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

fn job_row(r: &tokio_postgres::Row) -> JobRow {
    JobRow {
        id: r.get(0),
        tenant_id: r.get(1),
        agent: r.get(2),
        filters: r.get(3),
        columns: r.get(4),
        format: r.get(5),
        lang: r.get(6),
        expected: r.get(7),
        state: r.get(8),
        queued_at: r.get(9),
        finished_at: r.get(10),
        expires_at: r.get(11),
        rows: r.get(12),
        sha256: r.get(13),
        size: r.get(14),
        file_name: r.get(15),
        error: r.get(16),
    }
}

/// Requests by id, in the order of `ids`.
async fn export_rows_of(
    tx: &Transaction<'_>,
    tenant_id: i64,
    ids: &[i64],
    values: bool,
) -> Result<Vec<ExportRow>, StoreError> {
    let rows = tx
        .query(
            &format!(
                "SELECT {CONSOLE_COLUMNS}, requester_email FROM requests
                 WHERE tenant_id = $1 AND id = ANY($2)"
            ),
            &[&tenant_id, &ids],
        )
        .await?;
    let mut found: std::collections::HashMap<i64, ExportRow> =
        std::collections::HashMap::with_capacity(rows.len());
    for row in &rows {
        let (id, console) = console_row(row)?;
        found.insert(
            id,
            ExportRow {
                row: console,
                email: row.get(18),
                values: Vec::new(),
            },
        );
    }
    if values && !found.is_empty() {
        let read = tx
            .query(
                "SELECT request_id, path, value FROM request_values
                 WHERE request_id = ANY($1) ORDER BY request_id, position",
                &[&ids],
            )
            .await?;
        for (id, v) in values_by_request(read.iter().map(|r| (r.get(0), r.get(1), r.get(2)))) {
            if let Some(row) = found.get_mut(&id) {
                row.values = v;
            }
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}
