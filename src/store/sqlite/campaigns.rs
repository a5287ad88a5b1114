//! SQL of the lists' subscribers, the campaigns and their sends.

use super::SqliteStore;
use super::audit::append_audit;
use crate::store::campaigns::{CAMPAIGN_COLUMNS, SUBSCRIBER_COLUMNS, figures, short_error};
use crate::store::*;
use rusqlite::{Connection, OptionalExtension, Row, params};

fn time(id: i64, what: &str, text: &str) -> Result<jiff::Timestamp, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("campaigns {id}: {what}: {e}")))
}

fn subscriber_row(r: &Row) -> rusqlite::Result<(Subscriber, String)> {
    Ok((
        Subscriber {
            id: r.get(0)?,
            list: r.get(1)?,
            channel: r.get(2)?,
            address: r.get(3)?,
            source: r.get(4)?,
            state: r.get(5)?,
            token: r.get(6)?,
            created_at: jiff::Timestamp::UNIX_EPOCH,
        },
        r.get(7)?,
    ))
}

/// The subscribers `rest` (a WHERE clause and its order, over `?1…`)
/// selects.
fn subscribers_where(
    conn: &Connection,
    rest: &str,
    values: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Subscriber>, StoreError> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE {rest}"
        ))?
        .query_map(values, subscriber_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut s, at)| {
            s.created_at = time(s.id, "created_at", &at)?;
            Ok(s)
        })
        .collect()
}

fn subscriber_where(
    conn: &Connection,
    tenant_id: i64,
    token: &str,
) -> Result<Option<Subscriber>, StoreError> {
    Ok(subscribers_where(
        conn,
        "tenant_id = ?1 AND token = ?2",
        params![tenant_id, token],
    )?
    .pop())
}

/// The notice to the subscriber, to the outbox (`alerts`): its text is
/// `CHANNEL:LIST`, its secret the link.
#[allow(clippy::too_many_arguments)]
fn queue_notice(
    tx: &Connection,
    tenant_id: i64,
    address: &str,
    channel: &str,
    list: &str,
    token: &str,
    notice: &Notice,
    at: &str,
) -> Result<(), StoreError> {
    let link = notice.link_prefix.as_ref().map(|p| format!("{p}{token}"));
    tx.prepare_cached(
        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
         VALUES (?1, NULL, 'alerts', ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        tenant_id,
        address,
        notice.template,
        format!("{channel}:{list}"),
        at,
        link
    ])?;
    Ok(())
}

/// Marks `sent` the campaigns of `ids` none of whose sends is queued.
fn finish(tx: &Connection, ids: &[i64], at: &str) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "UPDATE campaigns SET state = 'sent', finished_at = ?2
         WHERE id = ?1 AND state = 'sending'
           AND NOT EXISTS (SELECT 1 FROM campaign_sends WHERE campaign_id = ?1 AND state = 'queued')",
    )?;
    for id in ids {
        stmt.execute(params![id, at])?;
    }
    Ok(())
}

