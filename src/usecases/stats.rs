//! A town's statistics over a period, for the back office's page, its
//! exports and the reports sent to subscribers: the store's rows turned
//! into the core's facts in the town's time zone, then into figures.

use super::App;
use crate::core::catalogue::FieldType;
use crate::core::satisfaction::{self, Marks, Satisfaction};
use crate::core::stats::{
    self, Day, Dimension, Fact, Facts, Figures, Month, Name, Period, Waiting,
};
use crate::store::{StatRows, StoreError, TextQuery};
use crate::tenant::Site;
use jiff::civil::Date;
use std::collections::BTreeMap;

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
    /// The most frequent words of the free texts (long-text fields) of the
    /// requests received in the period, by service.
    pub words: Vec<(String, Vec<(String, u64)>)>,
    /// The answers to the satisfaction questionnaire given in the period.
    pub satisfaction: SatisfactionReport,
}

/// What the satisfaction questionnaires of a period say.
#[derive(Debug, Clone, Default)]
pub struct SatisfactionReport {
    pub whole: Satisfaction,
    pub by_service: Vec<(String, Satisfaction)>,
    pub by_department: Vec<(String, Satisfaction)>,
    /// The most recent comments, newest first: (service, day, comment).
    pub comments: Vec<(String, Date, String)>,
}

/// Comments shown at most.
pub const COMMENTS: usize = 20;

/// Words shown per service.
pub const WORDS: usize = 10;
/// Free texts read at most, the most recent ones.
pub const MOST_TEXTS: u32 = 20_000;

