//! The citizen's pages, embedded in the town's site: the catalogue, each
//! service's form (its POST goes through the same submit use case as SOAP),
//! the acknowledgement, the tracking lookup and page, and the built-in
//! assets.
//!
//! Where to add a citizen page: a handler here (or a file beside it when it
//! grows), a line in [`ROUTES`], its stylesheet in `xslt/`.

use crate::core::forms::RawValue;
use crate::core::intake::{Channel, Submission};
use crate::core::status::{self, CitizenStatus};
use crate::core::tracking::TrackingCode;
use crate::handler;
use crate::tenant::Site;
use crate::tenant::look::Look;
use crate::usecases::App;
use crate::usecases::submit::{self, SubmitError};
use crate::web::route::{Ctx, Guard, Route, Surface};
use crate::web::view::{self, Entered};
use crate::web::{Body, html_response, not_found, page, plain, redirect};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};
use std::sync::Arc;

/// The citizen pages: method, path after `/T/`, guard, handler.
pub static ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "",
        guard: Guard::Public,
        handler: handler!(catalogue),
    },
    Route {
        method: Method::GET,
        path: "services/{code}",
        guard: Guard::Public,
        handler: handler!(form),
    },
    Route {
        method: Method::POST,
        path: "services/{code}",
        guard: Guard::Public,
        handler: handler!(post_form),
    },
    Route {
        method: Method::GET,
        path: "receipt/{code}",
        guard: Guard::Public,
        handler: handler!(receipt),
    },
    Route {
        method: Method::GET,
        path: "track",
        guard: Guard::Public,
        handler: handler!(lookup),
    },
    Route {
        method: Method::GET,
        path: "track/{code}",
        guard: Guard::Public,
        handler: handler!(tracking),
    },
    Route {
        method: Method::GET,
        path: "assets/{file}",
        guard: Guard::Public,
        handler: handler!(assets),
    },
];

pub static SURFACE: Surface = Surface {
    prefix: "",
    routes: ROUTES,
    unknown: Guard::Public,
    login_first: not_found_page,
    forbidden: not_found_page,
};

/// Citizen pages have no session: nothing is guarded here.
fn not_found_page(cx: &Ctx<'_>) -> Response<Body> {
    not_found(cx.site, cx.frame, cx.req)
}

async fn catalogue(cx: &Ctx<'_>) -> Response<Body> {
    let v = view::catalogue(cx.frame);
    page(
        cx.site,
        cx.frame,
        cx.req,
        StatusCode::OK,
        "catalogue.xsl",
        v,
        false,
    )
}

async fn form(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let Some(service) = site.tenant.service(cx.param("code")).cloned() else {
        return not_found(site, frame, req);
    };
    let token = app
        .secret
        .issue(&form_purpose(site, &service.code), now_secs(app));
    if req.wants_xml() {
        let v = view::form(
            frame,
            &service,
            &Entered { entries: &[] },
            &[],
            &token,
            None,
        );
        return page(site, frame, req, StatusCode::OK, "form.xsl", v, false);
    }
    // An empty form is the same for everyone but its token: render it once
    // per thread and put the token in.
    let key = format!(
        "form:{}:{}:{}",
        service.code, frame.lang, frame.look.version
    );
    let html =
        crate::render::render_cached(&site.look.dir().join("xslt"), "form.xsl", &key, || {
            view::form(
                frame,
                &service,
                &Entered { entries: &[] },
                &[],
                TOKEN_PLACEHOLDER,
                None,
            )
        });
    match html {
        Ok(html) => {
            let html = String::from_utf8_lossy(&html).replacen(TOKEN_PLACEHOLDER, &token, 1);
            html_response(
                frame,
                StatusCode::OK,
                Bytes::from(html),
                "text/html; charset=utf-8",
                false,
            )
        }
        Err(e) => {
            tracing::error!(tenant = %site.tenant.slug, error = %e, "form could not be rendered");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Cette page ne peut pas être affichée pour le moment.",
            )
        }
    }
}

async fn post_form(cx: &Ctx<'_>) -> Response<Body> {
    match cx.site.tenant.service(cx.param("code")).cloned() {
        Some(service) => submit(cx, &service).await,
        None => not_found(cx.site, cx.frame, cx.req),
    }
}

