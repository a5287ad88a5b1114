//! Exports of requests: every request a console query selects (not one
//! page), with the requester's address and, when asked, the form's values;
//! the export models a town keeps per service; and the exports too large
//! to write while the agent waits, run in the background as jobs whose
//! file goes to the blob store until it expires.

use super::console::ConsoleQuery;
use super::{BoxFuture, ConsoleRow, StoreError};
use crate::core::export::{Column, ExportModel, parse_columns};
use jiff::Timestamp;

/// A request as an export reads it.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub row: ConsoleRow,
    pub email: Option<String>,
    /// Its stored values (path, text), in order; empty unless asked.
    pub values: Vec<(String, String)>,
}

/// An export asked to run in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExportJob {
    pub agent: String,
    /// The console's filters, as its query string.
    pub filters: String,
    /// The columns' codes, as `columns_text` writes them.
    pub columns: String,
    pub xlsx: bool,
    /// The language of the headings.
    pub lang: String,
    /// How many requests the filters selected when asked.
    pub expected: u64,
}

/// Where a background export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    Queued,
    Running,
    Ready,
    Failed,
    /// Its file no longer offered.
    Expired,
}

impl ExportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportState::Queued => "queued",
            ExportState::Running => "running",
            ExportState::Ready => "ready",
            ExportState::Failed => "failed",
            ExportState::Expired => "expired",
        }
    }

    pub(super) fn parse(s: &str) -> Result<ExportState, StoreError> {
        Ok(match s {
            "queued" => ExportState::Queued,
            "running" => ExportState::Running,
            "ready" => ExportState::Ready,
            "failed" => ExportState::Failed,
            "expired" => ExportState::Expired,
            other => return Err(StoreError::Corrupt(format!("export state {other:?}"))),
        })
    }
}

/// A background export's file, in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub sha256: String,
    pub size: u64,
    /// The name it is downloaded under.
    pub name: String,
    /// How many requests it holds.
    pub rows: u64,
}

/// A background export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportJob {
    pub id: i64,
    pub tenant_id: i64,
    pub asked: NewExportJob,
    pub state: ExportState,
    pub queued_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// Until when its file is offered.
    pub expires_at: Option<Timestamp>,
    /// Once ready (kept when expired, its blob no longer).
    pub file: Option<ExportFile>,
    /// Why it failed, in words.
    pub error: Option<String>,
}

/// How a background export ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportOutcome {
    Ready {
        file: ExportFile,
        expires_at: Timestamp,
    },
    Failed(String),
}

/// At most so many background exports an agent has waiting or running.
pub const PENDING_EXPORTS: u64 = 2;

pub trait ExportStore: Send + Sync {
    /// The requests of `query` in its order, at most `query.limit` of them
    /// (its offset ignored), with their values when `values`.
    fn export_rows(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>>;

    /// The ids of the requests of `query` in its order, at most
    /// `query.limit` of them (its offset ignored): a background export reads
    /// which requests once, then their rows by slices.
    fn export_ids(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>>;

    /// The requests of `ids`, in that order (those gone since, skipped),
    /// with their values when `values`.
    fn export_rows_of(
        &self,
        tenant_id: i64,
        ids: Vec<i64>,
        values: bool,
    ) -> BoxFuture<'_, Result<Vec<ExportRow>, StoreError>>;

    /// Queues a background export and writes `export.queued` to the audit
    /// journal, in one transaction; its id, or `None` when the agent has
    /// [`PENDING_EXPORTS`] waiting or running already (nothing written).
    fn queue_export(
        &self,
        tenant_id: i64,
        job: NewExportJob,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>>;

    /// Claims the oldest export waiting in any town — or one claimed before
    /// `stale` and never finished (its node died) — for this node: it is
    /// marked running, claimed at `at`.
    fn claim_export(
        &self,
        at: Timestamp,
        stale: Timestamp,
    ) -> BoxFuture<'_, Result<Option<ExportJob>, StoreError>>;

    /// Records how a running export ended, with `export.ready` or
    /// `export.failed` in the audit journal; whether it was still running
    /// (a job finished twice, by a node thought dead, keeps its first end).
    fn finish_export(
        &self,
        job_id: i64,
        outcome: ExportOutcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// An agent's background exports, newest first, at most `limit`.
    fn export_jobs(
        &self,
        tenant_id: i64,
        agent: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<ExportJob>, StoreError>>;

    /// Marks expired the ready exports whose time is over (their blob is
    /// no longer kept); how many.
    fn expire_exports(&self, at: Timestamp) -> BoxFuture<'_, Result<u64, StoreError>>;

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

/// A background export's detail in the audit journal: what was asked, no
/// personal data (the filters' free text left out).
pub fn audit_detail(job: &NewExportJob) -> String {
    let filters: Vec<String> = form_urlencoded::parse(job.filters.as_bytes())
        .filter(|(k, _)| k != "q")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "{} demandes, {} ; colonnes {} ; filtres {}",
        job.expected,
        if job.xlsx { "xlsx" } else { "csv" },
        job.columns,
        filters.join("&")
    )
}

/// The detail of a finished export in the audit journal.
pub(super) fn outcome_detail(job_id: i64, outcome: &ExportOutcome) -> (&'static str, String) {
    match outcome {
        ExportOutcome::Ready { file, .. } => (
            "export.ready",
            format!(
                "export {job_id} : {} demandes, {} octets, {}",
                file.rows, file.size, file.sha256
            ),
        ),
        ExportOutcome::Failed(why) => ("export.failed", format!("export {job_id} : {why}")),
    }
}

/// The columns of `export_jobs` a job is read from, in [`JobRow`]'s order.
pub(super) const JOB_COLUMNS: &str =
    "id, tenant_id, agent, filters, columns, format, lang, expected,
     state, queued_at, finished_at, expires_at, rows, sha256, size, file_name, error";

/// A row of `export_jobs` as either backend reads it.
pub(super) struct JobRow {
    pub id: i64,
    pub tenant_id: i64,
    pub agent: String,
    pub filters: String,
    pub columns: String,
    pub format: String,
    pub lang: String,
    pub expected: i64,
    pub state: String,
    pub queued_at: String,
    pub finished_at: Option<String>,
    pub expires_at: Option<String>,
    pub rows: Option<i64>,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub file_name: Option<String>,
    pub error: Option<String>,
}

impl JobRow {
    pub(super) fn assemble(self) -> Result<ExportJob, StoreError> {
        let id = self.id;
        let time = |what: &str, text: &str| -> Result<Timestamp, StoreError> {
            text.parse()
                .map_err(|e| StoreError::Corrupt(format!("export {id}: {what}: {e}")))
        };
        let file = match (self.sha256, self.size, self.file_name, self.rows) {
            (Some(sha256), Some(size), Some(name), Some(rows)) => Some(ExportFile {
                sha256,
                size: size as u64,
                name,
                rows: rows as u64,
            }),
            _ => None,
        };
        Ok(ExportJob {
            id,
            tenant_id: self.tenant_id,
            asked: NewExportJob {
                agent: self.agent,
                filters: self.filters,
                columns: self.columns,
                xlsx: self.format == "xlsx",
                lang: self.lang,
                expected: self.expected as u64,
            },
            state: ExportState::parse(&self.state)?,
            queued_at: time("queued_at", &self.queued_at)?,
            finished_at: self
                .finished_at
                .map(|t| time("finished_at", &t))
                .transpose()?,
            expires_at: self
                .expires_at
                .map(|t| time("expires_at", &t))
                .transpose()?,
            file,
            error: self.error,
        })
    }
}
