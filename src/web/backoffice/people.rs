//! The town's file of who asks, for agents who handle requests: a search
//! by name, e-mail address or phone (`/T/backoffice/people?q=…`), and one
//! person's or organisation's file (`/T/backoffice/people/ID`): who, how to
//! reach them, whether they have an account, and their requests across
//! services and channels — those of the agent's departments listed, the
//! others only counted (an agent of the roads does not read a request for
//! social aid); what the file is of (a partner of the town…) set there, and
//! a new request recorded for them at the intake desk, their block filled.
//! The suggested merges (`/T/backoffice/people/merges`): two files sharing
//! a phone, or with near names at the same address, that an agent merges
//! or keeps apart — never merged by the machine.

use super::view::{
    agent_bar, bool_str, channel_label, date_time, row_received, row_service, step_element,
};
use super::{bar, bo_page, forbidden, unavailable};
use crate::core::people::PersonKind;
use crate::core::tenant::Audience;
use crate::store::{FoundPerson, MergeDecision, MergeOutcome, Person};
use crate::web::route::Ctx;
use crate::web::view::{Frame, INTAKE_CHANNELS, Xml, service_title};
use crate::web::{Body, not_found, redirect};
use hyper::{Response, StatusCode};

/// Files a search lists at most.
const MOST_FOUND: u32 = 50;

/// Suggestions a page lists at most.
const MOST_SUGGESTED: u32 = 50;

fn actor(cx: &Ctx<'_>) -> String {
    format!("agent:{}", cx.session().record.agent.login)
}

pub(super) async fn search(cx: &Ctx<'_>) -> Response<Body> {
    let session = cx.session();
    if !session.record.agent.handles_requests() {
        return forbidden(cx);
    }
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let q: String = cx
        .query("q")
        .map(|q| q.trim().chars().take(100).collect())
        .unwrap_or_default();
    let found = if q.chars().count() >= 2 {
        match app
            .store
            .find_people(site.tenant.id, q.clone(), MOST_FOUND)
            .await
        {
            Ok(found) => Some(found),
            Err(e) => return unavailable(&e),
        }
    } else {
        None
    };
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-people-search", &frame.message("bo.file.title"));
    agent_bar(frame, &mut x, &bar(session));
    let waiting = match app.store.merge_suggestions(site.tenant.id, 0).await {
        Ok((_, total)) => total.to_string(),
        Err(e) => return unavailable(&e),
    };
    let action = format!("{}/backoffice/people", frame.base);
    let merges = format!("{}/backoffice/people/merges", frame.base);
    let mut attrs = vec![
        ("action", action.as_str()),
        ("q", q.as_str()),
        ("merges", merges.as_str()),
        ("suggested", waiting.as_str()),
    ];
    if found.is_some() {
        attrs.push(("searched", "true"));
    }
    x.open("people-search", &attrs);
    for p in found.iter().flatten() {
        person_view(frame, &mut x, p);
    }
    x.close("people-search");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-people-search.xsl", x.finish())
}

