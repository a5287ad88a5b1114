//! agents: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use crate::core::workflow::{Agent, Role};
use jiff::Timestamp;

impl AgentStore for PostgresStore {
    fn agent(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        todo!("PostgreSQL: agent")
    }

    fn agents(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<AgentRecord>, StoreError>> {
        todo!("PostgreSQL: agents")
    }

    fn add_agent(
        &self,
        tenant_id: i64,
        agent: NewAgent,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: add_agent")
    }

    fn change_agent(
        &self,
        tenant_id: i64,
        change: AgentChange,
        actor: String,
        keep_session: Option<String>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<AgentChanged, StoreError>> {
        todo!("PostgreSQL: change_agent")
    }

    fn create_session(
        &self,
        agent_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: create_session")
    }

    fn session_agent(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        todo!("PostgreSQL: session_agent")
    }

    fn end_session(&self, digest: String) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: end_session")
    }

    fn login_failures(&self, key: String) -> BoxFuture<'_, Result<Option<(u32, i64)>, StoreError>> {
        todo!("PostgreSQL: login_failures")
    }

    fn login_failed(
        &self,
        key: String,
        now: i64,
        forget_before: i64,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: login_failed")
    }

    fn login_succeeded(&self, key: String) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: login_succeeded")
    }

}
