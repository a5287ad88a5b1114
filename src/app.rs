//! The composition root: builds the [`App`] from the [`Config`] (opens the
//! store, loads every tenant with the documents its catalogue generates,
//! creates the demo tenant on first start) and runs the server with its
//! timers. The only module that knows every other; none of them knows it.

pub use crate::config::RequestLimits;
pub use crate::usecases::{App, Clock, system_clock};

use crate::config::{Config, Database, Durability};
use crate::core::catalogue::Service;
use crate::core::tenant::Tenant;
use crate::core::workflow::Role;
use crate::error::Error;
use crate::store::blobs::BlobStore;
use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{NewAgent, ServiceStatus, Store, StoreError, TenantRecord};
use crate::tenant::Site;
use crate::usecases::Sites;
use arc_swap::ArcSwap;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::Arc;

/// Opens the store the configuration names (SQLite in `config.data_dir`,
/// or PostgreSQL), creating it and the demo tenant on first start, and
/// loads the application.
pub fn open(config: Config, clock: Clock) -> Result<App, Error> {
    let (store, blobs): (Arc<dyn Store>, Option<Arc<dyn BlobStore>>) = match &config.database {
        Database::Sqlite => {
            let durability = match config.durability {
                Durability::Full => crate::store::sqlite::Durability::Full,
                Durability::Normal => crate::store::sqlite::Durability::Normal,
            };
            let store = SqliteStore::open(&config.data_dir, durability).map_err(|e| {
                Error::Config(format!(
                    "cannot open the store in {}: {e}",
                    config.data_dir.display()
                ))
            })?;
            (Arc::new(store), None)
        }
        Database::Postgres { url, pool } => {
            let store = Arc::new(PostgresStore::open(url, *pool).map_err(|e| {
                Error::Config(format!(
                    "cannot open the PostgreSQL store (GUICHET_DATABASE): {e}"
                ))
            })?);
            tracing::info!(database = store.url(), "PostgreSQL store open");
            // Files sent with requests live in the database too.
            let blobs: Arc<dyn BlobStore> = store.clone();
            (store, Some(blobs))
        }
    };
    if ensure_demo_tenant(&*store, &config.data_dir)? {
        tracing::info!("created the demo tenant {DEMO_TENANT} with the built-in catalogue");
    }
    load_with(store, blobs, config, clock)
}

/// Opens an existing data folder (commands other than `serve` never
/// create one).
pub fn open_existing(config: Config) -> Result<App, Error> {
    config.existing_data()?;
    open(config, system_clock())
}

/// Loads every tenant from the store. A stored definition that no longer
/// parses is a fatal error that names the tenant and the service.
/// `config.data_dir` holds `secret.key` and the tenants' folders
/// (`tenants/SLUG/`).
pub fn load(store: Arc<dyn Store>, config: Config, clock: Clock) -> Result<App, Error> {
    load_with(store, None, config, clock)
}

/// [`load`], with the blobs kept by `blobs` (`None`: `DATA/blobs/`).
pub fn load_with(
    store: Arc<dyn Store>,
    blobs: Option<Arc<dyn BlobStore>>,
    config: Config,
    clock: Clock,
) -> Result<App, Error> {
    crate::render::xslt::init();
    let data_dir = config.data_dir.clone();
    let secret = match config.secret {
        Some(key) => crate::auth::token::Secret::from_bytes(key),
        None => crate::auth::token::Secret::load_or_create(&data_dir)
            .map_err(Error::file(data_dir.join("secret.key")))?,
    };
    let library = crate::library::load(config.library.as_deref()).map_err(Error::Library)?;
    let sites = build_sites(&*store, &data_dir, None)?;
    let blobs = match blobs {
        Some(blobs) => blobs,
        None => {
            let blobs_dir = data_dir.join("blobs");
            Arc::new(
                crate::store::blobs::FsBlobs::open(&blobs_dir).map_err(Error::file(blobs_dir))?,
            )
        }
    };
    let app = App {
        tenant_files: Arc::new(crate::usecases::tenant_files::Synced::open(&data_dir)),
        library: Arc::new(library),
        blobs,
        store,
        sites: ArcSwap::from_pointee(sites),
        message_url: config.message_base_url(),
        rate: crate::usecases::rate::Limiters::new(&config.rate_limits, Arc::clone(&clock)),
        config,
        clock,
        secret,
        exports_due: tokio::sync::Notify::new(),
        campaigns_due: tokio::sync::Notify::new(),
    };
    // The towns' files other nodes wrote, before the first page is served.
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(Error::system("cannot start the runtime"))?
        .block_on(crate::usecases::tenant_files::sync(&app))
        .map_err(|e| Error::Config(format!("cannot copy the towns' files from the store: {e}")))?;
    Ok(app)
}

