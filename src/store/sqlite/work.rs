//! SQL of the workflow and the back office: outcomes applied to requests,
//! history, the hash-chained audit journal, the outbox, agents, sessions,
//! departments and the console's query.

use crate::core::tracking::Reference;
use crate::core::workflow::{Agent, Effect, Outcome, RequestState, Role};
use crate::store::{
    AgentChange, AgentChanged, AgentRecord, AuditReport, ConsoleQuery, ConsoleRow, DeadlineMark,
    Delivery, DeliveryRecord, Department, MessageRequest, NewAgent, NewDelivery, NewStandardAnswer,
    OpenRequest, PendingMessage, SortKey, StandardAnswer, StateFilter, StoreError, StoredEvent,
};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use sha2::{Digest, Sha256};

/// The `prev_hash` of a tenant's first audit entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Writes what an outcome brings besides the request's own row: its history
/// events, their audit entries, the messages to send and the export mark.
pub fn record_outcome(
    tx: &Connection,
    tenant_id: i64,
    request_id: i64,
    reference: &Reference,
    outcome: &Outcome,
    at: &str,
    tracking_code: Option<&str>,
) -> Result<(), StoreError> {
    let subject = reference.to_string();
    let mut insert_event = tx.prepare_cached(
        "INSERT INTO events (request_id, at, actor, action, from_step, to_step, comment, citizen_visible, department)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for e in &outcome.events {
        insert_event.execute(params![
            request_id,
            at,
            e.actor,
            e.action,
            e.from_step,
            e.to_step,
            e.comment,
            e.citizen_visible,
            e.department
        ])?;
        let detail = format!(
            "{} -> {}{}{}{}",
            e.from_step.as_deref().unwrap_or("-"),
            e.to_step.as_deref().unwrap_or("-"),
            e.department
                .as_deref()
                .map(|d| format!(" [{d}]"))
                .unwrap_or_default(),
            if e.comment.is_some() { ": " } else { "" },
            e.comment.as_deref().unwrap_or("")
        );
        append_audit(tx, tenant_id, at, &e.actor, &subject, &e.action, &detail)?;
    }
    let mut insert_message = tx.prepare_cached(
        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for effect in &outcome.effects {
        match effect {
            Effect::MessageCitizen { template, text } => {
                let secret = tracking_code.filter(|_| {
                    template.as_deref() == Some(crate::core::workflow::ACKNOWLEDGEMENT_TEMPLATE)
                });
                // A template message keeps the step it announces.
                let text = match template {
                    Some(_) => Some(&outcome.state.step),
                    None => text.as_ref(),
                };
                insert_message.execute(params![
                    tenant_id,
                    request_id,
                    "citizen",
                    None::<String>,
                    template,
                    text,
                    at,
                    secret
                ])?;
            }
            Effect::NotifyDepartment { department, reason } => {
                insert_message.execute(params![
                    tenant_id,
                    request_id,
                    "department",
                    department,
                    reason,
                    None::<String>,
                    at,
                    None::<String>
                ])?;
            }
            Effect::Export => {
                tx.prepare_cached("UPDATE requests SET export_pending = 1 WHERE id = ?1")?
                    .execute(params![request_id])?;
            }
        }
    }
    Ok(())
}

/// The fields of an audit entry, length-prefixed so that no two different
/// entries hash the same way.
fn audit_hash(seq: i64, fields: [&str; 6], prev: &str) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_string().as_bytes());
    for f in fields {
        h.update(b"|");
        h.update(f.len().to_string().as_bytes());
        h.update(b":");
        h.update(f.as_bytes());
    }
    h.update(b"|");
    h.update(prev.as_bytes());
    crate::core::tracking::hex(&h.finalize())
}

