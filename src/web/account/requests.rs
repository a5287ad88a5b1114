//! The signed-in citizen's requests: the dashboard of open ones, the
//! archived ones, each request's page, a request attached by its tracking
//! code; and the profile forms are filled with.

use super::pages::{signed_in, signed_in_post, unavailable};
use super::session::CitizenSession;
use super::view::{Input, View, respond};
use crate::core::status::{self, CitizenStatus, RequestRecord, State};
use crate::core::tracking::Reference;
use crate::store::Profile;
use crate::usecases::account::{self, AccountError, Refused};
use crate::web::citizen::ReplyForm;
use crate::web::printed::{Printed, load, request_document};
use crate::web::route::Ctx;
use crate::web::{Body, not_found, redirect};
use hyper::{Response, StatusCode};

/// A request as its citizen sees it, under the definition it was made with.
fn status_of(cx: &Ctx<'_>, record: &RequestRecord) -> Option<CitizenStatus> {
    let service = cx
        .site
        .tenant
        .service_version(&record.service_code, record.service_version)?;
    Some(status::citizen_view(
        service,
        record,
        &cx.site.tenant.time_zone,
        cx.frame.lang,
    ))
}

fn finished(state: State) -> bool {
    matches!(state, State::Accepted | State::Refused | State::Closed)
}

async fn listed(cx: &Ctx<'_>, s: &CitizenSession) -> Result<Vec<CitizenStatus>, Response<Body>> {
    match cx
        .app
        .store
        .citizen_requests(cx.site.tenant.id, s.citizen.id)
        .await
    {
        Ok(records) => Ok(records.iter().filter_map(|r| status_of(cx, r)).collect()),
        Err(e) => Err(unavailable(&e.to_string())),
    }
}

fn attach_form(v: &mut View, cx: &Ctx<'_>, s: &CitizenSession, code: &str, refused: &[Refused]) {
    let f = cx.frame;
    v.heading(&f.message("account.attach.title"));
    v.para(&f.message("account.attach.intro"));
    let mut input = Input::new("code", "text", f.message("account.field.code"), "off").value(code);
    input.error = refused
        .iter()
        .find(|r| r.field == "code")
        .map(|r| f.message(&format!("account.error.{}", r.code)));
    v.form(
        "attach",
        "/account/attach",
        &s.token,
        &f.message("account.attach.submit"),
        &[input],
    );
}

fn dashboard_view(
    cx: &Ctx<'_>,
    s: &CitizenSession,
    all: &[CitizenStatus],
    notice: Option<(&str, String)>,
    code: &str,
    refused: &[Refused],
) -> String {
    let f = cx.frame;
    let mut v = View::begin(
        f,
        "dashboard",
        &f.message("account.dashboard.title"),
        Some(s),
        "requests",
    );
    if let Some((kind, text)) = &notice {
        v.notice(kind, text);
    }
    let open: Vec<CitizenStatus> = all.iter().filter(|r| !finished(r.state)).cloned().collect();
    v.requests(&open, &f.message("account.dashboard.empty"));
    let archived = all.len() - open.len();
    if archived > 0 {
        v.links(&[(
            "/account/archive".into(),
            f.format(
                "account.dashboard.archived",
                &[("count", &archived.to_string())],
            ),
        )]);
    }
    attach_form(&mut v, cx, s, code, refused);
    v.finish()
}

pub(super) async fn dashboard(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let all = match listed(cx, &s).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let f = cx.frame;
    let notice = if cx.query("welcome").is_some() {
        Some(("info", f.message("account.dashboard.welcome")))
    } else if cx.query("reset").is_some() {
        Some(("info", f.message("account.security.password-changed")))
    } else {
        cx.query("attached").map(|r| {
            (
                "info",
                f.format("account.attach.done", &[("reference", &r)]),
            )
        })
    };
    respond(
        cx,
        StatusCode::OK,
        dashboard_view(cx, &s, &all, notice, "", &[]),
    )
}

pub(super) async fn archive(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let all = match listed(cx, &s).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let f = cx.frame;
    let mut v = View::begin(
        f,
        "archive",
        &f.message("account.archive.title"),
        Some(&s),
        "archive",
    );
    let done: Vec<CitizenStatus> = all.into_iter().filter(|r| finished(r.state)).collect();
    v.requests(&done, &f.message("account.archive.empty"));
    respond(cx, StatusCode::OK, v.finish())
}

pub(super) async fn request(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sent = cx.query("sent").is_some();
    request_page(cx, &s, StatusCode::OK, "", None, sent).await
}

