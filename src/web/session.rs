//! The agents' session: a random token in a cookie (`HttpOnly`,
//! `SameSite=Strict`, `Secure` unless the server is addressed on a loopback
//! name, path limited to the back office), of which the store keeps only the
//! SHA-256; and the anti-forgery token every back-office POST carries, bound
//! to the session.

use crate::auth;
use crate::store::AgentRecord;
use crate::tenant::Site;
use crate::usecases::App;
use crate::web::Fields;
use crate::web::PageRequest;
use hyper::header::{self, HeaderValue};

pub(crate) const COOKIE: &str = "guichet_session";

pub struct Session {
    pub record: AgentRecord,
    pub digest: String,
    pub token: String,
}

pub(crate) fn now_secs(app: &App) -> i64 {
    (app.clock)().as_second()
}

pub(crate) fn session_purpose(site: &Site, digest: &str) -> String {
    format!(
        "{}/backoffice/{}",
        site.tenant.slug,
        &digest[..16.min(digest.len())]
    )
}

pub(crate) fn login_purpose(site: &Site) -> String {
    format!("{}/backoffice/login", site.tenant.slug)
}

/// The value of the request's cookie `name`.
pub(crate) fn cookie(req: &PageRequest, name: &str) -> Option<String> {
    req.headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The digest of the session token in the request's cookie `name`, when
/// it holds one (64 hex digits): what the store knows a session by.
pub(crate) fn session_digest(req: &PageRequest, name: &str) -> Option<String> {
    let token = cookie(req, name)?;
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| auth::session_digest(&token))
}

/// The session the request's cookie names, if it is valid.
pub async fn current(app: &App, site: &Site, req: &PageRequest<'_>) -> Option<Session> {
    let digest = session_digest(req, COOKIE)?;
    match app
        .store
        .session_agent(site.tenant.id, digest.clone(), (app.clock)())
        .await
    {
        Ok(Some(record)) => {
            let token = app
                .secret
                .issue(&session_purpose(site, &digest), now_secs(app));
            Some(Session {
                record,
                digest,
                token,
            })
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            None
        }
    }
}

pub(crate) fn is_loopback(req: &PageRequest) -> bool {
    let host = req
        .origin
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let name = if host.starts_with('[') {
        host.split(']')
            .next()
            .unwrap_or(host)
            .trim_start_matches('[')
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name == "localhost" || name.starts_with("127.") || name == "::1"
}

pub(crate) fn set_cookie(site: &Site, req: &PageRequest, value: &str, max_age: i64) -> HeaderValue {
    session_cookie(
        req,
        COOKIE,
        value,
        &format!("/{}/backoffice", site.tenant.slug),
        "Strict",
        max_age,
    )
}

/// A session cookie `name` (`HttpOnly`, `Secure` unless the server is
/// addressed on a loopback name) for `path`; `max_age` 0 ends it.
pub(crate) fn session_cookie(
    req: &PageRequest,
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age: i64,
) -> HeaderValue {
    let secure = if is_loopback(req) { "" } else { "; Secure" };
    cookie_header(
        name,
        value,
        path,
        max_age,
        &format!("SameSite={same_site}{secure}"),
    )
}

/// A session cookie for a page in a third-party frame: partitioned (CHIPS),
/// so `SameSite=None`, which needs `Secure` — even on a loopback address,
/// where browsers accept it.
pub(crate) fn partitioned_cookie(name: &str, value: &str, path: &str, max_age: i64) -> HeaderValue {
    cookie_header(
        name,
        value,
        path,
        max_age,
        "SameSite=None; Secure; Partitioned",
    )
}

/// `name=value; Path; Max-Age; HttpOnly; {attributes}`, or a cookie that
/// ends it when the value cannot be a header.
fn cookie_header(
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
    attributes: &str,
) -> HeaderValue {
    let text = format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; {attributes}");
    HeaderValue::from_str(&text)
        .or_else(|_| HeaderValue::from_str(&format!("{name}=; Max-Age=0")))
        .unwrap_or(HeaderValue::from_static("guichet_session=; Max-Age=0"))
}

/// Whether a POST carries the session's anti-forgery token.
pub fn token_ok(app: &App, site: &Site, session: &Session, fields: &Fields) -> bool {
    app.secret.verify(
        &session_purpose(site, &session.digest),
        fields.get("_token").unwrap_or(""),
        now_secs(app),
    )
}
