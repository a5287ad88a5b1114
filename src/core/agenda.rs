//! Appointment agendas: the opening hours a department publishes, the slots
//! they offer on a day, and which of them are still free.
//!
//! A slot starts at the beginning of an opening range and every `minutes`
//! after, and ends within the range. No slot on a public holiday or a day
//! the agenda is closed. `desks` appointments may overlap (two counters).

use super::calendar;
use jiff::civil::{Date, Time, Weekday};

/// What an agenda publishes: opening ranges per day of the week, how many
/// appointments at once, days closed besides public holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    /// Monday first.
    pub week: [Vec<(Time, Time)>; 7],
    pub desks: u32,
    pub closed: Vec<Date>,
}

/// Day names as written in definitions and settings, Monday first.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(d: Weekday) -> usize {
    usize::try_from(d.to_monday_zero_offset()).unwrap_or(0)
}

/// A time of day written `HH:MM`.
pub fn clock(text: &str) -> Result<Time, String> {
    let (h, m) = text
        .split_once(':')
        .filter(|(h, m)| h.len() == 2 && m.len() == 2)
        .ok_or_else(|| format!("{text:?}: write a time as HH:MM"))?;
    let (h, m): (i8, i8) = (
        h.parse()
            .map_err(|_| format!("{text:?}: write a time as HH:MM"))?,
        m.parse()
            .map_err(|_| format!("{text:?}: write a time as HH:MM"))?,
    );
    Time::new(h, m, 0, 0).map_err(|_| format!("{text:?}: not a time of day"))
}

impl Hours {
    /// No opening at all (one desk).
    pub fn closed() -> Hours {
        Hours {
            week: Default::default(),
            desks: 1,
            closed: Vec::new(),
        }
    }

    /// Opens `days` (`mon tue …`) from `from` to `to` (`HH:MM`).
    pub fn open(&mut self, days: &str, from: &str, to: &str) -> Result<(), String> {
        let (from, to) = (clock(from)?, clock(to)?);
        if from >= to {
            return Err(format!(
                "{} to {}: a range ends after it starts",
                short(from),
                short(to)
            ));
        }
        let mut any = false;
        for day in days.split_whitespace() {
            let i = DAYS
                .iter()
                .position(|d| *d == day)
                .ok_or_else(|| format!("{day:?}: a day is one of {}", DAYS.join(" ")))?;
            if self.week[i].iter().any(|(f, t)| *f < to && from < *t) {
                return Err(format!("{day}: ranges overlap"));
            }
            self.week[i].push((from, to));
            self.week[i].sort();
            any = true;
        }
        if any {
            Ok(())
        } else {
            Err("no day given".into())
        }
    }

    /// A settings line: days then ranges, `mon tue wed 08:30-12:00 13:30-17:00`.
    pub fn open_line(&mut self, line: &str) -> Result<(), String> {
        let (days, ranges): (Vec<&str>, Vec<&str>) =
            line.split_whitespace().partition(|w| !w.contains('-'));
        if ranges.is_empty() {
            return Err(format!(
                "{line:?}: give ranges like 08:30-12:00 after the days"
            ));
        }
        for range in ranges {
            let (from, to) = range
                .split_once('-')
                .ok_or_else(|| format!("{range:?}: write a range as 08:30-12:00"))?;
            self.open(&days.join(" "), from, to)?;
        }
        Ok(())
    }

    /// Whether it receives on `day`.
    pub fn is_open(&self, day: Date) -> bool {
        !self.week[day_index(day.weekday())].is_empty()
            && !calendar::is_public_holiday(day)
            && !self.closed.contains(&day)
    }

    /// The slots it offers on `day`, `minutes` long, in time order.
    pub fn offered(&self, day: Date, minutes: u32) -> Vec<(Time, Time)> {
        let mut slots = Vec::new();
        if !self.is_open(day) || minutes == 0 {
            return slots;
        }
        let step = jiff::SignedDuration::from_mins(i64::from(minutes));
        for (from, to) in &self.week[day_index(day.weekday())] {
            let mut start = *from;
            while let Ok(end) = start.checked_add(step) {
                if end > *to || end <= start {
                    break;
                }
                slots.push((start, end));
                start = end;
            }
        }
        slots
    }

    /// The slots still free on `day` when `taken` are held: fewer than
    /// `desks` of them overlap it.
    pub fn free(&self, day: Date, minutes: u32, taken: &[(Time, Time)]) -> Vec<(Time, Time)> {
        let desks = usize::try_from(self.desks.max(1)).unwrap_or(1);
        self.offered(day, minutes)
            .into_iter()
            .filter(|(s, e)| taken.iter().filter(|(ts, te)| ts < e && s < te).count() < desks)
            .collect()
    }

