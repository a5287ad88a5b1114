//! The agents' back office (`/T/backoffice/…`): login, console, request
//! page, mass actions. The administration pages under
//! `/T/backoffice/admin/…` are their own surface (`web/admin/`),
//! with the same session.
//!
//! Every page and every action checks, on the server, who is logged in and
//! what their roles allow on this request's department; the engine
//! ([`crate::core::workflow`]) decides what an action does, the store applies
//! it only if nobody changed the request since the page was shown
//! (revision), so two agents acting at once never both win.
//!
//! Sessions (`web/session.rs`) live in a cookie; every POST also
//! carries an anti-forgery token bound to the session, and must come from
//! our own pages (Fetch metadata / Origin): the route table's guards check
//! both before a handler runs.
//!
//! Where to add a page: a file here with its handler, a line in [`ROUTES`].

mod campaigns;
mod console;
mod export;
mod inbound;
mod intake;
mod map;
mod people;
pub use export::{AT_ONCE, run_exports};
mod login;
pub use login::login_first;
mod mass;
mod request;
mod stats;
pub mod view;

use crate::handler;
use crate::store::StoreError;
use crate::tenant::Site;
use crate::usecases::App;
use crate::web::route::{Ctx, Guard, Route, Surface};
use crate::web::session::Session;
use crate::web::{Body, page, plain};
use hyper::{Method, Response, StatusCode};
use view::Bar;

/// The back office's pages: method, path after `/T/backoffice/`, guard, handler.
pub static ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "",
        guard: Guard::Agent,
        handler: handler!(console::page),
    },
    Route {
        method: Method::POST,
        path: "",
        guard: Guard::Agent,
        handler: handler!(refuse),
    },
    Route {
        method: Method::GET,
        path: "login",
        guard: Guard::Public,
        handler: handler!(login::page),
    },
    Route {
        method: Method::POST,
        path: "login",
        guard: Guard::Public,
        handler: handler!(login::post),
    },
    Route {
        method: Method::POST,
        path: "logout",
        guard: Guard::Agent,
        handler: handler!(login::logout),
    },
    Route {
        method: Method::GET,
        path: "requests/{reference}",
        guard: Guard::Agent,
        handler: handler!(request::page),
    },
    Route {
        method: Method::POST,
        path: "requests/{reference}",
        guard: Guard::Agent,
        handler: handler!(request::post),
    },
    Route {
        method: Method::GET,
        path: "requests/{reference}/files/{file}",
        guard: Guard::Agent,
        handler: handler!(request::file),
    },
    Route {
        method: Method::GET,
        path: "requests/{reference}/request.pdf",
        guard: Guard::Agent,
        handler: handler!(request::request_pdf),
    },
    Route {
        method: Method::GET,
        path: "requests/{reference}/receipt.pdf",
        guard: Guard::Agent,
        handler: handler!(request::receipt_pdf),
    },
    Route {
        method: Method::GET,
        path: "campaigns",
        guard: Guard::Agent,
        handler: handler!(campaigns::page),
    },
    Route {
        method: Method::POST,
        path: "campaigns",
        guard: Guard::Agent,
        handler: handler!(campaigns::post),
    },
    Route {
        method: Method::GET,
        path: "campaigns/new",
        guard: Guard::Agent,
        handler: handler!(campaigns::new),
    },
    Route {
        method: Method::POST,
        path: "campaigns/new",
        guard: Guard::Agent,
        handler: handler!(campaigns::compose),
    },
    Route {
        method: Method::GET,
        path: "campaigns/{id}",
        guard: Guard::Agent,
        handler: handler!(campaigns::campaign),
    },
    Route {
        method: Method::GET,
        path: "stats",
        guard: Guard::Agent,
        handler: handler!(stats::page),
    },
    Route {
        method: Method::POST,
        path: "stats",
        guard: Guard::Agent,
        handler: handler!(stats::post),
    },
    Route {
        method: Method::GET,
        path: "stats/{file}",
        guard: Guard::Agent,
        handler: handler!(stats::export),
    },
    Route {
        method: Method::GET,
        path: "intake",
        guard: Guard::Agent,
        handler: handler!(intake::page),
    },
    Route {
        method: Method::GET,
        path: "inbound",
        guard: Guard::Agent,
        handler: handler!(inbound::queue),
    },
    Route {
        method: Method::GET,
        path: "inbound/{id}",
        guard: Guard::Agent,
        handler: handler!(inbound::item),
    },
    Route {
        method: Method::POST,
        path: "inbound/{id}",
        guard: Guard::Agent,
        handler: handler!(inbound::post),
    },
    Route {
        method: Method::GET,
        path: "inbound/{id}/files/{file}",
        guard: Guard::Agent,
        handler: handler!(inbound::file),
    },
    Route {
        method: Method::GET,
        path: "people",
        guard: Guard::Agent,
        handler: handler!(people::search),
    },
    Route {
        method: Method::GET,
        path: "people/merges",
        guard: Guard::Agent,
        handler: handler!(people::merges),
    },
    Route {
        method: Method::POST,
        path: "people/merges/{id}",
        guard: Guard::Agent,
        handler: handler!(people::decide),
    },
    Route {
        method: Method::GET,
        path: "people/{id}",
        guard: Guard::Agent,
        handler: handler!(people::file),
    },
    Route {
        method: Method::POST,
        path: "people/{id}",
        guard: Guard::Agent,
        handler: handler!(people::post_file),
    },
    Route {
        method: Method::GET,
        path: "map",
        guard: Guard::Agent,
        handler: handler!(map::page),
    },
    Route {
        method: Method::GET,
        path: "export",
        guard: Guard::Agent,
        handler: handler!(export::page),
    },
    Route {
        method: Method::POST,
        path: "export",
        guard: Guard::Agent,
        handler: handler!(export::post),
    },
    Route {
        method: Method::GET,
        path: "export/files/{id}",
        guard: Guard::Agent,
        handler: handler!(export::ready_file),
    },
    Route {
        method: Method::GET,
        path: "export/{file}",
        guard: Guard::Agent,
        handler: handler!(export::file),
    },
    Route {
        method: Method::POST,
        path: "mass",
        guard: Guard::Agent,
        handler: handler!(mass::post),
    },
];

