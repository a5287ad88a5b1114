//! The places of a town: its districts (with the sector they belong to),
//! the streets of each and, when known, each district's outline. A request
//! with an address is put in the district of its street; one with a point
//! (an Open311 report, a map) in the district whose outline holds it.
//! Pure data and matching: the town's file is read in `tenant::places`.

use super::catalogue::search_key;
use super::forms::{Address, Form, Value};
use std::collections::HashMap;
use std::fmt;

/// A point as reporting apps and maps give it (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lon: f64,
    pub lat: f64,
}

/// A district of the town.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// Short and stable (`centre`, `gare`): what requests and filters keep.
    pub code: String,
    pub name: String,
    /// The sector grouping districts (`nord`), when the town has sectors.
    pub sector: Option<String>,
    /// Its streets as written by the town (`rue de la République`).
    pub streets: Vec<String>,
    /// Its outline, a closed ring of points (the first not repeated last);
    /// empty when the town gave none.
    pub outline: Vec<Point>,
}

impl District {
    /// Whether its outline holds the point (never without an outline).
    pub fn holds(&self, point: Point) -> bool {
        self.outline.len() >= 3 && holds(&self.outline, point)
    }
}

/// What is wrong with a town's places, in words for its webmaster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacesError(pub String);

impl fmt::Display for PlacesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlacesError {}

/// A public building of the town (the town hall, a school, a gymnasium):
/// an address that names it is placed at its point, in its district.
#[derive(Debug, Clone, PartialEq)]
pub struct Building {
    pub code: String,
    pub name: String,
    /// `mairie`, `ecole`, `equipement-sportif`…, as the town says.
    pub kind: String,
    pub point: Point,
}

/// The districts of a town, their streets indexed.
#[derive(Debug, Clone, Default)]
pub struct Places {
    districts: Vec<District>,
    /// Its public buildings, with the folded name an address is compared
    /// by.
    buildings: Vec<(Building, String)>,
    /// Street key → index of its district.
    streets: HashMap<String, usize>,
    /// The town's postal codes: an address elsewhere is in none of its
    /// districts, whatever its street's name. Empty: not checked.
    postal_codes: Vec<String>,
}

/// Where a request is: the point of its address when it has one, and the
/// district of the town it is in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placed {
    pub point: Option<Point>,
    /// The district's code.
    pub district: Option<String>,
}

impl Places {
    /// Checks the districts: codes unique and plain, names given, a street
    /// in one district only, outlines of three points at least with real
    /// coordinates.
    pub fn new(districts: Vec<District>) -> Result<Places, PlacesError> {
        let mut streets: HashMap<String, usize> = HashMap::new();
        for (i, d) in districts.iter().enumerate() {
            let plain = !d.code.is_empty()
                && d.code.len() <= 40
                && d.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !plain {
                return Err(PlacesError(format!(
                    "district {:?}: a code is lower-case letters, digits and hyphens (40 at most)",
                    d.code
                )));
            }
            if districts[..i].iter().any(|o| o.code == d.code) {
                return Err(PlacesError(format!("district {:?} is given twice", d.code)));
            }
            if d.name.trim().is_empty() {
                return Err(PlacesError(format!("district {:?} has no name", d.code)));
            }
            if !d.outline.is_empty() && d.outline.len() < 3 {
                return Err(PlacesError(format!(
                    "district {:?}: an outline has three points at least",
                    d.code
                )));
            }
            if let Some(p) = d.outline.iter().find(|p| {
                !(p.lon.is_finite() && p.lat.is_finite())
                    || p.lon.abs() > 180.0
                    || p.lat.abs() > 90.0
            }) {
                return Err(PlacesError(format!(
                    "district {:?}: ({}, {}) is not a longitude and a latitude",
                    d.code, p.lon, p.lat
                )));
            }
            for street in &d.streets {
                let key = street_key(street);
                if key.is_empty() {
                    return Err(PlacesError(format!(
                        "district {:?}: a street has no name",
                        d.code
                    )));
                }
                if let Some(&other) = streets.get(&key)
                    && other != i
                {
                    return Err(PlacesError(format!(
                        "the street {street:?} is in districts {:?} and {:?}",
                        districts[other].code, d.code
                    )));
                }
                streets.insert(key, i);
            }
        }
        Ok(Places {
            districts,
            buildings: Vec::new(),
            streets,
            postal_codes: Vec::new(),
        })
    }

