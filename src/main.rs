//! The `guichet` command: `serve` (the default), `export`, `wsdl`.

use clap::{Parser, Subcommand, ValueEnum};
use guichet::app::{self, App, RequestLimits};
use guichet::core::tracking::Reference;
use guichet::store::Store;
use guichet::store::sqlite::{Durability, SqliteStore};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "guichet",
    version,
    about = "A town's teleservices, online inside its own website"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every tenant over HTTP (the default command).
    Serve(ServeArgs),
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
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
    },
    /// Manage back-office agents.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Check the audit journal.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print a tenant's WSDL with its ports at ADDRESS.
    Wsdl {
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
        #[arg(long, default_value = "http://127.0.0.1:8080/demoville/soap")]
        address: String,
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
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
        /// A role in a department, DEPARTMENT:ROLE with ROLE reader, handler
        /// or validator; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
        #[arg(long, default_value = "data", env = "GUICHET_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Give an agent a new password (read like `add`'s) and reactivate
    /// their account: the way back in for an administrator who lost theirs.
    /// The agent's sessions end.
    Password {
        login: String,
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
        #[arg(long, default_value = "data", env = "GUICHET_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// List a tenant's agents and their roles.
    List {
        #[arg(long, default_value = app::DEMO_TENANT)]
        tenant: String,
        #[arg(long, default_value = "data", env = "GUICHET_DATA_DIR")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every tenant's hash chain; exits 1 and says where if an entry
    /// was edited, removed or cut off.
    Verify {
        #[arg(long, default_value = "data", env = "GUICHET_DATA_DIR")]
        data_dir: PathBuf,
    },
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "GUICHET_LISTEN")]
    listen: SocketAddr,
    /// Folder holding the database (created if missing).
    #[arg(long, default_value = "data", env = "GUICHET_DATA_DIR")]
    data_dir: PathBuf,
    /// `full` syncs every commit to disk (survives a power cut); `normal`
    /// survives a crash of Guichet but not of the machine.
    #[arg(long, value_enum, default_value = "full", env = "GUICHET_DURABILITY")]
    durability: DurabilityArg,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024, env = "GUICHET_MAX_BODY")]
    max_body: usize,
    /// Seconds between two runs of the workflows' timed jumps and the
    /// deadline watch (reminders, escalations).
    #[arg(long, default_value_t = 60, env = "GUICHET_TIMER_SECONDS")]
    timer_seconds: u64,
    /// Seconds between two runs of the outbox worker (messages to send).
    #[arg(long, default_value_t = 5, env = "GUICHET_OUTBOX_SECONDS")]
    outbox_seconds: u64,
    /// SMTP server for tenants that name none in their settings, e.g.
    /// smtp://user:password@mail.example.fr:587?tls=required or smtps://…
    #[arg(long, env = "GUICHET_SMTP")]
    smtp: Option<String>,
    /// Guichet's public address (https://guichet.example.fr), when it sits
    /// behind a proxy: links in messages, SOAP endpoints in the WSDL, the
    /// origin of forms (default: http://LISTEN for messages, the request's
    /// Host elsewhere).
    #[arg(long, env = "GUICHET_PUBLIC_URL")]
    public_url: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DurabilityArg {
    Full,
    Normal,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    // No subcommand means `serve` with its defaults (and environment).
    let command = cli
        .command
        .or_else(|| Cli::parse_from(["guichet", "serve"]).command)
        .expect("serve parses");
    let result = match command {
        Command::Serve(args) => serve(args),
        Command::Export {
            reference,
            pending,
            tenant,
            data_dir,
        } => match (reference, pending) {
            (_, Some(dir)) => export_pending(&data_dir, &tenant, &dir),
            (Some(reference), None) => export(&data_dir, &tenant, &reference),
            (None, None) => Err("give a reference or --pending DIR".into()),
        },
        Command::Agent(AgentCommand::Add {
            login,
            name,
            admin,
            email,
            roles,
            tenant,
            data_dir,
        }) => add_agent(&data_dir, &tenant, login, name, admin, email, &roles),
        Command::Agent(AgentCommand::List { tenant, data_dir }) => list_agents(&data_dir, &tenant),
        Command::Agent(AgentCommand::Password {
            login,
            tenant,
            data_dir,
        }) => agent_password(&data_dir, &tenant, &login),
        Command::Audit(AuditCommand::Verify { data_dir }) => verify_audit(&data_dir),
        Command::Wsdl {
            tenant,
            address,
            data_dir,
        } => load_existing(&data_dir).and_then(|app| {
            let site = app
                .site(&tenant)
                .ok_or_else(|| format!("no tenant named {tenant:?}"))?;
            print!("{}", site.wsdl_for(&address));
            Ok(())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("guichet: {message}");
            ExitCode::FAILURE
        }
    }
}

/// For commands that read an existing store: refuses to create one.
fn load_existing(data_dir: &std::path::Path) -> Result<App, String> {
    if !data_dir.join("guichet.sqlite3").exists() {
        return Err(format!(
            "no Guichet data in {} (give the folder used by `guichet serve` with --data-dir)",
            data_dir.display()
        ));
    }
    load(data_dir, Durability::Full)
}

fn load(data_dir: &std::path::Path, durability: Durability) -> Result<App, String> {
    let store = SqliteStore::open(data_dir, durability)
        .map_err(|e| format!("cannot open the store in {}: {e}", data_dir.display()))?;
    if app::ensure_demo_tenant(&store, data_dir).map_err(|e| e.to_string())? {
        tracing::info!(
            "created the demo tenant {} with the built-in catalogue",
            app::DEMO_TENANT
        );
    }
    let store: Arc<dyn Store> = Arc::new(store);
    App::load(
        store,
        RequestLimits::default(),
        app::system_clock(),
        data_dir,
    )
    .map_err(|e| e.to_string())
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let public_url = match &args.public_url {
        None => None,
        Some(url) => {
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .map(|rest| rest.split('/').next().unwrap_or(""));
            if host.is_none_or(|h| h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic())) {
                return Err(format!(
                    "--public-url {url:?}: expected http(s)://host[:port][/path]"
                ));
            }
            Some(url.trim_end_matches('/').to_owned())
        }
    };
    let durability = match args.durability {
        DurabilityArg::Full => Durability::Full,
        DurabilityArg::Normal => Durability::Normal,
    };
    let mut app = load(&args.data_dir, durability)?;
    app.limits.max_body = args.max_body;
    app.public_url = public_url;
    app.notify = guichet::notify::NotifyConfig {
        smtp: args.smtp.clone(),
        public_url: app
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", args.listen)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e} (is another server using it? try --listen)", args.listen))?;
        let tenants: Vec<&String> = app.sites.keys().collect();
        tracing::info!(
            "Guichet listening on http://{} with data in {} — tenants: {tenants:?}; WSDL at http://{}/{}/soap?wsdl",
            args.listen,
            args.data_dir.display(),
            args.listen,
            app::DEMO_TENANT
        );
        let app = Arc::new(app);
        let timers = Arc::clone(&app);
        let period = std::time::Duration::from_secs(args.timer_seconds.max(1));
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                match timers.run_timers().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(moved = n, "timed jumps applied"),
                    Err(e) => tracing::error!(error = %e, "timed jumps failed"),
                }
                match guichet::notify::watch_deadlines(&timers).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(notices = n, "reminders and escalations recorded"),
                    Err(e) => tracing::error!(error = %e, "deadline watch failed"),
                }
            }
        });
        let outbox = Arc::clone(&app);
        let period = std::time::Duration::from_secs(args.outbox_seconds.max(1));
        tokio::spawn(async move {
            let mut interval =
                tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                match guichet::notify::drain_outbox(&outbox).await {
                    Ok((0, 0)) => {}
                    Ok((expanded, sent)) => tracing::info!(expanded, sent, "outbox"),
                    Err(e) => tracing::error!(error = %e, "outbox worker failed"),
                }
            }
        });
        guichet::http::serve(Arc::clone(&app), listener, shutdown_signal())
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!("stopped; pending writes committed");
        Ok(())
    })
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

