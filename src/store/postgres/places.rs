//! SQL of placing stored requests again in their town's districts.

use super::PostgresStore;
use crate::store::places::{ADDRESS_PATHS, gathered};
use crate::store::*;

impl PlacesStore for PostgresStore {
    fn stored_addresses(
        &self,
        tenant_id: i64,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<StoredAddresses>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let ids: Vec<i64> = tx
                    .query(
                        "SELECT id FROM requests WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                        &[&tenant_id, &after, &i64::from(limit)],
                    )
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
                    return Ok(Vec::new());
                };
                let rows = tx
                    .query(
                        &format!(
                            "SELECT v.request_id, v.path, v.value FROM request_values v
                             JOIN requests r ON r.id = v.request_id
                             WHERE v.request_id BETWEEN $1 AND $2 AND r.tenant_id = $3 AND {ADDRESS_PATHS}
                             ORDER BY v.request_id, v.position"
                        ),
                        &[first, last, &tenant_id],
                    )
                    .await?
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect();
                Ok(gathered(&ids, rows))
            })
        })
    }

    fn set_places(
        &self,
        tenant_id: i64,
        places: Vec<NewPlace>,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.write(move |tx| {
            let places = places.clone();
            Box::pin(async move {
                let update = tx
                    .prepare_cached(
                        "UPDATE requests SET district = $1, longitude = $2, latitude = $3
                         WHERE id = $4 AND tenant_id = $5
                           AND (district IS DISTINCT FROM $1 OR longitude IS DISTINCT FROM $2
                                OR latitude IS DISTINCT FROM $3)",
                    )
                    .await?;
                let mut changed = 0;
                for p in &places {
                    changed += tx
                        .execute(
                            &update,
                            &[
                                &p.district,
                                &p.point.map(|p| p.lon),
                                &p.point.map(|p| p.lat),
                                &p.id,
                                &tenant_id,
                            ],
                        )
                        .await?;
                }
                Ok(changed)
            })
        })
    }
}