/// Every tenant's site, rebuilding only those whose record changed since
/// `previous`.
fn build_sites(
    store: &dyn Store,
    data_dir: &std::path::Path,
    previous: Option<&Sites>,
) -> Result<Sites, Error> {
    // Read first: a change made while the sites are built moves it again,
    // and the next look rebuilds.
    let generation = store.tenants_generation()?;
    let mut by_slug = HashMap::new();
    for record in store.tenants()? {
        let fingerprint = fingerprint(&record);
        let kept = previous
            .and_then(|p| p.by_slug.get(&record.slug))
            .filter(|s| s.fingerprint == fingerprint);
        let site = match kept {
            Some(site) => Arc::clone(site),
            None => Arc::new(build_site(store, data_dir, &record, fingerprint)?),
        };
        by_slug.insert(record.slug.clone(), site);
    }
    Ok(Sites {
        by_slug,
        generation,
    })
}

/// What a site is built from: a changed record means a new site.
fn fingerprint(record: &TenantRecord) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        record.id,
        &record.name,
        &record.time_zone,
        record.enabled,
        &record.services,
        &record.older_versions,
    )
        .hash(&mut h);
    for d in &record.departments {
        (&d.code, &d.name).hash(&mut h);
    }
    h.finish()
}

fn build_site(
    store: &dyn Store,
    data_dir: &std::path::Path,
    record: &TenantRecord,
    fingerprint: u64,
) -> Result<Site, Error> {
    let parse = |text: &str| {
        Service::from_xml(text)
            .map(Arc::new)
            .map_err(|e| StoreError::Corrupt(format!("tenant {}: {e}", record.slug)))
    };
    let mut online = Vec::new();
    let mut testing = Vec::new();
    let mut all = Vec::new();
    for (text, status) in &record.services {
        let service = parse(text)?;
        match status {
            ServiceStatus::Online => online.push(Arc::clone(&service)),
            ServiceStatus::Test => testing.push(Arc::clone(&service)),
            ServiceStatus::Draft | ServiceStatus::Offline => {}
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
        testing,
        all,
    );
    let documents = crate::soap::wsdl::documents(&tenant);
    let dir = data_dir.join("tenants").join(&record.slug);
    let mut site = Site::new(tenant, documents, dir, &record.departments, record.enabled);
    site.fingerprint = fingerprint;
    let service_departments: Vec<(String, String)> = site
        .tenant
        .all_services()
        .map(|s| (s.code.clone(), s.department.code.clone()))
        .collect();
    store.sync_departments(site.tenant.id, &site.departments, &service_departments)?;
    Ok(site)
}

/// Rebuilds the sites when tenants changed in the store (a town added,
/// disabled or enabled by `guichet tenant …` or another node, a service
/// changed). Returns whether anything was reloaded. A tenant that no
/// longer loads keeps every site as it was, and says why.
pub async fn reload(app: &App) -> Result<bool, Error> {
    let store = Arc::clone(&app.store);
    let current = app.sites.load_full();
    let known = current.generation;
    let generation = tokio::task::spawn_blocking(move || store.tenants_generation()).await??;
    if generation == known {
        return Ok(false);
    }
    let store = Arc::clone(&app.store);
    let dir = app.config.data_dir.clone();
    let sites =
        tokio::task::spawn_blocking(move || build_sites(&*store, &dir, Some(&current))).await??;
    app.sites.store(Arc::new(sites));
    Ok(true)
}

/// Looks for changed tenants, and towns' files written on other nodes, every
/// `tenant_period`.
pub async fn watch_tenants(app: Arc<App>) {
    let mut interval = tokio::time::interval(app.config.tenant_period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match reload(&app).await {
            Ok(false) => {}
            Ok(true) => {
                let sites = app.sites.load();
                let mut slugs: Vec<&String> = sites.by_slug.keys().collect();
                slugs.sort();
                tracing::info!(tenants = ?slugs, "tenants reloaded");
            }
            Err(e) => {
                tracing::error!(error = %e, "tenants could not be reloaded; keeping them as they were")
            }
        }
        // Then the towns' files written on other nodes (a new town's
        // included, its site being built now).
        match crate::usecases::tenant_files::sync(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "towns' files copied from the store"),
            Err(e) => {
                tracing::error!(error = %e, "towns' files could not be copied from the store")
            }
        }
    }
}

