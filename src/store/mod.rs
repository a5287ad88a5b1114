//! Durable storage. The only module that knows SQL.
//!
//! [`Store`] is what channels and the server need; [`sqlite::SqliteStore`] is
//! the embedded implementation (PostgreSQL for clusters will implement the
//! same trait). A request is acknowledged only after the transaction holding
//! its row, its values and its first history event has committed.

pub mod sqlite;

use crate::core::intake::NewRequest;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the store is shutting down")]
    Closed,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

/// A tenant as stored: its settings and the definitions of its services.
#[derive(Debug, Clone)]
pub struct TenantRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    /// `(definition XML, online)` of the current version of each service, in
    /// catalogue order.
    pub services: Vec<(String, bool)>,
    /// Definitions of older versions still referenced by requests.
    pub older_versions: Vec<String>,
}

/// A stored request with its field values, for request files.
#[derive(Debug, Clone)]
pub struct StoredRequest {
    pub record: RequestRecord,
    /// `(path, lexical value)` in submission order.
    pub rows: Vec<(String, String)>,
}

pub trait Store: Send + Sync + 'static {
    /// Stores a validated request, gives it the next reference of its tenant
    /// and year, and resolves once that is committed.
    fn submit(
        &self,
        tenant_id: i64,
        request: NewRequest,
    ) -> BoxFuture<'_, Result<Reference, StoreError>>;

    /// A request by the digest of its tracking code.
    fn request_by_tracking(
        &self,
        tenant_id: i64,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>>;

    /// A request and its values by public reference.
    fn request_by_reference(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<StoredRequest>, StoreError>>;

    /// Every tenant with its services (at start-up).
    fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError>;

    /// Creates a tenant with these service definitions, all online, unless a
    /// tenant with this slug exists. Returns whether it was created.
    fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        definitions: &[(String, String, u32)],
    ) -> Result<bool, StoreError>;
}
