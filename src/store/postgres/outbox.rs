//! SQL of the outbox: messages written with their cause, expanded into
//! deliveries, sent, retried; calls to the town's software.
//!
//! Due deliveries and due calls are read, then claimed (`claim_deliveries`,
//! `claim_calls`): with several nodes sending, each is sent by the one node
//! whose claim took it.

use super::PostgresStore;
use super::audit::append_audit;
use crate::core::tracking::Reference;
use crate::store::outbox::{
    enclosed, enclosure, retried_detail, stored_call_body, stored_due_date, wants_sms,
};
use crate::store::*;
use jiff::Timestamp;
use tokio_postgres::types::ToSql;

impl OutboxStore for PostgresStore {
    fn claim_calls(
        &self,
        ids: Vec<i64>,
        now: i64,
        until: i64,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>> {
        self.claim("calls", ids, now, until)
    }

    fn claim_deliveries(
        &self,
        ids: Vec<i64>,
        now: i64,
        until: i64,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>> {
        self.claim("deliveries", ids, now, until)
    }

    fn due_calls(&self, now: i64, limit: u32) -> BoxFuture<'_, Result<Vec<DueCall>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT c.id, c.tenant_id, r.year, r.number, c.target, c.body_kind, c.step, c.attempts
                             FROM calls c JOIN requests r ON r.id = c.request_id
                             WHERE c.state = 'pending' AND c.next_attempt_at <= $1
                             ORDER BY c.id LIMIT $2",
                        )
                        .await?,
                        &[&now, &i64::from(limit)],
                    )
                    .await?;
                rows.iter()
                    .map(|row| {
                        let id: i64 = row.get(0);
                        let body: String = row.get(5);
                        Ok(DueCall {
                            id,
                            tenant_id: row.get(1),
                            reference: super::reference(row.get(2), row.get(3))?,
                            target: row.get(4),
                            body: stored_call_body(id, &body)?,
                            step: row.get(6),
                            attempts: super::narrow(format_args!("call {id}: attempts"), row.get(7))?,
                        })
                    })
                    .collect()
            })
        })
    }

    fn call_result(
        &self,
        id: i64,
        result: CallResult,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (result, at) = (result.clone(), at.clone());
            Box::pin(async move {
                match result {
                    CallResult::Answered { status } => {
                        tx.execute(
                            &tx.prepare_cached(
                                "UPDATE calls SET state = 'answered', attempts = attempts + 1,
                                     status = $2, answered_at = $3, last_error = NULL
                                 WHERE id = $1",
                            )
                            .await?,
                            &[&id, &i64::from(status), &at],
                        )
                        .await?;
                    }
                    CallResult::Failed {
                        error,
                        next_attempt_at,
                    } => {
                        tx.execute(
                            &tx.prepare_cached(
                                "UPDATE calls SET attempts = attempts + 1, last_error = $2,
                                     state = CASE WHEN $3::bigint IS NULL THEN 'failed' ELSE 'pending' END,
                                     next_attempt_at = coalesce($3, next_attempt_at)
                                 WHERE id = $1",
                            )
                            .await?,
                            &[&id, &error, &next_attempt_at],
                        )
                        .await?;
                    }
                }
                Ok(())
            })
        })
    }

    fn pending_messages(
        &self,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<PendingMessage>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT o.id, o.tenant_id, o.recipient_kind, o.recipient, o.template, o.text, o.secret,
                                    r.id, r.year, r.number, r.service_code, r.service_version, r.step, r.department,
                                    r.due_date, r.requester_name, r.requester_email,
                                    (SELECT value FROM request_values v WHERE v.request_id = r.id AND v.path = 'requester/phone'),
                                    (SELECT value FROM request_values v WHERE v.request_id = r.id AND v.path = 'requester/smsUpdates'),
                                    r.lang
                             FROM outbox o LEFT JOIN requests r ON r.id = o.request_id
                             WHERE o.state = 'pending' ORDER BY o.id LIMIT $1",
                        )
                        .await?,
                        &[&i64::from(limit)],
                    )
                    .await?;
                rows.iter()
                    .map(|row| {
                        let request = match row.get::<_, Option<i64>>(7) {
                            None => None,
                            Some(id) => Some(MessageRequest {
                                id,
                                reference: super::reference(row.get(8), row.get(9))?,
                                service_code: row.get(10),
                                service_version: super::narrow(format_args!("request {id}: service_version"), row.get(11))?,
                                step: row.get(12),
                                department: row.get(13),
                                due_date: stored_due_date(id, row.get(14))?,
                                requester_name: row.get(15),
                                email: row.get(16),
                                phone: row.get(17),
                                sms: wants_sms(row.get(18)),
                                lang: row.get(19),
                            }),
                        };
                        Ok(PendingMessage {
                            id: row.get(0),
                            tenant_id: row.get(1),
                            recipient_kind: row.get(2),
                            recipient: row.get(3),
                            template: row.get(4),
                            text: row.get(5),
                            secret: row.get(6),
                            request,
                        })
                    })
                    .collect()
            })
        })
    }

    fn expand_messages(
        &self,
        messages: Vec<(i64, Vec<NewDelivery>)>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let messages = messages.clone();
            Box::pin(async move {
                for (message_id, deliveries) in &messages {
                    expand_message(tx, *message_id, deliveries).await?;
                }
                Ok(())
            })
        })
    }

    fn due_deliveries(
        &self,
        now: i64,
        limit: u32,
        idle: Vec<(i64, &'static str)>,
    ) -> BoxFuture<'_, Result<Vec<Delivery>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let mut sql = String::from(
                    "SELECT d.id, d.tenant_id, d.channel, d.address, d.subject, d.body, d.html, d.attempts,
                            a.file_name, a.media_type, a.sha256, r.year, r.number
                     FROM deliveries d LEFT JOIN attachments a ON a.id = d.attachment_id
           LEFT JOIN outbox o ON o.id = d.outbox_id
           LEFT JOIN requests r ON r.id = d.request_id AND o.recipient_kind = 'citizen'
                     WHERE d.state = 'pending' AND d.next_attempt_at <= $1",
                );
                let mut params: Vec<Box<dyn ToSql + Sync + Send>> =
                    vec![Box::new(now), Box::new(i64::from(limit))];
                if !idle.is_empty() {
                    let pairs: Vec<String> = (0..idle.len())
                        .map(|i| format!("(${}::bigint, ${}::text)", 3 + 2 * i, 4 + 2 * i))
                        .collect();
                    sql.push_str(&format!(
                        " AND (d.tenant_id, d.channel) NOT IN (VALUES {})",
                        pairs.join(", ")
                    ));
                    for (tenant, channel) in &idle {
                        params.push(Box::new(*tenant));
                        params.push(Box::new(*channel));
                    }
                }
                sql.push_str(" ORDER BY d.next_attempt_at, d.id LIMIT $2");
                let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as _).collect();
                let rows = tx.query(sql.as_str(), &refs).await?;
                rows.iter()
                    .map(|r| {
                        let id: i64 = r.get(0);
                        Ok(Delivery {
                            id,
                            tenant_id: r.get(1),
                            channel: r.get(2),
                            address: r.get(3),
                            subject: r.get(4),
                            body: r.get::<_, Option<String>>(5).unwrap_or_default(),
                            html: r.get(6),
                            attempts: super::narrow(format_args!("delivery {id}: attempts"), r.get(7))?,
                            enclosure: enclosure(r.get(8), r.get(9), r.get(10)),
                            reference: match (r.get::<_, Option<i64>>(11), r.get::<_, Option<i64>>(12)) {
                                (Some(year), Some(number)) => Some(Reference {
                                    year: super::narrow(format_args!("delivery {id}: year"), year)?,
                                    number: super::narrow(format_args!("delivery {id}: number"), number)?,
                                }),
                                _ => None,
                            },
                        })
                    })
                    .collect()
            })
        })
    }

    fn pending_deliveries(
        &self,
        tenant_id: Option<i64>,
    ) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT channel, count(*) FROM deliveries
                             WHERE state = 'pending' AND ($1::BIGINT IS NULL OR tenant_id = $1) GROUP BY channel ORDER BY channel",
                        )
                        .await?,
                        &[&tenant_id],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| (r.get(0), r.get::<_, i64>(1).unsigned_abs()))
                    .collect())
            })
        })
    }

    fn delivery_result(
        &self,
        id: i64,
        result: Result<(), (String, Option<i64>)>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (result, at) = (result.clone(), at.clone());
            Box::pin(async move {
                match result {
                    Ok(()) => {
                        // A message carrying a tracking code is not kept once sent.
                        tx.execute(
                            &tx.prepare_cached(
                                "UPDATE deliveries SET state = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL,
                                     body = CASE WHEN has_secret = 1 THEN NULL ELSE body END,
                                     html = CASE WHEN has_secret = 1 THEN NULL ELSE html END
                                 WHERE id = $1",
                            )
                            .await?,
                            &[&id, &at],
                        )
                        .await?;
                    }
                    Err((error, next)) => {
                        tx.execute(
                            &tx.prepare_cached(
                                "UPDATE deliveries SET attempts = attempts + 1, last_error = $2,
                                     state = CASE WHEN $3::bigint IS NULL THEN 'failed' ELSE 'pending' END,
                                     next_attempt_at = COALESCE($3, next_attempt_at)
                                 WHERE id = $1",
                            )
                            .await?,
                            &[&id, &error, &next],
                        )
                        .await?;
                    }
                }
                Ok(())
            })
        })
    }

    fn deliveries(
        &self,
        tenant_id: i64,
        reference: Option<Reference>,
    ) -> BoxFuture<'_, Result<Vec<DeliveryRecord>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let (filter, year, number) = match reference {
                    Some(r) => (
                        "r.year = $2 AND r.number = $3",
                        i64::from(r.year),
                        i64::from(r.number),
                    ),
                    None => (
                        "d.state = 'failed' AND $2::bigint = $2 AND $3::bigint = $3",
                        0,
                        0,
                    ),
                };
                let sql = format!(
                    "SELECT d.id, r.year, r.number, d.channel, d.address, d.subject, d.state, d.attempts, d.last_error, d.sent_at, d.next_attempt_at
                     FROM deliveries d LEFT JOIN requests r ON r.id = d.request_id
                     WHERE d.tenant_id = $1 AND {filter} ORDER BY d.id DESC LIMIT 200"
                );
                let rows = tx
                    .query(
                        &tx.prepare_cached(&sql).await?,
                        &[&tenant_id, &year, &number],
                    )
                    .await?;
                rows.iter()
                    .map(|r| {
                        let id: i64 = r.get(0);
                        let year: Option<i64> = r.get(1);
                        let number: Option<i64> = r.get(2);
                        Ok(DeliveryRecord {
                            id,
                            reference: match year.zip(number) {
                                Some((year, number)) => Some(super::reference(year, number)?),
                                None => None,
                            },
                            channel: r.get(3),
                            address: r.get(4),
                            subject: r.get(5),
                            state: r.get(6),
                            attempts: super::narrow(format_args!("delivery {id}: attempts"), r.get(7))?,
                            last_error: r.get(8),
                            sent_at: r.get(9),
                            next_attempt_at: r.get(10),
                        })
                    })
                    .collect()
            })
        })
    }

    fn retry_failed_deliveries(
        &self,
        tenant_id: i64,
        actor: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        self.write(move |tx| {
            let actor = actor.clone();
            Box::pin(async move {
                let count = tx
                    .execute(
                        &tx.prepare_cached(
                            "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = $2
                             WHERE tenant_id = $1 AND state = 'failed'",
                        )
                        .await?,
                        &[&tenant_id, &now.as_second()],
                    )
                    .await? as usize;
                if count > 0 {
                    append_audit(
                        tx,
                        tenant_id,
                        &now.to_string(),
                        &actor,
                        "deliveries",
                        "deliveries-retried",
                        &retried_detail(count),
                    )
                    .await?;
                }
                Ok(count)
            })
        })
    }
}

