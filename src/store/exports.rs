//! Exports of requests: every request a console query selects (not one
//! page), with the requester's address and, when asked, the form's values;
//! and the export models a town keeps per service.

use super::console::ConsoleQuery;
use super::{BoxFuture, ConsoleRow, StoreError};
use crate::core::export::{Column, ExportModel, parse_columns};

/// A request as an export reads it.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub row: ConsoleRow,
    pub email: Option<String>,
    /// Its stored values (path, text), in order; empty unless asked.
    pub values: Vec<(String, String)>,
}

pub trait ExportStore: Send + Sync {
    /// The requests of `query` in its order, at most `query.limit` of them
    /// (its offset ignored), with their values when `values`.
    fn export_rows(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>>;

    /// The tenant's export models, of one service (and those for every
    /// service, `""`) when given, by name.
    fn export_models(
        &self,
        tenant_id: i64,
        service: Option<String>,
    ) -> BoxFuture<'_, Result<Vec<ExportModel>, StoreError>>;

    /// Saves a model under its service and name (replacing the one of that
    /// name); its id.
    fn save_export_model(
        &self,
        tenant_id: i64,
        model: ExportModel,
        by: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>>;

    /// Removes a model; whether there was one.
    fn delete_export_model(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;
}

/// A stored model's columns.
pub(super) fn stored_columns(id: i64, text: &str) -> Result<Vec<Column>, StoreError> {
    parse_columns(text).map_err(|e| StoreError::Corrupt(format!("export model {id}: {e}")))
}

/// Groups values read as (request id, path, value) rows, ordered by request
/// id, by request.
pub(super) fn values_by_request(
    rows: impl Iterator<Item = (i64, String, String)>,
) -> std::collections::HashMap<i64, Vec<(String, String)>> {
    let mut out: std::collections::HashMap<i64, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for (id, path, value) in rows {
        out.entry(id).or_default().push((path, value));
    }
    out
}
