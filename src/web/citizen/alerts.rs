//! The town's alerts page (`/T/alerts`): its lists, an e-mail address to
//! subscribe with (a confirmation link is sent before anything else), and
//! how to subscribe by SMS (the list's keyword to the town's number, `STOP`
//! to leave); the confirmation link (`/T/alerts/confirm/TOKEN`) and the
//! link of every list e-mail to leave (`/T/alerts/leave/TOKEN`: a button,
//! so that a mail scanner following links leaves nothing; mail clients'
//! one-click unsubscription posts to it directly, RFC 8058).

use crate::core::campaigns::List;
use crate::store::Subscribed;
use crate::usecases::campaigns::{self, SubscribeError};
use crate::web::route::Ctx;
use crate::web::view::Xml;
use crate::web::{Body, not_found, page, plain};
use hyper::{Response, StatusCode};

fn form_purpose(cx: &Ctx<'_>) -> String {
    format!("{}/alerts-form", cx.site.tenant.slug)
}

fn unavailable(e: &crate::store::StoreError) -> Response<Body> {
    tracing::error!(error = %e, "alerts page unavailable");
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Les listes de diffusion sont momentanément indisponibles. Réessayez dans quelques instants.",
    )
}

/// What the page says above its form.
enum Said<'a> {
    Nothing,
    /// The confirmation links sent (or already subscribed).
    Sent(Vec<(String, Subscribed)>),
    /// Errors, each next to its field: (field, message key).
    Errors(Vec<(&'static str, &'a str)>),
}

pub(super) async fn page_get(cx: &Ctx<'_>) -> Response<Body> {
    show(cx, Said::Nothing)
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let now = crate::web::session::now_secs(cx.app);
    if !cx.app.secret.verify(
        &form_purpose(cx),
        cx.fields.get("_token").unwrap_or(""),
        now,
    ) {
        return show(cx, Said::Errors(vec![("form", "form.expired")]));
    }
    let chosen: Vec<&str> = cx.fields.all("list");
    let email = cx.fields.get("email").unwrap_or("").trim().to_owned();
    let mut errors = Vec::new();
    if chosen.is_empty() {
        errors.push(("list", "alerts.error.list"));
    }
    if campaigns::address(crate::core::campaigns::Medium::Email, &email).is_none() {
        errors.push(("email", "alerts.error.email"));
    }
    if !errors.is_empty() {
        return show(cx, Said::Errors(errors));
    }
    let mut done = Vec::new();
    for code in chosen {
        match campaigns::subscribe_by_web(cx.app, cx.site, code, &email).await {
            Ok(s) => done.push((code.to_owned(), s)),
            Err(SubscribeError::List) => {
                return show(cx, Said::Errors(vec![("list", "alerts.error.list")]));
            }
            Err(SubscribeError::Address) => {
                return show(cx, Said::Errors(vec![("email", "alerts.error.email")]));
            }
            Err(SubscribeError::Wait) => {
                return show(cx, Said::Errors(vec![("email", "alerts.error.wait")]));
            }
            Err(SubscribeError::Unavailable(e)) => return unavailable(&e),
        }
    }
    show(cx, Said::Sent(done))
}

fn list_view(x: &mut Xml, list: &List, checked: bool) {
    let mut attrs = vec![("code", list.code.as_str())];
    if let Some(k) = &list.keyword {
        attrs.push(("keyword", k.as_str()));
    }
    if checked {
        attrs.push(("checked", "true"));
    }
    x.open("list", &attrs);
    x.text("name", &[], &list.name);
    if !list.description.is_empty() {
        x.text("description", &[], &list.description);
    }
    x.close("list");
}

