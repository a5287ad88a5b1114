//! A person's data, for an administrator answering a request for access
//! (GDPR art. 15) made at the town hall or by post: `GET people?q=` finds
//! the accounts and requests of an e-mail address or a name, `POST
//! people/export` downloads all of it as JSON, the same document as the
//! citizen's own export with the address's subscriptions to the town's
//! lists, and writes the export in the audit journal.

use crate::store::PersonFound;
use crate::usecases::personal::{self, Person};
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::personal as json;
use crate::web::route::Ctx;
use crate::web::view::Xml;
use crate::web::{Body, redirect};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let typed = cx.query("q").unwrap_or_default();
    let found = match personal::query(&typed) {
        Some(q) => match personal::find(cx.app, cx.site, q).await {
            Ok(f) => Some(f),
            Err(e) => return unavailable(&e),
        },
        None => None,
    };
    let short = !typed.trim().is_empty() && found.is_none();
    let status = if short {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    bo_page(
        cx,
        status,
        "bo-people.xsl",
        view(cx, &typed, found.as_ref(), short),
    )
}

fn view(cx: &Ctx<'_>, typed: &str, found: Option<&PersonFound>, short: bool) -> String {
    let (frame, site) = (cx.frame, cx.site);
    let session = cx.session();
    let b = bar(session);
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-people", &frame.message("bo.people.title"));
    agent_bar(frame, &mut x, &b);
    let back = format!("{}/backoffice/admin", frame.base);
    let action = format!("{}/backoffice/admin/people", frame.base);
    let export = format!("{}/backoffice/admin/people/export", frame.base);
    let mut attrs = vec![
        ("back", back.as_str()),
        ("action", action.as_str()),
        ("export", export.as_str()),
        ("token", b.token),
        ("q", typed.trim()),
    ];
    if found.is_some() {
        attrs.push(("searched", "true"));
    }
    x.open("people", &attrs);
    if short {
        x.text("error", &[], &frame.message("bo.people.too-short"));
    }
    if let Some(found) = found {
        for c in &found.accounts {
            let name = [&c.profile.first_name, &c.profile.last_name]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            x.text("account", &[("email", &c.email)], &name);
        }
        for found in &found.requests {
            let r = found.reference.to_string();
            let href = format!("{}/backoffice/requests/{r}", frame.base);
            let service = site
                .tenant
                .all_services()
                .find(|s| s.code == found.service_code)
                .map_or(found.service_code.clone(), |s| {
                    crate::web::view::service_title(s, frame.lang).to_owned()
                });
            let (received, iso) = date_time(frame, found.submitted_at);
            x.open("request", &[("reference", &r), ("href", &href)]);
            x.text("service", &[], &service);
            x.text("name", &[], &found.requester_name);
            x.text("received", &[("date", &iso)], &received);
            x.close("request");
        }
    }
    x.close("people");
    x.close("page");
    x.finish()
}

pub(super) async fn export(cx: &Ctx<'_>) -> Response<Body> {
    let typed = cx.fields.get("q").unwrap_or("").to_owned();
    let Some(query) = personal::query(&typed) else {
        return redirect(&cx.frame.url("/backoffice/admin/people"));
    };
    let login = cx.session().record.agent.login.clone();
    let person = match personal::export(cx.app, cx.site, &login, query).await {
        Ok(p) => p,
        Err(e) => return unavailable(&e),
    };
    tracing::info!(tenant = %cx.site.tenant.slug, agent = %login, accounts = person.accounts.len(), requests = person.requests.len(), "person exported");
    if cx.fields.get("format") == Some("pdf") {
        return crate::web::printed::person_document(
            cx,
            typed.trim(),
            &person.accounts,
            &person.requests,
            &format!("donnees-personne-{}.pdf", cx.site.tenant.slug),
        )
        .await;
    }
    json::download(
        &document(cx, &person),
        &format!("donnees-personne-{}.json", cx.site.tenant.slug),
    )
}

fn document(cx: &Ctx<'_>, person: &Person) -> Value {
    let site = cx.site;
    let accounts: Vec<Value> = person
        .accounts
        .iter()
        .map(|(c, held)| {
            let mut a = json::account(c, &held.identities);
            a["requests"] = held
                .requests
                .iter()
                .map(|(r, rows)| json::request(site, r, rows))
                .collect();
            a
        })
        .collect();
    let requests: Vec<Value> = person
        .requests
        .iter()
        .map(|(r, rows)| json::request(site, r, rows))
        .collect();
    let look = site.look.get();
    let subscriptions: Vec<Value> = person
        .subscriptions
        .iter()
        .map(|s| {
            json!({
                "list": s.list,
                "list_name": look.settings.list_name(&s.list),
                "channel": s.channel,
                "address": s.address,
                "state": s.state,
                "source": s.source,
                "since": s.created_at.to_string(),
            })
        })
        .collect();
    json!({
        "town": site.town_name(),
        "exported_at": cx.app.now().to_string(),
        "exported_by": cx.session().record.agent.name,
        "accounts": accounts,
        "requests": requests,
        "subscriptions": subscriptions,
    })
}
