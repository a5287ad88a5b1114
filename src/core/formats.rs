//! Identifiers and codes of French administrative life, each read from what
//! a person types (spaces, lower case, a comma for decimals…) into its one
//! canonical form, or refused with the reason: SIREN and SIRET (Luhn key,
//! La Poste's own rule), IBAN (ISO 13616, mod 97) and BIC (ISO 9362),
//! amounts in euros, ISO 3166-1 country codes, cadastral parcels, partial
//! dates of civil status.
//!
//! Pure functions: `core::forms` turns a refusal into a field's error.

use super::countries;
use jiff::civil::Date;

/// What SOAP clients are told each type looks like (XSD patterns, also
/// valid Rust regexes): the canonical form, with the spaces people put
/// between groups where that is usual. The parsers below accept more.
pub const SIREN_PATTERN: &str = "[0-9]{3} ?[0-9]{3} ?[0-9]{3}";
pub const SIRET_PATTERN: &str = "[0-9]{3} ?[0-9]{3} ?[0-9]{3} ?[0-9]{5}";
pub const IBAN_PATTERN: &str = "[A-Za-z]{2}[0-9]{2}( ?[A-Za-z0-9]){11,30}";
pub const BIC_PATTERN: &str = "[A-Za-z]{6}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?";
pub const CADASTRAL_PARCEL_PATTERN: &str = "([0-9]{3} ?)?([A-Za-z]{1,2}|0[A-Za-z]) ?[0-9]{1,4}";
pub const PARTIAL_DATE_PATTERN: &str = "[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?";

/// Why a value is refused: `Format` when it is not shaped like one, `Check`
/// when it is shaped right but its check digits (or its date) are wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Format,
    Check,
}

/// Spaces a person may put between groups: space, non-breaking space,
/// narrow non-breaking space (what a word processor puts in `1 234`).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\t')
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !is_space(*c)).collect()
}

/// The Luhn key (ISO/IEC 7812): doubling every second digit from the
/// right, the sum is a multiple of 10. `digits` holds ASCII digits only.
pub fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

fn digits_of(text: &str, len: usize) -> Result<String, Refusal> {
    let s = without_spaces(text);
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(Refusal::Format)
    }
}

/// A SIREN (9 digits, Luhn key): `732 829 320` → `732829320`.
pub fn siren(text: &str) -> Result<String, Refusal> {
    let s = digits_of(text, 9)?;
    if luhn(&s) { Ok(s) } else { Err(Refusal::Check) }
}

/// La Poste's SIREN: its establishments are too many for the Luhn key's
/// establishment numbers, so INSEE checks their SIRETs by the sum of their
/// digits, a multiple of 5 — all but its head office's, which keeps Luhn.
const LA_POSTE_SIREN: &str = "356000000";
const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// A SIRET (14 digits: the SIREN and a 5-digit establishment number, Luhn
/// key over the 14; La Poste's by the sum of the digits, a multiple of 5).
pub fn siret(text: &str) -> Result<String, Refusal> {
    let s = digits_of(text, 14)?;
    let ok = if s.starts_with(LA_POSTE_SIREN) && s != LA_POSTE_HEAD_OFFICE {
        s.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5 == 0
    } else {
        luhn(&s)
    };
    if ok { Ok(s) } else { Err(Refusal::Check) }
}

/// IBAN lengths of the countries a French town's payers most often bank
/// in (SWIFT's IBAN registry); other countries get the general 15 to 34.
const IBAN_LENGTHS: [(&str, usize); 36] = [
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MA", 28),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
];

/// The length an IBAN of `country` has: the registry's, else 15 to 34.
pub fn iban_length(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .iter()
        .find(|(c, _)| *c == country)
        .map(|(_, n)| *n)
}

/// An IBAN (ISO 13616): two letters of country, two check digits, the
/// BBAN (letters and digits), of its country's length; moved and read as
/// a number (A = 10 … Z = 35), it leaves 1 modulo 97.
/// `fr76 3000 6000 0112 3456 7890 189` → `FR7630006000011234567890189`.
pub fn iban(text: &str) -> Result<String, Refusal> {
    let s = without_spaces(text).to_ascii_uppercase();
    let b = s.as_bytes();
    let shaped = b.len() >= 15
        && b.len() <= 34
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_alphanumeric);
    if !shaped {
        return Err(Refusal::Format);
    }
    if iban_length(&s[..2]).is_some_and(|n| n != b.len()) {
        return Err(Refusal::Format);
    }
    let mut rest: u32 = 0;
    for c in b[4..].iter().chain(&b[..4]) {
        rest = if c.is_ascii_digit() {
            (rest * 10 + u32::from(c - b'0')) % 97
        } else {
            (rest * 100 + u32::from(c - b'A') + 10) % 97
        };
    }
    if rest == 1 {
        Ok(s)
    } else {
        Err(Refusal::Check)
    }
}