    /// The same places with the town's public buildings: codes unique and
    /// plain, names given, real coordinates.
    pub fn with_buildings(mut self, buildings: Vec<Building>) -> Result<Places, PlacesError> {
        let mut kept: Vec<(Building, String)> = Vec::with_capacity(buildings.len());
        for b in buildings {
            let plain = !b.code.is_empty()
                && b.code.len() <= 40
                && b.code
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
            let key = street_key(&b.name);
            if !plain || key.is_empty() || kept.iter().any(|(o, _)| o.code == b.code) {
                return Err(PlacesError(format!(
                    "building {:?}: a code of its own (lower-case letters, digits, hyphens) and a name",
                    b.code
                )));
            }
            let p = b.point;
            if !(p.lon.is_finite() && p.lat.is_finite())
                || p.lon.abs() > 180.0
                || p.lat.abs() > 90.0
            {
                return Err(PlacesError(format!(
                    "building {:?}: ({}, {}) is not a longitude and a latitude",
                    b.code, p.lon, p.lat
                )));
            }
            kept.push((b, key));
        }
        self.buildings = kept;
        Ok(self)
    }

    pub fn buildings(&self) -> impl Iterator<Item = &Building> {
        self.buildings.iter().map(|(b, _)| b)
    }

    /// The public building an address line names (`Gymnase Léo-Lagrange`,
    /// `devant la mairie annexe`): its whole name among the line's words,
    /// the longest name first.
    pub fn building_named(&self, line: &str) -> Option<&Building> {
        let words = format!(" {} ", street_key(line));
        self.buildings
            .iter()
            .filter(|(_, key)| words.contains(&format!(" {key} ")))
            .max_by_key(|(_, key)| key.len())
            .map(|(b, _)| b)
    }

    /// The same places, an address counted in the town only with one of
    /// `codes` (five digits each).
    pub fn with_postal_codes(mut self, codes: Vec<String>) -> Result<Places, PlacesError> {
        if let Some(bad) = codes
            .iter()
            .find(|c| c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(PlacesError(format!(
                "postal_codes: {bad:?} is not a postal code of five digits"
            )));
        }
        self.postal_codes = codes;
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.districts.is_empty()
    }

    /// The sectors of the districts, each once, in the order districts
    /// name them.
    pub fn sectors(&self) -> Vec<&str> {
        let mut sectors: Vec<&str> = Vec::new();
        for s in self.districts.iter().filter_map(|d| d.sector.as_deref()) {
            if !sectors.contains(&s) {
                sectors.push(s);
            }
        }
        sectors
    }

    /// The codes of the districts of `sector`.
    pub fn districts_of_sector(&self, sector: &str) -> Vec<String> {
        self.districts
            .iter()
            .filter(|d| d.sector.as_deref() == Some(sector))
            .map(|d| d.code.clone())
            .collect()
    }

    /// Where the request of `form` is: its place is the first address of
    /// the service's own fields, else the requester's; its district is the
    /// one whose outline holds the address's point, else the one of its
    /// street (an address of another town is in none).
    pub fn place(&self, form: &Form) -> Placed {
        let first = |values: &[(String, Value)]| {
            values.iter().find_map(|(_, v)| match v {
                Value::Address(a) => Some(a.clone()),
                _ => None,
            })
        };
        first(&form.values)
            .or_else(|| first(&form.requester))
            .map_or_else(Placed::default, |a| self.place_address(&a))
    }

    /// The same for a request as stored: its values' `(path, text)` rows
    /// (those of its addresses are enough), in their order.
    pub fn place_stored(&self, rows: &[(String, String)]) -> Placed {
        let part = |prefix: &str, name: &str| {
            rows.iter()
                .find(|(p, _)| {
                    p.strip_prefix(prefix).and_then(|r| r.strip_prefix('/')) == Some(name)
                })
                .map(|(_, v)| v.clone())
        };
        let address = |prefix: &str| Address {
            street: part(prefix, "street").unwrap_or_default(),
            postal_code: part(prefix, "postalCode").unwrap_or_default(),
            town: String::new(),
            latitude: part(prefix, "latitude"),
            longitude: part(prefix, "longitude"),
        };
        // The addresses' paths, the service's own before the requester's.
        let prefixes: Vec<&str> = rows
            .iter()
            .filter_map(|(p, _)| p.strip_suffix("/street"))
            .collect();
        let requester = format!("{}/", super::forms::REQUESTER);
        prefixes
            .iter()
            .find(|p| !p.starts_with(&requester) && **p != super::forms::REQUESTER)
            .or_else(|| prefixes.first())
            .map_or_else(Placed::default, |p| self.place_address(&address(p)))
    }

