//! The administration pages (`/T/backoffice/admin/…`): agents, department
//! heads, standard answers, failed messages, message templates, the town's
//! settings, test messages, a person's data. Administrators only (the route table's
//! [`Guard::Admin`]), with the back office's session.
//!
//! Where to add an admin page: a file here with its handler and its view, a
//! line in [`ROUTES`].

mod agents;
mod answers;
mod catalogue;
mod departments;
mod editor;
mod exchange;
mod files;
mod messages;
mod people;
mod settings;
mod templates;

use crate::handler;
use crate::store::{DeliveryRecord, StandardAnswer};
use crate::tenant::Site;
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, forbidden, unavailable};
use crate::web::route::{Ctx, Guard, Route, Surface};
use crate::web::view::Frame;
use crate::web::view::Xml;
use crate::web::{Body, redirect};
use agents::{AgentForm, agent_form, grantable};
use hyper::{Method, Response, StatusCode};

/// The admin pages: method, path after `/T/backoffice/admin/`, guard, handler.
pub static ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "catalogue",
        guard: Guard::Admin,
        handler: handler!(catalogue::page),
    },
    Route {
        method: Method::POST,
        path: "catalogue",
        guard: Guard::Admin,
        handler: handler!(catalogue::post),
    },
    Route {
        method: Method::GET,
        path: "catalogue/new",
        guard: Guard::Admin,
        handler: handler!(editor::new_page),
    },
    Route {
        method: Method::POST,
        path: "catalogue/new",
        guard: Guard::Admin,
        handler: handler!(editor::create),
    },
    Route {
        method: Method::GET,
        path: "catalogue/{file}",
        guard: Guard::Admin,
        handler: handler!(catalogue::download),
    },
    Route {
        method: Method::GET,
        path: "catalogue/{code}/edit",
        guard: Guard::Admin,
        handler: handler!(editor::page),
    },
    Route {
        method: Method::POST,
        path: "catalogue/{code}/edit",
        guard: Guard::Admin,
        handler: handler!(editor::post),
    },
    Route {
        method: Method::GET,
        path: "catalogue/{code}/edit/preview",
        guard: Guard::Admin,
        handler: handler!(editor::preview),
    },
    Route {
        method: Method::POST,
        path: "catalogue/{code}/edit/preview",
        guard: Guard::Admin,
        handler: handler!(editor::preview),
    },
    Route {
        method: Method::GET,
        path: "catalogue/{code}/edit/fields/{name}",
        guard: Guard::Admin,
        handler: handler!(editor::field_page),
    },
    Route {
        method: Method::POST,
        path: "catalogue/{code}/edit/fields/{name}",
        guard: Guard::Admin,
        handler: handler!(editor::field_post),
    },
    Route {
        method: Method::GET,
        path: "catalogue/{code}/edit/steps/{id}",
        guard: Guard::Admin,
        handler: handler!(editor::step_page),
    },
    Route {
        method: Method::POST,
        path: "catalogue/{code}/edit/steps/{id}",
        guard: Guard::Admin,
        handler: handler!(editor::step_post),
    },
    Route {
        method: Method::GET,
        path: "",
        guard: Guard::Admin,
        handler: handler!(index),
    },
    Route {
        method: Method::POST,
        path: "",
        guard: Guard::Admin,
        handler: handler!(crate::web::backoffice::refuse),
    },
    Route {
        method: Method::POST,
        path: "agents",
        guard: Guard::Admin,
        handler: handler!(agents::add),
    },
    Route {
        method: Method::GET,
        path: "agents/{login}",
        guard: Guard::Admin,
        handler: handler!(agents::page),
    },
    Route {
        method: Method::POST,
        path: "agents/{login}",
        guard: Guard::Admin,
        handler: handler!(agents::change),
    },
    Route {
        method: Method::GET,
        path: "exchange",
        guard: Guard::Admin,
        handler: handler!(exchange::list),
    },
    Route {
        method: Method::POST,
        path: "exchange",
        guard: Guard::Admin,
        handler: handler!(exchange::add),
    },
    Route {
        method: Method::GET,
        path: "exchange/{login}",
        guard: Guard::Admin,
        handler: handler!(exchange::page),
    },
    Route {
        method: Method::POST,
        path: "exchange/{login}",
        guard: Guard::Admin,
        handler: handler!(exchange::change),
    },
    Route {
        method: Method::POST,
        path: "departments",
        guard: Guard::Admin,
        handler: handler!(departments::post),
    },
    Route {
        method: Method::POST,
        path: "deliveries",
        guard: Guard::Admin,
        handler: handler!(retry_deliveries),
    },
    Route {
        method: Method::GET,
        path: "answers/{which}",
        guard: Guard::Admin,
        handler: handler!(answers::page),
    },
    Route {
        method: Method::POST,
        path: "answers/{which}",
        guard: Guard::Admin,
        handler: handler!(answers::post),
    },
    Route {
        method: Method::GET,
        path: "people",
        guard: Guard::Admin,
        handler: handler!(people::page),
    },
    Route {
        method: Method::POST,
        path: "people/export",
        guard: Guard::Admin,
        handler: handler!(people::export),
    },
    Route {
        method: Method::GET,
        path: "templates",
        guard: Guard::Admin,
        handler: handler!(templates::list),
    },
    Route {
        method: Method::GET,
        path: "templates/{scope*}",
        guard: Guard::Admin,
        handler: handler!(templates::page),
    },
    Route {
        method: Method::POST,
        path: "templates/{scope*}",
        guard: Guard::Admin,
        handler: handler!(templates::post),
    },
    Route {
        method: Method::GET,
        path: "settings",
        guard: Guard::Admin,
        handler: handler!(settings::page),
    },
    Route {
        method: Method::POST,
        path: "settings",
        guard: Guard::Admin,
        handler: handler!(settings::post),
    },
    Route {
        method: Method::POST,
        path: "test-message",
        guard: Guard::Admin,
        handler: handler!(messages::post),
    },
];