pub(super) async fn file(cx: &Ctx<'_>) -> Response<Body> {
    let session = cx.session();
    let agent = &session.record.agent;
    if !agent.handles_requests() {
        return forbidden(cx);
    }
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let Ok(id) = cx.param("id").parse::<i64>() else {
        return not_found(site, frame, cx.req);
    };
    let file = match app.store.person_file(site.tenant.id, id).await {
        Ok(Some(FoundPerson::File(file))) => file,
        Ok(Some(FoundPerson::Merged(into))) => {
            return redirect(&format!("{}/backoffice/people/{into}", frame.base));
        }
        Ok(None) => return not_found(site, frame, cx.req),
        Err(e) => return unavailable(&e),
    };
    let readable = agent.request_departments();
    let (mine, others): (Vec<_>, Vec<_>) = file
        .requests
        .iter()
        .partition(|r| readable.as_ref().is_none_or(|d| d.contains(&r.department)));
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-person", &file.person.name());
    agent_bar(frame, &mut x, &bar(session));
    let search = format!("{}/backoffice/people", frame.base);
    let own = format!("{}/backoffice/people/{id}", frame.base);
    x.open(
        "person-file",
        &[
            ("search", &search),
            ("action", &own),
            ("requests", &file.requests.len().to_string()),
            ("elsewhere", &others.len().to_string()),
        ],
    );
    if cx.query("saved").as_deref() == Some("kind") {
        x.text("saved", &[], &frame.message("bo.person.kind-saved"));
    }
    person_view(frame, &mut x, &file.person);
    x.open("kinds", &[]);
    for kind in PersonKind::ALL {
        let mut attrs = vec![("code", kind.as_str())];
        if kind == file.person.kind {
            attrs.push(("selected", "true"));
        }
        x.text(
            "kind",
            &attrs,
            &frame.message(&format!("bo.person.kind.{}", kind.as_str())),
        );
    }
    x.close("kinds");
    new_request(cx, &mut x, id);
    x.open("requests", &[]);
    for row in mine {
        let reference = row.reference.to_string();
        let href = format!("{}/backoffice/requests/{reference}", frame.base);
        x.open(
            "request",
            &[
                ("reference", &reference),
                ("href", &href),
                ("final", bool_str(row.finished)),
            ],
        );
        let service = row_service(frame, &mut x, row);
        x.text(
            "channel",
            &[("code", &row.channel)],
            &channel_label(frame, &row.channel),
        );
        step_element(&mut x, service, &row.step);
        row_received(frame, &mut x, row);
        x.close("request");
    }
    x.close("requests");
    if !others.is_empty() {
        x.text(
            "elsewhere",
            &[],
            &frame.format(
                "bo.person.elsewhere",
                &[("count", &others.len().to_string())],
            ),
        );
    }
    x.close("person-file");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-person.xsl", x.finish())
}

/// The form recording a new request for this file at the intake desk:
/// how it came, which service (GET on the intake page, which sends to the
/// service's form with the requester's block filled from the file).
fn new_request(cx: &Ctx<'_>, x: &mut Xml, id: i64) {
    let frame = cx.frame;
    let action = format!("{}/backoffice/intake", frame.base);
    x.open(
        "new-request",
        &[("action", &action), ("person", &id.to_string())],
    );
    for channel in INTAKE_CHANNELS {
        x.text(
            "channel",
            &[("code", channel.as_str())],
            &frame.message(&format!("bo.intake.channel.{}", channel.as_str())),
        );
    }
    let mut services: Vec<(String, String)> = cx
        .site
        .tenant
        .offered(Audience::Public)
        .map(|s| (s.code.clone(), service_title(s, frame.lang).to_owned()))
        .collect();
    services.sort_by(|a, b| a.1.cmp(&b.1));
    for (code, title) in services {
        x.text("service", &[("code", &code)], &title);
    }
    x.close("new-request");
}

/// A file's page takes what it is of (`kind`), audited.
pub(super) async fn post_file(cx: &Ctx<'_>) -> Response<Body> {
    if !cx.session().record.agent.handles_requests() {
        return forbidden(cx);
    }
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let Ok(id) = cx.param("id").parse::<i64>() else {
        return not_found(site, frame, cx.req);
    };
    let Some(kind) = cx.fields.get("kind").and_then(PersonKind::from_name) else {
        return redirect(&format!("{}/backoffice/people/{id}", frame.base));
    };
    match app
        .store
        .set_person_kind(site.tenant.id, id, kind, actor(cx), (app.clock)())
        .await
    {
        Ok(true) => redirect(&format!("{}/backoffice/people/{id}?saved=kind", frame.base)),
        Ok(false) => not_found(site, frame, cx.req),
        Err(e) => unavailable(&e),
    }
}

