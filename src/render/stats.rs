//! The statistics' tables: every figure of a [`Report`] as a cell of a
//! [`Table`], in the reader's language. The back office's page, its CSV and
//! XML exports and the monthly e-mail to a saved query's subscribers are
//! writings of the same tables, so each says what the others show.

use crate::core::saved_query::StatQuery;
use crate::core::stats::{Dimension, Figures, Spread};
use crate::render::chart::{self, Layout, Series};
use crate::tenant::Site;
use crate::tenant::look::Look;
use crate::usecases::stats::Report;

/// The town's messages in one language.
#[derive(Clone, Copy)]
pub struct Wording<'a> {
    pub look: &'a Look,
    pub lang: &'a str,
}

impl Wording<'_> {
    pub fn message(&self, key: &str) -> String {
        self.look.message(self.lang, key).to_owned()
    }

    /// The message of `key`, or `fallback` when there is none.
    pub fn message_or(&self, key: &str, fallback: &str) -> String {
        let text = self.look.message(self.lang, key);
        if text == key { fallback } else { text }.to_owned()
    }
}

/// The name of a channel in the reader's language.
pub fn channel_label(w: &Wording, channel: &str) -> String {
    w.message_or(&format!("bo.channel.{channel}"), channel)
}

/// The name of a department, its code for one the town no longer has.
pub fn department_name(site: &Site, code: &str) -> String {
    site.department(code)
        .map_or_else(|| code.to_owned(), |d| d.name.clone())
}

/// A table of figures: what the page shows, and what each export writes.
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub chart: Option<Layout>,
}

/// A number with one decimal, written the way the page's language does.
fn decimal(w: &Wording, v: f64) -> String {
    let s = format!("{v:.1}");
    if w.lang == "fr" {
        s.replace('.', ",")
    } else {
        s
    }
}

fn spread_cells(w: &Wording, s: Option<Spread>) -> [String; 3] {
    match s {
        Some(s) => [decimal(w, s.mean), s.median.to_string(), s.p90.to_string()],
        None => [String::new(), String::new(), String::new()],
    }
}

/// A mean or a share with one decimal; empty without answers.
fn optional(w: &Wording, v: Option<f64>) -> String {
    v.map(|v| decimal(w, v)).unwrap_or_default()
}

fn share(w: &Wording, f: &Figures) -> String {
    f.within_deadline_share()
        .map(|s| decimal(w, s))
        .unwrap_or_default()
}

fn service_name(w: &Wording, site: &Site, code: &str) -> String {
    site.tenant
        .service(code)
        .map_or_else(|| code.to_owned(), |s| s.title_in(w.lang).to_owned())
}

fn step_name(site: &Site, service: &str, step: &str) -> String {
    site.tenant
        .service(service)
        .and_then(|s| s.step(step))
        .map_or_else(|| step.to_owned(), |s| s.label.clone())
}

fn dimension_label(w: &Wording, site: &Site, d: Dimension, key: &str) -> String {
    match d {
        Dimension::Service => service_name(w, site, key),
        Dimension::Theme => site
            .tenant
            .services
            .iter()
            .find(|s| s.theme.code == key)
            .map_or_else(|| key.to_owned(), |s| s.theme.label.clone()),
        Dimension::Channel => channel_label(w, key),
        Dimension::Department => department_name(site, key),
        Dimension::Kind => w.message_or(&format!("bo.stats.kind.{key}"), key),
        Dimension::District if key.is_empty() => w.message("bo.stats.no-district"),
        Dimension::District => w
            .look
            .places
            .district(key)
            .map_or_else(|| key.to_owned(), |d| d.name.clone()),
        Dimension::Sector if key.is_empty() => w.message("bo.stats.no-sector"),
        Dimension::Sector => key.to_owned(),
    }
}

