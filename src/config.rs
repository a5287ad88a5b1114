//! Every setting of every command, in one place: its flag, its `GUICHET_*`
//! environment variable, its line in an optional `guichet.toml`, its default
//! and what it is for.
//!
//! Precedence: a flag, else its environment variable (clap reads both), else
//! the `guichet.toml` named by `--config` / `GUICHET_CONFIG` (or
//! `./guichet.toml` when it exists), else the default. [`Config::resolve`]
//! checks everything once, at start, and says which setting is wrong and
//! how to write it; the [`Config`] it returns is passed whole to the
//! application, so no command reads a setting of its own.

use crate::error::Error;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The settings as given (flags, environment, file): all optional.
#[derive(clap::Args, serde::Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Folder holding the database, the secret key and the tenants' files
    /// (created by `serve` if missing) [default: data]
    #[arg(long, global = true, env = "GUICHET_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, global = true, env = "GUICHET_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
    /// `full` syncs every commit to disk (survives a power cut); `normal`
    /// survives a crash of Guichet but not of the machine [default: full]
    #[arg(long, global = true, value_enum, env = "GUICHET_DURABILITY")]
    pub durability: Option<Durability>,
    /// Largest request body accepted, in bytes [default: 1048576]
    #[arg(long, global = true, env = "GUICHET_MAX_BODY", value_name = "BYTES")]
    pub max_body: Option<usize>,
    /// Largest body that may carry files, in bytes: a form with a file
    /// field (multipart), a SOAP call to a town whose services take files
    /// [default: 33554432]
    #[arg(long, global = true, env = "GUICHET_MAX_UPLOAD", value_name = "BYTES")]
    pub max_upload: Option<usize>,
    /// Seconds a client has to send a request's headers, then its body,
    /// before it is answered 408 [default: 10]
    #[arg(
        long,
        global = true,
        env = "GUICHET_REQUEST_TIMEOUT",
        value_name = "SECONDS"
    )]
    pub request_timeout: Option<u64>,
    /// Seconds between two runs of the workflows' timed jumps and the
    /// deadline watch (reminders, escalations) [default: 60]
    #[arg(
        long,
        global = true,
        env = "GUICHET_TIMER_SECONDS",
        value_name = "SECONDS"
    )]
    pub timer_seconds: Option<u64>,
    /// Seconds between two retention runs (requests whose personal data is
    /// due for removal, by their service's privacy rule or a closed
    /// account) [default: 3600]
    #[arg(
        long,
        global = true,
        env = "GUICHET_RETENTION_SECONDS",
        value_name = "SECONDS"
    )]
    pub retention_seconds: Option<u64>,
    /// Seconds between two looks for changed tenants (a town added,
    /// disabled or enabled, a service changed), which are then served
    /// without a restart [default: 2]
    #[arg(
        long,
        global = true,
        env = "GUICHET_TENANT_SECONDS",
        value_name = "SECONDS"
    )]
    pub tenant_seconds: Option<u64>,
    /// Seconds between two runs of the outbox worker (messages to send)
    /// [default: 5]
    #[arg(
        long,
        global = true,
        env = "GUICHET_OUTBOX_SECONDS",
        value_name = "SECONDS"
    )]
    pub outbox_seconds: Option<u64>,
    /// Seconds a node holds the deliveries and calls it took to send: if it
    /// dies meanwhile, another node sends them once this has gone by
    /// [default: 120]
    #[arg(
        long,
        global = true,
        env = "GUICHET_CLAIM_SECONDS",
        value_name = "SECONDS"
    )]
    pub claim_seconds: Option<u64>,
    /// The service library towns pick their services from: every `*.xml`
    /// below DIR, checked at start (a broken file stops Guichet, named with
    /// its line) [default: the library shipped in the binary]
    #[arg(long, global = true, env = "GUICHET_LIBRARY", value_name = "DIR")]
    pub library: Option<PathBuf>,
    /// SMTP server for tenants that name none in their settings, e.g.
    /// smtp://user:password@mail.example.fr:587?tls=required or smtps://…
    #[arg(long, global = true, env = "GUICHET_SMTP", value_name = "URL")]
    pub smtp: Option<String>,
    /// Guichet's public address (https://guichet.example.fr), when it sits
    /// behind a proxy: links in messages, SOAP endpoints in the WSDL, the
    /// origin of forms [default: http://LISTEN for messages, the request's
    /// Host elsewhere]
    #[arg(long, global = true, env = "GUICHET_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Serve HTTPS (TLS 1.2 and 1.3, HTTP/2 by ALPN) with this certificate
    /// chain (PEM), reloaded when the file changes; with --tls-key
    #[arg(long, global = true, env = "GUICHET_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1)
    #[arg(long, global = true, env = "GUICHET_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// With TLS: also listen for plain HTTP here, answering every request
    /// with a redirect to HTTPS (e.g. 0.0.0.0:80)
    #[arg(
        long,
        global = true,
        env = "GUICHET_REDIRECT_HTTP",
        value_name = "ADDR:PORT"
    )]
    pub redirect_http: Option<SocketAddr>,
    /// The database: `sqlite` (embedded, in DATA) or a PostgreSQL URL
    /// (postgres://user:password@host:5432/guichet) shared by several
    /// Guichet nodes [default: sqlite]
    #[arg(long, global = true, env = "GUICHET_DATABASE", value_name = "URL")]
    pub database: Option<String>,
    /// Most connections one node opens to PostgreSQL [default: 16]
    #[arg(
        long,
        global = true,
        env = "GUICHET_DATABASE_POOL",
        value_name = "CONNECTIONS"
    )]
    pub database_pool: Option<usize>,
    /// Who may read `GET /metrics` (Prometheus): addresses or networks,
    /// comma-separated (10.0.0.5, 10.1.0.0/16), or `none`; a request that
    /// came through a proxy (Forwarded, X-Forwarded-For) never may
    /// [default: 127.0.0.1/8, ::1]
    #[arg(
        long,
        global = true,
        env = "GUICHET_METRICS_FROM",
        value_name = "ADDRESSES"
    )]
    pub metrics_from: Option<String>,
    /// `text` (for a person) or `json` (one JSON object per line, and one
    /// line per HTTP request: tenant, route family, method, status and
    /// duration, no personal data) [default: text]
    #[arg(long, global = true, value_enum, env = "GUICHET_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Connections one client address may hold open at once, idle ones
    /// included: beyond, new ones are closed at once, so that a client
    /// holding thousands of slow connections (slowloris) starves nobody
    /// else; trusted proxies are not limited; 0: no limit [default: 256]
    #[arg(
        long,
        global = true,
        env = "GUICHET_MAX_CONNECTIONS_PER_CLIENT",
        value_name = "N"
    )]
    pub max_connections_per_client: Option<u32>,
    /// Requests per minute each client address (IPv6: its /64) and each
    /// town may send, by kind: `soap` (SOAP calls), `forms` (citizens' form
    /// posts), `login` (agents' and citizens' sign-ins), `signup` (account
    /// sign-ups and forgotten passwords), `exchange` (business software),
    /// `open311`; as `KIND=CLIENT:TOWN,…` (0: no limit), the kinds not
    /// named keeping their default, or `off`. Beyond, HTTP 429 with
    /// Retry-After [default: soap=300:30000, forms=60:6000, login=20:1200,
    /// signup=10:600, exchange=1200:60000, open311=60:6000]
    #[arg(
        long,
        global = true,
        env = "GUICHET_RATE_LIMITS",
        value_name = "LIMITS"
    )]
    pub rate_limits: Option<String>,
    /// Proxies whose `X-Forwarded-For` (or `Forwarded: for=`) names the
    /// client: addresses or networks, comma-separated; the client is the
    /// last address of the chain that is not one of them [default: none,
    /// the connection's address is the client]
    #[arg(
        long,
        global = true,
        env = "GUICHET_TRUSTED_PROXIES",
        value_name = "ADDRESSES"
    )]
    pub trusted_proxies: Option<String>,
    /// The key that signs the audit journal's checkpoints (HMAC-SHA-256),
    /// kept apart from the database: whoever can write the database and
    /// not read this file cannot forge a checkpoint. Made on first use;
    /// keep it on another disk or owned by another user than the database
    /// [default: DATA/audit.key]
    #[arg(long, global = true, env = "GUICHET_AUDIT_KEY", value_name = "FILE")]
    pub audit_key: Option<PathBuf>,
    /// Where the server appends each town's audit checkpoint (one JSON line
    /// per town: its journal's last entry and hash, signed), and how often;
    /// `guichet audit verify --against FILE` then detects a journal
    /// rewritten in the database, even whole [default: DATA/audit-checkpoints.jsonl]
    #[arg(
        long,
        global = true,
        env = "GUICHET_AUDIT_CHECKPOINTS",
        value_name = "FILE"
    )]
    pub audit_checkpoints: Option<PathBuf>,
    /// Seconds between two checkpoints of the audit journal [default: 3600]
    #[arg(
        long,
        global = true,
        env = "GUICHET_AUDIT_CHECKPOINT_SECONDS",
        value_name = "SECONDS"
    )]
    pub audit_checkpoint_seconds: Option<u64>,
    /// The server's secret (64 hexadecimal digits): signs forms' tokens,
    /// seals the exchange accounts' passwords. Every node of a cluster
    /// needs the same one [default: DATA/secret.key, made on first start;
    /// required with PostgreSQL]
    #[arg(skip)]
    #[serde(default)]
    pub secret: Option<String>,
}

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// `DATA/guichet.sqlite3`, one node.
    Sqlite,
    /// A PostgreSQL database shared by every node, with at most `pool`
    /// connections from this one.
    Postgres { url: String, pool: usize },
}