/// The report of `site` over `period`, of `departments` only when given
/// (an agent's statistics departments; `None` for all) and of one
/// `service` when given; the open requests' waits are counted up to
/// `today`.
pub async fn report(
    app: &App,
    site: &Site,
    departments: Option<Vec<String>>,
    service: Option<&str>,
    period: Period,
    today: Date,
) -> Result<Report, StoreError> {
    let zone = site.tenant.time_zone.clone();
    let since = period
        .from
        .to_zoned(zone.clone())
        .map_err(|e| StoreError::Invalid(format!("period start: {e}")))?
        .timestamp();
    let until = period
        .to
        .tomorrow()
        .and_then(|d| d.to_zoned(zone.clone()))
        .map_err(|e| StoreError::Invalid(format!("period end: {e}")))?
        .timestamp();
    let paths: Vec<(String, String)> = site
        .tenant
        .services
        .iter()
        .filter(|s| service.is_none_or(|code| s.code == code))
        .flat_map(|s| {
            s.fields
                .iter()
                .filter(|f| f.kind == FieldType::LongText)
                .map(|f| (s.code.clone(), f.name.clone()))
        })
        .collect();
    // The reads at once: they are independent, and the page waits for all.
    let (texts, rows, answers) = tokio::try_join!(
        app.store.free_texts(TextQuery {
            tenant_id: site.tenant.id,
            departments: departments.clone(),
            from: since,
            to: until,
            paths,
            limit: MOST_TEXTS,
        }),
        app.store
            .stat_rows(site.tenant.id, departments.clone(), since),
        app.store.survey_rows(
            site.tenant.id,
            departments,
            since.as_second(),
            until.as_second()
        ),
    )?;
    let mut by_service: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (service, text) in texts {
        by_service.entry(service).or_default().push(text);
    }
    let words = by_service
        .into_iter()
        .map(|(service, texts)| {
            let words = stats::frequent_words(texts.iter().map(String::as_str), WORDS);
            (service, words)
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let facts = facts(rows, &zone, site, service);
    Ok(Report {
        period,
        read: facts.len(),
        whole: facts.figures(period),
        by: facts.grouped_by(period, &dimensions(site)),
        months: facts.monthly(period),
        waiting: facts.waiting(today),
        outcomes: facts.outcomes(period),
        words,
        satisfaction: satisfaction_report(answers, service, &zone),
    })
}

/// What this town's figures can be grouped by: by district only when it
/// has places, by sector only when its districts have sectors.
pub fn dimensions(site: &Site) -> Vec<Dimension> {
    let places = site.look.get().places.clone();
    Dimension::ALL
        .into_iter()
        .filter(|d| match d {
            Dimension::District => !places.is_empty(),
            Dimension::Sector => !places.sectors().is_empty(),
            _ => true,
        })
        .collect()
}

fn satisfaction_report(
    mut answers: Vec<crate::store::SurveyRow>,
    service: Option<&str>,
    zone: &jiff::tz::TimeZone,
) -> SatisfactionReport {
    if let Some(code) = service {
        answers.retain(|a| a.marks.service == code);
    }
    let comments = answers
        .iter()
        .rev()
        .filter_map(|a| {
            let text = a.comment.as_ref()?;
            let day = jiff::Timestamp::from_second(a.answered_at)
                .ok()?
                .to_zoned(zone.clone())
                .date();
            Some((a.marks.service.clone(), day, text.clone()))
        })
        .take(COMMENTS)
        .collect();
    let marks: Vec<Marks> = answers.into_iter().map(|a| a.marks).collect();
    SatisfactionReport {
        whole: satisfaction::figures(&marks),
        by_service: satisfaction::grouped(&marks, |m| &m.service),
        by_department: satisfaction::grouped(&marks, |m| &m.department),
        comments,
    }
}

/// The store's rows as facts, their times turned into days of `zone`,
/// each with its service's theme (`""` for a service the town no longer
/// has); of one service only when given.
fn facts(
    mut rows: StatRows,
    zone: &jiff::tz::TimeZone,
    site: &Site,
    service: Option<&str>,
) -> Facts {
    if let Some(code) = service {
        let kept = (0..rows.names.len())
            .map(Name::nth)
            .find(|n| rows.names.get(*n) == code);
        rows.rows.retain(|r| Some(r.service_code) == kept);
    }
    let times = rows
        .rows
        .iter()
        .flat_map(|r| [r.submitted_at, r.entered_at]);
    let (first, last) = times.fold((i64::MAX, i64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    let days = LocalDays::new(zone, first, last);
    let names = &mut rows.names;
    let themes: Vec<Name> = (0..names.len())
        .map(|i| {
            let theme = site
                .tenant
                .service(names.get(Name::nth(i)))
                .map_or("", |s| s.theme.code.as_str())
                .to_owned();
            names.intern(&theme)
        })
        .collect();
    // The sector of each district as the town's places say now.
    let places = site.look.get().places.clone();
    let sectors: Vec<Name> = (0..names.len())
        .map(|i| {
            let sector = places
                .district(names.get(Name::nth(i)))
                .and_then(|d| d.sector.as_deref())
                .unwrap_or("")
                .to_owned();
            names.intern(&sector)
        })
        .collect();
    let facts = rows
        .rows
        .iter()
        .map(|r| Fact {
            service: r.service_code,
            theme: themes[r.service_code.index()],
            channel: r.channel,
            department: r.department,
            kind: r.kind,
            district: r.district,
            sector: sectors[r.district.index()],
            received: days.of(r.submitted_at),
            due: r.due_date,
            step: r.step,
            entered: days.of(r.entered_at),
            finished: r.finished,
            waiting: r.waiting,
        })
        .collect();
    Facts::new(rows.names, facts)
}

/// The day of a zone a Unix time falls on, for a million of them: the
/// zone's offsets between its transitions over the times read, looked up
/// instead of asking the zone each time.
struct LocalDays {
    /// (from, offset in seconds) in order; the first from is `i64::MIN`.
    offsets: Vec<(i64, i64)>,
}

impl LocalDays {
    fn new(zone: &jiff::tz::TimeZone, first: i64, last: i64) -> LocalDays {
        let at = |s: i64| jiff::Timestamp::from_second(s).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let start = at(first.min(last));
        let mut offsets = vec![(i64::MIN, i64::from(zone.to_offset(start).seconds()))];
        for t in zone.following(start) {
            let from = t.timestamp().as_second();
            if from > last {
                break;
            }
            offsets.push((from, i64::from(t.offset().seconds())));
        }
        LocalDays { offsets }
    }

    fn of(&self, seconds: i64) -> Day {
        let i = self.offsets.partition_point(|&(from, _)| from <= seconds);
        let offset = self.offsets[i.saturating_sub(1)].1;
        Day::of_unix_seconds(seconds + offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_days_follow_summer_time_like_the_zone() {
        let zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let from: jiff::Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        let to: jiff::Timestamp = "2026-12-31T00:00:00Z".parse().unwrap();
        let days = LocalDays::new(&zone, from.as_second(), to.as_second());
        assert!(days.offsets.len() >= 4);
        // Every half hour of two years, and around midnight at each offset.
        let mut s = from.as_second();
        while s <= to.as_second() {
            let expected = jiff::Timestamp::from_second(s)
                .unwrap()
                .to_zoned(zone.clone())
                .date();
            assert_eq!(days.of(s).date(), Some(expected), "at {s}");
            s += 1800;
        }
    }
}
