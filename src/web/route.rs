//! Route tables: each surface (citizen pages, back office, administration)
//! lists its pages once — method, path pattern, guard, handler — and
//! [`dispatch`] finds the page, answers 405 with the methods the table
//! allows on that path (so `Allow` can never drift from the handlers),
//! applies the guard, and calls the handler with the request's [`Ctx`].
//!
//! Patterns are written after the surface's prefix: `""` (the surface's
//! root, with or without its trailing slash), literal segments, `{name}` for
//! one segment and `{name*}` for one or more.

use super::session::{self, Session};
use super::view::Frame;
use super::{Body, Fields, PageRequest};
use crate::tenant::Site;
use crate::usecases::App;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'r> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'r>>;

/// A page's handler: an `async fn(&Ctx<'_>) -> Response<Body>` boxed by
/// [`handler!`](crate::web::handler).
pub type Handler = for<'r> fn(&'r Ctx<'r>) -> BoxFuture<'r>;

/// Who may open a page. Checked by [`dispatch`] before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Anyone (citizen pages, the login page). A POST must still come from
    /// our own pages.
    Public,
    /// A logged-in agent; a POST also carries the session's anti-forgery
    /// token.
    Agent,
    /// A logged-in administrator of the tenant.
    Admin,
}

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub guard: Guard,
    pub handler: Handler,
}

/// What a surface does with a path none of its routes matches.
pub struct Surface {
    /// `/backoffice`, `/backoffice/admin`, or empty for the citizen pages.
    pub prefix: &'static str,
    pub routes: &'static [Route],
    /// The guard of the not-found page (the back office says "not found"
    /// only to agents).
    pub unknown: Guard,
    /// What a guarded page answers without a session (the login page).
    pub login_first: fn(&Ctx<'_>) -> Response<Body>,
    /// What an agent without the right sees.
    pub forbidden: fn(&Ctx<'_>) -> Response<Body>,
}

/// Wraps an `async fn(&Ctx<'_>) -> Response<Body>` as a [`Handler`].
#[macro_export]
macro_rules! handler {
    ($f:path) => {{
        fn boxed<'r>(cx: &'r $crate::web::route::Ctx<'r>) -> $crate::web::route::BoxFuture<'r> {
            Box::pin($f(cx))
        }
        boxed as $crate::web::route::Handler
    }};
}

/// Everything a handler needs of one request.
pub struct Ctx<'r> {
    pub app: &'r App,
    pub site: &'r Site,
    pub frame: &'r Frame<'r>,
    pub req: &'r PageRequest<'r>,
    /// The logged-in agent, on guarded pages (and on public ones when a
    /// session cookie is valid).
    pub session: Option<Session>,
    /// The fields of a POST body, urlencoded or multipart (empty for other
    /// methods).
    pub fields: Fields,
    /// The surface's prefix (`/backoffice`…).
    pub prefix: &'static str,
    segments: &'r [&'r str],
    captures: Vec<(&'static str, usize, usize)>,
}

impl<'r> Ctx<'r> {
    /// The segment a `{name}` captured.
    pub fn param(&self, name: &str) -> &'r str {
        self.rest(name).first().copied().unwrap_or("")
    }

    /// The segments a `{name*}` (or `{name}`) captured.
    pub fn rest(&self, name: &str) -> &'r [&'r str] {
        self.captures
            .iter()
            .find(|(n, _, _)| *n == name)
            .map_or(&[], |&(_, from, to)| &self.segments[from..to])
    }

    /// The path after the surface's prefix, in segments.
    pub fn segments(&self) -> &'r [&'r str] {
        self.segments
    }

    /// The agent's session; only guarded handlers may call it.
    pub fn session(&self) -> &Session {
        self.session
            .as_ref()
            .expect("a guarded route runs only with a session")
    }

    pub fn query(&self, name: &str) -> Option<String> {
        self.req.query_values(name).into_iter().next()
    }
}

/// Matches `segments` against a pattern; the captures on success.
fn matches(pattern: &'static str, segments: &[&str]) -> Option<Vec<(&'static str, usize, usize)>> {
    let root = segments.is_empty() || segments == [""];
    if pattern.is_empty() {
        return root.then(Vec::new);
    }
    if root {
        return None;
    }
    let mut captures = Vec::new();
    let parts: Vec<&'static str> = pattern.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix("*}")) {
            if i >= segments.len() {
                return None;
            }
            captures.push((name, i, segments.len()));
            return Some(captures);
        }
        let segment = segments.get(i)?;
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => captures.push((name, i, i + 1)),
            None if part == segment => {}
            None => return None,
        }
    }
    (parts.len() == segments.len()).then_some(captures)
}