/// Serves every tenant until SIGINT or SIGTERM, with the timers (timed
/// jumps and deadline watch, the outbox worker) running beside.
pub fn serve(config: Config) -> Result<(), Error> {
    let listen = config.listen;
    let app = open(config, system_clock())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::system("cannot start the runtime"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(Error::system(
            format!("cannot listen on {listen} (is another server using it? try --listen)"),
        ))?;
        let certificates = match &app.config.tls {
            Some(files) => Some(
                crate::http::tls::Certificates::load(files.clone())
                    .map_err(|e| Error::Config(format!("TLS: {e}")))?,
            ),
            None => None,
        };
        if let Some(redirect) = app.config.redirect_http {
            let plain = tokio::net::TcpListener::bind(redirect).await.map_err(Error::system(
                format!("cannot listen on {redirect} (--redirect-http)"),
            ))?;
            tokio::spawn(crate::http::redirect_to_https(plain, listen.port()));
        }
        let scheme = app.config.scheme();
        let sites = app.sites.load();
        let tenants: Vec<&String> = sites.by_slug.keys().collect();
        tracing::info!(
            "Guichet listening on {scheme}://{listen} with data in {} — tenants: {tenants:?}; WSDL at {scheme}://{listen}/{DEMO_TENANT}/soap?wsdl",
            app.config.data_dir.display(),
        );
        let app = Arc::new(app);
        tokio::spawn(timers(Arc::clone(&app)));
        tokio::spawn(retention(Arc::clone(&app)));
        tokio::spawn(watch_tenants(Arc::clone(&app)));
        tokio::spawn(outbox(Arc::clone(&app)));
        tokio::spawn(exports(Arc::clone(&app)));
        tokio::spawn(campaigns(Arc::clone(&app)));
        tokio::spawn(crate::inbound::run(Arc::clone(&app)));
        tokio::spawn(crate::usecases::audit::run(Arc::clone(&app)));
        crate::http::serve_with(Arc::clone(&app), listener, certificates, shutdown_signal())
            .await
            .map_err(Error::system("the server stopped"))?;
        tracing::info!("stopped; pending writes committed");
        Ok(())
    })
}

/// The workflows' timed jumps, the deadline watch and the monthly
/// statistics reports, every `timer_period`.
async fn timers(app: Arc<App>) {
    let mut interval = tokio::time::interval(app.config.timer_period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match crate::usecases::act::run_timers(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(moved = n, "timed jumps applied"),
            Err(e) => tracing::error!(error = %e, "timed jumps failed"),
        }
        match crate::notify::watch_deadlines(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notices = n, "reminders and escalations recorded"),
            Err(e) => tracing::error!(error = %e, "deadline watch failed"),
        }
        match crate::notify::reports::queue_reports(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reports = n, "monthly statistics reports queued"),
            Err(e) => tracing::error!(error = %e, "monthly statistics reports failed"),
        }
    }
}

