//! The citizen's account (`/T/account/…`): sign up, confirm, sign in and
//! out, forgotten password, the dashboard of requests (open, archived), each
//! request's page, the profile forms are filled with, a request attached by
//! its tracking code, a new address or password, the account closed.
//!
//! The session is a random token in the `guichet_account` cookie
//! (`HttpOnly`, `SameSite=Lax`, `Secure` unless the server is addressed on a
//! loopback name, path `/T/`; inside the town's iframe a partitioned cookie,
//! see `session::set_cookie`), of which the store keeps only the SHA-256;
//! every form carries an anti-forgery token (bound to the session once
//! signed in); every page is `no-store`. Pages without an account need no
//! cookie at all.

mod export;
mod openid;
mod pages;
mod requests;
pub mod session;
mod view;

use crate::handler;
use crate::web::route::{Guard, Route, Surface};
use hyper::Method;

pub static ROUTES: &[Route] = &[
    route(Method::GET, "", handler!(requests::dashboard)),
    route(Method::GET, "archive", handler!(requests::archive)),
    route(
        Method::GET,
        "requests/{reference}",
        handler!(requests::request),
    ),
    route(
        Method::POST,
        "requests/{reference}/reply",
        handler!(requests::reply),
    ),
    route(
        Method::GET,
        "requests/{reference}/files/{file}",
        handler!(requests::file),
    ),
    route(
        Method::GET,
        "requests/{reference}/request.pdf",
        handler!(requests::request_pdf),
    ),
    route(
        Method::GET,
        "requests/{reference}/receipt.pdf",
        handler!(requests::receipt_pdf),
    ),
    route(
        Method::GET,
        "requests/{reference}/correct",
        handler!(requests::correct),
    ),
    route(
        Method::POST,
        "requests/{reference}/correct",
        handler!(requests::correct),
    ),
    route(Method::POST, "attach", handler!(requests::attach)),
    route(Method::GET, "profile", handler!(requests::profile)),
    route(Method::GET, "export", handler!(export::export)),
    route(Method::GET, "export.pdf", handler!(export::export_pdf)),
    route(Method::POST, "profile", handler!(requests::save_profile)),
    route(Method::GET, "security", handler!(pages::security)),
    route(Method::POST, "password", handler!(pages::change_password)),
    route(Method::POST, "email", handler!(pages::ask_email)),
    route(Method::POST, "close", handler!(pages::close)),
    route(Method::GET, "email/{token}", handler!(pages::email_page)),
    route(
        Method::POST,
        "email/{token}",
        handler!(pages::confirm_email),
    ),
    route(Method::POST, "openid/login", handler!(openid::login)),
    route(Method::POST, "openid/link", handler!(openid::link)),
    route(Method::POST, "openid/unlink", handler!(openid::unlink)),
    route(Method::GET, "openid/callback", handler!(openid::callback)),
    route(Method::GET, "signup", handler!(pages::signup_page)),
    route(Method::POST, "signup", handler!(pages::signup)),
    route(
        Method::GET,
        "confirm/{token}",
        handler!(pages::confirm_page),
    ),
    route(Method::POST, "confirm/{token}", handler!(pages::confirm)),
    route(Method::GET, "login", handler!(pages::login_page)),
    route(Method::POST, "login", handler!(pages::login)),
    route(Method::POST, "logout", handler!(pages::logout)),
    route(Method::GET, "forgot", handler!(pages::forgot_page)),
    route(Method::POST, "forgot", handler!(pages::forgot)),
    route(Method::GET, "reset/{token}", handler!(pages::reset_page)),
    route(Method::POST, "reset/{token}", handler!(pages::reset)),
];

const fn route(method: Method, path: &'static str, handler: crate::web::route::Handler) -> Route {
    Route {
        method,
        path,
        guard: Guard::Public,
        handler,
    }
}

pub static SURFACE: Surface = Surface {
    prefix: "/account",
    routes: ROUTES,
    unknown: Guard::Public,
    login_first: not_found_page,
    forbidden: not_found_page,
};

fn not_found_page(cx: &crate::web::route::Ctx<'_>) -> hyper::Response<crate::web::Body> {
    crate::web::not_found(cx.site, cx.frame, cx.req)
}
