//! Signing in with the town's OpenID Connect provider (`/T/account/openid/…`):
//! `POST login` (from the sign-in page) and `POST link` (from the security
//! page, signed in) send the browser to the provider; `GET callback` is where
//! it comes back; `POST unlink` removes the link.
//!
//! The flow cookie `guichet_openid` (`HttpOnly`, `SameSite=Lax` so that the
//! provider's redirect back carries it, path `/T/account/openid`, ten
//! minutes) holds only a random token; the store keeps the flow under its
//! digest. It is cleared on the way back, whatever the outcome.

use super::pages::{notice_page, safe_next, signed_in_post, signed_in_redirect, token_ok};
use super::session;
use crate::store::FlowPurpose;
use crate::usecases::account;
use crate::usecases::openid::{self, Callback, Failed, Returned};
use crate::web::route::Ctx;
use crate::web::session::{cookie, session_cookie};
use crate::web::{Body, plain, redirect};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

const FLOW_COOKIE: &str = "guichet_openid";

fn flow_cookie(cx: &Ctx<'_>, value: &str, max_age: i64) -> HeaderValue {
    session_cookie(
        cx.req,
        FLOW_COOKIE,
        value,
        &format!("/{}/account/openid", cx.site.tenant.slug),
        "Lax",
        max_age,
    )
}

fn redirect_uri(cx: &Ctx<'_>) -> String {
    openid::redirect_uri(cx.app, cx.site, cx.req.origin)
}

/// To the provider, the flow cookie set.
async fn send_to_provider(
    cx: &Ctx<'_>,
    purpose: FlowPurpose,
    next: Option<String>,
) -> Response<Body> {
    match openid::begin(cx.app, cx.site, purpose, next, &redirect_uri(cx)).await {
        Ok((token, url)) => {
            let mut r = redirect(&url);
            r.headers_mut().insert(
                header::SET_COOKIE,
                flow_cookie(cx, &token, openid::FLOW_SECS),
            );
            r
        }
        Err(e) => failed(cx, &e),
    }
}

pub(super) async fn login(cx: &Ctx<'_>) -> Response<Body> {
    if !token_ok(cx, "login") {
        return plain(StatusCode::FORBIDDEN, &cx.frame.message("form.expired"));
    }
    let next = safe_next(cx, cx.query("next").as_deref());
    send_to_provider(cx, FlowPurpose::Login, next).await
}

pub(super) async fn link(cx: &Ctx<'_>) -> Response<Body> {
    match signed_in_post(cx).await {
        Ok(s) => send_to_provider(cx, FlowPurpose::Link(s.citizen.id), None).await,
        Err(r) => r,
    }
}

pub(super) async fn unlink(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match openid::unlink(cx.app, cx.site, &s.citizen, cx.frame.lang).await {
        Ok(true) => redirect(&cx.frame.url("/account/security?identity=unlinked")),
        Ok(false) => redirect(&cx.frame.url("/account/security?identity=keep")),
        Err(e) => failed(cx, &e),
    }
}

pub(super) async fn callback(cx: &Ctx<'_>) -> Response<Body> {
    let flow = cookie(cx.req, FLOW_COOKIE);
    let (state, code, error, iss) = (
        cx.query("state").unwrap_or_default(),
        cx.query("code"),
        cx.query("error"),
        cx.query("iss"),
    );
    let current = session::current(cx.app, cx.site, cx.req).await;
    let back = Callback {
        flow: flow.as_deref(),
        state: &state,
        code: code.as_deref(),
        error: error.as_deref(),
        iss: iss.as_deref(),
    };
    let result = openid::finish(
        cx.app,
        cx.site,
        back,
        current.as_ref().map(|s| &s.citizen),
        &redirect_uri(cx),
        cx.frame.lang,
    )
    .await;
    let mut r = match result {
        Ok(returned) => returned_page(cx, returned).await,
        Err(e) => failed(cx, &e),
    };
    r.headers_mut()
        .append(header::SET_COOKIE, flow_cookie(cx, "", 0));
    r
}