/// The retention run at start, then every `retention_period`.
async fn retention(app: Arc<App>) {
    let mut interval = tokio::time::interval(app.config.retention_period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = crate::usecases::retention::run(&app).await {
            tracing::error!(error = %e, "retention run failed; the next one goes on from there");
        }
    }
}

/// The outbox worker, every `outbox_period`.
async fn outbox(app: Arc<App>) {
    let period = app.config.outbox_period;
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match crate::notify::drain_outbox(&app).await {
            Ok((0, 0)) => {}
            Ok((expanded, sent)) => tracing::info!(expanded, sent, "outbox"),
            Err(e) => tracing::error!(error = %e, "outbox worker failed"),
        }
    }
}

/// The background exports: when one is queued here, else every
/// `timer_period` (one queued on another node, one whose node died).
async fn exports(app: Arc<App>) {
    loop {
        match crate::web::run_exports(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(exports = n, "background exports written"),
            Err(e) => tracing::error!(error = %e, "background exports failed"),
        }
        let _ = tokio::time::timeout(app.config.timer_period, app.exports_due.notified()).await;
    }
}

/// The campaigns' sender: batch after batch while sends are due, else
/// every `timer_period` or as soon as a campaign is written.
async fn campaigns(app: Arc<App>) {
    loop {
        let full = match crate::notify::campaigns::run(&app).await {
            Ok(n) => n >= crate::notify::campaigns::BATCH as usize,
            Err(e) => {
                tracing::error!(error = %e, "campaign sends failed");
                false
            }
        };
        if !full {
            let _ =
                tokio::time::timeout(app.config.timer_period, app.campaigns_due.notified()).await;
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Creates the demo tenant with the built-in catalogue, unless it exists, and
/// on creation writes its settings file in `DATA/tenants/demoville/`.
pub fn ensure_demo_tenant(store: &dyn Store, data_dir: &std::path::Path) -> Result<bool, Error> {
    let definitions: Vec<(String, String, u32)> = crate::core::builtin::DEFINITIONS
        .iter()
        .map(|(_, text)| {
            let service = Service::from_xml(text)?;
            Ok((service.code, text.to_string(), service.version))
        })
        .collect::<Result<_, Error>>()?;
    let created = store.create_tenant(DEMO_TENANT, "Ville de Démoville", &definitions)?;
    let tenant_id = store
        .tenants()?
        .into_iter()
        .find(|t| t.slug == DEMO_TENANT)
        .map(|t| t.id)
        .ok_or(StoreError::Corrupt("the demo tenant vanished".into()))?;
    // The demo agents, on creation or in a demo data folder made before agents existed.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(Error::system("cannot start the runtime"))?;
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
        // Its files, kept in the store too, where the other nodes find them.
        let dir = data_dir.join("tenants").join(DEMO_TENANT);
        for (name, text) in [
            ("settings.toml", crate::tenant::look::DEMO_SETTINGS),
            ("places.toml", crate::tenant::places::DEMO_PLACES),
        ] {
            let version = runtime.block_on(store.put_tenant_file(
                tenant_id,
                name.into(),
                text.as_bytes().to_vec(),
                jiff::Timestamp::now(),
            ))?;
            crate::usecases::tenant_files::Synced::open(data_dir)
                .wrote(version)
                .map_err(Error::file(data_dir.join("tenants")))?;
            let path = dir.join(name);
            if !path.exists() {
                std::fs::create_dir_all(&dir)
                    .and_then(|()| std::fs::write(&path, text))
                    .map_err(Error::file(&path))?;
            }
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