/// Cancels the queued sends of these subscribers; the campaigns they
/// finish are marked so.
fn cancel_sends(tx: &Connection, subscribers: &[i64], at: &str) -> Result<(), StoreError> {
    let mut campaigns = Vec::new();
    for s in subscribers {
        let mut stmt = tx.prepare_cached(
            "UPDATE campaign_sends SET state = 'cancelled' WHERE subscriber_id = ?1 AND state = 'queued'
             RETURNING campaign_id",
        )?;
        let ids = stmt
            .query_map(params![s], |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        campaigns.extend(ids);
    }
    campaigns.sort_unstable();
    campaigns.dedup();
    finish(tx, &campaigns, at)
}

fn campaign_row(r: &Row) -> rusqlite::Result<(Campaign, String, Option<String>, i64)> {
    Ok((
        Campaign {
            id: r.get(0)?,
            list: r.get(1)?,
            channel: r.get(2)?,
            subject: r.get(3)?,
            text: r.get(4)?,
            parts: r.get::<_, i64>(5)? as u32,
            created_by: r.get(6)?,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            state: r.get(8)?,
            finished_at: None,
            figures: Default::default(),
            cancelled: 0,
        },
        r.get(7)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

fn with_figures(
    conn: &Connection,
    (mut c, created, finished, recipients): (Campaign, String, Option<String>, i64),
) -> Result<Campaign, StoreError> {
    c.created_at = time(c.id, "created_at", &created)?;
    c.finished_at = finished
        .map(|f| time(c.id, "finished_at", &f))
        .transpose()?;
    let counts = conn
        .prepare_cached(
            "SELECT state, count(*) FROM campaign_sends WHERE campaign_id = ?1 GROUP BY state",
        )?
        .query_map(params![c.id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    (c.figures, c.cancelled) = figures(recipients as u64, &counts);
    Ok(c)
}

impl CampaignStore for SqliteStore {
    fn subscribe_to_list(
        &self,
        tenant_id: i64,
        s: NewSubscription,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Subscribed, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let existing: Option<(i64, String, String)> = tx
                .prepare_cached(
                    "SELECT id, state, token FROM subscribers
                     WHERE tenant_id = ?1 AND list_code = ?2 AND channel = ?3 AND address = ?4",
                )?
                .query_row(params![tenant_id, s.list, s.channel, s.address], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let state = if s.pending { "pending" } else { "active" };
            let confirmed = (!s.pending).then_some(at.as_str());
            let (id, token) = match existing {
                Some((_, current, _)) if current == "active" => return Ok(Subscribed::Already),
                Some((id, current, token)) => {
                    // Pending and asked again: the same link sent again;
                    // stopped: back on the list, as asked now.
                    tx.prepare_cached(
                        "UPDATE subscribers SET state = ?2, source = ?3, confirmed_at = ?4, stopped_at = NULL
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        state,
                        if current == "pending" && s.pending {
                            "web"
                        } else {
                            s.source
                        },
                        confirmed
                    ])?;
                    (id, token)
                }
                None => {
                    tx.prepare_cached(
                        "INSERT INTO subscribers (tenant_id, list_code, channel, address, source, state, token, created_at, confirmed_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        tenant_id, s.list, s.channel, s.address, s.source, state, s.token, at,
                        confirmed
                    ])?;
                    (tx.last_insert_rowid(), s.token.clone())
                }
            };
            if let Some(notice) = &s.notice {
                queue_notice(tx, tenant_id, &s.address, s.channel, &s.list, &token, notice, &at)?;
            }
            if let Some(actor) = &s.actor {
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    actor,
                    &format!("subscriber:{id}"),
                    "subscriber-added",
                    &format!("{} {}", s.list, s.channel),
                )?;
            }
            Ok(if s.pending {
                Subscribed::Pending
            } else {
                Subscribed::Active
            })
        })
    }

    fn subscriber(
        &self,
        tenant_id: i64,
        token: String,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>> {
        self.read(move |conn| subscriber_where(conn, tenant_id, &token))
    }

    fn confirm_subscriber(
        &self,
        tenant_id: i64,
        token: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE subscribers SET state = 'active', confirmed_at = ?3
                 WHERE tenant_id = ?1 AND token = ?2 AND state = 'pending'",
            )?
            .execute(params![tenant_id, token, at])?;
            subscriber_where(tx, tenant_id, &token)
        })
    }

    fn leave(
        &self,
        tenant_id: i64,
        token: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let Some(s) = subscriber_where(tx, tenant_id, &token)? else {
                return Ok(None);
            };
            if s.state != "stopped" {
                tx.prepare_cached(
                    "UPDATE subscribers SET state = 'stopped', stopped_at = ?2 WHERE id = ?1",
                )?
                .execute(params![s.id, at])?;
                cancel_sends(tx, &[s.id], &at)?;
            }
            subscriber_where(tx, tenant_id, &token)
        })
    }

    fn stop_phone(
        &self,
        tenant_id: i64,
        phone: String,
        list: Option<String>,
        notice: Option<Notice>,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let ids = tx
                .prepare_cached(
                    "UPDATE subscribers SET state = 'stopped', stopped_at = ?3
                     WHERE tenant_id = ?1 AND channel = 'sms' AND address = ?2 AND state <> 'stopped'
                       AND (?4 IS NULL OR list_code = ?4)
                     RETURNING id",
                )?
                .query_map(params![tenant_id, phone, at, list], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            if ids.is_empty() {
                return Ok(0);
            }
            cancel_sends(tx, &ids, &at)?;
            if let Some(notice) = &notice {
                let which = list.as_deref().unwrap_or("*");
                queue_notice(tx, tenant_id, &phone, "sms", which, "", notice, &at)?;
            }
            Ok(ids.len() as u64)
        })
    }

    fn subscriptions_of(
        &self,
        tenant_id: i64,
        address: String,
    ) -> BoxFuture<'_, Result<Vec<Subscriber>, StoreError>> {
        self.read(move |conn| {
            subscribers_where(
                conn,
                "tenant_id = ?1 AND address = ?2 ORDER BY id",
                params![tenant_id, address],
            )
        })
    }

    fn list_counts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<ListCount>, StoreError>> {
        self.read(move |conn| {
            let counts = conn
                .prepare_cached(
                    "SELECT list_code, channel,
                            sum(CASE WHEN state = 'active' THEN 1 ELSE 0 END),
                            sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END)
                     FROM subscribers WHERE tenant_id = ?1 GROUP BY list_code, channel ORDER BY list_code, channel",
                )?
                .query_map(params![tenant_id], |r| {
                    Ok(ListCount {
                        list: r.get(0)?,
                        channel: r.get(1)?,
                        active: r.get::<_, i64>(2)? as u64,
                        pending: r.get::<_, i64>(3)? as u64,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(counts)
        })
    }

    fn subscribers(
        &self,
        tenant_id: i64,
        list: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Subscriber>, StoreError>> {
        self.read(move |conn| {
            subscribers_where(
                conn,
                "tenant_id = ?1 AND list_code = ?2 ORDER BY id DESC LIMIT ?3",
                params![tenant_id, list, limit],
            )
        })
    }

    fn create_campaign(
        &self,
        tenant_id: i64,
        c: NewCampaign,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<(i64, u64), StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO campaigns (tenant_id, list_code, channel, subject, body, parts, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                tenant_id, c.list, c.channel, c.subject, c.text, c.parts, c.actor, at
            ])?;
            let id = tx.last_insert_rowid();
            let recipients = tx
                .prepare_cached(
                    "INSERT INTO campaign_sends (campaign_id, tenant_id, subscriber_id, address)
                     SELECT ?1, tenant_id, id, address FROM subscribers
                     WHERE tenant_id = ?2 AND list_code = ?3 AND channel = ?4 AND state = 'active'
                     ORDER BY id",
                )?
                .execute(params![id, tenant_id, c.list, c.channel])?;
            tx.prepare_cached("UPDATE campaigns SET recipients = ?2 WHERE id = ?1")?
                .execute(params![id, recipients as i64])?;
            finish(tx, &[id], &at)?;
            append_audit(
                tx,
                tenant_id,
                &at,
                &c.actor,
                &format!("campaign:{id}"),
                "campaign-created",
                &format!("{} {} {recipients}", c.list, c.channel),
            )?;
            Ok((id, recipients as u64))
        })
    }

    fn campaigns(
        &self,
        tenant_id: i64,
        lists: Option<Vec<String>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Campaign>, StoreError>> {
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(&format!(
                    "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE tenant_id = ?1 ORDER BY id DESC"
                ))?
                .query_map(params![tenant_id], campaign_row)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .filter(|(c, ..)| lists.as_ref().is_none_or(|l| l.contains(&c.list)))
                .take(limit as usize)
                .map(|row| with_figures(conn, row))
                .collect()
        })
    }

    fn campaign(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<Campaign>, StoreError>> {
        self.read(move |conn| {
            let row = conn
                .prepare_cached(&format!(
                    "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE tenant_id = ?1 AND id = ?2"
                ))?
                .query_row(params![tenant_id, id], campaign_row)
                .optional()?;
            row.map(|row| with_figures(conn, row)).transpose()
        })
    }

    fn campaign_recipients(
        &self,
        tenant_id: i64,
        id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Recipient>, StoreError>> {
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT address, state, attempts, error, sent_at, receipt_at FROM campaign_sends
                     WHERE tenant_id = ?1 AND campaign_id = ?2 ORDER BY id LIMIT ?3",
                )?
                .query_map(params![tenant_id, id, limit], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(address, state, attempts, error, sent, receipt)| {
                    Ok(Recipient {
                        address,
                        state,
                        attempts: attempts as u32,
                        error,
                        sent_at: sent.map(|t| time(id, "sent_at", &t)).transpose()?,
                        receipt_at: receipt.map(|t| time(id, "receipt_at", &t)).transpose()?,
                    })
                })
                .collect()
        })
    }

    fn claim_sends(
        &self,
        now: i64,
        until: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<DueSend>, StoreError>> {
        self.write(move |tx| {
            let due = tx
                .prepare_cached(
                    "SELECT s.id, s.tenant_id, s.campaign_id, c.list_code, c.channel, s.address, u.token,
                            c.subject, c.body, s.attempts
                     FROM campaign_sends s JOIN campaigns c ON c.id = s.campaign_id
                     JOIN subscribers u ON u.id = s.subscriber_id
                     WHERE s.state = 'queued' AND s.next_attempt_at <= ?1
                     ORDER BY s.next_attempt_at, s.id LIMIT ?2",
                )?
                .query_map(params![now, limit], |r| {
                    Ok(DueSend {
                        id: r.get(0)?,
                        tenant_id: r.get(1)?,
                        campaign_id: r.get(2)?,
                        list: r.get(3)?,
                        channel: r.get(4)?,
                        address: r.get(5)?,
                        token: r.get(6)?,
                        subject: r.get(7)?,
                        text: r.get(8)?,
                        attempts: r.get::<_, i64>(9)? as u32,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut claim = tx
                .prepare_cached("UPDATE campaign_sends SET next_attempt_at = ?2 WHERE id = ?1")?;
            for d in &due {
                claim.execute(params![d.id, until])?;
            }
            Ok(due)
        })
    }

    fn record_sends(
        &self,
        outcomes: Vec<(i64, SendOutcome)>,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let mut campaigns = Vec::new();
            for (id, outcome) in &outcomes {
                let campaign: Option<i64> = match outcome {
                    SendOutcome::Sent(provider_id) => tx
                        .prepare_cached(
                            "UPDATE campaign_sends
                             SET state = CASE WHEN state IN ('queued', 'cancelled') THEN 'sent' ELSE state END,
                                 provider_id = ?2, sent_at = ?3, attempts = attempts + 1, error = NULL
                             WHERE id = ?1 RETURNING campaign_id",
                        )?
                        .query_row(params![id, provider_id, at], |r| r.get(0))
                        .optional()?,
                    SendOutcome::Failed(error) => tx
                        .prepare_cached(
                            "UPDATE campaign_sends SET state = 'failed', error = ?2, attempts = attempts + 1
                             WHERE id = ?1 AND state IN ('queued', 'cancelled') RETURNING campaign_id",
                        )?
                        .query_row(params![id, short_error(error)], |r| r.get(0))
                        .optional()?,
                    SendOutcome::Retry(error, next) => tx
                        .prepare_cached(
                            "UPDATE campaign_sends SET error = ?2, attempts = attempts + 1, next_attempt_at = ?3
                             WHERE id = ?1 AND state = 'queued' RETURNING campaign_id",
                        )?
                        .query_row(params![id, short_error(error), next], |r| r.get(0))
                        .optional()?,
                };
                campaigns.extend(campaign);
            }
            campaigns.sort_unstable();
            campaigns.dedup();
            finish(tx, &campaigns, &at)
        })
    }

    fn record_receipt(
        &self,
        tenant_id: i64,
        key: ReceiptKey,
        delivered: bool,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let state = if delivered { "delivered" } else { "failed" };
            let (by, value): (&str, rusqlite::types::Value) = match &key {
                ReceiptKey::Provider(p) => ("provider_id", p.clone().into()),
                ReceiptKey::Ours(id) => ("id", (*id).into()),
            };
            let found: Option<(i64, String)> = tx
                .prepare_cached(&format!(
                    "SELECT id, state FROM campaign_sends WHERE tenant_id = ?1 AND {by} = ?2"
                ))?
                .query_row(params![tenant_id, value], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((id, current)) = found else {
                return Ok(false);
            };
            if current == "queued" || current == "sent" {
                let campaign: i64 = tx
                    .prepare_cached(
                        "UPDATE campaign_sends SET state = ?2, receipt_at = ?3 WHERE id = ?1 RETURNING campaign_id",
                    )?
                    .query_row(params![id, state, at], |r| r.get(0))?;
                finish(tx, &[campaign], &at)?;
            }
            Ok(true)
        })
    }
}
