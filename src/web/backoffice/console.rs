//! The console: the requests an agent may see, filtered, sorted and paged,
//! late and nearly-late ones marked.

use crate::core::intake::Channel;
use crate::core::workflow::{self};
use crate::store::{ConsoleQuery, SortKey, StateFilter};
use crate::web::Body;
use crate::web::backoffice::view::{self, Filter};
use crate::web::backoffice::{bar, bo_page, today, unavailable};
use crate::web::route::Ctx;
use crate::web::session::Session;
use hyper::{Response, StatusCode};

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
    let p = view::ConsolePage {
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
    let v = view::console(frame, site, &bar(session), &p);
    bo_page(cx, StatusCode::OK, "bo-console.xsl", v)
}
