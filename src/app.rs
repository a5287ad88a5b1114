//! The running application: the store, each tenant's site (its catalogue and
//! the documents generated from it once), limits and the clock.

use crate::core::catalogue::Service;
use crate::core::tenant::Tenant;
use crate::soap::wsdl;
use crate::store::{Store, StoreError};
use crate::xml::Limits;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::Arc;

/// Where "now" comes from; tests pin it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// Bounds on what a client may send.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    pub xml: Limits,
    /// Longest wait for a request body to arrive.
    pub body_timeout: std::time::Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_body: 1024 * 1024,
            xml: Limits::default(),
            body_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// A tenant with the documents derived from its catalogue.
pub struct Site {
    pub tenant: Arc<Tenant>,
    /// WSDL with [`wsdl::ADDRESS_PLACEHOLDER`] for the endpoint address.
    pub wsdl: String,
    /// The tenant's whole schema (`xsd/SLUG.xsd`).
    pub schema: String,
    /// One schema per online service (`xsd/CODE.xsd`), for request files.
    pub service_schemas: HashMap<String, String>,
}

impl Site {
    pub fn new(tenant: Tenant) -> Site {
        let wsdl = wsdl::wsdl(&tenant);
        let schema = wsdl::schema(&tenant, None);
        let service_schemas = tenant
            .services
            .iter()
            .map(|s| (s.code.clone(), wsdl::schema(&tenant, Some(s))))
            .collect();
        Site {
            tenant: Arc::new(tenant),
            wsdl,
            schema,
            service_schemas,
        }
    }

    /// The WSDL with its ports pointing at `address`.
    pub fn wsdl_for(&self, address: &str) -> String {
        self.wsdl
            .replace(wsdl::ADDRESS_PLACEHOLDER, &crate::xml::escape(address))
    }
}

pub struct App {
    pub store: Arc<dyn Store>,
    pub sites: HashMap<String, Arc<Site>>,
    pub limits: RequestLimits,
    pub clock: Clock,
}

impl App {
    /// Loads every tenant from the store. A stored definition that no longer
    /// parses is a fatal error that names the tenant and the service.
    pub fn load(
        store: Arc<dyn Store>,
        limits: RequestLimits,
        clock: Clock,
    ) -> Result<App, StoreError> {
        let mut sites = HashMap::new();
        for record in store.tenants()? {
            let parse = |text: &str| {
                Service::from_xml(text)
                    .map(Arc::new)
                    .map_err(|e| StoreError::Corrupt(format!("tenant {}: {e}", record.slug)))
            };
            let mut online = Vec::new();
            let mut all = Vec::new();
            for (text, is_online) in &record.services {
                let service = parse(text)?;
                if *is_online {
                    online.push(Arc::clone(&service));
                }
                all.push(service);
            }
            for text in &record.older_versions {
                all.push(parse(text)?);
            }
            let time_zone = TimeZone::get(&record.time_zone).map_err(|e| {
                StoreError::Corrupt(format!(
                    "tenant {}: time zone {}: {e}",
                    record.slug, record.time_zone
                ))
            })?;
            let tenant = Tenant::new(
                record.id,
                &record.slug,
                &record.name,
                time_zone,
                online,
                all,
            );
            sites.insert(record.slug.clone(), Arc::new(Site::new(tenant)));
        }
        Ok(App {
            store,
            sites,
            limits,
            clock,
        })
    }

    pub fn site(&self, slug: &str) -> Option<&Arc<Site>> {
        self.sites.get(slug)
    }
}

/// Creates the demo tenant with the built-in catalogue, unless it exists.
pub fn ensure_demo_tenant(store: &dyn Store) -> Result<bool, StoreError> {
    let definitions: Vec<(String, String, u32)> = crate::core::builtin::DEFINITIONS
        .iter()
        .map(|(_, text)| {
            let service =
                Service::from_xml(text).map_err(|e| StoreError::Invalid(e.to_string()))?;
            Ok((service.code, text.to_string(), service.version))
        })
        .collect::<Result<_, StoreError>>()?;
    store.create_tenant(DEMO_TENANT, "Ville de Démoville", &definitions)
}

pub const DEMO_TENANT: &str = "demoville";
