//! A town's files written from the admin pages (`settings.toml`,
//! `templates.toml`), kept in the store so that every node has them: each
//! node copies the files of a newer version into its own tenant folder,
//! which thus holds nothing another node needs.

use super::{BoxFuture, StoreError};
use jiff::Timestamp;

/// One file of a tenant's folder as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantFile {
    pub tenant_id: i64,
    /// Relative to the tenant's folder (`settings.toml`).
    pub path: String,
    pub content: Vec<u8>,
    /// Grows at every file written, whatever the tenant: a node that has
    /// every file up to version N asks for those above N.
    pub version: i64,
}

pub trait TenantFileStore: Send + Sync {
    /// Keeps `content` as the tenant's `path`, replacing the file there,
    /// under the next version of all tenant files; returns that version.
    fn put_tenant_file(
        &self,
        tenant_id: i64,
        path: String,
        content: Vec<u8>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>>;

    /// The files of a version above `since`, in version order.
    fn tenant_files_since(&self, since: i64) -> BoxFuture<'_, Result<Vec<TenantFile>, StoreError>>;

    /// The highest version written (0: none): what a node compares with the
    /// version it has, every few seconds.
    fn tenant_files_version(&self) -> BoxFuture<'_, Result<i64, StoreError>>;
}