/// Appends an entry to the tenant's audit journal, chained to the last one.
pub fn append_audit(
    tx: &Connection,
    tenant_id: i64,
    at: &str,
    actor: &str,
    subject: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let (seq, prev): (i64, String) = tx
        .prepare_cached("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1")?
        .query_row(params![tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_owned()));
    let seq = seq + 1;
    let hash = audit_hash(seq, [at, actor, subject, action, detail, ""], &prev);
    tx.prepare_cached(
        "INSERT INTO audit (tenant_id, seq, at, actor, subject, action, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        tenant_id, seq, at, actor, subject, action, detail, prev, hash
    ])?;
    tx.prepare_cached(
        "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )?
    .execute(params![tenant_id, seq, hash])?;
    Ok(())
}

/// Walks a tenant's chain and reports the first entry that does not hold.
pub fn verify_audit(
    conn: &Connection,
    tenant_id: i64,
    tenant: &str,
) -> Result<AuditReport, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, subject, action, detail, prev_hash, hash FROM audit
         WHERE tenant_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![tenant_id])?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut entries = 0u64;
    let report = |entries, problem: String| AuditReport {
        tenant: tenant.to_owned(),
        entries,
        problem: Some(problem),
    };
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let fields: [String; 5] = [
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
        ];
        let prev_hash: String = row.get(6)?;
        let hash: String = row.get(7)?;
        entries += 1;
        if seq != expected_seq {
            return Ok(report(
                entries,
                format!(
                    "entry {expected_seq} is missing (the journal goes from entry {} to entry {seq})",
                    expected_seq - 1
                ),
            ));
        }
        if prev_hash != prev {
            return Ok(report(
                entries,
                format!(
                    "entry {seq} does not follow entry {}: an entry before it was removed or replaced",
                    seq - 1
                ),
            ));
        }
        let recomputed = audit_hash(
            seq,
            [
                &fields[0], &fields[1], &fields[2], &fields[3], &fields[4], "",
            ],
            &prev_hash,
        );
        if recomputed != hash {
            return Ok(report(
                entries,
                format!(
                    "entry {seq} ({} by {} on {}) was edited: its content no longer matches its hash",
                    fields[3], fields[1], fields[2]
                ),
            ));
        }
        prev = hash;
        expected_seq += 1;
    }
    let head: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1",
            params![tenant_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let last = expected_seq - 1;
    match head {
        Some((seq, hash)) if seq != last || hash != prev => Ok(report(
            entries,
            format!(
                "the journal ends at entry {last} but was last written at entry {seq}: entries were removed from its end"
            ),
        )),
        None if last > 0 => Ok(report(entries, "the journal's head is missing".to_owned())),
        _ => Ok(AuditReport {
            tenant: tenant.to_owned(),
            entries,
            problem: None,
        }),
    }
}

/// Applies an outcome decided on `revision`.
pub fn apply(
    tx: &Connection,
    tenant_id: i64,
    reference: &Reference,
    revision: i64,
    outcome: &Outcome,
    at: &str,
) -> Result<i64, StoreError> {
    let s = &outcome.state;
    let (from, to, answer) = match &s.validation {
        Some(v) => (Some(&v.from), Some(&v.to), Some(&v.answer)),
        None => (None, None, None),
    };
    let updated: Option<(i64, i64)> = tx
        .prepare_cached(
            "UPDATE requests SET step = ?1, department = ?2, entered_at = ?3, waiting = ?4,
                 finished = ?5, validation_from = ?6, validation_to = ?7, validation_answer = ?8,
                 revision = revision + 1
             WHERE tenant_id = ?9 AND year = ?10 AND number = ?11 AND revision = ?12
             RETURNING id, revision",
        )?
        .query_row(
            params![
                s.step,
                s.department,
                s.entered_at.to_string(),
                s.waiting_for_citizen,
                s.finished,
                from,
                to,
                answer,
                tenant_id,
                reference.year,
                reference.number,
                revision
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((request_id, new_revision)) = updated else {
        let exists: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM requests WHERE tenant_id = ?1 AND year = ?2 AND number = ?3)",
            )?
            .query_row(params![tenant_id, reference.year, reference.number], |r| {
                r.get(0)
            })?;
        return Err(if exists {
            StoreError::Conflict
        } else {
            StoreError::Invalid(format!("no request {reference}"))
        });
    };
    record_outcome(tx, tenant_id, request_id, reference, outcome, at, None)?;
    Ok(new_revision)
}