    fn place_address(&self, address: &Address) -> Placed {
        // An address without a point that names a public building is at
        // the building.
        let point = point_of(address).or_else(|| {
            self.building_named(&address.street)
                .filter(|_| {
                    self.postal_codes.is_empty()
                        || address.postal_code.trim().is_empty()
                        || self
                            .postal_codes
                            .iter()
                            .any(|c| *c == address.postal_code.trim())
                })
                .map(|b| b.point)
        });
        let in_town = self.postal_codes.is_empty()
            || self
                .postal_codes
                .iter()
                .any(|c| *c == address.postal_code.trim());
        let district = point
            .and_then(|p| self.district_at(p))
            .or_else(|| {
                in_town
                    .then(|| self.district_of_street(&address.street))
                    .flatten()
            })
            .map(|d| d.code.clone());
        Placed { point, district }
    }

    pub fn districts(&self) -> &[District] {
        &self.districts
    }

    pub fn district(&self, code: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code)
    }

    /// The district of an address's street line (`12 bis, av. de la Gare`).
    pub fn district_of_street(&self, line: &str) -> Option<&District> {
        self.streets
            .get(&street_key(line))
            .map(|&i| &self.districts[i])
    }

    /// The district whose outline holds the point.
    pub fn district_at(&self, point: Point) -> Option<&District> {
        self.districts.iter().find(|d| d.holds(point))
    }
}

/// The point an address gives, when it gives a real one.
fn point_of(a: &Address) -> Option<Point> {
    let number = |t: &Option<String>| t.as_deref()?.trim().replace(',', ".").parse::<f64>().ok();
    let (lat, lon) = (number(&a.latitude)?, number(&a.longitude)?);
    (lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0)
        .then_some(Point { lon, lat })
}

