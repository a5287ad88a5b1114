//! The exchange API's accounts on the admin pages: the business
//! applications that may call `/T/exchange`, each with its rights per
//! department; created, changed, stopped, given a new password through
//! `usecases::api_accounts` (the password is sealed, never shown again).

use super::agents::grantable;
use crate::core::workflow::Role;
use crate::store::ApiAccount;
use crate::tenant::Site;
use crate::usecases::api_accounts::{self, AccountError};
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml};
use crate::web::{Body, Fields, not_found, plain, redirect};
use hyper::{Response, StatusCode};

/// The account form as typed, with its errors.
#[derive(Default)]
struct AccountForm {
    login: String,
    name: String,
    /// `None` for a new account.
    active: Option<bool>,
    grants: Vec<(String, Role)>,
    /// `(field, message)`
    errors: Vec<(&'static str, String)>,
}

impl AccountForm {
    fn of(a: &ApiAccount) -> AccountForm {
        AccountForm {
            login: a.login.clone(),
            name: a.name.clone(),
            active: Some(a.active),
            grants: a.roles.clone(),
            errors: Vec::new(),
        }
    }
}

/// The form as posted; `None` for rights no form of ours could send.
fn read(
    site: &Site,
    fields: &Fields,
    existing: Option<&ApiAccount>,
) -> Option<(AccountForm, String)> {
    let mut form = AccountForm {
        login: match existing {
            Some(a) => a.login.clone(),
            None => fields.get("login").unwrap_or("").trim().to_lowercase(),
        },
        name: fields.get("name").unwrap_or("").trim().to_owned(),
        active: existing.map(|_| fields.get("active") == Some("yes")),
        ..AccountForm::default()
    };
    for grant in fields.all("role") {
        let parsed = grant
            .split_once(':')
            .and_then(|(d, r)| Some((d, Role::from_name(r)?)))
            .filter(|(d, r)| site.department(d).is_some() && r.sees_requests())?;
        form.grants.push((parsed.0.to_owned(), parsed.1));
    }
    Some((form, fields.get("password").unwrap_or("").to_owned()))
}

/// Which field an account error is about.
fn place(frame: &Frame, form: &mut AccountForm, e: AccountError) -> Option<Response<Body>> {
    match e {
        AccountError::Invalid(field, words) => {
            form.errors.push((field, words));
            None
        }
        AccountError::Taken => {
            form.errors
                .push(("login", frame.message("bo.admin.error.login-taken")));
            None
        }
        AccountError::NotFound => Some(plain(StatusCode::NOT_FOUND, "Compte inconnu.")),
        AccountError::Unavailable(e) => Some(unavailable(&e)),
    }
}

pub(super) async fn list(cx: &Ctx<'_>) -> Response<Body> {
    let notice = cx
        .query("created")
        .map(|l| cx.frame.format("bo.exchange.created", &[("login", &l)]))
        .or_else(|| {
            cx.query("changed")
                .map(|l| cx.frame.format("bo.exchange.changed", &[("login", &l)]))
        });
    list_page(cx, &AccountForm::default(), notice, StatusCode::OK).await
}

async fn list_page(
    cx: &Ctx<'_>,
    form: &AccountForm,
    notice: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let accounts = match app.store.api_accounts(site.tenant.id).await {
        Ok(a) => a,
        Err(e) => return unavailable(&e),
    };
    let b = bar(cx.session());
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-exchange", &frame.message("bo.exchange.title"));
    agent_bar(frame, &mut x, &b);
    let base = format!("{}/backoffice/admin", frame.base);
    let action = format!("{base}/exchange");
    let doc = format!("{}/exchange/doc", frame.base);
    x.open(
        "exchange-accounts",
        &[
            ("action", &action),
            ("token", b.token),
            ("back", &base),
            ("doc", &doc),
        ],
    );
    if let Some(text) = &notice {
        x.text("notice", &[("kind", "success")], text);
    }
    for a in &accounts {
        x.open(
            "account",
            &[
                ("login", &a.login),
                ("name", &a.name),
                ("active", bool_str(a.active)),
                ("href", &format!("{action}/{}", a.login)),
            ],
        );
        for (d, r) in &a.roles {
            x.empty("grant", &[("department", d), ("role", r.as_str())]);
        }
        x.close("account");
    }
    grantable(frame, site, &mut x);
    form_view(&mut x, form);
    x.close("exchange-accounts");
    x.close("page");
    bo_page(cx, status, "bo-exchange.xsl", x.finish())
}

fn form_view(x: &mut Xml, form: &AccountForm) {
    let mut attrs = vec![("login", form.login.as_str()), ("name", form.name.as_str())];
    if let Some(active) = form.active {
        attrs.push(("active", bool_str(active)));
    }
    x.open("account-form", &attrs);
    for (field, message) in &form.errors {
        x.text("error", &[("field", field)], message);
    }
    for (d, r) in &form.grants {
        x.empty("grant", &[("department", d), ("role", r.as_str())]);
    }
    x.close("account-form");
}

pub(super) async fn add(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let Some((mut form, password)) = read(site, &cx.fields, None) else {
        return plain(StatusCode::BAD_REQUEST, "Droit inconnu.");
    };
    let actor = cx.session().record.agent.actor();
    match api_accounts::add(
        app,
        site,
        &form.login,
        &form.name,
        form.grants.clone(),
        &password,
        actor,
    )
    .await
    {
        Ok(()) => {
            let login: String = form_urlencoded::byte_serialize(form.login.as_bytes()).collect();
            redirect(&format!(
                "{}/backoffice/admin/exchange?created={login}",
                frame.base
            ))
        }
        Err(e) => match place(frame, &mut form, e) {
            Some(r) => r,
            None => list_page(cx, &form, None, StatusCode::UNPROCESSABLE_ENTITY).await,
        },
    }
}

async fn account(cx: &Ctx<'_>) -> Result<ApiAccount, Response<Body>> {
    match cx
        .app
        .store
        .api_account(cx.site.tenant.id, cx.param("login").to_owned())
        .await
    {
        Ok(Some(a)) => Ok(a),
        Ok(None) => Err(not_found(cx.site, cx.frame, cx.req)),
        Err(e) => Err(unavailable(&e)),
    }
}

fn edit_page(cx: &Ctx<'_>, form: &AccountForm, status: StatusCode) -> Response<Body> {
    let (site, frame) = (cx.site, cx.frame);
    let b = bar(cx.session());
    let mut x = Xml::new();
    frame.begin(
        &mut x,
        "bo-exchange",
        &frame.format("bo.exchange.account", &[("login", &form.login)]),
    );
    agent_bar(frame, &mut x, &b);
    let back = format!("{}/backoffice/admin/exchange", frame.base);
    let action = format!("{back}/{}", form.login);
    x.open(
        "exchange-account",
        &[("action", &action), ("token", b.token), ("back", &back)],
    );
    grantable(frame, site, &mut x);
    form_view(&mut x, form);
    x.close("exchange-account");
    x.close("page");
    bo_page(cx, status, "bo-exchange.xsl", x.finish())
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    match account(cx).await {
        Ok(a) => edit_page(cx, &AccountForm::of(&a), StatusCode::OK),
        Err(r) => r,
    }
}

pub(super) async fn change(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let existing = match account(cx).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some((mut form, password)) = read(site, &cx.fields, Some(&existing)) else {
        return plain(StatusCode::BAD_REQUEST, "Droit inconnu.");
    };
    let actor = cx.session().record.agent.actor();
    match api_accounts::change(
        app,
        site,
        &existing.login,
        &form.name,
        form.active.unwrap_or(true),
        form.grants.clone(),
        (!password.is_empty()).then_some(password.as_str()),
        actor,
    )
    .await
    {
        Ok(()) => {
            let login: String = form_urlencoded::byte_serialize(form.login.as_bytes()).collect();
            redirect(&format!(
                "{}/backoffice/admin/exchange?changed={login}",
                frame.base
            ))
        }
        Err(e) => match place(frame, &mut form, e) {
            Some(r) => r,
            None => edit_page(cx, &form, StatusCode::UNPROCESSABLE_ENTITY),
        },
    }
}
