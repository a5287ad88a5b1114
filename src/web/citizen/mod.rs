//! The citizen's pages, embedded in the town's site: the catalogue, each
//! service's form (its POST goes through the same submit use case as SOAP),
//! the acknowledgement, the tracking lookup and page, and the built-in
//! assets.
//!
//! Where to add a citizen page: a handler here (or a file beside it when it
//! grows), a line in [`ROUTES`], its stylesheet in `xslt/`.

use crate::handler;
use crate::tenant::look::Look;
use crate::web::route::{Ctx, Guard, Route, Surface};
use crate::web::view::{Frame, Xml, deadline_key, service_title};
use crate::web::{Body, not_found, page, plain};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};

/// The citizen pages: method, path after `/T/`, guard, handler.
mod alerts;
mod doc;
mod exchange;
mod form;

pub(crate) use form::preview;
mod satisfaction;
mod slots;
mod track;

pub(crate) use form::correction;
pub(crate) use track::{ReplyForm, conversation, correction_link, reply_form, reply_refusal};

pub static ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "services/{code}/doc",
        guard: Guard::Public,
        handler: handler!(doc::doc),
    },
    Route {
        method: Method::GET,
        path: "exchange/doc",
        guard: Guard::Public,
        handler: handler!(exchange::doc),
    },
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
        handler: handler!(form::form),
    },
    Route {
        method: Method::GET,
        path: "services/{code}/slots",
        guard: Guard::Public,
        handler: handler!(slots::slots),
    },
    Route {
        method: Method::POST,
        path: "services/{code}",
        guard: Guard::Public,
        handler: handler!(form::post_form),
    },
    Route {
        method: Method::GET,
        path: "receipt/{code}",
        guard: Guard::Public,
        handler: handler!(track::receipt),
    },
    Route {
        method: Method::GET,
        path: "track",
        guard: Guard::Public,
        handler: handler!(track::lookup),
    },
    Route {
        method: Method::GET,
        path: "track/{code}",
        guard: Guard::Public,
        handler: handler!(track::tracking),
    },
    Route {
        method: Method::POST,
        path: "track/{code}/reply",
        guard: Guard::Public,
        handler: handler!(track::post_reply),
    },
    Route {
        method: Method::GET,
        path: "track/{code}/files/{file}",
        guard: Guard::Public,
        handler: handler!(track::file),
    },
    Route {
        method: Method::GET,
        path: "track/{code}/request.pdf",
        guard: Guard::Public,
        handler: handler!(track::request_pdf),
    },
    Route {
        method: Method::GET,
        path: "track/{code}/receipt.pdf",
        guard: Guard::Public,
        handler: handler!(track::receipt_pdf),
    },
    Route {
        method: Method::GET,
        path: "track/{code}/correct",
        guard: Guard::Public,
        handler: handler!(track::correct),
    },
    Route {
        method: Method::POST,
        path: "track/{code}/correct",
        guard: Guard::Public,
        handler: handler!(track::correct),
    },
    Route {
        method: Method::GET,
        path: "satisfaction/{reference}/{seal}",
        guard: Guard::Public,
        handler: handler!(satisfaction::form),
    },
    Route {
        method: Method::POST,
        path: "satisfaction/{reference}/{seal}",
        guard: Guard::Public,
        handler: handler!(satisfaction::post),
    },
    Route {
        method: Method::GET,
        path: "alerts",
        guard: Guard::Public,
        handler: handler!(alerts::page_get),
    },
    Route {
        method: Method::POST,
        path: "alerts",
        guard: Guard::Public,
        handler: handler!(alerts::post),
    },
    Route {
        method: Method::GET,
        path: "alerts/confirm/{token}",
        guard: Guard::Public,
        handler: handler!(alerts::confirm),
    },
    Route {
        method: Method::GET,
        path: "alerts/leave/{token}",
        guard: Guard::Public,
        handler: handler!(alerts::leave_form),
    },
    Route {
        method: Method::POST,
        path: "alerts/leave/{token}",
        guard: Guard::Public,
        handler: handler!(alerts::leave),
    },
    Route {
        method: Method::GET,
        path: "assets/{file}",
        guard: Guard::Public,
        handler: handler!(assets),
    },
];

