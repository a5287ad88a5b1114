//! SQL of the statistics' saved queries and their monthly reports.

use super::PostgresStore;
use crate::core::saved_query::SavedQuery;
use crate::store::queries::assemble;
use crate::store::*;

impl QueryStore for PostgresStore {
    fn saved_queries(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<SavedQuery>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        "SELECT id, name, owner, shared_with, query FROM stat_queries
                         WHERE tenant_id = $1 ORDER BY name, owner, id",
                        &[&tenant_id],
                    )
                    .await?
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
                    .collect();
                let subscriptions = tx
                    .query(
                        "SELECT s.query_id, s.agent FROM stat_subscriptions s
                         JOIN stat_queries q ON q.id = s.query_id
                         WHERE q.tenant_id = $1 ORDER BY s.agent",
                        &[&tenant_id],
                    )
                    .await?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect();
                assemble(rows, subscriptions)
            })
        })
    }

    fn save_query(
        &self,
        tenant_id: i64,
        query: NewSavedQuery,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        let text = query.query.query_string();
        let now = at.to_string();
        self.write(move |tx| {
            let (query, text, now) = (query.clone(), text.clone(), now.clone());
            Box::pin(async move {
                Ok(tx
                    .query_one(
                        "INSERT INTO stat_queries (tenant_id, owner, name, shared_with, query, saved_at)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (tenant_id, owner, name)
                         DO UPDATE SET shared_with = excluded.shared_with, query = excluded.query, saved_at = excluded.saved_at
                         RETURNING id",
                        &[&tenant_id, &query.owner, &query.name, &query.shared_with, &text, &now],
                    )
                    .await?
                    .get(0))
            })
        })
    }

    fn delete_query(&self, tenant_id: i64, id: i64) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.execute(
                    "DELETE FROM stat_subscriptions WHERE query_id IN
                       (SELECT id FROM stat_queries WHERE tenant_id = $1 AND id = $2)",
                    &[&tenant_id, &id],
                )
                .await?;
                Ok(tx
                    .execute(
                        "DELETE FROM stat_queries WHERE tenant_id = $1 AND id = $2",
                        &[&tenant_id, &id],
                    )
                    .await?
                    > 0)
            })
        })
    }

    fn subscribe(
        &self,
        tenant_id: i64,
        id: i64,
        agent: String,
        reported: Option<String>,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            let (agent, reported) = (agent.clone(), reported.clone());
            Box::pin(async move {
                let exists = tx
                    .query_opt(
                        "SELECT 1 FROM stat_queries WHERE tenant_id = $1 AND id = $2",
                        &[&tenant_id, &id],
                    )
                    .await?
                    .is_some();
                if !exists {
                    return Ok(false);
                }
                match &reported {
                    Some(month) => {
                        tx.execute(
                            "INSERT INTO stat_subscriptions (query_id, agent, last_month) VALUES ($1, $2, $3)
                             ON CONFLICT (query_id, agent) DO NOTHING",
                            &[&id, &agent, month],
                        )
                        .await?
                    }
                    None => {
                        tx.execute(
                            "DELETE FROM stat_subscriptions WHERE query_id = $1 AND agent = $2",
                            &[&id, &agent],
                        )
                        .await?
                    }
                };
                Ok(true)
            })
        })
    }

    fn unreported(
        &self,
        tenant_id: i64,
        month: String,
    ) -> BoxFuture<'_, Result<Vec<(i64, String)>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                Ok(tx
                    .query(
                        "SELECT s.query_id, s.agent FROM stat_subscriptions s
                         JOIN stat_queries q ON q.id = s.query_id
                         WHERE q.tenant_id = $1 AND s.last_month < $2
                         ORDER BY s.query_id, s.agent",
                        &[&tenant_id, &month],
                    )
                    .await?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect())
            })
        })
    }

    fn queue_report(
        &self,
        tenant_id: i64,
        report: QueuedReport,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let now = at.to_string();
        self.write(move |tx| {
            let (report, now) = (report.clone(), now.clone());
            Box::pin(async move {
                let marked = tx
                    .execute(
                        "UPDATE stat_subscriptions SET last_month = $3
                         WHERE query_id = $1 AND agent = $2 AND last_month < $3
                           AND query_id IN (SELECT id FROM stat_queries WHERE tenant_id = $4)",
                        &[&report.query_id, &report.agent, &report.month, &tenant_id],
                    )
                    .await?;
                if marked == 0 {
                    return Ok(false);
                }
                let outbox: i64 = tx
                    .query_one(
                        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, state)
                         VALUES ($1, NULL, 'report', $2, 'stats-report', $3, $4, 'expanded')
                         RETURNING id",
                        &[&tenant_id, &report.agent, &report.month, &now],
                    )
                    .await?
                    .get(0);
                let m = &report.mail;
                tx.execute(
                    "INSERT INTO deliveries (outbox_id, tenant_id, request_id, channel, address, subject, body, html, has_secret, parts)
                     VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &outbox,
                        &tenant_id,
                        &m.channel,
                        &m.address,
                        &m.subject,
                        &m.body,
                        &m.html,
                        &i64::from(m.has_secret),
                        &m.parts.map(i64::from),
                    ],
                )
                .await?;
                Ok(true)
            })
        })
    }
}
