//! The statistics page (`/T/backoffice/stats`) and its exports
//! (`/T/backoffice/stats/TABLE.csv`, `.xml`): the figures of a period as
//! tables, some drawn as charts, for administrators and agents holding the
//! `stats` role in a department (of those departments only).
//!
//! Every figure is one cell of a [`Table`]; the page, the CSV and the XML
//! are three writings of the same tables, so an export always says what the
//! page shows.

use crate::core::stats::{Dimension, Figures, Period, Spread};
use crate::render::chart::{self, Layout, Series};
use crate::tenant::Site;
use crate::usecases::stats::{Report, report};
use crate::web::backoffice::view::{agent_bar, channel_label, department_name};
use crate::web::backoffice::{bar, bo_page, forbidden, today, unavailable};
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml, service_title};
use crate::web::{Body, download, plain};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use jiff::civil::Date;

/// A table of figures: what the page shows, and what each export writes.
pub(crate) struct Table {
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub chart: Option<Layout>,
}

/// What the page's URL asks for.
struct Asked {
    /// `month`, `year` or `range`.
    period_name: &'static str,
    period: Period,
    department: Option<String>,
    /// The departments the agent may read the figures of; `None` for all.
    allowed: Option<Vec<String>>,
    /// A bad range: (field, message); the current month is shown instead.
    error: Option<(&'static str, String)>,
}

impl Asked {
    fn read(cx: &Ctx<'_>, today: Date, allowed: Option<Vec<String>>) -> Asked {
        let frame = cx.frame;
        let q = |name: &str| {
            cx.query(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let department = q("department").filter(|d| {
            cx.site.department(d).is_some() && allowed.as_ref().is_none_or(|a| a.contains(d))
        });
        let month = Period {
            from: today.first_of_month(),
            to: today,
        };
        let mut asked = Asked {
            period_name: "month",
            period: month,
            department,
            allowed,
            error: None,
        };
        match q("period").as_deref() {
            Some("year") => {
                asked.period_name = "year";
                asked.period.from = today
                    .first_of_month()
                    .checked_sub(jiff::Span::new().months(11))
                    .unwrap_or(month.from);
            }
            Some("range") => {
                asked.period_name = "range";
                let day = |name: &'static str| -> Result<Date, (&'static str, String)> {
                    q(name)
                        .and_then(|v| v.parse::<Date>().ok())
                        .ok_or_else(|| (name, frame.message("bo.stats.error.date")))
                };
                match (day("from"), day("to")) {
                    (Ok(from), Ok(to)) if from > to => {
                        asked.error = Some(("to", frame.message("bo.stats.error.order")));
                    }
                    (Ok(from), Ok(to)) if (to - from).get_days() > 3660 => {
                        asked.error = Some(("from", frame.message("bo.stats.error.long")));
                    }
                    (Ok(from), Ok(to)) => asked.period = Period { from, to },
                    (Err(e), _) | (_, Err(e)) => asked.error = Some(e),
                }
            }
            _ => {}
        }
        asked
    }

    /// The query string that asks for the same figures.
    fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("period", self.period_name);
        if self.period_name == "range" {
            s.append_pair("from", &self.period.from.to_string());
            s.append_pair("to", &self.period.to.to_string());
        }
        if let Some(d) = &self.department {
            s.append_pair("department", d);
        }
        s.finish()
    }

