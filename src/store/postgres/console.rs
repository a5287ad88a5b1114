//! console: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use jiff::Timestamp;
use jiff::civil::Date;

impl ConsoleStore for PostgresStore {
    fn console(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<(u64, Vec<ConsoleRow>), StoreError>> {
        todo!("PostgreSQL: console")
    }

}
