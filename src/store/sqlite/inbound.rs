//! SQL of the messages received by e-mail or SMS.

use super::SqliteStore;
use super::audit::append_audit;
use crate::store::inbound::INBOUND_COLUMNS;
use crate::store::requests::parse_time;
use crate::store::*;
use rusqlite::{Connection, OptionalExtension, Row, params};

impl InboundStore for SqliteStore {
    fn receive_inbound(
        &self,
        tenant_id: i64,
        message: NewInbound,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Received, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let m = &message;
            let request_id: Option<i64> = match m.reply_to {
                Some(r) => tx
                    .prepare_cached(
                        "SELECT id FROM requests WHERE tenant_id = ?1 AND year = ?2 AND number = ?3",
                    )?
                    .query_row(params![tenant_id, r.year, r.number], |r| r.get(0))
                    .optional()?,
                None => None,
            };
            let state = if request_id.is_some() { "replying" } else { "new" };
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO inbound (tenant_id, channel, source, external_id, sender, sender_name,
                         subject, body, received_at, department, service_code, state, request_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (tenant_id, channel, external_id) DO NOTHING",
                )?
                .execute(params![
                    tenant_id,
                    m.channel,
                    m.source,
                    m.external_id,
                    m.sender,
                    m.sender_name,
                    m.subject,
                    m.body,
                    at,
                    m.department,
                    m.service_code,
                    state,
                    request_id
                ])?;
            if inserted == 0 {
                return Ok(Received::Duplicate);
            }
            let id = tx.last_insert_rowid();
            for f in &m.files {
                tx.prepare_cached(
                    "INSERT INTO inbound_files (inbound_id, file_name, media_type, size, sha256)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    id,
                    f.name,
                    f.kind.media_type(),
                    f.bytes.len() as i64,
                    f.sha256
                ])?;
            }
            if let Some(template) = m.acknowledge {
                tx.prepare_cached(
                    "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at)
                     VALUES (?1, NULL, 'inbound', ?2, ?3, ?4, ?5)",
                )?
                .execute(params![tenant_id, m.sender, template, m.channel, at])?;
            }
            Ok(Received::Kept(id))
        })
    }

    fn inbound_queue(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<InboundItem>, u64), StoreError>> {
        self.read(move |conn| {
            // The agent's departments, bound as one JSON array (`None`: all).
            let mine = departments
                .as_ref()
                .map(|d| serde_json::to_string(d).expect("strings are JSON"));
            let total: i64 = conn
                .prepare_cached(
                    "SELECT count(*) FROM inbound i WHERE i.tenant_id = ?1 AND i.state = 'new'
                       AND (?2 IS NULL OR i.department IS NULL
                            OR i.department IN (SELECT value FROM json_each(?2)))",
                )?
                .query_row(params![tenant_id, mine], |r| r.get(0))?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {INBOUND_COLUMNS} FROM inbound i LEFT JOIN requests r ON r.id = i.request_id
                 WHERE i.tenant_id = ?1 AND i.state = 'new'
                   AND (?2 IS NULL OR i.department IS NULL
                        OR i.department IN (SELECT value FROM json_each(?2)))
                 ORDER BY i.id LIMIT ?3"
            ))?;
            let items = stmt
                .query_map(params![tenant_id, mine, limit], item_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let mut item = item?;
                item.files = files(conn, item.id)?;
                out.push(item);
            }
            Ok((out, total as u64))
        })
    }

    fn inbound_item(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<InboundItem>, StoreError>> {
        self.read(move |conn| {
            let item = conn
                .prepare_cached(&format!(
                    "SELECT {INBOUND_COLUMNS} FROM inbound i LEFT JOIN requests r ON r.id = i.request_id
                     WHERE i.id = ?1 AND i.tenant_id = ?2"
                ))?
                .query_row(params![id, tenant_id], item_row)
                .optional()?;
            match item {
                Some(item) => {
                    let mut item = item?;
                    item.files = files(conn, id)?;
                    Ok(Some(item))
                }
                None => Ok(None),
            }
        })
    }

    fn inbound_of_request(
        &self,
        tenant_id: i64,
        reference: crate::core::tracking::Reference,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT i.id FROM inbound i JOIN requests r ON r.id = i.request_id
                     WHERE r.tenant_id = ?1 AND r.year = ?2 AND r.number = ?3 AND i.state = 'request'
                     ORDER BY i.id LIMIT 1",
                )?
                .query_row(params![tenant_id, reference.year, reference.number], |r| {
                    r.get(0)
                })
                .optional()?)
        })
    }

    fn decide_inbound(
        &self,
        tenant_id: i64,
        id: i64,
        decision: InboundDecision,
        actor: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| decide(tx, tenant_id, id, &decision, &actor, &at))
    }
}