impl PostgresStore {
    /// Moves the due ones of `ids` (of `deliveries` or `calls`) to `until`,
    /// in one statement. Two nodes claiming one row: the second waits for
    /// the first's row lock, then cannot serialise and is tried again, when
    /// the row is no longer due: each row is claimed once.
    fn claim(
        &self,
        table: &'static str,
        ids: Vec<i64>,
        now: i64,
        until: i64,
    ) -> BoxFuture<'_, Result<Vec<i64>, StoreError>> {
        self.write(move |tx| {
            let ids = ids.clone();
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(&format!(
                            "UPDATE {table} SET next_attempt_at = $3
                             WHERE id = ANY($1) AND state = 'pending' AND next_attempt_at <= $2
                             RETURNING id"
                        ))
                        .await?,
                        &[&ids, &now, &until],
                    )
                    .await?;
                let mut claimed: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
                claimed.sort_unstable();
                Ok(claimed)
            })
        })
    }
}

/// Replaces one message by its deliveries, inside the caller's transaction.
async fn expand_message(
    tx: &deadpool_postgres::Transaction<'_>,
    message_id: i64,
    deliveries: &[NewDelivery],
) -> Result<(), StoreError> {
    let row = tx
        .query_one(
            &tx.prepare_cached(
                "SELECT tenant_id, request_id, attachment_id FROM outbox WHERE id = $1",
            )
            .await?,
            &[&message_id],
        )
        .await?;
    let (tenant_id, request_id, attachment): (i64, Option<i64>, Option<i64>) =
        (row.get(0), row.get(1), row.get(2));
    let insert = tx
        .prepare_cached(
            "INSERT INTO deliveries (outbox_id, tenant_id, request_id, channel, address, subject, body, html, has_secret, parts, attachment_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (outbox_id, channel, address) DO NOTHING",
        )
        .await?;
    for d in deliveries {
        tx.execute(
            &insert,
            &[
                &message_id,
                &tenant_id,
                &request_id,
                &d.channel,
                &d.address,
                &d.subject,
                &d.body,
                &d.html,
                &i64::from(d.has_secret),
                &d.parts.map(i64::from),
                &enclosed(attachment, d.channel),
            ],
        )
        .await?;
    }
    tx.execute(
        &tx.prepare_cached(
            "UPDATE outbox SET state = 'expanded', secret = NULL WHERE id = $1 AND state = 'pending'",
        )
        .await?,
        &[&message_id],
    )
    .await?;
    Ok(())
}