    /// The offered slot starting at `time`, if any.
    pub fn slot_at(&self, day: Date, minutes: u32, time: Time) -> Option<(Time, Time)> {
        self.offered(day, minutes)
            .into_iter()
            .find(|(s, _)| *s == time)
    }

    /// The days it receives, in words (`lundi, mardi`), for messages.
    pub fn open_days(&self, lang: &str) -> String {
        (0..7)
            .filter(|i| !self.week[*i].is_empty())
            .map(|i| day_names(lang)[i])
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn day_names(lang: &str) -> [&'static str; 7] {
    if lang == "en" {
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ]
    } else {
        [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ]
    }
}

/// The name of `day`'s day of the week (`mardi`, `Tuesday`).
pub fn day_name(day: Date, lang: &str) -> &'static str {
    day_names(lang)[day_index(day.weekday())]
}

/// `HH:MM` of a time.
pub fn short(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn counter() -> Hours {
        let mut h = Hours::closed();
        h.open_line("mon tue wed thu fri 08:30-12:00 13:30-17:00")
            .unwrap();
        h.open_line("sat 09:00-12:00").unwrap();
        h
    }

    #[test]
    fn slots_start_at_each_range_and_end_within_it() {
        let h = counter();
        // Tuesday 8 December 2026.
        let slots = h.offered(date(2026, 12, 8), 20);
        assert_eq!(slots.first(), Some(&(time(8, 30, 0, 0), time(8, 50, 0, 0))));
        // 08:30 to 12:00 holds ten 20-minute slots, the last from 11:30 to 11:50.
        assert!(slots.contains(&(time(11, 30, 0, 0), time(11, 50, 0, 0))));
        assert!(!slots.iter().any(|(s, _)| *s == time(11, 50, 0, 0)));
        assert!(slots.contains(&(time(13, 30, 0, 0), time(13, 50, 0, 0))));
        assert_eq!(slots.len(), 10 + 10);
        assert_eq!(
            h.offered(date(2026, 12, 12), 20).len(),
            9,
            "Saturday morning"
        );
        assert!(h.offered(date(2026, 12, 13), 20).is_empty(), "Sunday");
    }

    #[test]
    fn no_slot_on_a_public_holiday_or_a_closed_day() {
        let mut h = counter();
        assert!(h.offered(date(2026, 12, 25), 20).is_empty(), "Christmas");
        assert!(h.offered(date(2027, 3, 29), 20).is_empty(), "Easter Monday");
        h.closed.push(date(2026, 12, 24));
        assert!(!h.is_open(date(2026, 12, 24)));
        assert_eq!(
            h.open_days("fr"),
            "lundi, mardi, mercredi, jeudi, vendredi, samedi"
        );
    }

    #[test]
    fn a_slot_is_free_while_fewer_than_the_desks_hold_it() {
        let mut h = counter();
        let day = date(2026, 12, 8);
        let taken = [(time(8, 30, 0, 0), time(8, 50, 0, 0))];
        assert!(
            !h.free(day, 20, &taken)
                .iter()
                .any(|(s, _)| *s == time(8, 30, 0, 0))
        );
        // A 30-minute appointment at 08:30 overlaps the 08:50 slot too.
        let longer = [(time(8, 30, 0, 0), time(9, 0, 0, 0))];
        let free = h.free(day, 20, &longer);
        assert_eq!(free.first(), Some(&(time(9, 10, 0, 0), time(9, 30, 0, 0))));
        h.desks = 2;
        assert!(
            h.free(day, 20, &taken)
                .iter()
                .any(|(s, _)| *s == time(8, 30, 0, 0))
        );
        assert_eq!(h.slot_at(day, 20, time(8, 40, 0, 0)), None, "not aligned");
    }

    #[test]
    fn bad_hours_are_refused_with_the_reason() {
        let mut h = Hours::closed();
        assert!(
            h.open_line("mon 12:00-08:00")
                .unwrap_err()
                .contains("ends after")
        );
        assert!(
            h.open_line("lundi 08:00-12:00")
                .unwrap_err()
                .contains("a day is one of")
        );
        assert!(h.open_line("mon 8h-12h").unwrap_err().contains("HH:MM"));
        assert!(h.open_line("mon").unwrap_err().contains("ranges"));
        h.open_line("mon 08:00-12:00").unwrap();
        assert!(
            h.open_line("mon 11:00-13:00")
                .unwrap_err()
                .contains("overlap")
        );
    }
}