/// The certificate and key files HTTPS is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(clap::ValueEnum, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(clap::ValueEnum, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Durability {
    Full,
    Normal,
}

/// The kinds of requests rate limits count apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    Soap,
    Forms,
    Login,
    Signup,
    Exchange,
    Open311,
}

impl RateClass {
    pub const ALL: [RateClass; 6] = [
        RateClass::Soap,
        RateClass::Forms,
        RateClass::Login,
        RateClass::Signup,
        RateClass::Exchange,
        RateClass::Open311,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RateClass::Soap => "soap",
            RateClass::Forms => "forms",
            RateClass::Login => "login",
            RateClass::Signup => "signup",
            RateClass::Exchange => "exchange",
            RateClass::Open311 => "open311",
        }
    }
}

/// Requests per minute per client and per town (0: unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub client: u32,
    pub town: u32,
}

/// Every kind's limits (`--rate-limits`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub classes: Vec<(RateClass, RateLimit)>,
}

impl RateLimits {
    /// No limit at all.
    pub fn off() -> RateLimits {
        RateLimits {
            classes: Vec::new(),
        }
    }

    pub fn of(&self, class: RateClass) -> Option<RateLimit> {
        self.classes
            .iter()
            .find(|(c, _)| *c == class)
            .map(|(_, l)| *l)
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        let l = |client, town| RateLimit { client, town };
        RateLimits {
            classes: vec![
                (RateClass::Soap, l(300, 30_000)),
                (RateClass::Forms, l(60, 6_000)),
                (RateClass::Login, l(20, 1_200)),
                (RateClass::Signup, l(10, 600)),
                (RateClass::Exchange, l(1_200, 60_000)),
                (RateClass::Open311, l(60, 6_000)),
            ],
        }
    }
}

