//! SQL of the hash-chained audit journal.

use super::SqliteStore;
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

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

    fn verify_audit(&self) -> Result<Vec<AuditReport>, StoreError> {
        self.admin(|conn| {
            // One read transaction: the rows and the chain's head seen at
            // the same instant, so entries written meanwhile by the running
            // server never look like a cut-off journal.
            let conn = &conn.transaction()?;
            let tenants: Vec<(i64, String)> = conn
                .prepare("SELECT id, slug FROM tenants ORDER BY id")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            tenants
                .iter()
                .map(|(id, slug)| verify_audit(conn, *id, slug))
                .collect()
        })
    }
}

/// The `prev_hash` of a tenant's first audit entry.
pub(super) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry, length-prefixed so that no two different
/// entries hash the same way. The last field names the scheme: "" for the
/// first (the detail hashed as it is), [`SCHEME`] for entries whose detail
/// is given by its SHA-256.
pub(super) fn audit_hash(seq: i64, fields: [&str; 6], prev: &str) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_string().as_bytes());
    for f in fields {
        h.update(b"|");
        h.update(f.len().to_string().as_bytes());
        h.update(b":");
        h.update(f.as_bytes());
    }
    h.update(b"|");
    h.update(prev.as_bytes());
    crate::core::tracking::hex(&h.finalize())
}

/// The scheme of entries that hash their detail's digest: the detail can be
/// blanked when it holds personal data and the chain still holds.
const SCHEME: &str = "2";

fn detail_digest(detail: &str) -> String {
    crate::core::tracking::hex(&Sha256::digest(detail.as_bytes()))
}

/// The hash of an entry of the second scheme.
fn entry_hash(seq: i64, fields: [&str; 4], digest: &str, prev: &str) -> String {
    let [at, actor, subject, action] = fields;
    audit_hash(seq, [at, actor, subject, action, digest, SCHEME], prev)
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
    let (seq, prev): (i64, String) = tx
        .prepare_cached("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1")?
        .query_row(params![tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_owned()));
    let seq = seq + 1;
    let digest = detail_digest(detail);
    let hash = entry_hash(seq, [at, actor, subject, action], &digest, &prev);
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
) -> Result<AuditReport, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, subject, action, detail, prev_hash, hash, detail_sha256, redacted_at
         FROM audit WHERE tenant_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![tenant_id])?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut entries = 0u64;
    let report = |entries, problem: String| AuditReport {
        tenant: tenant.to_owned(),
        entries,
        problem: Some(problem),
    };
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let fields: [String; 5] = [
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
        ];
        let prev_hash: String = row.get(6)?;
        let hash: String = row.get(7)?;
        let digest: Option<String> = row.get(8)?;
        let redacted: Option<String> = row.get(9)?;
        entries += 1;
        if seq != expected_seq {
            return Ok(report(
                entries,
                format!(
                    "entry {expected_seq} is missing (the journal goes from entry {} to entry {seq})",
                    expected_seq - 1
                ),
            ));
        }
        if prev_hash != prev {
            return Ok(report(
                entries,
                format!(
                    "entry {seq} does not follow entry {}: an entry before it was removed or replaced",
                    seq - 1
                ),
            ));
        }
        let [at, actor, subject, action, detail] = &fields;
        let holds = match &digest {
            None => audit_hash(seq, [at, actor, subject, action, detail, ""], &prev_hash) == hash,
            Some(digest) => {
                // A blanked detail is vouched for by its digest alone.
                let detail_holds =
                    (redacted.is_some() && detail.is_empty()) || detail_digest(detail) == *digest;
                detail_holds
                    && entry_hash(seq, [at, actor, subject, action], digest, &prev_hash) == hash
            }
        };
        if !holds {
            return Ok(report(
                entries,
                format!(
                    "entry {seq} ({action} by {actor} on {subject}) was edited: its content no longer matches its hash"
                ),
            ));
        }
        prev = hash;
        expected_seq += 1;
    }
    let head: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1",
            params![tenant_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let last = expected_seq - 1;
    match head {
        Some((seq, hash)) if seq != last || hash != prev => Ok(report(
            entries,
            format!(
                "the journal ends at entry {last} but was last written at entry {seq}: entries were removed from its end"
            ),
        )),
        None if last > 0 => Ok(report(entries, "the journal's head is missing".to_owned())),
        _ => Ok(AuditReport {
            tenant: tenant.to_owned(),
            entries,
            problem: None,
        }),
    }
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