    /// The departments whose figures are shown: the one chosen, or all
    /// those the agent may read.
    fn departments(&self) -> Option<Vec<String>> {
        match &self.department {
            Some(d) => Some(vec![d.clone()]),
            None => self.allowed.clone(),
        }
    }
}

async fn read_report(cx: &Ctx<'_>) -> Result<(Asked, Report), Response<Body>> {
    let (app, site) = (cx.app, cx.site);
    let agent = &cx.session().record.agent;
    if !agent.sees_stats() {
        return Err(forbidden(cx));
    }
    let today = today(app, site);
    let asked = Asked::read(cx, today, agent.stats_departments());
    match report(app, site, asked.departments(), asked.period, today).await {
        Ok(r) => Ok((asked, r)),
        Err(e) => Err(unavailable(&e)),
    }
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (asked, report) = match read_report(cx).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let tables = tables(cx.frame, cx.site, &report);
    let v = stats_view(cx, &asked, &report, &tables);
    let status = if asked.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    bo_page(cx, status, "bo-stats.xsl", v)
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
    let tables = tables(cx.frame, cx.site, &report);
    let Some(table) = tables.iter().find(|t| t.id == id) else {
        return unknown();
    };
    let name = format!(
        "statistiques-{}-{}-{}-{}.{format}",
        cx.site.tenant.slug, table.id, report.period.from, report.period.to
    );
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

/// A number with one decimal, written the way the page's language does.
fn decimal(frame: &Frame, v: f64) -> String {
    let s = format!("{v:.1}");
    if frame.lang == "fr" {
        s.replace('.', ",")
    } else {
        s
    }
}

fn spread_cells(frame: &Frame, s: Option<Spread>) -> [String; 3] {
    match s {
        Some(s) => [
            decimal(frame, s.mean),
            s.median.to_string(),
            s.p90.to_string(),
        ],
        None => [String::new(), String::new(), String::new()],
    }
}

fn share(frame: &Frame, f: &Figures) -> String {
    f.within_deadline_share()
        .map(|s| decimal(frame, s))
        .unwrap_or_default()
}

fn service_name(frame: &Frame, site: &Site, code: &str) -> String {
    site.tenant.service(code).map_or_else(
        || code.to_owned(),
        |s| service_title(s, frame.lang).to_owned(),
    )
}

fn step_name(site: &Site, service: &str, step: &str) -> String {
    site.tenant
        .service(service)
        .and_then(|s| s.step(step))
        .map_or_else(|| step.to_owned(), |s| s.label.clone())
}

fn dimension_label(frame: &Frame, site: &Site, d: Dimension, key: &str) -> String {
    match d {
        Dimension::Service => service_name(frame, site, key),
        Dimension::Theme => site
            .tenant
            .services
            .iter()
            .find(|s| s.theme.code == key)
            .map_or_else(|| key.to_owned(), |s| s.theme.label.clone()),
        Dimension::Channel => channel_label(frame, key),
        Dimension::Department => department_name(site, key),
    }
}

/// The page's tables, in the page's order.
pub(crate) fn tables(frame: &Frame, site: &Site, r: &Report) -> Vec<Table> {
    let m = |key: &str| frame.message(key);
    let mut out = Vec::new();
    let w = &r.whole;
    let [mean, median, p90] = spread_cells(frame, w.delay);
    let [wmean, wmedian, wp90] = spread_cells(frame, w.working_delay);
    out.push(Table {
        id: "summary",
        title: m("bo.stats.summary"),
        columns: vec![m("bo.stats.col.figure"), m("bo.stats.col.value")],
        rows: [
            ("received", w.received.to_string()),
            ("closed", w.closed.to_string()),
            ("open", w.open.to_string()),
            ("late", w.late.to_string()),
            ("within", share(frame, w)),
            ("delay-mean", mean),
            ("delay-median", median),
            ("delay-p90", p90),
            ("working-mean", wmean),
            ("working-median", wmedian),
            ("working-p90", wp90),
        ]
        .into_iter()
        .map(|(k, v)| vec![m(&format!("bo.stats.figure.{k}")), v])
        .collect(),
        chart: None,
    });
    let month_labels: Vec<String> = r
        .months
        .iter()
        .map(|mo| crate::tenant::dates::month_year(mo.year, mo.month, frame.lang))
        .collect();
    out.push(Table {
        id: "months",
        title: m("bo.stats.months"),
        columns: vec![
            m("bo.stats.col.month"),
            m("bo.stats.col.received"),
            m("bo.stats.col.closed"),
        ],
        rows: r
            .months
            .iter()
            .zip(&month_labels)
            .map(|(mo, label)| {
                vec![
                    label.clone(),
                    mo.received.to_string(),
                    mo.closed.to_string(),
                ]
            })
            .collect(),
        chart: Some(chart::horizontal_bars(
            &month_labels,
            &[
                Series {
                    name: m("bo.stats.col.received"),
                    values: r.months.iter().map(|mo| mo.received as f64).collect(),
                },
                Series {
                    name: m("bo.stats.col.closed"),
                    values: r.months.iter().map(|mo| mo.closed as f64).collect(),
                },
            ],
        )),
    });
    for (d, groups) in &r.by {
        let labels: Vec<String> = groups
            .iter()
            .map(|(k, _)| dimension_label(frame, site, *d, k))
            .collect();
        let id = d.as_str();
        out.push(Table {
            id,
            title: m(&format!("bo.stats.by.{id}")),
            columns: vec![
                m(&format!("bo.stats.col.{id}")),
                m("bo.stats.col.received"),
                m("bo.stats.col.closed"),
                m("bo.stats.col.open"),
                m("bo.stats.col.late"),
                m("bo.stats.col.within"),
                m("bo.stats.col.median"),
                m("bo.stats.col.p90"),
                m("bo.stats.col.working-median"),
            ],
            rows: groups
                .iter()
                .zip(&labels)
                .map(|((_, f), label)| {
                    let [_, median, p90] = spread_cells(frame, f.delay);
                    let [_, wmedian, _] = spread_cells(frame, f.working_delay);
                    vec![
                        label.clone(),
                        f.received.to_string(),
                        f.closed.to_string(),
                        f.open.to_string(),
                        f.late.to_string(),
                        share(frame, f),
                        median,
                        p90,
                        wmedian,
                    ]
                })
                .collect(),
            chart: (*d == Dimension::Service && !groups.is_empty()).then(|| {
                chart::horizontal_bars(
                    &labels,
                    &[
                        Series {
                            name: m("bo.stats.col.received"),
                            values: groups.iter().map(|(_, f)| f.received as f64).collect(),
                        },
                        Series {
                            name: m("bo.stats.col.late"),
                            values: groups.iter().map(|(_, f)| f.late as f64).collect(),
                        },
                    ],
                )
            }),
        });
    }
    out.push(Table {
        id: "waiting",
        title: m("bo.stats.waiting"),
        columns: vec![
            m("bo.stats.col.service"),
            m("bo.stats.col.step"),
            m("bo.stats.col.count"),
            m("bo.stats.col.citizen"),
            m("bo.stats.col.days-mean"),
            m("bo.stats.col.days-longest"),
        ],
        rows: r
            .waiting
            .iter()
            .map(|wt| {
                vec![
                    service_name(frame, site, &wt.service),
                    step_name(site, &wt.service, &wt.step),
                    wt.count.to_string(),
                    wt.citizen.to_string(),
                    decimal(frame, wt.days.mean),
                    wt.longest.to_string(),
                ]
            })
            .collect(),
        chart: None,
    });
    out.push(Table {
        id: "outcomes",
        title: m("bo.stats.outcomes"),
        columns: vec![
            m("bo.stats.col.service"),
            m("bo.stats.col.outcome"),
            m("bo.stats.col.count"),
        ],
        rows: r
            .outcomes
            .iter()
            .map(|(service, step, n)| {
                vec![
                    service_name(frame, site, service),
                    step_name(site, service, step),
                    n.to_string(),
                ]
            })
            .collect(),
        chart: None,
    });
    out.push(Table {
        id: "words",
        title: m("bo.stats.words"),
        columns: vec![
            m("bo.stats.col.service"),
            m("bo.stats.col.word"),
            m("bo.stats.col.times"),
        ],
        rows: r
            .words
            .iter()
            .flat_map(|(service, words)| {
                words
                    .iter()
                    .map(move |(word, n)| vec![service.clone(), word.clone(), n.to_string()])
            })
            .map(|mut row| {
                row[0] = service_name(frame, site, &row[0]);
                row
            })
            .collect(),
        chart: None,
    });
    out
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
    for t in &c.ticks {
        x.text("tick", &[("x", &number(t.x)), ("y", &number(t.y))], &t.text);
    }
    x.close("chart");
}

fn stats_view(cx: &Ctx<'_>, asked: &Asked, report: &Report, tables: &[Table]) -> String {
    let (frame, site) = (cx.frame, cx.site);
    let session = cx.session();
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-stats", &frame.message("bo.stats.title"));
    agent_bar(frame, &mut x, &bar(session));
    let action = format!("{}/backoffice/stats", frame.base);
    let (from, to) = (report.period.from.to_string(), report.period.to.to_string());
    x.open(
        "stats",
        &[
            ("action", &action),
            ("period", asked.period_name),
            ("from", &from),
            ("to", &to),
            ("read", &report.read.to_string()),
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
    x.open("periods", &[]);
    for p in ["month", "year", "range"] {
        let selected = if p == asked.period_name {
            "true"
        } else {
            "false"
        };
        x.text(
            "period",
            &[("value", p), ("selected", selected)],
            &frame.message(&format!("bo.stats.period.{p}")),
        );
    }
    x.close("periods");
    x.open("departments", &[]);
    for d in &site.departments {
        if asked.allowed.as_ref().is_some_and(|a| !a.contains(&d.code)) {
            continue;
        }
        let selected = if asked.department.as_deref() == Some(d.code.as_str()) {
            "true"
        } else {
            "false"
        };
        x.text(
            "department",
            &[("code", &d.code), ("selected", selected)],
            &d.name,
        );
    }
    x.close("departments");
    let query = asked.query();
    for t in tables {
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