impl std::str::FromStr for RateLimits {
    type Err = String;

    /// `off`, or `KIND=CLIENT:TOWN,…` over the defaults.
    fn from_str(text: &str) -> Result<RateLimits, String> {
        if text.trim() == "off" {
            return Ok(RateLimits::off());
        }
        let mut limits = RateLimits::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, numbers) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not KIND=CLIENT:TOWN"))?;
            let class = RateClass::ALL
                .into_iter()
                .find(|c| c.name() == kind.trim())
                .ok_or_else(|| {
                    format!("unknown kind `{kind}` (soap, forms, login, signup, exchange, open311)")
                })?;
            let (client, town) = numbers
                .split_once(':')
                .ok_or_else(|| format!("`{part}`: give CLIENT:TOWN requests per minute"))?;
            let n = |t: &str| {
                t.trim()
                    .parse::<u32>()
                    .map_err(|_| format!("`{part}`: {t:?} is not a number of requests"))
            };
            let limit = RateLimit {
                client: n(client)?,
                town: n(town)?,
            };
            limits.classes.retain(|(c, _)| *c != class);
            limits.classes.push((class, limit));
        }
        Ok(limits)
    }
}

/// Bounds on what a client may send.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Largest body that may carry files (multipart forms; SOAP calls to a
    /// town whose services take files); never below `max_body`.
    pub max_upload: usize,
    pub xml: crate::xml::Limits,
    /// Longest wait for a request's headers, then for its body.
    pub body_timeout: Duration,
    /// Connections one client address may hold at once (0: no limit).
    pub max_connections_per_client: u32,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_body: 1024 * 1024,
            max_upload: 32 * 1024 * 1024,
            xml: crate::xml::Limits::default(),
            body_timeout: Duration::from_secs(10),
            max_connections_per_client: 256,
        }
    }
}

