//! SQL of agents and their sessions.

use super::SqliteStore;
use super::audit::append_audit;
use crate::core::workflow::{Agent, Role};
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, params};

impl AgentStore for SqliteStore {
    fn agent(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        self.read(move |conn| agent(conn, tenant_id, &login))
    }

    fn agents(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<AgentRecord>, StoreError>> {
        self.read(move |conn| agents(conn, tenant_id))
    }

    fn add_agent(
        &self,
        tenant_id: i64,
        agent: NewAgent,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| add_agent(conn, tenant_id, &agent, &actor, &at.to_string()))
    }

    fn change_agent(
        &self,
        tenant_id: i64,
        change: AgentChange,
        actor: String,
        keep_session: Option<String>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<AgentChanged, StoreError>> {
        self.write(move |conn| {
            change_agent(
                conn,
                tenant_id,
                &change,
                &actor,
                keep_session.as_deref(),
                &at.to_string(),
            )
        })
    }

    fn create_session(
        &self,
        agent_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            // Expired sessions go as new ones come.
            conn.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")?
                .execute(params![at.as_second()])?;
            conn.prepare_cached(
                "INSERT INTO sessions (digest, agent_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![digest, agent_id, at.as_second(), expires.as_second()])?;
            Ok(())
        })
    }

    fn session_agent(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        self.read(move |conn| session_agent(conn, tenant_id, &digest, now.as_second()))
    }

    fn login_failures(&self, key: String) -> BoxFuture<'_, Result<Option<(u32, i64)>, StoreError>> {
        self.read(move |conn| {
            use rusqlite::OptionalExtension;
            Ok(conn
                .prepare_cached("SELECT count, last FROM login_failures WHERE key = ?1")?
                .query_row(params![key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?)
        })
    }

    fn login_failed(
        &self,
        key: String,
        now: i64,
        forget_before: i64,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM login_failures WHERE last < ?1")?
                .execute(params![forget_before])?;
            tx.prepare_cached(
                "INSERT INTO login_failures (key, count, last) VALUES (?1, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET count = count + 1, last = ?2",
            )?
            .execute(params![key, now])?;
            Ok(())
        })
    }

    fn login_succeeded(&self, key: String) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM login_failures WHERE key = ?1")?
                .execute(params![key])?;
            Ok(())
        })
    }

    fn end_session(&self, digest: String) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM sessions WHERE digest = ?1")?
                .execute(params![digest])?;
            Ok(())
        })
    }
}

pub(super) fn agent_roles(
    conn: &Connection,
    agent_id: i64,
) -> Result<Vec<(String, Role)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT department, role FROM agent_roles WHERE agent_id = ?1 ORDER BY department, role",
    )?;
    let rows = stmt.query_map(params![agent_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (department, role) = row?;
        out.push((department, agent_role(agent_id, &role)?));
    }
    Ok(out)
}

pub(super) const AGENT_COLUMNS: &str = "id, login, name, password_hash, admin, active, email";

pub(super) fn agent_from_row(
    conn: &Connection,
    row: &rusqlite::Row,
) -> Result<AgentRecord, StoreError> {
    let id: i64 = row.get(0)?;
    Ok(AgentRecord {
        id,
        agent: Agent {
            login: row.get(1)?,
            name: row.get(2)?,
            admin: row.get(4)?,
            roles: agent_roles(conn, id)?,
            software: false,
        },
        password_hash: row.get(3)?,
        active: row.get(5)?,
        email: row.get(6)?,
    })
}

pub(super) fn agent(
    conn: &Connection,
    tenant_id: i64,
    login: &str,
) -> Result<Option<AgentRecord>, StoreError> {
    let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE tenant_id = ?1 AND login = ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![tenant_id, login])?;
    match rows.next()? {
        Some(row) => Ok(Some(agent_from_row(conn, row)?)),
        None => Ok(None),
    }
}

pub(super) fn agents(conn: &Connection, tenant_id: i64) -> Result<Vec<AgentRecord>, StoreError> {
    let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE tenant_id = ?1 ORDER BY login");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![tenant_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(agent_from_row(conn, row)?);
    }
    Ok(out)
}

pub(super) fn add_agent(
    tx: &Connection,
    tenant_id: i64,
    a: &NewAgent,
    actor: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let inserted = tx.execute(
        "INSERT INTO agents (tenant_id, login, name, password_hash, admin, created_at, email)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant_id, login) DO NOTHING",
        params![
            tenant_id,
            a.login,
            a.name,
            a.password_hash,
            a.admin,
            at,
            a.email
        ],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    let id = tx.last_insert_rowid();
    for (department, role) in &a.roles {
        tx.execute(
            "INSERT INTO agent_roles (agent_id, department, role) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![id, department, role.as_str()],
        )?;
    }
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("agent:{}", a.login),
        "agent-created",
        &agent_created_detail(a),
    )?;
    Ok(true)
}

pub(super) fn change_agent(
    tx: &Connection,
    tenant_id: i64,
    c: &AgentChange,
    actor: &str,
    keep_session: Option<&str>,
    at: &str,
) -> Result<AgentChanged, StoreError> {
    let Some(before) = agent(tx, tenant_id, &c.login)? else {
        return Ok(AgentChanged::NotFound);
    };
    if removes_administrator(&before, c) {
        let others: i64 = tx
            .prepare_cached(
                "SELECT count(*) FROM agents
                 WHERE tenant_id = ?1 AND admin = 1 AND active = 1 AND id <> ?2",
            )?
            .query_row(params![tenant_id, before.id], |r| r.get(0))?;
        if others == 0 {
            return Ok(AgentChanged::LastAdministrator);
        }
    }
    tx.prepare_cached(
        "UPDATE agents SET name = ?2, email = ?3, admin = ?4, active = ?5,
             password_hash = coalesce(?6, password_hash)
         WHERE id = ?1",
    )?
    .execute(params![
        before.id,
        c.name,
        c.email,
        c.admin,
        c.active,
        c.password_hash
    ])?;
    tx.prepare_cached("DELETE FROM agent_roles WHERE agent_id = ?1")?
        .execute(params![before.id])?;
    for (department, role) in &c.roles {
        tx.prepare_cached(
            "INSERT INTO agent_roles (agent_id, department, role) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![before.id, department, role.as_str()])?;
    }
    if ends_sessions(c) {
        tx.prepare_cached("DELETE FROM sessions WHERE agent_id = ?1 AND digest <> ?2")?
            .execute(params![before.id, keep_session.unwrap_or("")])?;
    }
    let changes = agent_changes(&before, c);
    if changes.is_empty() {
        return Ok(AgentChanged::Changed);
    }
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("agent:{}", c.login),
        "agent-changed",
        &changes.join("; "),
    )?;
    Ok(AgentChanged::Changed)
}

pub(super) fn session_agent(
    conn: &Connection,
    tenant_id: i64,
    digest: &str,
    now: i64,
) -> Result<Option<AgentRecord>, StoreError> {
    let sql = format!(
        "SELECT {} FROM sessions s JOIN agents a ON a.id = s.agent_id
         WHERE s.digest = ?1 AND s.expires_at > ?2 AND a.tenant_id = ?3 AND a.active = 1",
        AGENT_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![digest, now, tenant_id])?;
    match rows.next()? {
        Some(row) => Ok(Some(agent_from_row(conn, row)?)),
        None => Ok(None),
    }
}