async fn receipt(cx: &Ctx<'_>) -> Response<Body> {
    match find(cx.app, cx.site, cx.param("code")).await {
        Some((status, code)) => {
            let v = view::receipt(cx.frame, &status, &code.to_string());
            page(
                cx.site,
                cx.frame,
                cx.req,
                StatusCode::OK,
                "receipt.xsl",
                v,
                true,
            )
        }
        None => not_found(cx.site, cx.frame, cx.req),
    }
}

async fn lookup(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let typed = cx.query("code").unwrap_or_default();
    if typed.trim().is_empty() {
        let v = view::lookup(frame, "", None);
        return page(site, frame, req, StatusCode::OK, "track.xsl", v, false);
    }
    match TrackingCode::parse(&typed) {
        None => {
            let v = view::lookup(frame, &typed, Some(&frame.message("track.malformed")));
            page(
                site,
                frame,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                "track.xsl",
                v,
                true,
            )
        }
        Some(code) => match find(cx.app, site, &code.to_string()).await {
            Some(_) => redirect(&frame.url(&format!("/track/{code}"))),
            None => unknown_code(cx, &typed),
        },
    }
}

async fn tracking(cx: &Ctx<'_>) -> Response<Body> {
    let code = cx.param("code");
    match find(cx.app, cx.site, code).await {
        Some((status, code)) => {
            let v = view::tracking(cx.frame, &status, &code.to_string());
            page(
                cx.site,
                cx.frame,
                cx.req,
                StatusCode::OK,
                "track.xsl",
                v,
                true,
            )
        }
        None => unknown_code(cx, code),
    }
}

async fn assets(cx: &Ctx<'_>) -> Response<Body> {
    asset(cx.frame.look, &cx.site.step_colours, cx.param("file"))
}

/// Stands for the anti-forgery token in cached form pages.
const TOKEN_PLACEHOLDER: &str = "guichet-token-placeholder";

/// Built-in static files.
const GUICHET_CSS: &str = include_str!("../../css/guichet.css");

const BACKOFFICE_CSS: &str = include_str!("../../css/backoffice.css");

const FRAME_JS: &str = include_str!("../../js/frame.js");

const EMBED_JS: &str = include_str!("../../js/embed.js");

fn form_purpose(site: &Site, code: &str) -> String {
    format!("{}/form/{code}", site.tenant.slug)
}

fn now_secs(app: &App) -> i64 {
    (app.clock)().as_second()
}

/// A request and its status by tracking code, if the code is well-formed and known.
async fn find(app: &App, site: &Site, typed: &str) -> Option<(CitizenStatus, TrackingCode)> {
    let code = TrackingCode::parse(typed)?;
    let record = match app
        .store
        .request_by_tracking(site.tenant.id, code.digest())
        .await
    {
        Ok(r) => r?,
        Err(e) => {
            tracing::error!(tenant = %site.tenant.slug, error = %e, "status lookup failed");
            return None;
        }
    };
    let service = site
        .tenant
        .service_version(&record.service_code, record.service_version)?;
    Some((
        status::citizen_view(service, &record, &site.tenant.time_zone),
        code,
    ))
}

/// Raw entries from a form body: `requester.address.street=…` becomes nested groups.
fn entries_from_form(body: &[u8]) -> (Vec<(String, RawValue)>, Option<String>) {
    let mut entries: Vec<(String, RawValue)> = Vec::new();
    let mut token = None;
    for (key, value) in form_urlencoded::parse(body) {
        if key == "_token" {
            token = Some(value.into_owned());
            continue;
        }
        let parts: Vec<&str> = key.split('.').collect();
        insert(&mut entries, &parts, value.into_owned());
    }
    (entries, token)
}

fn insert(entries: &mut Vec<(String, RawValue)>, path: &[&str], value: String) {
    match path {
        [] => {}
        [name] => entries.push(((*name).to_owned(), RawValue::Text(value))),
        [name, rest @ ..] => {
            let existing = entries
                .iter_mut()
                .find(|(n, v)| n == name && matches!(v, RawValue::Group(_)));
            match existing {
                Some((_, RawValue::Group(items))) => insert(items, rest, value),
                _ => {
                    let mut items = Vec::new();
                    insert(&mut items, rest, value);
                    entries.push(((*name).to_owned(), RawValue::Group(items)));
                }
            }
        }
    }
}