/// The checked configuration, passed whole to the application.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub durability: Durability,
    pub limits: RequestLimits,
    pub timer_period: Duration,
    pub retention_period: Duration,
    pub outbox_period: Duration,
    /// How long a node holds the deliveries and calls it took.
    pub claim_period: Duration,
    pub tenant_period: Duration,
    /// The service library's folder; `None`: the built-in one.
    pub library: Option<PathBuf>,
    /// The SMTP server of tenants that name none (`smtp://…`).
    pub smtp: Option<String>,
    /// `https://guichet.example.fr`, no trailing slash; `None`: the
    /// request's own `http://HOST` (`https://` when serving TLS).
    pub public_url: Option<String>,
    /// Serve HTTPS with these files.
    pub tls: Option<TlsFiles>,
    /// With TLS, plain HTTP redirected to HTTPS on this address.
    pub redirect_http: Option<SocketAddr>,
    /// The server's secret given by the configuration (`GUICHET_SECRET` or
    /// `secret` in `guichet.toml`); `None`: `DATA/secret.key`.
    pub secret: Option<[u8; 32]>,
    pub database: Database,
    /// The audit checkpoints' key file; `None`: `DATA/audit.key`.
    pub audit_key: Option<PathBuf>,
    /// Where checkpoints are appended; `None`: `DATA/audit-checkpoints.jsonl`.
    pub audit_checkpoints: Option<PathBuf>,
    pub audit_checkpoint_period: Duration,
    /// Who may read `/metrics`; empty: nobody.
    pub metrics_from: Vec<ipnet::IpNet>,
    pub rate_limits: RateLimits,
    /// Proxies trusted to name the client (`--trusted-proxies`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub log_format: LogFormat,
}

impl Default for Config {
    fn default() -> Self {
        Config::resolve(Settings::default(), None).expect("the defaults are valid")
    }
}

pub const DEFAULT_DATA_DIR: &str = "data";
const DEFAULT_FILE: &str = "guichet.toml";

