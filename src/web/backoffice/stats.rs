//! The statistics page (`/T/backoffice/stats`) and its exports
//! (`/T/backoffice/stats/TABLE.csv`, `.xml`): the figures of a period as
//! tables, some drawn as charts, for administrators and agents holding the
//! `stats` role in a department (of those departments only).
//!
//! Every figure is one cell of a [`Table`]; the page, the CSV and the XML
//! are three writings of the same tables, so an export always says what the
//! page shows.

use crate::core::saved_query::{
    PeriodChoice, SavedQuery, StatQuery, may_read, query_name, report_month,
};
use crate::render::chart::Layout;
use crate::render::stats::{Table, tables};
use crate::store::NewSavedQuery;
use crate::tenant::Site;
use crate::usecases::stats::{Report, report};
use crate::web::backoffice::view::agent_bar;
use crate::web::backoffice::{bar, bo_page, forbidden, today, unavailable};
use crate::web::route::Ctx;
use crate::web::view::Xml;
use crate::web::{Body, download, plain, redirect};
use bytes::Bytes;
use hyper::{Response, StatusCode};

/// What the page's URL asks for, as far as the agent may see it.
struct Asked {
    query: StatQuery,
    /// The departments the agent may read the figures of; `None` for all.
    allowed: Option<Vec<String>>,
    /// A bad range: (field, message); the current month is shown instead.
    error: Option<(&'static str, String)>,
    /// The saved query the page was opened from (`saved=ID`).
    saved: Option<i64>,
}

impl Asked {
    fn read(cx: &Ctx<'_>, allowed: Option<Vec<String>>) -> Asked {
        let (query, error) = StatQuery::read(|name| {
            cx.query(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        });
        Asked::of(
            cx,
            query,
            error.map(|e| (e.field, cx.frame.message(e.key))),
            allowed,
        )
    }

    /// A query with what the agent may not ask for left out: a department
    /// the town lacks or the agent may not read, a service the town lacks.
    fn of(
        cx: &Ctx<'_>,
        query: StatQuery,
        error: Option<(&'static str, String)>,
        allowed: Option<Vec<String>>,
    ) -> Asked {
        let site = cx.site;
        let mut query = query.read_by(allowed.as_deref());
        query.department = query.department.filter(|d| site.department(d).is_some());
        query.service = query.service.filter(|s| site.tenant.service(s).is_some());
        Asked {
            query,
            allowed,
            error,
            saved: cx.query("saved").and_then(|v| v.parse().ok()),
        }
    }

    fn departments(&self) -> Option<Vec<String>> {
        self.query.departments(self.allowed.as_deref())
    }
}

async fn read_report(cx: &Ctx<'_>) -> Result<(Asked, Report), Response<Body>> {
    let agent = &cx.session().record.agent;
    if !agent.sees_stats() {
        return Err(forbidden(cx));
    }
    let asked = Asked::read(cx, agent.stats_departments());
    let report = report_of(cx, &asked).await?;
    Ok((asked, report))
}

/// The figures `asked` gives, on the town's today.
async fn report_of(cx: &Ctx<'_>, asked: &Asked) -> Result<Report, Response<Body>> {
    let (app, site) = (cx.app, cx.site);
    let today = today(app, site);
    let period = asked.query.period.period(today);
    let service = asked.query.service.as_deref();
    report(app, site, asked.departments(), service, period, today)
        .await
        .map_err(|e| unavailable(&e))
}

/// The saved queries the agent sees, by name.
async fn visible_queries(cx: &Ctx<'_>) -> Result<Vec<SavedQuery>, Response<Body>> {
    let agent = &cx.session().record.agent;
    let allowed = agent.stats_departments();
    match cx.app.store.saved_queries(cx.site.tenant.id).await {
        Ok(all) => Ok(all
            .into_iter()
            .filter(|q| q.visible_to(&agent.login, allowed.as_deref()))
            .collect()),
        Err(e) => Err(unavailable(&e)),
    }
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (asked, report) = match read_report(cx).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let saved = match visible_queries(cx).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let notice = cx
        .query("done")
        .filter(|d| {
            matches!(
                d.as_str(),
                "saved" | "deleted" | "subscribed" | "unsubscribed"
            )
        })
        .map(|d| cx.frame.message(&format!("bo.stats.saved.{d}")));
    let status = if asked.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let view = Shown {
        asked: &asked,
        report: &report,
        saved: &saved,
        notice,
        save_error: None,
    };
    bo_page(cx, status, "bo-stats.xsl", stats_view(cx, &view))
}

/// `POST stats`: saves the page's query under a name (`do=save`), removes
/// a saved query (`do=delete`), subscribes the agent to its monthly report
/// or unsubscribes them (`do=subscribe`, `do=unsubscribe`).
pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let session = cx.session();
    let agent = &session.record.agent;
    if !agent.sees_stats() {
        return forbidden(cx);
    }
    let fields = &cx.fields;
    let field = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (query, error) = StatQuery::read(field);
    let asked = Asked::of(
        cx,
        query,
        error.map(|e| (e.field, frame.message(e.key))),
        agent.stats_departments(),
    );
    let page = format!("{}/backoffice/stats", frame.base);
    let done = |what: &str, query: &StatQuery, saved: Option<i64>| {
        let mut s = form_urlencoded::Serializer::new(query.query_string());
        if let Some(id) = saved {
            s.append_pair("saved", &id.to_string());
        }
        s.append_pair("done", what);
        redirect(&format!("{page}?{}", s.finish()))
    };
    let chosen = || -> Option<i64> { field("query").and_then(|v| v.parse().ok()) };
    let action = field("do").unwrap_or_default();
    if action == "save" {
        let allowed = agent.stats_departments();
        let shared = field("share")
            .filter(|d| site.department(d).is_some() && may_read(allowed.as_deref(), d));
        if asked.error.is_some() {
            // The bad range is shown next to its field.
            return refused(cx, &asked, None).await;
        }
        let name = match query_name(fields.get("name").unwrap_or("")) {
            Ok(name) => name,
            Err(key) => return refused(cx, &asked, Some(("name", frame.message(key)))).await,
        };
        let new = NewSavedQuery {
            owner: agent.login.clone(),
            name,
            shared_with: shared,
            query: asked.query.clone(),
        };
        return match app.store.save_query(site.tenant.id, new, app.now()).await {
            Ok(id) => done("saved", &asked.query, Some(id)),
            Err(e) => unavailable(&e),
        };
    }
    let Some(id) = chosen() else {
        return plain(StatusCode::BAD_REQUEST, "Requête enregistrée manquante.");
    };
    let saved = match visible_queries(cx).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let Some(q) = saved.into_iter().find(|q| q.id == id) else {
        return plain(StatusCode::NOT_FOUND, "Requête enregistrée inconnue.");
    };
    let result = match action.as_str() {
        "delete" if q.editable_by(&agent.login, agent.admin) => app
            .store
            .delete_query(site.tenant.id, id)
            .await
            .map(|_| "deleted"),
        "delete" => return forbidden(cx),
        "subscribe" => {
            // The first report is the one for the month now running.
            let covered = report_month(today(app, site));
            app.store
                .subscribe(site.tenant.id, id, agent.login.clone(), Some(covered))
                .await
                .map(|_| "subscribed")
        }
        "unsubscribe" => app
            .store
            .subscribe(site.tenant.id, id, agent.login.clone(), None)
            .await
            .map(|_| "unsubscribed"),
        _ => return plain(StatusCode::BAD_REQUEST, "Action inconnue."),
    };
    match result {
        Ok("deleted") => done("deleted", &asked.query, None),
        Ok(what) => done(what, &q.query, Some(id)),
        Err(e) => unavailable(&e),
    }
}

/// The page again, with why the query could not be saved.
async fn refused(
    cx: &Ctx<'_>,
    asked: &Asked,
    error: Option<(&'static str, String)>,
) -> Response<Body> {
    let report = match report_of(cx, asked).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let saved = match visible_queries(cx).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let view = Shown {
        asked,
        report: &report,
        saved: &saved,
        notice: None,
        save_error: error,
    };
    bo_page(
        cx,
        StatusCode::BAD_REQUEST,
        "bo-stats.xsl",
        stats_view(cx, &view),
    )
}

/// `stats/TABLE.csv` or `stats/TABLE.xml`: one table of the page, whole.
pub(super) async fn export(cx: &Ctx<'_>) -> Response<Body> {
    let unknown = || plain(StatusCode::NOT_FOUND, "Export inconnu.");
    let Some((id, format)) = cx
        .param("file")
        .rsplit_once('.')
        .filter(|(_, f)| matches!(*f, "csv" | "xml"))
    else {
        return unknown();
    };
    let (asked, report) = match read_report(cx).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    if let Some((_, message)) = &asked.error {
        return plain(StatusCode::BAD_REQUEST, message);
    }
    let tables = tables(&cx.frame.wording(), cx.site, &report, &asked.query);
    let Some(table) = tables.iter().find(|t| t.id == id) else {
        return unknown();
    };
    let name = format!(
        "statistiques-{}-{}-{}-{}.{format}",
        cx.site.tenant.slug, table.id, report.period.from, report.period.to
    );
    if let Err(e) = cx
        .app
        .store
        .record_audit(
            cx.site.tenant.id,
            format!("agent:{}", cx.session().record.agent.login),
            format!("stats:{}", table.id),
            "stats-exported".into(),
            name.clone(),
            cx.app.now(),
        )
        .await
    {
        return super::unavailable(&e);
    }
    match format {
        "csv" => match crate::render::sheet::csv(&table.columns, &table.rows) {
            Ok(bytes) => download(Bytes::from(bytes), "text/csv; charset=utf-8", &name),
            Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        _ => download(
            Bytes::from(table_xml(cx.site, &report, table)),
            "application/xml; charset=utf-8",
            &name,
        ),
    }
}

/// The namespace of statistics exports.
pub const STATS_NS: &str = "urn:guichet:statistics:1";

fn table_xml(site: &Site, report: &Report, table: &Table) -> String {
    let mut x = Xml::new();
    let (from, to) = (report.period.from.to_string(), report.period.to.to_string());
    x.open(
        "statistics",
        &[
            ("xmlns", STATS_NS),
            ("tenant", &site.tenant.slug),
            ("table", table.id),
            ("from", &from),
            ("to", &to),
        ],
    );
    x.text("title", &[], &table.title);
    columns_and_rows(&mut x, table);
    x.close("statistics");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        x.finish()
    )
}

/// A table's header and rows, the same in the page's view and in the XML
/// export.
fn columns_and_rows(x: &mut Xml, table: &Table) {
    x.open("columns", &[]);
    for c in &table.columns {
        x.text("column", &[], c);
    }
    x.close("columns");
    for row in &table.rows {
        x.open("row", &[]);
        for cell in row {
            x.text("cell", &[], cell);
        }
        x.close("row");
    }
}

fn number(v: f64) -> String {
    format!("{v}")
}

fn chart_view(x: &mut Xml, c: &Layout) {
    x.open(
        "chart",
        &[
            ("width", &number(c.width)),
            ("height", &number(c.height)),
            ("axis-x", &number(c.axis_x)),
            ("axis-y", &number(c.axis_y)),
            ("right", &number(c.right)),
            ("top", &number(c.top)),
            ("kind", c.kind.as_str()),
        ],
    );
    for (i, l) in c.legend.iter().enumerate() {
        x.text(
            "legend",
            &[
                ("series", &i.to_string()),
                ("x", &number(l.x)),
                ("y", &number(l.y)),
            ],
            &l.text,
        );
    }
    for l in &c.labels {
        x.text(
            "label",
            &[("x", &number(l.x)), ("y", &number(l.y))],
            &l.text,
        );
    }
    for b in &c.bars {
        x.text(
            "bar",
            &[
                ("series", &b.series.to_string()),
                ("x", &number(b.x)),
                ("y", &number(b.y)),
                ("width", &number(b.width)),
                ("height", &number(b.height)),
            ],
            &number(b.value),
        );
    }
    for line in &c.lines {
        x.open(
            "line",
            &[
                ("series", &line.series.to_string()),
                ("points", &line.points),
            ],
        );
        for m in &line.marks {
            x.text(
                "point",
                &[("x", &number(m.x)), ("y", &number(m.y))],
                &number(m.value),
            );
        }
        x.close("line");
    }
    for t in &c.ticks {
        x.text("tick", &[("x", &number(t.x)), ("y", &number(t.y))], &t.text);
    }
    x.close("chart");
}

/// What the page shows.
struct Shown<'a> {
    asked: &'a Asked,
    report: &'a Report,
    saved: &'a [SavedQuery],
    notice: Option<String>,
    /// Why the query could not be saved: (field, message).
    save_error: Option<(&'static str, String)>,
}

fn stats_view(cx: &Ctx<'_>, shown: &Shown<'_>) -> String {
    let (frame, site) = (cx.frame, cx.site);
    let (asked, report) = (shown.asked, shown.report);
    let session = cx.session();
    let tables = tables(&frame.wording(), site, report, &asked.query);
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-stats", &frame.message("bo.stats.title"));
    agent_bar(frame, &mut x, &bar(session));
    let action = format!("{}/backoffice/stats", frame.base);
    let (from, to) = (report.period.from.to_string(), report.period.to.to_string());
    let query = asked.query.query_string();
    x.open(
        "stats",
        &[
            ("action", &action),
            ("period", asked.query.period.name()),
            ("from", &from),
            ("to", &to),
            ("read", &report.read.to_string()),
            ("token", bar(session).token),
        ],
    );
    x.text(
        "heading",
        &[],
        &frame.format(
            "bo.stats.heading",
            &[
                ("from", &frame.date(report.period.from)),
                ("to", &frame.date(report.period.to)),
            ],
        ),
    );
    if let Some((field, message)) = &asked.error {
        x.text("error", &[("field", field)], message);
    }
    if let Some(notice) = &shown.notice {
        x.text("notice", &[], notice);
    }
    let selected = |yes: bool| if yes { "true" } else { "false" };
    x.open("periods", &[]);
    for p in PeriodChoice::NAMES {
        x.text(
            "period",
            &[
                ("value", p),
                ("selected", selected(p == asked.query.period.name())),
            ],
            &frame.message(&format!("bo.stats.period.{p}")),
        );
    }
    x.close("periods");
    let readable: Vec<_> = site
        .departments
        .iter()
        .filter(|d| may_read(asked.allowed.as_deref(), &d.code))
        .collect();
    x.open("departments", &[]);
    for d in &readable {
        x.text(
            "department",
            &[
                ("code", &d.code),
                (
                    "selected",
                    selected(asked.query.department.as_deref() == Some(d.code.as_str())),
                ),
            ],
            &d.name,
        );
    }
    x.close("departments");
    x.open("services", &[]);
    for s in &site.tenant.services {
        x.text(
            "service",
            &[
                ("code", &s.code),
                (
                    "selected",
                    selected(asked.query.service.as_deref() == Some(s.code.as_str())),
                ),
            ],
            s.title_in(frame.lang),
        );
    }
    x.close("services");
    x.open("groups", &[]);
    for d in crate::usecases::stats::dimensions(site) {
        x.text(
            "group",
            &[
                ("value", d.as_str()),
                ("selected", selected(asked.query.group == Some(d))),
            ],
            &frame.message(&format!("bo.stats.by.{}", d.as_str())),
        );
    }
    x.close("groups");
    saved_view(&mut x, cx, shown, readable.as_slice());
    for t in &tables {
        let csv = format!("{action}/{}.csv?{query}", t.id);
        let xml = format!("{action}/{}.xml?{query}", t.id);
        x.open("table", &[("id", t.id), ("csv", &csv), ("xml", &xml)]);
        x.text("title", &[], &t.title);
        if let Some(c) = &t.chart {
            chart_view(&mut x, c);
        }
        columns_and_rows(&mut x, t);
        x.close("table");
    }
    x.close("stats");
    x.close("page");
    x.finish()
}

/// The saved queries the agent sees, each with its link, whether the
/// agent gets it by e-mail and may remove it; then the form that saves the
/// page's query.
fn saved_view(
    x: &mut Xml,
    cx: &Ctx<'_>,
    shown: &Shown<'_>,
    readable: &[&crate::store::Department],
) {
    let (frame, site) = (cx.frame, cx.site);
    let agent = &cx.session().record.agent;
    let page = format!("{}/backoffice/stats", frame.base);
    let yes_no = |yes: bool| if yes { "true" } else { "false" };
    let has_email = cx.session().record.email.is_some();
    x.open("saved", &[("email", yes_no(has_email))]);
    for q in shown.saved {
        let href = format!("{page}?{}&saved={}", q.query.query_string(), q.id);
        let who = if q.owner == agent.login {
            frame.message("bo.stats.saved.mine")
        } else {
            frame.format("bo.stats.saved.by", &[("owner", &q.owner)])
        };
        let sharing = match q.shared_with.as_deref() {
            Some(d) => frame.format(
                "bo.stats.saved.shared",
                &[(
                    "department",
                    &crate::render::stats::department_name(site, d),
                )],
            ),
            None => frame.message("bo.stats.saved.private"),
        };
        let id = q.id.to_string();
        let current = shown.asked.saved == Some(q.id);
        x.text(
            "query",
            &[
                ("id", &id),
                ("href", &href),
                ("who", &who),
                ("sharing", &sharing),
                ("current", yes_no(current)),
                ("subscribed", yes_no(q.subscribers.contains(&agent.login))),
                ("editable", yes_no(q.editable_by(&agent.login, agent.admin))),
            ],
            &q.name,
        );
    }
    let (error_field, error) = match &shown.save_error {
        Some((f, m)) => (*f, m.as_str()),
        None => ("", ""),
    };
    x.open("save", &[("error-field", error_field), ("error", error)]);
    // The page's query, carried by the form that saves it.
    let query = shown.asked.query.query_string();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        x.text("param", &[("name", &name), ("value", &value)], "");
    }
    for d in readable {
        let text = frame.format("bo.stats.save.with", &[("department", &d.name)]);
        x.text("share", &[("code", &d.code)], &text);
    }
    x.close("save");
    x.close("saved");
}
