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
pub(super) fn visible_departments(session: &Session) -> Option<Vec<String>> {
    session.record.agent.request_departments()
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let session = cx.session();
    let visible = visible_departments(session);
    let asked = Asked::read(cx, visible.as_deref());
    let today = today(app, site);
    let (total, rows) = match app
        .store
        .console(site.tenant.id, asked.query(visible.clone(), today))
        .await
    {
        Ok(r) => r,
        Err(e) => return unavailable(&e),
    };
    let pages = (total.div_ceil(u64::from(PAGE_SIZE)).max(1)) as u32;
    let p = ConsolePage {
        filter_query: asked.filter_query(),
        late_only: asked.late_only,
        sort: asked.sort.0,
        descending: asked.descending,
        total,
        page: asked.page,
        pages,
        first: u64::from((asked.page - 1) * PAGE_SIZE) + 1,
        rows: &rows,
        today,
        mass: mass_actions(site, &session.record.agent, &rows),
        notice: notice(cx),
        filters: asked.filters(frame, site, visible.as_deref()),
    };
    let v = console_view(frame, site, &bar(session), &p);
    bo_page(cx, StatusCode::OK, "bo-console.xsl", v)
}

/// What the console's URL asks for, each value checked against what exists
/// and what the agent may see.
pub(super) struct Asked {
    text: Option<String>,
    /// `open`, `waiting`, `final` or `all`, as written in the URL.
    state: String,
    pub(super) service: Option<String>,
    department: Option<String>,
    channel: Option<String>,
    /// A district's code, a sector (the town's places).
    district: Option<String>,
    sector: Option<String>,
    /// What they choose: the district, or the sector's.
    districts: Option<Vec<String>>,
    late_only: bool,
    sort: (&'static str, SortKey),
    descending: bool,
    page: u32,
}

impl Asked {
    pub(super) fn read(cx: &Ctx<'_>, visible: Option<&[String]>) -> Asked {
        Asked::parse(cx.site, &|name| asked(cx, name), visible)
    }

    /// The filters of a query string the console wrote
    /// ([`Asked::filter_query`]), checked as if the agent asked them now: a
    /// background export's.
    pub(super) fn from_query(site: &Site, query: &str, visible: Option<&[String]>) -> Asked {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        Asked::parse(site, &get, visible)
    }

