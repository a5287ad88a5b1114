//! The French communes (INSEE's Code officiel géographique, current
//! communes), kept as data in `reference/communes.tsv` — its source and
//! version are at its head, `scripts/communes.py` writes it — and compiled
//! in: what a `commune` field is checked against, the postal code and the
//! commune's name together.

use super::catalogue::search_key;
use std::sync::LazyLock;

const DATA: &str = include_str!("../../reference/communes.tsv");

/// A commune of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    /// INSEE code: `29019`, `2A004`, `97411`.
    pub code: &'static str,
    pub name: &'static str,
    pub postal_codes: Vec<&'static str>,
}

/// Every commune, by INSEE code.
pub static ALL: LazyLock<Vec<Commune>> = LazyLock::new(|| {
    DATA.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut parts = l.split('\t');
            let code = parts.next()?;
            let name = parts.next()?;
            let postal_codes = parts
                .next()
                .unwrap_or("")
                .split(',')
                .filter(|p| !p.is_empty())
                .collect();
            Some(Commune {
                code,
                name,
                postal_codes,
            })
        })
        .collect()
});

/// Each commune's name as searches compare it (see [`key`]), in [`ALL`]'s order.
static KEYS: LazyLock<Vec<String>> = LazyLock::new(|| ALL.iter().map(|c| key(c.name)).collect());

/// A name as typed and as listed meet: lower case, no accents, hyphens and
/// apostrophes as spaces, one space between words.
fn key(name: &str) -> String {
    search_key(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The commune with this INSEE code.
pub fn by_code(code: &str) -> Option<&'static Commune> {
    let code = code.to_ascii_uppercase();
    ALL.binary_search_by(|c| c.code.cmp(code.as_str()))
        .ok()
        .map(|i| &ALL[i])
}

/// Why a typed commune is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFound {
    /// No commune has this code or this name.
    Unknown,
    /// The commune exists, but not with this postal code.
    WrongPostalCode,
    /// Several communes have this name (or postal code): say which.
    Ambiguous(usize),
}

/// The commune someone typed: its INSEE code (`29019`), or its name with or
/// without its postal code in either order (`Brest 29200`, `29200 Brest`,
/// `Brest`), or a postal code alone when only one commune has it. Case,
/// accents, hyphens and apostrophes do not matter.
pub fn find(typed: &str) -> Result<&'static Commune, NotFound> {
    let typed = typed.trim();
    let is_code = typed.len() == 5 && typed.is_char_boundary(2) && {
        let (dep, rest) = typed.split_at(2);
        (dep.bytes().all(|b| b.is_ascii_digit())
            || dep.eq_ignore_ascii_case("2a")
            || dep.eq_ignore_ascii_case("2b"))
            && rest.bytes().all(|b| b.is_ascii_digit())
    };
    // Five digits alone may be an INSEE code or a postal code.
    if is_code {
        if let Some(c) = by_code(typed) {
            return Ok(c);
        }
    }
    let mut postal = None;
    let mut words = Vec::new();
    for word in typed.split_whitespace() {
        if postal.is_none() && word.len() == 5 && word.bytes().all(|b| b.is_ascii_digit()) {
            postal = Some(word);
        } else {
            words.push(word);
        }
    }
    let name = key(&words.join(" "));
    let named: Vec<&'static Commune> = if name.is_empty() {
        Vec::new()
    } else {
        ALL.iter()
            .zip(KEYS.iter())
            .filter(|(_, k)| **k == name)
            .map(|(c, _)| c)
            .collect()
    };
    let candidates: Vec<&'static Commune> = match (postal, name.is_empty()) {
        (Some(p), true) => ALL.iter().filter(|c| c.postal_codes.contains(&p)).collect(),
        (Some(p), false) => {
            let matching: Vec<_> = named
                .iter()
                .copied()
                .filter(|c| c.postal_codes.contains(&p))
                .collect();
            if matching.is_empty() && !named.is_empty() {
                return Err(NotFound::WrongPostalCode);
            }
            matching
        }
        (None, _) => named,
    };
    match candidates.len() {
        0 => Err(NotFound::Unknown),
        1 => Ok(candidates[0]),
        n => Err(NotFound::Ambiguous(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_unique_and_has_the_communes_of_france() {
        assert!(ALL.len() > 34_000, "{}", ALL.len());
        assert!(
            ALL.windows(2).all(|w| w[0].code < w[1].code),
            "sorted, unique"
        );
        assert_eq!(by_code("29019").unwrap().name, "Brest");
        assert_eq!(by_code("2a004").unwrap().name, "Ajaccio");
        assert!(by_code("97411").is_some(), "Saint-Denis (La Réunion)");
    }

    #[test]
    fn a_commune_is_found_by_code_or_name_and_postal_code() {
        let code = |typed: &str| find(typed).map(|c| c.code);
        assert_eq!(code("29019"), Ok("29019"));
        assert_eq!(code("Brest 29200"), Ok("29019"));
        assert_eq!(code("29200 brest"), Ok("29019"));
        assert_eq!(code("Quimperlé"), Ok("29233"));
        assert_eq!(code("quimperle 29300"), Ok("29233"));
        assert_eq!(code("Saint-Malo"), Ok("35288"));
        assert_eq!(code("saint malo 35400"), Ok("35288"));
        assert_eq!(code("Brest 75001"), Err(NotFound::WrongPostalCode));
        assert_eq!(code("Démoville"), Err(NotFound::Unknown));
        assert!(matches!(code("Saint-Denis"), Err(NotFound::Ambiguous(n)) if n > 2));
        assert_eq!(code("Saint-Denis 93200"), Ok("93066"));
        assert!(matches!(code("29200"), Ok("29019")), "one commune has it");
        assert!(matches!(code("75001"), Ok("75056")), "Paris");
    }
}
