//! A town's stored requests placed again in its districts, after it wrote
//! or changed its `places.toml` (`guichet places`): each request's address
//! as stored, read by slices, put in the district the town's places say
//! now, with its point.

use super::App;
use crate::store::{NewPlace, StoreError};
use crate::tenant::Site;

/// Requests read at once.
const SLICE: u32 = 2_000;

/// What placing the requests again did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replaced {
    /// Requests read.
    pub read: u64,
    /// Requests now in a district.
    pub placed: u64,
    /// Requests whose district or point changed.
    pub changed: u64,
}

/// Places every request of `site` again in its current places.
pub async fn replace(app: &App, site: &Site) -> Result<Replaced, StoreError> {
    let places = site.look.get().places.clone();
    let tenant_id = site.tenant.id;
    let mut done = Replaced::default();
    let mut after = 0;
    loop {
        let slice = app.store.stored_addresses(tenant_id, after, SLICE).await?;
        let Some(last) = slice.last() else {
            break;
        };
        after = last.id;
        done.read += slice.len() as u64;
        let placed: Vec<NewPlace> = slice
            .iter()
            .map(|r| {
                let p = places.place_stored(&r.parts);
                NewPlace {
                    id: r.id,
                    district: p.district.unwrap_or_default(),
                    point: p.point,
                }
            })
            .collect();
        done.placed += placed.iter().filter(|p| !p.district.is_empty()).count() as u64;
        done.changed += app.store.set_places(tenant_id, placed).await?;
    }
    tracing::info!(tenant = %site.tenant.slug, read = done.read, placed = done.placed, changed = done.changed, "requests placed again");
    Ok(done)
}
