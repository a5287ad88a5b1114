//! The satisfaction questionnaire (`/T/satisfaction/REFERENCE/SEAL`), the
//! link the closing message of a request carries: three marks out of five
//! and a comment, answered once, without an account.

use crate::core::satisfaction::{Answer, AnswerError, MARKS, QUESTIONS};
use crate::core::tracking::Reference;
use crate::usecases::satisfaction::{self, Questionnaire};
use crate::web::route::Ctx;
use crate::web::view::Xml;
use crate::web::{Body, not_found, page, plain};
use hyper::{Response, StatusCode};

fn reference(cx: &Ctx<'_>) -> Option<Reference> {
    Reference::parse(cx.param("reference"))
}

fn form_purpose(cx: &Ctx<'_>, reference: Reference) -> String {
    format!("{}/satisfaction-form/{reference}", cx.site.tenant.slug)
}

pub(super) async fn form(cx: &Ctx<'_>) -> Response<Body> {
    let Some(r) = reference(cx) else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    match satisfaction::open(cx.app, cx.site, r, cx.param("seal")).await {
        Ok(q) => show(cx, r, &q, None, &[]),
        Err(e) => unavailable(&e),
    }
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let Some(r) = reference(cx) else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    let seal = cx.param("seal");
    let fields = &cx.fields;
    let read = Answer::read(|name| fields.get(name).map(str::to_owned));
    let now = crate::web::session::now_secs(cx.app);
    if !cx.app.secret.verify(
        &form_purpose(cx, r),
        fields.get("_token").unwrap_or(""),
        now,
    ) {
        let q = match satisfaction::open(cx.app, cx.site, r, seal).await {
            Ok(q) => q,
            Err(e) => return unavailable(&e),
        };
        let expired = cx.frame.message("form.expired");
        return show(cx, r, &q, Some(&expired), &[]);
    }
    match read {
        Err(errors) => match satisfaction::open(cx.app, cx.site, r, seal).await {
            Ok(q) => show(cx, r, &q, None, &errors),
            Err(e) => unavailable(&e),
        },
        Ok(answer) => match satisfaction::answer(cx.app, cx.site, r, seal, answer).await {
            Ok(q) => show(cx, r, &q, None, &[]),
            Err(e) => unavailable(&e),
        },
    }
}

fn unavailable(e: &crate::store::StoreError) -> Response<Body> {
    tracing::error!(error = %e, "satisfaction questionnaire unavailable");
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Le questionnaire est momentanément indisponible. Réessayez dans quelques instants.",
    )
}

/// The page: the questionnaire (with what was typed and each error next
/// to its field), or the thanks, or why it cannot be answered.
fn show(
    cx: &Ctx<'_>,
    r: Reference,
    q: &Questionnaire,
    expired: Option<&str>,
    errors: &[AnswerError],
) -> Response<Body> {
    let (frame, site) = (cx.frame, cx.site);
    let survey = match q {
        Questionnaire::Unknown => return not_found(site, frame, cx.req),
        Questionnaire::Open(s)
        | Questionnaire::Answered(s)
        | Questionnaire::Recorded(s)
        | Questionnaire::Closed(s) => s,
    };
    let state = match q {
        Questionnaire::Open(_) => "open",
        Questionnaire::Recorded(_) => "thanks",
        Questionnaire::Answered(_) => "answered",
        _ => "closed",
    };
    let service = site
        .tenant
        .service_version(&survey.service_code, survey.service_version)
        .map_or(survey.service_code.clone(), |s| {
            s.title_in(frame.lang).to_owned()
        });
    let mut x = Xml::new();
    frame.begin(&mut x, "satisfaction", &frame.message("satisfaction.title"));
    let action = frame.url(&format!("/satisfaction/{r}/{}", cx.param("seal")));
    let token = cx
        .app
        .secret
        .issue(&form_purpose(cx, r), crate::web::session::now_secs(cx.app));
    let reference = r.to_string();
    x.open(
        "satisfaction",
        &[
            ("state", state),
            ("action", &action),
            ("token", &token),
            ("reference", &reference),
            ("service", &service),
        ],
    );
    if let Some(e) = expired {
        x.text("expired", &[], e);
    }
    let typed = |name: &str| cx.fields.get(name).unwrap_or("").trim().to_owned();
    for question in QUESTIONS {
        x.open(
            "question",
            &[
                ("name", question),
                ("label", &frame.message(&format!("satisfaction.{question}"))),
            ],
        );
        if let Some(e) = errors.iter().find(|e| e.field == question) {
            x.text("error", &[], &frame.message(e.key));
        }
        let chosen = typed(question);
        for mark in MARKS {
            let value = mark.to_string();
            let selected = if chosen == value { "true" } else { "false" };
            x.text(
                "mark",
                &[("value", &value), ("selected", selected)],
                &frame.message(&format!("satisfaction.mark.{mark}")),
            );
        }
        x.close("question");
    }
    x.open("comment", &[]);
    if let Some(e) = errors.iter().find(|e| e.field == "comment") {
        x.text("error", &[], &frame.message(e.key));
    }
    x.text("value", &[], &typed("comment"));
    x.close("comment");
    x.close("satisfaction");
    x.close("page");
    let status = match (state, errors.is_empty() && expired.is_none()) {
        ("open", false) => StatusCode::UNPROCESSABLE_ENTITY,
        ("closed", _) => StatusCode::GONE,
        _ => StatusCode::OK,
    };
    page(
        site,
        frame,
        cx.req,
        status,
        "satisfaction.xsl",
        x.finish(),
        true,
    )
}
