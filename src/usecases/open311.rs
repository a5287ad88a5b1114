//! What an Open311 GeoReport v2 client may do with a town: see the
//! incident services it offers that way (`[open311]` of its settings),
//! file a report with one of the town's API keys (through the one submit
//! path), and follow reports by reference. Only what is public about a
//! report is read here; never the requester.

use super::App;
use crate::core::catalogue::{FieldType, Service};
use crate::core::intake::Submission;
use crate::core::tenant::Audience;
use crate::core::tracking::Reference;
use crate::store::{PublicQuery, StoreError, WorkItem};
use crate::tenant::Site;
use std::sync::Arc;

/// The services the town offers over Open311; none when it has no
/// `[open311]` settings (the endpoint is then unknown).
pub fn offered(site: &Site) -> Option<Vec<Arc<Service>>> {
    let look = site.look.get();
    let settings = look.settings.open311.as_ref()?;
    let online = site.tenant.offered(Audience::Public);
    Some(match &settings.services {
        Some(codes) => online
            .filter(|s| codes.contains(&s.code))
            .cloned()
            .collect(),
        None => online
            .filter(|s| location_field(s).is_some() && s.field("description").is_some())
            .cloned()
            .collect(),
    })
}

/// The field an Open311 location (lat, long, address) fills: the service's
/// first address field.
pub fn location_field(service: &Service) -> Option<&str> {
    service
        .fields
        .iter()
        .find(|f| f.kind == FieldType::Address)
        .map(|f| f.name.as_str())
}

/// Whether `key` is one of the town's Open311 API keys (compared in
/// constant time).
pub fn key_accepted(site: &Site, key: &str) -> bool {
    let look = site.look.get();
    let Some(settings) = look.settings.open311.as_ref() else {
        return false;
    };
    settings
        .api_keys
        .iter()
        .any(|k| crate::auth::same_secret(k.as_bytes(), key.as_bytes()))
}

/// Files a report: the same submit path as every channel.
pub async fn report(
    app: &App,
    site: &Site,
    service: &Service,
    submission: &Submission,
) -> Result<super::submit::Receipt, super::submit::SubmitError> {
    super::submit::submit(app, site, service, submission).await
}

/// Reports as an Open311 client lists them, newest first.
pub async fn requests(
    app: &App,
    site: &Site,
    services: &[Arc<Service>],
    mut query: PublicQuery,
) -> Result<Vec<WorkItem>, StoreError> {
    query.services = services.iter().map(|s| s.code.clone()).collect();
    let mut out = Vec::new();
    for reference in app.store.public_requests(site.tenant.id, query).await? {
        if let Some(item) = app.store.work_item(site.tenant.id, reference).await? {
            out.push(item);
        }
    }
    Ok(out)
}

/// One report by reference, if it is one of the services offered.
pub async fn request(
    app: &App,
    site: &Site,
    services: &[Arc<Service>],
    reference: Reference,
) -> Result<Option<WorkItem>, StoreError> {
    let query = PublicQuery {
        references: vec![reference],
        limit: 1,
        ..PublicQuery::default()
    };
    Ok(requests(app, site, services, query)
        .await?
        .into_iter()
        .next())
}
