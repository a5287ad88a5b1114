//! SQL of the hash-chained audit journal.

use super::SqliteStore;
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

impl AuditStore for SqliteStore {
    fn record_audit(
        &self,
        tenant_id: i64,
        actor: String,
        subject: String,
        action: String,
        detail: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            append_audit(
                conn,
                tenant_id,
                &at.to_string(),
                &actor,
                &subject,
                &action,
                &detail,
            )
        })
    }

    fn journal(
        &self,
        tenant_id: i64,
        action: Option<String>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>, StoreError>> {
        self.read(move |conn| journal(conn, tenant_id, action.as_deref(), limit))
    }

    fn audit_heads(&self) -> BoxFuture<'_, Result<Vec<Anchor>, StoreError>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT t.slug, COALESCE(h.seq, 0), COALESCE(h.hash, ?1)
                     FROM tenants t LEFT JOIN audit_heads h ON h.tenant_id = t.id ORDER BY t.id",
                )?
                .query_map(params![crate::store::audit::GENESIS], |r| {
                    Ok(Anchor {
                        tenant: r.get(0)?,
                        seq: r.get(1)?,
                        hash: r.get(2)?,
                    })
                })?
                .collect::<Result<_, _>>()?)
        })
    }

    fn verify_audit_against(&self, anchors: &[Anchor]) -> Result<Vec<AuditReport>, StoreError> {
        self.admin(|conn| {
            // One read transaction: the rows and the chain's head seen at
            // the same instant, so entries written meanwhile by the running
            // server never look like a cut-off journal.
            let conn = &conn.transaction()?;
            let tenants: Vec<(i64, String)> = conn
                .prepare("SELECT id, slug FROM tenants ORDER BY id")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let mut reports = tenants
                .iter()
                .map(|(id, slug)| verify_audit(conn, *id, slug, &anchors_of(anchors, slug)))
                .collect::<Result<Vec<_>, _>>()?;
            let known: Vec<String> = tenants.into_iter().map(|(_, slug)| slug).collect();
            reports.extend(unknown_tenants(anchors, &known));
            Ok(reports)
        })
    }
}

/// Appends an entry to the tenant's audit journal, chained to the last one.
pub(super) fn append_audit(
    tx: &Connection,
    tenant_id: i64,
    at: &str,
    actor: &str,
    subject: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let head: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1")?
        .query_row(params![tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let NextEntry {
        seq,
        digest,
        prev,
        hash,
    } = next_entry(head, at, actor, subject, action, detail);
    tx.prepare_cached(
        "INSERT INTO audit (tenant_id, seq, at, actor, subject, action, detail, detail_sha256, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        tenant_id, seq, at, actor, subject, action, detail, digest, prev, hash
    ])?;
    tx.prepare_cached(
        "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )?
    .execute(params![tenant_id, seq, hash])?;
    Ok(())
}

/// Blanks the details of the tenant's entries about `subject` (personal
/// data being erased); their digests stay, so the chain still verifies.
/// Entries of the first scheme cannot be blanked and keep their detail.
/// Returns how many were blanked.
pub(super) fn redact_audit(
    tx: &Connection,
    tenant_id: i64,
    subject: &str,
    at: &str,
) -> Result<usize, StoreError> {
    Ok(tx
        .prepare_cached(
            "UPDATE audit SET detail = '', redacted_at = ?3
             WHERE tenant_id = ?1 AND subject = ?2 AND detail_sha256 IS NOT NULL
               AND redacted_at IS NULL AND detail <> ''",
        )?
        .execute(params![tenant_id, subject, at])?)
}

/// Walks a tenant's chain and reports the first entry that does not hold.
pub(super) fn verify_audit(
    conn: &Connection,
    tenant_id: i64,
    tenant: &str,
    anchors: &[(i64, String)],
) -> Result<AuditReport, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, subject, action, detail, prev_hash, hash, detail_sha256, redacted_at
         FROM audit WHERE tenant_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![tenant_id], |row| {
        Ok(StoredAudit {
            seq: row.get(0)?,
            fields: [
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ],
            prev_hash: row.get(6)?,
            hash: row.get(7)?,
            digest: row.get(8)?,
            redacted_at: row.get(9)?,
        })
    })?;
    let rows: Vec<StoredAudit> = rows.collect::<Result<_, _>>()?;
    let head: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1",
            params![tenant_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    verify_chain(tenant, rows.into_iter().map(Ok), head, anchors)
}

pub(super) fn journal(
    conn: &Connection,
    tenant_id: i64,
    action: Option<&str>,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor, subject, action, detail, redacted_at FROM audit
         WHERE tenant_id = ?1 AND (?2 IS NULL OR action = ?2)
         ORDER BY seq DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![tenant_id, action, limit], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            subject: r.get(3)?,
            action: r.get(4)?,
            detail: r.get(5)?,
            redacted_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
