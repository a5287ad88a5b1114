//! Statistics for managers: what a town's requests amount to over a period.
//!
//! Figures are computed from [`Fact`]s, one per request, which the store
//! reads from what it already keeps with each request (its service,
//! channel, department, the day it was received, its due date, its current
//! step and the day it entered it, which for a finished request is the day
//! it closed): no second bookkeeping that could drift from the history.
//! No I/O here, no clock: the caller says which days the period covers and
//! which day the figures are taken on.
//!
//! Definitions, the same for every figure and every grouping:
//! - *received*: submitted on a day of the period;
//! - *closed*: reached a final step on a day of the period;
//! - *open*: received on or before the period's last day and not closed by
//!   its end; *late*: open with its due date before the period's last day;
//! - *delay*: of a request closed in the period, the days from the day it
//!   was received to the day it closed, in calendar days and in working days
//!   (working days after the day received, up to and with the day closed:
//!   weekends and French public holidays do not count); mean, median and
//!   90th percentile by the nearest-rank method (the smallest delay that at
//!   least 90 % of the delays do not exceed);
//! - *within the deadline*: share of the requests closed in the period that
//!   closed on or before their due date.

use crate::core::calendar;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// One request, as statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub service: String,
    pub channel: String,
    pub department: String,
    /// The day it was received, in the town's time zone.
    pub received: Date,
    pub due: Date,
    /// Its current step.
    pub step: String,
    /// The day it entered its current step.
    pub entered: Date,
    /// Whether its current step is final (then `entered` is the day it closed).
    pub finished: bool,
    /// Waiting for the citizen.
    pub waiting: bool,
}

impl Fact {
    /// The day it closed, if it did.
    pub fn closed(&self) -> Option<Date> {
        self.finished.then_some(self.entered)
    }

    fn open_at(&self, day: Date) -> bool {
        self.received <= day && self.closed().is_none_or(|c| c > day)
    }
}

/// The days figures cover, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }

    /// The calendar months the period touches, as (year, month), in order.
    pub fn months(&self) -> Vec<(i16, i8)> {
        let mut months = Vec::new();
        let (mut y, mut m) = (self.from.year(), self.from.month());
        while (y, m) <= (self.to.year(), self.to.month()) {
            months.push((y, m));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        months
    }
}

/// Mean, median and 90th percentile of a list of delays, in days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub median: u32,
    pub p90: u32,
}

impl Spread {
    /// `None` for no delays at all.
    pub fn of(delays: &mut [u32]) -> Option<Spread> {
        if delays.is_empty() {
            return None;
        }
        delays.sort_unstable();
        let n = delays.len();
        let rank = |p: usize| delays[(p * n).div_ceil(100).max(1) - 1];
        Some(Spread {
            mean: delays.iter().map(|&d| f64::from(d)).sum::<f64>() / n as f64,
            median: rank(50),
            p90: rank(90),
        })
    }
}

/// The figures of a set of requests over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub received: u64,
    pub closed: u64,
    pub open: u64,
    pub late: u64,
    /// Closed in the period on or before their due date.
    pub within_deadline: u64,
    /// Delays of the requests closed in the period, in calendar days.
    pub delay: Option<Spread>,
    /// The same in working days.
    pub working_delay: Option<Spread>,
}

impl Figures {
    /// Share of the requests closed in the period that closed in time, in
    /// per cent; `None` when none closed.
    pub fn within_deadline_share(&self) -> Option<f64> {
        (self.closed > 0).then(|| 100.0 * self.within_deadline as f64 / self.closed as f64)
    }
}

/// Counts working days quickly over the days facts span: how many working
/// days lie after `a` up to and with `b`.
struct WorkingDays {
    first: Date,
    /// `counts[i]`: working days from `first` (excluded) to `first + i`.
    counts: Vec<u32>,
}

impl WorkingDays {
    fn new(first: Date, last: Date) -> WorkingDays {
        let mut counts = vec![0];
        let mut day = first;
        let mut n = 0;
        while day < last {
            let Ok(next) = day.tomorrow() else { break };
            day = next;
            n += u32::from(calendar::is_working_day(day));
            counts.push(n);
        }
        WorkingDays { first, counts }
    }

    fn index(&self, d: Date) -> usize {
        ((d - self.first).get_days().max(0) as usize).min(self.counts.len() - 1)
    }

    fn between(&self, a: Date, b: Date) -> u32 {
        self.counts[self.index(b)].saturating_sub(self.counts[self.index(a)])
    }
}

fn days_between(a: Date, b: Date) -> u32 {
    (b - a).get_days().max(0) as u32
}

