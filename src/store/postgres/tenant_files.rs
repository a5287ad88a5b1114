//! SQL of the tenants' files kept in the store.

use super::PostgresStore;
use crate::store::*;
use jiff::Timestamp;

impl TenantFileStore for PostgresStore {
    fn put_tenant_file(
        &self,
        tenant_id: i64,
        path: String,
        content: Vec<u8>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (path, content, at) = (path.clone(), content.clone(), at.clone());
            Box::pin(async move {
                // Serializable: two nodes writing at once never draw one
                // version twice (the second is retried).
                let version: i64 = tx
                    .query_one(
                        "SELECT coalesce(max(version), 0) + 1 FROM tenant_files",
                        &[],
                    )
                    .await?
                    .get(0);
                tx.execute(
                    "INSERT INTO tenant_files (tenant_id, path, content, version, updated_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (tenant_id, path) DO UPDATE
                     SET content = excluded.content, version = excluded.version, updated_at = excluded.updated_at",
                    &[&tenant_id, &path, &content, &version, &at],
                )
                .await?;
                Ok(version)
            })
        })
    }

    fn tenant_files_since(&self, since: i64) -> BoxFuture<'_, Result<Vec<TenantFile>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        "SELECT tenant_id, path, content, version FROM tenant_files
                         WHERE version > $1 ORDER BY version",
                        &[&since],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| TenantFile {
                        tenant_id: r.get(0),
                        path: r.get(1),
                        content: r.get(2),
                        version: r.get(3),
                    })
                    .collect())
            })
        })
    }

    fn tenant_files_version(&self) -> BoxFuture<'_, Result<i64, StoreError>> {
        self.read(|tx| {
            Box::pin(async move {
                Ok(tx
                    .query_one(
                        &tx.prepare_cached("SELECT coalesce(max(version), 0) FROM tenant_files")
                            .await?,
                        &[],
                    )
                    .await?
                    .get(0))
            })
        })
    }
}