fn decide(
    tx: &Connection,
    tenant_id: i64,
    id: i64,
    decision: &InboundDecision,
    actor: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let (changed, action, detail) = match decision {
        InboundDecision::Filed => (
            tx.prepare_cached(
                "UPDATE inbound SET state = 'filed', decided_by = ?3, decided_at = ?4
                 WHERE id = ?1 AND tenant_id = ?2 AND state = 'new'",
            )?
            .execute(params![id, tenant_id, actor, at])?,
            "inbound-filed",
            String::new(),
        ),
        InboundDecision::Forward(department) => (
            tx.prepare_cached(
                "UPDATE inbound SET department = ?3 WHERE id = ?1 AND tenant_id = ?2 AND state = 'new'",
            )?
            .execute(params![id, tenant_id, department])?,
            "inbound-forwarded",
            department.clone(),
        ),
        InboundDecision::Queued => (
            tx.prepare_cached(
                "UPDATE inbound SET state = 'new', request_id = NULL
                 WHERE id = ?1 AND tenant_id = ?2 AND state = 'replying'",
            )?
            .execute(params![id, tenant_id])?,
            "inbound-queued",
            String::new(),
        ),
        InboundDecision::Replied(reference) => {
            let request: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM requests WHERE tenant_id = ?1 AND year = ?2 AND number = ?3",
                )?
                .query_row(
                    params![tenant_id, reference.year, reference.number],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(request) = request else {
                return Ok(false);
            };
            let changed = tx
                .prepare_cached(
                    "UPDATE inbound SET state = 'reply', request_id = ?3, decided_by = ?4, decided_at = ?5
                     WHERE id = ?1 AND tenant_id = ?2 AND state IN ('new', 'replying')",
                )?
                .execute(params![id, tenant_id, request, actor, at])?;
            if changed > 0 {
                move_files(tx, id, request, at)?;
            }
            (changed, "inbound-replied", reference.to_string())
        }
    };
    if changed == 0 {
        return Ok(false);
    }
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("inbound:{id}"),
        action,
        &detail,
    )?;
    Ok(true)
}

/// The request `request_id` was made of the queue's item `inbound_id`, in
/// the request's storing transaction: false when the item is not in the
/// queue any more (another agent made it something else).
pub(super) fn made_request(
    tx: &Connection,
    tenant_id: i64,
    inbound_id: i64,
    request_id: i64,
    agent: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let changed = tx
        .prepare_cached(
            "UPDATE inbound SET state = 'request', request_id = ?3, decided_by = ?4, decided_at = ?5
             WHERE id = ?1 AND tenant_id = ?2 AND state = 'new'",
        )?
        .execute(params![inbound_id, tenant_id, request_id, agent, at])?;
    if changed == 0 {
        return Ok(false);
    }
    move_files(tx, inbound_id, request_id, at)?;
    Ok(true)
}

/// The item's files become the request's, as its requester's: added by
/// `citizen:email` (or `sms`), under the pseudo-field `@message` (no form
/// field can be named so).
fn move_files(
    tx: &Connection,
    inbound_id: i64,
    request_id: i64,
    at: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO attachments (request_id, field, file_name, media_type, size, sha256, added_at, added_by)
         SELECT ?2, '@message', f.file_name, f.media_type, f.size, f.sha256, ?3, 'citizen:' || i.channel
         FROM inbound_files f JOIN inbound i ON i.id = f.inbound_id
         WHERE f.inbound_id = ?1 ORDER BY f.id",
    )?
    .execute(params![inbound_id, request_id, at])?;
    Ok(())
}

fn files(conn: &Connection, inbound_id: i64) -> Result<Vec<InboundFile>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, file_name, media_type, size, sha256 FROM inbound_files
             WHERE inbound_id = ?1 ORDER BY id",
        )?
        .query_map(params![inbound_id], |r| {
            Ok(InboundFile {
                id: r.get(0)?,
                name: r.get(1)?,
                media_type: r.get(2)?,
                size: r.get::<_, i64>(3)? as u64,
                sha256: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

fn item_row(r: &Row) -> rusqlite::Result<Result<InboundItem, StoreError>> {
    let id: i64 = r.get(0)?;
    let received: String = r.get(7)?;
    let decided: Option<String> = r.get(14)?;
    let year: Option<i16> = r.get(11)?;
    let number: Option<u32> = r.get(12)?;
    let received_at = match parse_time(id, "inbound received_at", &received) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let decided_at = match decided.map(|d| parse_time(id, "inbound decided_at", &d)) {
        Some(Err(e)) => return Ok(Err(e)),
        Some(Ok(t)) => Some(t),
        None => None,
    };
    Ok(Ok(InboundItem {
        id,
        channel: r.get(1)?,
        source: r.get(2)?,
        sender: r.get(3)?,
        sender_name: r.get(4)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        received_at,
        department: r.get(8)?,
        service_code: r.get(9)?,
        state: r.get(10)?,
        request: year
            .zip(number)
            .map(|(year, number)| crate::core::tracking::Reference { year, number }),
        decided_by: r.get(13)?,
        decided_at,
        files: Vec::new(),
    }))
}
