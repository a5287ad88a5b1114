//! The HTTP server: accept loop, routing, bodies, status codes.
//!
//! Routes (per tenant `T`):
//! - `GET /T/soap?wsdl`: the WSDL, ports pointing at the address used;
//! - `POST /T/soap`: SOAP 1.1 (`text/xml`) or 1.2 (`application/soap+xml`);
//! - `GET|POST /T/soap/test`: the same for the town's agents (HTTP Basic,
//!   throttled like the login form), services in test included;
//! - `GET /T/xsd/T.xsd`, `GET /T/xsd/CODE.xsd`: schemas;
//! - `GET /health`;
//! - `GET /metrics`: Prometheus' text, to the addresses `--metrics-from`
//!   names (the machine itself by default), never through a proxy.
//!
//! Every request is counted in the metrics by route family and status, and
//! logged (target `guichet::access`, shown in JSON logs) with its tenant,
//! family, method, status and duration: never its path, which can carry a
//! tracking code, nor the client's address.

pub mod tls;

use crate::core::tenant::Audience;
use crate::soap::{self, envelope::Version};
use crate::tenant::Site;
use crate::usecases::App;
use crate::usecases::agents::{AuthError, authenticate};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

type Body = Full<Bytes>;

/// A request's body as the routes read it: hyper's own from a connection,
/// or a whole one given to [`handle`] (the fuzzers, in-process callers).
pub enum In {
    Connection(Incoming),
    Whole(Option<Bytes>),
}

