//! A town's `places.toml`: its districts, the sector of each, their streets
//! and outlines, read into `core::places::Places` (which checks them).
//!
//! ```toml
//! postal_codes = ["12345"]              # optional: an address elsewhere is in no district
//!
//! [[district]]
//! code = "centre"
//! name = "Centre-ville"
//! sector = "nord"                       # optional
//! streets = ["rue de la République", "place de l'Église"]
//! outline = [[2.3522, 48.8566], [2.3600, 48.8566], [2.3600, 48.8600]]  # [longitude, latitude]…, optional
//!
//! [[building]]                          # the town's public buildings, optional
//! code = "mairie"
//! name = "Hôtel de ville"
//! kind = "mairie"
//! at = [2.3530, 48.8570]                # [longitude, latitude]
//! ```
//!
//! An address without a point whose street line names a public building
//! ("devant le gymnase Léo-Lagrange") is placed at the building, in the
//! district its point is in.

use crate::core::places::{Building, District, Places, PlacesError, Point};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    postal_codes: Vec<String>,
    #[serde(default)]
    district: Vec<DistrictEntry>,
    #[serde(default)]
    building: Vec<BuildingEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildingEntry {
    code: String,
    name: String,
    #[serde(default)]
    kind: String,
    /// `[longitude, latitude]`.
    at: [f64; 2],
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
    .and_then(|places| places.with_postal_codes(file.postal_codes))
    .and_then(|places| {
        places.with_buildings(
            file.building
                .into_iter()
                .map(|b| Building {
                    code: b.code,
                    name: b.name,
                    kind: b.kind,
                    point: Point {
                        lon: b.at[0],
                        lat: b.at[1],
                    },
                })
                .collect(),
        )
    })
    .map_err(|e| PlacesError(format!("places.toml: {e}")))
}

/// The demo town's places (`DATA/tenants/demoville/places.toml`): four
/// districts in two sectors, their streets and outlines.
pub const DEMO_PLACES: &str = r##"# Places of the demo town: its districts, the sector of each, their streets
# and outlines ([longitude, latitude] points, WGS 84). A request is put in the
# district whose outline holds its address's point, else in the one of its
# street; an address with another postal code is in none. Edit and reload:
# no restart needed (requests already stored keep their district until
# `guichet places --tenant demoville` places them again).
postal_codes = ["59000"]

[[district]]
code = "centre"
name = "Centre-ville"
sector = "Nord"
streets = ["place de la Mairie", "rue de la République", "rue Nationale", "place de l'Église", "rue des Halles"]
outline = [[3.040, 50.630], [3.060, 50.630], [3.061, 50.641], [3.058, 50.650], [3.040, 50.650]]

[[district]]
code = "gare"
name = "Quartier de la Gare"
sector = "Nord"
streets = ["avenue de la Gare", "boulevard Carnot", "rue du Faubourg", "rue Jean-Jaurès"]
outline = [[3.060, 50.630], [3.080, 50.630], [3.080, 50.650], [3.058, 50.650], [3.061, 50.641]]

[[district]]
code = "les-pres"
name = "Les Prés"
sector = "Sud"
streets = ["chemin des Prés", "rue Victor-Hugo", "allée des Tilleuls", "rue de la Fontaine"]
outline = [[3.040, 50.610], [3.057, 50.610], [3.062, 50.620], [3.060, 50.630], [3.040, 50.630]]

[[district]]
code = "moulin"
name = "Le Moulin"
sector = "Sud"
streets = ["rue du Moulin", "impasse des Meuniers", "route de Lille", "rue Pasteur"]
outline = [[3.057, 50.610], [3.080, 50.610], [3.080, 50.630], [3.060, 50.630], [3.062, 50.620]]

# Public buildings: an address naming one ("devant la médiathèque") is
# placed at it.
[[building]]
code = "hotel-de-ville"
name = "Hôtel de ville"
kind = "mairie"
at = [3.050, 50.640]

[[building]]
code = "mediatheque"
name = "Médiathèque Marguerite-Yourcenar"
kind = "culture"
at = [3.070, 50.640]

[[building]]
code = "groupe-scolaire-jules-ferry"
name = "Groupe scolaire Jules-Ferry"
kind = "ecole"
at = [3.050, 50.620]

[[building]]
code = "gymnase-leo-lagrange"
name = "Gymnase Léo-Lagrange"
kind = "sport"
at = [3.070, 50.620]
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_towns_places_cover_its_example_address_and_its_outlines_tile() {
        let places = parse(DEMO_PLACES).unwrap();
        assert_eq!(places.districts().len(), 4);
        assert_eq!(places.sectors(), ["Nord", "Sud"]);
        assert_eq!(
            places
                .district_of_street("1 place de la Mairie")
                .map(|d| d.code.as_str()),
            Some("centre")
        );
        // Each district's inside is its own only.
        for d in places.districts() {
            let n = d.outline.len() as f64;
            let mid = Point {
                lon: d.outline.iter().map(|p| p.lon).sum::<f64>() / n,
                lat: d.outline.iter().map(|p| p.lat).sum::<f64>() / n,
            };
            let holders: Vec<&str> = places
                .districts()
                .iter()
                .filter(|o| o.holds(mid))
                .map(|o| o.code.as_str())
                .collect();
            assert_eq!(holders, [d.code.as_str()]);
        }
    }

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