/// The account's request the URL names; another account's, or none, is
/// the same "not found".
async fn own_request(
    cx: &Ctx<'_>,
    s: &CitizenSession,
) -> Result<(Reference, RequestRecord), Response<Body>> {
    let Some(reference) = Reference::parse(cx.param("reference")) else {
        return Err(not_found(cx.site, cx.frame, cx.req));
    };
    match cx
        .app
        .store
        .citizen_request(cx.site.tenant.id, s.citizen.id, reference)
        .await
    {
        Ok(Some(record)) => Ok((reference, record)),
        Ok(None) => Err(not_found(cx.site, cx.frame, cx.req)),
        Err(e) => Err(unavailable(&e.to_string())),
    }
}

/// A request's page: its steps, its messages, the reply form.
async fn request_page(
    cx: &Ctx<'_>,
    s: &CitizenSession,
    code: StatusCode,
    typed: &str,
    error: Option<String>,
    sent: bool,
) -> Response<Body> {
    let (reference, record) = match own_request(cx, s).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(status) = status_of(cx, &record) else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    let f = cx.frame;
    let title = f.format(
        "track.status-title",
        &[("reference", &reference.to_string())],
    );
    let mut v = View::begin(f, "request", &title, Some(s), "");
    v.request(&status, true);
    for (heading, files) in [
        ("track.files", &status.files),
        ("track.town-files", &status.town_files),
    ] {
        if files.is_empty() {
            continue;
        }
        v.heading(&f.message(heading));
        let files: Vec<(String, String)> = files
            .iter()
            .map(|a| {
                (
                    format!("/account/requests/{reference}/files/{}", a.id),
                    format!("{} ({})", a.name, crate::core::files::size_words(a.size)),
                )
            })
            .collect();
        v.links(&files);
    }
    v.reply(&ReplyForm {
        action: f.url(&format!("/account/requests/{reference}/reply")),
        token: s.token.clone(),
        typed,
        error,
        sent,
    });
    v.links(&[
        (
            format!("/account/requests/{reference}/request.pdf"),
            f.message("pdf.request.link"),
        ),
        (
            format!("/account/requests/{reference}/receipt.pdf"),
            f.message("pdf.receipt.link"),
        ),
    ]);
    v.links(&[("/account/".into(), f.message("account.request.back"))]);
    respond(cx, code, v.finish())
}

/// A file the citizen sent with one of the account's requests.
pub(super) async fn file(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (_, record) = match own_request(cx, &s).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let id = cx.param("file").parse::<i64>().unwrap_or(-1);
    if !record
        .attachments
        .iter()
        .any(|a| a.id == id && a.requester_may_read())
    {
        return not_found(cx.site, cx.frame, cx.req);
    }
    match crate::usecases::files::read(cx.app, &record, id).await {
        Ok(Some((file, bytes))) => crate::web::file_download(&file, bytes),
        Ok(None) => not_found(cx.site, cx.frame, cx.req),
        Err(e) => unavailable(&e),
    }
}

/// One of the citizen's requests as a PDF.
pub(super) async fn request_pdf(cx: &Ctx<'_>) -> Response<Body> {
    printed(cx, Printed::Request).await
}

/// Its receipt as a PDF (without the tracking code: the town keeps only
/// its digest).
pub(super) async fn receipt_pdf(cx: &Ctx<'_>) -> Response<Body> {
    printed(cx, Printed::Receipt).await
}

async fn printed(cx: &Ctx<'_>, which: Printed) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match own_request(cx, &s).await {
        Ok((reference, _)) => match load(cx, reference).await {
            Ok(item) => request_document(cx, &item, which, None).await,
            Err(r) => r,
        },
        Err(r) => r,
    }
}

/// The citizen replies from their account's page of the request.
pub(super) async fn reply(cx: &Ctx<'_>) -> Response<Body> {
    use crate::usecases::reply::{self, ReplyError};
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (reference, _) = match own_request(cx, &s).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let text = cx.fields.get("text").unwrap_or("").to_owned();
    match reply::reply(cx.app, cx.site, reference, &text, "web").await {
        Ok(()) => redirect(
            &cx.frame
                .url(&format!("/account/requests/{reference}?sent=1")),
        ),
        Err(ReplyError::Refused(r)) => {
            let error = crate::web::citizen::reply_refusal(cx.frame, r);
            request_page(
                cx,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                &text,
                Some(error),
                false,
            )
            .await
        }
        Err(ReplyError::Unknown) => not_found(cx.site, cx.frame, cx.req),
        Err(ReplyError::Unavailable(why)) => unavailable(&why),
    }
}

