//! Shared test harness: a Guichet server in-process on a free port, with a
//! fixed clock, and a raw HTTP/1.1 client (raw so that tests can send exactly
//! the bytes a hostile or broken client would).

#![allow(dead_code)]

pub mod agent;
pub mod backend;
pub mod certs;
pub mod imap;
pub mod postgres;
pub mod sms;
pub mod smtp;
pub mod sqlite_backend;

use guichet::app::{self, App, Clock, RequestLimits};
use guichet::config::Config;
use guichet::store::Store;
use guichet::store::blobs::BlobStore;
use guichet::store::postgres::PostgresStore;
use guichet::store::sqlite::{Durability, SqliteStore};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A runtime for calling the server's async pieces (the outbox, the
/// store) from a test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// 2026-11-22 11:00 in Paris.
pub const NOW: &str = "2026-11-22T10:00:00Z";

pub fn fixed_clock() -> Clock {
    let now: jiff::Timestamp = NOW.parse().unwrap();
    Arc::new(move || now)
}

pub struct Server {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    /// What the server's clock says; tests move it with [`Server::advance_days`].
    pub now: Arc<std::sync::Mutex<jiff::Timestamp>>,
    pub data_dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _temp: Option<TempDir>,
}

/// Whether this run's servers keep their data in PostgreSQL
/// (`GUICHET_TEST_BACKEND=postgres`, the second pass of `scripts/test.sh`)
/// rather than in SQLite: the same tests, on the other backend.
pub fn on_postgres() -> bool {
    std::env::var("GUICHET_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// The servers' secret on PostgreSQL, given to commands too, as every node
/// of a cluster shares one.
pub const TEST_SECRET: &str = "5e115e115e115e115e115e115e115e115e115e115e115e115e115e115e115e11";

/// Gives a `guichet` command run by a test what it needs to reach the data
/// of `dir`: on PostgreSQL, its database and the servers' secret (on
/// SQLite, `--data-dir` says it all).
pub fn backend_env<'a>(
    c: &'a mut std::process::Command,
    dir: &Path,
) -> &'a mut std::process::Command {
    if on_postgres() {
        c.env("GUICHET_DATABASE", postgres::database_for(dir))
            .env("GUICHET_SECRET", TEST_SECRET);
    }
    c
}

/// The store of the data folder `dir`, on this run's backend (as a command
/// opens it beside a running server, or after a crash).
pub fn open_store(dir: &Path) -> Arc<dyn Store> {
    if on_postgres() {
        Arc::new(PostgresStore::open(&postgres::database_for(dir), 4).unwrap())
    } else {
        Arc::new(SqliteStore::open(dir, Durability::Full).unwrap())
    }
}

/// The `guichet` command on the data of `dir` (its database too, on
/// PostgreSQL); the caller still names the folder (`--data-dir`).
pub fn cli(dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"));
    backend_env(&mut c, dir);
    c
}

/// A temporary folder removed on drop (and, on PostgreSQL, the database of
/// the server that kept its data there).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).unwrap();
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("guichet-test-{name}"));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        if on_postgres() {
            postgres::drop_database_for(&self.0);
        }
    }
}

impl Server {
    pub fn start() -> Server {
        let temp = TempDir::new();
        let dir = temp.0.clone();
        let mut server = Server::start_in(&dir, RequestLimits::default());
        server._temp = Some(temp);
        server
    }

    pub fn start_in(dir: &Path, limits: RequestLimits) -> Server {
        Server::start_configured(dir, limits, |_| {})
    }

    /// Starts a server whose `App` is first adjusted by `configure` (SMTP
    /// server, public address…).
    pub fn start_configured(
        dir: &Path,
        limits: RequestLimits,
        configure: impl FnOnce(&mut App),
    ) -> Server {
        Server::start_serving(dir, limits, configure, None)
    }

    /// Starts a server in `dir` serving HTTPS with these files.
    #[allow(dead_code)]
    pub fn start_tls(dir: &Path, files: guichet::config::TlsFiles) -> Server {
        let certificates = guichet::http::tls::Certificates::load(files.clone()).unwrap();
        Server::start_serving(
            dir,
            RequestLimits::default(),
            |app| app.config.tls = Some(files),
            Some(certificates),
        )
    }

