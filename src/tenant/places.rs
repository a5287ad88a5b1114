//! A town's `places.toml`: its districts, the sector of each, their streets
//! and outlines, read into `core::places::Places` (which checks them).
//!
//! ```toml
//! [[district]]
//! code = "centre"
//! name = "Centre-ville"
//! sector = "nord"                       # optional
//! streets = ["rue de la République", "place de l'Église"]
//! outline = [[2.3522, 48.8566], [2.3600, 48.8566], [2.3600, 48.8600]]  # [longitude, latitude]…, optional
//! ```

use crate::core::places::{District, Places, PlacesError, Point};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    district: Vec<DistrictEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictEntry {
    code: String,
    name: String,
    sector: Option<String>,
    #[serde(default)]
    streets: Vec<String>,
    #[serde(default)]
    outline: Vec<[f64; 2]>,
}

/// The places a `places.toml` describes, or what is wrong with it (its
/// line for a syntax error).
pub fn parse(text: &str) -> Result<Places, PlacesError> {
    let file: File = toml::from_str(text).map_err(|e| PlacesError(format!("places.toml: {e}")))?;
    Places::new(
        file.district
            .into_iter()
            .map(|d| District {
                code: d.code,
                name: d.name,
                sector: d.sector.filter(|s| !s.trim().is_empty()),
                streets: d.streets,
                outline: d
                    .outline
                    .into_iter()
                    .map(|[lon, lat]| Point { lon, lat })
                    .collect(),
            })
            .collect(),
    )
    .map_err(|e| PlacesError(format!("places.toml: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_towns_places_are_read_with_their_streets_sectors_and_outlines() {
        let places = parse(
            r#"
            [[district]]
            code = "centre"
            name = "Centre-ville"
            sector = "nord"
            streets = ["rue de la République", "place de l'Église"]
            outline = [[2.0, 48.0], [2.01, 48.0], [2.01, 48.01], [2.0, 48.01]]

            [[district]]
            code = "gare"
            name = "Quartier de la gare"
            streets = ["avenue de la Gare"]
            "#,
        )
        .unwrap();
        assert_eq!(places.districts().len(), 2);
        let centre = places.district("centre").unwrap();
        assert_eq!(centre.sector.as_deref(), Some("nord"));
        assert_eq!(centre.outline.len(), 4);
        assert_eq!(
            places
                .district_of_street("8 av. de la gare")
                .map(|d| d.name.as_str()),
            Some("Quartier de la gare")
        );
        assert_eq!(
            places
                .district_at(Point {
                    lon: 2.005,
                    lat: 48.005
                })
                .map(|d| d.code.as_str()),
            Some("centre")
        );
        assert!(parse("").unwrap().districts().is_empty());
    }

    #[test]
    fn a_broken_file_says_where_and_why() {
        let e = parse("[[district]]\ncode = \"a\"\n").unwrap_err().0;
        assert!(e.contains("name"), "{e}");
        let e = parse("[[district]]\ncode = \"a\"\nname = \"A\"\ncolour = \"red\"\n")
            .unwrap_err()
            .0;
        assert!(e.contains("colour"), "{e}");
        let e = parse("[[district]]\ncode = \"a\"\nname = \"A\"\noutline = [[1.0]]\n")
            .unwrap_err()
            .0;
        assert!(e.starts_with("places.toml:"), "{e}");
        let e = parse(
            "[[district]]\ncode = \"a\"\nname = \"A\"\nstreets = [\"rue Haute\"]\n\
             [[district]]\ncode = \"b\"\nname = \"B\"\nstreets = [\"Rue haute\"]\n",
        )
        .unwrap_err()
        .0;
        assert!(e.contains("\"a\" and \"b\""), "{e}");
    }
}
