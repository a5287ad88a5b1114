//! What the statistics page is asked for — a period, a department, a
//! service, a grouping — and the saved queries that keep such a choice
//! under a name, private to an agent or shared with a department, with the
//! agents who get its figures by e-mail every month.
//!
//! A query is written as the page's own query string (`period=year&…`):
//! that is what the page reads, what its links carry and what the store
//! keeps, so a saved query reopens as the very page it was saved from, with
//! the figures of the day.

use crate::core::stats::{Dimension, Period};
use jiff::civil::Date;

/// The period a query covers, relative to the day it is read on except for
/// a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    /// From the first of this month to today.
    Month,
    /// The whole of last month.
    LastMonth,
    /// The last twelve months, this one included.
    Year,
    /// Chosen days, first and last included.
    Range(Period),
}

impl PeriodChoice {
    /// The names the page offers, in its order.
    pub const NAMES: [&'static str; 4] = ["month", "last-month", "year", "range"];

    pub fn name(&self) -> &'static str {
        match self {
            PeriodChoice::Month => "month",
            PeriodChoice::LastMonth => "last-month",
            PeriodChoice::Year => "year",
            PeriodChoice::Range(_) => "range",
        }
    }

    /// The days covered when read on `today`.
    pub fn period(&self, today: Date) -> Period {
        let first = today.first_of_month();
        match self {
            PeriodChoice::Month => Period {
                from: first,
                to: today,
            },
            PeriodChoice::LastMonth => last_month(today),
            PeriodChoice::Year => Period {
                from: months_before(first, 11),
                to: today,
            },
            PeriodChoice::Range(p) => *p,
        }
    }

    /// The days a monthly report sent on `today` covers: the month just
    /// ended, or for the last twelve months the twelve that end with it.
    pub fn reported(&self, today: Date) -> Period {
        let last = last_month(today);
        match self {
            PeriodChoice::Year => Period {
                from: months_before(last.from, 11),
                to: last.to,
            },
            _ => last,
        }
    }
}

/// The whole of the month before `today`'s.
pub fn last_month(today: Date) -> Period {
    let first = today.first_of_month();
    let to = first.yesterday().unwrap_or(first);
    Period {
        from: to.first_of_month(),
        to,
    }
}

/// The month a report sent on `today` is about, as `YYYY-MM`: the one
/// before `today`'s. Reports are sent once per subscriber and month.
pub fn report_month(today: Date) -> String {
    let p = last_month(today);
    format!("{:04}-{:02}", p.from.year(), p.from.month())
}

fn months_before(first: Date, months: i64) -> Date {
    first
        .checked_sub(jiff::Span::new().months(months))
        .unwrap_or(first)
}

/// The longest range a query may cover, in days (ten years).
pub const LONGEST_RANGE: i32 = 3660;

/// What the statistics page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatQuery {
    pub period: PeriodChoice,
    /// One department's figures; all those the reader may see when `None`.
    pub department: Option<String>,
    /// One service's figures; every service when `None`.
    pub service: Option<String>,
    /// The one breakdown shown; all of them when `None`.
    pub group: Option<Dimension>,
}

impl Default for StatQuery {
    fn default() -> Self {
        StatQuery {
            period: PeriodChoice::Month,
            department: None,
            service: None,
            group: None,
        }
    }
}

/// A value of a query that cannot be read: the field, and the key of the
/// message that says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryError {
    pub field: &'static str,
    pub key: &'static str,
}