/// A street line as the town's list and an address meet: the house number
/// and its `bis`/`ter` off, case, accents and punctuation folded, the usual
/// abbreviations written out (`av.` → `avenue`, `bd` → `boulevard`…).
pub fn street_key(line: &str) -> String {
    let folded = search_key(line).replace([',', '.', ';'], " ");
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    // The house number: digits, maybe a letter (12b), then maybe bis/ter.
    while let Some(first) = words.first() {
        let number = first.chars().next().is_some_and(|c| c.is_ascii_digit())
            && first.chars().all(|c| c.is_ascii_alphanumeric());
        let suffix = matches!(*first, "bis" | "ter" | "quater");
        if number || (suffix && words.len() > 1) {
            words.remove(0);
        } else {
            break;
        }
    }
    words
        .into_iter()
        .map(|w| match w {
            "av" | "ave" => "avenue",
            "bd" | "boul" | "bld" => "boulevard",
            "pl" => "place",
            "r" => "rue",
            "ch" | "chem" => "chemin",
            "imp" => "impasse",
            "all" => "allee",
            "rte" => "route",
            "sq" => "square",
            "fg" | "fbg" => "faubourg",
            "st" => "saint",
            "ste" => "sainte",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a ring holds a point (even–odd rule; a point on an edge may go
/// either way, as on a map).
fn holds(ring: &[Point], p: Point) -> bool {
    let mut inside = false;
    let mut j = ring.len() - 1;
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a.lat > p.lat) != (b.lat > p.lat)
            && p.lon < (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon
        {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64, side: f64) -> Vec<Point> {
        vec![
            Point { lon, lat },
            Point {
                lon: lon + side,
                lat,
            },
            Point {
                lon: lon + side,
                lat: lat + side,
            },
            Point {
                lon,
                lat: lat + side,
            },
        ]
    }

    fn district(code: &str, streets: &[&str], outline: Vec<Point>) -> District {
        District {
            code: code.into(),
            name: code.to_uppercase(),
            sector: None,
            streets: streets.iter().map(|s| s.to_string()).collect(),
            outline,
        }
    }

    #[test]
    fn an_address_naming_a_public_building_is_placed_at_it() {
        let places = town()
            .with_postal_codes(vec!["75002".into()])
            .unwrap()
            .with_buildings(vec![
                Building {
                    code: "gymnase".into(),
                    name: "Gymnase Léo-Lagrange".into(),
                    kind: "sport".into(),
                    point: Point {
                        lon: 2.015,
                        lat: 48.005,
                    },
                },
                Building {
                    code: "mairie".into(),
                    name: "Mairie".into(),
                    kind: "mairie".into(),
                    point: Point {
                        lon: 2.005,
                        lat: 48.005,
                    },
                },
                Building {
                    code: "mairie-annexe".into(),
                    name: "Mairie annexe".into(),
                    kind: "mairie".into(),
                    point: Point {
                        lon: 2.016,
                        lat: 48.006,
                    },
                },
            ])
            .unwrap();
        let at = |street: &str, postal_code: &str| {
            places.place_address(&Address {
                street: street.into(),
                postal_code: postal_code.into(),
                town: String::new(),
                latitude: None,
                longitude: None,
            })
        };
        let placed = at("devant le gymnase Leo Lagrange", "75002");
        assert_eq!(placed.district.as_deref(), Some("gare"));
        assert_eq!(
            placed.point,
            Some(Point {
                lon: 2.015,
                lat: 48.005
            })
        );
        // The longest name that fits: the annex, not the town hall.
        assert_eq!(
            at("Parking de la mairie annexe", "").district.as_deref(),
            Some("gare")
        );
        assert_eq!(at("Mairie", "").district.as_deref(), Some("centre"));
        // Another town's gymnasium, or no building named: as before.
        assert_eq!(at("Gymnase Léo-Lagrange", "69001"), Placed::default());
        assert_eq!(at("12 rue de la République", "75002").point, None);
        // Codes unique and plain, real coordinates.
        let twice = town().with_buildings(vec![
            Building {
                code: "a".into(),
                name: "A".into(),
                kind: String::new(),
                point: Point {
                    lon: 2.0,
                    lat: 48.0,
                },
            },
            Building {
                code: "a".into(),
                name: "B".into(),
                kind: String::new(),
                point: Point {
                    lon: 2.0,
                    lat: 48.0,
                },
            },
        ]);
        assert!(twice.is_err());
        let nowhere = town().with_buildings(vec![Building {
            code: "b".into(),
            name: "B".into(),
            kind: String::new(),
            point: Point {
                lon: 200.0,
                lat: 48.0,
            },
        }]);
        assert!(nowhere.is_err());
    }

    fn town() -> Places {
        Places::new(vec![
            district(
                "centre",
                &["rue de la République", "place de l'Église"],
                square(2.0, 48.0, 0.01),
            ),
            district(
                "gare",
                &["avenue de la Gare", "boulevard Saint-Michel"],
                square(2.01, 48.0, 0.01),
            ),
        ])
        .unwrap()
    }

    #[test]
    fn an_address_finds_its_street_whatever_its_number_case_accents_and_abbreviations() {
        let places = town();
        for line in [
            "12 rue de la République",
            "12 bis, Rue de la Republique",
            "3b r. de la république",
            "PLACE DE L'EGLISE",
            "1 pl. de l’Église",
        ] {
            assert_eq!(
                places.district_of_street(line).map(|d| d.code.as_str()),
                Some("centre"),
                "{line}"
            );
        }
        for line in ["4 av. de la Gare", "10 bd St-Michel", "10 Bd Saint Michel"] {
            assert_eq!(
                places.district_of_street(line).map(|d| d.code.as_str()),
                Some("gare"),
                "{line}"
            );
        }
        assert_eq!(places.district_of_street("5 rue de la Paix"), None);
        assert_eq!(places.district_of_street(""), None);
        assert_eq!(street_key("Bis"), "bis", "a street named so keeps its name");
    }

    #[test]
    fn a_point_is_in_the_district_whose_outline_holds_it() {
        let places = town();
        let at = |lon, lat| {
            places
                .district_at(Point { lon, lat })
                .map(|d| d.code.clone())
        };
        assert_eq!(at(2.005, 48.005).as_deref(), Some("centre"));
        assert_eq!(at(2.015, 48.001).as_deref(), Some("gare"));
        assert_eq!(at(2.03, 48.005), None);
        assert_eq!(at(2.005, 47.9), None);
        // A concave outline: the notch is outside.
        let l_shape = vec![
            Point { lon: 0.0, lat: 0.0 },
            Point { lon: 2.0, lat: 0.0 },
            Point { lon: 2.0, lat: 1.0 },
            Point { lon: 1.0, lat: 1.0 },
            Point { lon: 1.0, lat: 2.0 },
            Point { lon: 0.0, lat: 2.0 },
        ];
        let places = Places::new(vec![district("l", &[], l_shape)]).unwrap();
        assert!(places.district_at(Point { lon: 0.5, lat: 1.5 }).is_some());
        assert!(places.district_at(Point { lon: 1.5, lat: 1.5 }).is_none());
    }

    #[test]
    fn a_request_is_placed_by_its_point_else_its_street_in_the_town_only() {
        let places = town().with_postal_codes(vec!["12345".into()]).unwrap();
        let address = |street: &str, postal: &str, point: Option<(&str, &str)>| {
            Value::Address(Address {
                street: street.into(),
                postal_code: postal.into(),
                town: "Demoville".into(),
                latitude: point.map(|p| p.1.to_owned()),
                longitude: point.map(|p| p.0.to_owned()),
            })
        };
        let form = |requester: Vec<Value>, values: Vec<Value>| Form {
            requester: requester
                .into_iter()
                .map(|v| ("address".into(), v))
                .collect(),
            values: values.into_iter().map(|v| ("location".into(), v)).collect(),
        };
        let district = |f: &Form| places.place(f).district;
        // The service's address first, its point before its street.
        let f = form(
            vec![address("4 av. de la Gare", "12345", None)],
            vec![address(
                "1 rue de la République",
                "12345",
                Some(("2.015", "48.005")),
            )],
        );
        assert_eq!(district(&f).as_deref(), Some("gare"));
        assert_eq!(
            places.place(&f).point,
            Some(Point {
                lon: 2.015,
                lat: 48.005
            })
        );
        let f = form(
            vec![],
            vec![address("1 rue de la République", "12345", None)],
        );
        assert_eq!(district(&f).as_deref(), Some("centre"));
        assert_eq!(places.place(&f).point, None);
        // The requester's address when the service asks none.
        let f = form(vec![address("4 av. de la Gare", "12345", None)], vec![]);
        assert_eq!(district(&f).as_deref(), Some("gare"));
        // The same street name in another town is not ours.
        let f = form(vec![address("4 av. de la Gare", "75001", None)], vec![]);
        assert_eq!(district(&f), None);
        // A point outside every outline falls back on the street.
        let f = form(
            vec![],
            vec![address("4 av. de la Gare", "12345", Some(("3.0", "48.0")))],
        );
        assert_eq!(district(&f).as_deref(), Some("gare"));
        assert_eq!(places.place(&form(vec![], vec![])), Placed::default());
        // As stored: the same answers from the values' rows.
        for f in [
            form(
                vec![address("4 av. de la Gare", "12345", None)],
                vec![address(
                    "1 rue de la République",
                    "12345",
                    Some(("2.015", "48.005")),
                )],
            ),
            form(vec![address("4 av. de la Gare", "12345", None)], vec![]),
            form(
                vec![],
                vec![address("1 rue de la République", "12345", None)],
            ),
            form(vec![address("4 av. de la Gare", "75001", None)], vec![]),
        ] {
            assert_eq!(places.place_stored(&f.rows()), places.place(&f), "{f:?}");
        }
        assert!(town().with_postal_codes(vec!["1234".into()]).is_err());
    }

    #[test]
    fn a_towns_places_are_refused_with_the_reason() {
        let refused = |districts: Vec<District>| Places::new(districts).unwrap_err().0;
        assert!(refused(vec![district("Centre Ville", &[], vec![])]).contains("lower-case"));
        assert!(
            refused(vec![district("a", &[], vec![]), district("a", &[], vec![])]).contains("twice")
        );
        let mut nameless = district("a", &[], vec![]);
        nameless.name = " ".into();
        assert!(refused(vec![nameless]).contains("no name"));
        assert!(
            refused(vec![
                district("a", &["Rue Haute"], vec![]),
                district("b", &["12 rue haute"], vec![])
            ])
            .contains("\"a\" and \"b\"")
        );
        assert!(
            refused(vec![district(
                "a",
                &[],
                square(2.0, 48.0, 1.0)[..2].to_vec()
            )])
            .contains("three points")
        );
        assert!(refused(vec![district("a", &[], square(200.0, 48.0, 1.0))]).contains("longitude"));
        assert!(refused(vec![district("a", &["12"], vec![])]).contains("no name"));
    }
}