fn parse_time(id: i64, what: &str, text: &str) -> Result<jiff::Timestamp, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("request {id}: {what}: {e}")))
}

/// A request's workflow state from the columns `step, department,
/// submitted_at, entered_at, waiting, finished, validation_from,
/// validation_to, validation_answer` starting at `first`.
fn state_from_row(row: &rusqlite::Row, first: usize) -> rusqlite::Result<RawState> {
    Ok(RawState {
        step: row.get(first)?,
        department: row.get(first + 1)?,
        created_at: row.get(first + 2)?,
        entered_at: row.get(first + 3)?,
        waiting: row.get(first + 4)?,
        finished: row.get(first + 5)?,
        validation: match (
            row.get::<_, Option<String>>(first + 6)?,
            row.get::<_, Option<String>>(first + 7)?,
            row.get::<_, Option<String>>(first + 8)?,
        ) {
            (Some(from), Some(to), Some(answer)) => {
                Some(crate::core::workflow::PendingValidation { from, to, answer })
            }
            _ => None,
        },
    })
}

const STATE_COLUMNS: &str = "step, department, submitted_at, entered_at, waiting, finished, validation_from, validation_to, validation_answer";

struct RawState {
    step: String,
    department: String,
    created_at: String,
    entered_at: String,
    waiting: bool,
    finished: bool,
    validation: Option<crate::core::workflow::PendingValidation>,
}

impl RawState {
    fn into_state(self, id: i64) -> Result<RequestState, StoreError> {
        Ok(RequestState {
            created_at: parse_time(id, "submitted_at", &self.created_at)?,
            entered_at: parse_time(id, "entered_at", &self.entered_at)?,
            step: self.step,
            department: self.department,
            waiting_for_citizen: self.waiting,
            validation: self.validation,
            finished: self.finished,
        })
    }
}

/// State, revision and requester of a request, by id.
pub fn load_state(conn: &Connection, id: i64) -> Result<(RequestState, i64, String), StoreError> {
    let sql =
        format!("SELECT {STATE_COLUMNS}, revision, requester_name FROM requests WHERE id = ?1");
    let (raw, revision, name) = conn.prepare_cached(&sql)?.query_row(params![id], |row| {
        Ok((state_from_row(row, 0)?, row.get(9)?, row.get(10)?))
    })?;
    Ok((raw.into_state(id)?, revision, name))
}

/// A request's whole history, agents' names joined.
pub fn events(conn: &Connection, id: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, e.actor, a.name, e.action, e.from_step, e.to_step, e.comment, e.citizen_visible, e.department
         FROM events e
         JOIN requests r ON r.id = e.request_id
         LEFT JOIN agents a ON a.tenant_id = r.tenant_id AND 'agent:' || a.login = e.actor
         WHERE e.request_id = ?1 ORDER BY e.id",
    )?;
    let mut rows = stmt.query(params![id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let at: String = row.get(0)?;
        out.push(StoredEvent {
            at: parse_time(id, "event date", &at)?,
            actor: row.get(1)?,
            actor_name: row.get(2)?,
            action: row.get(3)?,
            from_step: row.get(4)?,
            to_step: row.get(5)?,
            comment: row.get(6)?,
            citizen_visible: row.get(7)?,
            department: row.get(8)?,
        });
    }
    Ok(out)
}

