//! The running application: the store, each tenant's site (its catalogue and
//! the documents generated from it once), limits and the clock.

use crate::core::catalogue::Service;
use crate::core::tenant::Tenant;
use crate::soap::wsdl;
use crate::store::{Store, StoreError};
use crate::web::look::TenantLook;
use crate::web::token::Secret;
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
    /// Settings, wording and stylesheet overrides from `DATA/tenants/SLUG/`.
    pub look: TenantLook,
}

impl Site {
    /// `tenant_dir` holds the tenant's own files (it need not exist).
    pub fn new(tenant: Tenant, tenant_dir: std::path::PathBuf) -> Site {
        let wsdl = wsdl::wsdl(&tenant);
        let schema = wsdl::schema(&tenant, None);
        let service_schemas = tenant
            .services
            .iter()
            .map(|s| (s.code.clone(), wsdl::schema(&tenant, Some(s))))
            .collect();
        let look = TenantLook::open(tenant_dir, &tenant.slug);
        Site {
            tenant: Arc::new(tenant),
            wsdl,
            schema,
            service_schemas,
            look,
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
    /// Signs the anti-forgery tokens of forms.
    pub secret: Secret,
}

impl App {
    /// Loads every tenant from the store. A stored definition that no longer
    /// parses is a fatal error that names the tenant and the service.
    /// `data_dir` holds `secret.key` and the tenants' folders (`tenants/SLUG/`).
    pub fn load(
        store: Arc<dyn Store>,
        limits: RequestLimits,
        clock: Clock,
        data_dir: &std::path::Path,
    ) -> Result<App, StoreError> {
        crate::render::xslt::init();
        let secret = Secret::load_or_create(data_dir).map_err(|e| {
            StoreError::Invalid(format!(
                "cannot read or create {}/secret.key: {e}",
                data_dir.display()
            ))
        })?;
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
            let dir = data_dir.join("tenants").join(&record.slug);
            sites.insert(record.slug.clone(), Arc::new(Site::new(tenant, dir)));
        }
        Ok(App {
            store,
            sites,
            limits,
            clock,
            secret,
        })
    }

    pub fn site(&self, slug: &str) -> Option<&Arc<Site>> {
        self.sites.get(slug)
    }
}

/// Creates the demo tenant with the built-in catalogue, unless it exists, and
/// on creation writes its settings file in `DATA/tenants/demoville/`.
pub fn ensure_demo_tenant(
    store: &dyn Store,
    data_dir: &std::path::Path,
) -> Result<bool, StoreError> {
    let definitions: Vec<(String, String, u32)> = crate::core::builtin::DEFINITIONS
        .iter()
        .map(|(_, text)| {
            let service =
                Service::from_xml(text).map_err(|e| StoreError::Invalid(e.to_string()))?;
            Ok((service.code, text.to_string(), service.version))
        })
        .collect::<Result<_, StoreError>>()?;
    let created = store.create_tenant(DEMO_TENANT, "Ville de Démoville", &definitions)?;
    if created {
        let dir = data_dir.join("tenants").join(DEMO_TENANT);
        let settings = dir.join("settings.toml");
        if !settings.exists() {
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&settings, crate::web::look::DEMO_SETTINGS))
                .map_err(|e| {
                    StoreError::Invalid(format!("cannot write {}: {e}", settings.display()))
                })?;
        }
    }
    Ok(created)
}

pub const DEMO_TENANT: &str = "demoville";
