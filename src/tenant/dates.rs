//! Dates as people and programs read them, the same in pages, e-mails,
//! SOAP answers and request files.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The months' names, in French and in English.
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(month: i8, lang: &str) -> &'static str {
    let months = if lang == "en" { MONTHS_EN } else { MONTHS_FR };
    months[(month - 1).clamp(0, 11) as usize]
}

/// `novembre 2026` / `November 2026`.
pub fn month_year(year: i16, month: i8, lang: &str) -> String {
    format!("{} {year}", month_name(month, lang))
}

/// The months' usual abbreviations.
const SHORT_MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const SHORT_MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `nov. 2026` / `Nov 2026`: a month where room is short (a chart's axis).
pub fn short_month_year(year: i16, month: i8, lang: &str) -> String {
    let months = if lang == "en" {
        SHORT_MONTHS_EN
    } else {
        SHORT_MONTHS_FR
    };
    format!("{} {year}", months[(month - 1).clamp(0, 11) as usize])
}

/// `22 novembre 2026` / `22 November 2026`.
pub fn long_date(date: Date, lang: &str) -> String {
    let day = if lang == "fr" && date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!("{day} {} {}", month_name(date.month(), lang), date.year())
}

/// `xs:dateTime` with the tenant's offset, seconds precision.
pub fn xs_date_time(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}