pub(super) async fn attach(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let code = cx.fields.get("code").unwrap_or("").to_owned();
    match account::attach(cx.app, cx.site, &s.citizen, &code).await {
        Ok(reference) => redirect(&cx.frame.url(&format!("/account/?attached={reference}"))),
        Err(AccountError::Invalid(refused)) => {
            let all = match listed(cx, &s).await {
                Ok(l) => l,
                Err(r) => return r,
            };
            let notice = Some(("error", cx.frame.message("account.error.summary")));
            respond(
                cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                dashboard_view(cx, &s, &all, notice, &code, &refused),
            )
        }
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

fn profile_view(
    cx: &Ctx<'_>,
    s: &CitizenSession,
    p: &Profile,
    refused: &[Refused],
    saved: bool,
) -> String {
    let f = cx.frame;
    let mut v = View::begin(
        f,
        "profile",
        &f.message("account.profile.title"),
        Some(s),
        "profile",
    );
    if saved {
        v.notice("info", &f.message("account.profile.saved"));
    } else if !refused.is_empty() {
        v.notice("error", &f.message("account.error.summary"));
    }
    v.para(&f.message("account.profile.intro"));
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let error = |name: &str| {
        refused
            .iter()
            .find(|r| r.field == name)
            .map(|r| f.message(&format!("account.error.{}", r.code)))
    };
    let mut civility = Input::new(
        "civility",
        "select",
        f.message("field.requester.civility"),
        "honorific-prefix",
    )
    .value(&text(&p.civility))
    .optional();
    civility.options = vec![
        (String::new(), f.message("form.choose")),
        ("Mme".into(), f.message("field.requester.civility.Mme")),
        ("M".into(), f.message("field.requester.civility.M")),
    ];
    civility.error = error("civility");
    let mut postal = Input::new(
        "postalCode",
        "text",
        f.message("field.address.postalCode"),
        "postal-code",
    )
    .value(&text(&p.postal_code))
    .optional();
    postal.error = error("postalCode");
    v.form(
        "profile",
        "/account/profile",
        &s.token,
        &f.message("account.profile.submit"),
        &[
            civility,
            Input::new(
                "firstName",
                "text",
                f.message("field.requester.firstName"),
                "given-name",
            )
            .value(&text(&p.first_name))
            .optional(),
            Input::new(
                "lastName",
                "text",
                f.message("field.requester.lastName"),
                "family-name",
            )
            .value(&text(&p.last_name))
            .optional(),
            Input::new("phone", "tel", f.message("field.requester.phone"), "tel")
                .value(&text(&p.phone))
                .optional(),
            Input::new(
                "street",
                "text",
                f.message("field.address.street"),
                "street-address",
            )
            .value(&text(&p.street))
            .optional(),
            postal,
            Input::new(
                "town",
                "text",
                f.message("field.address.town"),
                "address-level2",
            )
            .value(&text(&p.town))
            .optional(),
        ],
    );
    v.heading(&f.message("account.export.title"));
    v.para(&f.message("account.export.intro"));
    v.links(&[
        ("/account/export".into(), f.message("account.export.link")),
        (
            "/account/export.pdf".into(),
            f.message("account.export.pdf"),
        ),
    ]);
    v.finish()
}

pub(super) async fn profile(cx: &Ctx<'_>) -> Response<Body> {
    match signed_in(cx).await {
        Ok(s) => {
            let p = s.citizen.profile.clone();
            respond(cx, StatusCode::OK, profile_view(cx, &s, &p, &[], false))
        }
        Err(r) => r,
    }
}

pub(super) async fn save_profile(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in_post(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let get = |name: &str| cx.fields.get(name).map(str::to_owned);
    let typed = Profile {
        civility: get("civility"),
        first_name: get("firstName"),
        last_name: get("lastName"),
        phone: get("phone"),
        street: get("street"),
        postal_code: get("postalCode"),
        town: get("town"),
    };
    match account::set_profile(cx.app, cx.site, &s.citizen, typed.clone()).await {
        Ok(()) => match super::session::current(cx.app, cx.site, cx.req).await {
            Some(fresh) => {
                let p = fresh.citizen.profile.clone();
                respond(cx, StatusCode::OK, profile_view(cx, &fresh, &p, &[], true))
            }
            None => redirect(&cx.frame.url("/account/login")),
        },
        Err(AccountError::Invalid(refused)) => respond(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            profile_view(cx, &s, &typed, &refused, false),
        ),
        Err(AccountError::Unavailable(why)) => unavailable(&why),
    }
}

/// The correction page of one of the account's requests.
pub(super) async fn correct(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (reference, _) = match own_request(cx, &s).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let action = cx
        .frame
        .url(&format!("/account/requests/{reference}/correct"));
    let back = cx.frame.url(&format!("/account/requests/{reference}"));
    crate::web::citizen::correction(cx, reference, &action, &back).await
}
