//! SQL of the exports of requests and of the export models (which requests
//! is the console's filter, shared with SQLite).

use super::PostgresStore;
use super::console::{REFERENCE_TEXT, bound, console_row};
use crate::core::export::{ExportModel, columns_text};
use crate::store::exports::{stored_columns, values_by_request};
use crate::store::*;
use deadpool_postgres::Transaction;
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

async fn export_rows(
    tx: &Transaction<'_>,
    tenant_id: i64,
    q: &ConsoleQuery,
    values: bool,
) -> Result<Vec<ExportRow>, StoreError> {
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
    let rows = tx
        .query(
            &format!(
                "SELECT {CONSOLE_COLUMNS}, requester_email FROM requests WHERE {filter}
                 ORDER BY {order} LIMIT ${limit}"
            ),
            &refs,
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        let (id, console) = console_row(row)?;
        ids.push(id);
        out.push(ExportRow {
            row: console,
            email: row.get(15),
            values: Vec::new(),
        });
    }
    if values && !out.is_empty() {
        let read = tx
            .query(
                "SELECT request_id, path, value FROM request_values
                 WHERE request_id = ANY($1) ORDER BY request_id, position",
                &[&ids],
            )
            .await?;
        let mut by_request = values_by_request(read.iter().map(|r| (r.get(0), r.get(1), r.get(2))));
        for (row, id) in out.iter_mut().zip(ids) {
            row.values = by_request.remove(&id).unwrap_or_default();
        }
    }
    Ok(out)
}