async fn returned_page(cx: &Ctx<'_>, returned: Returned) -> Response<Body> {
    let f = cx.frame;
    let security = |what: &str| redirect(&f.url(&format!("/account/security?identity={what}")));
    match returned {
        Returned::SignedIn {
            citizen,
            next,
            created,
            id_token,
        } => match account::open_session(cx.app, cx.site, &citizen, Some(id_token)).await {
            Ok(token) => {
                let to = next.unwrap_or_else(|| {
                    f.url(if created {
                        "/account/?welcome=1"
                    } else {
                        "/account/"
                    })
                });
                signed_in_redirect(cx, &token, &to)
            }
            Err(e) => super::pages::unavailable(&format!("{e:?}")),
        },
        Returned::Linked(_) => security("linked"),
        Returned::AlreadyLinked => security("already"),
        Returned::LinkedElsewhere => security("elsewhere"),
        Returned::OtherLinked => security("other"),
        Returned::AddressTaken => notice_page(
            cx,
            StatusCode::CONFLICT,
            ("openid-taken", "account.openid.title"),
            ("error", &provider_said(cx, "account.openid.address-taken")),
            &[("/account/login".into(), f.message("account.login.title"))],
        ),
        Returned::NoEmail => notice_page(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            ("openid-no-email", "account.openid.title"),
            ("error", &provider_said(cx, "account.openid.no-email")),
            &[("/account/signup".into(), f.message("account.login.signup"))],
        ),
    }
}

fn provider_said(cx: &Ctx<'_>, key: &str) -> String {
    let name = openid::provider(cx.site)
        .map(|p| p.name)
        .unwrap_or_default();
    cx.frame.format(key, &[("provider", &name)])
}

/// The sign-in did not go through: the page says so (and nothing of why,
/// which the log says).
fn failed(cx: &Ctx<'_>, e: &Failed) -> Response<Body> {
    let status = match e {
        Failed::NotConfigured => return crate::web::not_found(cx.site, cx.frame, cx.req),
        Failed::NoFlow | Failed::State | Failed::Denied(_) => StatusCode::BAD_REQUEST,
        Failed::Provider(crate::auth::openid::OpenIdError::Unreachable(_)) => {
            StatusCode::BAD_GATEWAY
        }
        Failed::Provider(_) => StatusCode::BAD_REQUEST,
        Failed::Unavailable(why) => return super::pages::unavailable(why),
    };
    tracing::warn!(tenant = %cx.site.tenant.slug, error = %e, "openid sign-in refused");
    notice_page(
        cx,
        status,
        ("openid-failed", "account.openid.title"),
        ("error", &provider_said(cx, "account.openid.failed")),
        &[(
            "/account/login".into(),
            cx.frame.message("account.login.title"),
        )],
    )
}

/// The security page's part about the provider: linked or not, and the
/// button that changes it. `None` when the town has no provider.
pub(super) async fn security_part(
    cx: &Ctx<'_>,
    s: &session::CitizenSession,
    v: &mut super::view::View<'_>,
) {
    let Some(provider) = openid::provider(cx.site) else {
        return;
    };
    let f = cx.frame;
    let name = [("provider", provider.name.as_str())];
    v.heading(&f.format("account.openid.heading", &name));
    let linked = match cx
        .app
        .store
        .identities(cx.site.tenant.id, s.citizen.id)
        .await
    {
        Ok(list) => !list.is_empty(),
        Err(e) => {
            tracing::error!(error = %e, "identities lookup failed");
            false
        }
    };
    if linked {
        v.para(&f.format("account.openid.linked", &name));
        v.form(
            "unlink",
            "/account/openid/unlink",
            &s.token,
            &f.format("account.openid.unlink", &name),
            &[],
        );
    } else if session::in_frame(cx.req) {
        // The provider is never shown in the town's iframe, and the
        // frame's (partitioned) session does not follow to the top: the
        // link is made on Guichet's own page.
        v.para(&f.format("account.openid.link-from-top", &name));
    } else {
        v.para(&f.format("account.openid.not-linked", &name));
        v.top_form(
            "link",
            "/account/openid/link",
            &s.token,
            &f.format("account.openid.link", &name),
        );
    }
}

/// The notice of the security page after coming back (`?identity=`).
pub(super) fn security_notice(cx: &Ctx<'_>) -> Option<(&'static str, String)> {
    let what = cx.query("identity")?;
    let (kind, key) = match what.as_str() {
        "linked" => ("info", "account.openid.now-linked"),
        "already" => ("info", "account.openid.already"),
        "unlinked" => ("info", "account.openid.now-unlinked"),
        "keep" => ("error", "account.openid.keep"),
        "elsewhere" => ("error", "account.openid.elsewhere"),
        "other" => ("error", "account.openid.other"),
        _ => return None,
    };
    Some((kind, provider_said(cx, key)))
}

/// The sign-in page's button, when the town has a provider.
pub(super) fn login_part(cx: &Ctx<'_>, v: &mut super::view::View<'_>, action: &str, token: &str) {
    if let Some(provider) = openid::provider(cx.site) {
        let name = [("provider", provider.name.as_str())];
        v.heading(&cx.frame.format("account.openid.or", &name));
        // Providers refuse to be framed: from the town's iframe, the
        // sign-in goes on at the top of the window.
        v.top_form(
            "openid",
            action,
            token,
            &cx.frame.format("account.openid.login", &name),
        );
    }
}
