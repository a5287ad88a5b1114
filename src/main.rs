//! The `guichet` command: `serve` (the default), `export`, `wsdl`, `agent`,
//! `audit`. Thin: it parses the command line, resolves the one
//! [`Config`], and calls the library.

use clap::{Parser, Subcommand};
use guichet::app::{self, App};
use guichet::config::{Config, Settings};
use guichet::core::tenant::Audience;
use guichet::core::tracking::Reference;
use guichet::error::Error;
use guichet::tenant::Site;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "guichet",
    version,
    about = "A town's teleservices, online inside its own website",
    after_help = "Every setting is also read from its GUICHET_* environment variable, then from guichet.toml (see --config)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A configuration file (TOML, the settings' long names as keys: `listen
    /// = "0.0.0.0:8080"`) [default: ./guichet.toml when it exists]
    #[arg(long, global = true, env = "GUICHET_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every tenant over HTTP (the default command).
    Serve,
    /// Print a stored request as an XML request file (valid against
    /// /T/xsd/CODE.xsd), or with --pending write the file of every request
    /// its workflow marked for export into a folder, and clear the marks.
    Export {
        /// Public reference, e.g. 2026-000001.
        #[arg(required_unless_present = "pending")]
        reference: Option<String>,
        /// Write REF.xml for every request marked for export into this folder.
        #[arg(long, value_name = "DIR", conflicts_with = "reference")]
        pending: Option<PathBuf>,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Towns on this install: add, list, disable, enable.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// A town's catalogue, picked from the service library.
    #[command(subcommand)]
    Service(ServiceCommand),
    /// Manage back-office agents.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Accounts of business software on the exchange API (/T/exchange).
    #[command(subcommand, name = "api-account")]
    ApiAccount(ApiAccountCommand),
    /// Check the audit journal.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Move a store to another backend.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Personal data kept no longer than needed (GDPR).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Fill a town with a generated year of its life, through the real
    /// submit and workflow paths: requests by every channel, agents taking
    /// them step by step (most on time, some late, some never), the daily
    /// timers and deadline watch, some satisfaction answers; for demos and
    /// the statistics page. Refused for a town that has a mail server (its
    /// messages would go out).
    #[command(name = "demo-data")]
    DemoData {
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
        /// Requests submitted over the period, about.
        #[arg(long, default_value_t = 3000)]
        requests: u32,
        /// Days the period lasts, ending now.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// The same seed makes the same choices.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Put a town's stored requests in its districts again, as its
    /// places.toml says now (after writing or changing it; new requests are
    /// placed when they arrive); prints how many were read, are in a
    /// district, and changed.
    Places {
        #[arg(long)]
        tenant: String,
    },
    /// Join a town's requests stored before its file of people existed to
    /// their requesters' files (new requests join theirs when they
    /// arrive); prints how many were filed.
    People {
        #[arg(long)]
        tenant: String,
    },
    /// Print a tenant's WSDL with its ports at ADDRESS.
    Wsdl {
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
        /// The SOAP endpoint written in the WSDL [default: PUBLIC_URL/TENANT/soap,
        /// else http://LISTEN/TENANT/soap]
        #[arg(long)]
        address: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Add a town with its first administrator (password from
    /// GUICHET_AGENT_PASSWORD, or else the first line of standard input)
    /// and the library's departments; no service is online yet. A running
    /// server serves it within seconds.
    Add {
        /// Its address: /SLUG/ (lower-case letters, digits, dashes).
        slug: String,
        /// As citizens read it, e.g. "Ville d'Autreville".
        #[arg(long)]
        name: String,
        /// The first administrator's login.
        #[arg(long = "admin", value_name = "LOGIN")]
        admin: String,
        /// The administrator's full name, as shown in histories.
        #[arg(long, default_value = "Administrateur")]
        admin_name: String,
        /// Where the administrator is told of escalations.
        #[arg(long)]
        email: Option<String>,
    },
    /// List the towns: slug, name, services online, requests, state.
    List,
    /// Take a town offline: every address answers 404, its data is kept.
    Disable { slug: String },
    /// Put a disabled town back online.
    Enable { slug: String },
}

#[derive(Subcommand)]
enum ServiceCommand {
    /// The service library by theme, with the town's status of each.
    List {
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Put a library service online in the town (its copy of the library's
    /// definition; the town's own version if it had it before).
    Enable {
        code: String,
        /// In test instead: for the town's agents only (the testers' desk
        /// `/T/backoffice/test/` and SOAP endpoint `/T/soap/test`), its
        /// requests marked as tests.
        #[arg(long)]
        test: bool,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Delete the town's test requests (of one service, or all), with their
    /// history and messages; their references stay in the audit journal.
    PurgeTests {
        code: Option<String>,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Withdraw a service: gone from the catalogue and the WSDL; requests
    /// already made carry on to their end.
    Disable {
        code: String,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Keep a definition file (checked like a library file) as the town's
    /// draft of its service; `publish` makes it the next version.
    Import {
        file: PathBuf,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Publish the town's draft of a service as its next version (online,
    /// or with --test for the town's agents only); requests already made
    /// keep the version they were made under.
    Publish {
        code: String,
        #[arg(long)]
        test: bool,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Print the town's definition of a service (XML) on standard output.
    Export {
        code: String,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Create an agent. The password is read from GUICHET_AGENT_PASSWORD, or
    /// else from the first line of standard input.
    Add {
        /// Login: 2 to 40 lower-case letters, digits, dots, dashes.
        login: String,
        /// Full name, as shown in histories.
        #[arg(long)]
        name: String,
        /// Tenant administrator (every right in every department).
        #[arg(long)]
        admin: bool,
        /// Where the agent is told of new requests, reminders and escalations.
        #[arg(long)]
        email: Option<String>,
        /// A role in a department, DEPARTMENT:ROLE with ROLE reader, handler,
        /// validator or stats (the department's statistics only); repeat for
        /// several.
        #[arg(long = "role")]
        roles: Vec<String>,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Give an agent a new password (read like `add`'s) and reactivate
    /// their account: the way back in for an administrator who lost theirs.
    /// The agent's sessions end.
    Password {
        login: String,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// List a tenant's agents and their roles.
    List {
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
}

#[derive(Subcommand)]
enum ApiAccountCommand {
    /// Create an account for a business application. The password (at
    /// least 16 characters: the software keeps it in its configuration) is
    /// read from GUICHET_API_PASSWORD, or GUICHET_AGENT_PASSWORD, or else
    /// from the first line of standard input.
    Add {
        /// Login, the WS-Security Username: 2 to 40 lower-case letters,
        /// digits, dots, dashes.
        login: String,
        /// The application's name, as shown in histories.
        #[arg(long)]
        name: String,
        /// A right in a department, DEPARTMENT:ROLE with ROLE reader,
        /// handler or validator; repeat for several (at least one).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Give an account a new password (read like `add`'s).
    Password {
        login: String,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Stop an account: its calls are refused.
    Disable {
        login: String,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// Let a stopped account call again.
    Enable {
        login: String,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
    /// List a tenant's exchange accounts and their rights.
    List {
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise now every request due (closed longer ago than its
    /// service's `anonymiseAfterMonths`, or closed after its citizen closed
    /// their account), as the server does every --retention-seconds; prints
    /// what was done per town.
    Run,
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy a SQLite store (its database and the files sent with requests)
    /// into an empty PostgreSQL database, in one transaction kept only if
    /// every row arrived and every town's audit chain verifies there. The
    /// source is read as one snapshot: stop its server first so that
    /// nothing submitted after the snapshot stays behind.
    Copy {
        /// The store to copy: sqlite:DIR [default: sqlite:DATA_DIR]
        #[arg(long, value_name = "sqlite:DIR")]
        from: Option<String>,
        /// The PostgreSQL database to fill: postgres://user:password@host/db
        /// [default: --database / GUICHET_DATABASE]
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every tenant's hash chain; exits 1 and says where if an entry
    /// was edited, removed or cut off.
    Verify {
        /// Also require every entry a checkpoint of FILE vouches for (the
        /// server's --audit-checkpoints file, or lines `audit checkpoint`
        /// printed), each line's signature checked with --audit-key: finds
        /// a journal rewritten in the database, even whole
        #[arg(long, value_name = "FILE")]
        against: Option<std::path::PathBuf>,
    },
    /// Print each tenant's checkpoint (its journal's last entry and hash,
    /// signed with --audit-key) as a JSON line, to keep out of the
    /// database: a mail, a remote log, a printout
    Checkpoint {
        /// Append the lines to FILE too
        #[arg(long, value_name = "FILE")]
        to: Option<std::path::PathBuf>,
    },
}

/// Logs on stderr, filtered by `GUICHET_LOG` (`info` by default). The
/// line of each HTTP request (target `guichet::access`) is the JSON logs'
/// own: people reading text logs would drown in it unless they ask
/// (`GUICHET_LOG=info,guichet::access=info`).
fn init_logs(format: guichet::config::LogFormat, quiet: bool) {
    let default = match format {
        // A generated year would log every request it makes.
        _ if quiet => "warn",
        guichet::config::LogFormat::Text => "info,guichet::access=off",
        guichet::config::LogFormat::Json => "info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG")
        .unwrap_or_else(|_| default.into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        guichet::config::LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        guichet::config::LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = Config::load(cli.settings, cli.config.as_deref()).and_then(|config| {
        let quiet = matches!(cli.command, Some(Command::DemoData { .. }));
        init_logs(config.log_format, quiet);
        run(cli.command.unwrap_or(Command::Serve), config)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guichet: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, config: Config) -> Result<(), Error> {
    match command {
        Command::Serve => app::serve(config),
        Command::Export {
            reference,
            pending,
            tenant,
        } => {
            let app = app::open_existing(config)?;
            match (reference, pending) {
                (_, Some(dir)) => export_pending(&app, &tenant, &dir),
                (Some(reference), None) => export(&app, &tenant, &reference),
                (None, None) => Err(Error::Usage("give a reference or --pending DIR".into())),
            }
        }
        Command::Tenant(command) => tenant(&app::open_existing(config)?, command),
        Command::Service(command) => service(&app::open_existing(config)?, command),
        Command::Agent(AgentCommand::Add {
            login,
            name,
            admin,
            email,
            roles,
            tenant,
        }) => add_agent(
            &app::open_existing(config)?,
            &tenant,
            login,
            name,
            admin,
            email,
            &roles,
        ),
        Command::Agent(AgentCommand::List { tenant }) => {
            list_agents(&app::open_existing(config)?, &tenant)
        }
        Command::Agent(AgentCommand::Password { login, tenant }) => {
            agent_password(&app::open_existing(config)?, &tenant, &login)
        }
        Command::ApiAccount(command) => api_account(&app::open_existing(config)?, command),
        Command::Audit(AuditCommand::Verify { against }) => {
            verify_audit(&app::open_existing(config)?, against.as_deref())
        }
        Command::Audit(AuditCommand::Checkpoint { to }) => {
            checkpoint_audit(&app::open_existing(config)?, to.as_deref())
        }
        Command::Store(StoreCommand::Copy { from, to }) => copy_store(&config, from, to),
        Command::Retention(RetentionCommand::Run) => {
            let app = app::open_existing(config)?;
            for swept in current_thread()?.block_on(guichet::usecases::retention::run(&app))? {
                let list: Vec<String> = swept.anonymised.iter().map(|r| r.to_string()).collect();
                println!(
                    "{}: {} requests anonymised{}{}",
                    swept.tenant,
                    list.len(),
                    if list.is_empty() { "" } else { ": " },
                    list.join(", ")
                );
                if !swept.files_deleted.is_empty() {
                    let files: Vec<String> =
                        swept.files_deleted.iter().map(|r| r.to_string()).collect();
                    println!(
                        "{}: {} requests lost their files: {}",
                        swept.tenant,
                        files.len(),
                        files.join(", ")
                    );
                }
            }
            Ok(())
        }
        Command::DemoData {
            tenant,
            requests,
            days,
            seed,
        } => {
            let plan = guichet::demo::Plan {
                requests,
                days,
                seed,
            };
            let start = jiff::Timestamp::now()
                - jiff::SignedDuration::from_hours(24 * i64::from(days.max(1)));
            let clock = guichet::demo::DemoClock::new(start);
            // A generated year need not wait for the disk at every request.
            let mut config = config;
            config.durability = guichet::config::Durability::Normal;
            let smtp = config.smtp.clone();
            let app = app::open(config, clock.clock())?;
            let site = app
                .site(&tenant)
                .ok_or_else(|| Error::Config(format!("no town {tenant}")))?;
            if smtp.is_some() || site.look.get().settings.mail.smtp.is_some() {
                return Err(Error::Config(format!(
                    "{tenant} has a mail server: demo data would send its messages; use a town without one"
                )));
            }
            let done =
                current_thread()?.block_on(guichet::demo::fill(&app, &site, &clock, plan))?;
            println!(
                "{tenant}: {} requests submitted over {days} days ({} refused), {} steps taken, {} closed, {} satisfaction answers",
                done.submitted, done.refused, done.actions, done.closed, done.answered
            );
            Ok(())
        }
        Command::Places { tenant } => {
            let app = app::open_existing(config)?;
            let site = site(&app, &tenant)?;
            let done =
                current_thread()?.block_on(guichet::usecases::places::replace(&app, &site))?;
            println!(
                "{tenant}: {} requests read, {} in a district, {} changed",
                done.read, done.placed, done.changed
            );
            Ok(())
        }
        Command::People { tenant } => {
            let app = app::open_existing(config)?;
            let site = site(&app, &tenant)?;
            let filed =
                current_thread()?.block_on(guichet::usecases::people::file_stored(&app, &site))?;
            println!("{tenant}: {filed} requests joined to the file of people");
            Ok(())
        }
        Command::Wsdl { tenant, address } => {
            let app = app::open_existing(config)?;
            let site = site(&app, &tenant)?;
            let address = address.unwrap_or_else(|| format!("{}/{tenant}/soap", app.message_url));
            print!("{}", site.wsdl_for(Audience::Public, &address));
            Ok(())
        }
    }
}

fn site(app: &App, tenant: &str) -> Result<Arc<Site>, Error> {
    app.any_site(tenant)
        .ok_or_else(|| unknown_tenant(app, tenant))
}

/// No such tenant: say which ones there are.
fn unknown_tenant(app: &App, tenant: &str) -> Error {
    let sites = app.sites.load();
    let mut known: Vec<&str> = sites.by_slug.keys().map(String::as_str).collect();
    known.sort_unstable();
    Error::Usage(format!(
        "no tenant named {tenant:?} (known: {})",
        known.join(", ")
    ))
}

fn export(app: &App, tenant: &str, reference: &str) -> Result<(), Error> {
    let parsed = Reference::parse(reference).ok_or_else(|| {
        Error::Usage(format!("{reference:?} is not a reference like 2026-000001"))
    })?;
    let site = site(app, tenant)?;
    let stored = current_thread()?
        .block_on(app.store.request_by_reference(site.tenant.id, parsed))?
        .ok_or_else(|| Error::Usage(format!("no request {reference} in tenant {tenant}")))?;
    let service = definition(&site, &stored)?;
    print!(
        "{}",
        guichet::exchange::request_file(&site.tenant, service, &stored, &|d| app
            .blobs
            .get(d)
            .ok()
            .flatten())
    );
    Ok(())
}

/// The definition a stored request was submitted under.
fn definition<'a>(
    site: &'a Site,
    stored: &guichet::store::StoredRequest,
) -> Result<&'a guichet::core::catalogue::Service, Error> {
    let r = &stored.record;
    site.tenant
        .service_version(&r.service_code, r.service_version)
        .map(|s| &**s)
        .ok_or_else(|| {
            guichet::store::StoreError::Corrupt(format!(
                "definition of {} v{} missing",
                r.service_code, r.service_version
            ))
            .into()
        })
}

fn current_thread() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::system("cannot start the runtime"))
}

fn add_agent(
    app: &App,
    tenant: &str,
    login: String,
    name: String,
    admin: bool,
    email: Option<String>,
    roles: &[String],
) -> Result<(), Error> {
    use guichet::core::workflow::Role;
    let site = site(app, tenant)?;
    let login = login.trim().to_lowercase();
    if !guichet::auth::valid_login(&login) {
        return Err(Error::Usage(format!(
            "login {login:?}: 2 to 40 lower-case letters, digits, dots or dashes"
        )));
    }
    let mut grants = Vec::new();
    for r in roles {
        let (department, role) = r
            .split_once(':')
            .ok_or_else(|| Error::Usage(format!("role {r:?}: write DEPARTMENT:ROLE")))?;
        if site.department(department).is_none() {
            return Err(Error::Usage(format!(
                "role {r:?}: no department {department:?} (known: {})",
                site.department_codes().join(", ")
            )));
        }
        let role = Role::from_name(role).ok_or_else(|| {
            Error::Usage(format!(
                "role {r:?}: ROLE is reader, handler, validator or stats"
            ))
        })?;
        grants.push((department.to_owned(), role));
    }
    let agent = guichet::store::NewAgent {
        login: login.clone(),
        name,
        password_hash: read_password_hash()?,
        admin,
        roles: grants,
        email,
    };
    let created = current_thread()?.block_on(app.store.add_agent(
        site.tenant.id,
        agent,
        "system:command-line".into(),
        jiff::Timestamp::now(),
    ))?;
    if !created {
        return Err(Error::Usage(format!(
            "an agent {login:?} already exists in {tenant}"
        )));
    }
    println!("agent {login} created in {tenant}");
    Ok(())
}

/// What `guichet api-account` does.
fn api_account(app: &App, command: ApiAccountCommand) -> Result<(), Error> {
    use guichet::usecases::api_accounts::{self, AccountError};
    let actor = || "system:command-line".to_owned();
    let runtime = current_thread()?;
    let refused = |tenant: &str, login: &str, e: AccountError| match e {
        AccountError::Invalid(_, words) => Error::Usage(words),
        AccountError::Taken => Error::Usage(format!(
            "an exchange account {login:?} already exists in {tenant}"
        )),
        AccountError::NotFound => {
            Error::Usage(format!("no exchange account {login:?} in {tenant}"))
        }
        AccountError::Unavailable(e) => e.into(),
    };
    let read_password = || -> Result<String, Error> {
        match std::env::var("GUICHET_API_PASSWORD")
            .or_else(|_| std::env::var("GUICHET_AGENT_PASSWORD"))
        {
            Ok(p) => Ok(p),
            Err(_) => {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .map_err(Error::system("cannot read the password"))?;
                Ok(line.trim_end_matches(['\r', '\n']).to_owned())
            }
        }
    };
    match command {
        ApiAccountCommand::Add {
            login,
            name,
            roles,
            tenant,
        } => {
            let site = site(app, &tenant)?;
            let grants = api_accounts::parse_grants(&site, &roles).map_err(Error::Usage)?;
            let password = read_password()?;
            runtime
                .block_on(api_accounts::add(
                    app,
                    &site,
                    &login,
                    &name,
                    grants,
                    &password,
                    actor(),
                ))
                .map_err(|e| refused(&tenant, &login, e))?;
            println!(
                "exchange account {} created in {tenant}",
                login.trim().to_lowercase()
            );
        }
        ApiAccountCommand::List { tenant } => {
            let site = site(app, &tenant)?;
            for a in runtime.block_on(app.store.api_accounts(site.tenant.id))? {
                let rights: Vec<String> = a
                    .roles
                    .iter()
                    .map(|(d, r)| format!("{d}:{}", r.as_str()))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    a.login,
                    a.name,
                    if a.active { "active" } else { "disabled" },
                    rights.join(" ")
                );
            }
        }
        ApiAccountCommand::Password {
            ref login,
            ref tenant,
        }
        | ApiAccountCommand::Disable {
            ref login,
            ref tenant,
        }
        | ApiAccountCommand::Enable {
            ref login,
            ref tenant,
        } => {
            let (login, tenant) = (login.clone(), tenant.clone());
            let site = site(app, &tenant)?;
            let account = runtime
                .block_on(app.store.api_account(site.tenant.id, login.clone()))?
                .ok_or_else(|| refused(&tenant, &login, AccountError::NotFound))?;
            let (active, password, done) = match command {
                ApiAccountCommand::Password { .. } => {
                    (account.active, Some(read_password()?), "has a new password")
                }
                ApiAccountCommand::Disable { .. } => (false, None, "disabled"),
                _ => (true, None, "enabled"),
            };
            runtime
                .block_on(api_accounts::change(
                    app,
                    &site,
                    &account.login,
                    &account.name,
                    active,
                    account.roles.clone(),
                    password.as_deref(),
                    actor(),
                ))
                .map_err(|e| refused(&tenant, &login, e))?;
            println!("exchange account {login} {done} in {tenant}");
        }
    }
    Ok(())
}

/// The hash of a password read from GUICHET_AGENT_PASSWORD or else from the
/// first line of standard input, checked for length.
fn read_password_hash() -> Result<String, Error> {
    let password = match std::env::var("GUICHET_AGENT_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(Error::system("cannot read the password"))?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < guichet::auth::MIN_PASSWORD_CHARS {
        return Err(Error::Usage(format!(
            "the password must have at least {} characters",
            guichet::auth::MIN_PASSWORD_CHARS
        )));
    }
    Ok(guichet::auth::hash_password(&password)?)
}

fn agent_password(app: &App, tenant: &str, login: &str) -> Result<(), Error> {
    let site = site(app, tenant)?;
    let runtime = current_thread()?;
    let record = runtime
        .block_on(app.store.agent(site.tenant.id, login.to_owned()))?
        .ok_or_else(|| Error::Usage(format!("no agent {login:?} in {tenant}")))?;
    let change = guichet::store::AgentChange {
        login: record.agent.login.clone(),
        name: record.agent.name.clone(),
        email: record.email.clone(),
        admin: record.agent.admin,
        active: true,
        roles: record.agent.roles.clone(),
        password_hash: Some(read_password_hash()?),
    };
    runtime.block_on(app.store.change_agent(
        site.tenant.id,
        change,
        "system:command-line".into(),
        None,
        jiff::Timestamp::now(),
    ))?;
    println!("agent {login} of {tenant}: new password set, account active");
    Ok(())
}

fn list_agents(app: &App, tenant: &str) -> Result<(), Error> {
    let site = site(app, tenant)?;
    let agents = current_thread()?.block_on(app.store.agents(site.tenant.id))?;
    for a in agents {
        let roles: Vec<String> = a
            .agent
            .roles
            .iter()
            .map(|(d, r)| format!("{d}:{}", r.as_str()))
            .collect();
        println!(
            "{}\t{}\t{}{}",
            a.agent.login,
            a.agent.name,
            if a.agent.admin { "admin " } else { "" },
            roles.join(" ")
        );
    }
    Ok(())
}

fn copy_store(config: &Config, from: Option<String>, to: Option<String>) -> Result<(), Error> {
    let source = match from {
        None => config.data_dir.clone(),
        Some(from) => match from.strip_prefix("sqlite:") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => {
                return Err(Error::Usage(format!(
                    "--from {from}: sqlite:DIR, the data folder of the SQLite store"
                )));
            }
        },
    };
    let url = match (to, &config.database) {
        (Some(url), _) => url,
        (None, guichet::config::Database::Postgres { url, .. }) => url.clone(),
        (None, guichet::config::Database::Sqlite) => {
            return Err(Error::Usage(
                "give the PostgreSQL database to copy into: --to postgres://… (or GUICHET_DATABASE)"
                    .into(),
            ));
        }
    };
    if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Err(Error::Usage(
            "--to: a PostgreSQL URL, postgres://user:password@host:5432/database".into(),
        ));
    }
    let target = guichet::store::postgres::PostgresStore::open(&url, 4)
        .map_err(|e| Error::Config(format!("cannot open the PostgreSQL store: {e}")))?;
    let report = target.copy_from_sqlite(&source)?;
    for (table, rows) in &report.tables {
        if *rows > 0 {
            println!("{table}: {rows} rows");
        }
    }
    println!("files sent with requests: {}", report.blobs);
    for r in &report.audit {
        println!("{}: {} audit entries, chain intact", r.tenant, r.entries);
    }
    // The nodes on PostgreSQL need the key the SQLite node signed and
    // sealed with (the exchange accounts' passwords are sealed under it).
    let key_file = source.join("secret.key");
    if let Ok(text) = std::fs::read_to_string(&key_file) {
        let same = config
            .secret
            .is_some_and(|s| guichet::auth::token::key_from_hex(text.trim()) == Some(s));
        if !same {
            println!(
                "set GUICHET_SECRET on every node to the key in {} (the exchange accounts' passwords are sealed under it)",
                key_file.display()
            );
        }
    }
    println!("copied into {}", target.url());
    Ok(())
}

fn checkpoint_audit(app: &App, to: Option<&std::path::Path>) -> Result<(), Error> {
    use guichet::usecases::audit;
    let key = audit::key(&app.config.audit_key_file(), true).map_err(audit_error)?;
    let checkpoints = current_thread()?
        .block_on(audit::take(app, &key))
        .map_err(audit_error)?;
    for c in &checkpoints {
        println!(
            "{}",
            serde_json::to_string(c).expect("a checkpoint is JSON")
        );
    }
    if let Some(file) = to {
        audit::append(file, &checkpoints).map_err(audit_error)?;
    }
    Ok(())
}

fn audit_error(e: guichet::usecases::audit::CheckpointError) -> Error {
    Error::Usage(e.to_string())
}

fn verify_audit(app: &App, against: Option<&std::path::Path>) -> Result<(), Error> {
    use guichet::usecases::audit;
    let anchors = match against {
        None => Vec::new(),
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(Error::file(file))?;
            // Never made here: a checkpoint is checked with the key that signed it.
            let key = audit::key(&app.config.audit_key_file(), false).map_err(audit_error)?;
            audit::read(&text, &key).map_err(audit_error)?
        }
    };
    let reports = app.store.verify_audit_against(&anchors)?;
    let mut broken = 0;
    for r in &reports {
        match &r.problem {
            None if against.is_some() => {
                let vouched = anchors.iter().filter(|a| a.tenant == r.tenant).count();
                println!(
                    "{}: {} entries, chain intact, {vouched} checkpoint(s) held",
                    r.tenant, r.entries
                )
            }
            None => println!("{}: {} entries, chain intact", r.tenant, r.entries),
            Some(p) => {
                broken += 1;
                println!("{}: BROKEN at {p}", r.tenant);
            }
        }
    }
    if broken > 0 {
        return Err(Error::Usage(format!(
            "the audit journal of {broken} tenant(s) does not verify"
        )));
    }
    Ok(())
}

fn export_pending(app: &App, tenant: &str, out: &std::path::Path) -> Result<(), Error> {
    let site = site(app, tenant)?;
    std::fs::create_dir_all(out).map_err(Error::file(out))?;
    let runtime = current_thread()?;
    let pending = runtime.block_on(app.store.export_pending(site.tenant.id))?;
    for reference in &pending {
        let stored = runtime
            .block_on(app.store.request_by_reference(site.tenant.id, *reference))?
            .ok_or_else(|| {
                guichet::store::StoreError::Corrupt(format!("request {reference} vanished"))
            })?;
        let service = definition(&site, &stored)?;
        let file = out.join(format!("{reference}.xml"));
        // Written whole under a temporary name, then renamed: business
        // software polling the folder never reads half a file.
        let temp = out.join(format!(".{reference}.xml.part"));
        std::fs::write(
            &temp,
            guichet::exchange::request_file(&site.tenant, service, &stored, &|d| {
                app.blobs.get(d).ok().flatten()
            }),
        )
        .and_then(|()| std::fs::rename(&temp, &file))
        .map_err(Error::file(&file))?;
        runtime.block_on(app.store.export_done(site.tenant.id, *reference))?;
        println!("{}", file.display());
    }
    eprintln!("{} request file(s) exported", pending.len());
    Ok(())
}

fn tenant(app: &App, command: TenantCommand) -> Result<(), Error> {
    let now = jiff::Timestamp::now();
    match command {
        TenantCommand::Add {
            slug,
            name,
            admin,
            admin_name,
            email,
        } => {
            let login = admin.trim().to_lowercase();
            // The cheap checks first: no password is asked for a town that
            // cannot be added.
            guichet::usecases::tenants::check_slug(&slug)
                .map_err(|e| Error::Usage(e.to_string()))?;
            if app.any_site(&slug).is_some() {
                return Err(Error::Usage(format!(
                    "a town named {slug:?} already exists (see `guichet tenant list`)"
                )));
            }
            let town = guichet::usecases::tenants::NewTown {
                slug: slug.clone(),
                name,
                admin: guichet::store::NewAgent {
                    login: login.clone(),
                    name: admin_name,
                    password_hash: read_password_hash()?,
                    admin: true,
                    roles: Vec::new(),
                    email,
                },
            };
            current_thread()?
                .block_on(guichet::usecases::tenants::add_town(
                    &*app.store,
                    &app.library,
                    town,
                    "system:command-line",
                    now,
                ))
                .map_err(|e| Error::Usage(e.to_string()))?;
            println!("town {slug} added, administrator {login}; no service online yet");
            Ok(())
        }
        TenantCommand::List => {
            for t in app.store.tenant_summaries()? {
                println!(
                    "{}\t{}\t{} service(s) online\t{} request(s)\t{}",
                    t.slug,
                    t.name,
                    t.services_online,
                    t.requests,
                    if t.enabled { "enabled" } else { "disabled" }
                );
            }
            Ok(())
        }
        TenantCommand::Disable { slug } => set_enabled(app, &slug, false, now),
        TenantCommand::Enable { slug } => set_enabled(app, &slug, true, now),
    }
}

fn set_enabled(app: &App, slug: &str, enabled: bool, now: jiff::Timestamp) -> Result<(), Error> {
    if !app
        .store
        .set_tenant_enabled(slug, enabled, "system:command-line", now)?
    {
        return Err(unknown_tenant(app, slug));
    }
    println!(
        "town {slug} {}",
        if enabled {
            "enabled"
        } else {
            "disabled: its addresses answer 404, its data is kept"
        }
    );
    Ok(())
}

fn service(app: &App, command: ServiceCommand) -> Result<(), Error> {
    use guichet::usecases::catalogue;
    let now = jiff::Timestamp::now();
    let actor = "system:command-line";
    let refused = |e: catalogue::CatalogueError| Error::Usage(e.to_string());
    match command {
        ServiceCommand::List { tenant } => {
            let site = site(app, &tenant)?;
            let town = app.store.services(site.tenant.id)?;
            let mut theme = String::new();
            for entry in app.library.iter() {
                let s = &entry.service;
                if s.theme.label != theme {
                    theme = s.theme.label.clone();
                    println!("{theme}");
                }
                let status = town
                    .iter()
                    .find(|t| t.code == s.code)
                    .map_or("-".to_owned(), |t| {
                        format!("{} (v{})", t.status.as_str(), t.version)
                    });
                println!("  {}\t{}\t{status}", s.code, s.title);
            }
            for (code, _) in app.store.drafts(site.tenant.id)? {
                println!("  {code}\t(draft)\tto publish");
            }
            for own in town
                .iter()
                .filter(|t| !app.library.iter().any(|l| l.service.code == t.code))
            {
                println!(
                    "  {}\t(the town's own)\t{} (v{})",
                    own.code,
                    own.status.as_str(),
                    own.version
                );
            }
            Ok(())
        }
        ServiceCommand::Enable { code, test, tenant } => {
            let site = site(app, &tenant)?;
            let status = if test {
                guichet::store::ServiceStatus::Test
            } else {
                guichet::store::ServiceStatus::Online
            };
            catalogue::enable(&*app.store, &app.library, &site, &code, status, actor, now)
                .map_err(refused)?;
            println!("{code} {} in {tenant}", status.as_str());
            Ok(())
        }
        ServiceCommand::PurgeTests { code, tenant } => {
            let site = site(app, &tenant)?;
            let purged = current_thread()?
                .block_on(catalogue::purge_tests(
                    &*app.store,
                    &site,
                    code.as_deref(),
                    actor,
                    now,
                ))
                .map_err(refused)?;
            println!("{purged} test request(s) deleted in {tenant}");
            Ok(())
        }
        ServiceCommand::Disable { code, tenant } => {
            let site = site(app, &tenant)?;
            catalogue::disable(&*app.store, &site, &code, actor, now).map_err(refused)?;
            println!("{code} withdrawn from {tenant}; its requests carry on");
            Ok(())
        }
        ServiceCommand::Import { file, tenant } => {
            let site = site(app, &tenant)?;
            let text = std::fs::read_to_string(&file).map_err(Error::file(&file))?;
            let code = catalogue::import(
                &*app.store,
                &site,
                &file.display().to_string(),
                &text,
                actor,
                now,
            )
            .map_err(refused)?;
            println!(
                "draft of {code} kept for {tenant}; `guichet service publish {code}` to put it online"
            );
            Ok(())
        }
        ServiceCommand::Publish { code, test, tenant } => {
            let site = site(app, &tenant)?;
            let status = if test {
                guichet::store::ServiceStatus::Test
            } else {
                guichet::store::ServiceStatus::Online
            };
            let version = catalogue::publish(&*app.store, &site, &code, status, actor, now)
                .map_err(refused)?;
            println!("{code} version {version} {} in {tenant}", status.as_str());
            Ok(())
        }
        ServiceCommand::Export { code, tenant } => {
            let site = site(app, &tenant)?;
            print!(
                "{}",
                catalogue::export(&*app.store, &site, &code).map_err(refused)?
            );
            Ok(())
        }
    }
}