    fn parse(site: &Site, q: &dyn Fn(&str) -> Option<String>, visible: Option<&[String]>) -> Asked {
        let known =
            |value: Option<String>, allowed: &dyn Fn(&str) -> bool| value.filter(|v| allowed(v));
        let places = site.look.get().places.clone();
        let district = known(q("district"), &|v| places.district(v).is_some());
        let sector = known(q("sector"), &|v| places.sectors().contains(&v));
        Asked {
            districts: chosen_districts(&places, district.as_deref(), sector.as_deref()),
            district,
            sector,
            text: q("q").map(|t| t.chars().take(100).collect::<String>()),
            state: q("state").unwrap_or_else(|| "open".into()),
            service: known(q("service"), &|v| site.tenant.service(v).is_some()),
            department: known(q("department"), &|v| {
                site.department(v).is_some() && visible.is_none_or(|d| d.iter().any(|d| d == v))
            }),
            channel: known(q("channel"), &|v| Channel::from_name(v).is_some()),
            late_only: q("late").is_some(),
            sort: match q("sort").as_deref() {
                Some("reference") => ("reference", SortKey::Reference),
                Some("service") => ("service", SortKey::Service),
                Some("received") => ("received", SortKey::Received),
                _ => ("due", SortKey::Due),
            },
            descending: q("dir").as_deref() == Some("desc"),
            page: q("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1)
                .min(100_000),
        }
    }

    pub(super) fn query(&self, departments: Option<Vec<String>>, today: Date) -> ConsoleQuery {
        ConsoleQuery {
            departments,
            state: match self.state.as_str() {
                "waiting" => StateFilter::Waiting,
                "final" => StateFilter::Finished,
                "all" => StateFilter::All,
                _ => StateFilter::Open,
            },
            service: self.service.clone(),
            department: self.department.clone(),
            channel: self.channel.clone(),
            districts: self.districts.clone(),
            located: false,
            due_before: self.late_only.then_some(today),
            text: self.text.clone(),
            sort: self.sort.1,
            descending: self.descending,
            offset: (self.page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        }
    }

    /// The filters as a query string (for the sorting and paging links),
    /// ending with `&`.
    pub(super) fn filter_query(&self) -> String {
        let mut filter_query = String::new();
        {
            let mut s = form_urlencoded::Serializer::new(&mut filter_query);
            if let Some(t) = &self.text {
                s.append_pair("q", t);
            }
            s.append_pair("state", &self.state);
            for (k, v) in [
                ("service", &self.service),
                ("department", &self.department),
                ("channel", &self.channel),
                ("district", &self.district),
                ("sector", &self.sector),
            ] {
                if let Some(v) = v {
                    s.append_pair(k, v);
                }
            }
            if self.late_only {
                s.append_pair("late", "1");
            }
        }
        filter_query.push('&');
        filter_query
    }

    /// The filter fields with their choices and what is chosen.
    fn filters(&self, frame: &Frame, site: &Site, visible: Option<&[String]>) -> Vec<Filter> {
        let all = frame.message("bo.filter.all");
        let mut services: Vec<(String, String)> = vec![(String::new(), all.clone())];
        for s in &site.tenant.services {
            services.push((s.code.clone(), service_title(s, frame.lang).to_owned()));
        }
        let mut departments = vec![(String::new(), all.clone())];
        for d in &site.departments {
            if visible.is_none_or(|v| v.contains(&d.code)) {
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
        let filter = |name, value: &Option<String>, options| Filter {
            name,
            value: value.clone().unwrap_or_default(),
            options,
        };
        let mut shown = vec![
            filter("q", &self.text, Vec::new()),
            filter("state", &Some(self.state.clone()), states),
            filter("service", &self.service, services),
            filter("department", &self.department, departments),
            filter("channel", &self.channel, channels),
        ];
        // Where, when the town has places.
        let places = site.look.get().places.clone();
        let all = frame.message("bo.filter.all");
        let sectors = places.sectors();
        if !sectors.is_empty() {
            let mut options = vec![(String::new(), all.clone())];
            options.extend(sectors.iter().map(|s| (s.to_string(), s.to_string())));
            shown.push(filter("sector", &self.sector, options));
        }
        if !places.is_empty() {
            let mut options = vec![(String::new(), all)];
            options.extend(
                places
                    .districts()
                    .iter()
                    .map(|d| (d.code.clone(), d.name.clone())),
            );
            shown.push(filter("district", &self.district, options));
        }
        shown
    }
}

/// The districts a console's filter asks for: the district, or the
/// sector's, or the district if it is in the sector (none when it is not).
fn chosen_districts(
    places: &crate::core::places::Places,
    district: Option<&str>,
    sector: Option<&str>,
) -> Option<Vec<String>> {
    match (district, sector) {
        (None, None) => None,
        (Some(d), None) => Some(vec![d.to_owned()]),
        (None, Some(s)) => Some(places.districts_of_sector(s)),
        (Some(d), Some(s)) => Some(
            places
                .districts_of_sector(s)
                .into_iter()
                .filter(|c| c == d)
                .collect(),
        ),
    }
}

/// Mass actions: the buttons without a required comment that this agent
/// may press on at least one listed request.
fn mass_actions(
    site: &Site,
    agent: &workflow::Agent,
    rows: &[ConsoleRow],
) -> Vec<(String, String)> {
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
            waiting_since: None,
        };
        for a in workflow::available_actions(svc, &state, agent) {
            if !a.comment_required && !mass.iter().any(|(id, _)| *id == a.id) {
                mass.push((a.id.clone(), a.label.clone()));
            }
        }
    }
    mass
}

/// A value of the URL's query, trimmed; `None` when empty.
fn asked(cx: &Ctx<'_>, name: &str) -> Option<String> {
    cx.query(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// What the agent just did, said at the top of the console.
fn notice(cx: &Ctx<'_>) -> Option<(&'static str, String)> {
    let frame = cx.frame;
    if let Some(done) = asked(cx, "done") {
        let skipped = asked(cx, "skipped").unwrap_or_else(|| "0".into());
        Some((
            "success",
            frame.format("bo.notice.mass", &[("done", &done), ("skipped", &skipped)]),
        ))
    } else if asked(cx, "saved").is_some() {
        Some(("success", frame.message("bo.notice.done")))
    } else {
        None
    }
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
    let export = format!("{}/backoffice/export?{}", frame.base, p.filter_query);
    let map = format!(
        "{}/backoffice/map?{}",
        frame.base,
        p.filter_query.trim_end_matches('&')
    );
    x.open(
        "console",
        &[
            ("action", &action),
            ("export", &export),
            ("map", &map),
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
    filters_view(frame, &mut x, p);
    columns_view(frame, &mut x, p, &action);
    x.open("requests", &[]);
    for row in p.rows {
        request_row(frame, site, &mut x, p, row);
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
    pager_view(&mut x, p, &action);
    x.close("console");
    x.close("page");
    x.finish()
}

fn filters_view(frame: &Frame, x: &mut Xml, p: &ConsolePage) {
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
}

/// The columns' headings, the sortable ones with the link that sorts by them.
fn columns_view(frame: &Frame, x: &mut Xml, p: &ConsolePage, action: &str) {
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
}

/// One request of the list.
fn request_row(frame: &Frame, site: &Site, x: &mut Xml, p: &ConsolePage, row: &ConsoleRow) {
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
            ("test", bool_str(row.test)),
            ("unread", bool_str(row.unread)),
        ],
    );
    let service = row_service(frame, x, row);
    x.text(
        "channel",
        &[("code", &row.channel)],
        &channel_label(frame, &row.channel),
    );
    step_element(x, service, &row.step);
    // Blank once anonymised.
    let anonymous;
    let subject = if row.requester_name.is_empty() {
        anonymous = frame.message("bo.console.anonymised");
        &anonymous
    } else {
        &row.requester_name
    };
    x.text("subject", &[], subject);
    row_received(frame, x, row);
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

fn pager_view(x: &mut Xml, p: &ConsolePage, action: &str) {
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
}
