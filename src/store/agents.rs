//! Agents and their sessions.

use super::{BoxFuture, StoreError};
use crate::core::workflow::{Agent, Role};
use jiff::Timestamp;

/// An agent as stored.
#[derive(Debug, Clone)]
pub struct AgentRecord {
    pub id: i64,
    pub agent: Agent,
    /// PHC string of the password's Argon2id hash.
    pub password_hash: String,
    pub active: bool,
    /// Where the agent is told of new requests, reminders and escalations.
    pub email: Option<String>,
}

/// An agent to create.
#[derive(Debug, Clone)]
pub struct NewAgent {
    pub login: String,
    pub name: String,
    pub password_hash: String,
    pub admin: bool,
    pub roles: Vec<(String, Role)>,
    pub email: Option<String>,
}

/// New values for an agent's account, all of them (the login stays).
#[derive(Debug, Clone)]
pub struct AgentChange {
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub admin: bool,
    /// An inactive agent cannot log in; their sessions end.
    pub active: bool,
    pub roles: Vec<(String, Role)>,
    /// The hash of a new password; `None` keeps the current one.
    pub password_hash: Option<String>,
}

/// What became of an [`AgentChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentChanged {
    Changed,
    NotFound,
    /// Refused: the tenant would be left without an active administrator.
    LastAdministrator,
}

pub trait AgentStore: Send + Sync {
    /// An agent by login (active or not).
    fn agent(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>>;

    fn agents(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<AgentRecord>, StoreError>>;

    /// Creates an agent, recording it in the audit journal as done by
    /// `actor`. `Ok(false)` when the login is taken.
    fn add_agent(
        &self,
        tenant_id: i64,
        agent: NewAgent,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Changes an agent's account in one transaction, recorded in the audit
    /// journal as done by `actor`. When the agent is deactivated or given a
    /// new password, their sessions end, except `keep_session` (the digest
    /// of the session making the change, when agents change their own
    /// password).
    fn change_agent(
        &self,
        tenant_id: i64,
        change: AgentChange,
        actor: String,
        keep_session: Option<String>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<AgentChanged, StoreError>>;

    fn create_session(
        &self,
        agent_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The active agent of an unexpired session.
    fn session_agent(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>>;

    fn end_session(&self, digest: String) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The failed logins counted under `key` (tenant, login, address):
    /// how many, and the last one's time (Unix seconds).
    fn login_failures(&self, key: String) -> BoxFuture<'_, Result<Option<(u32, i64)>, StoreError>>;

    /// One more failure under `key` at `now`; failures last seen before
    /// `forget_before` are forgotten in the same transaction.
    fn login_failed(
        &self,
        key: String,
        now: i64,
        forget_before: i64,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// A success under `key`: its failures are forgotten.
    fn login_succeeded(&self, key: String) -> BoxFuture<'_, Result<(), StoreError>>;
}
