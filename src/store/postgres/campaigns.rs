//! SQL of the lists' subscribers, the campaigns and their sends (the
//! SQLite store's `campaigns`, the same rules).

use super::PostgresStore;
use super::audit::append_audit;
use crate::store::campaigns::{CAMPAIGN_COLUMNS, SUBSCRIBER_COLUMNS, figures, short_error};
use crate::store::*;
use deadpool_postgres::Transaction;
use tokio_postgres::Row;

fn time(id: i64, what: &str, text: &str) -> Result<jiff::Timestamp, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("campaigns {id}: {what}: {e}")))
}

fn subscriber_row(r: &Row) -> Result<Subscriber, StoreError> {
    let id: i64 = r.get(0);
    Ok(Subscriber {
        id,
        list: r.get(1),
        channel: r.get(2),
        address: r.get(3),
        source: r.get(4),
        state: r.get(5),
        token: r.get(6),
        created_at: time(id, "created_at", &r.get::<_, String>(7))?,
    })
}

async fn subscriber_where(
    tx: &Transaction<'_>,
    tenant_id: i64,
    token: &str,
) -> Result<Option<Subscriber>, StoreError> {
    tx.query_opt(
        &format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE tenant_id = $1 AND token = $2"
        ),
        &[&tenant_id, &token],
    )
    .await?
    .map(|r| subscriber_row(&r))
    .transpose()
}

#[allow(clippy::too_many_arguments)]
async fn queue_notice(
    tx: &Transaction<'_>,
    tenant_id: i64,
    address: &str,
    channel: &str,
    list: &str,
    token: &str,
    notice: &Notice,
    at: &str,
) -> Result<(), StoreError> {
    let link = notice.link_prefix.as_ref().map(|p| format!("{p}{token}"));
    tx.execute(
        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
         VALUES ($1, NULL, 'alerts', $2, $3, $4, $5, $6)",
        &[
            &tenant_id,
            &address,
            &notice.template,
            &format!("{channel}:{list}"),
            &at,
            &link,
        ],
    )
    .await?;
    Ok(())
}

async fn finish(tx: &Transaction<'_>, ids: &[i64], at: &str) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    tx.execute(
        "UPDATE campaigns c SET state = 'sent', finished_at = $2
         WHERE c.id = ANY($1) AND c.state = 'sending'
           AND NOT EXISTS (SELECT 1 FROM campaign_sends s WHERE s.campaign_id = c.id AND s.state = 'queued')",
        &[&ids, &at],
    )
    .await?;
    Ok(())
}

async fn cancel_sends(
    tx: &Transaction<'_>,
    subscribers: &[i64],
    at: &str,
) -> Result<(), StoreError> {
    let rows = tx
        .query(
            "UPDATE campaign_sends SET state = 'cancelled'
             WHERE subscriber_id = ANY($1) AND state = 'queued' RETURNING campaign_id",
            &[&subscribers],
        )
        .await?;
    let mut campaigns: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    campaigns.sort_unstable();
    campaigns.dedup();
    finish(tx, &campaigns, at).await
}