/// A BIC (ISO 9362): 4 letters of bank, 2 of country, 2 letters or digits
/// of location, optionally 3 of branch. `bnpa fr pp xxx` → `BNPAFRPPXXX`.
pub fn bic(text: &str) -> Result<String, Refusal> {
    let s = without_spaces(text).to_ascii_uppercase();
    let b = s.as_bytes();
    let ok = matches!(b.len(), 8 | 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if ok { Ok(s) } else { Err(Refusal::Format) }
}

/// An amount in euros, at most 2 decimals, never negative: `1 234,5 €`
/// (spaces or non-breaking spaces between thousands, a comma or a point,
/// the euro sign before or after) → `1234.50`.
pub fn amount(text: &str) -> Result<String, Refusal> {
    let t = text.trim_matches(|c: char| is_space(c) || c == '€');
    let t = t.strip_prefix("EUR").unwrap_or(t);
    let t = t.strip_suffix("EUR").unwrap_or(t);
    let t = t.trim_matches(|c: char| is_space(c) || c == '€');
    let (int, frac) = match t.find([',', '.']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    // Groups of thousands: the first of 1 to 3 digits, the others of 3.
    let groups: Vec<&str> = int.split(is_space).collect();
    let grouped =
        groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let int: String = groups.concat();
    if !grouped
        || !digits(&int)
        || !digits(frac)
        || (int.is_empty() && frac.is_empty())
        || (t.contains([',', '.']) && frac.is_empty())
    {
        return Err(Refusal::Format);
    }
    if frac.len() > 2 {
        return Err(Refusal::Check);
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    Ok(format!("{int}.{frac:0<2}"))
}

/// An ISO 3166-1 alpha-2 code among the countries' list: `fr` → `FR`.
pub fn country(text: &str) -> Result<String, Refusal> {
    let s = text.trim().to_ascii_uppercase();
    if countries::name(&s).is_some() {
        Ok(s)
    } else {
        Err(Refusal::Format)
    }
}

/// A cadastral parcel: an optional 3-digit prefix (a former commune's,
/// 000 by default), a section of one or two letters (or 0 and a letter),
/// a plan number of 1 to 4 digits (not 0). `ab 123` → `000AB0123`,
/// `a 12` → `0000A0012`.
pub fn cadastral_parcel(text: &str) -> Result<String, Refusal> {
    let s: String = text
        .chars()
        .filter(|c| !is_space(*c) && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let b = s.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    // A leading "0" before the section's letter belongs to the section
    // when no 3-digit prefix precedes it (`0A12`, `1230A12`).
    let (prefix, rest) = match lead {
        0 => ("000", &s[..]),
        1 => ("000", &s[..]),
        3 => (&s[..3], &s[3..]),
        4 => (&s[..3], &s[3..]),
        _ => return Err(Refusal::Format),
    };
    let r = rest.as_bytes();
    let section_len = match r {
        [b'0', l, ..] if l.is_ascii_uppercase() => 2,
        [a, l, ..] if a.is_ascii_uppercase() && l.is_ascii_uppercase() => 2,
        [a, ..] if a.is_ascii_uppercase() => 1,
        _ => return Err(Refusal::Format),
    };
    let (section, number) = rest.split_at(section_len);
    if number.is_empty() || number.len() > 4 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::Format);
    }
    let n: u32 = number.parse().map_err(|_| Refusal::Format)?;
    if n == 0 {
        return Err(Refusal::Format);
    }
    Ok(format!("{prefix}{section:0>2}{n:04}"))
}

/// A date as old certificates give it: a year, a month and year, or a full
/// date, in ISO (`1912`, `1912-03`, `1912-03-12`) or French (`03/1912`,
/// `12/03/1912`) form, never after `today`; canonical is the ISO form of
/// what was given. `Check` when it does not exist or is in the future.
pub fn partial_date(text: &str, today: Date) -> Result<String, Refusal> {
    let t = text.trim();
    let num = |s: &str, max_len: usize| -> Option<i16> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let year = |s: &str| (s.len() == 4).then(|| num(s, 4)).flatten();
    let parts: (Option<i16>, Option<i16>, Option<i16>) = if t.contains('/') {
        match t.split('/').collect::<Vec<_>>().as_slice() {
            [m, y] => (year(y), Some(num(m, 2).ok_or(Refusal::Format)?), None),
            [d, m, y] => (
                year(y),
                Some(num(m, 2).ok_or(Refusal::Format)?),
                Some(num(d, 2).ok_or(Refusal::Format)?),
            ),
            _ => return Err(Refusal::Format),
        }
    } else {
        let p: Vec<&str> = t.split('-').collect();
        let two = |s: &str| (s.len() == 2).then(|| num(s, 2)).flatten();
        match p.as_slice() {
            [y] => (year(y), None, None),
            [y, m] => (year(y), Some(two(m).ok_or(Refusal::Format)?), None),
            [y, m, d] => (
                year(y),
                Some(two(m).ok_or(Refusal::Format)?),
                Some(two(d).ok_or(Refusal::Format)?),
            ),
            _ => return Err(Refusal::Format),
        }
    };
    let (Some(y), m, d) = parts else {
        return Err(Refusal::Format);
    };
    if y == 0 {
        return Err(Refusal::Check);
    }
    // The first day of the period given must exist and not be after today.
    let first = Date::new(y, m.unwrap_or(1) as i8, d.unwrap_or(1) as i8);
    let Ok(first) = first else {
        return Err(Refusal::Check);
    };
    if m.is_some_and(|m| !(1..=12).contains(&m)) || first > today {
        return Err(Refusal::Check);
    }
    Ok(match (m, d) {
        (None, _) => format!("{y:04}"),
        (Some(m), None) => format!("{y:04}-{m:02}"),
        (Some(_), Some(_)) => first.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Refusal::*;

    #[test]
    fn canonical_forms_match_the_patterns_clients_are_given() {
        let m = |p: &str, v: &str| {
            regex::Regex::new(&format!("^(?:{p})$"))
                .unwrap()
                .is_match(v)
        };
        assert!(m(SIREN_PATTERN, "732829320") && m(SIREN_PATTERN, "732 829 320"));
        assert!(m(SIRET_PATTERN, "73282932000074") && m(SIRET_PATTERN, "732 829 320 00074"));
        assert!(m(IBAN_PATTERN, "FR7630006000011234567890189"));
        assert!(m(IBAN_PATTERN, "FR76 3000 6000 0112 3456 7890 189"));
        assert!(m(BIC_PATTERN, "BNPAFRPP") && m(BIC_PATTERN, "BNPAFRPPXXX"));
        assert!(
            m(CADASTRAL_PARCEL_PATTERN, "000AB0123") && m(CADASTRAL_PARCEL_PATTERN, "0000A0012")
        );
        assert!(m(CADASTRAL_PARCEL_PATTERN, "AB 123"));
        for d in ["1912", "1912-03", "1912-03-12"] {
            assert!(m(PARTIAL_DATE_PATTERN, d), "{d}");
        }
        assert!(!m(PARTIAL_DATE_PATTERN, "1912-13") && !m(SIRET_PATTERN, "7328293200007"));
    }

    #[test]
    fn luhn_sirens_and_sirets() {
        // Published numbers: Michelin's SIREN, La Poste's head office, the
        // French state's INSEE SIRET (Luhn), a La Poste establishment.
        assert_eq!(siren("732 829 320"), Ok("732829320".into()));
        assert_eq!(siren("552 100 554"), Ok("552100554".into()));
        assert_eq!(siren("732 829 321"), Err(Check));
        assert_eq!(siren("73282932"), Err(Format));
        assert_eq!(siren("73282932A"), Err(Format));
        assert_eq!(siret("732 829 320 00074"), Ok("73282932000074".into()));
        assert_eq!(siret("73282932000075"), Err(Check));
        assert_eq!(siret("7328293200007"), Err(Format));
        // La Poste: an establishment's digits sum to a multiple of 5
        // (3+5+6+1 = 15), whatever Luhn says; 3+5+6+1+4 = 19 is refused
        // though Luhn accepts it; the head office keeps Luhn.
        assert_eq!(siret("356 000 000 00001"), Ok("35600000000001".into()));
        assert!(!luhn("35600000000001"));
        assert_eq!(siret("35600000000014"), Err(Check));
        assert!(luhn("35600000000014"));
        assert_eq!(siret("356 000 000 00048"), Ok("35600000000048".into()));
        assert!(luhn("4970101122334455") && !luhn("4970101122334456"));
    }

    #[test]
    fn ibans_of_several_countries() {
        for (given, canonical) in [
            (
                "FR76 3000 6000 0112 3456 7890 189",
                "FR7630006000011234567890189",
            ),
            (
                "fr14 2004 1010 0505 0001 3m02 606",
                "FR1420041010050500013M02606",
            ),
            ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
            ("GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819"),
            ("BE68 5390 0754 7034", "BE68539007547034"),
            ("CH93 0076 2011 6238 5295 7", "CH9300762011623852957"),
            ("NL91ABNA0417164300", "NL91ABNA0417164300"),
        ] {
            assert_eq!(iban(given), Ok(canonical.into()), "{given}");
        }
        assert_eq!(iban("FR76 3000 6000 0112 3456 7890 188"), Err(Check));
        assert_eq!(iban("FR76 3000 6000 0112 3456 7890 18"), Err(Format));
        assert_eq!(iban("7630006000011234567890189"), Err(Format));
        assert_eq!(iban("FR76-3000"), Err(Format));
    }

    #[test]
    fn bics() {
        assert_eq!(bic("bnpa fr pp"), Ok("BNPAFRPP".into()));
        assert_eq!(bic("BNPAFRPPXXX"), Ok("BNPAFRPPXXX".into()));
        assert_eq!(bic("CEPAFRPP627"), Ok("CEPAFRPP627".into()));
        for bad in [
            "BNPAFRP",
            "BNPAFRPPXX",
            "BNP1FRPP",
            "BNPAF1PP",
            "BNPAFRPP-XX",
        ] {
            assert_eq!(bic(bad), Err(Format), "{bad}");
        }
    }

    #[test]
    fn amounts_in_euros() {
        for (given, canonical) in [
            ("1234.5", "1234.50"),
            ("1 234,50 €", "1234.50"),
            ("1\u{a0}234,5", "1234.50"),
            ("1\u{202f}000\u{202f}000", "1000000.00"),
            ("€12", "12.00"),
            ("0,99", "0.99"),
            (",5", "0.50"),
            ("007", "7.00"),
            ("30 EUR", "30.00"),
        ] {
            assert_eq!(amount(given), Ok(canonical.into()), "{given}");
        }
        assert_eq!(amount("12,345"), Err(Check));
        for bad in ["-5", "12 34", "1,2,3", "abc", "€", "12,", "1e3", "+5"] {
            assert_eq!(amount(bad), Err(Format), "{bad}");
        }
    }

    #[test]
    fn countries_by_code() {
        assert_eq!(country("fr"), Ok("FR".into()));
        assert_eq!(country(" DE "), Ok("DE".into()));
        assert_eq!(country("XX"), Err(Format));
        assert_eq!(country("FRA"), Err(Format));
    }

    #[test]
    fn cadastral_parcels() {
        for (given, canonical) in [
            ("AB 123", "000AB0123"),
            ("000 AB 0123", "000AB0123"),
            ("ab0123", "000AB0123"),
            ("A 12", "0000A0012"),
            ("0A 12", "0000A0012"),
            ("123 ZK 4", "123ZK0004"),
            ("123 0K 4", "1230K0004"),
            ("1230K4", "1230K0004"),
            ("302-B-1500", "3020B1500"),
        ] {
            assert_eq!(cadastral_parcel(given), Ok(canonical.into()), "{given}");
        }
        for bad in [
            "AB", "123", "AB 12345", "ABC 12", "12 AB 1", "AB 0", "1A 12", "é 12",
        ] {
            assert_eq!(cadastral_parcel(bad), Err(Format), "{bad}");
        }
    }

    #[test]
    fn partial_dates() {
        let today = jiff::civil::date(2026, 11, 22);
        for (given, canonical) in [
            ("1912", "1912"),
            ("1912-03", "1912-03"),
            ("1912-03-12", "1912-03-12"),
            ("03/1912", "1912-03"),
            ("3/1912", "1912-03"),
            ("12/03/1912", "1912-03-12"),
            ("1/3/1912", "1912-03-01"),
            ("2026-11", "2026-11"),
            ("1900-02-28", "1900-02-28"),
            ("2000-02-29", "2000-02-29"),
        ] {
            assert_eq!(partial_date(given, today), Ok(canonical.into()), "{given}");
        }
        for impossible in [
            "1912-02-30",
            "1900-02-29",
            "1912-13",
            "13/1912",
            "2027",
            "2026-12",
            "2026-11-23",
            "0000",
        ] {
            assert_eq!(partial_date(impossible, today), Err(Check), "{impossible}");
        }
        for bad in [
            "12",
            "1912-3",
            "1912/03",
            "19120312",
            "mars 1912",
            "",
            "1912-03-12-01",
            "12/03/12",
        ] {
            assert_eq!(partial_date(bad, today), Err(Format), "{bad}");
        }
    }
}
