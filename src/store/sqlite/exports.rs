//! SQL of the exports of requests and of the export models (which requests
//! is the console's filter, shared with PostgreSQL).

use super::SqliteStore;
use super::console::{bound, console_row};
use crate::core::export::{ExportModel, columns_text};
use crate::store::exports::{stored_columns, values_by_request};
use crate::store::*;
use rusqlite::{Connection, params, params_from_iter};

impl ExportStore for SqliteStore {
    fn export_rows(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>> {
        self.read(move |conn| export_rows(conn, tenant_id, &query, values))
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

fn export_rows(
    conn: &Connection,
    tenant_id: i64,
    q: &ConsoleQuery,
    values: bool,
) -> Result<Vec<ExportRow>, StoreError> {
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
    let chosen = format!("SELECT id FROM requests WHERE {filter} ORDER BY {order} LIMIT ?{limit}");
    let mut stmt = conn.prepare(&format!(
        "SELECT {CONSOLE_COLUMNS}, requester_email FROM requests WHERE {filter}
         ORDER BY {order} LIMIT ?{limit}"
    ))?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    let mut ids = Vec::new();
    while let Some(row) = rows.next()? {
        let (id, console) = console_row(row)?;
        ids.push(id);
        out.push(ExportRow {
            row: console,
            email: row.get(15)?,
            values: Vec::new(),
        });
    }
    if values && !out.is_empty() {
        let mut stmt = conn.prepare(&format!(
            "SELECT request_id, path, value FROM request_values
             WHERE request_id IN ({chosen}) ORDER BY request_id, position"
        ))?;
        let read = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        let mut by_request = values_by_request(read.collect::<Result<Vec<_>, _>>()?.into_iter());
        for (row, id) in out.iter_mut().zip(ids) {
            row.values = by_request.remove(&id).unwrap_or_default();
        }
    }
    Ok(out)
}