impl hyper::body::Body for In {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, hyper::Error>>> {
        match self.get_mut() {
            In::Connection(body) => std::pin::Pin::new(body).poll_frame(cx),
            In::Whole(bytes) => {
                std::task::Poll::Ready(bytes.take().map(|b| Ok(hyper::body::Frame::data(b))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            In::Connection(body) => body.is_end_stream(),
            In::Whole(bytes) => bytes.is_none(),
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            In::Connection(body) => body.size_hint(),
            In::Whole(bytes) => {
                hyper::body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
        }
    }
}

/// Answers one request as the server would, without a connection: the
/// same routing, limits and pages (the fuzz targets drive it).
pub async fn handle(app: &App, req: Request<Bytes>, peer: SocketAddr) -> Response<Body> {
    route(app, req.map(|b| In::Whole(Some(b))), peer).await
}

/// The most a request's line and headers may take: beyond, the connection
/// is answered 431 and closed before more is read (hyper's buffer cap).
const MAX_HEADERS_BYTES: usize = 64 * 1024;

/// The connections each client address holds now.
#[derive(Default)]
struct OpenConnections(std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, u32>>);

/// One connection counted until dropped.
struct Held(Arc<OpenConnections>, std::net::IpAddr);

impl OpenConnections {
    /// Counts a connection of `ip`, unless it holds `max` already (0: no
    /// limit; a trusted proxy is never limited).
    fn take(self: &Arc<Self>, ip: std::net::IpAddr, max: u32, trusted: bool) -> Option<Held> {
        let ip = ip.to_canonical();
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if max > 0 && !trusted && *n >= max {
            return None;
        }
        *n += 1;
        Some(Held(Arc::clone(self), ip))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.0.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Serves plain HTTP/1.1 until `shutdown` resolves, then lets open
/// connections finish their current request (for at most ten seconds).
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with(app, listener, None, shutdown).await
}

/// Serves HTTPS when `tls` is given (HTTP/2 or HTTP/1.1 as ALPN says,
/// `Strict-Transport-Security` on every answer), else plain HTTP/1.1.
pub async fn serve_with(
    app: Arc<App>,
    listener: TcpListener,
    tls: Option<Arc<tls::Certificates>>,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let open = Arc::new(OpenConnections::default());
    let acceptor = match &tls {
        Some(certificates) => Some(tokio_rustls::TlsAcceptor::from(
            certificates
                .server_config()
                .map_err(std::io::Error::other)?,
        )),
        None => None,
    };
    // A renewed certificate is served within seconds.
    let reloading = tls.clone().map(|certificates| {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(2));
            loop {
                every.tick().await;
                let c = Arc::clone(&certificates);
                let _ = tokio::task::spawn_blocking(move || c.reload_if_changed()).await;
            }
        })
    });
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, do not spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // One client holding too many connections (slowloris) is
                // refused more; a trusted proxy speaks for many.
                let trusted = app.config.trusted_proxies.iter().any(|n| n.contains(&peer.ip().to_canonical()));
                let held = match open.take(peer.ip(), app.config.limits.max_connections_per_client, trusted) {
                    Some(held) => held,
                    None => {
                        crate::metrics::connection_refused();
                        tracing::debug!(%peer, "too many connections from one client; closed");
                        drop(stream);
                        continue;
                    }
                };
                // Without it, keep-alive clients wait on Nagle and delayed ACKs (40 ms).
                let _ = stream.set_nodelay(true);
                let header_timeout = app.config.limits.body_timeout;
                let secure = acceptor.is_some();
                let app = Arc::clone(&app);
                let service = service_fn(move |req: Request<Incoming>| {
                    let app = Arc::clone(&app);
                    async move {
                        let head = req.method() == Method::HEAD;
                        let mut response = route(&app, req.map(In::Connection), peer).await;
                        if head {
                            // HTTP/1 drops a HEAD answer's body itself; HTTP/2
                            // must not send one: its length stays in the header.
                            use hyper::body::Body as _;
                            if let Some(n) = response.body().size_hint().exact() {
                                response
                                    .headers_mut()
                                    .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
                            }
                            *response.body_mut() = Full::new(Bytes::new());
                        }
                        if secure {
                            response.headers_mut().insert(
                                header::STRICT_TRANSPORT_SECURITY,
                                HeaderValue::from_static("max-age=31536000"),
                            );
                        }
                        Ok::<_, Infallible>(response)
                    }
                });
                match &acceptor {
                    None => {
                        let conn = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(header_timeout)
                            .max_buf_size(MAX_HEADERS_BYTES)
                            .serve_connection(TokioIo::new(stream), service);
                        let conn = graceful.watch(conn);
                        tokio::spawn(async move {
                            let _held = held;
                            if let Err(e) = conn.await {
                                tracing::debug!(error = %e, "connection ended with an error");
                            }
                        });
                    }
                    Some(acceptor) => {
                        let acceptor = acceptor.clone();
                        let watcher = graceful.watcher();
                        tokio::spawn(async move {
                            let _held = held;
                            let stream = match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                                Ok(Ok(s)) => s,
                                Ok(Err(e)) => {
                                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                                    return;
                                }
                                Err(_) => {
                                    tracing::debug!(%peer, "TLS handshake timed out");
                                    return;
                                }
                            };
                            let mut builder = hyper_util::server::conn::auto::Builder::new(
                                hyper_util::rt::TokioExecutor::new(),
                            );
                            builder
                                .http1()
                                .timer(TokioTimer::new())
                                .header_read_timeout(header_timeout)
                                .max_buf_size(MAX_HEADERS_BYTES);
                            builder.http2().max_header_list_size(MAX_HEADERS_BYTES as u32);
                            builder.http2().timer(TokioTimer::new());
                            let conn = builder.serve_connection(TokioIo::new(stream), service);
                            if let Err(e) = watcher.watch(conn).await {
                                tracing::debug!(error = %e, "connection ended with an error");
                            }
                        });
                    }
                }
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    if let Some(task) = reloading {
        task.abort();
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(10)) => {
            tracing::warn!("connections still open after 10 s; closing them");
        }
    }
    Ok(())
}

