//! The town's file of who asks, for agents who handle requests: a search
//! by name, e-mail address or phone (`/T/backoffice/people?q=…`), and one
//! person's or organisation's file (`/T/backoffice/people/ID`): who, how to
//! reach them, whether they have an account, and their requests across
//! services and channels — those of the agent's departments listed, the
//! others only counted (an agent of the roads does not read a request for
//! social aid).

use super::view::{agent_bar, bool_str, channel_label, row_received, row_service, step_element};
use super::{bar, bo_page, forbidden, unavailable};
use crate::store::{FoundPerson, Person};
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml};
use crate::web::{Body, not_found, redirect};
use hyper::{Response, StatusCode};

/// Files a search lists at most.
const MOST_FOUND: u32 = 50;

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
    let action = format!("{}/backoffice/people", frame.base);
    let mut attrs = vec![("action", action.as_str()), ("q", q.as_str())];
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
    x.open(
        "person-file",
        &[
            ("search", &search),
            ("requests", &file.requests.len().to_string()),
            ("elsewhere", &others.len().to_string()),
        ],
    );
    person_view(frame, &mut x, &file.person);
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
