//! SQL of the messages received by e-mail or SMS (the SQLite store's
//! `inbound`, the same rules).

use super::PostgresStore;
use super::audit::append_audit;
use crate::store::inbound::INBOUND_COLUMNS;
use crate::store::requests::parse_time;
use crate::store::*;
use deadpool_postgres::Transaction;

impl InboundStore for PostgresStore {
    fn receive_inbound(
        &self,
        tenant_id: i64,
        message: NewInbound,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<Received, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (m, at) = (message.clone(), at.clone());
            Box::pin(async move {
                let request_id: Option<i64> = match m.reply_to {
                    Some(r) => request_id(tx, tenant_id, r).await?,
                    None => None,
                };
                let state = if request_id.is_some() { "replying" } else { "new" };
                let Some(row) = tx
                    .query_opt(
                        "INSERT INTO inbound (tenant_id, channel, source, external_id, sender, sender_name,
                             subject, body, received_at, department, service_code, state, request_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                         ON CONFLICT (tenant_id, channel, external_id) DO NOTHING RETURNING id",
                        &[
                            &tenant_id,
                            &m.channel,
                            &m.source,
                            &m.external_id,
                            &m.sender,
                            &m.sender_name,
                            &m.subject,
                            &m.body,
                            &at,
                            &m.department,
                            &m.service_code,
                            &state,
                            &request_id,
                        ],
                    )
                    .await?
                else {
                    return Ok(Received::Duplicate);
                };
                let id: i64 = row.get(0);
                for f in &m.files {
                    tx.execute(
                        "INSERT INTO inbound_files (inbound_id, file_name, media_type, size, sha256)
                         VALUES ($1, $2, $3, $4, $5)",
                        &[
                            &id,
                            &f.name,
                            &f.kind.media_type(),
                            &(f.bytes.len() as i64),
                            &f.sha256,
                        ],
                    )
                    .await?;
                }
                if let Some(template) = m.acknowledge {
                    tx.execute(
                        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at)
                         VALUES ($1, NULL, 'inbound', $2, $3, $4, $5)",
                        &[&tenant_id, &m.sender, &template, &m.channel, &at],
                    )
                    .await?;
                }
                Ok(Received::Kept(id))
            })
        })
    }

    fn inbound_queue(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<InboundItem>, u64), StoreError>> {
        self.read(move |tx| {
            let departments = departments.clone();
            Box::pin(async move {
                let all = departments.is_none();
                let mine = departments.unwrap_or_default();
                let filter = "i.tenant_id = $1 AND i.state = 'new'
                     AND ($2 OR i.department IS NULL OR i.department = ANY($3))";
                let total: i64 = tx
                    .query_one(
                        &format!("SELECT count(*) FROM inbound i WHERE {filter}"),
                        &[&tenant_id, &all, &mine],
                    )
                    .await?
                    .get(0);
                let rows = tx
                    .query(
                        &format!(
                            "SELECT {INBOUND_COLUMNS} FROM inbound i LEFT JOIN requests r ON r.id = i.request_id
                             WHERE {filter} ORDER BY i.id LIMIT $4"
                        ),
                        &[&tenant_id, &all, &mine, &i64::from(limit)],
                    )
                    .await?;
                let mut items = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut item = item_row(row)?;
                    item.files = files(tx, item.id).await?;
                    items.push(item);
                }
                Ok((items, total as u64))
            })
        })
    }

    fn inbound_item(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<InboundItem>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let Some(row) = tx
                    .query_opt(
                        &format!(
                            "SELECT {INBOUND_COLUMNS} FROM inbound i LEFT JOIN requests r ON r.id = i.request_id
                             WHERE i.id = $1 AND i.tenant_id = $2"
                        ),
                        &[&id, &tenant_id],
                    )
                    .await?
                else {
                    return Ok(None);
                };
                let mut item = item_row(&row)?;
                item.files = files(tx, id).await?;
                Ok(Some(item))
            })
        })
    }

    fn inbound_of_request(
        &self,
        tenant_id: i64,
        reference: crate::core::tracking::Reference,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                Ok(tx
                    .query_opt(
                        "SELECT i.id FROM inbound i JOIN requests r ON r.id = i.request_id
                         WHERE r.tenant_id = $1 AND r.year = $2 AND r.number = $3 AND i.state = 'request'
                         ORDER BY i.id LIMIT 1",
                        &[
                            &tenant_id,
                            &i64::from(reference.year),
                            &i64::from(reference.number),
                        ],
                    )
                    .await?
                    .map(|r| r.get(0)))
            })
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
        self.write(move |tx| {
            let (decision, actor, at) = (decision.clone(), actor.clone(), at.clone());
            Box::pin(async move { decide(tx, tenant_id, id, &decision, &actor, &at).await })
        })
    }
}