/// Plain HTTP on `listener`, every request answered with a permanent
/// redirect to the same path over HTTPS on `https_port`.
pub async fn redirect_to_https(listener: TcpListener, https_port: u16) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let service = service_fn(move |req: Request<Incoming>| async move {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
                .unwrap_or("localhost");
            // The host without its port (an IPv6 literal keeps its brackets).
            let name = match host.rfind(':') {
                Some(i) if !host[i..].contains(']') => &host[..i],
                _ => host,
            };
            let port = if https_port == 443 {
                String::new()
            } else {
                format!(":{https_port}")
            };
            let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
            let mut r = text(StatusCode::PERMANENT_REDIRECT, "HTTPS only.");
            if let Ok(v) = HeaderValue::from_str(&format!("https://{name}{port}{path}")) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            Ok::<_, Infallible>(r)
        });
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{message}\n"))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn xml(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut response = text(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Méthode non permise ici. Méthodes possibles : {allow}."),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

async fn route(app: &App, req: Request<In>, connection: SocketAddr) -> Response<Body> {
    let started = std::time::Instant::now();
    // The client: the connection's address, or the one a trusted proxy names.
    let peer = SocketAddr::new(
        client_address(&app.config.trusted_proxies, req.headers(), connection.ip()),
        connection.port(),
    );
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let family = route_family(&segments);
    let mut tenant = "";
    let response = match segments.as_slice() {
        ["health"] => text(StatusCode::OK, "ok"),
        ["metrics"] => metrics(app, &req, connection).await,
        [slug, rest @ ..] => match app.site(slug) {
            None => text(
                StatusCode::NOT_FOUND,
                "Aucune collectivité à cette adresse.",
            ),
            Some(site) => {
                tenant = slug;
                let limited = rate_class(rest, &method).and_then(|class| {
                    app.rate
                        .check(class, slug, peer.ip())
                        .err()
                        .map(|e| (class, e))
                });
                match rest {
                    _ if limited.is_some() => {
                        let (class, e) = limited.expect("limited");
                        too_many(class, e.retry_after)
                    }
                    ["soap"] => soap_endpoint(app, &site, Audience::Public, req).await,
                    ["soap", "test"] => match agent_credentials(app, &site, &req, peer).await {
                        Ok(()) => soap_endpoint(app, &site, Audience::Agents, req).await,
                        Err(refusal) => refusal,
                    },
                    ["exchange"] => exchange_endpoint(app, &site, req, peer).await,
                    ["open311", "v2", rest @ ..] => open311_endpoint(app, &site, req, rest).await,
                    ["inbound", "sms"] => sms_endpoint(app, &site, req, false).await,
                    ["inbound", "sms", "receipts"] => sms_endpoint(app, &site, req, true).await,
                    ["xsd", file] => schema(&site, &req, file),
                    [] => {
                        let mut r = text(StatusCode::PERMANENT_REDIRECT, "");
                        if let Ok(v) = HeaderValue::from_str(&format!("/{slug}/")) {
                            r.headers_mut().insert(header::LOCATION, v);
                        }
                        r
                    }
                    // Every other path under a tenant is a page (or its 404 page).
                    rest => web_page(app, &site, req, rest, peer).await,
                }
            }
        },
        [] => text(StatusCode::NOT_FOUND, "Page introuvable."),
    };
    let status = response.status().as_u16();
    let took = started.elapsed();
    crate::metrics::http_request(family, status, took.as_secs_f64());
    tracing::info!(
        target: "guichet::access",
        tenant,
        route = family,
        method = method.as_str(),
        status,
        duration_ms = took.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// The client's address: `connection`, unless it is a trusted proxy's,
/// then the last address of `X-Forwarded-For` (else `Forwarded: for=`)
/// that is not a trusted proxy's — what the proxy nearest to us saw; one
/// a client wrote itself further left is never believed.
pub fn client_address(
    trusted: &[ipnet::IpNet],
    headers: &hyper::HeaderMap,
    connection: std::net::IpAddr,
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| {
        let ip = ip.to_canonical();
        trusted.iter().any(|n| n.contains(&ip))
    };
    if !is_trusted(&connection) {
        return connection;
    }
    let mut chain: Vec<std::net::IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else { continue };
        chain.extend(text.split(',').filter_map(|a| forwarded_ip(a.trim())));
    }
    if chain.is_empty() {
        for value in headers.get_all(header::FORWARDED) {
            let Ok(text) = value.to_str() else { continue };
            for element in text.split(',') {
                for pair in element.split(';') {
                    if let Some((k, v)) = pair.trim().split_once('=')
                        && k.trim().eq_ignore_ascii_case("for")
                        && let Some(ip) = forwarded_ip(v.trim().trim_matches('"'))
                    {
                        chain.push(ip);
                    }
                }
            }
        }
    }
    chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(chain.first())
        .copied()
        .unwrap_or(connection)
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1`, `[2001:db8::1]:4711`.
fn forwarded_ip(text: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    text.parse::<SocketAddr>().ok().map(|s| s.ip())
}

/// Which rate limit a request under a town counts against (POSTs only).
fn rate_class(rest: &[&str], method: &Method) -> Option<crate::config::RateClass> {
    use crate::config::RateClass;
    if *method != Method::POST {
        return None;
    }
    match rest {
        ["soap"] | ["soap", "test"] => Some(RateClass::Soap),
        ["exchange"] => Some(RateClass::Exchange),
        ["open311", ..] => Some(RateClass::Open311),
        // The SMS provider's callbacks are signed; agents are signed in.
        ["inbound", ..] | ["xsd", ..] => None,
        ["backoffice", "login"] | ["account", "login"] => Some(RateClass::Login),
        ["account", "signup" | "forgot"] => Some(RateClass::Signup),
        ["backoffice", ..] | ["admin", ..] => None,
        _ => Some(RateClass::Forms),
    }
}

/// 429: the client (or the town) sent more than its share.
fn too_many(class: crate::config::RateClass, retry_after: u64) -> Response<Body> {
    crate::metrics::rate_limited(class.name());
    let mut r = text(
        StatusCode::TOO_MANY_REQUESTS,
        &format!(
            "Trop de requêtes : réessayez dans {retry_after} seconde{}.",
            if retry_after > 1 { "s" } else { "" }
        ),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    r
}

/// Which kind of address a path is, for metrics and logs: a small fixed
/// set, never a tenant's name or a path's variable part.
fn route_family(segments: &[&str]) -> &'static str {
    match segments {
        ["health"] => "health",
        ["metrics"] => "metrics",
        [_, "soap"] => "soap",
        [_, "soap", "test"] => "soap-test",
        [_, "exchange"] => "exchange",
        [_, "open311", ..] => "open311",
        [_, "inbound", ..] => "inbound",
        [_, "xsd", _] => "xsd",
        [_, "backoffice", "admin", ..] => "admin",
        [_, "admin", ..] => "admin",
        [_, "backoffice", "test", ..] => "testers",
        [_, "backoffice", ..] => "backoffice",
        [_, "account", ..] => "account",
        [_, "assets", ..] => "assets",
        [] | [""] => "other",
        [_, ..] => "pages",
    }
}

/// `GET /metrics`: for the addresses configured, and not through a proxy
/// (a proxy on the machine would make every visitor look local).
async fn metrics(app: &App, req: &Request<In>, peer: SocketAddr) -> Response<Body> {
    let ip = peer.ip().to_canonical();
    let proxied = req.headers().contains_key(header::FORWARDED)
        || req.headers().contains_key("x-forwarded-for");
    if proxied || !app.config.metrics_from.iter().any(|n| n.contains(&ip)) {
        return text(
            StatusCode::FORBIDDEN,
            "Métriques réservées aux adresses de --metrics-from.",
        );
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return method_not_allowed("GET");
    }
    let mut gauges = crate::metrics::Gauges::default();
    match app.store.pending_deliveries(None).await {
        Ok(depth) => gauges.outbox_depth = depth,
        Err(e) => tracing::warn!(error = %e, "outbox depth not read for the metrics"),
    }
    if app.config.database == crate::config::Database::Sqlite {
        let wal = app.config.data_dir.join("guichet.sqlite3-wal");
        gauges.wal_bytes = Some(std::fs::metadata(wal).map_or(0, |m| m.len()));
    }
    let mut response = Response::new(Full::new(Bytes::from(crate::metrics::render(&gauges))));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
    );
    response
}

async fn web_page(
    app: &App,
    site: &Site,
    req: Request<In>,
    rest: &[&str],
    peer: SocketAddr,
) -> Response<Body> {
    let base = base_url(app, &req);
    let origin = origin_of(&base);
    let (parts, body) = req.into_parts();
    let body = if parts.method == Method::POST {
        // Only a multipart form sends files.
        let multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                t.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        let limit = if multipart {
            app.config.limits.max_upload
        } else {
            app.config.limits.max_body
        };
        match read_body(app, body, parts.headers.get(header::CONTENT_LENGTH), limit).await {
            Ok(b) => b,
            Err(r) => return r,
        }
    } else {
        Bytes::new()
    };
    let page = crate::web::PageRequest {
        method: &parts.method,
        rest,
        query: parts.uri.query(),
        headers: &parts.headers,
        origin,
        body,
        peer: peer.ip(),
    };
    crate::web::handle(app, site, page).await
}

/// Reads a request body within the size and time limits.
async fn read_body(
    app: &App,
    body: In,
    length: Option<&HeaderValue>,
    limit: usize,
) -> Result<Bytes, Response<Body>> {
    let declared = length
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let limited = Limited::new(body, limit);
    match tokio::time::timeout(app.config.limits.body_timeout, limited.collect()).await {
        Err(_) => Err(text(
            StatusCode::REQUEST_TIMEOUT,
            "Le corps de la requête n'est pas arrivé à temps.",
        )),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(limit)),
        Ok(Err(_)) => Err(text(StatusCode::BAD_REQUEST, "Corps de requête illisible.")),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

fn schema(site: &Site, req: &Request<In>, file: &str) -> Response<Body> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return method_not_allowed("GET, HEAD");
    }
    let Some(name) = file.strip_suffix(".xsd") else {
        return text(StatusCode::NOT_FOUND, "Schéma introuvable.");
    };
    let body = if name == site.tenant.slug {
        Some(&site.documents.schema)
    } else {
        site.documents.service_schemas.get(name)
    };
    match body {
        Some(s) => xml(
            StatusCode::OK,
            "application/xml; charset=utf-8",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{s}\n"),
        ),
        None => text(StatusCode::NOT_FOUND, "Schéma introuvable."),
    }
}

/// `scheme://authority` of a URL: what a browser's Origin header says.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

/// Guichet's address as the client sees it: the configured public URL
/// (behind a proxy that ends TLS), else `http://host[:port]` as the client
/// addressed us.
fn base_url(app: &App, req: &Request<In>) -> String {
    if let Some(url) = &app.config.public_url {
        return url.clone();
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or("localhost");
    format!("{}://{host}", app.config.scheme())
}

/// Lets the request through when it carries the HTTP Basic credentials of
/// an active agent of the town; else 401 (with the challenge), 429 or 503.
async fn agent_credentials(
    app: &App,
    site: &Site,
    req: &Request<In>,
    peer: SocketAddr,
) -> Result<(), Response<Body>> {
    use base64::Engine;
    let challenge = || {
        let mut r = text(
            StatusCode::UNAUTHORIZED,
            "Point d'accès de test réservé aux agents de la collectivité : identifiez-vous (HTTP Basic, identifiant et mot de passe de l'espace agents).",
        );
        let realm = format!(
            "Basic realm=\"Guichet {} (agents)\", charset=\"UTF-8\"",
            site.tenant.slug
        );
        if let Ok(v) = HeaderValue::from_str(&realm) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    };
    let credentials = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let Some((login, password)) = credentials.as_deref().and_then(|c| c.split_once(':')) else {
        return Err(challenge());
    };
    let login = login.trim().to_lowercase();
    match authenticate(
        app,
        site,
        &login,
        password.to_owned(),
        &peer.ip().to_string(),
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(AuthError::Failed) => Err(challenge()),
        Err(AuthError::Throttled(wait)) => {
            let mut r = text(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Trop d'essais : réessayez dans {wait} secondes."),
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Err(r)
        }
        Err(AuthError::Unavailable(e)) => {
            tracing::error!(tenant = %site.tenant.slug, error = %e, "agent check failed");
            Err(text(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service momentanément indisponible.",
            ))
        }
    }
}

async fn soap_endpoint(
    app: &App,
    site: &Site,
    audience: Audience,
    req: Request<In>,
) -> Response<Body> {
    let base = base_url(app, &req);
    let address = format!(
        "{base}/{}{}",
        site.tenant.slug,
        crate::tenant::soap_path(audience)
    );
    match *req.method() {
        Method::GET | Method::HEAD => wsdl_or_post(
            &req,
            || site.wsdl_for(audience, &address),
            format!(
                "Point d'accès SOAP : envoyez vos requêtes en POST. Le WSDL est à {address}?wsdl\n"
            ),
        ),
        Method::POST => {
            // A town whose services take files takes them in the body.
            let limit = if site.tenant.takes_files(audience) {
                app.config.limits.max_upload
            } else {
                app.config.limits.max_body
            };
            let (version, body) = match soap_body(app, req, limit).await {
                Ok(read) => read,
                Err(refusal) => return refusal,
            };
            let response = soap::call(app, site, audience, version, &body, &base).await;
            xml(
                StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                version.content_type(),
                response.body,
            )
        }
        _ => method_not_allowed("GET, POST"),
    }
}

/// A SOAP endpoint's answer to a GET: its WSDL for `?wsdl`, else 405 with
/// `hint` (where the WSDL is).
fn wsdl_or_post(req: &Request<In>, wsdl: impl FnOnce() -> String, hint: String) -> Response<Body> {
    let wants_wsdl = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.eq_ignore_ascii_case("wsdl")));
    if wants_wsdl {
        xml(StatusCode::OK, "text/xml; charset=utf-8", wsdl())
    } else {
        let mut r = method_not_allowed("POST");
        *r.body_mut() = Full::new(Bytes::from(hint));
        r
    }
}

/// The SOAP version a POST's Content-Type announces and its body, read
/// within `limit` bytes and the body timeout; else the HTTP refusal.
async fn soap_body(
    app: &App,
    req: Request<In>,
    limit: usize,
) -> Result<(Version, Bytes), Response<Body>> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let version = match Version::from_content_type(content_type) {
        Some(Ok(v)) => v,
        Some(Err(refused)) => {
            return Err(text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!(
                    "Jeu de caractères {} non pris en charge : envoyez de l'UTF-8.",
                    refused.0
                ),
            ));
        }
        None => {
            return Err(text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Type de contenu non pris en charge : text/xml (SOAP 1.1) ou application/soap+xml (SOAP 1.2).",
            ));
        }
    };
    let length = req.headers().get(header::CONTENT_LENGTH).cloned();
    let body = read_body(app, req.into_body(), length.as_ref(), limit).await?;
    Ok((version, body))
}

