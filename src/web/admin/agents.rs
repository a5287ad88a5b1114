//! Agents' accounts on the admin pages: creating, changing, deactivating,
//! giving a new password (hashed off the async threads).

use super::admin_page;
use crate::auth;
use crate::core::workflow::Role;
use crate::store::{AgentChange, AgentChanged, AgentRecord, NewAgent};
use crate::tenant::Site;
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::route::Ctx;
use crate::web::view::Frame;
use crate::web::view::Xml;
use crate::web::{Body, Fields, not_found, plain, redirect};
use hyper::{Response, StatusCode};

/// The agent form as posted, checked; `None` for a post no form of ours
/// could send (an unknown role). `existing`: the agent being changed (its login stays, the
/// password may stay empty).
fn read_agent_form(
    site: &Site,
    frame: &Frame<'_>,
    fields: &Fields,
    existing: Option<&AgentRecord>,
) -> Option<(AgentForm, String)> {
    let mut form = AgentForm {
        login: match existing {
            Some(record) => record.agent.login.clone(),
            None => fields.get("login").unwrap_or("").trim().to_owned(),
        },
        name: fields.get("name").unwrap_or("").trim().to_owned(),
        email: fields.get("email").unwrap_or("").trim().to_owned(),
        admin: fields.get("admin") == Some("yes"),
        active: existing.map(|_| fields.get("active") == Some("yes")),
        ..AgentForm::default()
    };
    let password = fields.get("password").unwrap_or("").to_owned();
    for grant in fields.all("role") {
        let parsed = grant
            .split_once(':')
            .and_then(|(d, r)| Some((d, Role::from_name(r)?)))
            .filter(|(d, _)| site.department(d).is_some());
        match parsed {
            Some((d, r)) => form.grants.push((d.to_owned(), r)),
            None => return None,
        }
    }
    if existing.is_none() && !auth::valid_login(&form.login) {
        form.errors
            .push(("login", frame.message("bo.admin.error.login")));
    }
    if form.name.is_empty() || form.name.chars().count() > 100 {
        form.errors
            .push(("name", frame.message("bo.admin.error.name")));
    }
    if !form.email.is_empty()
        && (form.email.len() > 254
            || form.email.contains(char::is_whitespace)
            || !form
                .email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.')))
    {
        form.errors
            .push(("email", frame.message("bo.admin.error.email")));
    }
    let keeps_password = existing.is_some() && password.is_empty();
    if !keeps_password && password.chars().count() < auth::MIN_PASSWORD_CHARS {
        form.errors
            .push(("password", frame.message("bo.admin.error.password")));
    }
    Some((form, password))
}

async fn hash_off_thread(password: String) -> Option<String> {
    match tokio::task::spawn_blocking(move || auth::hash_password(&password)).await {
        Ok(Ok(h)) => Some(h),
        _ => None,
    }
}

fn unknown_role() -> Response<Body> {
    plain(StatusCode::BAD_REQUEST, "Rôle inconnu.")
}

fn hashing_failed() -> Response<Body> {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service momentanément indisponible.",
    )
}

