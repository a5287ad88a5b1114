//! requests: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use crate::core::intake::NewRequest;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use crate::core::workflow::{Outcome, RequestState};
use jiff::Timestamp;
use jiff::civil::Date;

impl RequestStore for PostgresStore {
    fn submit(
        &self,
        tenant_id: i64,
        request: NewRequest,
    ) -> BoxFuture<'_, Result<Reference, StoreError>> {
        todo!("PostgreSQL: submit")
    }

    fn request_by_tracking(
        &self,
        tenant_id: i64,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>> {
        todo!("PostgreSQL: request_by_tracking")
    }

    fn request_by_reference(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<StoredRequest>, StoreError>> {
        todo!("PostgreSQL: request_by_reference")
    }

    fn work_item(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<WorkItem>, StoreError>> {
        todo!("PostgreSQL: work_item")
    }

    fn apply(
        &self,
        tenant_id: i64,
        reference: Reference,
        revision: i64,
        outcome: Outcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        todo!("PostgreSQL: apply")
    }

    fn held_slots(
        &self,
        tenant_id: i64,
        agenda: String,
        test: bool,
        day: jiff::civil::Date,
    ) -> BoxFuture<'_, Result<Vec<(jiff::civil::Time, jiff::civil::Time)>, StoreError>> {
        todo!("PostgreSQL: held_slots")
    }

    #[allow(clippy::too_many_arguments)]
    fn correct(
        &self,
        tenant_id: i64,
        reference: Reference,
        revision: i64,
        rows: Vec<(String, String)>,
        files: Vec<(String, crate::core::files::FileValue)>,
        outcome: Outcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        todo!("PostgreSQL: correct")
    }

    fn mark_read(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: mark_read")
    }

    fn open_requests(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>> {
        todo!("PostgreSQL: open_requests")
    }

    fn waiting_requests(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>> {
        todo!("PostgreSQL: waiting_requests")
    }

    fn export_pending(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        todo!("PostgreSQL: export_pending")
    }

    fn export_done(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: export_done")
    }

    fn test_counts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>> {
        todo!("PostgreSQL: test_counts")
    }

    fn purge_tests(
        &self,
        tenant_id: i64,
        code: Option<String>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        todo!("PostgreSQL: purge_tests")
    }

    fn deadline_mark(
        &self,
        tenant_id: i64,
        reference: Reference,
        mark: DeadlineMark,
        department: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: deadline_mark")
    }

}

/// The request matching `where_clause` (on `requests`, with `$1`… bound to
/// `args`), as the citizen sees it, and its id.
pub(super) async fn load_record(
    tx: &deadpool_postgres::Transaction<'_>,
    where_clause: &str,
    args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Option<(i64, crate::core::status::RequestRecord)>, StoreError> {
    todo!("PostgreSQL: load_record")
}