impl StatQuery {
    /// Reads a query from its parameters (`value(name)`, trimmed, `None`
    /// when absent or blank). An unknown period or grouping is the default
    /// one; a range whose days are missing, reversed or too long is an
    /// error, and the query falls back to this month.
    pub fn read(value: impl Fn(&str) -> Option<String>) -> (StatQuery, Option<QueryError>) {
        let mut query = StatQuery {
            department: value("department"),
            service: value("service"),
            group: value("group").as_deref().and_then(Dimension::parse),
            ..StatQuery::default()
        };
        let mut error = None;
        query.period = match value("period").as_deref() {
            Some("last-month") => PeriodChoice::LastMonth,
            Some("year") => PeriodChoice::Year,
            Some("range") => {
                let day = |name: &'static str| -> Result<Date, QueryError> {
                    value(name)
                        .and_then(|v| v.parse::<Date>().ok())
                        .ok_or(QueryError {
                            field: name,
                            key: "bo.stats.error.date",
                        })
                };
                match (day("from"), day("to")) {
                    (Ok(from), Ok(to)) if from > to => {
                        error = Some(QueryError {
                            field: "to",
                            key: "bo.stats.error.order",
                        });
                        PeriodChoice::Month
                    }
                    (Ok(from), Ok(to)) if (to - from).get_days() > LONGEST_RANGE => {
                        error = Some(QueryError {
                            field: "from",
                            key: "bo.stats.error.long",
                        });
                        PeriodChoice::Month
                    }
                    (Ok(from), Ok(to)) => PeriodChoice::Range(Period { from, to }),
                    (Err(e), _) | (_, Err(e)) => {
                        error = Some(e);
                        PeriodChoice::Month
                    }
                }
            }
            _ => PeriodChoice::Month,
        };
        (query, error)
    }

    /// Reads a query string as stored with a saved query.
    pub fn parse(text: &str) -> Result<StatQuery, QueryError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
            .collect();
        let (query, error) = StatQuery::read(|name| {
            pairs
                .iter()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| v.clone())
        });
        match error {
            Some(e) => Err(e),
            None => Ok(query),
        }
    }

    /// The query string that asks for the same figures; what
    /// [`StatQuery::parse`] reads back.
    pub fn query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("period", self.period.name());
        if let PeriodChoice::Range(p) = self.period {
            s.append_pair("from", &p.from.to_string());
            s.append_pair("to", &p.to.to_string());
        }
        if let Some(d) = &self.department {
            s.append_pair("department", d);
        }
        if let Some(service) = &self.service {
            s.append_pair("service", service);
        }
        if let Some(g) = self.group {
            s.append_pair("group", g.as_str());
        }
        s.finish()
    }

    /// The departments whose figures are shown: the one chosen, or all
    /// those `allowed` (`None`: every one).
    pub fn departments(&self, allowed: Option<&[String]>) -> Option<Vec<String>> {
        match &self.department {
            Some(d) => Some(vec![d.clone()]),
            None => allowed.map(<[String]>::to_vec),
        }
    }

    /// The query as a reader of `allowed` departments may have it: a
    /// department outside them left out (theirs are shown instead).
    pub fn read_by(mut self, allowed: Option<&[String]>) -> StatQuery {
        self.department = self.department.filter(|d| may_read(allowed, d));
        self
    }

    /// Whether the breakdown by `d` is shown.
    pub fn shows(&self, d: Dimension) -> bool {
        self.group.is_none_or(|g| g == d)
    }
}

/// Whether a reader of the statistics of `allowed` departments (every one
/// for `None`) may read `department`'s.
pub fn may_read(allowed: Option<&[String]>, department: &str) -> bool {
    allowed.is_none_or(|a| a.iter().any(|d| d == department))
}

/// A query kept under a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedQuery {
    pub id: i64,
    pub name: String,
    /// The login of the agent who saved it.
    pub owner: String,
    /// The department whose statistics readers see it too; `None`: its
    /// owner only.
    pub shared_with: Option<String>,
    pub query: StatQuery,
    /// The logins of the agents who get its figures every month.
    pub subscribers: Vec<String>,
}

impl SavedQuery {
    /// Whether an agent (`login`, reading the statistics of `allowed`
    /// departments, every one for `None`) sees it: its owner, or a reader of
    /// the department it is shared with.
    pub fn visible_to(&self, login: &str, allowed: Option<&[String]>) -> bool {
        self.owner == login
            || self
                .shared_with
                .as_ref()
                .is_some_and(|d| may_read(allowed, d))
    }

    /// Whether an agent may replace or remove it: its owner, or an
    /// administrator.
    pub fn editable_by(&self, login: &str, admin: bool) -> bool {
        admin || self.owner == login
    }
}

/// The longest name of a saved query, in characters.
pub const NAME_CHARS: usize = 80;

