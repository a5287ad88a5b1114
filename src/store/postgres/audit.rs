//! SQL of the hash-chained audit journal (the chain itself is
//! `crate::store::audit`'s, shared with SQLite).

use super::PostgresStore;
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;

impl AuditStore for PostgresStore {
    fn record_audit(
        &self,
        tenant_id: i64,
        actor: String,
        subject: String,
        action: String,
        detail: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (at, actor, subject, action, detail) = (
                at.clone(),
                actor.clone(),
                subject.clone(),
                action.clone(),
                detail.clone(),
            );
            Box::pin(async move {
                append_audit(tx, tenant_id, &at, &actor, &subject, &action, &detail).await
            })
        })
    }

    fn journal(
        &self,
        tenant_id: i64,
        action: Option<String>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT seq, at, actor, subject, action, detail, redacted_at FROM audit
                             WHERE tenant_id = $1 AND ($2::text IS NULL OR action = $2)
                             ORDER BY seq DESC LIMIT $3",
                        )
                        .await?,
                        &[&tenant_id, &action, &i64::from(limit)],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| AuditEntry {
                        seq: r.get(0),
                        at: r.get(1),
                        actor: r.get(2),
                        subject: r.get(3),
                        action: r.get(4),
                        detail: r.get(5),
                        redacted_at: r.get(6),
                    })
                    .collect())
            })
        })
    }

    fn audit_heads(&self) -> BoxFuture<'_, Result<Vec<Anchor>, StoreError>> {
        self.read(|tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        "SELECT t.slug, COALESCE(h.seq, 0), COALESCE(h.hash, $1)
                         FROM tenants t LEFT JOIN audit_heads h ON h.tenant_id = t.id ORDER BY t.id",
                        &[&crate::store::audit::GENESIS],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| Anchor {
                        tenant: r.get(0),
                        seq: r.get(1),
                        hash: r.get(2),
                    })
                    .collect())
            })
        })
    }

    fn verify_audit_against(&self, anchors: &[Anchor]) -> Result<Vec<AuditReport>, StoreError> {
        let anchors = anchors.to_vec();
        // One read transaction: the rows and the chain's head seen at the
        // same instant, so entries written meanwhile by running nodes never
        // look like a cut-off journal.
        self.wait(self.read(|tx| {
            Box::pin(async move {
                let tenants = tx
                    .query("SELECT id, slug FROM tenants ORDER BY id", &[])
                    .await?;
                let mut reports = Vec::with_capacity(tenants.len());
                let mut known = Vec::with_capacity(tenants.len());
                for t in &tenants {
                    let slug: String = t.get(1);
                    let own = anchors_of(&anchors, &slug);
                    reports.push(verify_audit(tx, t.get(0), slug.clone(), &own).await?);
                    known.push(slug);
                }
                reports.extend(unknown_tenants(&anchors, &known));
                Ok(reports)
            })
        }))
    }
}

/// Appends an entry to the tenant's audit journal, chained to the last one.
/// The head's row is made if need be, then locked, so that two nodes
/// appending to one journal follow each other (the second sees the first's
/// entry) even at a journal's first entry.
pub(super) async fn append_audit(
    tx: &Transaction<'_>,
    tenant_id: i64,
    at: &str,
    actor: &str,
    subject: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING",
        )
        .await?,
        &[&tenant_id, &GENESIS],
    )
    .await?;
    let head = tx
        .query_opt(
            &tx.prepare_cached("SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE")
                .await?,
            &[&tenant_id],
        )
        .await?
        .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)))
        .filter(|(seq, _)| *seq > 0);
    let NextEntry {
        seq,
        digest,
        prev,
        hash,
    } = next_entry(head, at, actor, subject, action, detail);
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO audit (tenant_id, seq, at, actor, subject, action, detail, detail_sha256, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await?,
        &[
            &tenant_id, &seq, &at, &actor, &subject, &action, &detail, &digest, &prev, &hash,
        ],
    )
    .await?;
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .await?,
        &[&tenant_id, &seq, &hash],
    )
    .await?;
    Ok(())
}

/// Blanks the details of the tenant's entries about `subject` (personal
/// data being erased); their digests stay, so the chain still verifies.
/// Returns how many were blanked.
pub(super) async fn redact_audit(
    tx: &Transaction<'_>,
    tenant_id: i64,
    subject: &str,
    at: &str,
) -> Result<usize, StoreError> {
    let n = tx
        .execute(
            &tx.prepare_cached(
                "UPDATE audit SET detail = '', redacted_at = $3
                 WHERE tenant_id = $1 AND subject = $2 AND detail_sha256 IS NOT NULL
                   AND redacted_at IS NULL AND detail <> ''",
            )
            .await?,
            &[&tenant_id, &subject, &at],
        )
        .await?;
    Ok(n as usize)
}

/// Walks a tenant's chain and reports the first entry that does not hold.
pub(super) async fn verify_audit(
    tx: &Transaction<'_>,
    tenant_id: i64,
    tenant: String,
    anchors: &[(i64, String)],
) -> Result<AuditReport, StoreError> {
    let rows = tx
        .query(
            "SELECT seq, at, actor, subject, action, detail, prev_hash, hash, detail_sha256, redacted_at
             FROM audit WHERE tenant_id = $1 ORDER BY seq",
            &[&tenant_id],
        )
        .await?;
    let head = tx
        .query_opt(
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1",
            &[&tenant_id],
        )
        .await?
        .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
    verify_chain(
        &tenant,
        rows.iter().map(|row| {
            Ok(StoredAudit {
                seq: row.get(0),
                fields: [row.get(1), row.get(2), row.get(3), row.get(4), row.get(5)],
                prev_hash: row.get(6),
                hash: row.get(7),
                digest: row.get(8),
                redacted_at: row.get(9),
            })
        }),
        head,
        anchors,
    )
}