pub(super) async fn add(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, _req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let fields = &cx.fields;
    let Some((mut form, password)) = read_agent_form(site, frame, fields, None) else {
        return unknown_role();
    };
    if !form.errors.is_empty() {
        return admin_page(cx, &form, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let Some(hash) = hash_off_thread(password).await else {
        return hashing_failed();
    };
    let agent = NewAgent {
        login: form.login.clone(),
        name: form.name.clone(),
        password_hash: hash,
        admin: form.admin,
        roles: form.grants.clone(),
        email: (!form.email.is_empty()).then(|| form.email.clone()),
    };
    let actor = format!("agent:{}", session.record.agent.login);
    match app
        .store
        .add_agent(site.tenant.id, agent, actor, (app.clock)())
        .await
    {
        Ok(true) => {
            let login: String = form_urlencoded::byte_serialize(form.login.as_bytes()).collect();
            redirect(&format!("{}/backoffice/admin?created={login}", frame.base))
        }
        Ok(false) => {
            form.errors
                .push(("login", frame.message("bo.admin.error.login-taken")));
            admin_page(cx, &form, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => unavailable(&e),
    }
}

/// An administrator changes an agent's account: name, e-mail, rights,
/// active or not, a new password. Administrators cannot lock themselves
/// out, and the tenant always keeps an active administrator.
async fn change_agent(cx: &Ctx<'_>, login: &str, fields: &Fields) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let record = match app.store.agent(site.tenant.id, login.to_owned()).await {
        Ok(Some(record)) => record,
        Ok(None) => return not_found(site, frame, req),
        Err(e) => return unavailable(&e),
    };
    let own = record.id == session.record.id;
    let Some((mut form, password)) = read_agent_form(site, frame, fields, Some(&record)) else {
        return unknown_role();
    };
    if own && !form.admin {
        form.errors
            .push(("admin", frame.message("bo.agent.error.own-admin")));
    }
    if own && form.active == Some(false) {
        form.errors
            .push(("active", frame.message("bo.agent.error.own-active")));
    }
    let refused = |form: &AgentForm| {
        let v = agent_edit(frame, site, &bar(session), form, own);
        bo_page(cx, StatusCode::UNPROCESSABLE_ENTITY, "bo-agent.xsl", v)
    };
    if !form.errors.is_empty() {
        return refused(&form);
    }
    let password_hash = if password.is_empty() {
        None
    } else {
        match hash_off_thread(password).await {
            Some(h) => Some(h),
            None => return hashing_failed(),
        }
    };
    let change = AgentChange {
        login: record.agent.login.clone(),
        name: form.name.clone(),
        email: (!form.email.is_empty()).then(|| form.email.clone()),
        admin: form.admin,
        active: form.active.unwrap_or(true),
        roles: form.grants.clone(),
        password_hash,
    };
    let actor = format!("agent:{}", session.record.agent.login);
    let keep = own.then(|| session.digest.clone());
    match app
        .store
        .change_agent(site.tenant.id, change, actor, keep, (app.clock)())
        .await
    {
        Ok(AgentChanged::Changed) => {
            let login: String = form_urlencoded::byte_serialize(form.login.as_bytes()).collect();
            redirect(&format!("{}/backoffice/admin?changed={login}", frame.base))
        }
        Ok(AgentChanged::LastAdministrator) => {
            form.errors
                .push(("admin", frame.message("bo.agent.error.last-admin")));
            refused(&form)
        }
        Ok(AgentChanged::NotFound) => not_found(site, frame, req),
        Err(e) => unavailable(&e),
    }
}

pub(super) async fn change(cx: &Ctx<'_>) -> Response<Body> {
    change_agent(cx, cx.param("login"), &cx.fields).await
}

/// An agent's page.
pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let session = cx.session();
    match app
        .store
        .agent(site.tenant.id, cx.param("login").to_owned())
        .await
    {
        Ok(Some(record)) => {
            let own = record.id == session.record.id;
            let v = agent_edit(frame, site, &bar(session), &AgentForm::of(&record), own);
            bo_page(cx, StatusCode::OK, "bo-agent.xsl", v)
        }
        Ok(None) => not_found(cx.site, cx.frame, cx.req),
        Err(e) => unavailable(&e),
    }
}

// The views of these pages (`xsd/view.xsd`, `docs/backoffice-views.md`).

/// An agent's form as typed, new or existing, with its errors.
#[derive(Default)]
pub(crate) struct AgentForm {
    pub login: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    /// `None` for a new agent (who is active).
    pub active: Option<bool>,
    pub grants: Vec<(String, Role)>,
    /// `(field, message)`
    pub errors: Vec<(&'static str, String)>,
}

impl AgentForm {
    /// The form of an existing agent, as stored.
    pub fn of(record: &crate::store::AgentRecord) -> AgentForm {
        AgentForm {
            login: record.agent.login.clone(),
            name: record.agent.name.clone(),
            email: record.email.clone().unwrap_or_default(),
            admin: record.agent.admin,
            active: Some(record.active),
            grants: record.agent.roles.clone(),
            errors: Vec::new(),
        }
    }
}

/// The departments and the roles an agent can be given in each.
pub(super) fn grantable(frame: &Frame, site: &Site, x: &mut Xml) {
    x.open("departments", &[]);
    for d in &site.departments {
        x.text("department", &[("code", &d.code)], &d.name);
    }
    x.close("departments");
    x.open("roles", &[]);
    for r in [Role::Reader, Role::Handler, Role::Validator, Role::Stats] {
        x.text(
            "role",
            &[("code", r.as_str())],
            &frame.message(&format!("bo.role.{}", r.as_str())),
        );
    }
    x.close("roles");
}

pub(super) fn agent_form(x: &mut Xml, form: &AgentForm) {
    let mut attrs = vec![
        ("login", form.login.as_str()),
        ("name", form.name.as_str()),
        ("email", form.email.as_str()),
        ("admin", bool_str(form.admin)),
    ];
    if let Some(active) = form.active {
        attrs.push(("active", bool_str(active)));
    }
    x.open("agent-form", &attrs);
    for (field, message) in &form.errors {
        x.text("error", &[("field", field)], message);
    }
    for (d, r) in &form.grants {
        x.empty("grant", &[("department", d), ("role", r.as_str())]);
    }
    x.close("agent-form");
}

/// One agent's account, to change. `own`: the agent looking at it.
pub(super) fn agent_edit(
    frame: &Frame,
    site: &Site,
    b: &Bar,
    form: &AgentForm,
    own: bool,
) -> String {
    let mut x = Xml::new();
    let title = frame.format("bo.agent.title", &[("login", &form.login)]);
    frame.begin(&mut x, "bo-agent", &title);
    agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin", frame.base);
    let action = format!("{back}/agents/{}", form.login);
    x.open(
        "agent-edit",
        &[
            ("action", &action),
            ("token", b.token),
            ("back", &back),
            ("own", bool_str(own)),
        ],
    );
    grantable(frame, site, &mut x);
    agent_form(&mut x, form);
    x.close("agent-edit");
    x.close("page");
    x.finish()
}
