//! The running application: the store, each tenant's site (its catalogue and
//! the documents generated from it once), limits and the clock.

use crate::core::catalogue::Service;
use crate::core::tenant::Tenant;
use crate::core::workflow::Role;
use crate::soap::wsdl;
use crate::store::{Department, NewAgent, Store, StoreError};
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
    /// The departments its services belong to, by name.
    pub departments: Vec<Department>,
    /// The stylesheet of its steps' colours (back office).
    pub step_colours: crate::web::view::StepColours,
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
        let mut departments: Vec<Department> = Vec::new();
        for service in tenant.all_services() {
            let d = &service.department;
            if !departments.iter().any(|k| k.code == d.code) {
                departments.push(Department {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    // Heads are chosen in the store; see `Store::departments`.
                    head: None,
                });
            }
        }
        departments.sort_by(|a, b| a.name.cmp(&b.name));
        Site {
            step_colours: crate::web::view::StepColours::of(&tenant),
            departments,
            tenant: Arc::new(tenant),
            wsdl,
            schema,
            service_schemas,
            look,
        }
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    pub fn department_codes(&self) -> Vec<String> {
        self.departments.iter().map(|d| d.code.clone()).collect()
    }

    /// The town's name as its settings give it, else as registered.
    pub fn town_name(&self) -> String {
        self.look
            .get()
            .settings
            .name
            .clone()
            .unwrap_or_else(|| self.tenant.name.clone())
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
    /// Failed back-office logins.
    pub throttle: crate::auth::Throttle,
    /// SMTP server and public address for messages.
    pub notify: crate::notify::NotifyConfig,
    /// Guichet's address as the public reaches it, when it sits behind a
    /// proxy (`https://guichet.example.fr`, no trailing slash): WSDL
    /// endpoints and the origin forms must be posted from. `None`: the
    /// request's own `http://HOST`.
    pub public_url: Option<String>,
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
            let site = Site::new(tenant, dir);
            let service_departments: Vec<(String, String)> = site
                .tenant
                .all_services()
                .map(|s| (s.code.clone(), s.department.code.clone()))
                .collect();
            store.sync_departments(site.tenant.id, &site.departments, &service_departments)?;
            sites.insert(record.slug.clone(), Arc::new(site));
        }
        Ok(App {
            store,
            sites,
            limits,
            clock,
            secret,
            throttle: crate::auth::Throttle::default(),
            notify: crate::notify::NotifyConfig {
                smtp: None,
                public_url: "http://127.0.0.1:8080".into(),
            },
            public_url: None,
        })
    }

    pub fn site(&self, slug: &str) -> Option<&Arc<Site>> {
        self.sites.get(slug)
    }

    /// Applies the timed jumps that are due at the clock's "now" (steps left
    /// too long), as the system. A request changed meanwhile by an agent is
    /// left for the next run. Returns how many requests moved.
    pub async fn run_timers(&self) -> Result<usize, StoreError> {
        let now = (self.clock)();
        let mut moved = 0;
        for site in self.sites.values() {
            for open in self.store.open_requests(site.tenant.id).await? {
                let Some(service) = site
                    .tenant
                    .service_version(&open.service_code, open.service_version)
                else {
                    continue;
                };
                let Some(outcome) = crate::core::workflow::tick(service, &open.state, now) else {
                    continue;
                };
                match self
                    .store
                    .apply(site.tenant.id, open.reference, open.revision, outcome, now)
                    .await
                {
                    Ok(_) => moved += 1,
                    Err(StoreError::Conflict) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(moved)
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
    let tenant_id = store
        .tenants()?
        .into_iter()
        .find(|t| t.slug == DEMO_TENANT)
        .map(|t| t.id)
        .ok_or_else(|| StoreError::Invalid("demo tenant vanished".into()))?;
    // The demo agents, on creation or in a demo data folder made before agents existed.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    if runtime.block_on(store.agents(tenant_id))?.is_empty() {
        let now = jiff::Timestamp::now();
        for (login, name, admin, roles) in DEMO_AGENTS {
            let agent = NewAgent {
                login: login.to_string(),
                name: name.to_string(),
                password_hash: DEMO_PASSWORD_HASH.to_owned(),
                admin: *admin,
                roles: roles.iter().map(|(d, r)| (d.to_string(), *r)).collect(),
                email: Some(format!("{login}@demoville.example")),
            };
            runtime.block_on(store.add_agent(tenant_id, agent, "system:demo".into(), now))?;
        }
        store.seed_standard_answers(tenant_id, DEMO_ANSWERS)?;
    }
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

/// The demo agents' password (documented in the README), and its Argon2id
/// hash, computed once so that creating the demo tenant costs no hashing.
pub const DEMO_PASSWORD: &str = "demoville-2026";
const DEMO_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$mFsuxXY41laCMkiX0MeEfQ$e8qH9zyLe668SrHlgpcllRY6kUQPZjqiZ8Dw85YCARY";

type DemoAgent = (
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, Role)],
);

/// The demo town's agents: login, name, administrator, roles.
pub const DEMO_AGENTS: &[DemoAgent] = &[
    ("admin", "Alice Administratrice", true, &[]),
    (
        "marie",
        "Marie Durand",
        false,
        &[
            ("etat-civil", Role::Handler),
            ("etat-civil", Role::Validator),
        ],
    ),
    ("paul", "Paul Martin", false, &[("voirie", Role::Handler)]),
    (
        "sophie",
        "Sophie Bernard",
        false,
        &[("voirie", Role::Handler), ("voirie", Role::Validator)],
    ),
    (
        "lea",
        "Léa Petit",
        false,
        &[
            ("population", Role::Handler),
            ("affaires-scolaires", Role::Handler),
            ("vie-associative", Role::Handler),
            ("vie-associative", Role::Validator),
        ],
    ),
    (
        "jean",
        "Jean Lefèvre",
        false,
        &[("etat-civil", Role::Reader), ("voirie", Role::Reader)],
    ),
];

/// Standard answers of the demo town's departments.
const DEMO_ANSWERS: &[(&str, &str, &str)] = &[
    (
        "etat-civil",
        "Pièce manquante",
        "Bonjour, pour traiter votre demande, nous avons besoin d'une copie de votre pièce d'identité. Merci de la déposer à l'accueil de la mairie ou de répondre à ce message.",
    ),
    (
        "etat-civil",
        "Acte détenu par une autre commune",
        "Bonjour, votre acte n'est pas détenu par notre commune : adressez votre demande à la mairie du lieu de naissance.",
    ),
    (
        "voirie",
        "Intervention programmée",
        "Bonjour, l'intervention de nos équipes est programmée. Merci de votre signalement.",
    ),
    (
        "voirie",
        "Hors compétence communale",
        "Bonjour, cette voie relève du Département : nous lui avons transmis votre signalement.",
    ),
    (
        "vie-associative",
        "Convention à signer",
        "Bonjour, merci de signer et de nous retourner la convention d'occupation de la salle.",
    ),
];
