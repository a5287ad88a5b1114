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
//!
//! A large town has a million requests a year, so facts are small (names
//! interned once in [`Names`], days as numbers in [`Day`]) and every figure
//! is one pass over them counting delays in per-day histograms, never a
//! copy or a sort of the requests.

use crate::core::calendar;
use jiff::civil::Date;
use std::collections::HashMap;

/// A service code, channel, department or step, interned in [`Names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(u32);

/// The names facts use, each kept once.
#[derive(Debug, Clone, Default)]
pub struct Names {
    list: Vec<String>,
    index: HashMap<String, Name>,
}

impl Name {
    /// The `i`-th name interned.
    pub fn nth(i: usize) -> Name {
        Name(i as u32)
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl Names {
    pub fn intern(&mut self, name: &str) -> Name {
        if let Some(&n) = self.index.get(name) {
            return n;
        }
        let n = Name(self.list.len() as u32);
        self.list.push(name.to_owned());
        self.index.insert(name.to_owned(), n);
        n
    }

    pub fn get(&self, name: Name) -> &str {
        &self.list[name.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// A day, as the number of days since 1 January 1970 (the proleptic
/// Gregorian calendar): differences and comparisons are integer ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(pub i32);

impl Day {
    /// The day of `y`-`m`-`d` (any valid Gregorian date).
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Day {
        // Days from civil, after Howard Hinnant's algorithm: years begin
        // on 1 March so that the leap day ends them.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400) as u32;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Day(era * 146_097 + doe as i32 - 719_468)
    }

    pub fn of(date: Date) -> Day {
        Day::from_ymd(
            i32::from(date.year()),
            date.month() as u32,
            date.day() as u32,
        )
    }

    /// The day a Unix time (seconds) falls on, at UTC offset zero.
    pub fn of_unix_seconds(seconds: i64) -> Day {
        Day(seconds.div_euclid(86_400) as i32)
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097) as u32;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe as i32 + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// The date, `None` outside the years jiff knows (-9999 to 9999).
    pub fn date(self) -> Option<Date> {
        let (y, m, d) = self.ymd();
        Date::new(i16::try_from(y).ok()?, m as i8, d as i8).ok()
    }

    fn days_since(self, earlier: Day) -> u32 {
        (self.0 - earlier.0).max(0) as u32
    }
}

/// One request, as statistics see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    pub service: Name,
    /// Its service's theme (the catalogue's code).
    pub theme: Name,
    pub channel: Name,
    pub department: Name,
    /// Who asked: `citizen`, `association`, `business`.
    pub kind: Name,
    /// The district of the town it is in (`""`: none).
    pub district: Name,
    /// The sector of that district (`""`: none).
    pub sector: Name,
    /// The day it was received, in the town's time zone.
    pub received: Day,
    pub due: Day,
    /// Its current step.
    pub step: Name,
    /// The day it entered its current step.
    pub entered: Day,
    /// Whether its current step is final (then `entered` is the day it closed).
    pub finished: bool,
    /// Waiting for the citizen.
    pub waiting: bool,
}

impl Fact {
    /// The day it closed, if it did.
    pub fn closed(&self) -> Option<Day> {
        self.finished.then_some(self.entered)
    }
}

/// The days figures cover, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
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

    fn days(&self) -> Days {
        Days {
            from: Day::of(self.from),
            to: Day::of(self.to),
        }
    }
}

/// A period in [`Day`]s.
#[derive(Debug, Clone, Copy)]
struct Days {
    from: Day,
    to: Day,
}

impl Days {
    fn contains(&self, day: Day) -> bool {
        self.from <= day && day <= self.to
    }
}

/// Mean, median and 90th percentile of a list of delays, in days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub median: u32,
    pub p90: u32,
}

/// How many delays of each length, in days: what a [`Spread`] is read
/// from without keeping or sorting the delays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    /// `counts[d]`: how many delays of `d` days.
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    pub fn add(&mut self, days: u32) {
        let i = days as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.total += 1;
    }

    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The longest delay, 0 when none.
    pub fn max(&self) -> u32 {
        self.counts.iter().rposition(|&c| c > 0).unwrap_or(0) as u32
    }

    /// The `k`-th smallest delay (1-based).
    fn nth(&self, k: u64) -> u32 {
        let mut seen = 0;
        for (d, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= k {
                return d as u32;
            }
        }
        self.max()
    }

    /// Mean, and median and 90th percentile by nearest rank; `None` for no
    /// delays at all.
    pub fn spread(&self) -> Option<Spread> {
        if self.total == 0 {
            return None;
        }
        let n = self.total;
        let rank = |p: u64| self.nth((p * n).div_ceil(100).max(1));
        let sum: f64 = self
            .counts
            .iter()
            .enumerate()
            .map(|(d, &c)| d as f64 * c as f64)
            .sum();
        Some(Spread {
            mean: sum / n as f64,
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

/// What [`Figures`] are counted in, one request at a time.
#[derive(Debug, Clone, Default)]
struct Tally {
    received: u64,
    closed: u64,
    open: u64,
    late: u64,
    within_deadline: u64,
    delays: Histogram,
    working_delays: Histogram,
}

/// What one fact adds to the tallies it belongs to in a period, worked
/// out once however many groupings count it.
#[derive(Clone, Copy)]
struct Share {
    received: bool,
    /// Closed in the period: within its deadline, its delays (calendar,
    /// working days).
    closed: Option<(bool, u32, u32)>,
    /// Still open at the period's end: whether late.
    open: Option<bool>,
}

impl Share {
    fn of(fact: &Fact, period: Days, working: &WorkingDays) -> Share {
        let mut share = Share {
            received: period.contains(fact.received),
            closed: None,
            open: None,
        };
        match fact.closed() {
            Some(closed) if period.contains(closed) => {
                share.closed = Some((
                    closed <= fact.due,
                    closed.days_since(fact.received),
                    working.between(fact.received, closed),
                ));
            }
            Some(closed) if closed <= period.to => {}
            _ if fact.received <= period.to => share.open = Some(fact.due < period.to),
            _ => {}
        }
        share
    }

    fn is_nothing(&self) -> bool {
        !self.received && self.closed.is_none() && self.open.is_none()
    }
}

impl Tally {
    fn add(&mut self, fact: &Fact, period: Days, working: &WorkingDays) {
        self.take(Share::of(fact, period, working));
    }

    fn take(&mut self, share: Share) {
        self.received += u64::from(share.received);
        if let Some((within, delay, working)) = share.closed {
            self.closed += 1;
            self.within_deadline += u64::from(within);
            self.delays.add(delay);
            self.working_delays.add(working);
        }
        if let Some(late) = share.open {
            self.open += 1;
            self.late += u64::from(late);
        }
    }

    fn shows_something(&self) -> bool {
        self.received + self.closed + self.open > 0
    }

    fn figures(&self) -> Figures {
        Figures {
            received: self.received,
            closed: self.closed,
            open: self.open,
            late: self.late,
            within_deadline: self.within_deadline,
            delay: self.delays.spread(),
            working_delay: self.working_delays.spread(),
        }
    }
}

/// Counts working days quickly over the days facts span: how many working
/// days lie after `a` up to and with `b`.
#[derive(Debug, Clone)]
struct WorkingDays {
    first: Day,
    /// `counts[i]`: working days from `first` (excluded) to `first + i`.
    counts: Vec<u32>,
}

impl WorkingDays {
    fn new(first: Day, last: Day) -> WorkingDays {
        let mut counts = Vec::with_capacity(last.days_since(first) as usize + 1);
        counts.push(0);
        let mut n = 0;
        for d in first.0 + 1..=last.0 {
            n += u32::from(Day(d).date().is_some_and(calendar::is_working_day));
            counts.push(n);
        }
        WorkingDays { first, counts }
    }

    fn index(&self, d: Day) -> usize {
        (d.days_since(self.first) as usize).min(self.counts.len() - 1)
    }

    fn between(&self, a: Day, b: Day) -> u32 {
        self.counts[self.index(b)].saturating_sub(self.counts[self.index(a)])
    }
}

/// The facts of a town's requests, with the names they use.
#[derive(Debug, Clone)]
pub struct Facts {
    pub names: Names,
    facts: Vec<Fact>,
    working: WorkingDays,
}

/// What figures can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Service,
    Theme,
    Channel,
    Department,
    /// The requester's kind.
    Kind,
    /// The district of the town (a town with places only).
    District,
    /// The sector of the district (a town whose districts have sectors).
    Sector,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Dimension::Service,
        Dimension::Theme,
        Dimension::Channel,
        Dimension::Department,
        Dimension::Kind,
        Dimension::District,
        Dimension::Sector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Service => "service",
            Dimension::Theme => "theme",
            Dimension::Channel => "channel",
            Dimension::Department => "department",
            Dimension::Kind => "kind",
            Dimension::District => "district",
            Dimension::Sector => "sector",
        }
    }

    /// The dimension named `name` ([`Dimension::as_str`]).
    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == name)
    }

