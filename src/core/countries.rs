//! The countries of ISO 3166-1 (alpha-2 codes) with their French names,
//! kept as data in `reference/countries.tsv` (its source and date are at its
//! head) and compiled in. The form's select lists them by French name.

use std::sync::LazyLock;

const DATA: &str = include_str!("../../reference/countries.tsv");

/// Every `(code, French name)` pair, in the file's order (by code).
pub static ALL: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    DATA.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

/// The countries sorted by French name, accents folded (`Égypte` among
/// the E), as a select shows them.
pub static BY_NAME: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    let mut v = ALL.clone();
    v.sort_by_cached_key(|(_, name)| fold(name));
    v
});

/// The French name of an upper-case code, if the code is in the list.
pub fn name(code: &str) -> Option<&'static str> {
    ALL.binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| ALL[i].1)
}

/// A sort key: lower case, accents and the letters Å Ç Œ off their marks.
fn fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ÿ' => 'y',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_whole_sorted_and_unique() {
        assert_eq!(ALL.len(), 249);
        assert!(
            ALL.windows(2).all(|w| w[0].0 < w[1].0),
            "codes sorted, unique"
        );
        assert!(ALL.iter().all(|(c, n)| c.len() == 2
            && c.bytes().all(|b| b.is_ascii_uppercase())
            && !n.is_empty()));
        assert_eq!(name("FR"), Some("France"));
        assert_eq!(name("DE"), Some("Allemagne"));
        assert_eq!(name("XX"), None);
        let names: Vec<&str> = BY_NAME.iter().map(|(_, n)| *n).collect();
        let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
        assert!(at("Dominique") < at("Égypte") && at("Égypte") < at("Espagne"));
        assert_eq!(names[0], "Afghanistan");
    }
}