fn export(data_dir: &std::path::Path, tenant: &str, reference: &str) -> Result<(), String> {
    let parsed = Reference::parse(reference)
        .ok_or_else(|| format!("{reference:?} is not a reference like 2026-000001"))?;
    let app = load_existing(data_dir)?;
    let site = app
        .site(tenant)
        .ok_or_else(|| format!("no tenant named {tenant:?}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let stored = runtime
        .block_on(app.store.request_by_reference(site.tenant.id, parsed))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no request {reference} in tenant {tenant}"))?;
    let service = site
        .tenant
        .service_version(&stored.record.service_code, stored.record.service_version)
        .ok_or_else(|| {
            format!(
                "definition of {} v{} missing",
                stored.record.service_code, stored.record.service_version
            )
        })?;
    print!(
        "{}",
        guichet::exchange::request_file(&site.tenant, service, &stored)
    );
    Ok(())
}

fn current_thread() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn add_agent(
    data_dir: &std::path::Path,
    tenant: &str,
    login: String,
    name: String,
    admin: bool,
    email: Option<String>,
    roles: &[String],
) -> Result<(), String> {
    use guichet::core::workflow::Role;
    let app = load_existing(data_dir)?;
    let site = app
        .site(tenant)
        .ok_or_else(|| format!("no tenant named {tenant:?}"))?;
    let login = login.trim().to_lowercase();
    if !(2..=40).contains(&login.len())
        || !login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Err(format!(
            "login {login:?}: 2 to 40 lower-case letters, digits, dots or dashes"
        ));
    }
    let mut grants = Vec::new();
    for r in roles {
        let (department, role) = r
            .split_once(':')
            .ok_or_else(|| format!("role {r:?}: write DEPARTMENT:ROLE"))?;
        if site.department(department).is_none() {
            return Err(format!(
                "role {r:?}: no department {department:?} (known: {})",
                site.department_codes().join(", ")
            ));
        }
        let role = Role::from_name(role)
            .ok_or_else(|| format!("role {r:?}: ROLE is reader, handler or validator"))?;
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
    let created = current_thread()?
        .block_on(app.store.add_agent(
            site.tenant.id,
            agent,
            "system:command-line".into(),
            jiff::Timestamp::now(),
        ))
        .map_err(|e| e.to_string())?;
    if !created {
        return Err(format!("an agent {login:?} already exists in {tenant}"));
    }
    println!("agent {login} created in {tenant}");
    Ok(())
}

/// The hash of a password read from GUICHET_AGENT_PASSWORD or else from the
/// first line of standard input, checked for length.
fn read_password_hash() -> Result<String, String> {
    let password = match std::env::var("GUICHET_AGENT_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password: {e}"))?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < guichet::auth::MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must have at least {} characters",
            guichet::auth::MIN_PASSWORD_CHARS
        ));
    }
    guichet::auth::hash_password(&password)
}