async fn submit(cx: &Ctx<'_>, service: &Arc<crate::core::catalogue::Service>) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let purpose = form_purpose(site, &service.code);
    let now = now_secs(app);
    let fresh_token = app.secret.issue(&purpose, now);
    let content_type = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Envoyez le formulaire en application/x-www-form-urlencoded.",
        );
    }
    if !crate::web::same_origin(req) {
        tracing::warn!(tenant = %site.tenant.slug, "form posted from another site: refused");
        return plain(
            StatusCode::FORBIDDEN,
            "Ce formulaire ne peut être envoyé que depuis sa propre page.",
        );
    }
    let (entries, token) = entries_from_form(&req.body);
    let entered = Entered { entries: &entries };
    if !token.is_some_and(|t| app.secret.verify(&purpose, &t, now)) {
        let v = view::form(
            frame,
            service,
            &entered,
            &[],
            &fresh_token,
            Some(&frame.message("form.expired")),
        );
        return page(site, frame, req, StatusCode::FORBIDDEN, "form.xsl", v, true);
    }
    let submission = Submission {
        channel: Channel::Web,
        entries: entries.clone(),
        lang: frame.lang.to_owned(),
    };
    match submit::submit(app, site, service, &submission).await {
        Err(SubmitError::Invalid(errors)) => {
            let v = view::form(frame, service, &entered, &errors, &fresh_token, None);
            page(
                site,
                frame,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                "form.xsl",
                v,
                true,
            )
        }
        Err(SubmitError::Unavailable(_)) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Votre demande n'a pas pu être enregistrée. Réessayez dans quelques instants.",
        ),
        Ok(receipt) => redirect(&frame.url(&format!("/receipt/{}", receipt.tracking_code))),
    }
}

/// The lookup page again, saying no request has this code.
fn unknown_code(cx: &Ctx<'_>, typed: &str) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let v = view::lookup(frame, typed, Some(&frame.message("track.unknown")));
    page(
        site,
        frame,
        req,
        StatusCode::NOT_FOUND,
        "track.xsl",
        v,
        true,
    )
}

fn asset(
    look: &Look,
    step_colours: &crate::tenant::look::StepColours,
    file: &str,
) -> Response<Body> {
    let (body, content_type): (Bytes, &str) = match file {
        "steps.css" => (
            Bytes::from(step_colours.css.clone()),
            "text/css; charset=utf-8",
        ),
        "guichet.css" => (
            Bytes::from_static(GUICHET_CSS.as_bytes()),
            "text/css; charset=utf-8",
        ),
        "backoffice.css" => (
            Bytes::from_static(BACKOFFICE_CSS.as_bytes()),
            "text/css; charset=utf-8",
        ),
        "theme.css" => (
            Bytes::from(look.theme_css.clone()),
            "text/css; charset=utf-8",
        ),
        "tenant.css" => match &look.tenant_css {
            Some(css) => (Bytes::from(css.clone()), "text/css; charset=utf-8"),
            None => {
                return plain(
                    StatusCode::NOT_FOUND,
                    "Pas de feuille de style propre à cette collectivité.",
                );
            }
        },
        "frame.js" => (
            Bytes::from_static(FRAME_JS.as_bytes()),
            "text/javascript; charset=utf-8",
        ),
        "embed.js" => (
            Bytes::from_static(EMBED_JS.as_bytes()),
            "text/javascript; charset=utf-8",
        ),
        name => match &look.logo {
            Some((logo, bytes, content_type)) if logo == name => {
                (Bytes::from(bytes.clone()), *content_type)
            }
            _ => return plain(StatusCode::NOT_FOUND, "Fichier introuvable."),
        },
    };
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // URLs carry a version, so browsers may keep them; embed.js is loaded by
    // the town's own pages under a fixed URL.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if file == "embed.js" {
            "max-age=3600"
        } else {
            "max-age=86400"
        }),
    );
    if file == "embed.js" {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    r
}