pub static SURFACE: Surface = Surface {
    prefix: "/backoffice/admin",
    routes: ROUTES,
    unknown: Guard::Admin,
    login_first: crate::web::backoffice::login_first,
    forbidden,
};

/// The admin page, with the notice of what was just done.
async fn index(cx: &Ctx<'_>) -> Response<Body> {
    let frame = cx.frame;
    let created = cx.query("created");
    let changed = cx.query("changed");
    let heads = cx.query("heads").is_some();
    let answer = cx.query("answer");
    let retried = cx.query("retried");
    let notice = match (created, changed) {
        (Some(login), _) => Some(frame.format("bo.notice.agent-created", &[("login", &login)])),
        (None, Some(login)) => Some(frame.format("bo.notice.agent-changed", &[("login", &login)])),
        (None, None) => match answer.as_deref() {
            Some("saved") => Some(frame.message("bo.notice.answer-saved")),
            Some("removed") => Some(frame.message("bo.notice.answer-removed")),
            _ => match retried {
                Some(n) => Some(frame.format("bo.notice.retried", &[("count", &n)])),
                None => heads.then(|| frame.message("bo.notice.heads-saved")),
            },
        },
    };
    admin_page(
        cx,
        &AgentForm::default(),
        notice.as_deref().map(|n| ("success", n)),
        StatusCode::OK,
    )
    .await
}

/// Failed messages sent again once the settings are fixed.
async fn retry_deliveries(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site) = (cx.app, cx.site);
    let actor = format!("agent:{}", cx.session().record.agent.login);
    match app
        .store
        .retry_failed_deliveries(site.tenant.id, actor, app.now())
        .await
    {
        Ok(n) => redirect(&format!("{}/backoffice/admin?retried={n}", cx.frame.base)),
        Err(e) => unavailable(&e),
    }
}

pub(crate) async fn admin_page(
    cx: &Ctx<'_>,
    form: &AgentForm,
    notice: Option<(&str, &str)>,
    status: StatusCode,
) -> Response<Body> {
    let (app, site, frame, _req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let agents = match app.store.agents(site.tenant.id).await {
        Ok(a) => a,
        Err(e) => return unavailable(&e),
    };
    let failures = match app.store.deliveries(site.tenant.id, None).await {
        Ok(f) => f,
        Err(e) => return unavailable(&e),
    };
    let departments = match app.store.departments(site.tenant.id).await {
        Ok(d) => d,
        Err(e) => return unavailable(&e),
    };
    let answers = match app.store.standard_answers(site.tenant.id).await {
        Ok(a) => a,
        Err(e) => return unavailable(&e),
    };
    // Messages held back because their channel has nowhere to send to.
    let idle = crate::notify::idle_channels(app, site);
    let unsent: Vec<(String, u64)> = if idle.is_empty() {
        Vec::new()
    } else {
        match app.store.pending_deliveries(Some(site.tenant.id)).await {
            Ok(p) => p
                .into_iter()
                .filter(|(channel, n)| *n > 0 && idle.contains(&channel.as_str()))
                .collect(),
            Err(e) => return unavailable(&e),
        }
    };
    let v = admin_view(
        frame,
        site,
        &bar(session),
        &AdminLists {
            agents: &agents,
            departments: &departments,
            failures: &failures,
            answers: &answers,
            unsent: &unsent,
        },
        form,
        notice,
    );
    bo_page(cx, status, "bo-admin.xsl", v)
}

// The views of these pages (`xsd/view.xsd`, `docs/backoffice-views.md`).

/// What the admin page lists.
pub(crate) struct AdminLists<'a> {
    pub agents: &'a [crate::store::AgentRecord],
    /// With their heads.
    pub departments: &'a [crate::store::Department],
    /// Messages given up.
    pub failures: &'a [DeliveryRecord],
    pub answers: &'a [StandardAnswer],
    /// `(channel, count)`: messages waiting because the channel has nowhere
    /// to send to.
    pub unsent: &'a [(String, u64)],
}

