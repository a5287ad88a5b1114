//! The web channel: the pages a citizen sees, embedded in the town's site.
//!
//! Every page is an XML view ([`view`]) turned into HTML by an XSLT stylesheet
//! ([`crate::render`]). Forms go through the same core `Submission` path as
//! SOAP. Pages carry a strict Content-Security-Policy (scripts only from
//! Guichet's own files, framing only by the tenant's declared origins).

pub mod account;
pub mod admin;
pub mod backoffice;
pub mod citizen;
pub mod personal;
pub mod printed;
pub mod route;
pub mod session;
pub mod view;

pub use backoffice::run_exports;

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
            ["backoffice", "intake", channel, ..] => {
                view::Desk::intake(channel).unwrap_or(view::Desk::Public)
            }
            _ => view::Desk::Public,
        },
        inbound: match req.rest {
            ["backoffice", "intake", "email" | "sms", ..] => req.query.and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "inbound")
                    .and_then(|(_, v)| v.parse().ok())
            }),
            _ => None,
        },
    };
    let (surface, segments) = match req.rest {
        ["backoffice", "admin", rest @ ..] => (&admin::SURFACE, rest),
        ["backoffice", "test", rest @ ..] => (&citizen::TESTERS, rest),
        ["backoffice", "intake", channel, rest @ ..] if view::Desk::intake(channel).is_some() => {
            (&citizen::INTAKE, rest)
        }
        ["backoffice", rest @ ..] => (&backoffice::SURFACE, rest),
        // The contract names `/T/admin/…` for administrators; their pages
        // are in the back office (one login, one session, one agent's bar),
        // so that path leads there for good, method and body kept (308).
        ["admin", rest @ ..] => return admin_redirect(&frame, &req, rest),
        ["account", rest @ ..] => (&account::SURFACE, rest),
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

/// A file sent with a form (`multipart/form-data`): the name it had on the
/// sender's machine (without its folders; empty when none was chosen) and
/// its bytes, as sent.
pub struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
}

/// Form fields of a POST body, in order (repeated names kept), and the
/// files it carries.
#[derive(Default)]
pub struct Fields {
    values: Vec<(String, String)>,
    files: Vec<(String, Upload)>,
}

