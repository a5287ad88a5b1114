//! Signing up, confirming, signing in and out, the forgotten password, and
//! a new password or address.

use super::session::{self, CitizenSession, page_purpose, session_purpose, set_cookie};
use super::view::{Input, View, respond};
use crate::store::{EmailChanged, LinkPurpose};
use crate::usecases::account::{self, AccountError, Refused};
use crate::usecases::agents::AuthError;
use crate::web::route::Ctx;
use crate::web::session::now_secs;
use crate::web::{Body, plain, redirect};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

/// Why a page could not be served: the store or the random source failed.
pub(super) fn unavailable(why: &str) -> Response<Body> {
    tracing::error!(error = %why, "account: unavailable");
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service momentanément indisponible. Réessayez dans quelques instants.",
    )
}

/// The signed-in citizen, or the sign-in page to go to (back here after).
pub(super) async fn signed_in(cx: &Ctx<'_>) -> Result<CitizenSession, Response<Body>> {
    match session::current(cx.app, cx.site, cx.req).await {
        Some(s) => Ok(s),
        None => {
            let here = format!("{}/account/{}", cx.frame.base, cx.segments().join("/"));
            let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Err(redirect(
                &cx.frame.url(&format!("/account/login?next={next}")),
            ))
        }
    }
}

/// A POST of the signed-in citizen, its token checked.
pub(super) async fn signed_in_post(cx: &Ctx<'_>) -> Result<CitizenSession, Response<Body>> {
    let s = signed_in(cx).await?;
    if cx.app.secret.verify(
        &session_purpose(cx.site, &s.digest),
        cx.fields.get("_token").unwrap_or(""),
        now_secs(cx.app),
    ) {
        Ok(s)
    } else {
        Err(plain(
            StatusCode::FORBIDDEN,
            &cx.frame.message("form.expired"),
        ))
    }
}

fn token_for(cx: &Ctx<'_>, page: &str) -> String {
    cx.app
        .secret
        .issue(&page_purpose(cx.site, page), now_secs(cx.app))
}

pub(super) fn token_ok(cx: &Ctx<'_>, page: &str) -> bool {
    cx.app.secret.verify(
        &page_purpose(cx.site, page),
        cx.fields.get("_token").unwrap_or(""),
        now_secs(cx.app),
    )
}

fn field(cx: &Ctx<'_>, name: &str) -> String {
    cx.fields.get(name).unwrap_or("").to_owned()
}

/// The message of a refused field.
fn said(cx: &Ctx<'_>, refused: &[Refused], name: &str) -> Option<String> {
    refused
        .iter()
        .find(|r| r.field == name)
        .map(|r| cx.frame.message(&format!("account.error.{}", r.code)))
}

