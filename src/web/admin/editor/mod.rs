//! The service editor (administrators): a service of the town's — a copy of
//! a library service or its own — changed without code or restart. The
//! main page shows the general part, the fields, the coherence rules and
//! the workflow as a tree (steps → actions → where each leads, timed jumps,
//! automatic actions); a field and a step each have their own page. Every
//! change goes through `usecases::catalogue::edit` into the town's draft,
//! written and checked like a file (schema and loader); a refusal keeps
//! what was typed with every problem shown. A preview renders the draft's
//! form as citizens will see it, and checks what is typed in it without
//! storing anything; publishing (online or in test) makes it the next
//! version.
//!
//! Every form of these pages is described the same way in the view
//! (`EditorForm` in `xsd/view.xsd`: controls with their label, value, help
//! and error, and submit buttons), so one stylesheet (`bo-editor.xsl`)
//! renders them all accessibly.

use crate::core::catalogue::{Department, Theme};
use crate::core::editor::Edit;
use crate::store::ServiceStatus;
use crate::usecases::catalogue::{self, CatalogueError, NewService};
use crate::web::backoffice::unavailable;
use crate::web::route::Ctx;
use crate::web::{Body, Fields, not_found, redirect};
use hyper::{Response, StatusCode};

/// Which page of the editor.
#[derive(Clone, Copy)]
enum Page<'a> {
    Main,
    Field(&'a str),
    Step(&'a str),
}

/// A form as sent back after a refusal: its values, and a message per
/// control that was wrong.
struct Typed<'a> {
    form: String,
    fields: &'a Fields,
    errors: Vec<(String, String)>,
}

// Handlers.

pub(super) async fn new_page(cx: &Ctx<'_>) -> Response<Body> {
    show_new(cx, StatusCode::OK, None, &[])
}

pub(super) async fn create(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, f, frame) = (cx.app, cx.site, &cx.fields, cx.frame);
    let mut errors = Vec::new();
    let code = text(f, "code");
    let title = text(f, "title");
    let operation = text(f, "operation");
    if code.is_empty() {
        errors.push(("code".into(), frame.message("bo.editor.error.code")));
    }
    required(&mut errors, frame, "title", title.is_empty());
    if operation.is_empty() {
        errors.push((
            "operation".into(),
            frame.message("bo.editor.error.operation"),
        ));
    }
    let theme = theme_of(cx, &text(f, "theme"));
    required(&mut errors, frame, "theme", theme.is_none());
    let department = department_of(cx, &text(f, "department"));
    required(&mut errors, frame, "department", department.is_none());
    let (Some(theme), Some(department), true) = (theme, department, errors.is_empty()) else {
        let typed = Typed {
            form: "new".into(),
            fields: f,
            errors,
        };
        return show_new(cx, StatusCode::UNPROCESSABLE_ENTITY, Some(&typed), &[]);
    };
    let new = NewService {
        code: code.clone(),
        title,
        operation,
        theme,
        department,
    };
    match catalogue::create(&*app.store, &app.library, site, new, &actor(cx), app.now()) {
        Ok(()) => redirect(&format!("{}/edit?done=created", catalogue_url(cx, &code))),
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(e) => {
            let typed = Typed {
                form: "new".into(),
                fields: f,
                errors: Vec::new(),
            };
            show_new(
                cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&typed),
                &problems(e),
            )
        }
    }
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    show(cx, Page::Main, StatusCode::OK, None, &[])
}

pub(super) async fn field_page(cx: &Ctx<'_>) -> Response<Body> {
    show(cx, Page::Field(cx.param("name")), StatusCode::OK, None, &[])
}

pub(super) async fn step_page(cx: &Ctx<'_>) -> Response<Body> {
    show(cx, Page::Step(cx.param("id")), StatusCode::OK, None, &[])
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let code = cx.param("code");
    let action = cx.fields.get("action").unwrap_or("");
    if let Some(status) = match action {
        "publish" => Some(ServiceStatus::Online),
        "publish-test" => Some(ServiceStatus::Test),
        _ => None,
    } {
        let (app, site) = (cx.app, cx.site);
        return match catalogue::publish(&*app.store, site, code, status, &actor(cx), app.now()) {
            Ok(_) => redirect(&format!(
                "{}/backoffice/admin/catalogue?done={}&code={code}",
                cx.frame.base,
                status.as_str()
            )),
            Err(CatalogueError::Store(e)) => unavailable(&e),
            Err(e) => show(
                cx,
                Page::Main,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &problems(e),
            ),
        };
    }
    apply(cx, Page::Main).await
}

