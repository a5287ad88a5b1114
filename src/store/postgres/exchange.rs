//! exchange: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use crate::core::workflow::{Agent, Role};
use jiff::Timestamp;
use jiff::civil::Date;

impl ExchangeStore for PostgresStore {
    fn public_requests(
        &self,
        tenant_id: i64,
        query: PublicQuery,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        todo!("PostgreSQL: public_requests")
    }

    fn api_account(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<ApiAccount>, StoreError>> {
        todo!("PostgreSQL: api_account")
    }

    fn api_accounts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<ApiAccount>, StoreError>> {
        todo!("PostgreSQL: api_accounts")
    }

    fn add_api_account(
        &self,
        tenant_id: i64,
        account: NewApiAccount,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: add_api_account")
    }

    fn change_api_account(
        &self,
        tenant_id: i64,
        change: ApiAccountChange,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: change_api_account")
    }

    fn use_nonce(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: use_nonce")
    }

    fn new_requests(
        &self,
        tenant_id: i64,
        query: NewRequestsQuery,
    ) -> BoxFuture<'_, Result<Vec<ListedRequest>, StoreError>> {
        todo!("PostgreSQL: new_requests")
    }

    fn acknowledge(
        &self,
        tenant_id: i64,
        account_id: i64,
        references: Vec<Reference>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u32, StoreError>> {
        todo!("PostgreSQL: acknowledge")
    }

}