async fn with_figures(tx: &Transaction<'_>, r: &Row) -> Result<Campaign, StoreError> {
    let id: i64 = r.get(0);
    let counts: Vec<(String, u64)> = tx
        .query(
            "SELECT state, count(*) FROM campaign_sends WHERE campaign_id = $1 GROUP BY state",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
        .collect();
    let (figures, cancelled) = figures(r.get::<_, i64>(10) as u64, &counts);
    Ok(Campaign {
        id,
        list: r.get(1),
        channel: r.get(2),
        subject: r.get(3),
        text: r.get(4),
        parts: r.get::<_, i64>(5) as u32,
        created_by: r.get(6),
        created_at: time(id, "created_at", &r.get::<_, String>(7))?,
        state: r.get(8),
        finished_at: r
            .get::<_, Option<String>>(9)
            .map(|f| time(id, "finished_at", &f))
            .transpose()?,
        figures,
        cancelled,
    })
}

impl CampaignStore for PostgresStore {
    fn subscribe_to_list(
        &self,
        tenant_id: i64,
        s: NewSubscription,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Subscribed, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (s, at) = (s.clone(), at.clone());
            Box::pin(async move {
                let existing = tx
                    .query_opt(
                        "SELECT id, state, token FROM subscribers
                         WHERE tenant_id = $1 AND list_code = $2 AND channel = $3 AND address = $4",
                        &[&tenant_id, &s.list, &s.channel, &s.address],
                    )
                    .await?
                    .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1), r.get::<_, String>(2)));
                let state = if s.pending { "pending" } else { "active" };
                let confirmed = (!s.pending).then_some(at.clone());
                let (id, token) = match existing {
                    Some((_, current, _)) if current == "active" => {
                        return Ok(Subscribed::Already);
                    }
                    Some((id, current, token)) => {
                        let source = if current == "pending" && s.pending {
                            "web"
                        } else {
                            s.source
                        };
                        tx.execute(
                            "UPDATE subscribers SET state = $2, source = $3, confirmed_at = $4, stopped_at = NULL
                             WHERE id = $1",
                            &[&id, &state, &source, &confirmed],
                        )
                        .await?;
                        (id, token)
                    }
                    None => {
                        let row = tx
                            .query_one(
                                "INSERT INTO subscribers (tenant_id, list_code, channel, address, source, state, token, created_at, confirmed_at)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                                &[
                                    &tenant_id, &s.list, &s.channel, &s.address, &s.source, &state,
                                    &s.token, &at, &confirmed,
                                ],
                            )
                            .await?;
                        (row.get(0), s.token.clone())
                    }
                };
                if let Some(notice) = &s.notice {
                    queue_notice(tx, tenant_id, &s.address, s.channel, &s.list, &token, notice, &at)
                        .await?;
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
                    )
                    .await?;
                }
                Ok(if s.pending {
                    Subscribed::Pending
                } else {
                    Subscribed::Active
                })
            })
        })
    }

    fn subscriber(
        &self,
        tenant_id: i64,
        token: String,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>> {
        self.read(move |tx| Box::pin(async move { subscriber_where(tx, tenant_id, &token).await }))
    }

    fn confirm_subscriber(
        &self,
        tenant_id: i64,
        token: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Option<Subscriber>, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (token, at) = (token.clone(), at.clone());
            Box::pin(async move {
                tx.execute(
                    "UPDATE subscribers SET state = 'active', confirmed_at = $3
                     WHERE tenant_id = $1 AND token = $2 AND state = 'pending'",
                    &[&tenant_id, &token, &at],
                )
                .await?;
                subscriber_where(tx, tenant_id, &token).await
            })
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
            let (token, at) = (token.clone(), at.clone());
            Box::pin(async move {
                let Some(s) = subscriber_where(tx, tenant_id, &token).await? else {
                    return Ok(None);
                };
                if s.state != "stopped" {
                    tx.execute(
                        "UPDATE subscribers SET state = 'stopped', stopped_at = $2 WHERE id = $1",
                        &[&s.id, &at],
                    )
                    .await?;
                    cancel_sends(tx, &[s.id], &at).await?;
                }
                subscriber_where(tx, tenant_id, &token).await
            })
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
            let (phone, list, notice, at) = (phone.clone(), list.clone(), notice.clone(), at.clone());
            Box::pin(async move {
                let ids: Vec<i64> = tx
                    .query(
                        "UPDATE subscribers SET state = 'stopped', stopped_at = $3
                         WHERE tenant_id = $1 AND channel = 'sms' AND address = $2 AND state <> 'stopped'
                           AND ($4::TEXT IS NULL OR list_code = $4)
                         RETURNING id",
                        &[&tenant_id, &phone, &at, &list],
                    )
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                if ids.is_empty() {
                    return Ok(0);
                }
                cancel_sends(tx, &ids, &at).await?;
                if let Some(notice) = &notice {
                    let which = list.as_deref().unwrap_or("*");
                    queue_notice(tx, tenant_id, &phone, "sms", which, "", notice, &at).await?;
                }
                Ok(ids.len() as u64)
            })
        })
    }

    fn subscriptions_of(
        &self,
        tenant_id: i64,
        address: String,
    ) -> BoxFuture<'_, Result<Vec<Subscriber>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                tx.query(
                    &format!(
                        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE tenant_id = $1 AND address = $2
                         ORDER BY id"
                    ),
                    &[&tenant_id, &address],
                )
                .await?
                .iter()
                .map(subscriber_row)
                .collect()
            })
        })
    }

    fn list_counts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<ListCount>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                Ok(tx
                    .query(
                        "SELECT list_code, channel,
                                count(*) FILTER (WHERE state = 'active'),
                                count(*) FILTER (WHERE state = 'pending')
                         FROM subscribers WHERE tenant_id = $1 GROUP BY list_code, channel ORDER BY list_code, channel",
                        &[&tenant_id],
                    )
                    .await?
                    .iter()
                    .map(|r| ListCount {
                        list: r.get(0),
                        channel: r.get(1),
                        active: r.get::<_, i64>(2) as u64,
                        pending: r.get::<_, i64>(3) as u64,
                    })
                    .collect())
            })
        })
    }

    fn subscribers(
        &self,
        tenant_id: i64,
        list: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Subscriber>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                tx.query(
                    &format!(
                        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE tenant_id = $1 AND list_code = $2
                         ORDER BY id DESC LIMIT $3"
                    ),
                    &[&tenant_id, &list, &i64::from(limit)],
                )
                .await?
                .iter()
                .map(subscriber_row)
                .collect()
            })
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
            let (c, at) = (c.clone(), at.clone());
            Box::pin(async move {
                let id: i64 = tx
                    .query_one(
                        "INSERT INTO campaigns (tenant_id, list_code, channel, subject, body, parts, created_by, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        &[
                            &tenant_id,
                            &c.list,
                            &c.channel,
                            &c.subject,
                            &c.text,
                            &i64::from(c.parts),
                            &c.actor,
                            &at,
                        ],
                    )
                    .await?
                    .get(0);
                let recipients = tx
                    .execute(
                        "INSERT INTO campaign_sends (campaign_id, tenant_id, subscriber_id, address)
                         SELECT $1, tenant_id, id, address FROM subscribers
                         WHERE tenant_id = $2 AND list_code = $3 AND channel = $4 AND state = 'active'
                         ORDER BY id",
                        &[&id, &tenant_id, &c.list, &c.channel],
                    )
                    .await?;
                tx.execute(
                    "UPDATE campaigns SET recipients = $2 WHERE id = $1",
                    &[&id, &(recipients as i64)],
                )
                .await?;
                finish(tx, &[id], &at).await?;
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    &c.actor,
                    &format!("campaign:{id}"),
                    "campaign-created",
                    &format!("{} {} {recipients}", c.list, c.channel),
                )
                .await?;
                Ok((id, recipients))
            })
        })
    }

    fn campaigns(
        &self,
        tenant_id: i64,
        lists: Option<Vec<String>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Campaign>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let all = lists.is_none();
                let lists = lists.unwrap_or_default();
                let rows = tx
                    .query(
                        &format!(
                            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns
                             WHERE tenant_id = $1 AND ($2 OR list_code = ANY($3)) ORDER BY id DESC LIMIT $4"
                        ),
                        &[&tenant_id, &all, &lists, &i64::from(limit)],
                    )
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    out.push(with_figures(tx, r).await?);
                }
                Ok(out)
            })
        })
    }

    fn campaign(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<Campaign>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                match tx
                    .query_opt(
                        &format!(
                            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE tenant_id = $1 AND id = $2"
                        ),
                        &[&tenant_id, &id],
                    )
                    .await?
                {
                    Some(r) => Ok(Some(with_figures(tx, &r).await?)),
                    None => Ok(None),
                }
            })
        })
    }

    fn campaign_recipients(
        &self,
        tenant_id: i64,
        id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Recipient>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                tx.query(
                    "SELECT address, state, attempts, error, sent_at, receipt_at FROM campaign_sends
                     WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY id LIMIT $3",
                    &[&tenant_id, &id, &i64::from(limit)],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(Recipient {
                        address: r.get(0),
                        state: r.get(1),
                        attempts: r.get::<_, i64>(2) as u32,
                        error: r.get(3),
                        sent_at: r
                            .get::<_, Option<String>>(4)
                            .map(|t| time(id, "sent_at", &t))
                            .transpose()?,
                        receipt_at: r
                            .get::<_, Option<String>>(5)
                            .map(|t| time(id, "receipt_at", &t))
                            .transpose()?,
                    })
                })
                .collect()
            })
        })
    }

    fn claim_sends(
        &self,
        now: i64,
        until: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<DueSend>, StoreError>> {
        self.write(move |tx| {
            Box::pin(async move {
                let ids: Vec<i64> = tx
                    .query(
                        "UPDATE campaign_sends SET next_attempt_at = $2 WHERE id IN (
                             SELECT id FROM campaign_sends WHERE state = 'queued' AND next_attempt_at <= $1
                             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
                         RETURNING id",
                        &[&now, &until, &i64::from(limit)],
                    )
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                Ok(tx
                    .query(
                        "SELECT s.id, s.tenant_id, s.campaign_id, c.list_code, c.channel, s.address, u.token,
                                c.subject, c.body, s.attempts
                         FROM campaign_sends s JOIN campaigns c ON c.id = s.campaign_id
                         JOIN subscribers u ON u.id = s.subscriber_id
                         WHERE s.id = ANY($1) ORDER BY s.id",
                        &[&ids],
                    )
                    .await?
                    .iter()
                    .map(|r| DueSend {
                        id: r.get(0),
                        tenant_id: r.get(1),
                        campaign_id: r.get(2),
                        list: r.get(3),
                        channel: r.get(4),
                        address: r.get(5),
                        token: r.get(6),
                        subject: r.get(7),
                        text: r.get(8),
                        attempts: r.get::<_, i64>(9) as u32,
                    })
                    .collect())
            })
        })
    }

    fn record_sends(
        &self,
        outcomes: Vec<(i64, SendOutcome)>,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (outcomes, at) = (outcomes.clone(), at.clone());
            Box::pin(async move {
                let sent = tx
                    .prepare_cached(
                        "UPDATE campaign_sends
                         SET state = CASE WHEN state IN ('queued', 'cancelled') THEN 'sent' ELSE state END,
                             provider_id = $2, sent_at = $3, attempts = attempts + 1, error = NULL
                         WHERE id = $1 RETURNING campaign_id",
                    )
                    .await?;
                let failed = tx
                    .prepare_cached(
                        "UPDATE campaign_sends SET state = 'failed', error = $2, attempts = attempts + 1
                         WHERE id = $1 AND state IN ('queued', 'cancelled') RETURNING campaign_id",
                    )
                    .await?;
                let retry = tx
                    .prepare_cached(
                        "UPDATE campaign_sends SET error = $2, attempts = attempts + 1, next_attempt_at = $3
                         WHERE id = $1 AND state = 'queued' RETURNING campaign_id",
                    )
                    .await?;
                let mut campaigns = Vec::new();
                for (id, outcome) in &outcomes {
                    let row = match outcome {
                        SendOutcome::Sent(provider_id) => {
                            tx.query_opt(&sent, &[id, provider_id, &at]).await?
                        }
                        SendOutcome::Failed(error) => {
                            tx.query_opt(&failed, &[id, &short_error(error)]).await?
                        }
                        SendOutcome::Retry(error, next) => {
                            tx.query_opt(&retry, &[id, &short_error(error), next]).await?
                        }
                    };
                    campaigns.extend(row.map(|r| r.get::<_, i64>(0)));
                }
                campaigns.sort_unstable();
                campaigns.dedup();
                finish(tx, &campaigns, &at).await
            })
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
            let (key, at) = (key.clone(), at.clone());
            Box::pin(async move {
                let state = if delivered { "delivered" } else { "failed" };
                let found = match &key {
                    ReceiptKey::Provider(p) => {
                        tx.query_opt(
                            "SELECT id, state FROM campaign_sends WHERE tenant_id = $1 AND provider_id = $2 LIMIT 1",
                            &[&tenant_id, p],
                        )
                        .await?
                    }
                    ReceiptKey::Ours(id) => {
                        tx.query_opt(
                            "SELECT id, state FROM campaign_sends WHERE tenant_id = $1 AND id = $2",
                            &[&tenant_id, id],
                        )
                        .await?
                    }
                };
                let Some(row) = found else {
                    return Ok(false);
                };
                let (id, current): (i64, String) = (row.get(0), row.get(1));
                if current == "queued" || current == "sent" {
                    let campaign: i64 = tx
                        .query_one(
                            "UPDATE campaign_sends SET state = $2, receipt_at = $3 WHERE id = $1 RETURNING campaign_id",
                            &[&id, &state, &at],
                        )
                        .await?
                        .get(0);
                    finish(tx, &[campaign], &at).await?;
                }
                Ok(true)
            })
        })
    }
}