    fn start_serving(
        dir: &Path,
        limits: RequestLimits,
        configure: impl FnOnce(&mut App),
        tls: Option<std::sync::Arc<guichet::http::tls::Certificates>>,
    ) -> Server {
        let (store, blobs, database): (Arc<dyn Store>, Option<Arc<dyn BlobStore>>, _) =
            if on_postgres() {
                let url = postgres::database_for(dir);
                let store = Arc::new(PostgresStore::open(&url, 8).unwrap());
                let blobs: Arc<dyn BlobStore> = store.clone();
                (
                    store,
                    Some(blobs),
                    guichet::config::Database::Postgres { url, pool: 8 },
                )
            } else {
                let store = SqliteStore::open(dir, Durability::Normal).unwrap();
                (Arc::new(store), None, guichet::config::Database::Sqlite)
            };
        app::ensure_demo_tenant(&*store, dir).unwrap();
        let now = Arc::new(std::sync::Mutex::new(
            NOW.parse::<jiff::Timestamp>().unwrap(),
        ));
        let read = Arc::clone(&now);
        let clock: Clock = Arc::new(move || *read.lock().unwrap());
        let config = Config {
            data_dir: dir.to_owned(),
            limits,
            // Towns added or disabled by the command line are seen quickly.
            tenant_period: Duration::from_millis(300),
            secret: on_postgres().then(|| guichet::auth::token::key_from_hex(TEST_SECRET).unwrap()),
            database,
            // One test client sends everything, with the clock stopped;
            // tests of the limits set their own (`Server::limit`).
            rate_limits: guichet::config::RateLimits::off(),
            ..Config::default()
        };
        let mut app = app::load_with(store, blobs, config, clock).unwrap();
        configure(&mut app);
        let app = Arc::new(app);
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std_listener.local_addr().unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = Arc::clone(&app);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                tokio::spawn(guichet::app::watch_tenants(Arc::clone(&served)));
                let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
                guichet::http::serve_with(served, listener, tls, async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
            });
        });
        Server {
            addr,
            app,
            now,
            data_dir: dir.to_owned(),
            shutdown: Some(tx),
            thread: Some(thread),
            _temp: None,
        }
    }

    /// Keeps a folder (the data folder) alive as long as the server.
    pub fn keep(&mut self, dir: TempDir) {
        self._temp = Some(dir);
    }

    pub fn advance_minutes(&self, minutes: i64) {
        let mut now = self.now.lock().unwrap();
        *now = now
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .unwrap();
    }

    /// Moves the server's clock forward.
    pub fn advance_days(&self, days: i64) {
        let mut now = self.now.lock().unwrap();
        *now = now
            .checked_add(jiff::SignedDuration::from_hours(24 * days))
            .unwrap();
    }

    /// Sends raw bytes, returns the whole response (the request should ask
    /// for `Connection: close`).
    /// The demo town's request 2026-NUMBER of service `code`, as
    /// `guichet export` writes it (its request file).
    #[allow(dead_code)]
    pub fn request_file(&self, code: &str, number: u32) -> String {
        let site = self.app.site("demoville").unwrap();
        let stored = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(self.app.store.request_by_reference(
                site.tenant.id,
                guichet::core::tracking::Reference { year: 2026, number },
            ))
            .unwrap()
            .unwrap_or_else(|| panic!("no request 2026-{number:06}"));
        guichet::exchange::request_file(
            &site.tenant,
            site.tenant.service(code).unwrap(),
            &stored,
            &|d| self.app.blobs.get(d).ok().flatten(),
        )
    }

    pub fn raw(&self, request: &[u8]) -> HttpResponse {
        raw_to(self.addr, request)
    }

    pub fn get(&self, path: &str) -> HttpResponse {
        self.raw(
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    }

    pub fn post(&self, path: &str, content_type: &str, body: &[u8]) -> HttpResponse {
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        self.raw(&request)
    }

    /// SOAP 1.1 call to the demo tenant.
    pub fn soap11(&self, envelope: &str) -> HttpResponse {
        self.post(
            "/demoville/soap",
            "text/xml; charset=utf-8",
            envelope.as_bytes(),
        )
    }

    pub fn soap12(&self, envelope: &str) -> HttpResponse {
        self.post(
            "/demoville/soap",
            "application/soap+xml; charset=utf-8",
            envelope.as_bytes(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as sent (a downloaded file).
    pub bytes: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Text of the first element with this local name (prefix ignored).
    pub fn element(&self, local: &str) -> Option<String> {
        element(&self.body, local)
    }
}

pub fn element(xml: &str, local: &str) -> Option<String> {
    let doc = guichet::xml::parse(xml, Default::default()).ok()?;
    fn find(e: &guichet::xml::Element, local: &str) -> Option<String> {
        if e.name == local {
            return Some(e.text.clone());
        }
        e.children.iter().find_map(|c| find(c, local))
    }
    find(&doc, local)
}

/// An attribute of the first element with this local name.
pub fn element_attr(xml: &str, local: &str, attr: &str) -> Option<String> {
    let doc = guichet::xml::parse(xml, Default::default()).ok()?;
    fn find(e: &guichet::xml::Element, local: &str, attr: &str) -> Option<String> {
        if e.name == local {
            return e.attr(attr).map(str::to_owned);
        }
        e.children.iter().find_map(|c| find(c, local, attr))
    }
    find(&doc, local, attr)
}

/// Sends `request` as it is to `addr` and reads the answer.
pub fn raw_to(addr: SocketAddr, request: &[u8]) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request).unwrap();
    read_response(&mut stream)
}

pub fn read_response(stream: &mut TcpStream) -> HttpResponse {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    // Pages are UTF-8; a downloaded file may be anything (read lossily).
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete head");
    let bytes = raw[split + 4..].to_vec();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("complete head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_owned(),
        bytes,
    }
}

/// The text of a PDF as `pdftotext` (poppler) reads it back, in reading
/// order; and `pdffonts`' table of its fonts.
pub fn pdf_text(pdf: &[u8]) -> (String, String) {
    let run = |tool: &str, args: &[&str]| {
        let dir = TempDir::new();
        let file = dir.0.join("document.pdf");
        std::fs::write(&file, pdf).unwrap();
        let out = std::process::Command::new(tool)
            .args(args)
            .arg(&file)
            .args(if tool == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed by this test: {e}"));
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    (run("pdftotext", &["-enc", "UTF-8"]), run("pdffonts", &[]))
}

/// What `pdfinfo` (poppler) says of a PDF: title, tagged, pages…
pub fn pdf_info(pdf: &[u8]) -> String {
    pdfinfo(pdf, &[])
}

/// A tagged PDF's structure tree with its text, as `pdfinfo -struct-text`
/// prints it.
pub fn pdf_structure(pdf: &[u8]) -> String {
    pdfinfo(pdf, &["-struct-text"])
}

fn pdfinfo(pdf: &[u8], args: &[&str]) -> String {
    let dir = TempDir::new();
    let file = dir.0.join("document.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .args(args)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("pdfinfo (poppler-utils) is needed by this test: {e}"));
    assert!(
        out.status.success(),
        "pdfinfo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A valid SOAP 1.1 envelope around `inner` in the demo tenant's namespace.
pub fn envelope11(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:g="urn:guichet:demoville"><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>"#
    )
}

pub fn envelope12(inner: &str) -> String {
    format!(
        r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>{inner}</env:Body></env:Envelope>"#
    )
}

/// A valid road incident report (the requester's name is given).
pub fn road_incident(last_name: &str) -> String {
    format!(
        r#"<g:SubmitRoadIncidentReport><g:requester><g:firstName>Zoé</g:firstName><g:lastName>{last_name}</g:lastName><g:email>zoe@example.fr</g:email></g:requester><g:category>pothole</g:category><g:location><g:street>12 rue de la République</g:street><g:postalCode>75002</g:postalCode><g:town>Démoville</g:town><g:latitude>48.8686</g:latitude><g:longitude>2.3314</g:longitude></g:location><g:description>Trou profond &amp; dangereux &lt;au milieu&gt; de la chaussée</g:description><g:observedOn>2026-11-21</g:observedOn><g:immediateDanger>true</g:immediateDanger></g:SubmitRoadIncidentReport>"#
    )
}

/// Imports `text` as the demo town's draft of `code` and publishes it
/// online, as an administrator would (the next version).
#[allow(dead_code)]
pub fn publish(server: &Server, code: &str, text: &str) {
    let site = server.app.any_site("demoville").unwrap();
    let store = &*server.app.store;
    let now = server.app.now();
    guichet::usecases::catalogue::import(
        store,
        &site,
        &format!("{code}.xml"),
        text,
        "agent:admin",
        now,
    )
    .unwrap();
    guichet::usecases::catalogue::publish(
        store,
        &site,
        code,
        guichet::store::ServiceStatus::Online,
        "agent:admin",
        now,
    )
    .unwrap();
}

/// Asserts that `xml` is valid against the schema file `xsd` (with xmllint).
pub fn assert_valid(xsd: &Path, xml: &str, what: &str) {
    let temp = TempDir::new();
    let file = temp.0.join("document.xml");
    std::fs::write(&file, xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(xsd)
        .arg(&file)
        .output()
        .expect("xmllint is needed (Debian libxml2-utils): run scripts/test.sh, which installs it");
    assert!(
        out.status.success(),
        "{what} is not valid against {}: {}\n{xml}",
        xsd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts that `xml` is valid against a schema served by the server.
pub fn assert_valid_against_served(server: &Server, xsd_path: &str, xml: &str, what: &str) {
    let temp = TempDir::new();
    let xsd = temp.0.join("schema.xsd");
    std::fs::write(&xsd, server.get(xsd_path).body).unwrap();
    assert_valid(&xsd, xml, what);
}

/// Runs the outbox until nothing is due.
pub fn drain_outbox(server: &Server) {
    runtime()
        .block_on(guichet::notify::drain_outbox(&server.app))
        .unwrap();
}

/// The demo town's journal entries of `action`, newest first.
pub fn journal(server: &Server, action: &str) -> Vec<guichet::store::AuditEntry> {
    let tenant = server.app.any_site("demoville").unwrap().tenant.id;
    runtime()
        .block_on(server.app.store.journal(tenant, Some(action.into()), 20))
        .unwrap()
}

/// The first anti-forgery token of a page's HTML.
pub fn form_token(html: &str) -> String {
    let key = r#"name="_token" value=""#;
    let at = html.find(key).expect("a token") + key.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

/// `xsd/view.xsd`, what every page's view is checked against.
pub fn view_xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd")
}