impl Config {
    /// Checks the settings given as flags or environment, completed by the
    /// configuration file (`file`, else `./guichet.toml` when it exists).
    pub fn load(given: Settings, file: Option<&Path>) -> Result<Config, Error> {
        let (path, required) = match file {
            Some(p) => (p.to_owned(), true),
            None => (PathBuf::from(DEFAULT_FILE), false),
        };
        let from_file = match std::fs::read_to_string(&path) {
            Ok(text) => Some(toml::from_str::<Settings>(&text).map_err(|e| {
                Error::Config(format!(
                    "{}: {} (settings are written like `data-dir = \"data\"`; see the README)",
                    path.display(),
                    e.message()
                ))
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => None,
            Err(e) => return Err(Error::file(&path)(e)),
        };
        Config::resolve(given, from_file)
    }

    /// Fills what `given` leaves out from `file`, then the defaults, and
    /// checks the result.
    pub fn resolve(given: Settings, file: Option<Settings>) -> Result<Config, Error> {
        let file = file.unwrap_or_default();
        macro_rules! pick {
            ($name:ident) => {
                given.$name.clone().or(file.$name.clone())
            };
        }
        let seconds = |value: Option<u64>, default: u64, flag: &str| match value {
            Some(0) => Err(Error::Config(format!("--{flag} must be at least 1 second"))),
            v => Ok(Duration::from_secs(v.unwrap_or(default))),
        };
        let max_body = pick!(max_body).unwrap_or(1024 * 1024);
        if max_body < 1024 {
            return Err(Error::Config(format!(
                "--max-body {max_body}: at least 1024 bytes (GUICHET_MAX_BODY)"
            )));
        }
        let max_upload = pick!(max_upload).unwrap_or(32 * 1024 * 1024).max(max_body);
        let limits = RequestLimits {
            max_body,
            max_upload,
            xml: crate::xml::Limits::default(),
            body_timeout: seconds(pick!(request_timeout), 10, "request-timeout")?,
            max_connections_per_client: pick!(max_connections_per_client).unwrap_or(256),
        };
        let public_url = match pick!(public_url) {
            None => None,
            Some(url) => Some(check_public_url(&url)?),
        };
        let tls = match (pick!(tls_cert), pick!(tls_key)) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            _ => {
                return Err(Error::Config(
                    "--tls-cert and --tls-key go together (GUICHET_TLS_CERT, GUICHET_TLS_KEY)"
                        .into(),
                ));
            }
        };
        let redirect_http = pick!(redirect_http);
        if redirect_http.is_some() && tls.is_none() {
            return Err(Error::Config(
                "--redirect-http redirects to HTTPS: give --tls-cert and --tls-key too".into(),
            ));
        }
        // Read from the environment here (not a flag: a command line is
        // visible to every user of the machine).
        let secret_text = std::env::var("GUICHET_SECRET")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .or(given.secret.clone())
            .or(file.secret.clone());
        let secret = match secret_text {
            None => None,
            Some(text) => Some(parse_secret(&text)?),
        };
        let database = match pick!(database).filter(|d| !d.trim().is_empty()) {
            None => Database::Sqlite,
            Some(d) if d.trim() == "sqlite" => Database::Sqlite,
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                if secret.is_none() {
                    return Err(Error::Config(
                        "with PostgreSQL, every node must sign and seal with one secret: set GUICHET_SECRET (64 hexadecimal digits, e.g. from `openssl rand -hex 32`), the same on every node".into(),
                    ));
                }
                let pool = pick!(database_pool).unwrap_or(16);
                if !(2..=1000).contains(&pool) {
                    return Err(Error::Config(format!(
                        "--database-pool {pool}: between 2 and 1000 connections (GUICHET_DATABASE_POOL)"
                    )));
                }
                Database::Postgres { url, pool }
            }
            Some(other) => {
                let shown = other.split('@').next_back().unwrap_or("");
                return Err(Error::Config(format!(
                    "--database …{shown}: `sqlite` or postgres://user:password@host:5432/database (GUICHET_DATABASE)"
                )));
            }
        };
        let metrics_from = parse_networks(
            pick!(metrics_from).as_deref().unwrap_or("127.0.0.1/8, ::1"),
            "metrics-from",
            "GUICHET_METRICS_FROM",
        )?;
        let rate_limits: RateLimits = match pick!(rate_limits) {
            None => RateLimits::default(),
            Some(text) => text.parse().map_err(|e| {
                Error::Config(format!("--rate-limits {text}: {e} (GUICHET_RATE_LIMITS)"))
            })?,
        };
        let trusted_proxies = match pick!(trusted_proxies) {
            None => Vec::new(),
            Some(text) => parse_networks(&text, "trusted-proxies", "GUICHET_TRUSTED_PROXIES")?,
        };
        Ok(Config {
            rate_limits,
            trusted_proxies,
            metrics_from,
            log_format: pick!(log_format).unwrap_or(LogFormat::Text),
            database,
            tls,
            redirect_http,
            secret,
            data_dir: pick!(data_dir).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            listen: pick!(listen).unwrap_or_else(|| ([127, 0, 0, 1], 8080).into()),
            durability: pick!(durability).unwrap_or(Durability::Full),
            limits,
            timer_period: seconds(pick!(timer_seconds), 60, "timer-seconds")?,
            retention_period: seconds(pick!(retention_seconds), 3600, "retention-seconds")?,
            outbox_period: seconds(pick!(outbox_seconds), 5, "outbox-seconds")?,
            claim_period: seconds(pick!(claim_seconds), 120, "claim-seconds")?,
            tenant_period: seconds(pick!(tenant_seconds), 2, "tenant-seconds")?,
            audit_key: pick!(audit_key),
            audit_checkpoints: pick!(audit_checkpoints),
            audit_checkpoint_period: seconds(
                pick!(audit_checkpoint_seconds),
                3600,
                "audit-checkpoint-seconds",
            )?,
            library: pick!(library),
            smtp: pick!(smtp).filter(|s| !s.is_empty()),
            public_url,
        })
    }

    /// The audit checkpoints' key file.
    pub fn audit_key_file(&self) -> PathBuf {
        self.audit_key
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit.key"))
    }

    /// The file checkpoints are appended to.
    pub fn audit_checkpoints_file(&self) -> PathBuf {
        self.audit_checkpoints
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-checkpoints.jsonl"))
    }

    /// Guichet's address for links in messages: the public URL, else the
    /// address it listens on.
    pub fn message_base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("{}://{}", self.scheme(), self.listen))
    }

    /// `https` when Guichet serves TLS itself, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// The database file of an existing data folder, or an error that says
    /// which folder was looked at and how to give another.
    pub fn existing_data(&self) -> Result<(), Error> {
        if matches!(self.database, Database::Postgres { .. })
            || self.data_dir.join("guichet.sqlite3").exists()
        {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "no Guichet data in {} (give the folder used by `guichet serve` with --data-dir or GUICHET_DATA_DIR)",
                self.data_dir.display()
            )))
        }
    }
}

