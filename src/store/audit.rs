//! The hash-chained audit journal.

use super::{BoxFuture, StoreError};
use jiff::Timestamp;

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
    fn verify_audit(&self) -> Result<Vec<AuditReport>, StoreError>;
}