/// Only pages of this tenant are followed after sign-in.
pub(super) fn safe_next(cx: &Ctx<'_>, next: Option<&str>) -> Option<String> {
    let next = next?;
    let prefix = format!("{}/", cx.frame.base);
    (next.starts_with(&prefix)
        && !next.starts_with(&format!("{}/backoffice", cx.frame.base))
        && !next.contains("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic()))
    .then(|| next.to_owned())
}

fn lang<'a>(cx: &'a Ctx<'a>) -> &'a str {
    cx.frame.lang
}

// Sign-up.

fn signup_view(cx: &Ctx<'_>, email: &str, refused: &[Refused]) -> String {
    let f = cx.frame;
    let mut v = View::begin(f, "signup", &f.message("account.signup.title"), None, "");
    if !refused.is_empty() {
        v.notice("error", &f.message("account.error.summary"));
    }
    v.para(&f.message("account.signup.intro"));
    let mut email_input =
        Input::new("email", "email", f.message("account.field.email"), "email").value(email);
    email_input.error = said(cx, refused, "email");
    let mut password = Input::new(
        "password",
        "password",
        f.message("account.field.new-password"),
        "new-password",
    )
    .help(f.message("account.field.new-password-help"));
    password.error = said(cx, refused, "password");
    v.form(
        "signup",
        "/account/signup",
        &token_for(cx, "signup"),
        &f.message("account.signup.submit"),
        &[email_input, password],
    );
    v.links(&[(
        "/account/login".into(),
        f.message("account.signup.have-one"),
    )]);
    v.finish()
}

pub(super) async fn signup_page(cx: &Ctx<'_>) -> Response<Body> {
    respond(cx, StatusCode::OK, signup_view(cx, "", &[]))
}

pub(super) async fn signup(cx: &Ctx<'_>) -> Response<Body> {
    let f = cx.frame;
    let email = field(cx, "email");
    if !token_ok(cx, "signup") {
        return notice_page(
            cx,
            StatusCode::FORBIDDEN,
            ("signup", "account.signup.title"),
            ("error", &f.message("form.expired")),
            &[],
        );
    }
    match account::sign_up(cx.app, cx.site, &email, field(cx, "password"), lang(cx)).await {
        Ok(()) => notice_page(
            cx,
            StatusCode::OK,
            ("signup-sent", "account.signup.sent-title"),
            (
                "info",
                &f.format("account.signup.sent", &[("email", email.trim())]),
            ),
            &[],
        ),
        Err(AccountError::Invalid(refused)) => respond(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            signup_view(cx, &email, &refused),
        ),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

// Confirmation of the address.

pub(super) async fn confirm_page(cx: &Ctx<'_>) -> Response<Body> {
    let f = cx.frame;
    let token = cx.param("token");
    match account::link_citizen(cx.app, cx.site, LinkPurpose::Confirm, token).await {
        Ok(Some(citizen)) => {
            let mut v = View::begin(f, "confirm", &f.message("account.confirm.title"), None, "");
            v.para(&f.format("account.confirm.intro", &[("email", &citizen.email)]));
            v.form(
                "confirm",
                &format!("/account/confirm/{token}"),
                &token_for(cx, "confirm"),
                &f.message("account.confirm.submit"),
                &[],
            );
            respond(cx, StatusCode::OK, v.finish())
        }
        Ok(None) => dead_link(cx),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
        Err(AccountError::Invalid(_)) => dead_link(cx),
    }
}

/// A page that only says something (`kind` info or error), with links on.
pub(super) fn notice_page(
    cx: &Ctx<'_>,
    status: StatusCode,
    (page, title): (&str, &str),
    (kind, text): (&str, &str),
    links: &[(String, String)],
) -> Response<Body> {
    let mut v = View::begin(cx.frame, page, &cx.frame.message(title), None, "");
    v.notice(kind, text);
    if !links.is_empty() {
        v.links(links);
    }
    respond(cx, status, v.finish())
}

/// A link unknown, used or expired.
fn dead_link(cx: &Ctx<'_>) -> Response<Body> {
    let f = cx.frame;
    notice_page(
        cx,
        StatusCode::NOT_FOUND,
        ("dead-link", "account.link.title"),
        ("error", &f.message("account.link.dead")),
        &[
            ("/account/login".into(), f.message("account.login.title")),
            ("/account/forgot".into(), f.message("account.login.forgot")),
        ],
    )
}

pub(super) async fn confirm(cx: &Ctx<'_>) -> Response<Body> {
    if !token_ok(cx, "confirm") {
        return plain(StatusCode::FORBIDDEN, &cx.frame.message("form.expired"));
    }
    match account::confirm(cx.app, cx.site, cx.param("token")).await {
        Ok(Some(citizen)) => match account::open_session(cx.app, cx.site, &citizen, None).await {
            Ok(token) => signed_in_redirect(cx, &token, &cx.frame.url("/account/?welcome=1")),
            Err(e) => unavailable(&format!("{e:?}")),
        },
        Ok(None) => dead_link(cx),
        Err(e) => unavailable(&format!("{e:?}")),
    }
}

pub(super) fn signed_in_redirect(cx: &Ctx<'_>, token: &str, to: &str) -> Response<Body> {
    let mut r = redirect(to);
    r.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(cx.site, cx.req, token, account::SESSION_SECS),
    );
    r
}

// Sign-in and out.

fn login_view(cx: &Ctx<'_>, email: &str, next: Option<&str>, error: Option<&str>) -> String {
    let f = cx.frame;
    let mut v = View::begin(f, "login", &f.message("account.login.title"), None, "");
    if let Some(e) = error {
        v.notice("error", e);
    }
    let query = match next {
        Some(n) => {
            let n: String = form_urlencoded::byte_serialize(n.as_bytes()).collect();
            format!("?next={n}")
        }
        None => String::new(),
    };
    let token = token_for(cx, "login");
    v.form(
        "login",
        &format!("/account/login{query}"),
        &token,
        &f.message("account.login.submit"),
        &[
            Input::new("email", "email", f.message("account.field.email"), "email").value(email),
            Input::new(
                "password",
                "password",
                f.message("account.field.password"),
                "current-password",
            ),
        ],
    );
    v.links(&[
        ("/account/forgot".into(), f.message("account.login.forgot")),
        ("/account/signup".into(), f.message("account.login.signup")),
    ]);
    super::openid::login_part(cx, &mut v, &format!("/account/openid/login{query}"), &token);
    v.finish()
}

pub(super) async fn login_page(cx: &Ctx<'_>) -> Response<Body> {
    if session::current(cx.app, cx.site, cx.req).await.is_some() {
        return redirect(&cx.frame.url("/account/"));
    }
    let next = safe_next(cx, cx.query("next").as_deref());
    respond(
        cx,
        StatusCode::OK,
        login_view(cx, "", next.as_deref(), None),
    )
}

pub(super) async fn login(cx: &Ctx<'_>) -> Response<Body> {
    let f = cx.frame;
    let email = field(cx, "email");
    let next = safe_next(cx, cx.query("next").as_deref());
    if !token_ok(cx, "login") {
        let v = login_view(
            cx,
            &email,
            next.as_deref(),
            Some(&f.message("form.expired")),
        );
        return respond(cx, StatusCode::FORBIDDEN, v);
    }
    let peer = cx.req.peer.to_string();
    match account::sign_in(cx.app, cx.site, &email, field(cx, "password"), &peer).await {
        Ok(citizen) => match account::open_session(cx.app, cx.site, &citizen, None).await {
            Ok(token) => {
                let to = next.unwrap_or_else(|| f.url("/account/"));
                signed_in_redirect(cx, &token, &to)
            }
            Err(e) => unavailable(&format!("{e:?}")),
        },
        Err(AuthError::Throttled(wait)) => {
            let v = login_view(
                cx,
                &email,
                next.as_deref(),
                Some(&f.format("account.login.throttled", &[("seconds", &wait.to_string())])),
            );
            let mut r = respond(cx, StatusCode::TOO_MANY_REQUESTS, v);
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(AuthError::Failed) => respond(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            login_view(
                cx,
                &email,
                next.as_deref(),
                Some(&f.message("account.login.failed")),
            ),
        ),
        Err(AuthError::Unavailable(e)) => unavailable(&e.to_string()),
    }
}

pub(super) async fn logout(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let id_token = match cx.app.store.end_citizen_session(s.digest.clone()).await {
        Ok(t) => t,
        Err(e) => return unavailable(&e.to_string()),
    };
    let subject = crate::store::citizen_subject(s.citizen.id);
    if let Err(e) = crate::usecases::audit::sign_in_event(
        cx.app,
        cx.site.tenant.id,
        subject.clone(),
        subject,
        "logout",
        String::new(),
    )
    .await
    {
        return unavailable(&e.to_string());
    }
    // Signed in with the provider: signed out there too.
    let at_provider = match id_token {
        Some(t) => {
            let back = crate::usecases::openid::post_logout_uri(cx.app, cx.site, cx.req.origin);
            crate::usecases::openid::logout_at_provider(cx.site, &t, &back).await
        }
        None => None,
    };
    let mut r = redirect(&at_provider.unwrap_or_else(|| cx.frame.url("/account/login?bye=1")));
    r.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(cx.site, cx.req, "", 0));
    r
}

// Forgotten password.

fn forgot_view(cx: &Ctx<'_>, email: &str, refused: &[Refused]) -> String {
    let f = cx.frame;
    let mut v = View::begin(f, "forgot", &f.message("account.forgot.title"), None, "");
    v.para(&f.message("account.forgot.intro"));
    let mut input =
        Input::new("email", "email", f.message("account.field.email"), "email").value(email);
    input.error = said(cx, refused, "email");
    v.form(
        "forgot",
        "/account/forgot",
        &token_for(cx, "forgot"),
        &f.message("account.forgot.submit"),
        &[input],
    );
    v.finish()
}

pub(super) async fn forgot_page(cx: &Ctx<'_>) -> Response<Body> {
    respond(cx, StatusCode::OK, forgot_view(cx, "", &[]))
}

pub(super) async fn forgot(cx: &Ctx<'_>) -> Response<Body> {
    let f = cx.frame;
    let email = field(cx, "email");
    if !token_ok(cx, "forgot") {
        return plain(StatusCode::FORBIDDEN, &f.message("form.expired"));
    }
    match account::forgot(cx.app, cx.site, &email, lang(cx)).await {
        Ok(()) => notice_page(
            cx,
            StatusCode::OK,
            ("forgot-sent", "account.forgot.title"),
            (
                "info",
                &f.format("account.forgot.sent", &[("email", email.trim())]),
            ),
            &[],
        ),
        Err(AccountError::Invalid(refused)) => respond(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            forgot_view(cx, &email, &refused),
        ),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

fn reset_view(cx: &Ctx<'_>, email: &str, refused: &[Refused]) -> String {
    let f = cx.frame;
    let token = cx.param("token");
    let mut v = View::begin(f, "reset", &f.message("account.reset.title"), None, "");
    v.para(&f.format("account.reset.intro", &[("email", email)]));
    let mut password = Input::new(
        "password",
        "password",
        f.message("account.field.new-password"),
        "new-password",
    )
    .help(f.message("account.field.new-password-help"));
    password.error = said(cx, refused, "password");
    v.form(
        "reset",
        &format!("/account/reset/{token}"),
        &token_for(cx, "reset"),
        &f.message("account.reset.submit"),
        &[password],
    );
    v.finish()
}

pub(super) async fn reset_page(cx: &Ctx<'_>) -> Response<Body> {
    match account::link_citizen(cx.app, cx.site, LinkPurpose::Reset, cx.param("token")).await {
        Ok(Some(citizen)) => respond(cx, StatusCode::OK, reset_view(cx, &citizen.email, &[])),
        Ok(None) | Err(AccountError::Invalid(_)) => dead_link(cx),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

pub(super) async fn reset(cx: &Ctx<'_>) -> Response<Body> {
    if !token_ok(cx, "reset") {
        return plain(StatusCode::FORBIDDEN, &cx.frame.message("form.expired"));
    }
    let token = cx.param("token");
    match account::reset(cx.app, cx.site, token, field(cx, "password"), lang(cx)).await {
        Ok(Some(citizen)) => match account::open_session(cx.app, cx.site, &citizen, None).await {
            Ok(session) => signed_in_redirect(cx, &session, &cx.frame.url("/account/?reset=1")),
            Err(e) => unavailable(&format!("{e:?}")),
        },
        Ok(None) => dead_link(cx),
        Err(AccountError::Invalid(refused)) => {
            let email = account::link_citizen(cx.app, cx.site, LinkPurpose::Reset, token)
                .await
                .ok()
                .flatten()
                .map(|c| c.email)
                .unwrap_or_default();
            respond(
                cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                reset_view(cx, &email, &refused),
            )
        }
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

// A new password or address, signed in.

async fn security_view(
    cx: &Ctx<'_>,
    s: &CitizenSession,
    refused: &[Refused],
    notice: Option<(&str, &str)>,
) -> String {
    let f = cx.frame;
    let mut v = View::begin(
        f,
        "security",
        &f.message("account.security.title"),
        Some(s),
        "security",
    );
    if let Some((kind, text)) = notice {
        v.notice(kind, text);
    }
    v.heading(&f.message("account.security.email"));
    v.para(&f.format("account.security.email-now", &[("email", &s.citizen.email)]));
    let mut email = Input::new(
        "email",
        "email",
        f.message("account.field.new-email"),
        "email",
    );
    email.error = said(cx, refused, "email");
    v.form(
        "email",
        "/account/email",
        &s.token,
        &f.message("account.security.email-submit"),
        &[email],
    );
    v.heading(&f.message("account.security.password"));
    let mut inputs = Vec::new();
    if s.citizen.password_hash.is_some() {
        let mut current = Input::new(
            "current",
            "password",
            f.message("account.field.password"),
            "current-password",
        );
        current.error = said(cx, refused, "current");
        inputs.push(current);
    } else {
        v.para(&f.message("account.security.no-password"));
    }
    let mut password = Input::new(
        "password",
        "password",
        f.message("account.field.new-password"),
        "new-password",
    )
    .help(f.message("account.field.new-password-help"));
    password.error = said(cx, refused, "password");
    inputs.push(password);
    v.form(
        "password",
        "/account/password",
        &s.token,
        &f.message("account.security.password-submit"),
        &inputs,
    );
    super::openid::security_part(cx, s, &mut v).await;
    close_part(cx, s, refused, &mut v);
    v.finish()
}

/// Closing the account, confirmed by the password (or the address for an
/// account without one), after a word on what goes and what stays.
fn close_part(cx: &Ctx<'_>, s: &CitizenSession, refused: &[Refused], v: &mut View<'_>) {
    let f = cx.frame;
    v.heading(&f.message("account.close.title"));
    v.para(&f.message("account.close.intro"));
    v.links(&[("/account/export".into(), f.message("account.export.link"))]);
    let mut confirmation = if s.citizen.password_hash.is_some() {
        Input::new(
            "confirmation",
            "password",
            f.message("account.close.password"),
            "current-password",
        )
    } else {
        Input::new(
            "confirmation",
            "email",
            f.message("account.close.email"),
            "off",
        )
    };
    confirmation.error = said(cx, refused, "confirmation");
    v.form(
        "close",
        "/account/close",
        &s.token,
        &f.message("account.close.submit"),
        &[confirmation],
    );
}

pub(super) async fn close(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match account::close(
        cx.app,
        cx.site,
        &s.citizen,
        field(cx, "confirmation"),
        lang(cx),
    )
    .await
    {
        Ok(closed) => {
            let f = cx.frame;
            let (anonymised, kept) = (
                closed.anonymised.len().to_string(),
                closed.kept.len().to_string(),
            );
            let text = f.format(
                "account.close.done-text",
                &[
                    ("anonymised", &anonymised),
                    ("kept", &kept),
                    ("email", &s.citizen.email),
                ],
            );
            let mut r = notice_page(
                cx,
                StatusCode::OK,
                ("closed", "account.close.done"),
                ("info", &text),
                &[("/".into(), f.message("account.close.home"))],
            );
            r.headers_mut()
                .insert(header::SET_COOKIE, set_cookie(cx.site, cx.req, "", 0));
            r
        }
        Err(AccountError::Invalid(refused)) => respond(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            security_view(cx, &s, &refused, None).await,
        ),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

pub(super) async fn security(cx: &Ctx<'_>) -> Response<Body> {
    match signed_in(cx).await {
        Ok(s) => {
            let notice = super::openid::security_notice(cx);
            let notice = notice.as_ref().map(|(k, t)| (*k, t.as_str()));
            let view = security_view(cx, &s, &[], notice).await;
            respond(cx, StatusCode::OK, view)
        }
        Err(r) => r,
    }
}

pub(super) async fn change_password(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let result = account::change_password(
        cx.app,
        cx.site,
        &s.citizen,
        &s.digest,
        field(cx, "current"),
        field(cx, "password"),
        lang(cx),
    )
    .await;
    match result {
        Ok(()) => {
            let notice = cx.frame.message("account.security.password-changed");
            respond(
                cx,
                StatusCode::OK,
                security_view(cx, &s, &[], Some(("info", &notice))).await,
            )
        }
        Err(AccountError::Invalid(refused)) => respond(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            security_view(cx, &s, &refused, None).await,
        ),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

pub(super) async fn ask_email(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let email = field(cx, "email");
    match account::ask_email_change(cx.app, cx.site, &s.citizen, &email, lang(cx)).await {
        Ok(()) => {
            let notice = cx
                .frame
                .format("account.security.email-sent", &[("email", email.trim())]);
            respond(
                cx,
                StatusCode::OK,
                security_view(cx, &s, &[], Some(("info", &notice))).await,
            )
        }
        Err(AccountError::Invalid(refused)) => respond(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            security_view(cx, &s, &refused, None).await,
        ),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

pub(super) async fn email_page(cx: &Ctx<'_>) -> Response<Body> {
    let f = cx.frame;
    let token = cx.param("token");
    match account::link_citizen(cx.app, cx.site, LinkPurpose::Email, token).await {
        Ok(Some(_)) => {
            let mut v = View::begin(
                f,
                "email-confirm",
                &f.message("account.email.title"),
                None,
                "",
            );
            v.para(&f.message("account.email.intro"));
            v.form(
                "email-confirm",
                &format!("/account/email/{token}"),
                &token_for(cx, "email"),
                &f.message("account.email.submit"),
                &[],
            );
            respond(cx, StatusCode::OK, v.finish())
        }
        Ok(None) | Err(AccountError::Invalid(_)) => dead_link(cx),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

pub(super) async fn confirm_email(cx: &Ctx<'_>) -> Response<Body> {
    let f = cx.frame;
    if !token_ok(cx, "email") {
        return plain(StatusCode::FORBIDDEN, &f.message("form.expired"));
    }
    match account::confirm_email_change(cx.app, cx.site, cx.param("token"), lang(cx)).await {
        Ok(EmailChanged::Changed(citizen)) => notice_page(
            cx,
            StatusCode::OK,
            ("email-changed", "account.email.title"),
            (
                "info",
                &f.format("account.email.changed", &[("email", &citizen.email)]),
            ),
            &[("/account/".into(), f.message("account.nav.requests"))],
        ),
        Ok(EmailChanged::Taken) => notice_page(
            cx,
            StatusCode::CONFLICT,
            ("email-taken", "account.email.title"),
            ("error", &f.message("account.email.taken")),
            &[],
        ),
        Ok(EmailChanged::Invalid) => dead_link(cx),
        Err(e) => unavailable(&format!("{e:?}")),
    }
}
