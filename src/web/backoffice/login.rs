//! Logging in and out of the back office: the login page, the throttled
//! password check (as slow for an unknown login as for a wrong password),
//! the session cookie.

use crate::auth;
use crate::tenant::Site;
use crate::usecases::agents::{AuthError, authenticate};
use crate::web::backoffice::{bo_page, unavailable};
use crate::web::route::Ctx;
use crate::web::session::{COOKIE, login_purpose, now_secs, set_cookie};
use crate::web::view::Frame;
use crate::web::view::Xml;
use crate::web::{Body, plain, redirect};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};

/// Only back-office addresses of this tenant are followed after login.
fn safe_next(site: &Site, next: Option<&str>) -> Option<String> {
    let next = next?;
    let prefix = format!("/{}/backoffice/", site.tenant.slug);
    (next.starts_with(&prefix)
        && !next.contains("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic()))
    .then(|| next.to_owned())
}

fn login_page(
    cx: &Ctx<'_>,
    status: StatusCode,
    value: &str,
    error: Option<&str>,
) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let token = app.secret.issue(&login_purpose(site), now_secs(app));
    let next = safe_next(site, req.query_values("next").first().map(String::as_str));
    let v = login_view(frame, &token, value, next.as_deref(), error);
    bo_page(cx, status, "bo-login.xsl", v)
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let fields = &cx.fields;
    let now = now_secs(app);
    let login = fields.get("login").unwrap_or("").trim().to_lowercase();
    let password = fields.get("password").unwrap_or("").to_owned();
    let next = safe_next(site, fields.get("next"));
    let again = |status, error: String| {
        let token = app.secret.issue(&login_purpose(site), now);
        let v = login_view(frame, &token, &login, next.as_deref(), Some(&error));
        bo_page(cx, status, "bo-login.xsl", v)
    };
    if !app.secret.verify(
        &login_purpose(site),
        fields.get("_token").unwrap_or(""),
        now,
    ) {
        return again(
            StatusCode::FORBIDDEN,
            frame.message("bo.notice.form-expired"),
        );
    }
    let record = match authenticate(app, site, &login, password, &req.peer.to_string()).await {
        Ok(record) => record,
        Err(AuthError::Throttled(wait)) => {
            let mut r = again(
                StatusCode::TOO_MANY_REQUESTS,
                frame.format("bo.login.throttled", &[("seconds", &wait.to_string())]),
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
        Err(AuthError::Failed) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                frame.message("bo.login.failed"),
            );
        }
        Err(AuthError::Unavailable(e)) => return unavailable(&e),
    };
    let Ok((token, digest)) = auth::new_session() else {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service momentanément indisponible.",
        );
    };
    let at = (app.clock)();
    let expires = at
        .checked_add(jiff::SignedDuration::from_secs(auth::SESSION_SECS))
        .unwrap_or(at);
    // Journaled first: a session never exists without its entry.
    if let Err(e) = crate::usecases::audit::sign_in_event(
        app,
        site.tenant.id,
        format!("agent:{login}"),
        format!("agent:{login}"),
        "login",
        format!("from {}", req.peer),
    )
    .await
    {
        return unavailable(&e);
    }
    if let Err(e) = app
        .store
        .create_session(record.id, digest, at, expires)
        .await
    {
        return unavailable(&e);
    }
    tracing::info!(tenant = %site.tenant.slug, %login, "agent logged in");
    let target = next.unwrap_or_else(|| format!("{}/backoffice/", frame.base));
    let mut r = redirect(&target);
    r.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(cx.site, cx.req, &token, auth::SESSION_SECS),
    );
    r
}

pub(super) async fn logout(cx: &Ctx<'_>) -> Response<Body> {
    let (app, frame, session) = (cx.app, cx.frame, cx.session());
    if let Err(e) = app.store.end_session(session.digest.clone()).await {
        return unavailable(&e);
    }
    let login = &session.record.agent.login;
    if let Err(e) = crate::usecases::audit::sign_in_event(
        app,
        cx.site.tenant.id,
        format!("agent:{login}"),
        format!("agent:{login}"),
        "logout",
        String::new(),
    )
    .await
    {
        return unavailable(&e);
    }
    let mut r = redirect(&format!("{}/backoffice/login", frame.base));
    let clear = format!(
        "{COOKIE}=; Path={}/backoffice; Max-Age=0; HttpOnly; SameSite=Strict",
        frame.base
    );
    if let Ok(v) = HeaderValue::from_str(&clear) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    login_page(cx, StatusCode::OK, "", None)
}

/// What a guarded page answers without a session: the login page, with
/// the page asked for as where to go next (a POST's session has expired).
pub fn login_first(cx: &Ctx<'_>) -> Response<Body> {
    if cx.req.method == Method::POST {
        return login_page(
            cx,
            StatusCode::UNAUTHORIZED,
            "",
            Some(&cx.frame.message("bo.login.expired")),
        );
    }
    let here = format!("{}{}/{}", cx.frame.base, cx.prefix, cx.segments().join("/"));
    let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
    redirect(&format!("{}/backoffice/login?next={next}", cx.frame.base))
}

// The views of these pages (`xsd/view.xsd`, `docs/backoffice-views.md`).

pub(super) fn login_view(
    frame: &Frame,
    token: &str,
    value: &str,
    next: Option<&str>,
    error: Option<&str>,
) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-login", &frame.message("bo.login.title"));
    let action = format!("{}/backoffice/login", frame.base);
    let mut attrs = vec![
        ("action", action.as_str()),
        ("token", token),
        ("value", value),
    ];
    if let Some(n) = next {
        attrs.push(("next", n));
    }
    x.open("login", &attrs);
    if let Some(e) = error {
        x.text("error", &[], e);
    }
    x.close("login");
    x.close("page");
    x.finish()
}