pub fn open_requests(conn: &Connection, tenant_id: i64) -> Result<Vec<OpenRequest>, StoreError> {
    let sql = format!(
        "SELECT id, year, number, service_code, service_version, revision, due_date, reminded, escalation, {STATE_COLUMNS}
         FROM requests WHERE tenant_id = ?1 AND finished = 0 AND waiting = 0 ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![tenant_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        out.push(OpenRequest {
            reference: Reference {
                year: row.get(1)?,
                number: row.get(2)?,
            },
            service_code: row.get(3)?,
            service_version: row.get(4)?,
            revision: row.get(5)?,
            due_date: {
                let due: String = row.get(6)?;
                due.parse()
                    .map_err(|e| StoreError::Corrupt(format!("request {id}: due_date: {e}")))?
            },
            reminded: row.get(7)?,
            escalation: row.get(8)?,
            state: state_from_row(row, 9)?.into_state(id)?,
        });
    }
    Ok(out)
}

/// `%text%` for LIKE, with LIKE's own characters escaped by `\`.
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub fn console(
    conn: &Connection,
    tenant_id: i64,
    q: &ConsoleQuery,
) -> Result<(u64, Vec<ConsoleRow>), StoreError> {
    let mut clauses = vec!["tenant_id = ?".to_owned()];
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(tenant_id)];
    if let Some(departments) = &q.departments {
        if departments.is_empty() {
            return Ok((0, Vec::new()));
        }
        // A department sees its requests, and those it is asked to validate.
        let marks = vec!["?"; departments.len()].join(", ");
        clauses.push(format!(
            "(department IN ({marks}) OR validation_to IN ({marks}))"
        ));
        for _ in 0..2 {
            for d in departments {
                args.push(Box::new(d.clone()));
            }
        }
    }
    match q.state {
        StateFilter::Open => clauses.push("finished = 0".into()),
        StateFilter::Waiting => clauses.push("finished = 0 AND waiting = 1".into()),
        StateFilter::Finished => clauses.push("finished = 1".into()),
        StateFilter::All => {}
    }
    for (column, value) in [
        ("service_code", &q.service),
        ("department", &q.department),
        ("channel", &q.channel),
    ] {
        if let Some(v) = value {
            clauses.push(format!("{column} = ?"));
            args.push(Box::new(v.clone()));
        }
    }
    if let Some(day) = q.due_before {
        clauses.push("finished = 0 AND due_date < ?".into());
        args.push(Box::new(day.to_string()));
    }
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push(
            "(printf('%04d-%06d', year, number) LIKE ?1x ESCAPE '\\' OR requester_name LIKE ?1x ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM request_values v WHERE v.request_id = requests.id AND v.value LIKE ?1x ESCAPE '\\'))"
                .replace("?1x", "?"),
        );
        let pattern = like_pattern(text);
        for _ in 0..3 {
            args.push(Box::new(pattern.clone()));
        }
    }
    let filter = clauses.join(" AND ");
    let total: i64 = conn
        .prepare(&format!("SELECT count(*) FROM requests WHERE {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    let total = total.max(0) as u64;
    let dir = if q.descending { "DESC" } else { "ASC" };
    let order = match q.sort {
        SortKey::Reference => format!("year {dir}, number {dir}"),
        SortKey::Service => format!("service_code {dir}, id {dir}"),
        SortKey::Received => format!("id {dir}"),
        SortKey::Due => format!("due_date {dir}, id {dir}"),
    };
    let sql = format!(
        "SELECT year, number, service_code, service_version, channel, step, department,
                requester_name, submitted_at, due_date, waiting, finished, id
         FROM requests WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
    );
    args.push(Box::new(q.limit));
    args.push(Box::new(q.offset));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(12)?;
        let submitted: String = row.get(8)?;
        let due: String = row.get(9)?;
        out.push(ConsoleRow {
            reference: Reference {
                year: row.get(0)?,
                number: row.get(1)?,
            },
            service_code: row.get(2)?,
            service_version: row.get(3)?,
            channel: row.get(4)?,
            step: row.get(5)?,
            department: row.get(6)?,
            requester_name: row.get(7)?,
            submitted_at: parse_time(id, "submitted_at", &submitted)?,
            due_date: due
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("request {id}: due_date: {e}")))?,
            waiting: row.get(10)?,
            finished: row.get(11)?,
        });
    }
    Ok((total, out))
}