pub static SURFACE: Surface = Surface {
    prefix: "/backoffice",
    routes: ROUTES,
    unknown: Guard::Agent,
    login_first: login::login_first,
    forbidden,
};

/// Sends back-office pages with no caching and no framing by other sites.
pub(crate) fn bo_page(
    cx: &Ctx<'_>,
    status: StatusCode,
    stylesheet: &str,
    view: String,
) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    page(site, frame, req, status, stylesheet, view, true)
}

pub(crate) fn unavailable(e: &StoreError) -> Response<Body> {
    tracing::error!(error = %e, "back office: store error");
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service momentanément indisponible. Réessayez dans quelques instants.",
    )
}

pub(crate) fn forbidden(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let session = cx.session();
    tracing::warn!(tenant = %site.tenant.slug, agent = %session.record.agent.login, rest = ?req.rest, "back office: access refused");
    let v = view::error(
        frame,
        &bar(session),
        403,
        &frame.message("bo.forbidden.title"),
        &frame.message("bo.forbidden.text"),
    );
    bo_page(cx, StatusCode::FORBIDDEN, "bo-error.xsl", v)
}

pub(crate) fn bar(session: &Session) -> Bar<'_> {
    Bar {
        agent: &session.record.agent,
        token: &session.token,
    }
}

pub(crate) fn today(app: &App, site: &Site) -> jiff::civil::Date {
    (app.clock)().to_zoned(site.tenant.time_zone.clone()).date()
}

/// A POST on a page that takes none from this agent (the console, the
/// admin page's root): refused, as the pages' forms never do it.
pub(crate) async fn refuse(cx: &Ctx<'_>) -> Response<Body> {
    forbidden(cx)
}
