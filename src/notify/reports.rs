//! The monthly reports of the statistics' saved queries: on the first days
//! of a month, each subscriber of a saved query is sent its figures for the
//! month just ended (the twelve months for a yearly query), as the
//! statistics page would show them to that agent — their departments only.
//!
//! A report is written here, whole, and queued with its subscription
//! marked as reported for the month in one transaction
//! (`QueryStore::queue_report`): a report goes once per subscriber and
//! month, whichever node writes it first, and the outbox sends it like any
//! other e-mail.

use super::brand;
use crate::core::saved_query::report_month;
use crate::core::stats::Period;
use crate::render::stats::{Wording, mail_tables, plain_text, tables};
use crate::store::{NewDelivery, QueuedReport, StoreError};
use crate::tenant::Site;
use crate::tenant::dates::{long_date, month_year};
use crate::tenant::templates;
use crate::usecases::App;
use crate::usecases::stats::report;

/// Agents read their messages in French, as the other agents' notices.
const LANG: &str = "fr";

/// Queues the reports due at the clock's "now"; how many.
pub async fn queue_reports(app: &App) -> Result<usize, StoreError> {
    let now = (app.clock)();
    let mut queued = 0;
    for site in app.all_sites().iter().filter(|s| s.enabled) {
        let today = now.to_zoned(site.tenant.time_zone.clone()).date();
        let month = report_month(today);
        let due = app.store.unreported(site.tenant.id, month.clone()).await?;
        if due.is_empty() {
            continue;
        }
        let queries = app.store.saved_queries(site.tenant.id).await?;
        let agents = app.store.agents(site.tenant.id).await?;
        for (id, login) in due {
            let Some(query) = queries.iter().find(|q| q.id == id) else {
                continue;
            };
            let Some(agent) = agents.iter().find(|a| a.agent.login == login) else {
                continue;
            };
            // Read with the subscriber's rights of today: one who left, lost
            // the right or the query's department, or has no address, gets
            // nothing (and gets it again once that is mended).
            let allowed = agent.agent.stats_departments();
            let reads = agent.active
                && agent.agent.sees_stats()
                && query.visible_to(&login, allowed.as_deref());
            let Some(address) = agent.email.clone().filter(|_| reads) else {
                continue;
            };
            let asked = query.query.clone().read_by(allowed.as_deref());
            let period = asked.period.reported(today);
            let figures = report(
                app,
                site,
                asked.departments(allowed.as_deref()),
                asked.service.as_deref(),
                period,
                today,
            )
            .await?;
            let Some(mail) = write(app, site, query, &asked, &figures, address) else {
                continue;
            };
            let report = QueuedReport {
                query_id: id,
                agent: login,
                month: month.clone(),
                mail,
            };
            if app.store.queue_report(site.tenant.id, report, now).await? {
                queued += 1;
            }
        }
    }
    Ok(queued)
}

/// The report's e-mail: the `stats-report` template's subject and text,
/// then the statistics page's tables.
fn write(
    app: &App,
    site: &Site,
    query: &crate::core::saved_query::SavedQuery,
    asked: &crate::core::saved_query::StatQuery,
    figures: &crate::usecases::stats::Report,
    address: String,
) -> Option<NewDelivery> {
    let look = site.look.get();
    let town = site.town_name();
    let public = app.message_url.trim_end_matches('/');
    let link = format!(
        "{public}/{}/backoffice/stats?{}&saved={}",
        site.tenant.slug,
        query.query.query_string(),
        query.id
    );
    let period = period_words(figures.period);
    let vars = [
        ("town", town.as_str()),
        ("query", query.name.as_str()),
        ("period", period.as_str()),
        ("link", link.as_str()),
    ];
    let brand = brand(&look, &town);
    let Some(rendered) = templates::render(
        &look.templates,
        None,
        None,
        "stats-report",
        &vars,
        &brand,
        LANG,
    ) else {
        tracing::error!(tenant = %site.tenant.slug, "no stats-report template: report dropped");
        return None;
    };
    let wording = Wording {
        look: &look,
        lang: LANG,
    };
    let tables = tables(&wording, site, figures, asked);
    let html = crate::render::mail::html_with_tables(
        &rendered.subject,
        &rendered.text,
        &mail_tables(&tables),
        &brand,
        LANG,
    );
    Some(NewDelivery {
        channel: "email",
        address,
        subject: Some(rendered.subject),
        body: format!("{}\n\n{}", rendered.text, plain_text(&tables).trim_end()),
        html: Some(html),
        has_secret: false,
        parts: None,
    })
}

/// "novembre 2026" for a whole month, "du 1er décembre 2025 au 30 novembre
/// 2026" otherwise.
fn period_words(p: Period) -> String {
    let whole_month = p.from.day() == 1
        && p.from.year() == p.to.year()
        && p.from.month() == p.to.month()
        && p.to.tomorrow().is_ok_and(|d| d.day() == 1);
    if whole_month {
        month_year(p.from.year(), p.from.month(), LANG)
    } else {
        format!(
            "du {} au {}",
            long_date(p.from, LANG),
            long_date(p.to, LANG)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_a_month_or_two_dates_in_words() {
        let p = |a: &str, b: &str| Period {
            from: a.parse().unwrap(),
            to: b.parse().unwrap(),
        };
        assert_eq!(period_words(p("2026-11-01", "2026-11-30")), "novembre 2026");
        assert_eq!(period_words(p("2026-02-01", "2026-02-28")), "février 2026");
        assert_eq!(
            period_words(p("2025-12-01", "2026-11-30")),
            "du 1er décembre 2025 au 30 novembre 2026"
        );
        assert_eq!(
            period_words(p("2026-11-01", "2026-11-15")),
            "du 1er novembre 2026 au 15 novembre 2026"
        );
    }
}