async fn request_id(
    tx: &Transaction<'_>,
    tenant_id: i64,
    reference: crate::core::tracking::Reference,
) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT id FROM requests WHERE tenant_id = $1 AND year = $2 AND number = $3",
            &[
                &tenant_id,
                &i64::from(reference.year),
                &i64::from(reference.number),
            ],
        )
        .await?
        .map(|r| r.get(0)))
}

async fn decide(
    tx: &Transaction<'_>,
    tenant_id: i64,
    id: i64,
    decision: &InboundDecision,
    actor: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let (changed, action, detail) = match decision {
        InboundDecision::Filed => (
            tx.execute(
                "UPDATE inbound SET state = 'filed', decided_by = $3, decided_at = $4
                 WHERE id = $1 AND tenant_id = $2 AND state = 'new'",
                &[&id, &tenant_id, &actor, &at],
            )
            .await?,
            "inbound-filed",
            String::new(),
        ),
        InboundDecision::Forward(department) => (
            tx.execute(
                "UPDATE inbound SET department = $3 WHERE id = $1 AND tenant_id = $2 AND state = 'new'",
                &[&id, &tenant_id, department],
            )
            .await?,
            "inbound-forwarded",
            department.clone(),
        ),
        InboundDecision::Queued => (
            tx.execute(
                "UPDATE inbound SET state = 'new', request_id = NULL
                 WHERE id = $1 AND tenant_id = $2 AND state = 'replying'",
                &[&id, &tenant_id],
            )
            .await?,
            "inbound-queued",
            String::new(),
        ),
        InboundDecision::Replied(reference) => {
            let Some(request) = request_id(tx, tenant_id, *reference).await? else {
                return Ok(false);
            };
            let changed = tx
                .execute(
                    "UPDATE inbound SET state = 'reply', request_id = $3, decided_by = $4, decided_at = $5
                     WHERE id = $1 AND tenant_id = $2 AND state IN ('new', 'replying')",
                    &[&id, &tenant_id, &request, &actor, &at],
                )
                .await?;
            if changed > 0 {
                move_files(tx, id, request, at).await?;
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
    )
    .await?;
    Ok(true)
}

/// See the SQLite store's `made_request`.
pub(super) async fn made_request(
    tx: &Transaction<'_>,
    tenant_id: i64,
    inbound_id: i64,
    request_id: i64,
    agent: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let changed = tx
        .execute(
            "UPDATE inbound SET state = 'request', request_id = $3, decided_by = $4, decided_at = $5
             WHERE id = $1 AND tenant_id = $2 AND state = 'new'",
            &[&inbound_id, &tenant_id, &request_id, &agent, &at],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    move_files(tx, inbound_id, request_id, at).await?;
    Ok(true)
}

async fn move_files(
    tx: &Transaction<'_>,
    inbound_id: i64,
    request_id: i64,
    at: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO attachments (request_id, field, file_name, media_type, size, sha256, added_at, added_by)
         SELECT $2, '@message', f.file_name, f.media_type, f.size, f.sha256, $3, 'citizen:' || i.channel
         FROM inbound_files f JOIN inbound i ON i.id = f.inbound_id
         WHERE f.inbound_id = $1 ORDER BY f.id",
        &[&inbound_id, &request_id, &at],
    )
    .await?;
    Ok(())
}

async fn files(tx: &Transaction<'_>, inbound_id: i64) -> Result<Vec<InboundFile>, StoreError> {
    Ok(tx
        .query(
            "SELECT id, file_name, media_type, size, sha256 FROM inbound_files
             WHERE inbound_id = $1 ORDER BY id",
            &[&inbound_id],
        )
        .await?
        .iter()
        .map(|r| InboundFile {
            id: r.get(0),
            name: r.get(1),
            media_type: r.get(2),
            size: r.get::<_, i64>(3) as u64,
            sha256: r.get(4),
        })
        .collect())
}

fn item_row(r: &tokio_postgres::Row) -> Result<InboundItem, StoreError> {
    let id: i64 = r.get(0);
    let year: Option<i64> = r.get(11);
    let number: Option<i64> = r.get(12);
    Ok(InboundItem {
        id,
        channel: r.get(1),
        source: r.get(2),
        sender: r.get(3),
        sender_name: r.get(4),
        subject: r.get(5),
        body: r.get(6),
        received_at: parse_time(id, "inbound received_at", r.get(7))?,
        department: r.get(8),
        service_code: r.get(9),
        state: r.get(10),
        request: match (year, number) {
            (Some(year), Some(number)) => Some(crate::core::tracking::Reference {
                year: super::narrow("inbound year", year)?,
                number: super::narrow("inbound number", number)?,
            }),
            _ => None,
        },
        decided_by: r.get(13),
        decided_at: match r.get::<_, Option<&str>>(14) {
            Some(t) => Some(parse_time(id, "inbound decided_at", t)?),
            None => None,
        },
        files: Vec::new(),
    })
}