/// A saved query's name, trimmed, or the key of the message that says why
/// it cannot be one.
pub fn query_name(text: &str) -> Result<String, &'static str> {
    let name = text.trim();
    if name.is_empty() {
        return Err("bo.stats.saved.error.empty");
    }
    if name.chars().count() > NAME_CHARS || name.chars().any(char::is_control) {
        return Err("bo.stats.saved.error.name");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn read(pairs: &[(&str, &str)]) -> (StatQuery, Option<QueryError>) {
        StatQuery::read(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn periods_are_read_relative_to_the_day() {
        let today = date("2026-03-15");
        let p = |c: PeriodChoice| {
            let p = c.period(today);
            (p.from.to_string(), p.to.to_string())
        };
        assert_eq!(
            p(PeriodChoice::Month),
            ("2026-03-01".into(), "2026-03-15".into())
        );
        assert_eq!(
            p(PeriodChoice::LastMonth),
            ("2026-02-01".into(), "2026-02-28".into())
        );
        assert_eq!(
            p(PeriodChoice::Year),
            ("2025-04-01".into(), "2026-03-15".into())
        );
        // In January, last month is December of the year before.
        assert_eq!(
            last_month(date("2027-01-01")),
            Period {
                from: date("2026-12-01"),
                to: date("2026-12-31")
            }
        );
        assert_eq!(report_month(date("2027-01-01")), "2026-12");
        assert_eq!(report_month(date("2026-12-31")), "2026-11");
    }

    #[test]
    fn a_monthly_report_covers_the_month_just_ended_or_the_twelve_before() {
        let today = date("2026-12-01");
        let november = Period {
            from: date("2026-11-01"),
            to: date("2026-11-30"),
        };
        assert_eq!(PeriodChoice::Month.reported(today), november);
        assert_eq!(PeriodChoice::LastMonth.reported(today), november);
        assert_eq!(
            PeriodChoice::Range(Period {
                from: date("2020-01-01"),
                to: date("2020-02-01")
            })
            .reported(today),
            november
        );
        assert_eq!(
            PeriodChoice::Year.reported(today),
            Period {
                from: date("2025-12-01"),
                to: date("2026-11-30")
            }
        );
    }

    #[test]
    fn a_query_string_reads_back_as_the_same_query() {
        let queries = [
            StatQuery::default(),
            StatQuery {
                period: PeriodChoice::Range(Period {
                    from: date("2026-01-01"),
                    to: date("2026-06-30"),
                }),
                department: Some("état-civil & co".into()),
                service: Some("road-incident".into()),
                group: Some(Dimension::Channel),
            },
            StatQuery {
                period: PeriodChoice::Year,
                group: Some(Dimension::Theme),
                ..StatQuery::default()
            },
            StatQuery {
                period: PeriodChoice::LastMonth,
                ..StatQuery::default()
            },
        ];
        for q in queries {
            assert_eq!(StatQuery::parse(&q.query_string()), Ok(q.clone()), "{q:?}");
        }
    }

    #[test]
    fn a_bad_range_names_its_field_and_falls_back_to_this_month() {
        let (q, e) = read(&[
            ("period", "range"),
            ("from", "2026-05-01"),
            ("to", "2026-04-01"),
        ]);
        assert_eq!(q.period, PeriodChoice::Month);
        assert_eq!(e.map(|e| e.field), Some("to"));
        let (_, e) = read(&[("period", "range"), ("from", "hier"), ("to", "2026-04-01")]);
        assert_eq!(
            e.map(|e| (e.field, e.key)),
            Some(("from", "bo.stats.error.date"))
        );
        let (_, e) = read(&[
            ("period", "range"),
            ("from", "2000-01-01"),
            ("to", "2026-04-01"),
        ]);
        assert_eq!(e.map(|e| e.key), Some("bo.stats.error.long"));
        // Unknown periods and groupings are the defaults, not errors.
        let (q, e) = read(&[("period", "decade"), ("group", "colour")]);
        assert_eq!((q, e), (StatQuery::default(), None));
        assert!(StatQuery::parse("period=range&from=2026-01-01").is_err());
    }

    #[test]
    fn a_saved_query_is_seen_by_its_owner_and_the_readers_of_its_department() {
        let mut q = SavedQuery {
            id: 1,
            name: "Voirie".into(),
            owner: "paul".into(),
            shared_with: None,
            query: StatQuery::default(),
            subscribers: Vec::new(),
        };
        let voirie = ["voirie".to_owned()];
        assert!(q.visible_to("paul", Some(&[])));
        assert!(!q.visible_to("jean", Some(&voirie)));
        assert!(!q.visible_to("admin", None), "private is private");
        q.shared_with = Some("voirie".into());
        assert!(q.visible_to("jean", Some(&voirie)));
        assert!(q.visible_to("admin", None));
        assert!(!q.visible_to("marie", Some(&["etat-civil".to_owned()])));
        assert!(q.editable_by("paul", false) && q.editable_by("admin", true));
        assert!(!q.editable_by("jean", false));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(query_name("  Retards voirie "), Ok("Retards voirie".into()));
        assert!(query_name("   ").is_err());
        assert!(query_name(&"a".repeat(81)).is_err());
        assert!(query_name("a\u{7}b").is_err());
        assert_eq!(
            query_name(&"é".repeat(80)).map(|n| n.chars().count()),
            Ok(80)
        );
    }
}