fn agent_roles(conn: &Connection, agent_id: i64) -> Result<Vec<(String, Role)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT department, role FROM agent_roles WHERE agent_id = ?1 ORDER BY department, role",
    )?;
    let rows = stmt.query_map(params![agent_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (department, role) = row?;
        let role = Role::from_name(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("agent {agent_id}: role {role:?}")))?;
        out.push((department, role));
    }
    Ok(out)
}

const AGENT_COLUMNS: &str = "id, login, name, password_hash, admin, active, email";

fn agent_from_row(conn: &Connection, row: &rusqlite::Row) -> Result<AgentRecord, StoreError> {
    let id: i64 = row.get(0)?;
    Ok(AgentRecord {
        id,
        agent: Agent {
            login: row.get(1)?,
            name: row.get(2)?,
            admin: row.get(4)?,
            roles: agent_roles(conn, id)?,
        },
        password_hash: row.get(3)?,
        active: row.get(5)?,
        email: row.get(6)?,
    })
}

pub fn agent(
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

pub fn agents(conn: &Connection, tenant_id: i64) -> Result<Vec<AgentRecord>, StoreError> {
    let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE tenant_id = ?1 ORDER BY login");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![tenant_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(agent_from_row(conn, row)?);
    }
    Ok(out)
}

pub fn add_agent(
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
    let detail = format!(
        "{}{}; roles: {}",
        a.name,
        if a.admin { " (administrator)" } else { "" },
        grants_text(&a.roles)
    );
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("agent:{}", a.login),
        "agent-created",
        &detail,
    )?;
    Ok(true)
}