/// The figures of `facts` over `period`.
pub fn figures<'a>(facts: impl IntoIterator<Item = &'a Fact>, period: Period) -> Figures {
    let facts: Vec<&Fact> = facts.into_iter().collect();
    let working = span(&facts).map(|(a, b)| WorkingDays::new(a, b));
    let mut f = Figures {
        received: 0,
        closed: 0,
        open: 0,
        late: 0,
        within_deadline: 0,
        delay: None,
        working_delay: None,
    };
    let (mut delays, mut working_delays) = (Vec::new(), Vec::new());
    for fact in facts {
        if period.contains(fact.received) {
            f.received += 1;
        }
        if let Some(closed) = fact.closed().filter(|c| period.contains(*c)) {
            f.closed += 1;
            f.within_deadline += u64::from(closed <= fact.due);
            delays.push(days_between(fact.received, closed));
            if let Some(w) = &working {
                working_delays.push(w.between(fact.received, closed));
            }
        }
        if fact.open_at(period.to) {
            f.open += 1;
            f.late += u64::from(fact.due < period.to);
        }
    }
    f.delay = Spread::of(&mut delays);
    f.working_delay = Spread::of(&mut working_delays);
    f
}

/// The first and last day the facts mention.
fn span(facts: &[&Fact]) -> Option<(Date, Date)> {
    let first = facts.iter().map(|f| f.received).min()?;
    let last = facts.iter().map(|f| f.entered.max(f.received)).max()?;
    Some((first, last))
}

/// What figures can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Service,
    Channel,
    Department,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [
        Dimension::Service,
        Dimension::Channel,
        Dimension::Department,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Service => "service",
            Dimension::Channel => "channel",
            Dimension::Department => "department",
        }
    }

    pub fn key(self, fact: &Fact) -> &str {
        match self {
            Dimension::Service => &fact.service,
            Dimension::Channel => &fact.channel,
            Dimension::Department => &fact.department,
        }
    }
}

/// The figures of each value of `dimension` (those with something to
/// show in the period), by value.
pub fn grouped(facts: &[Fact], period: Period, dimension: Dimension) -> Vec<(String, Figures)> {
    let mut groups: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
    for fact in facts {
        groups.entry(dimension.key(fact)).or_default().push(fact);
    }
    groups
        .into_iter()
        .map(|(key, facts)| (key.to_owned(), figures(facts, period)))
        .filter(|(_, f)| f.received + f.closed + f.open > 0)
        .collect()
}

/// Requests received and closed in one month of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i16,
    pub month: i8,
    pub received: u64,
    pub closed: u64,
}

/// Month by month over the period (its first and last months cut to it).
pub fn monthly(facts: &[Fact], period: Period) -> Vec<Month> {
    let mut months: Vec<Month> = period
        .months()
        .into_iter()
        .map(|(year, month)| Month {
            year,
            month,
            received: 0,
            closed: 0,
        })
        .collect();
    let (y, m) = (
        i32::from(period.from.year()),
        i32::from(period.from.month()),
    );
    let at = |d: Date| -> Option<usize> {
        period
            .contains(d)
            .then(|| ((i32::from(d.year()) - y) * 12 + i32::from(d.month()) - m) as usize)
    };
    for fact in facts {
        if let Some(i) = at(fact.received) {
            months[i].received += 1;
        }
        if let Some(i) = fact.closed().and_then(at) {
            months[i].closed += 1;
        }
    }
    months
}

/// Open requests at one step on a day: how many, and for how long they have
/// been there.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub service: String,
    pub step: String,
    pub count: u64,
    /// Of which waiting for the citizen.
    pub citizen: u64,
    /// Days since they entered the step.
    pub days: Spread,
    pub longest: u32,
}

/// The requests still open on `day` (received by then, not finished), by
/// service and current step, longest waits first. Only the current step is
/// known for each request, so `day` is the day the facts were read.
pub fn waiting(facts: &[Fact], day: Date) -> Vec<Waiting> {
    let mut groups: BTreeMap<(&str, &str), (u64, Vec<u32>)> = BTreeMap::new();
    for fact in facts.iter().filter(|f| !f.finished && f.received <= day) {
        let g = groups.entry((&fact.service, &fact.step)).or_default();
        g.0 += u64::from(fact.waiting);
        g.1.push(days_between(fact.entered, day));
    }
    let mut out: Vec<Waiting> = groups
        .into_iter()
        .filter_map(|((service, step), (citizen, mut days))| {
            let count = days.len() as u64;
            let spread = Spread::of(&mut days)?;
            Some(Waiting {
                service: service.to_owned(),
                step: step.to_owned(),
                count,
                citizen,
                longest: days.last().copied().unwrap_or(0),
                days: spread,
            })
        })
        .collect();
    out.sort_by(|a, b| b.longest.cmp(&a.longest).then(b.count.cmp(&a.count)));
    out
}