/// The exchange API for business software: `GET ?wsdl` its WSDL, `POST`
/// a call (WS-Security in the envelope, checked by `soap::exchange`).
async fn exchange_endpoint(
    app: &App,
    site: &Site,
    req: Request<In>,
    peer: SocketAddr,
) -> Response<Body> {
    let base = base_url(app, &req);
    let address = format!("{base}/{}{}", site.tenant.slug, crate::exchange::api::PATH);
    match *req.method() {
        Method::GET | Method::HEAD => wsdl_or_post(
            &req,
            || site.exchange_wsdl(&address),
            format!(
                "Service d'échange pour les logiciels métier : envoyez vos requêtes en POST. Le WSDL est à {address}?wsdl, la documentation à {address}/doc\n"
            ),
        ),
        Method::POST => {
            // Documents come in the body (AddDocument).
            let (version, body) = match soap_body(app, req, app.config.limits.max_upload).await {
                Ok(read) => read,
                Err(refusal) => return refusal,
            };
            let response =
                soap::exchange::call(app, site, version, &body, &peer.ip().to_string()).await;
            xml(
                StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                version.content_type(),
                response.body,
            )
        }
        _ => method_not_allowed("GET, POST"),
    }
}

/// Open311 GeoReport v2: `GET` the services, a service's definition and
/// reports; `POST requests` a form (`application/x-www-form-urlencoded`).
async fn open311_endpoint(
    app: &App,
    site: &Site,
    req: Request<In>,
    rest: &[&str],
) -> Response<Body> {
    let post = match *req.method() {
        Method::GET | Method::HEAD => false,
        Method::POST => true,
        _ => return method_not_allowed("GET, POST"),
    };
    let mut fields: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    if post {
        let urlencoded = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                t.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if !urlencoded {
            return text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Envoyez le signalement en application/x-www-form-urlencoded (Open311 GeoReport v2).",
            );
        }
        let length = req.headers().get(header::CONTENT_LENGTH).cloned();
        let body = match read_body(
            app,
            req.into_body(),
            length.as_ref(),
            app.config.limits.max_body,
        )
        .await
        {
            Ok(b) => b,
            Err(r) => return r,
        };
        fields.extend(form_urlencoded::parse(&body).into_owned());
    }
    let reply = crate::open311::handle(app, site, post, rest, fields).await;
    let mut r = Response::new(Full::new(Bytes::from(reply.body)));
    *r.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    // Open311 clients are often web apps on other sites.
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