    pub fn key(self, fact: &Fact) -> Name {
        match self {
            Dimension::Service => fact.service,
            Dimension::Theme => fact.theme,
            Dimension::Channel => fact.channel,
            Dimension::Department => fact.department,
            Dimension::Kind => fact.kind,
            Dimension::District => fact.district,
            Dimension::Sector => fact.sector,
        }
    }
}

/// Requests received and closed in one month of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i16,
    pub month: i8,
    pub received: u64,
    pub closed: u64,
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

impl Facts {
    pub fn new(names: Names, facts: Vec<Fact>) -> Facts {
        let first = facts.iter().map(|f| f.received).min().unwrap_or(Day(0));
        let last = facts
            .iter()
            .map(|f| f.entered.max(f.received))
            .max()
            .unwrap_or(first);
        Facts {
            names,
            facts,
            working: WorkingDays::new(first, last),
        }
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Fact> {
        self.facts.iter()
    }

    /// The figures of all the facts over `period`.
    pub fn figures(&self, period: Period) -> Figures {
        let days = period.days();
        let mut tally = Tally::default();
        for fact in &self.facts {
            tally.add(fact, days, &self.working);
        }
        tally.figures()
    }

    /// The figures of each value of `dimension` (those with something to
    /// show in the period), by value.
    pub fn grouped(&self, period: Period, dimension: Dimension) -> Vec<(String, Figures)> {
        self.grouped_by(period, &[dimension])
            .pop()
            .map(|(_, g)| g)
            .unwrap_or_default()
    }

    /// [`Facts::grouped`] for each of `dimensions`, in one pass over the
    /// facts: each fact's share worked out once.
    pub fn grouped_by(
        &self,
        period: Period,
        dimensions: &[Dimension],
    ) -> Vec<(Dimension, Vec<(String, Figures)>)> {
        let days = period.days();
        let mut tallies: Vec<Vec<Option<Tally>>> =
            vec![vec![None; self.names.len()]; dimensions.len()];
        for fact in &self.facts {
            let share = Share::of(fact, days, &self.working);
            if share.is_nothing() {
                continue;
            }
            for (d, t) in dimensions.iter().zip(tallies.iter_mut()) {
                t[d.key(fact).0 as usize]
                    .get_or_insert_with(Tally::default)
                    .take(share);
            }
        }
        dimensions
            .iter()
            .zip(tallies)
            .map(|(d, t)| {
                let mut out: Vec<(String, Figures)> = t
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, t)| {
                        let t = t.filter(Tally::shows_something)?;
                        Some((self.names.get(Name(i as u32)).to_owned(), t.figures()))
                    })
                    .collect();
                out.sort_by(|a, b| a.0.cmp(&b.0));
                (*d, out)
            })
            .collect()
    }

    /// Month by month over the period (its first and last months cut to it).
    pub fn monthly(&self, period: Period) -> Vec<Month> {
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
        let days = period.days();
        let (y, m) = (
            i32::from(period.from.year()),
            i32::from(period.from.month()),
        );
        let at = |d: Day| -> Option<usize> {
            days.contains(d).then(|| {
                let (dy, dm, _) = d.ymd();
                ((dy - y) * 12 + dm as i32 - m) as usize
            })
        };
        for fact in &self.facts {
            if let Some(i) = at(fact.received) {
                months[i].received += 1;
            }
            if let Some(i) = fact.closed().and_then(at) {
                months[i].closed += 1;
            }
        }
        months
    }

    /// The requests still open on `day` (received by then, not finished),
    /// by service and current step, longest waits first. Only the current
    /// step is known for each request, so `day` is the day the facts were
    /// read.
    pub fn waiting(&self, day: Date) -> Vec<Waiting> {
        let day = Day::of(day);
        let mut groups: HashMap<(Name, Name), (u64, Histogram)> = HashMap::new();
        for fact in self
            .facts
            .iter()
            .filter(|f| !f.finished && f.received <= day)
        {
            let g = groups.entry((fact.service, fact.step)).or_default();
            g.0 += u64::from(fact.waiting);
            g.1.add(day.days_since(fact.entered));
        }
        let mut out: Vec<Waiting> = groups
            .into_iter()
            .filter_map(|((service, step), (citizen, days))| {
                Some(Waiting {
                    service: self.names.get(service).to_owned(),
                    step: self.names.get(step).to_owned(),
                    count: days.len(),
                    citizen,
                    longest: days.max(),
                    days: days.spread()?,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (b.longest, b.count)
                .cmp(&(a.longest, a.count))
                .then_with(|| (&a.service, &a.step).cmp(&(&b.service, &b.step)))
        });
        out
    }

    /// How the requests closed in the period ended: by service and final
    /// step (a refusal's step names its reason), most frequent first.
    pub fn outcomes(&self, period: Period) -> Vec<(String, String, u64)> {
        let days = period.days();
        let mut counts: HashMap<(Name, Name), u64> = HashMap::new();
        for fact in &self.facts {
            if fact.closed().is_some_and(|c| days.contains(c)) {
                *counts.entry((fact.service, fact.step)).or_default() += 1;
            }
        }
        let mut out: Vec<(String, String, u64)> = counts
            .into_iter()
            .map(|((service, step), n)| {
                (
                    self.names.get(service).to_owned(),
                    self.names.get(step).to_owned(),
                    n,
                )
            })
            .collect();
        out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
        out
    }
}

/// Words too common to say anything about a request, French and English.
const STOP_WORDS: &[&str] = &[
    "les",
    "des",
    "une",
    "est",
    "sont",
    "dans",
    "pour",
    "par",
    "sur",
    "avec",
    "sans",
    "sous",
    "aux",
    "que",
    "qui",
    "quoi",
    "dont",
    "mais",
    "donc",
    "car",
    "pas",
    "plus",
    "moins",
    "très",
    "trop",
    "tout",
    "tous",
    "toute",
    "toutes",
    "cette",
    "ces",
    "cet",
    "son",
    "sa",
    "ses",
    "leur",
    "leurs",
    "nos",
    "notre",
    "vos",
    "votre",
    "mon",
    "mes",
    "ma",
    "elle",
    "elles",
    "ils",
    "nous",
    "vous",
    "lui",
    "eux",
    "depuis",
    "devant",
    "derrière",
    "entre",
    "chez",
    "vers",
    "ont",
    "été",
    "être",
    "avoir",
    "fait",
    "faire",
    "ainsi",
    "aussi",
    "alors",
    "comme",
    "bien",
    "peu",
    "encore",
    "déjà",
    "même",
    "autre",
    "autres",
    "non",
    "oui",
    "une",
    "deux",
    "trois",
    "merci",
    "bonjour",
    "madame",
    "monsieur",
    "cordialement",
    "svp",
    "the",
    "and",
    "for",
    "with",
    "this",
    "that",
    "from",
    "are",
    "was",
    "there",
    "have",
    "has",
    "not",
    "you",
    "your",
    "our",
    "please",
];

/// The `n` most frequent words of `texts`, with how many times each comes:
/// words of three letters or more, in lower case, stop words and numbers
/// left out; most frequent first, then in alphabetical order.
pub fn frequent_words<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<(String, u64)> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for text in texts {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().count() < 3 || word.chars().all(|c| c.is_numeric()) {
                continue;
            }
            let word = word.to_lowercase();
            if STOP_WORDS.contains(&word.as_str()) {
                continue;
            }
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut words: Vec<(String, u64)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(n);
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Facts of road incidents received on the given days, due then, closed
    /// (repaired) on the day given if any; the channel of each is `web`.
    struct Town {
        names: Names,
        facts: Vec<Fact>,
    }

    impl Town {
        fn new() -> Town {
            Town {
                names: Names::default(),
                facts: Vec::new(),
            }
        }

        fn add(&mut self, received: Date, due: Date, closed: Option<Date>) -> &mut Fact {
            let mut n = |s: &str| self.names.intern(s);
            let fact = Fact {
                service: n("road-incident"),
                theme: n("vie-quotidienne"),
                channel: n("web"),
                department: n("voirie"),
                kind: n("citizen"),
                district: n(""),
                sector: n(""),
                received: Day::of(received),
                due: Day::of(due),
                step: n(if closed.is_some() { "repaired" } else { "new" }),
                entered: Day::of(closed.unwrap_or(received)),
                finished: closed.is_some(),
                waiting: false,
            };
            self.facts.push(fact);
            self.facts.last_mut().unwrap()
        }

        fn name(&mut self, s: &str) -> Name {
            self.names.intern(s)
        }

        fn facts(self) -> Facts {
            Facts::new(self.names, self.facts)
        }
    }

    fn november() -> Period {
        Period {
            from: date(2026, 11, 1),
            to: date(2026, 11, 30),
        }
    }

    #[test]
    fn days_are_counted_as_the_calendar_counts_them() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Day(0));
        assert_eq!(Day::of(date(2026, 11, 22)).0, 20_779);
        let mut day = date(1899, 12, 25);
        for _ in 0..100_000 {
            let d = Day::of(day);
            assert_eq!(d.date(), Some(day));
            assert_eq!(Day::of(day.tomorrow().unwrap()).0, d.0 + 1);
            day = day.tomorrow().unwrap();
        }
        assert_eq!(Day::of_unix_seconds(-1), Day(-1));
        assert_eq!(Day::of_unix_seconds(86_399), Day(0));
    }

    #[test]
    fn frequent_words_leave_out_the_small_the_common_and_numbers() {
        let texts = [
            "Nid-de-poule profond devant l'école, 30 cm",
            "NID de poule énorme devant la mairie",
            "Lampadaire éteint près de l'école depuis 3 jours",
        ];
        let words = frequent_words(texts, 4);
        let expected = [("nid", 2), ("poule", 2), ("école", 2), ("jours", 1)];
        assert_eq!(
            words,
            expected.map(|(w, n)| (w.to_owned(), n)).to_vec(),
            "\"devant\" and \"depuis\" are stop words, \"cm\" too short, 30 a number"
        );
    }

    #[test]
    fn nearest_rank_percentiles_over_ten_delays() {
        let mut h = Histogram::default();
        for d in [10, 1, 9, 2, 8, 3, 7, 4, 6, 5] {
            h.add(d);
        }
        let s = h.spread().unwrap();
        assert_eq!((s.median, s.p90), (5, 9));
        assert!((s.mean - 5.5).abs() < 1e-9);
        let mut one = Histogram::default();
        one.add(4);
        let s = one.spread().unwrap();
        assert_eq!((s.median, s.p90), (4, 4));
        assert!(Histogram::default().spread().is_none());
        // Nine of 1 day and one of 30: the 90th percentile is the ninth.
        let mut h = Histogram::default();
        for _ in 0..9 {
            h.add(1);
        }
        h.add(30);
        let s = h.spread().unwrap();
        assert_eq!((s.median, s.p90, h.max()), (1, 1, 30));
        assert!((s.mean - 3.9).abs() < 1e-9);
    }

    #[test]
    fn histograms_give_the_nearest_ranks_of_the_sorted_delays() {
        let mut seed: u64 = 42;
        for n in 1..200 {
            let mut delays = Vec::new();
            let mut h = Histogram::default();
            for _ in 0..n {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let d = (seed >> 33) as u32 % 60;
                delays.push(d);
                h.add(d);
            }
            delays.sort_unstable();
            let rank = |p: usize| delays[(p * delays.len()).div_ceil(100).max(1) - 1];
            let s = h.spread().unwrap();
            assert_eq!((s.median, s.p90), (rank(50), rank(90)), "{delays:?}");
            let mean = delays.iter().sum::<u32>() as f64 / delays.len() as f64;
            assert!((s.mean - mean).abs() < 1e-9);
            assert_eq!(h.max(), *delays.last().unwrap());
        }
    }

    #[test]
    fn counts_follow_the_period_and_late_is_open_past_due() {
        let mut town = Town::new();
        // Received before, closed in November, in time.
        town.add(
            date(2026, 10, 20),
            date(2026, 11, 5),
            Some(date(2026, 11, 3)),
        );
        // Received and closed in November, late.
        town.add(
            date(2026, 11, 2),
            date(2026, 11, 9),
            Some(date(2026, 11, 16)),
        );
        // Received in November, still open, due passed: late.
        town.add(date(2026, 11, 10), date(2026, 11, 20), None);
        // Received in November, open, not yet due.
        town.add(date(2026, 11, 28), date(2026, 12, 10), None);
        // Closed in December: open at the end of November, and late.
        town.add(
            date(2026, 11, 1),
            date(2026, 11, 15),
            Some(date(2026, 12, 2)),
        );
        // Received after the period: nothing.
        town.add(date(2026, 12, 1), date(2026, 12, 2), None);
        // Closed before the period: nothing.
        town.add(date(2026, 9, 1), date(2026, 9, 15), Some(date(2026, 10, 2)));
        let f = town.facts().figures(november());
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
        let mut town = Town::new();
        town.add(date(2026, 1, 5), date(2026, 1, 20), Some(date(2026, 2, 2)));
        let soap = town.name("soap");
        town.add(date(2026, 2, 5), date(2026, 2, 20), Some(date(2026, 2, 6)))
            .channel = soap;
        town.add(date(2026, 3, 5), date(2026, 3, 20), None);
        let facts = town.facts();
        let year = Period {
            from: date(2026, 1, 1),
            to: date(2026, 12, 31),
        };
        let by_channel = facts.grouped(year, Dimension::Channel);
        assert_eq!(
            by_channel
                .iter()
                .map(|(k, f)| (k.as_str(), f.received))
                .collect::<Vec<_>>(),
            vec![("soap", 1), ("web", 2)]
        );
        let months = facts.monthly(year);
        assert_eq!(months.len(), 12);
        assert_eq!(
            months[..3]
                .iter()
                .map(|m| (m.received, m.closed))
                .collect::<Vec<_>>(),
            vec![(1, 0), (1, 2), (1, 0)]
        );
        let whole = facts.figures(year);
        assert_eq!(
            months.iter().map(|m| m.received).sum::<u64>(),
            whole.received
        );
        assert_eq!(months.iter().map(|m| m.closed).sum::<u64>(), whole.closed);
    }

    #[test]
    fn waiting_lists_open_requests_by_step_longest_first() {
        let mut town = Town::new();
        town.add(date(2026, 11, 1), date(2026, 11, 20), None);
        let checking = town.name("checking");
        let f = town.add(date(2026, 11, 20), date(2026, 12, 20), None);
        f.step = checking;
        f.waiting = true;
        town.add(
            date(2026, 11, 2),
            date(2026, 11, 20),
            Some(date(2026, 11, 3)),
        );
        let facts = town.facts();
        let w = facts.waiting(date(2026, 11, 30));
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].step.as_str(), w[0].longest), ("new", 29));
        assert_eq!(
            (w[1].step.as_str(), w[1].citizen, w[1].count),
            ("checking", 1, 1)
        );
        let o = facts.outcomes(november());
        assert_eq!(o, vec![("road-incident".into(), "repaired".into(), 1)]);
    }
}