/// The same pages at the testers' desk (`/T/backoffice/test/…`), for the
/// town's agents: services in test besides online ones, test requests
/// tracked. See [`crate::web::view::Desk`].
pub static TESTER_ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "services/{code}/doc",
        guard: Guard::Agent,
        handler: handler!(doc::doc),
    },
    Route {
        method: Method::GET,
        path: "",
        guard: Guard::Agent,
        handler: handler!(catalogue),
    },
    Route {
        method: Method::GET,
        path: "services/{code}",
        guard: Guard::Agent,
        handler: handler!(form::form),
    },
    Route {
        method: Method::GET,
        path: "services/{code}/slots",
        guard: Guard::Agent,
        handler: handler!(slots::slots),
    },
    Route {
        method: Method::POST,
        path: "services/{code}",
        guard: Guard::Agent,
        handler: handler!(form::post_form),
    },
    Route {
        method: Method::GET,
        path: "receipt/{code}",
        guard: Guard::Agent,
        handler: handler!(track::receipt),
    },
    Route {
        method: Method::GET,
        path: "track",
        guard: Guard::Agent,
        handler: handler!(track::lookup),
    },
    Route {
        method: Method::GET,
        path: "track/{code}",
        guard: Guard::Agent,
        handler: handler!(track::tracking),
    },
];

pub static TESTERS: Surface = Surface {
    prefix: "/backoffice/test",
    routes: TESTER_ROUTES,
    unknown: Guard::Agent,
    login_first: crate::web::backoffice::login_first,
    forbidden: crate::web::backoffice::forbidden,
};

/// The agents' intake desk (`/T/backoffice/intake/CHANNEL/…`): the online
/// services' catalogue and forms, filled in by an agent for a request
/// received by phone, at the counter, by letter or by fax.
pub static INTAKE_ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "",
        guard: Guard::Agent,
        handler: handler!(catalogue),
    },
    Route {
        method: Method::GET,
        path: "services/{code}",
        guard: Guard::Agent,
        handler: handler!(form::form),
    },
    Route {
        method: Method::GET,
        path: "services/{code}/slots",
        guard: Guard::Agent,
        handler: handler!(slots::slots),
    },
    Route {
        method: Method::POST,
        path: "services/{code}",
        guard: Guard::Agent,
        handler: handler!(form::post_form),
    },
];

pub static INTAKE: Surface = Surface {
    prefix: "/backoffice/intake",
    routes: INTAKE_ROUTES,
    unknown: Guard::Agent,
    login_first: crate::web::backoffice::login_first,
    forbidden: crate::web::backoffice::forbidden,
};

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
    let query = cx.query("q").unwrap_or_default();
    let frame = cx.frame;
    if query.trim().is_empty() && !cx.req.wants_xml() {
        // The whole catalogue is the same for every visitor until a service
        // or the town's look changes: rendered once per thread.
        let services: String = frame
            .tenant
            .offered(frame.desk.audience())
            .map(|s| format!("{}@{},", s.code, s.version))
            .collect();
        let key = format!(
            "catalogue:{}:{}:{:?}:{services}",
            frame.lang, frame.look.version, frame.desk
        );
        let dir = cx.site.look.dir().join("xslt");
        match crate::render::render_cached(&dir, "catalogue.xsl", &key, || {
            catalogue_view(frame, "")
        }) {
            Ok(html) => {
                return crate::web::html_response(
                    frame,
                    StatusCode::OK,
                    Bytes::from(html),
                    "text/html; charset=utf-8",
                    false,
                );
            }
            Err(e) => {
                tracing::error!(tenant = %cx.site.tenant.slug, error = %e, "catalogue could not be rendered");
            }
        }
    }
    let v = catalogue_view(cx.frame, query.trim());
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

async fn assets(cx: &Ctx<'_>) -> Response<Body> {
    asset(cx.frame.look, &cx.site.step_colours, cx.param("file"))
}

