//! The hash-chained audit journal.

use super::{BoxFuture, StoreError};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub tenant: String,
    pub entries: u64,
    /// The first problem met, in words, with the entry's number.
    pub problem: Option<String>,
}

/// One entry of a tenant's audit journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Gapless, from 1, per tenant.
    pub seq: i64,
    pub at: String,
    /// `agent:LOGIN`, `system:…`.
    pub actor: String,
    /// What changed: `request:2026-000001`, `department:voirie`…
    pub subject: String,
    pub action: String,
    /// Blank once redacted.
    pub detail: String,
    /// When the detail was blanked because it held personal data being
    /// erased (retention, a closed account).
    pub redacted_at: Option<String>,
}

/// A point of a tenant's chain published outside the database (a
/// checkpoint): its entry `seq` had the hash `hash`. A journal rewritten
/// from scratch, however consistent, no longer holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub tenant: String,
    pub seq: i64,
    pub hash: String,
}

pub trait AuditStore: Send + Sync {
    /// The tenant's journal, newest first, at most `limit` entries; only
    /// those of `action` when given.
    fn journal(
        &self,
        tenant_id: i64,
        action: Option<String>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>, StoreError>>;

    /// Writes one entry of the tenant's audit journal for a change made
    /// outside the store (the tenant's `templates.toml`, `settings.toml`).
    fn record_audit(
        &self,
        tenant_id: i64,
        actor: String,
        subject: String,
        action: String,
        detail: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Walks every tenant's audit chain.
    fn verify_audit(&self) -> Result<Vec<AuditReport>, StoreError> {
        self.verify_audit_against(&[])
    }

    /// Walks every tenant's audit chain, which must also hold each of
    /// `anchors` (a tenant named by an anchor and not stored is reported).
    fn verify_audit_against(&self, anchors: &[Anchor]) -> Result<Vec<AuditReport>, StoreError>;

    /// Each tenant's last entry (`seq` 0 and the genesis hash for an empty
    /// journal): what a checkpoint publishes.
    fn audit_heads(&self) -> BoxFuture<'_, Result<Vec<Anchor>, StoreError>>;
}

/// The anchors of `tenant` among `anchors`, as `(seq, hash)`.
pub(super) fn anchors_of(anchors: &[Anchor], tenant: &str) -> Vec<(i64, String)> {
    anchors
        .iter()
        .filter(|a| a.tenant == tenant)
        .map(|a| (a.seq, a.hash.clone()))
        .collect()
}

/// The reports of tenants some anchor names and the store does not hold.
pub(super) fn unknown_tenants(anchors: &[Anchor], known: &[String]) -> Vec<AuditReport> {
    let mut out: Vec<AuditReport> = Vec::new();
    for a in anchors {
        if !known.contains(&a.tenant) && !out.iter().any(|r| r.tenant == a.tenant) {
            out.push(AuditReport {
                tenant: a.tenant.clone(),
                entries: 0,
                problem: Some(format!(
                    "the checkpoint vouches for entry {} of this tenant, which the store no longer holds",
                    a.seq
                )),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The chain itself, the same on every backend: how an entry is hashed and
// how a tenant's rows are checked. Backends only read and write the rows.
// ---------------------------------------------------------------------------

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

/// The next entry of a chain whose head is `head` (`(seq, hash)`, `None`
/// for an empty journal): what a backend inserts, then sets as the head.
pub(super) struct NextEntry {
    pub seq: i64,
    pub digest: String,
    pub prev: String,
    pub hash: String,
}

pub(super) fn next_entry(
    head: Option<(i64, String)>,
    at: &str,
    actor: &str,
    subject: &str,
    action: &str,
    detail: &str,
) -> NextEntry {
    let (seq, prev) = head.unwrap_or((0, GENESIS.to_owned()));
    let seq = seq + 1;
    let digest = detail_digest(detail);
    let hash = entry_hash(seq, [at, actor, subject, action], &digest, &prev);
    NextEntry {
        seq,
        digest,
        prev,
        hash,
    }
}

/// An audit row as stored, read back to be checked.
pub(super) struct StoredAudit {
    pub seq: i64,
    /// at, actor, subject, action, detail.
    pub fields: [String; 5],
    pub prev_hash: String,
    pub hash: String,
    pub digest: Option<String>,
    pub redacted_at: Option<String>,
}

/// Checks a tenant's rows (in `seq` order) against each other and against
/// the chain's recorded head, and reports the first entry that does not
/// hold.
pub(super) fn verify_chain(
    tenant: &str,
    rows: impl IntoIterator<Item = Result<StoredAudit, StoreError>>,
    head: Option<(i64, String)>,
    anchors: &[(i64, String)],
) -> Result<AuditReport, StoreError> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut entries = 0u64;
    let report = |entries, problem: String| AuditReport {
        tenant: tenant.to_owned(),
        entries,
        problem: Some(problem),
    };
    for row in rows {
        let StoredAudit {
            seq,
            fields,
            prev_hash,
            hash,
            digest,
            redacted_at,
        } = row?;
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
                let detail_holds = (redacted_at.is_some() && detail.is_empty())
                    || detail_digest(detail) == *digest;
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
        if let Some((_, published)) = anchors.iter().find(|(at, _)| *at == seq)
            && *published != hash
        {
            return Ok(report(
                entries,
                format!(
                    "entry {seq} is not the one the checkpoint published: the journal was rewritten at or before this entry"
                ),
            ));
        }
        prev = hash;
        expected_seq += 1;
    }
    let last = expected_seq - 1;
    if let Some((seq, _)) = anchors.iter().filter(|(at, _)| *at > last).max() {
        return Ok(report(
            entries,
            format!(
                "the journal ends at entry {last} but a checkpoint vouches for entry {seq}: entries were removed or the journal replaced"
            ),
        ));
    }
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
