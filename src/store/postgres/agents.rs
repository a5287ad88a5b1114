//! SQL of agents and their sessions.

use super::PostgresStore;
use super::audit::append_audit;
use crate::core::workflow::Agent;
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;
use tokio_postgres::Row;

impl AgentStore for PostgresStore {
    fn agent(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        self.read(move |tx| Box::pin(async move { agent(tx, tenant_id, &login).await }))
    }

    fn agents(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<AgentRecord>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT id, login, name, password_hash, admin, active, email
                             FROM agents WHERE tenant_id = $1 ORDER BY login",
                        )
                        .await?,
                        &[&tenant_id],
                    )
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    out.push(agent_from_row(tx, row).await?);
                }
                Ok(out)
            })
        })
    }

    fn add_agent(
        &self,
        tenant_id: i64,
        agent: NewAgent,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (agent, actor, at) = (agent.clone(), actor.clone(), at.clone());
            Box::pin(async move { add_agent(tx, tenant_id, &agent, &actor, &at).await })
        })
    }

    fn change_agent(
        &self,
        tenant_id: i64,
        change: AgentChange,
        actor: String,
        keep_session: Option<String>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<AgentChanged, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (c, actor, keep_session, at) = (
                change.clone(),
                actor.clone(),
                keep_session.clone(),
                at.clone(),
            );
            Box::pin(async move {
                change_agent(tx, tenant_id, &c, &actor, keep_session.as_deref(), &at).await
            })
        })
    }

    fn create_session(
        &self,
        agent_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let digest = digest.clone();
            Box::pin(async move {
                // Expired sessions go as new ones come.
                tx.execute(
                    &tx.prepare_cached("DELETE FROM sessions WHERE expires_at <= $1")
                        .await?,
                    &[&at.as_second()],
                )
                .await?;
                tx.execute(
                    &tx.prepare_cached(
                        "INSERT INTO sessions (digest, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                    )
                    .await?,
                    &[&digest, &agent_id, &at.as_second(), &expires.as_second()],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn session_agent(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "SELECT a.id, a.login, a.name, a.password_hash, a.admin, a.active, a.email
                             FROM sessions s JOIN agents a ON a.id = s.agent_id
                             WHERE s.digest = $1 AND s.expires_at > $2 AND a.tenant_id = $3 AND a.active = 1",
                        )
                        .await?,
                        &[&digest, &now.as_second(), &tenant_id],
                    )
                    .await?;
                match row {
                    Some(row) => Ok(Some(agent_from_row(tx, &row).await?)),
                    None => Ok(None),
                }
            })
        })
    }

    fn end_session(&self, digest: String) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let digest = digest.clone();
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached("DELETE FROM sessions WHERE digest = $1")
                        .await?,
                    &[&digest],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn login_failures(&self, key: String) -> BoxFuture<'_, Result<Option<(u32, i64)>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        &tx.prepare_cached("SELECT count, last FROM login_failures WHERE key = $1")
                            .await?,
                        &[&key],
                    )
                    .await?;
                row.map(|r| {
                    let count: i64 = r.get(0);
                    let count: u32 =
                        super::narrow(format_args!("failed logins under {key:?}"), count)?;
                    Ok((count, r.get(1)))
                })
                .transpose()
            })
        })
    }

    fn login_failed(
        &self,
        key: String,
        now: i64,
        forget_before: i64,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let key = key.clone();
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached("DELETE FROM login_failures WHERE last < $1")
                        .await?,
                    &[&forget_before],
                )
                .await?;
                tx.execute(
                    &tx.prepare_cached(
                        "INSERT INTO login_failures (key, count, last) VALUES ($1, 1, $2)
                         ON CONFLICT (key) DO UPDATE SET count = login_failures.count + 1, last = $2",
                    )
                    .await?,
                    &[&key, &now],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn login_succeeded(&self, key: String) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let key = key.clone();
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached("DELETE FROM login_failures WHERE key = $1")
                        .await?,
                    &[&key],
                )
                .await?;
                Ok(())
            })
        })
    }
}

/// An agent's roles, by department and role.
async fn agent_roles(
    tx: &Transaction<'_>,
    agent_id: i64,
) -> Result<Vec<(String, crate::core::workflow::Role)>, StoreError> {
    let rows = tx
        .query(
            &tx.prepare_cached(
                "SELECT department, role FROM agent_roles WHERE agent_id = $1 ORDER BY department, role",
            )
            .await?,
            &[&agent_id],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.get(0), agent_role(agent_id, r.get(1))?)))
        .collect()
}

