//! outbox: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use jiff::Timestamp;
use jiff::civil::Date;

impl OutboxStore for PostgresStore {
    fn due_calls(&self, now: i64, limit: u32) -> BoxFuture<'_, Result<Vec<DueCall>, StoreError>> {
        todo!("PostgreSQL: due_calls")
    }

    fn call_result(
        &self,
        id: i64,
        result: CallResult,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: call_result")
    }

    fn pending_messages(
        &self,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<PendingMessage>, StoreError>> {
        todo!("PostgreSQL: pending_messages")
    }

    fn expand_message(
        &self,
        message_id: i64,
        deliveries: Vec<NewDelivery>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: expand_message")
    }

    fn due_deliveries(
        &self,
        now: i64,
        limit: u32,
        idle: Vec<(i64, &'static str)>,
    ) -> BoxFuture<'_, Result<Vec<Delivery>, StoreError>> {
        todo!("PostgreSQL: due_deliveries")
    }

    fn pending_deliveries(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>> {
        todo!("PostgreSQL: pending_deliveries")
    }

    fn delivery_result(
        &self,
        id: i64,
        result: Result<(), (String, Option<i64>)>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: delivery_result")
    }

    fn deliveries(
        &self,
        tenant_id: i64,
        reference: Option<Reference>,
    ) -> BoxFuture<'_, Result<Vec<DeliveryRecord>, StoreError>> {
        todo!("PostgreSQL: deliveries")
    }

    fn retry_failed_deliveries(
        &self,
        tenant_id: i64,
        actor: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        todo!("PostgreSQL: retry_failed_deliveries")
    }

}
