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

pub mod act;
pub mod submit;

use crate::auth::Throttle;
use crate::auth::token::Secret;
use crate::config::Config;
use crate::store::Store;
use crate::tenant::Site;
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
    pub sites: HashMap<String, Arc<Site>>,
    pub config: Config,
    pub clock: Clock,
    /// Signs the anti-forgery tokens of forms.
    pub secret: Secret,
    /// Failed back-office logins.
    pub throttle: Throttle,
    /// Guichet's address for links in messages (`https://…`): the public
    /// URL, else the address it listens on.
    pub message_url: String,
}

impl App {
    pub fn site(&self, slug: &str) -> Option<&Arc<Site>> {
        self.sites.get(slug)
    }

    /// The tenant with this store id.
    pub fn site_by_id(&self, tenant_id: i64) -> Option<&Arc<Site>> {
        self.sites.values().find(|s| s.tenant.id == tenant_id)
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }
}
