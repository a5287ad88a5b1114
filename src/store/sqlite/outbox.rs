//! SQL of the outbox: messages written with their cause, expanded into deliveries, sent, retried.

use super::SqliteStore;
use super::audit::append_audit;
use crate::core::tracking::Reference;
use crate::store::outbox::{
    enclosed, enclosure, retried_detail, stored_call_body, stored_due_date, wants_sms,
};
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, params};

impl OutboxStore for SqliteStore {
    fn pending_messages(
        &self,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<PendingMessage>, StoreError>> {
        self.read(move |conn| pending_messages(conn, limit))
    }

    fn expand_messages(
        &self,
        messages: Vec<(i64, Vec<NewDelivery>)>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            for (message_id, deliveries) in &messages {
                expand_message(conn, *message_id, deliveries)?;
            }
            Ok(())
        })
    }

    fn due_deliveries(
        &self,
        now: i64,
        limit: u32,
        idle: Vec<(i64, &'static str)>,
    ) -> BoxFuture<'_, Result<Vec<Delivery>, StoreError>> {
        self.read(move |conn| due_deliveries(conn, now, limit, &idle))
    }

    fn claim_deliveries(
        &self,
        ids: Vec<i64>,
        now: i64,
        until: i64,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>> {
        self.write(move |conn| claim(conn, "deliveries", &ids, now, until))
    }

    fn claim_calls(
        &self,
        ids: Vec<i64>,
        now: i64,
        until: i64,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>> {
        self.write(move |conn| claim(conn, "calls", &ids, now, until))
    }

    fn pending_deliveries(
        &self,
        tenant_id: Option<i64>,
    ) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>> {
        self.read(move |conn| pending_deliveries(conn, tenant_id))
    }

    fn due_calls(&self, now: i64, limit: u32) -> BoxFuture<'_, Result<Vec<DueCall>, StoreError>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.id, c.tenant_id, r.year, r.number, c.target, c.body_kind, c.step, c.attempts
                 FROM calls c JOIN requests r ON r.id = c.request_id
                 WHERE c.state = 'pending' AND c.next_attempt_at <= ?1
                 ORDER BY c.id LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![now, limit])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let body: String = row.get(5)?;
                out.push(DueCall {
                    id,
                    tenant_id: row.get(1)?,
                    reference: Reference {
                        year: row.get(2)?,
                        number: row.get(3)?,
                    },
                    target: row.get(4)?,
                    body: stored_call_body(id, &body)?,
                    step: row.get(6)?,
                    attempts: row.get(7)?,
                });
            }
            Ok(out)
        })
    }

    fn call_result(
        &self,
        id: i64,
        result: CallResult,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            match &result {
                CallResult::Answered { status } => {
                    tx.prepare_cached(
                        "UPDATE calls SET state = 'answered', attempts = attempts + 1,
                             status = ?2, answered_at = ?3, last_error = NULL
                         WHERE id = ?1",
                    )?
                    .execute(params![id, status, at.to_string()])?;
                }
                CallResult::Failed {
                    error,
                    next_attempt_at,
                } => {
                    tx.prepare_cached(
                        "UPDATE calls SET attempts = attempts + 1, last_error = ?2,
                             state = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END,
                             next_attempt_at = coalesce(?3, next_attempt_at)
                         WHERE id = ?1",
                    )?
                    .execute(params![id, error, next_attempt_at])?;
                }
            }
            Ok(())
        })
    }

    fn delivery_result(
        &self,
        id: i64,
        result: Result<(), (String, Option<i64>)>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| delivery_result(conn, id, &result, &at.to_string()))
    }

    fn deliveries(
        &self,
        tenant_id: i64,
        reference: Option<Reference>,
    ) -> BoxFuture<'_, Result<Vec<DeliveryRecord>, StoreError>> {
        self.read(move |conn| deliveries(conn, tenant_id, reference.as_ref()))
    }

    fn retry_failed_deliveries(
        &self,
        tenant_id: i64,
        actor: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        self.write(move |conn| retry_failed_deliveries(conn, tenant_id, &actor, now))
    }
}