/// The suggested merges: each pair of files side by side, why they may be
/// one person's, and the two answers.
pub(super) async fn merges(cx: &Ctx<'_>) -> Response<Body> {
    let session = cx.session();
    if !session.record.agent.handles_requests() {
        return forbidden(cx);
    }
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let (suggestions, total) = match app
        .store
        .merge_suggestions(site.tenant.id, MOST_SUGGESTED)
        .await
    {
        Ok(found) => found,
        Err(e) => return unavailable(&e),
    };
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-merges", &frame.message("bo.merges.title"));
    agent_bar(frame, &mut x, &bar(session));
    let search = format!("{}/backoffice/people", frame.base);
    x.open(
        "merges",
        &[("search", &search), ("total", &total.to_string())],
    );
    let done = cx.query("done");
    if let Some(done) = done
        .as_deref()
        .filter(|d| ["merged", "apart", "accounts", "gone"].contains(d))
    {
        let mut attrs = vec![("outcome", done)];
        let into = cx.query("into").and_then(|i| i.parse::<i64>().ok());
        let href = into.map(|i| format!("{}/backoffice/people/{i}", frame.base));
        if let Some(href) = &href {
            attrs.push(("href", href));
        }
        x.text(
            "done",
            &attrs,
            &frame.message(&format!("bo.merges.done.{done}")),
        );
    }
    for s in &suggestions {
        let action = format!("{}/backoffice/people/merges/{}", frame.base, s.id);
        let (when, iso) = date_time(frame, s.created_at);
        x.open(
            "suggestion",
            &[("id", &s.id.to_string()), ("action", &action)],
        );
        let reason = if s.reason == "phone" {
            "phone"
        } else {
            "name-address"
        };
        x.text(
            "reason",
            &[("code", reason)],
            &frame.message(&format!("bo.merges.reason.{reason}")),
        );
        x.text("suggested", &[("at", &iso)], &when);
        person_view(frame, &mut x, &s.person);
        person_view(frame, &mut x, &s.other);
        x.close("suggestion");
    }
    x.close("merges");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-merges.xsl", x.finish())
}

/// An agent's answer to a suggestion (`decision`: `merge` or `apart`).
pub(super) async fn decide(cx: &Ctx<'_>) -> Response<Body> {
    if !cx.session().record.agent.handles_requests() {
        return forbidden(cx);
    }
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let back = format!("{}/backoffice/people/merges", frame.base);
    let Ok(id) = cx.param("id").parse::<i64>() else {
        return not_found(site, frame, cx.req);
    };
    let decision = match cx.fields.get("decision") {
        Some("merge") => MergeDecision::Merge,
        Some("apart") => MergeDecision::Apart,
        _ => return redirect(&back),
    };
    match app
        .store
        .decide_merge(site.tenant.id, id, decision, actor(cx), (app.clock)())
        .await
    {
        Ok(MergeOutcome::Merged { into }) => {
            tracing::info!(tenant = %site.tenant.slug, into, suggestion = id, "files merged");
            redirect(&format!("{back}?done=merged&into={into}"))
        }
        Ok(MergeOutcome::KeptApart) => redirect(&format!("{back}?done=apart")),
        Ok(MergeOutcome::TwoAccounts) => redirect(&format!("{back}?done=accounts")),
        Ok(MergeOutcome::Gone) => redirect(&format!("{back}?done=gone")),
        Err(e) => unavailable(&e),
    }
}

/// A file's `<person>`: who, how to reach them, its link.
fn person_view(frame: &Frame, x: &mut Xml, p: &Person) {
    let href = format!("{}/backoffice/people/{}", frame.base, p.id);
    x.open(
        "person",
        &[
            ("id", &p.id.to_string()),
            ("href", &href),
            ("kind", p.kind.as_str()),
            ("account", bool_str(p.has_account)),
        ],
    );
    x.text("name", &[], &p.name());
    x.text(
        "kind",
        &[],
        &frame.message(&format!("bo.person.kind.{}", p.kind.as_str())),
    );
    if p.organisation.is_some() {
        let contact = format!("{} {}", p.first_name, p.last_name);
        if !contact.trim().is_empty() {
            x.text("contact", &[], contact.trim());
        }
    }
    if let Some(e) = &p.email {
        x.text("email", &[], e);
    }
    if let Some(phone) = &p.phone {
        x.text("phone", &[], phone);
    }
    let address: Vec<&str> = [&p.street, &p.postal_code, &p.town]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .filter(|v| !v.is_empty())
        .collect();
    if !address.is_empty() {
        x.text("address", &[], &address.join(" "));
    }
    x.close("person");
}
