//! Requests placed again in their town's districts (`guichet places`): the
//! address parts of stored requests read by slices, their new district and
//! point written back.

use super::{BoxFuture, StoreError};
use crate::core::places::Point;

/// A stored request's address parts: `(path, value)` of its values whose
/// path ends in `/street`, `/postalCode`, `/latitude` or `/longitude`, in
/// their order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAddresses {
    pub id: i64,
    pub parts: Vec<(String, String)>,
}

/// Where a stored request is now.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlace {
    pub id: i64,
    /// `""`: in no district.
    pub district: String,
    pub point: Option<Point>,
}

/// The paths [`StoredAddresses`] keep, as SQL `LIKE` patterns.
pub(super) const ADDRESS_PATHS: &str = "(path LIKE '%/street' OR path LIKE '%/postalCode' OR path LIKE '%/latitude' OR path LIKE '%/longitude')";

pub trait PlacesStore: Send + Sync {
    /// The address parts of the tenant's requests after `after` (an id),
    /// `limit` requests at most, in id order (a request without an
    /// address comes with none).
    fn stored_addresses(
        &self,
        tenant_id: i64,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<StoredAddresses>, StoreError>>;

    /// Writes the requests' new district and point, in one transaction;
    /// how many changed.
    fn set_places(
        &self,
        tenant_id: i64,
        places: Vec<NewPlace>,
    ) -> BoxFuture<'_, Result<u64, StoreError>>;
}

/// Rows `(request id, path, value)` in order, gathered by request; the ids
/// of `ids` without a row come with no parts.
pub(super) fn gathered(ids: &[i64], rows: Vec<(i64, String, String)>) -> Vec<StoredAddresses> {
    let mut out: Vec<StoredAddresses> = ids
        .iter()
        .map(|&id| StoredAddresses {
            id,
            parts: Vec::new(),
        })
        .collect();
    for (id, path, value) in rows {
        if let Ok(i) = ids.binary_search(&id) {
            out[i].parts.push((path, value));
        }
    }
    out
}
