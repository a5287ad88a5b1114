//! Dates as people and programs read them, the same in pages, e-mails,
//! SOAP answers and request files.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// `22 novembre 2026` / `22 November 2026`.
pub fn long_date(date: Date, lang: &str) -> String {
    const FR: [&str; 12] = [
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
    const EN: [&str; 12] = [
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
    let months = if lang == "en" { EN } else { FR };
    let day = if lang == "fr" && date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!(
        "{day} {} {}",
        months[date.month() as usize - 1],
        date.year()
    )
}

/// `xs:dateTime` with the tenant's offset, seconds precision.
pub fn xs_date_time(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}
