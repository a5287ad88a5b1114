//! The town's file of people for requests stored before it existed
//! (`guichet people`): each such request joined to its requester's file by
//! the rules of a request arriving now (the same account, e-mail address or
//! phone, else a new file; suggestions for an agent), by slices.

use super::App;
use crate::store::StoreError;
use crate::tenant::Site;

/// Requests read at once, each slice its own transaction.
const SLICE: u32 = 1_000;

/// Joins every request of `site` without a file to one; how many were.
pub async fn file_stored(app: &App, site: &Site) -> Result<u64, StoreError> {
    let (mut after, mut filed) = (0, 0);
    while let (Some(last), n) = app
        .store
        .file_requests(site.tenant.id, after, SLICE)
        .await?
    {
        after = last;
        filed += n;
    }
    tracing::info!(tenant = %site.tenant.slug, filed, "stored requests joined to the file of people");
    Ok(filed)
}
