//! SQL of the tenants' files kept in the store.

use super::SqliteStore;
use crate::store::*;
use jiff::Timestamp;
use rusqlite::params;

impl TenantFileStore for SqliteStore {
    fn put_tenant_file(
        &self,
        tenant_id: i64,
        path: String,
        content: Vec<u8>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        let at = at.to_string();
        self.write(move |conn| {
            let version: i64 = conn
                .prepare_cached("SELECT coalesce(max(version), 0) + 1 FROM tenant_files")?
                .query_row([], |r| r.get(0))?;
            conn.prepare_cached(
                "INSERT INTO tenant_files (tenant_id, path, content, version, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (tenant_id, path) DO UPDATE
                 SET content = excluded.content, version = excluded.version, updated_at = excluded.updated_at",
            )?
            .execute(params![tenant_id, path, content, version, at])?;
            Ok(version)
        })
    }

    fn tenant_files_since(&self, since: i64) -> BoxFuture<'_, Result<Vec<TenantFile>, StoreError>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT tenant_id, path, content, version FROM tenant_files
                 WHERE version > ?1 ORDER BY version",
            )?;
            let rows = stmt.query_map(params![since], |r| {
                Ok(TenantFile {
                    tenant_id: r.get(0)?,
                    path: r.get(1)?,
                    content: r.get(2)?,
                    version: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn tenant_files_version(&self) -> BoxFuture<'_, Result<i64, StoreError>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT coalesce(max(version), 0) FROM tenant_files")?
                .query_row([], |r| r.get(0))?)
        })
    }
}
