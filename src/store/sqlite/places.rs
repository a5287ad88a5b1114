//! SQL of placing stored requests again in their town's districts.

use super::SqliteStore;
use crate::store::places::{ADDRESS_PATHS, gathered};
use crate::store::*;
use rusqlite::params;

impl PlacesStore for SqliteStore {
    fn stored_addresses(
        &self,
        tenant_id: i64,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<StoredAddresses>, StoreError>> {
        self.read(move |conn| {
            let ids: Vec<i64> = conn
                .prepare_cached(
                    "SELECT id FROM requests WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                )?
                .query_map(params![tenant_id, after, limit], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
                return Ok(Vec::new());
            };
            let rows = conn
                .prepare_cached(&format!(
                    "SELECT v.request_id, v.path, v.value FROM request_values v
                     JOIN requests r ON r.id = v.request_id
                     WHERE v.request_id BETWEEN ?1 AND ?2 AND r.tenant_id = ?3 AND {ADDRESS_PATHS}
                     ORDER BY v.request_id, v.position"
                ))?
                .query_map(params![first, last, tenant_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(gathered(&ids, rows))
        })
    }

    fn set_places(
        &self,
        tenant_id: i64,
        places: Vec<NewPlace>,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.write(move |tx| {
            let mut changed = 0;
            let mut update = tx.prepare_cached(
                "UPDATE requests SET district = ?1, longitude = ?2, latitude = ?3
                 WHERE id = ?4 AND tenant_id = ?5
                   AND (district IS NOT ?1 OR longitude IS NOT ?2 OR latitude IS NOT ?3)",
            )?;
            for p in &places {
                changed += update.execute(params![
                    p.district,
                    p.point.map(|p| p.lon),
                    p.point.map(|p| p.lat),
                    p.id,
                    tenant_id
                ])? as u64;
            }
            Ok(changed)
        })
    }
}
