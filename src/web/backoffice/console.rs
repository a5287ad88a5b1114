//! The console: the requests an agent may see, filtered, sorted and paged,
//! late and nearly-late ones marked.

use crate::core::intake::Channel;
use crate::core::workflow::{self};
use crate::store::ConsoleRow;
use crate::store::{ConsoleQuery, SortKey, StateFilter};
use crate::tenant::Site;
use crate::web::Body;
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, today, unavailable};
use crate::web::route::Ctx;
use crate::web::session::Session;
use crate::web::view::Frame;
use crate::web::view::{Xml, service_title};
use hyper::{Response, StatusCode};
use jiff::civil::Date;

/// Requests per console page.
const PAGE_SIZE: u32 = 25;

/// The departments whose requests an agent sees; `None` for administrators.
fn visible_departments(session: &Session) -> Option<Vec<String>> {
    let agent = &session.record.agent;
    if agent.admin {
        return None;
    }
    let mut departments: Vec<String> = agent.roles.iter().map(|(d, _)| d.clone()).collect();
    departments.sort();
    departments.dedup();
    Some(departments)
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let q = |name: &str| {
        req.query_values(name)
            .into_iter()
            .next()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let visible = visible_departments(session);
    let state_value = q("state").unwrap_or_else(|| "open".into());
    let state = match state_value.as_str() {
        "waiting" => StateFilter::Waiting,
        "final" => StateFilter::Finished,
        "all" => StateFilter::All,
        _ => StateFilter::Open,
    };
    let known =
        |value: Option<String>, allowed: &dyn Fn(&str) -> bool| value.filter(|v| allowed(v));
    let service = known(q("service"), &|v| site.tenant.service(v).is_some());
    let department = known(q("department"), &|v| {
        site.department(v).is_some() && visible.as_ref().is_none_or(|d| d.iter().any(|d| d == v))
    });
    let channel = known(q("channel"), &|v| Channel::from_name(v).is_some());
    let text = q("q").map(|t| t.chars().take(100).collect::<String>());
    let late_only = q("late").is_some();
    let (sort_name, sort) = match q("sort").as_deref() {
        Some("reference") => ("reference", SortKey::Reference),
        Some("service") => ("service", SortKey::Service),
        Some("received") => ("received", SortKey::Received),
        _ => ("due", SortKey::Due),
    };
    let descending = q("dir").as_deref() == Some("desc");
    let page: u32 = q("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(100_000);
    let today = today(app, site);
    let query = ConsoleQuery {
        departments: visible.clone(),
        state,
        service: service.clone(),
        department: department.clone(),
        channel: channel.clone(),
        due_before: late_only.then_some(today),
        text: text.clone(),
        sort,
        descending,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let (total, rows) = match app.store.console(site.tenant.id, query).await {
        Ok(r) => r,
        Err(e) => return unavailable(&e),
    };
    let pages = (total.div_ceil(u64::from(PAGE_SIZE)).max(1)) as u32;
    let mut filter_query = String::new();
    {
        let mut s = form_urlencoded::Serializer::new(&mut filter_query);
        if let Some(t) = &text {
            s.append_pair("q", t);
        }
        s.append_pair("state", &state_value);
        for (k, v) in [
            ("service", &service),
            ("department", &department),
            ("channel", &channel),
        ] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        if late_only {
            s.append_pair("late", "1");
        }
    }
    filter_query.push('&');
    let all = frame.message("bo.filter.all");
    let mut services: Vec<(String, String)> = vec![(String::new(), all.clone())];
    for s in &site.tenant.services {
        services.push((
            s.code.clone(),
            crate::web::view::service_title(s, frame.lang).to_owned(),
        ));
    }
    let mut departments = vec![(String::new(), all.clone())];
    for d in &site.departments {
        if visible.as_ref().is_none_or(|v| v.contains(&d.code)) {
            departments.push((d.code.clone(), d.name.clone()));
        }
    }
    let mut channels = vec![(String::new(), all)];
    for c in Channel::ALL {
        channels.push((
            c.as_str().to_owned(),
            frame.message(&format!("bo.channel.{}", c.as_str())),
        ));
    }
    let states = ["open", "waiting", "final", "all"]
        .map(|s| (s.to_owned(), frame.message(&format!("bo.state.{s}"))))
        .to_vec();
    let filters = vec![
        Filter {
            name: "q",
            value: text.unwrap_or_default(),
            options: Vec::new(),
        },
        Filter {
            name: "state",
            value: state_value,
            options: states,
        },
        Filter {
            name: "service",
            value: service.unwrap_or_default(),
            options: services,
        },
        Filter {
            name: "department",
            value: department.unwrap_or_default(),
            options: departments,
        },
        Filter {
            name: "channel",
            value: channel.unwrap_or_default(),
            options: channels,
        },
    ];
    // Mass actions: the buttons without a required comment that this agent
    // may press on at least one listed request.
    let agent = &session.record.agent;
    let mut mass: Vec<(String, String)> = Vec::new();
    for row in rows.iter().filter(|r| !r.finished) {
        let Some(svc) = site
            .tenant
            .service_version(&row.service_code, row.service_version)
        else {
            continue;
        };
        let state = workflow::RequestState {
            step: row.step.clone(),
            department: row.department.clone(),
            created_at: row.submitted_at,
            entered_at: row.submitted_at,
            waiting_for_citizen: row.waiting,
            validation: None,
            finished: row.finished,
        };
        for a in workflow::available_actions(svc, &state, agent) {
            if !a.comment_required && !mass.iter().any(|(id, _)| *id == a.id) {
                mass.push((a.id.clone(), a.label.clone()));
            }
        }
    }
    let notice = if let Some(done) = q("done") {
        let skipped = q("skipped").unwrap_or_else(|| "0".into());
        Some((
            "success",
            frame.format("bo.notice.mass", &[("done", &done), ("skipped", &skipped)]),
        ))
    } else if q("saved").is_some() {
        Some(("success", frame.message("bo.notice.done")))
    } else {
        None
    };
    let p = ConsolePage {
        filters,
        late_only,
        sort: sort_name,
        descending,
        filter_query,
        total,
        page,
        pages,
        first: u64::from((page - 1) * PAGE_SIZE) + 1,
        rows: &rows,
        today,
        mass,
        notice,
    };
    let v = console_view(frame, site, &bar(session), &p);
    bo_page(cx, StatusCode::OK, "bo-console.xsl", v)
}

// The views of these pages (`xsd/view.xsd`, `docs/backoffice-views.md`).

/// A filter of the console: name, current value, label key, options.
pub(crate) struct Filter {
    pub name: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
}

pub(crate) struct ConsolePage<'a> {
    pub filters: Vec<Filter>,
    pub late_only: bool,
    pub sort: &'static str,
    pub descending: bool,
    /// Query string of the filters (without sort and page).
    pub filter_query: String,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub first: u64,
    pub rows: &'a [ConsoleRow],
    pub today: Date,
    pub mass: Vec<(String, String)>,
    pub notice: Option<(&'static str, String)>,
}

pub(super) fn console_view(frame: &Frame, site: &Site, b: &Bar, p: &ConsolePage) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-console", &frame.message("bo.console.title"));
    agent_bar(frame, &mut x, b);
    let action = format!("{}/backoffice/", frame.base);
    let last = p.first + p.rows.len() as u64 - u64::from(!p.rows.is_empty());
    x.open(
        "console",
        &[
            ("action", &action),
            ("total", &p.total.to_string()),
            ("page", &p.page.to_string()),
            ("pages", &p.pages.to_string()),
            ("first", &p.first.to_string()),
            ("last", &last.to_string()),
        ],
    );
    if let Some((kind, text)) = &p.notice {
        x.text("notice", &[("kind", kind)], text);
    }
    x.open("filters", &[]);
    for f in &p.filters {
        let kind = if f.options.is_empty() {
            "text"
        } else {
            "select"
        };
        x.open(
            "filter",
            &[("name", f.name), ("type", kind), ("value", &f.value)],
        );
        x.text(
            "label",
            &[],
            &frame.message(&format!("bo.filter.{}", f.name)),
        );
        for (value, label) in &f.options {
            let mut attrs = vec![("value", value.as_str())];
            if *value == f.value {
                attrs.push(("selected", "true"));
            }
            x.text("option", &attrs, label);
        }
        x.close("filter");
    }
    x.open(
        "filter",
        &[
            ("name", "late"),
            ("type", "checkbox"),
            ("value", "1"),
            ("checked", bool_str(p.late_only)),
        ],
    );
    x.text("label", &[], &frame.message("bo.filter.late"));
    x.close("filter");
    x.empty("hidden", &[("name", "sort"), ("value", p.sort)]);
    x.empty(
        "hidden",
        &[
            ("name", "dir"),
            ("value", if p.descending { "desc" } else { "asc" }),
        ],
    );
    x.close("filters");
    x.open("columns", &[]);
    for key in [
        "reference",
        "service",
        "channel",
        "step",
        "subject",
        "received",
        "due",
        "department",
    ] {
        let label = frame.message(&format!("bo.column.{key}"));
        if matches!(key, "reference" | "service" | "received" | "due") {
            let current = p.sort == key;
            let sort = match (current, p.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            };
            let dir = if current && !p.descending {
                "desc"
            } else {
                "asc"
            };
            let href = format!("{action}?{}sort={key}&dir={dir}", p.filter_query);
            x.text(
                "column",
                &[("key", key), ("sort", sort), ("href", &href)],
                &label,
            );
        } else {
            x.text("column", &[("key", key)], &label);
        }
    }
    x.close("columns");
    x.open("requests", &[]);
    for row in p.rows {
        let reference = row.reference.to_string();
        let href = format!("{}/backoffice/requests/{reference}", frame.base);
        let (late, soon) = lateness(
            row.submitted_at
                .to_zoned(frame.tenant.time_zone.clone())
                .date(),
            row.due_date,
            p.today,
            row.finished,
        );
        x.open(
            "request",
            &[
                ("reference", &reference),
                ("href", &href),
                ("late", bool_str(late)),
                ("soon", bool_str(soon)),
                ("final", bool_str(row.finished)),
                ("waiting", bool_str(row.waiting)),
            ],
        );
        let service = frame
            .tenant
            .service_version(&row.service_code, row.service_version);
        x.text(
            "service",
            &[("code", &row.service_code)],
            service.map_or(row.service_code.as_str(), |s| service_title(s, frame.lang)),
        );
        x.text(
            "channel",
            &[("code", &row.channel)],
            &channel_label(frame, &row.channel),
        );
        step_element(&mut x, service.map(|s| &**s), &row.step);
        x.text("subject", &[], &row.requester_name);
        let received = row
            .submitted_at
            .to_zoned(frame.tenant.time_zone.clone())
            .date();
        x.text(
            "received",
            &[("date", &received.to_string())],
            &short_date(received),
        );
        x.text(
            "due",
            &[("date", &row.due_date.to_string())],
            &short_date(row.due_date),
        );
        x.text(
            "department",
            &[("code", &row.department)],
            &department_name(site, &row.department),
        );
        x.close("request");
    }
    x.close("requests");
    if !p.mass.is_empty() {
        let mass = format!("{}/backoffice/mass", frame.base);
        x.open("mass", &[("action", &mass), ("token", b.token)]);
        for (id, label) in &p.mass {
            x.text("action", &[("id", id)], label);
        }
        x.close("mass");
    }
    x.open("pager", &[]);
    let page_href = |n: u32| {
        format!(
            "{action}?{}sort={}&dir={}&page={n}",
            p.filter_query,
            p.sort,
            if p.descending { "desc" } else { "asc" }
        )
    };
    if p.page > 1 {
        x.empty("prev", &[("href", &page_href(p.page - 1))]);
    }
    if p.page < p.pages {
        x.empty("next", &[("href", &page_href(p.page + 1))]);
    }
    x.close("pager");
    x.close("console");
    x.close("page");
    x.finish()
}
