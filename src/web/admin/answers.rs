//! Standard answers: written, changed and removed by administrators.

use crate::store::{NewStandardAnswer, StandardAnswer, StoreError};
use crate::tenant::Site;
use crate::usecases::App;
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::route::Ctx;
use crate::web::view::Frame;
use crate::web::view::Xml;
use crate::web::{Body, Fields, not_found, redirect};
use hyper::{Response, StatusCode};

/// Standard answers longer than this are refused (a letter, not a file).
const MAX_ANSWER_CHARS: usize = 4000;

async fn find_answer(
    app: &App,
    site: &Site,
    id: &str,
) -> Result<Option<StandardAnswer>, StoreError> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    Ok(app
        .store
        .standard_answers(site.tenant.id)
        .await?
        .into_iter()
        .find(|a| a.id == id))
}

/// An administrator writes, changes or removes a standard answer.
async fn save_answer(cx: &Ctx<'_>, which: &str, fields: &Fields) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let id = if which == "new" {
        None
    } else {
        match find_answer(app, site, which).await {
            Ok(Some(a)) => Some(a.id),
            Ok(None) => return not_found(site, frame, req),
            Err(e) => return unavailable(&e),
        }
    };
    let mut form = AnswerForm {
        id,
        department: fields.get("department").unwrap_or("").to_owned(),
        title: fields.get("title").unwrap_or("").trim().to_owned(),
        text: fields
            .get("text")
            .unwrap_or("")
            .replace("\r\n", "\n")
            .trim()
            .to_owned(),
        errors: Vec::new(),
    };
    let actor = format!("agent:{}", session.record.agent.login);
    let done = |what: &str| {
        redirect(&format!(
            "{}/backoffice/admin?answer={what}#answers",
            frame.base
        ))
    };
    let refused = |form: &AnswerForm| {
        let v = answer_edit(frame, site, &bar(session), form);
        bo_page(cx, StatusCode::UNPROCESSABLE_ENTITY, "bo-answer.xsl", v)
    };
    if let (Some(id), Some("yes")) = (id, fields.get("delete")) {
        if fields.get("confirm") != Some("yes") {
            form.errors
                .push(("confirm", frame.message("bo.answer.error.confirm")));
            return refused(&form);
        }
        return match app
            .store
            .remove_standard_answer(site.tenant.id, id, actor, (app.clock)())
            .await
        {
            Ok(true) => done("removed"),
            Ok(false) => not_found(site, frame, req),
            Err(e) => unavailable(&e),
        };
    }
    if site.department(&form.department).is_none() {
        form.errors
            .push(("department", frame.message("bo.answer.error.department")));
    }
    if form.title.is_empty() || form.title.chars().count() > 100 {
        form.errors
            .push(("title", frame.message("bo.answer.error.title")));
    }
    if form.text.is_empty() || form.text.chars().count() > MAX_ANSWER_CHARS {
        form.errors
            .push(("text", frame.message("bo.answer.error.text")));
    }
    if !form.errors.is_empty() {
        return refused(&form);
    }
    let answer = NewStandardAnswer {
        department: form.department.clone(),
        title: form.title.clone(),
        text: form.text.clone(),
    };
    match app
        .store
        .save_standard_answer(site.tenant.id, id, answer, actor, (app.clock)())
        .await
    {
        Ok(Some(_)) => done("saved"),
        Ok(None) => not_found(site, frame, req),
        Err(e) => unavailable(&e),
    }
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    save_answer(cx, cx.param("which"), &cx.fields).await
}

/// A standard answer's page (`new` for a new one).
pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let which = cx.param("which");
    let form = if which == "new" {
        AnswerForm {
            department: cx.query("department").unwrap_or_default(),
            ..AnswerForm::default()
        }
    } else {
        match find_answer(app, site, which).await {
            Ok(Some(a)) => AnswerForm {
                id: Some(a.id),
                department: a.department,
                title: a.title,
                text: a.text,
                errors: Vec::new(),
            },
            Ok(None) => return not_found(cx.site, cx.frame, cx.req),
            Err(e) => return unavailable(&e),
        }
    };
    let v = answer_edit(frame, site, &bar(cx.session()), &form);
    bo_page(cx, StatusCode::OK, "bo-answer.xsl", v)
}

// The views of these pages (`xsd/view.xsd`, `docs/backoffice-views.md`).

/// A standard answer's form as typed, with its errors.
#[derive(Default)]
pub(crate) struct AnswerForm {
    /// `None` for a new answer.
    pub id: Option<i64>,
    pub department: String,
    pub title: String,
    pub text: String,
    /// `(field, message)`
    pub errors: Vec<(&'static str, String)>,
}

/// A standard answer to write or change (administrators).
pub(super) fn answer_edit(frame: &Frame, site: &Site, b: &Bar, form: &AnswerForm) -> String {
    let mut x = Xml::new();
    let title = match form.id {
        Some(_) => frame.message("bo.answer.title-change"),
        None => frame.message("bo.answer.title-new"),
    };
    frame.begin(&mut x, "bo-answer", &title);
    agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin", frame.base);
    let action = match form.id {
        Some(id) => format!("{back}/answers/{id}"),
        None => format!("{back}/answers/new"),
    };
    x.open(
        "answer-edit",
        &[("action", &action), ("token", b.token), ("back", &back)],
    );
    x.open("departments", &[]);
    for d in &site.departments {
        x.text("department", &[("code", &d.code)], &d.name);
    }
    x.close("departments");
    let id = form.id.map(|i| i.to_string());
    let mut attrs = vec![
        ("department", form.department.as_str()),
        ("title", form.title.as_str()),
    ];
    if let Some(id) = &id {
        attrs.push(("id", id));
    }
    x.open("answer-form", &attrs);
    for (field, message) in &form.errors {
        x.text("error", &[("field", field)], message);
    }
    x.text("text", &[], &form.text);
    x.close("answer-form");
    x.close("answer-edit");
    x.close("page");
    x.finish()
}
