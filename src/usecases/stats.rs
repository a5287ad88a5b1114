//! A town's statistics over a period, for the back office's page, its
//! exports and the reports sent to subscribers: the store's rows turned
//! into the core's facts in the town's time zone, then into figures.

use super::App;
use crate::core::stats::{self, Dimension, Fact, Figures, Month, Period, Waiting};
use crate::store::{StatRow, StoreError};
use crate::tenant::Site;
use jiff::civil::Date;

/// Everything the statistics page shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    /// Requests read (open ones and those received or closed in the period).
    pub read: usize,
    pub whole: Figures,
    pub by: Vec<(Dimension, Vec<(String, Figures)>)>,
    pub months: Vec<Month>,
    pub waiting: Vec<Waiting>,
    /// (service, final step, count), most frequent first.
    pub outcomes: Vec<(String, String, u64)>,
}

/// The report of `site` over `period`, of `departments` only when given
/// (an agent's statistics departments; `None` for all); the open requests'
/// waits are counted up to `today`.
pub async fn report(
    app: &App,
    site: &Site,
    departments: Option<Vec<String>>,
    period: Period,
    today: Date,
) -> Result<Report, StoreError> {
    let zone = site.tenant.time_zone.clone();
    let since = period
        .from
        .to_zoned(zone.clone())
        .map_err(|e| StoreError::Invalid(format!("period start: {e}")))?
        .timestamp();
    let rows = app
        .store
        .stat_rows(site.tenant.id, departments, since)
        .await?;
    let facts: Vec<Fact> = rows.into_iter().map(|r| fact(r, &zone)).collect();
    Ok(Report {
        period,
        read: facts.len(),
        whole: stats::figures(&facts, period),
        by: Dimension::ALL
            .into_iter()
            .map(|d| (d, stats::grouped(&facts, period, d)))
            .collect(),
        months: stats::monthly(&facts, period),
        waiting: stats::waiting(&facts, today),
        outcomes: stats::outcomes(&facts, period),
    })
}

fn fact(r: StatRow, zone: &jiff::tz::TimeZone) -> Fact {
    let day = |t: jiff::Timestamp| t.to_zoned(zone.clone()).date();
    Fact {
        received: day(r.submitted_at),
        entered: day(r.entered_at),
        service: r.service_code,
        channel: r.channel,
        department: r.department,
        due: r.due_date,
        step: r.step,
        finished: r.finished,
        waiting: r.waiting,
    }
}