fn agent_password(data_dir: &std::path::Path, tenant: &str, login: &str) -> Result<(), String> {
    let app = load_existing(data_dir)?;
    let site = app
        .site(tenant)
        .ok_or_else(|| format!("no tenant named {tenant:?}"))?;
    let runtime = current_thread()?;
    let record = runtime
        .block_on(app.store.agent(site.tenant.id, login.to_owned()))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no agent {login:?} in {tenant}"))?;
    let change = guichet::store::AgentChange {
        login: record.agent.login.clone(),
        name: record.agent.name.clone(),
        email: record.email.clone(),
        admin: record.agent.admin,
        active: true,
        roles: record.agent.roles.clone(),
        password_hash: Some(read_password_hash()?),
    };
    runtime
        .block_on(app.store.change_agent(
            site.tenant.id,
            change,
            "system:command-line".into(),
            None,
            jiff::Timestamp::now(),
        ))
        .map_err(|e| e.to_string())?;
    println!("agent {login} of {tenant}: new password set, account active");
    Ok(())
}

fn list_agents(data_dir: &std::path::Path, tenant: &str) -> Result<(), String> {
    let app = load_existing(data_dir)?;
    let site = app
        .site(tenant)
        .ok_or_else(|| format!("no tenant named {tenant:?}"))?;
    let agents = current_thread()?
        .block_on(app.store.agents(site.tenant.id))
        .map_err(|e| e.to_string())?;
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

fn verify_audit(data_dir: &std::path::Path) -> Result<(), String> {
    let app = load_existing(data_dir)?;
    let reports = app.store.verify_audit().map_err(|e| e.to_string())?;
    let mut broken = 0;
    for r in &reports {
        match &r.problem {
            None => println!("{}: {} entries, chain intact", r.tenant, r.entries),
            Some(p) => {
                broken += 1;
                println!("{}: BROKEN at {p}", r.tenant);
            }
        }
    }
    if broken > 0 {
        return Err(format!(
            "the audit journal of {broken} tenant(s) does not verify"
        ));
    }
    Ok(())
}

fn export_pending(
    data_dir: &std::path::Path,
    tenant: &str,
    out: &std::path::Path,
) -> Result<(), String> {
    let app = load_existing(data_dir)?;
    let site = app
        .site(tenant)
        .ok_or_else(|| format!("no tenant named {tenant:?}"))?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let runtime = current_thread()?;
    let pending = runtime
        .block_on(app.store.export_pending(site.tenant.id))
        .map_err(|e| e.to_string())?;
    for reference in &pending {
        let stored = runtime
            .block_on(app.store.request_by_reference(site.tenant.id, *reference))
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("request {reference} vanished"))?;
        let service = site
            .tenant
            .service_version(&stored.record.service_code, stored.record.service_version)
            .ok_or_else(|| format!("definition of {} missing", stored.record.service_code))?;
        let file = out.join(format!("{reference}.xml"));
        // Written whole under a temporary name, then renamed: business
        // software polling the folder never reads half a file.
        let temp = out.join(format!(".{reference}.xml.part"));
        std::fs::write(
            &temp,
            guichet::exchange::request_file(&site.tenant, service, &stored),
        )
        .and_then(|()| std::fs::rename(&temp, &file))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        runtime
            .block_on(app.store.export_done(site.tenant.id, *reference))
            .map_err(|e| e.to_string())?;
        println!("{}", file.display());
    }
    eprintln!("{} request file(s) exported", pending.len());
    Ok(())
}