/// Built-in static files.
const GUICHET_CSS: &str = include_str!("../../../css/guichet.css");

const BACKOFFICE_CSS: &str = include_str!("../../../css/backoffice.css");

const FRAME_JS: &str = include_str!("../../../js/frame.js");

const EMBED_JS: &str = include_str!("../../../js/embed.js");

/// Leaflet (BSD-2-Clause, `js/vendor/leaflet/`), for the back office's map
/// over the town's tile server, served from the town's own address.
const LEAFLET_JS: &str = include_str!("../../../js/vendor/leaflet/leaflet.js");

const LEAFLET_CSS: &str = include_str!("../../../js/vendor/leaflet/leaflet.css");

const MAP_JS: &str = include_str!("../../../js/map.js");

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
        "leaflet.js" => (
            Bytes::from_static(LEAFLET_JS.as_bytes()),
            "text/javascript; charset=utf-8",
        ),
        "leaflet.css" => (
            Bytes::from_static(LEAFLET_CSS.as_bytes()),
            "text/css; charset=utf-8",
        ),
        "map.js" => (
            Bytes::from_static(MAP_JS.as_bytes()),
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

/// The catalogue grouped by theme, in catalogue order.
/// The catalogue grouped by theme, in catalogue order; with a search
/// (`?q=`), the services whose words match only (see
/// `Service::matches_search`). Works without JavaScript: the search is a
/// GET form.
pub(super) fn catalogue_view(frame: &Frame, query: &str) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "catalogue", &frame.message("catalogue.title"));
    let all = frame.tenant.offered(frame.desk.audience()).count();
    let services: Vec<_> = frame
        .tenant
        .offered(frame.desk.audience())
        .filter(|s| s.matches_search(query))
        .collect();
    let action = frame.desk_url("/");
    let found = services.len().to_string();
    let total = all.to_string();
    let mut attrs = vec![("search", action.as_str()), ("total", total.as_str())];
    if !query.is_empty() {
        attrs.push(("query", query));
        attrs.push(("found", found.as_str()));
    }
    // A GET form drops its action's query: the language goes as a field.
    if frame.lang != frame.look.settings.language {
        attrs.push(("lang", frame.lang));
    }
    x.open("catalogue", &attrs);
    if !query.is_empty() {
        let key = match services.len() {
            0 => "catalogue.search.none",
            1 => "catalogue.search.one",
            _ => "catalogue.search.some",
        };
        x.text(
            "result",
            &[],
            &frame.format(key, &[("count", &found), ("query", query)]),
        );
    }
    let mut themes: Vec<(&str, &str)> = Vec::new();
    for s in &services {
        if !themes.iter().any(|(c, _)| *c == s.theme.code) {
            themes.push((&s.theme.code, &s.theme.label));
        }
    }
    for (code, label) in themes {
        x.open("theme", &[("code", code)]);
        x.text("label", &frame.french_text(), label);
        for s in services.iter().filter(|s| s.theme.code == code) {
            let href = frame.desk_url(&format!("/services/{}", s.code));
            let doc = frame.desk_url(&format!("/services/{}/doc", s.code));
            let mut attrs = vec![
                ("code", s.code.as_str()),
                ("href", href.as_str()),
                ("doc", doc.as_str()),
            ];
            if frame.tenant.service_in_test(&s.code).is_some() {
                attrs.push(("test", "true"));
            }
            x.open("service", &attrs);
            let title = service_title(s, frame.lang);
            let title_lang = if title == s.title {
                frame.french_text()
            } else {
                Vec::new()
            };
            x.text("title", &title_lang, title);
            x.text("description", &frame.french_text(), &s.description);
            x.text(
                "deadline",
                &[],
                &frame.format(
                    deadline_key("catalogue.deadline", s),
                    &[("days", &s.deadline_days.to_string())],
                ),
            );
            x.close("service");
        }
        x.close("theme");
    }
    x.close("catalogue");
    x.close("page");
    x.finish()
}
