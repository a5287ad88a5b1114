//! SQL of the statistics' saved queries and their monthly reports.

use super::SqliteStore;
use crate::core::saved_query::SavedQuery;
use crate::store::queries::assemble;
use crate::store::*;
use rusqlite::{Connection, OptionalExtension, params};

impl QueryStore for SqliteStore {
    fn saved_queries(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<SavedQuery>, StoreError>> {
        self.read(move |conn| saved_queries(conn, tenant_id))
    }

    fn save_query(
        &self,
        tenant_id: i64,
        query: NewSavedQuery,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        let text = query.query.query_string();
        let now = at.to_string();
        self.write(move |conn| {
            Ok(conn.query_row(
                "INSERT INTO stat_queries (tenant_id, owner, name, shared_with, query, saved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (tenant_id, owner, name)
                 DO UPDATE SET shared_with = excluded.shared_with, query = excluded.query, saved_at = excluded.saved_at
                 RETURNING id",
                params![tenant_id, query.owner, query.name, query.shared_with, text, now],
                |r| r.get(0),
            )?)
        })
    }

    fn delete_query(&self, tenant_id: i64, id: i64) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM stat_subscriptions WHERE query_id IN
                   (SELECT id FROM stat_queries WHERE tenant_id = ?1 AND id = ?2)",
                params![tenant_id, id],
            )?;
            Ok(conn.execute(
                "DELETE FROM stat_queries WHERE tenant_id = ?1 AND id = ?2",
                params![tenant_id, id],
            )? > 0)
        })
    }

    fn subscribe(
        &self,
        tenant_id: i64,
        id: i64,
        agent: String,
        reported: Option<String>,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| {
            let exists = conn
                .query_row(
                    "SELECT 1 FROM stat_queries WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant_id, id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !exists {
                return Ok(false);
            }
            match &reported {
                Some(month) => conn.execute(
                    "INSERT INTO stat_subscriptions (query_id, agent, last_month) VALUES (?1, ?2, ?3)
                     ON CONFLICT (query_id, agent) DO NOTHING",
                    params![id, agent, month],
                )?,
                None => conn.execute(
                    "DELETE FROM stat_subscriptions WHERE query_id = ?1 AND agent = ?2",
                    params![id, agent],
                )?,
            };
            Ok(true)
        })
    }

    fn unreported(
        &self,
        tenant_id: i64,
        month: String,
    ) -> BoxFuture<'_, Result<Vec<(i64, String)>, StoreError>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT s.query_id, s.agent FROM stat_subscriptions s
                 JOIN stat_queries q ON q.id = s.query_id
                 WHERE q.tenant_id = ?1 AND s.last_month < ?2
                 ORDER BY s.query_id, s.agent",
            )?;
            let rows = stmt.query_map(params![tenant_id, month], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn queue_report(
        &self,
        tenant_id: i64,
        report: QueuedReport,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let now = at.to_string();
        self.write(move |conn| {
            let marked = conn.execute(
                "UPDATE stat_subscriptions SET last_month = ?3
                 WHERE query_id = ?1 AND agent = ?2 AND last_month < ?3
                   AND query_id IN (SELECT id FROM stat_queries WHERE tenant_id = ?4)",
                params![report.query_id, report.agent, report.month, tenant_id],
            )?;
            if marked == 0 {
                return Ok(false);
            }
            let outbox: i64 = conn.query_row(
                "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, state)
                 VALUES (?1, NULL, 'report', ?2, 'stats-report', ?3, ?4, 'expanded')
                 RETURNING id",
                params![tenant_id, report.agent, report.month, now],
                |r| r.get(0),
            )?;
            let m = &report.mail;
            conn.execute(
                "INSERT INTO deliveries (outbox_id, tenant_id, request_id, channel, address, subject, body, html, has_secret, parts)
                 VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![outbox, tenant_id, m.channel, m.address, m.subject, m.body, m.html, m.has_secret, m.parts],
            )?;
            Ok(true)
        })
    }
}

fn saved_queries(conn: &Connection, tenant_id: i64) -> Result<Vec<SavedQuery>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, owner, shared_with, query FROM stat_queries
         WHERE tenant_id = ?1 ORDER BY name, owner, id",
    )?;
    let rows = stmt
        .query_map(params![tenant_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.query_id, s.agent FROM stat_subscriptions s
         JOIN stat_queries q ON q.id = s.query_id
         WHERE q.tenant_id = ?1 ORDER BY s.agent",
    )?;
    let subscriptions = stmt
        .query_map(params![tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    assemble(rows, subscriptions)
}