/// `GET, HEAD, POST`: the methods the matching routes take, in that order.
fn allow(methods: &[&Method]) -> String {
    let mut names = Vec::new();
    if methods.contains(&&Method::GET) {
        names.extend(["GET", "HEAD"]);
    }
    if methods.contains(&&Method::POST) {
        names.push("POST");
    }
    names.join(", ")
}

pub fn method_not_allowed(allowed: &str) -> Response<Body> {
    let mut r = super::plain(StatusCode::METHOD_NOT_ALLOWED, "Méthode non permise.");
    if let Ok(v) = HeaderValue::from_str(allowed) {
        r.headers_mut().insert(header::ALLOW, v);
    }
    r
}

/// Finds the page for `segments` (the path after the surface's prefix) in
/// `surface`, checks method and guard, and runs it.
pub async fn dispatch(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    req: &PageRequest<'_>,
    surface: &Surface,
    segments: &[&str],
) -> Response<Body> {
    let method = if req.method == Method::HEAD {
        &Method::GET
    } else {
        req.method
    };
    let mut found = None;
    let mut methods = Vec::new();
    for route in surface.routes {
        if let Some(captures) = matches(route.path, segments) {
            if route.method == *method && found.is_none() {
                found = Some((route.guard, route.handler, captures));
            }
            methods.push(&route.method);
        }
    }
    let (guard, handler, captures) = match found {
        Some(f) => f,
        None if !methods.is_empty() => return method_not_allowed(&allow(&methods)),
        None if *method != Method::GET => return method_not_allowed("GET, HEAD"),
        None => (surface.unknown, NOT_FOUND, Vec::new()),
    };
    let post = *method == Method::POST;
    if post && !super::same_origin(req) {
        tracing::warn!(tenant = %site.tenant.slug, prefix = surface.prefix, "form posted from another site: refused");
        return super::plain(
            StatusCode::FORBIDDEN,
            if surface.prefix.is_empty() {
                "Ce formulaire ne peut être envoyé que depuis sa propre page."
            } else {
                "Ce formulaire ne peut être envoyé que depuis l'espace agents."
            },
        );
    }
    let fields = if post {
        match Fields::read(req).await {
            Ok(fields) => fields,
            Err(why) => {
                tracing::warn!(tenant = %site.tenant.slug, prefix = surface.prefix, %why, "unreadable multipart form");
                return super::plain(StatusCode::BAD_REQUEST, "Formulaire illisible.");
            }
        }
    } else {
        Fields::default()
    };
    let mut cx = Ctx {
        app,
        site,
        frame,
        req,
        session: None,
        fields,
        prefix: surface.prefix,
        segments,
        captures,
    };
    if guard != Guard::Public {
        match session::current(app, site, req).await {
            Some(s) => cx.session = Some(s),
            None => return (surface.login_first)(&cx),
        }
        let s = cx.session();
        if post && !session::token_ok(app, site, s, &cx.fields) {
            return super::plain(
                StatusCode::FORBIDDEN,
                &frame.message("bo.notice.form-expired"),
            );
        }
        if guard == Guard::Admin && !s.record.agent.admin {
            return (surface.forbidden)(&cx);
        }
    }
    handler(&cx).await
}

const NOT_FOUND: Handler = crate::handler!(not_found);

async fn not_found(cx: &Ctx<'_>) -> Response<Body> {
    super::not_found(cx.site, cx.frame, cx.req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_capture_segments() {
        assert_eq!(matches("", &[]), Some(vec![]));
        assert_eq!(matches("", &[""]), Some(vec![]));
        assert_eq!(matches("login", &[""]), None);
        assert_eq!(matches("login", &["login"]), Some(vec![]));
        assert_eq!(matches("login", &["login", "x"]), None);
        assert_eq!(
            matches("requests/{reference}", &["requests", "2026-000001"]),
            Some(vec![("reference", 1, 2)])
        );
        assert_eq!(matches("requests/{reference}", &["requests"]), None);
        assert_eq!(
            matches("templates/{scope*}", &["templates", "a", "b"]),
            Some(vec![("scope", 1, 3)])
        );
        assert_eq!(matches("templates/{scope*}", &["templates"]), None);
    }

    #[test]
    fn allow_lists_head_with_get() {
        assert_eq!(allow(&[&Method::GET]), "GET, HEAD");
        assert_eq!(allow(&[&Method::POST, &Method::GET]), "GET, HEAD, POST");
        assert_eq!(allow(&[&Method::POST]), "POST");
    }
}