fn grants_text(roles: &[(String, Role)]) -> String {
    roles
        .iter()
        .map(|(d, r)| format!("{d}:{}", r.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn change_agent(
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
    if before.agent.admin && before.active && !(c.admin && c.active) {
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
    if !c.active || c.password_hash.is_some() {
        tx.prepare_cached("DELETE FROM sessions WHERE agent_id = ?1 AND digest <> ?2")?
            .execute(params![before.id, keep_session.unwrap_or("")])?;
    }
    // The journal says what changed, never a password or its hash.
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
    let mut roles = c.roles.clone();
    roles.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    roles.dedup();
    if grants_text(&before.agent.roles) != grants_text(&roles) {
        changes.push(format!("roles: {}", grants_text(&roles)));
    }
    if c.password_hash.is_some() {
        changes.push("new password".to_owned());
    }
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

pub fn session_agent(
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

pub fn departments(conn: &Connection, tenant_id: i64) -> Result<Vec<Department>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.code, d.name, a.login FROM departments d
         LEFT JOIN agents a ON a.id = d.head_agent_id
         WHERE d.tenant_id = ?1 ORDER BY d.name",
    )?;
    let rows = stmt.query_map(params![tenant_id], |r| {
        Ok(Department {
            code: r.get(0)?,
            name: r.get(1)?,
            head: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Sets the heads of departments (`None`: no head), one audit entry per
/// department whose head changes; an unknown department or agent refuses
/// the whole change. Returns how many changed.
pub fn set_department_heads(
    tx: &Connection,
    tenant_id: i64,
    heads: &[(String, Option<String>)],
    actor: &str,
    at: &str,
) -> Result<usize, StoreError> {
    let current: Vec<Department> = departments(tx, tenant_id)?;
    let mut changed = 0;
    for (code, login) in heads {
        let Some(department) = current.iter().find(|d| &d.code == code) else {
            return Err(StoreError::Invalid(format!("no department {code:?}")));
        };
        if department.head == *login {
            continue;
        }
        let id: Option<i64> = match login {
            Some(login) => Some(
                agent(tx, tenant_id, login)?
                    .ok_or_else(|| StoreError::Invalid(format!("no agent {login:?}")))?
                    .id,
            ),
            None => None,
        };
        tx.prepare_cached(
            "UPDATE departments SET head_agent_id = ?3 WHERE tenant_id = ?1 AND code = ?2",
        )?
        .execute(params![tenant_id, code, id])?;
        append_audit(
            tx,
            tenant_id,
            at,
            actor,
            &format!("department:{code}"),
            "department-head",
            &format!("head: {}", login.as_deref().unwrap_or("none")),
        )?;
        changed += 1;
    }
    Ok(changed)
}

pub fn save_standard_answer(
    tx: &Connection,
    tenant_id: i64,
    id: Option<i64>,
    a: &NewStandardAnswer,
    actor: &str,
    at: &str,
) -> Result<Option<i64>, StoreError> {
    let (id, action) = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO standard_answers (tenant_id, department, title, text)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![tenant_id, a.department, a.title, a.text])?;
            (tx.last_insert_rowid(), "standard-answer-created")
        }
        Some(id) => {
            let changed = tx
                .prepare_cached(
                    "UPDATE standard_answers SET department = ?3, title = ?4, text = ?5
                     WHERE tenant_id = ?1 AND id = ?2",
                )?
                .execute(params![tenant_id, id, a.department, a.title, a.text])?;
            if changed == 0 {
                return Ok(None);
            }
            (id, "standard-answer-changed")
        }
    };
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("standard-answer:{id}"),
        action,
        &format!("{}: {}\n{}", a.department, a.title, a.text),
    )?;
    Ok(Some(id))
}

pub fn remove_standard_answer(
    tx: &Connection,
    tenant_id: i64,
    id: i64,
    actor: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let title: Option<String> = tx
        .prepare_cached(
            "DELETE FROM standard_answers WHERE tenant_id = ?1 AND id = ?2 RETURNING title",
        )?
        .query_row(params![tenant_id, id], |r| r.get(0))
        .optional()?;
    let Some(title) = title else {
        return Ok(false);
    };
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("standard-answer:{id}"),
        "standard-answer-removed",
        &title,
    )?;
    Ok(true)
}

pub fn standard_answers(
    conn: &Connection,
    tenant_id: i64,
) -> Result<Vec<StandardAnswer>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, department, title, text FROM standard_answers WHERE tenant_id = ?1 ORDER BY department, title",
    )?;
    let rows = stmt.query_map(params![tenant_id], |r| {
        Ok(StandardAnswer {
            id: r.get(0)?,
            department: r.get(1)?,
            title: r.get(2)?,
            text: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn deadline_mark(
    tx: &Connection,
    tenant_id: i64,
    reference: &Reference,
    mark: DeadlineMark,
    department: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let (sql, template, action) = match mark {
        DeadlineMark::Reminder => (
            "UPDATE requests SET reminded = 1
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND reminded = 0 AND finished = 0
             RETURNING id, step",
            "reminder",
            "reminder",
        ),
        DeadlineMark::Escalation(1) => (
            "UPDATE requests SET escalation = 1
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND escalation = 0 AND finished = 0
             RETURNING id, step",
            "escalation-head",
            "escalation",
        ),
        DeadlineMark::Escalation(_) => (
            "UPDATE requests SET escalation = 2
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND escalation = 1 AND finished = 0
             RETURNING id, step",
            "escalation-admin",
            "escalation",
        ),
    };
    let marked: Option<(i64, String)> = tx
        .prepare_cached(sql)?
        .query_row(params![tenant_id, reference.year, reference.number], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((request_id, step)) = marked else {
        return Ok(false);
    };
    let outcome = Outcome {
        state: RequestState {
            step: step.clone(),
            department: department.to_owned(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            entered_at: jiff::Timestamp::UNIX_EPOCH,
            waiting_for_citizen: false,
            validation: None,
            finished: false,
        },
        events: vec![crate::core::workflow::Event {
            actor: "system".into(),
            action: action.into(),
            from_step: Some(step.clone()),
            to_step: None,
            comment: Some(template.into()),
            citizen_visible: false,
            department: Some(department.to_owned()),
        }],
        effects: vec![Effect::NotifyDepartment {
            department: department.to_owned(),
            reason: template.into(),
        }],
    };
    record_outcome(tx, tenant_id, request_id, reference, &outcome, at, None)?;
    Ok(true)
}

pub fn pending_messages(conn: &Connection, limit: u32) -> Result<Vec<PendingMessage>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.tenant_id, o.recipient_kind, o.recipient, o.template, o.text, o.secret,
                r.id, r.year, r.number, r.service_code, r.service_version, r.step, r.department,
                r.due_date, r.requester_name, r.requester_email,
                (SELECT value FROM request_values v WHERE v.request_id = r.id AND v.path = 'requester/phone'),
                (SELECT value FROM request_values v WHERE v.request_id = r.id AND v.path = 'requester/smsUpdates'),
                r.lang
         FROM outbox o LEFT JOIN requests r ON r.id = o.request_id
         WHERE o.state = 'pending' ORDER BY o.id LIMIT ?1",
    )?;
    let mut rows = stmt.query(params![limit])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let request = match row.get::<_, Option<i64>>(7)? {
            None => None,
            Some(id) => {
                let due: String = row.get(14)?;
                Some(MessageRequest {
                    id,
                    reference: Reference {
                        year: row.get(8)?,
                        number: row.get(9)?,
                    },
                    service_code: row.get(10)?,
                    service_version: row.get(11)?,
                    step: row.get(12)?,
                    department: row.get(13)?,
                    due_date: due
                        .parse()
                        .map_err(|e| StoreError::Corrupt(format!("request {id}: due_date: {e}")))?,
                    requester_name: row.get(15)?,
                    email: row.get(16)?,
                    phone: row.get(17)?,
                    sms: row.get::<_, Option<String>>(18)?.as_deref() == Some("true"),
                    lang: row.get(19)?,
                })
            }
        };
        out.push(PendingMessage {
            id: row.get(0)?,
            tenant_id: row.get(1)?,
            recipient_kind: row.get(2)?,
            recipient: row.get(3)?,
            template: row.get(4)?,
            text: row.get(5)?,
            secret: row.get(6)?,
            request,
        });
    }
    Ok(out)
}

pub fn expand_message(
    tx: &Connection,
    message_id: i64,
    deliveries: &[NewDelivery],
) -> Result<(), StoreError> {
    let (tenant_id, request_id): (i64, Option<i64>) = tx.query_row(
        "SELECT tenant_id, request_id FROM outbox WHERE id = ?1",
        params![message_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO deliveries (outbox_id, tenant_id, request_id, channel, address, subject, body, html, has_secret, parts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (outbox_id, channel, address) DO NOTHING",
    )?;
    for d in deliveries {
        insert.execute(params![
            message_id,
            tenant_id,
            request_id,
            d.channel,
            d.address,
            d.subject,
            d.body,
            d.html,
            d.has_secret,
            d.parts
        ])?;
    }
    tx.prepare_cached(
        "UPDATE outbox SET state = 'expanded', secret = NULL WHERE id = ?1 AND state = 'pending'",
    )?
    .execute(params![message_id])?;
    Ok(())
}

pub fn due_deliveries(
    conn: &Connection,
    now: i64,
    limit: u32,
    idle: &[(i64, &str)],
) -> Result<Vec<Delivery>, StoreError> {
    use rusqlite::types::Value;
    let mut sql = String::from(
        "SELECT id, tenant_id, channel, address, subject, body, html, attempts FROM deliveries
         WHERE state = 'pending' AND next_attempt_at <= ?1",
    );
    let mut values = vec![Value::Integer(now), Value::Integer(i64::from(limit))];
    if !idle.is_empty() {
        let pairs: Vec<String> = (0..idle.len())
            .map(|i| format!("(?{}, ?{})", 3 + 2 * i, 4 + 2 * i))
            .collect();
        sql.push_str(&format!(
            " AND (tenant_id, channel) NOT IN (VALUES {})",
            pairs.join(", ")
        ));
        for (tenant, channel) in idle {
            values.push(Value::Integer(*tenant));
            values.push(Value::Text((*channel).to_owned()));
        }
    }
    sql.push_str(" ORDER BY next_attempt_at, id LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| {
        Ok(Delivery {
            id: r.get(0)?,
            tenant_id: r.get(1)?,
            channel: r.get(2)?,
            address: r.get(3)?,
            subject: r.get(4)?,
            body: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            html: r.get(6)?,
            attempts: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn delivery_result(
    tx: &Connection,
    id: i64,
    result: &Result<(), (String, Option<i64>)>,
    at: &str,
) -> Result<(), StoreError> {
    match result {
        Ok(()) => {
            // A message carrying a tracking code is not kept once sent.
            tx.prepare_cached(
                "UPDATE deliveries SET state = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL,
                     body = CASE WHEN has_secret = 1 THEN NULL ELSE body END,
                     html = CASE WHEN has_secret = 1 THEN NULL ELSE html END
                 WHERE id = ?1",
            )?
            .execute(params![id, at])?;
        }
        Err((error, next)) => {
            tx.prepare_cached(
                "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2,
                     state = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END,
                     next_attempt_at = COALESCE(?3, next_attempt_at)
                 WHERE id = ?1",
            )?
            .execute(params![id, error, next])?;
        }
    }
    Ok(())
}

pub fn pending_deliveries(
    conn: &Connection,
    tenant_id: i64,
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, count(*) FROM deliveries
         WHERE state = 'pending' AND tenant_id = ?1 GROUP BY channel ORDER BY channel",
    )?;
    let rows = stmt.query_map(params![tenant_id], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?.unsigned_abs()))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn retry_failed_deliveries(
    tx: &Connection,
    tenant_id: i64,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<usize, StoreError> {
    let count = tx
        .prepare_cached(
            "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?2
             WHERE tenant_id = ?1 AND state = 'failed'",
        )?
        .execute(params![tenant_id, now.as_second()])?;
    if count > 0 {
        append_audit(
            tx,
            tenant_id,
            &now.to_string(),
            actor,
            "deliveries",
            "deliveries-retried",
            &format!("{count} failed deliveries sent again"),
        )?;
    }
    Ok(count)
}

pub fn deliveries(
    conn: &Connection,
    tenant_id: i64,
    reference: Option<&Reference>,
) -> Result<Vec<DeliveryRecord>, StoreError> {
    let (filter, year, number) = match reference {
        Some(r) => ("r.year = ?2 AND r.number = ?3", r.year, r.number),
        None => ("d.state = 'failed' AND ?2 = ?2 AND ?3 = ?3", 0, 0),
    };
    let sql = format!(
        "SELECT d.id, r.year, r.number, d.channel, d.address, d.subject, d.state, d.attempts, d.last_error, d.sent_at
         FROM deliveries d LEFT JOIN requests r ON r.id = d.request_id
         WHERE d.tenant_id = ?1 AND {filter} ORDER BY d.id DESC LIMIT 200"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![tenant_id, year, number], |r| {
        let year: Option<i16> = r.get(1)?;
        let number: Option<u32> = r.get(2)?;
        Ok(DeliveryRecord {
            id: r.get(0)?,
            reference: year
                .zip(number)
                .map(|(year, number)| Reference { year, number }),
            channel: r.get(3)?,
            address: r.get(4)?,
            subject: r.get(5)?,
            state: r.get(6)?,
            attempts: r.get(7)?,
            last_error: r.get(8)?,
            sent_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