/// How the requests closed in the period ended: by service and final step
/// (a refusal's step names its reason), most frequent first.
pub fn outcomes(facts: &[Fact], period: Period) -> Vec<(String, String, u64)> {
    let mut counts: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for fact in facts {
        if fact.closed().is_some_and(|c| period.contains(c)) {
            *counts.entry((&fact.service, &fact.step)).or_default() += 1;
        }
    }
    let mut out: Vec<(String, String, u64)> = counts
        .into_iter()
        .map(|((service, step), n)| (service.to_owned(), step.to_owned(), n))
        .collect();
    out.sort_by_key(|o| std::cmp::Reverse(o.2));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn fact(received: Date, due: Date, closed: Option<Date>) -> Fact {
        Fact {
            service: "road-incident".into(),
            channel: "web".into(),
            department: "voirie".into(),
            received,
            due,
            step: if closed.is_some() { "repaired" } else { "new" }.into(),
            entered: closed.unwrap_or(received),
            finished: closed.is_some(),
            waiting: false,
        }
    }

    fn november() -> Period {
        Period {
            from: date(2026, 11, 1),
            to: date(2026, 11, 30),
        }
    }

    #[test]
    fn nearest_rank_percentiles_over_ten_delays() {
        let mut d: Vec<u32> = vec![10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
        let s = Spread::of(&mut d).unwrap();
        assert_eq!((s.median, s.p90), (5, 9));
        assert!((s.mean - 5.5).abs() < 1e-9);
        let mut one = vec![4];
        let s = Spread::of(&mut one).unwrap();
        assert_eq!((s.median, s.p90), (4, 4));
        assert!(Spread::of(&mut []).is_none());
    }

    #[test]
    fn counts_follow_the_period_and_late_is_open_past_due() {
        let facts = [
            // Received before, closed in November, in time.
            fact(
                date(2026, 10, 20),
                date(2026, 11, 5),
                Some(date(2026, 11, 3)),
            ),
            // Received and closed in November, late.
            fact(
                date(2026, 11, 2),
                date(2026, 11, 9),
                Some(date(2026, 11, 16)),
            ),
            // Received in November, still open, due passed: late.
            fact(date(2026, 11, 10), date(2026, 11, 20), None),
            // Received in November, open, not yet due.
            fact(date(2026, 11, 28), date(2026, 12, 10), None),
            // Closed in December: open at the end of November, and late.
            fact(
                date(2026, 11, 1),
                date(2026, 11, 15),
                Some(date(2026, 12, 2)),
            ),
            // Received after the period: nothing.
            fact(date(2026, 12, 1), date(2026, 12, 2), None),
        ];
        let f = figures(&facts, november());
        assert_eq!((f.received, f.closed, f.open, f.late), (4, 2, 3, 2));
        assert_eq!(f.within_deadline, 1);
        assert_eq!(f.within_deadline_share(), Some(50.0));
        let d = f.delay.unwrap();
        // 14 and 14 calendar days.
        assert_eq!((d.median, d.p90), (14, 14));
        // 20/10 (Tue) → 3/11 (Tue): 21–23, 26–30, 2–3 Nov = 10 working days,
        // All Saints' (Sunday 1 Nov) not counted; 2/11 → 16/11: 10 days,
        // 11 November (Wednesday, a holiday) not counted: 9.
        let w = f.working_delay.unwrap();
        assert_eq!((w.median, w.p90), (9, 10));
    }

    #[test]
    fn groups_and_months_add_up_to_the_whole() {
        let mut facts = vec![
            fact(date(2026, 1, 5), date(2026, 1, 20), Some(date(2026, 2, 2))),
            fact(date(2026, 2, 5), date(2026, 2, 20), Some(date(2026, 2, 6))),
            fact(date(2026, 3, 5), date(2026, 3, 20), None),
        ];
        facts[1].channel = "soap".into();
        let year = Period {
            from: date(2026, 1, 1),
            to: date(2026, 12, 31),
        };
        let by_channel = grouped(&facts, year, Dimension::Channel);
        assert_eq!(
            by_channel
                .iter()
                .map(|(k, f)| (k.as_str(), f.received))
                .collect::<Vec<_>>(),
            vec![("soap", 1), ("web", 2)]
        );
        let months = monthly(&facts, year);
        assert_eq!(months.len(), 12);
        assert_eq!(
            months[..3]
                .iter()
                .map(|m| (m.received, m.closed))
                .collect::<Vec<_>>(),
            vec![(1, 0), (1, 2), (1, 0)]
        );
        let whole = figures(&facts, year);
        assert_eq!(
            months.iter().map(|m| m.received).sum::<u64>(),
            whole.received
        );
        assert_eq!(months.iter().map(|m| m.closed).sum::<u64>(), whole.closed);
    }

    #[test]
    fn waiting_lists_open_requests_by_step_longest_first() {
        let mut facts = vec![
            fact(date(2026, 11, 1), date(2026, 11, 20), None),
            fact(date(2026, 11, 20), date(2026, 12, 20), None),
            fact(
                date(2026, 11, 2),
                date(2026, 11, 20),
                Some(date(2026, 11, 3)),
            ),
        ];
        facts[1].step = "checking".into();
        facts[1].waiting = true;
        let w = waiting(&facts, date(2026, 11, 30));
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].step.as_str(), w[0].longest), ("new", 29));
        assert_eq!(
            (w[1].step.as_str(), w[1].citizen, w[1].count),
            ("checking", 1, 1)
        );
        let o = outcomes(&facts, november());
        assert_eq!(o, vec![("road-incident".into(), "repaired".into(), 1)]);
    }
}