/// `--metrics-from`: addresses and networks, comma-separated, or `none`.
fn parse_networks(text: &str, flag: &str, variable: &str) -> Result<Vec<ipnet::IpNet>, Error> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    Error::Config(format!(
                        "--{flag} {t:?}: an address (10.0.0.5), a network (10.1.0.0/16) or `none`, comma-separated ({variable})"
                    ))
                })
        })
        .collect()
}

/// `http(s)://host[:port][/path]`, without a trailing slash.
/// 64 hexadecimal digits: 32 bytes.
fn parse_secret(text: &str) -> Result<[u8; 32], Error> {
    match crate::auth::token::key_from_hex(text) {
        Some(key) => Ok(key),
        None => Err(Error::Config(
            "GUICHET_SECRET (or `secret` in guichet.toml): 64 hexadecimal digits, e.g. from `openssl rand -hex 32`; the same on every node".into(),
        )),
    }
}

fn check_public_url(url: &str) -> Result<String, Error> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split('/').next().unwrap_or(""));
    if host.is_none_or(|h| h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic())) {
        return Err(Error::Config(format!(
            "--public-url {url:?}: expected http(s)://host[:port][/path] (GUICHET_PUBLIC_URL)"
        )));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_for_the_machine_itself_unless_networks_are_named() {
        let loopback = Config::resolve(Settings::default(), None).unwrap();
        let allowed = |c: &Config, ip: &str| {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            c.metrics_from.iter().any(|n| n.contains(&ip))
        };
        assert!(allowed(&loopback, "127.0.0.1") && allowed(&loopback, "::1"));
        assert!(!allowed(&loopback, "10.0.0.5"));
        let given = Settings {
            metrics_from: Some("10.0.0.5, 10.1.0.0/16".into()),
            ..Settings::default()
        };
        let c = Config::resolve(given, None).unwrap();
        assert!(allowed(&c, "10.0.0.5") && allowed(&c, "10.1.200.3"));
        assert!(!allowed(&c, "127.0.0.1"));
        let none = Settings {
            metrics_from: Some("none".into()),
            ..Settings::default()
        };
        assert!(Config::resolve(none, None).unwrap().metrics_from.is_empty());
        let bad = Settings {
            metrics_from: Some("10.0.0.0/33".into()),
            ..Settings::default()
        };
        let e = Config::resolve(bad, None).unwrap_err().to_string();
        assert!(e.contains("--metrics-from \"10.0.0.0/33\""), "{e}");
    }

    #[test]
    fn flags_win_over_the_file_which_wins_over_the_defaults() {
        let file: Settings = toml::from_str(
            "data-dir = \"/srv/guichet\"\nlisten = \"0.0.0.0:9000\"\nmax-body = 4096\n",
        )
        .unwrap();
        let given = Settings {
            listen: Some("127.0.0.1:7000".parse().unwrap()),
            ..Settings::default()
        };
        let c = Config::resolve(given, Some(file)).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(c.data_dir, PathBuf::from("/srv/guichet"));
        assert_eq!(c.limits.max_body, 4096);
        assert_eq!(c.timer_period, Duration::from_secs(60));
        assert_eq!(c.durability, Durability::Full);
    }

    #[test]
    fn wrong_settings_are_named() {
        let bad = |s: Settings| Config::resolve(s, None).unwrap_err().to_string();
        assert!(
            bad(Settings {
                public_url: Some("guichet.example.fr".into()),
                ..Settings::default()
            })
            .contains("--public-url")
        );
        assert!(
            bad(Settings {
                timer_seconds: Some(0),
                ..Settings::default()
            })
            .contains("--timer-seconds")
        );
        let unknown = toml::from_str::<Settings>("listen-on = \"x\"").unwrap_err();
        assert!(unknown.message().contains("listen-on"), "{unknown}");
    }

    #[test]
    fn a_secret_from_the_configuration_is_64_hex_digits() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let file = Settings {
            secret: Some(hex.into()),
            ..Settings::default()
        };
        let c = Config::resolve(Settings::default(), Some(file)).unwrap();
        assert_eq!(c.secret.unwrap()[1], 0x11);
        let short = Settings {
            secret: Some("abcd".into()),
            ..Settings::default()
        };
        let e = Config::resolve(Settings::default(), Some(short))
            .unwrap_err()
            .to_string();
        assert!(e.contains("64 hexadecimal digits"), "{e}");
        let not_hex = Settings {
            secret: Some("zz".repeat(32)),
            ..Settings::default()
        };
        assert!(Config::resolve(Settings::default(), Some(not_hex)).is_err());
    }

    #[test]
    fn tls_needs_its_certificate_and_key_and_a_redirect_needs_tls() {
        let only_cert = Settings {
            tls_cert: Some("cert.pem".into()),
            ..Settings::default()
        };
        let e = Config::resolve(only_cert, None).unwrap_err().to_string();
        assert!(e.contains("--tls-key"), "{e}");
        let redirect = Settings {
            redirect_http: Some("127.0.0.1:8081".parse().unwrap()),
            ..Settings::default()
        };
        let e = Config::resolve(redirect, None).unwrap_err().to_string();
        assert!(e.contains("--tls-cert"), "{e}");
        let both = Settings {
            tls_cert: Some("cert.pem".into()),
            tls_key: Some("key.pem".into()),
            ..Settings::default()
        };
        let c = Config::resolve(both, None).unwrap();
        assert_eq!(c.scheme(), "https");
        assert_eq!(c.message_base_url(), "https://127.0.0.1:8080");
        assert_eq!(Config::default().scheme(), "http");
    }

    #[test]
    fn a_public_url_loses_its_trailing_slash() {
        let c = Config::resolve(
            Settings {
                public_url: Some("https://guichet.example.fr/".into()),
                ..Settings::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://guichet.example.fr"));
        assert_eq!(c.message_base_url(), "https://guichet.example.fr");
    }
}