pub(super) async fn field_post(cx: &Ctx<'_>) -> Response<Body> {
    apply(cx, Page::Field(cx.param("name"))).await
}

pub(super) async fn step_post(cx: &Ctx<'_>) -> Response<Body> {
    apply(cx, Page::Step(cx.param("id"))).await
}

/// The draft's form as citizens will see it (GET), and what was typed in
/// it checked (POST).
pub(super) async fn preview(cx: &Ctx<'_>) -> Response<Body> {
    let code = cx.param("code");
    match catalogue::editable(&*cx.app.store, cx.site, code) {
        Ok((service, _)) => {
            let action = format!("{}/edit/preview", catalogue_url(cx, code));
            crate::web::citizen::preview(cx, &service, &action, &cx.session().token)
        }
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(_) => not_found(cx.site, cx.frame, cx.req),
    }
}

/// Reads the posted form into an edit, applies it and comes back to the
/// page; or shows the page again with what was wrong.
async fn apply(cx: &Ctx<'_>, at: Page<'_>) -> Response<Body> {
    let (app, site, f) = (cx.app, cx.site, &cx.fields);
    let code = cx.param("code");
    let action = f.get("action").unwrap_or("").to_owned();
    let form = f.get("form").unwrap_or("").to_owned();
    let edit = match read_edit(cx, at, &action) {
        Ok(edit) => edit,
        Err(errors) => {
            let typed = Typed {
                form,
                fields: f,
                errors,
            };
            return show(cx, at, StatusCode::UNPROCESSABLE_ENTITY, Some(&typed), &[]);
        }
    };
    // Where to go once done: a removed field or step has no page any more.
    let back = match (&edit, at) {
        (Edit::RemoveField { .. } | Edit::RemoveStep { .. }, _) | (_, Page::Main) => {
            format!("{}/edit", catalogue_url(cx, code))
        }
        (_, Page::Field(name)) => format!("{}/edit/fields/{name}", catalogue_url(cx, code)),
        (_, Page::Step(id)) => format!("{}/edit/steps/{id}", catalogue_url(cx, code)),
    };
    match catalogue::edit(&*app.store, site, code, edit, &actor(cx), app.now()) {
        Ok(()) => redirect(&format!("{back}?done=saved")),
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(CatalogueError::NotInTown(_)) => not_found(site, cx.frame, cx.req),
        Err(e) => {
            let typed = Typed {
                form,
                fields: f,
                errors: Vec::new(),
            };
            show(
                cx,
                at,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&typed),
                &problems(e),
            )
        }
    }
}

fn problems(e: CatalogueError) -> Vec<(Option<u32>, String)> {
    match e {
        CatalogueError::Refused(r) => r.by_line(),
        other => vec![(None, other.to_string())],
    }
}

fn actor(cx: &Ctx<'_>) -> String {
    format!("agent:{}", cx.session().record.agent.login)
}

fn catalogue_url(cx: &Ctx<'_>, code: &str) -> String {
    format!("{}/backoffice/admin/catalogue/{code}", cx.frame.base)
}

fn text(f: &Fields, name: &str) -> String {
    f.get(name).unwrap_or("").trim().to_owned()
}

/// A 0-based position from a form's 1-based one (`usize::MAX`, which no
/// list has, when it is not a number).
fn position(f: &Fields, name: &str) -> usize {
    text(f, name)
        .parse::<usize>()
        .unwrap_or(usize::MAX)
        .saturating_sub(1)
}

/// Says `name` is required when it is `missing`.
fn required(errors: &mut read::Errors, frame: &crate::web::view::Frame, name: &str, missing: bool) {
    if missing {
        errors.push((name.into(), frame.message("bo.editor.error.required")));
    }
}

/// One of the town's departments, by code.
fn department_of(cx: &Ctx<'_>, code: &str) -> Option<Department> {
    cx.site.department(code).map(|d| Department {
        code: d.code.clone(),
        name: d.name.clone(),
    })
}

fn theme_of(cx: &Ctx<'_>, code: &str) -> Option<Theme> {
    cx.app
        .library
        .iter()
        .map(|l| &l.service.theme)
        .chain(cx.site.tenant.all_services().map(|s| &s.theme))
        .find(|t| t.code == code)
        .cloned()
}

mod read;
mod views;

use read::read_edit;
use views::{show, show_new};
