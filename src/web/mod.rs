//! The web channel: the pages a citizen sees, embedded in the town's site.
//!
//! Every page is an XML view ([`view`]) turned into HTML by an XSLT stylesheet
//! ([`crate::render`]). Forms go through the same core `Submission` path as
//! SOAP. Pages carry a strict Content-Security-Policy (scripts only from
//! Guichet's own files, framing only by the tenant's declared origins).

pub mod admin;
pub mod backoffice;
pub mod citizen;
pub mod route;
pub mod session;
pub mod view;

use crate::tenant::Site;
use crate::tenant::look::Look;
use crate::usecases::App;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Response, StatusCode};
use view::Frame;

pub(crate) type Body = Full<Bytes>;

/// What the web channel needs of an HTTP request.
pub struct PageRequest<'a> {
    pub method: &'a Method,
    /// Path segments after the tenant slug.
    pub rest: &'a [&'a str],
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    /// `http://host:port`, as the client addressed us.
    pub origin: &'a str,
    /// The body of a POST (already size-limited).
    pub body: Bytes,
    /// The client's address (login throttling).
    pub peer: std::net::IpAddr,
}

impl PageRequest<'_> {
    pub(crate) fn query_values(&self, name: &str) -> Vec<String> {
        self.query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn wants_xml(&self) -> bool {
        if self.query_values("format").iter().any(|f| f == "xml") {
            return true;
        }
        let accept = self
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        (accept.contains("application/xml") || accept.contains("text/xml"))
            && !accept.contains("text/html")
    }
}

/// Serves a page under `/T/…`: picks the surface by the path's first
/// segments, then its route table decides.
pub async fn handle(app: &App, site: &Site, req: PageRequest<'_>) -> Response<Body> {
    let look = site.look.get();
    let requested = req.query_values("lang").into_iter().next();
    let lang = requested
        .as_deref()
        .filter(|l| look.has_language(l))
        .unwrap_or(&look.settings.language)
        .to_owned();
    let frame = Frame {
        tenant: &site.tenant,
        step_colours: &site.step_colours,
        look: &look,
        lang: &lang,
        base: format!("/{}", site.tenant.slug),
        backoffice: matches!(req.rest, ["backoffice", ..]),
        desk: match req.rest {
            ["backoffice", "test", ..] => view::Desk::Testers,
            _ => view::Desk::Public,
        },
    };
    let (surface, segments) = match req.rest {
        ["backoffice", "admin", rest @ ..] => (&admin::SURFACE, rest),
        ["backoffice", "test", rest @ ..] => (&citizen::TESTERS, rest),
        ["backoffice", rest @ ..] => (&backoffice::SURFACE, rest),
        // The contract names `/T/admin/…` for administrators; their pages
        // are in the back office (one login, one session, one agent's bar),
        // so that path leads there for good, method and body kept (308).
        ["admin", rest @ ..] => return admin_redirect(&frame, &req, rest),
        rest => (&citizen::SURFACE, rest),
    };
    route::dispatch(app, site, &frame, &req, surface, segments).await
}

fn admin_redirect(frame: &Frame, req: &PageRequest, rest: &[&str]) -> Response<Body> {
    let mut location = format!("{}/backoffice/admin", frame.base);
    for part in rest.iter().filter(|p| !p.is_empty()) {
        location.push('/');
        location.push_str(part);
    }
    if let Some(q) = req.query {
        location.push('?');
        location.push_str(q);
    }
    let mut r = redirect(&location);
    *r.status_mut() = StatusCode::PERMANENT_REDIRECT;
    r
}

/// Form fields of a POST body, in order (repeated names kept).
/// Form fields of a POST body, in order (repeated names kept).
#[derive(Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The browser says where a POST comes from; only Guichet's own pages may
/// post. Fetch metadata (`Sec-Fetch-Site`) decides when present; otherwise the
/// `Origin` header, when it names a site, must be ours (`null`, sent by some
/// browsers for privacy, says nothing). The form's token is checked as well.
pub(crate) fn same_origin(req: &PageRequest) -> bool {
    if let Some(site) = req
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        return site == "same-origin" || site == "none";
    }
    match req
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        None | Some("null") => true,
        Some(origin) => origin == req.origin,
    }
}

pub(crate) fn not_found(site: &Site, frame: &Frame, req: &PageRequest) -> Response<Body> {
    let v = view::error(
        frame,
        404,
        &frame.message("page.not-found"),
        &frame.message("page.not-found-text"),
    );
    page(
        site,
        frame,
        req,
        StatusCode::NOT_FOUND,
        "error.xsl",
        v,
        false,
    )
}

pub(crate) fn redirect(location: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

pub(crate) fn plain(status: StatusCode, message: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(format!("{message}\n"))));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Content-Security-Policy of every page: nothing inline, nothing foreign,
/// framing only by the tenant's declared origins.
pub fn content_security_policy(look: &Look, backoffice: bool) -> String {
    let mut ancestors = String::from("'self'");
    // The back office is never framed by the town's site.
    if !backoffice {
        for origin in &look.settings.frame_ancestors {
            ancestors.push(' ');
            ancestors.push_str(origin);
        }
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// Renders a view as HTML, or returns it as XML when asked.
pub(crate) fn page(
    site: &Site,
    frame: &Frame,
    req: &PageRequest,
    status: StatusCode,
    stylesheet: &str,
    view: String,
    private: bool,
) -> Response<Body> {
    let (body, content_type) = if req.wants_xml() {
        (
            Bytes::from(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{view}\n"
            )),
            "application/xml; charset=utf-8",
        )
    } else {
        match crate::render::render(&site.look.dir().join("xslt"), stylesheet, &view) {
            Ok(html) => (Bytes::from(html), "text/html; charset=utf-8"),
            Err(e) => {
                tracing::error!(tenant = %site.tenant.slug, page = %stylesheet, error = %e, "page could not be rendered");
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Cette page ne peut pas être affichée pour le moment.",
                );
            }
        }
    };
    html_response(frame, status, body, content_type, private)
}

/// A page's response with the headers every page carries.
pub(crate) fn html_response(
    frame: &Frame,
    status: StatusCode,
    body: Bytes,
    content_type: &'static str,
    private: bool,
) -> Response<Body> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(frame.look, frame.backoffice)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Tracking codes travel in URLs: never leak them to another site.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if private || frame.backoffice {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(lang) = HeaderValue::from_str(frame.lang) {
        h.insert(header::CONTENT_LANGUAGE, lang);
    }
    r
}
