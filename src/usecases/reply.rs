//! The citizen writes to the town about a request: from the tracking page
//! (the tracking code proves it is theirs), from their account's request
//! page, or through a town site by SOAP with the tracking code (each
//! channel finds the request; this use case writes the reply). The reply
//! goes into the request's history, the agents of its department are told,
//! and the console marks the request until an agent opens it.

use super::App;
use crate::core::tracking::Reference;
use crate::core::workflow::{self, ReplyRefusal};
use crate::store::StoreError;
use crate::tenant::Site;

#[derive(Debug)]
pub enum ReplyError {
    /// No such request here (or not the account's, or a test request).
    Unknown,
    Refused(ReplyRefusal),
    Unavailable(String),
}

impl From<StoreError> for ReplyError {
    fn from(e: StoreError) -> ReplyError {
        ReplyError::Unavailable(e.to_string())
    }
}

/// Writes the citizen's reply to the request `reference`; `channel` is
/// where it came from (`web`, `soap`). Retried once if an agent changed the
/// request at the same moment.
pub async fn reply(
    app: &App,
    site: &Site,
    reference: Reference,
    text: &str,
    channel: &str,
) -> Result<(), ReplyError> {
    for _ in 0..3 {
        let item = app
            .store
            .work_item(site.tenant.id, reference)
            .await?
            .ok_or(ReplyError::Unknown)?;
        let outcome = workflow::reply(&item.state, text, channel).map_err(ReplyError::Refused)?;
        match app
            .store
            .apply(site.tenant.id, reference, item.revision, outcome, app.now())
            .await
        {
            Ok(_) => {
                tracing::info!(tenant = %site.tenant.slug, %reference, channel, "citizen replied");
                return Ok(());
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ReplyError::Unavailable(
        "the request kept changing".to_owned(),
    ))
}