impl Fields {
    /// An `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Fields {
        Fields {
            values: form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            files: Vec::new(),
        }
    }

    /// The fields of a POST, read the one way for every page: a
    /// `multipart/form-data` body (a form that sends files) gives its text
    /// parts as fields like any other — the anti-forgery token `_token`
    /// included, so the guard checks it whatever the form's encoding — and
    /// its files apart ([`Fields::file`]); any other body is read as
    /// urlencoded, what forms send by default. `Err` says why a multipart
    /// body cannot be read.
    pub async fn read(req: &PageRequest<'_>) -> Result<Fields, String> {
        let content_type = req
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("multipart/form-data") {
            return Ok(Fields::parse(&req.body));
        }
        let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
        // The body is already whole and bounded (`--max-body`): the parser
        // reads it as a stream of one chunk.
        use http_body_util::BodyExt;
        let stream = Full::new(req.body.clone()).into_data_stream();
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut fields = Fields::default();
        while let Some(part) = multipart.next_field().await.map_err(|e| e.to_string())? {
            let name = part.name().unwrap_or("").to_owned();
            match part.file_name().map(file_name) {
                Some(file_name) => {
                    let bytes = part.bytes().await.map_err(|e| e.to_string())?;
                    fields.files.push((name, Upload { file_name, bytes }));
                }
                None => {
                    let text = part.text().await.map_err(|e| e.to_string())?;
                    fields.values.push((name, text));
                }
            }
        }
        Ok(fields)
    }

    /// The file sent as `name`, if the form has such a file input (its
    /// name and bytes are empty when no file was chosen).
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.iter().find(|(k, _)| k == name).map(|(_, f)| f)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
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

    /// Every text field, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every file, in order, with the name of its input.
    pub fn files(&self) -> impl Iterator<Item = (&str, &Upload)> {
        self.files.iter().map(|(k, f)| (k.as_str(), f))
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A file's name as a browser sends it, without the folders some put before
/// it.
fn file_name(sent: &str) -> String {
    crate::core::files::base_name(sent).to_owned()
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

/// A kept file, downloaded: as an attachment (never shown in the page's
/// origin), its type the one found in its content, `nosniff`, a sandboxing
/// CSP in case a browser opens it anyway, not cached by shared caches.
pub(crate) fn file_download(file: &crate::core::files::Attached, bytes: Bytes) -> Response<Body> {
    download(bytes, &file.media_type, &file.name)
}

/// Bytes served as a file to save (`file_name`), never rendered in the
/// page's origin: the headers of [`file_download`].
pub(crate) fn download(bytes: Bytes, media_type: &str, file_name: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(bytes));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // The ASCII name for old clients, the UTF-8 one (RFC 6266, 5987) for the rest.
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
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
    // The sign-in with the town's identity provider is a form whose answer
    // redirects to the provider: form-action covers redirects too.
    let mut form_action = String::from("'self'");
    if !backoffice
        && let Some(origin) = look
            .settings
            .openid
            .as_ref()
            .and_then(|p| origin_of(&p.issuer))
    {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    // The back office's map draws the town's tile server's images.
    let mut images = String::from("'self' data:");
    if backoffice && let Some(origin) = look.settings.map.tile_origin() {
        images.push(' ');
        images.push_str(&origin);
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; connect-src 'self'; form-action {form_action}; base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// `scheme://host[:port]` of an http(s) URL, when it is plainly one.
fn origin_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = url.len() - rest.len() + rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = &url[..end];
    origin
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b":/.-[]".contains(&b))
        .then_some(origin)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(headers: &'a HeaderMap, body: &'static [u8]) -> PageRequest<'a> {
        PageRequest {
            method: &Method::POST,
            rest: &[],
            query: None,
            headers,
            origin: "http://127.0.0.1:8080",
            body: Bytes::from_static(body),
            peer: std::net::Ipv4Addr::LOCALHOST.into(),
        }
    }

    fn typed(content_type: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h
    }

    #[test]
    fn forms_may_send_to_the_towns_identity_provider_only() {
        assert_eq!(
            origin_of("https://fc.example:8443/api/v1?x"),
            Some("https://fc.example:8443")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:4000"),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(origin_of("https://a.example; script-src *"), None);
        assert_eq!(origin_of("ftp://a.example"), None);
    }

    #[tokio::test]
    async fn multipart_forms_give_their_fields_and_files_apart() {
        let headers = typed("multipart/form-data; boundary=XX");
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"_token\"\r\n\r\nt0k3n\r\n--XX\r\nContent-Disposition: form-data; name=\"definition-file\"; filename=\"C:\\\\Mairie\\\\d\xc3\xa9f.xml\"\r\nContent-Type: text/xml\r\n\r\n<a>\xff</a>\r\n--XX\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n\r\n--XX--\r\n";
        let fields = Fields::read(&request(&headers, body)).await.unwrap();
        assert_eq!(fields.get("_token"), Some("t0k3n"));
        assert_eq!(
            fields.get("definition-file"),
            None,
            "a file is no text field"
        );
        let file = fields.file("definition-file").unwrap();
        assert_eq!(file.file_name, "déf.xml", "without its folders");
        assert_eq!(&file.bytes[..], b"<a>\xff</a>", "the bytes as sent");
        let empty = fields.file("empty").unwrap();
        assert!(empty.file_name.is_empty() && empty.bytes.is_empty());
        let no_boundary = typed("multipart/form-data");
        assert!(Fields::read(&request(&no_boundary, body)).await.is_err());
        let cut = typed("multipart/form-data; boundary=XX");
        let truncated = b"--XX\r\nContent-Disposition: form-data; name=\"_token\"\r\n\r\nt0k";
        assert!(Fields::read(&request(&cut, truncated)).await.is_err());
    }

    #[tokio::test]
    async fn other_bodies_are_read_as_urlencoded() {
        for content_type in ["application/x-www-form-urlencoded", "text/plain"] {
            let headers = typed(content_type);
            let fields = Fields::read(&request(&headers, b"_token=a&x=1&x=2"))
                .await
                .unwrap();
            assert_eq!(fields.get("_token"), Some("a"));
            assert_eq!(fields.all("x"), ["1", "2"]);
            assert!(fields.file("x").is_none());
        }
    }
}