/// The town's SMS provider's callbacks: each SMS received, or each
/// delivery receipt (see [`crate::inbound::sms`]), answered in JSON.
async fn sms_endpoint(app: &App, site: &Site, req: Request<In>, receipt: bool) -> Response<Body> {
    if req.method() != Method::POST {
        return method_not_allowed("POST");
    }
    let header_text = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let signature = header_text(crate::notify::calls::SIGNATURE_HEADER);
    let json = header_text(header::CONTENT_TYPE.as_str()).is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    let key: Option<String> = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "key")
            .map(|(_, v)| v.into_owned())
    });
    let length = req.headers().get(header::CONTENT_LENGTH).cloned();
    let body = match read_body(app, req.into_body(), length.as_ref(), 64 * 1024).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (signature, key) = (signature.as_deref(), key.as_deref());
    let answer = if receipt {
        crate::inbound::sms::receipts(app, site, signature, key, json, &body).await
    } else {
        crate::inbound::sms::callback(app, site, signature, key, json, &body).await
    };
    let mut r = Response::new(Full::new(Bytes::from(answer.body)));
    *r.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn too_large(limit: usize) -> Response<Body> {
    text(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("Requête trop volumineuse (au plus {limit} octets)."),
    )
}

#[cfg(test)]
mod tests {
    use super::route_family;

    #[test]
    fn route_families_name_kinds_of_address_never_their_variable_parts() {
        let family = |path: &str| {
            let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            route_family(&segments)
        };
        assert_eq!(family("/health"), "health");
        assert_eq!(family("/metrics"), "metrics");
        assert_eq!(family("/brest/soap"), "soap");
        assert_eq!(family("/brest/soap/test"), "soap-test");
        assert_eq!(family("/brest/open311/v2/requests.json"), "open311");
        assert_eq!(
            family("/brest/backoffice/requests/2026-000012"),
            "backoffice"
        );
        assert_eq!(family("/brest/backoffice/admin/agents"), "admin");
        assert_eq!(family("/brest/suivi/ABCD-EFGH"), "pages");
        assert_eq!(family("/"), "other");
    }
}
