//! The use cases: what a citizen, an agent or the system does, whichever
//! channel it arrives through. Each is written once here and called by every
//! channel: [`submit`] (a `Submission` becomes a stored request and its
//! receipt), [`act`] (an agent's command on a request, the timed jumps).
//!
//! A use case takes the [`App`] (store, tenants' sites, clock, keys,
//! configuration), asks the core to decide and the store to apply, and
//! returns what happened or why not, in domain terms: channels turn that
//! into a SOAP Fault, a page or a status code. Use cases know nothing of
//! SOAP, HTML or HTTP.

pub mod account;
pub mod act;
pub mod agents;
pub mod api_accounts;
pub mod appointments;
pub mod audit;
pub mod campaigns;
pub mod catalogue;
pub mod correct;
pub mod exchange;
pub mod files;
pub mod inbound;
pub mod letters;
pub mod open311;
pub mod openid;
pub mod people;
pub mod personal;
pub mod places;
pub mod rate;
pub mod reply;
pub mod retention;
pub mod satisfaction;
pub mod simulate;
pub mod stats;
pub mod submit;
pub mod tenant_files;
pub mod tenants;
pub mod throttle;

use crate::auth::token::Secret;
use crate::config::Config;
use crate::store::Store;
use crate::tenant::Site;
use arc_swap::ArcSwap;
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;

/// Where "now" comes from; tests pin it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// Everything a use case runs against, built once at start by
/// `app::load`.
pub struct App {
    pub store: Arc<dyn Store>,
    /// The files sent with requests, kept once each by digest.
    pub blobs: Arc<dyn crate::store::blobs::BlobStore>,
    /// Every tenant by slug, swapped whole when tenants change (see
    /// `app::watch_tenants`); disabled ones included, marked.
    pub sites: ArcSwap<Sites>,
    pub config: Config,
    pub clock: Clock,
    /// Signs the anti-forgery tokens of forms.
    pub secret: Secret,
    /// Guichet's address for links in messages (`https://…`): the public
    /// URL, else the address it listens on.
    pub message_url: String,
    /// The service library towns pick from, checked at start.
    pub library: Arc<Vec<crate::library::Entry>>,
    /// The version of the tenants' shared files this node's folders hold.
    pub tenant_files: Arc<tenant_files::Synced>,
    /// Rung when an export is queued, so that this node's export worker
    /// starts on it at once (other nodes find it at their next round).
    pub exports_due: tokio::sync::Notify,
    /// Rung when a campaign is written, so that this node's sender starts
    /// on it at once.
    pub campaigns_due: tokio::sync::Notify,
    /// This node's rate limits (`--rate-limits`).
    pub rate: rate::Limiters,
}

/// The tenants' sites by slug, and the store's tenants generation they
/// were built from.
#[derive(Default)]
pub struct Sites {
    pub by_slug: HashMap<String, Arc<Site>>,
    pub generation: i64,
}

impl App {
    /// An enabled tenant by slug: what every public URL serves.
    pub fn site(&self, slug: &str) -> Option<Arc<Site>> {
        self.any_site(slug).filter(|s| s.enabled)
    }

    /// A tenant by slug, enabled or not (operators' commands).
    pub fn any_site(&self, slug: &str) -> Option<Arc<Site>> {
        self.sites.load().by_slug.get(slug).cloned()
    }

    /// The tenant with this store id, enabled or not.
    pub fn site_by_id(&self, tenant_id: i64) -> Option<Arc<Site>> {
        self.sites
            .load()
            .by_slug
            .values()
            .find(|s| s.tenant.id == tenant_id)
            .cloned()
    }

    /// Every tenant, enabled or not, in no particular order.
    pub fn all_sites(&self) -> Vec<Arc<Site>> {
        self.sites.load().by_slug.values().cloned().collect()
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }
}
