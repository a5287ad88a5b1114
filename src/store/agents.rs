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

// ---------------------------------------------------------------------------
// What every backend says of agents in the audit journal, and how it reads
// their stored roles. Backends only read and write the rows.
// ---------------------------------------------------------------------------

/// Roles as the journal writes them: `department:role`, space-separated.
pub(super) fn grants_text(roles: &[(String, Role)]) -> String {
    roles
        .iter()
        .map(|(d, r)| format!("{d}:{}", r.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A role of agent `agent_id` as stored (its name).
pub(super) fn agent_role(agent_id: i64, role: &str) -> Result<Role, StoreError> {
    Role::from_name(role)
        .ok_or_else(|| StoreError::Corrupt(format!("agent {agent_id}: role {role:?}")))
}

/// The journal's detail of a new agent: name, rights, roles.
pub(super) fn agent_created_detail(a: &NewAgent) -> String {
    format!(
        "{}{}; roles: {}",
        a.name,
        if a.admin { " (administrator)" } else { "" },
        grants_text(&a.roles)
    )
}

/// Whether `c` takes away an active administrator (deactivated, or no
/// longer an administrator): refused when they are the tenant's last one.
pub(super) fn removes_administrator(before: &AgentRecord, c: &AgentChange) -> bool {
    before.agent.admin && before.active && !(c.admin && c.active)
}

/// What `c` changes in `before`, in words, for the journal (never a
/// password or its hash); empty when it changes nothing.
pub(super) fn agent_changes(before: &AgentRecord, c: &AgentChange) -> Vec<String> {
    let mut changes = Vec::new();
    if before.agent.name != c.name {
        changes.push(format!("name: {}", c.name));
    }
    if before.email != c.email {
        changes.push(format!("e-mail: {}", c.email.as_deref().unwrap_or("none")));
    }
    if before.agent.admin != c.admin {
        changes.push(format!(
            "administrator: {}",
            if c.admin { "yes" } else { "no" }
        ));
    }
    if before.active != c.active {
        changes.push(
            if c.active {
                "reactivated"
            } else {
                "deactivated"
            }
            .to_owned(),
        );
    }
    // Stored roles come sorted and without duplicates: compare alike.
    let mut roles = c.roles.clone();
    roles.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    roles.dedup();
    if grants_text(&before.agent.roles) != grants_text(&roles) {
        changes.push(format!("roles: {}", grants_text(&roles)));
    }
    if c.password_hash.is_some() {
        changes.push("new password".to_owned());
    }
    changes
}

/// Whether the agent's other sessions end with `c`: when deactivated or
/// given a new password.
pub(super) fn ends_sessions(c: &AgentChange) -> bool {
    !c.active || c.password_hash.is_some()
}