/// The tables of `r`, in the page's order, with the breakdowns `query`
/// asks for.
pub fn tables(w: &Wording, site: &Site, r: &Report, query: &StatQuery) -> Vec<Table> {
    let m = |key: &str| w.message(key);
    let mut out = Vec::new();
    let whole = &r.whole;
    let [mean, median, p90] = spread_cells(w, whole.delay);
    let [wmean, wmedian, wp90] = spread_cells(w, whole.working_delay);
    out.push(Table {
        id: "summary",
        title: m("bo.stats.summary"),
        columns: vec![m("bo.stats.col.figure"), m("bo.stats.col.value")],
        rows: [
            ("received", whole.received.to_string()),
            ("closed", whole.closed.to_string()),
            ("open", whole.open.to_string()),
            ("late", whole.late.to_string()),
            ("within", share(w, whole)),
            ("delay-mean", mean),
            ("delay-median", median),
            ("delay-p90", p90),
            ("working-mean", wmean),
            ("working-median", wmedian),
            ("working-p90", wp90),
            ("answers", r.satisfaction.whole.answers.to_string()),
            ("satisfied", optional(w, r.satisfaction.whole.satisfied)),
            ("overall", optional(w, r.satisfaction.whole.overall)),
        ]
        .into_iter()
        .map(|(k, v)| vec![m(&format!("bo.stats.figure.{k}")), v])
        .collect(),
        chart: None,
    });
    let month_labels: Vec<String> = r
        .months
        .iter()
        .map(|mo| crate::tenant::dates::month_year(mo.year, mo.month, w.lang))
        .collect();
    let short_months: Vec<String> = r
        .months
        .iter()
        .map(|mo| crate::tenant::dates::short_month_year(mo.year, mo.month, w.lang))
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
        chart: Some(chart::lines(
            &short_months,
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
    // The breakdown charted: the one asked for, by service otherwise.
    let charted = query.group.unwrap_or(Dimension::Service);
    for (d, groups) in r.by.iter().filter(|(d, _)| query.shows(*d)) {
        let labels: Vec<String> = groups
            .iter()
            .map(|(k, _)| dimension_label(w, site, *d, k))
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
                    let [_, median, p90] = spread_cells(w, f.delay);
                    let [_, wmedian, _] = spread_cells(w, f.working_delay);
                    vec![
                        label.clone(),
                        f.received.to_string(),
                        f.closed.to_string(),
                        f.open.to_string(),
                        f.late.to_string(),
                        share(w, f),
                        median,
                        p90,
                        wmedian,
                    ]
                })
                .collect(),
            chart: (*d == charted && !groups.is_empty()).then(|| {
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
    for (id, dimension, groups) in [
        (
            "satisfaction-service",
            Dimension::Service,
            &r.satisfaction.by_service,
        ),
        (
            "satisfaction-department",
            Dimension::Department,
            &r.satisfaction.by_department,
        ),
    ] {
        if !query.shows(dimension) {
            continue;
        }
        let d = dimension.as_str();
        out.push(Table {
            id,
            title: m(&format!("bo.stats.satisfaction.{d}")),
            columns: vec![
                m(&format!("bo.stats.col.{d}")),
                m("bo.stats.col.answers"),
                m("bo.stats.col.satisfied"),
                m("bo.stats.col.overall"),
                m("bo.stats.col.delay-mark"),
                m("bo.stats.col.clarity"),
            ],
            rows: groups
                .iter()
                .map(|(key, s)| {
                    vec![
                        dimension_label(w, site, dimension, key),
                        s.answers.to_string(),
                        optional(w, s.satisfied),
                        optional(w, s.overall),
                        optional(w, s.delay),
                        optional(w, s.clarity),
                    ]
                })
                .collect(),
            chart: None,
        });
    }
    out.push(Table {
        id: "comments",
        title: m("bo.stats.comments"),
        columns: vec![
            m("bo.stats.col.service"),
            m("bo.stats.col.day"),
            m("bo.stats.col.comment"),
        ],
        rows: r
            .satisfaction
            .comments
            .iter()
            .map(|(service, day, text)| {
                vec![
                    service_name(w, site, service),
                    crate::tenant::dates::long_date(*day, w.lang),
                    text.clone(),
                ]
            })
            .collect(),
        chart: None,
    });
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
                    service_name(w, site, &wt.service),
                    step_name(site, &wt.service, &wt.step),
                    wt.count.to_string(),
                    wt.citizen.to_string(),
                    decimal(w, wt.days.mean),
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
                    service_name(w, site, service),
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
                row[0] = service_name(w, site, &row[0]);
                row
            })
            .collect(),
        chart: None,
    });
    out
}

/// The tables as plain text, for the text part of an e-mail: each title,
/// then its rows with their columns aligned.
pub fn plain_text(tables: &[Table]) -> String {
    let mut out = String::new();
    for t in tables {
        out.push_str(&t.title);
        out.push('\n');
        if t.rows.is_empty() {
            out.push_str("  —\n\n");
            continue;
        }
        let lines: Vec<&Vec<String>> = std::iter::once(&t.columns).chain(&t.rows).collect();
        let widths: Vec<usize> = (0..t.columns.len())
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l.get(i).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for line in lines {
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let pad = " ".repeat(w.saturating_sub(c.chars().count()));
                    if i == 0 {
                        format!("{c}{pad}")
                    } else {
                        format!("{pad}{c}")
                    }
                })
                .collect();
            out.push_str("  ");
            out.push_str(cells.join(" | ").trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The tables as an e-mail's HTML part carries them.
pub fn mail_tables(tables: &[Table]) -> Vec<crate::render::mail::MailTable<'_>> {
    tables
        .iter()
        .map(|t| crate::render::mail::MailTable {
            title: &t.title,
            columns: &t.columns,
            rows: &t.rows,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: Vec<Vec<&str>>) -> Table {
        Table {
            id: "service",
            title: "Par démarche".into(),
            columns: vec!["Démarche".into(), "Reçues".into()],
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(str::to_owned).collect())
                .collect(),
            chart: None,
        }
    }

    #[test]
    fn plain_text_aligns_names_left_and_figures_right() {
        let text = plain_text(&[
            table(vec![vec!["Voirie", "12"], vec!["Acte de naissance", "3"]]),
            table(vec![]),
        ]);
        assert_eq!(
            text,
            "Par démarche\n  Démarche          | Reçues\n  Voirie            |     12\n  Acte de naissance |      3\n\nPar démarche\n  —\n\n"
        );
    }

    #[test]
    fn mail_tables_escape_every_cell() {
        let t = table(vec![vec!["<script>alert(1)</script>", "1 & 2"]]);
        let html = crate::render::mail::html_with_tables(
            "Sujet",
            "Texte",
            &mail_tables(std::slice::from_ref(&t)),
            &crate::render::mail::Brand::default(),
            "fr",
        );
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("1 &amp; 2"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("<th scope=\"col\""));
    }
}