/// An agent from a row of `id, login, name, password_hash, admin, active,
/// email`, with their roles.
async fn agent_from_row(tx: &Transaction<'_>, row: &Row) -> Result<AgentRecord, StoreError> {
    let id: i64 = row.get(0);
    Ok(AgentRecord {
        id,
        agent: Agent {
            login: row.get(1),
            name: row.get(2),
            admin: row.get::<_, i64>(4) != 0,
            roles: agent_roles(tx, id).await?,
            software: false,
        },
        password_hash: row.get(3),
        active: row.get::<_, i64>(5) != 0,
        email: row.get(6),
    })
}

/// An agent of the tenant by login, active or not.
pub(super) async fn agent(
    tx: &Transaction<'_>,
    tenant_id: i64,
    login: &str,
) -> Result<Option<AgentRecord>, StoreError> {
    let row = tx
        .query_opt(
            &tx.prepare_cached(
                "SELECT id, login, name, password_hash, admin, active, email
                 FROM agents WHERE tenant_id = $1 AND login = $2",
            )
            .await?,
            &[&tenant_id, &login],
        )
        .await?;
    match row {
        Some(row) => Ok(Some(agent_from_row(tx, &row).await?)),
        None => Ok(None),
    }
}

async fn insert_roles(
    tx: &Transaction<'_>,
    agent_id: i64,
    roles: &[(String, crate::core::workflow::Role)],
) -> Result<(), StoreError> {
    let insert = tx
        .prepare_cached(
            "INSERT INTO agent_roles (agent_id, department, role) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .await?;
    for (department, role) in roles {
        tx.execute(&insert, &[&agent_id, department, &role.as_str()])
            .await?;
    }
    Ok(())
}

/// Creates an agent with their roles, audited; `false` when the login is
/// taken (nothing written).
pub(super) async fn add_agent(
    tx: &Transaction<'_>,
    tenant_id: i64,
    a: &NewAgent,
    actor: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let Some(row) = tx
        .query_opt(
            &tx.prepare_cached(
                "INSERT INTO agents (tenant_id, login, name, password_hash, admin, created_at, email)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, login) DO NOTHING
                 RETURNING id",
            )
            .await?,
            &[
                &tenant_id,
                &a.login,
                &a.name,
                &a.password_hash,
                &i64::from(a.admin),
                &at,
                &a.email,
            ],
        )
        .await?
    else {
        return Ok(false);
    };
    let id: i64 = row.get(0);
    insert_roles(tx, id, &a.roles).await?;
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("agent:{}", a.login),
        "agent-created",
        &agent_created_detail(a),
    )
    .await?;
    Ok(true)
}

async fn change_agent(
    tx: &Transaction<'_>,
    tenant_id: i64,
    c: &AgentChange,
    actor: &str,
    keep_session: Option<&str>,
    at: &str,
) -> Result<AgentChanged, StoreError> {
    let Some(before) = agent(tx, tenant_id, &c.login).await? else {
        return Ok(AgentChanged::NotFound);
    };
    if removes_administrator(&before, c) {
        let others: i64 = tx
            .query_one(
                &tx.prepare_cached(
                    "SELECT count(*) FROM agents
                     WHERE tenant_id = $1 AND admin = 1 AND active = 1 AND id <> $2",
                )
                .await?,
                &[&tenant_id, &before.id],
            )
            .await?
            .get(0);
        if others == 0 {
            return Ok(AgentChanged::LastAdministrator);
        }
    }
    tx.execute(
        &tx.prepare_cached(
            "UPDATE agents SET name = $2, email = $3, admin = $4, active = $5,
                 password_hash = coalesce($6, password_hash)
             WHERE id = $1",
        )
        .await?,
        &[
            &before.id,
            &c.name,
            &c.email,
            &i64::from(c.admin),
            &i64::from(c.active),
            &c.password_hash,
        ],
    )
    .await?;
    tx.execute(
        &tx.prepare_cached("DELETE FROM agent_roles WHERE agent_id = $1")
            .await?,
        &[&before.id],
    )
    .await?;
    insert_roles(tx, before.id, &c.roles).await?;
    if ends_sessions(c) {
        tx.execute(
            &tx.prepare_cached("DELETE FROM sessions WHERE agent_id = $1 AND digest <> $2")
                .await?,
            &[&before.id, &keep_session.unwrap_or("")],
        )
        .await?;
    }
    let changes = agent_changes(&before, c);
    if !changes.is_empty() {
        append_audit(
            tx,
            tenant_id,
            at,
            actor,
            &format!("agent:{}", c.login),
            "agent-changed",
            &changes.join("; "),
        )
        .await?;
    }
    Ok(AgentChanged::Changed)
}
