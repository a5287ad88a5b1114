//! Delays in calendar days or working days, with French public holidays.
//!
//! Working days are Monday to Friday, less the eleven public holidays of
//! metropolitan France: eight on fixed dates and three that follow Easter
//! (Easter Monday, Ascension Thursday, Whit Monday). Easter is computed with
//! the anonymous Gregorian algorithm (Meeus/Jones/Butcher).

use jiff::civil::{Date, Weekday, date};

/// How a service counts its delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DayCount {
    #[default]
    Calendar,
    /// Monday to Friday, public holidays excluded.
    Working,
}

impl DayCount {
    pub fn from_name(name: &str) -> Option<DayCount> {
        match name {
            "calendar" => Some(DayCount::Calendar),
            "working" => Some(DayCount::Working),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DayCount::Calendar => "calendar",
            DayCount::Working => "working",
        }
    }
}

/// Easter Sunday of a Gregorian year.
pub fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

/// Whether a day is a public holiday in metropolitan France.
pub fn is_public_holiday(d: Date) -> bool {
    let fixed = matches!(
        (d.month(), d.day()),
        (1, 1) | (5, 1) | (5, 8) | (7, 14) | (8, 15) | (11, 1) | (11, 11) | (12, 25)
    );
    if fixed {
        return true;
    }
    let easter = easter(d.year());
    [1, 39, 50].iter().any(|offset| {
        easter
            .checked_add(jiff::Span::new().days(*offset))
            .is_ok_and(|h| h == d)
    })
}

pub fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_public_holiday(d)
}

/// The day `days` days after `from`, counted as `count` says. In working
/// days, the result is always a working day (a delay of 0 from a Sunday ends
/// on the Monday).
pub fn add_days(from: Date, days: u32, count: DayCount) -> Date {
    match count {
        DayCount::Calendar => from
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .unwrap_or(from),
        DayCount::Working => {
            let mut d = from;
            let mut left = days;
            loop {
                if left == 0 && is_working_day(d) {
                    return d;
                }
                let Ok(next) = d.tomorrow() else { return d };
                d = next;
                if is_working_day(d) && left > 0 {
                    left -= 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_sundays() {
        for (y, m, d) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2000, 4, 23),
        ] {
            assert_eq!(easter(y), date(y, m, d), "{y}");
        }
    }

    #[test]
    fn french_public_holidays() {
        // 2026: Easter Monday 6 April, Ascension 14 May, Whit Monday 25 May.
        for (m, d) in [
            (1, 1),
            (4, 6),
            (5, 1),
            (5, 8),
            (5, 14),
            (5, 25),
            (7, 14),
            (8, 15),
            (11, 1),
            (11, 11),
            (12, 25),
        ] {
            assert!(is_public_holiday(date(2026, m, d)), "2026-{m}-{d}");
        }
        assert!(
            !is_public_holiday(date(2026, 4, 5)),
            "Easter Sunday is a Sunday anyway"
        );
        assert!(!is_public_holiday(date(2026, 12, 26)));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 6 November 2026 + 3 working days: Mon 9, Tue 10, Thu 12 (11th is a holiday).
        assert_eq!(
            add_days(date(2026, 11, 6), 3, DayCount::Working),
            date(2026, 11, 12)
        );
        // Christmas week: Thu 24 Dec + 2 → Mon 28, Tue 29.
        assert_eq!(
            add_days(date(2026, 12, 24), 2, DayCount::Working),
            date(2026, 12, 29)
        );
        // From a Sunday, 0 days is the Monday.
        assert_eq!(
            add_days(date(2026, 11, 22), 0, DayCount::Working),
            date(2026, 11, 23)
        );
        assert_eq!(
            add_days(date(2026, 11, 22), 10, DayCount::Calendar),
            date(2026, 12, 2)
        );
        // Ten working days from Sunday 22 November 2026: 23…27, 30, 1…4 December.
        assert_eq!(
            add_days(date(2026, 11, 22), 10, DayCount::Working),
            date(2026, 12, 4)
        );
    }
}