pub(super) fn admin_view(
    frame: &Frame,
    site: &Site,
    b: &Bar,
    lists: &AdminLists,
    form: &AgentForm,
    notice: Option<(&str, &str)>,
) -> String {
    let agents = lists.agents;
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-admin", &frame.message("bo.admin.title"));
    agent_bar(frame, &mut x, b);
    let action = format!("{}/backoffice/admin/agents", frame.base);
    let retry = format!("{}/backoffice/admin/deliveries", frame.base);
    let templates = format!("{}/backoffice/admin/templates", frame.base);
    let test = format!("{}/backoffice/admin/test-message", frame.base);
    let settings = format!("{}/backoffice/admin/settings", frame.base);
    let catalogue = format!("{}/backoffice/admin/catalogue", frame.base);
    let people = format!("{}/backoffice/admin/people", frame.base);
    let exchange = format!("{}/backoffice/admin/exchange", frame.base);
    let mut attrs = vec![
        ("exchange", exchange.as_str()),
        ("people", people.as_str()),
        ("catalogue", catalogue.as_str()),
        ("action", action.as_str()),
        ("token", b.token),
        ("retry", retry.as_str()),
        ("templates", templates.as_str()),
        ("test", test.as_str()),
        ("settings", settings.as_str()),
    ];
    let own_email = agents
        .iter()
        .find(|a| a.agent.login == b.agent.login)
        .and_then(|a| a.email.as_deref());
    if let Some(email) = own_email {
        attrs.push(("test-email", email));
    }
    x.open("admin", &attrs);
    if let Some((kind, text)) = notice {
        x.text("notice", &[("kind", kind)], text);
    }
    for (channel, count) in lists.unsent {
        x.text(
            "unsent",
            &[("channel", channel)],
            &frame.format(
                &format!("bo.admin.unsent.{channel}"),
                &[("count", &count.to_string())],
            ),
        );
    }
    grantable(frame, site, &mut x);
    x.open("agents", &[]);
    for a in agents {
        let href = format!("{action}/{}", a.agent.login);
        x.open(
            "agent",
            &[
                ("login", &a.agent.login),
                ("admin", bool_str(a.agent.admin)),
                ("active", bool_str(a.active)),
                ("href", &href),
            ],
        );
        x.text("name", &[], &a.agent.name);
        if let Some(e) = &a.email {
            x.text("email", &[], e);
        }
        for (d, r) in &a.agent.roles {
            let text = format!(
                "{} : {}",
                department_name(site, d),
                frame.message(&format!("bo.role.{}", r.as_str()))
            );
            x.text("role", &[("department", d), ("role", r.as_str())], &text);
        }
        x.close("agent");
    }
    x.close("agents");
    let heads_action = format!("{}/backoffice/admin/departments", frame.base);
    x.open("heads", &[("action", &heads_action)]);
    for d in &site.departments {
        let head = lists
            .departments
            .iter()
            .find(|s| s.code == d.code)
            .and_then(|s| s.head.as_deref());
        let mut attrs = vec![("code", d.code.as_str())];
        if let Some(head) = head {
            attrs.push(("head", head));
        }
        x.text("department", &attrs, &d.name);
    }
    x.close("heads");
    let answers = format!("{}/backoffice/admin/answers", frame.base);
    let new = format!("{answers}/new");
    x.open("answers", &[("new", &new)]);
    for a in lists.answers {
        let href = format!("{answers}/{}", a.id);
        x.open(
            "answer",
            &[
                ("id", &a.id.to_string()),
                ("department", &a.department),
                ("href", &href),
            ],
        );
        x.text(
            "department-name",
            &[],
            &department_name(site, &a.department),
        );
        x.text("title", &[], &a.title);
        x.text("text", &[], &a.text);
        x.close("answer");
    }
    x.close("answers");
    deliveries_view(frame, &mut x, "failures", lists.failures);
    agent_form(&mut x, form);
    x.close("admin");
    x.close("page");
    x.finish()
}