fn show(cx: &Ctx<'_>, said: Said<'_>) -> Response<Body> {
    let (frame, site) = (cx.frame, cx.site);
    let lists = site.look.get().settings.lists();
    if lists.is_empty() {
        return not_found(site, frame, cx.req);
    }
    let mut x = Xml::new();
    frame.begin(&mut x, "alerts", &frame.message("alerts.title"));
    let action = frame.url("/alerts");
    let token = cx
        .app
        .secret
        .issue(&form_purpose(cx), crate::web::session::now_secs(cx.app));
    let look = site.look.get();
    let mut attrs = vec![("action", action.as_str()), ("token", token.as_str())];
    if let Some(n) = &look.settings.inbound.sms_number {
        attrs.push(("sms-number", n.as_str()));
    }
    x.open("alerts", &attrs);
    let chosen = cx.fields.all("list");
    for list in &lists {
        list_view(&mut x, list, chosen.contains(&list.code.as_str()));
    }
    x.text("email", &[], cx.fields.get("email").unwrap_or("").trim());
    let status = match &said {
        Said::Nothing => StatusCode::OK,
        Said::Sent(done) => {
            for (code, s) in done {
                let name = lists
                    .iter()
                    .find(|l| l.code == *code)
                    .map_or(code.as_str(), |l| l.name.as_str());
                let key = match s {
                    Subscribed::Already => "alerts.already",
                    _ => "alerts.sent",
                };
                x.text(
                    "sent",
                    &[("list", code)],
                    &frame.format(key, &[("list", name)]),
                );
            }
            StatusCode::OK
        }
        Said::Errors(errors) => {
            for (field, key) in errors {
                x.text("error", &[("field", field)], &frame.message(key));
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    x.close("alerts");
    x.close("page");
    page(site, frame, cx.req, status, "alerts.xsl", x.finish(), true)
}

/// The confirmation link: the subscription active, said so.
pub(super) async fn confirm(cx: &Ctx<'_>) -> Response<Body> {
    match campaigns::confirm(cx.app, cx.site, cx.param("token")).await {
        Ok(Some(s)) if s.state == "active" => outcome(cx, "confirmed", &s, None),
        Ok(Some(s)) => outcome(cx, "left", &s, None),
        Ok(None) => not_found(cx.site, cx.frame, cx.req),
        Err(e) => unavailable(&e),
    }
}

/// The link to leave a list: a button to press (a mail scanner that
/// follows links leaves nothing).
pub(super) async fn leave_form(cx: &Ctx<'_>) -> Response<Body> {
    match campaigns::subscriber(cx.app, cx.site, cx.param("token")).await {
        Ok(Some(s)) if s.state == "stopped" => outcome(cx, "left", &s, None),
        Ok(Some(s)) => {
            let action = cx
                .frame
                .url(&format!("/alerts/leave/{}", cx.param("token")));
            outcome(cx, "leave", &s, Some(&action))
        }
        Ok(None) => not_found(cx.site, cx.frame, cx.req),
        Err(e) => unavailable(&e),
    }
}

/// The button pressed, or a mail client's one-click unsubscription.
pub(super) async fn leave(cx: &Ctx<'_>) -> Response<Body> {
    match campaigns::leave(cx.app, cx.site, cx.param("token")).await {
        Ok(Some(s)) => outcome(cx, "left", &s, None),
        Ok(None) => not_found(cx.site, cx.frame, cx.req),
        Err(e) => unavailable(&e),
    }
}

fn outcome(
    cx: &Ctx<'_>,
    state: &str,
    s: &crate::store::Subscriber,
    action: Option<&str>,
) -> Response<Body> {
    let (frame, site) = (cx.frame, cx.site);
    let look = site.look.get();
    let name = look.settings.list_name(&s.list).unwrap_or(&s.list);
    let mut x = Xml::new();
    frame.begin(&mut x, "alerts", &frame.message("alerts.title"));
    let again = frame.url("/alerts");
    let mut attrs = vec![("state", state), ("again", again.as_str())];
    if let Some(a) = action {
        attrs.push(("action", a));
    }
    x.open("subscription", &attrs);
    x.text(
        "said",
        &[],
        &frame.format(&format!("alerts.{state}"), &[("list", name)]),
    );
    x.text("address", &[], &s.address);
    x.close("subscription");
    x.close("page");
    page(
        site,
        frame,
        cx.req,
        StatusCode::OK,
        "alerts.xsl",
        x.finish(),
        true,
    )
}
