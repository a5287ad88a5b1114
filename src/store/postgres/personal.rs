//! personal: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use jiff::Timestamp;

impl PersonalDataStore for PostgresStore {
    fn kept_blobs(&self) -> BoxFuture<'_, Result<std::collections::HashSet<String>, StoreError>> {
        todo!("PostgreSQL: kept_blobs")
    }

    fn find_person(
        &self,
        tenant_id: i64,
        query: PersonQuery,
    ) -> BoxFuture<'_, Result<PersonFound, StoreError>> {
        todo!("PostgreSQL: find_person")
    }

    fn anonymise_due(
        &self,
        tenant_id: i64,
        rules: Vec<RetentionRule>,
        batch: u32,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        todo!("PostgreSQL: anonymise_due")
    }

    fn delete_files_due(
        &self,
        tenant_id: i64,
        rules: Vec<RetentionRule>,
        batch: u32,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        todo!("PostgreSQL: delete_files_due")
    }

    fn close_account(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        goodbye: crate::store::AccountMail,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AccountClosed>, StoreError>> {
        todo!("PostgreSQL: close_account")
    }

}