pub(super) fn pending_messages(
    conn: &Connection,
    limit: u32,
) -> Result<Vec<PendingMessage>, StoreError> {
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
                    due_date: stored_due_date(id, &due)?,
                    requester_name: row.get(15)?,
                    email: row.get(16)?,
                    phone: row.get(17)?,
                    sms: wants_sms(row.get::<_, Option<String>>(18)?.as_deref()),
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

pub(super) fn expand_message(
    tx: &Connection,
    message_id: i64,
    deliveries: &[NewDelivery],
) -> Result<(), StoreError> {
    let (tenant_id, request_id, attachment): (i64, Option<i64>, Option<i64>) = tx.query_row(
        "SELECT tenant_id, request_id, attachment_id FROM outbox WHERE id = ?1",
        params![message_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO deliveries (outbox_id, tenant_id, request_id, channel, address, subject, body, html, has_secret, parts, attachment_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (outbox_id, channel, address) DO NOTHING",
    )?;
    for d in deliveries {
        let attachment = enclosed(attachment, d.channel);
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
            d.parts,
            attachment
        ])?;
    }
    tx.prepare_cached(
        "UPDATE outbox SET state = 'expanded', secret = NULL WHERE id = ?1 AND state = 'pending'",
    )?
    .execute(params![message_id])?;
    Ok(())
}

/// Moves the due ones of `ids` (of `deliveries` or `calls`) to `until`.
fn claim(
    conn: &Connection,
    table: &str,
    ids: &[i64],
    now: i64,
    until: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE {table} SET next_attempt_at = ?3
         WHERE id = ?1 AND state = 'pending' AND next_attempt_at <= ?2"
    ))?;
    let mut claimed = Vec::new();
    for id in ids {
        if stmt.execute(params![id, now, until])? == 1 {
            claimed.push(*id);
        }
    }
    Ok(claimed)
}

pub(super) fn due_deliveries(
    conn: &Connection,
    now: i64,
    limit: u32,
    idle: &[(i64, &str)],
) -> Result<Vec<Delivery>, StoreError> {
    use rusqlite::types::Value;
    let mut sql = String::from(
        "SELECT d.id, d.tenant_id, d.channel, d.address, d.subject, d.body, d.html, d.attempts,
                a.file_name, a.media_type, a.sha256, r.year, r.number
         FROM deliveries d LEFT JOIN attachments a ON a.id = d.attachment_id
           LEFT JOIN outbox o ON o.id = d.outbox_id
           LEFT JOIN requests r ON r.id = d.request_id AND o.recipient_kind = 'citizen'
         WHERE d.state = 'pending' AND d.next_attempt_at <= ?1",
    );
    let mut values = vec![Value::Integer(now), Value::Integer(i64::from(limit))];
    if !idle.is_empty() {
        let pairs: Vec<String> = (0..idle.len())
            .map(|i| format!("(?{}, ?{})", 3 + 2 * i, 4 + 2 * i))
            .collect();
        sql.push_str(&format!(
            " AND (d.tenant_id, d.channel) NOT IN (VALUES {})",
            pairs.join(", ")
        ));
        for (tenant, channel) in idle {
            values.push(Value::Integer(*tenant));
            values.push(Value::Text((*channel).to_owned()));
        }
    }
    sql.push_str(" ORDER BY d.next_attempt_at, d.id LIMIT ?2");
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
            enclosure: enclosure(r.get(8)?, r.get(9)?, r.get(10)?),
            reference: r
                .get::<_, Option<i16>>(11)?
                .zip(r.get::<_, Option<u32>>(12)?)
                .map(|(year, number)| Reference { year, number }),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn delivery_result(
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

pub(super) fn pending_deliveries(
    conn: &Connection,
    tenant_id: Option<i64>,
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, count(*) FROM deliveries
         WHERE state = 'pending' AND (?1 IS NULL OR tenant_id = ?1) GROUP BY channel ORDER BY channel",
    )?;
    let rows = stmt.query_map(params![tenant_id], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?.unsigned_abs()))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn retry_failed_deliveries(
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
            &retried_detail(count),
        )?;
    }
    Ok(count)
}

pub(super) fn deliveries(
    conn: &Connection,
    tenant_id: i64,
    reference: Option<&Reference>,
) -> Result<Vec<DeliveryRecord>, StoreError> {
    let (filter, year, number) = match reference {
        Some(r) => ("r.year = ?2 AND r.number = ?3", r.year, r.number),
        None => ("d.state = 'failed' AND ?2 = ?2 AND ?3 = ?3", 0, 0),
    };
    let sql = format!(
        "SELECT d.id, r.year, r.number, d.channel, d.address, d.subject, d.state, d.attempts, d.last_error, d.sent_at, d.next_attempt_at
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
            next_attempt_at: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
