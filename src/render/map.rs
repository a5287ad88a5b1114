//! The back office's map laid out on the server, like the charts: the
//! districts' outlines and the located requests' points in the units of an
//! SVG `viewBox`, which the page's stylesheet draws as inline SVG (no
//! script, no tile server: the town's own outlines are the background).
//!
//! Longitudes and latitudes are projected equirectangularly around the
//! middle latitude (a town is a few kilometres wide: the distortion is
//! nil), north up, to fit [`WIDTH`] or [`MOST_HEIGHT`].

use crate::core::places::{District, Point};

pub const WIDTH: f64 = 640.0;
/// A tall town is fitted to this height instead.
const MOST_HEIGHT: f64 = 640.0;
const MARGIN: f64 = 12.0;
/// Around a lone point or a very small spread: about 500 m either side.
const SMALLEST_SPAN: f64 = 0.005;

/// A district drawn: its outline as SVG `points` and where its name goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub code: String,
    pub name: String,
    /// `x,y x,y …`
    pub points: String,
    pub label_x: f64,
    pub label_y: f64,
}

/// A point of a request, by its index among the points given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub index: usize,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapLayout {
    pub width: f64,
    pub height: f64,
    pub areas: Vec<Area>,
    pub marks: Vec<Mark>,
    /// Points left out: outside the town's outlines' frame.
    pub outside: usize,
}

/// The map of `districts` (those with an outline) and `points`. The frame
/// is the outlines' (a little wider), points beyond it left out and
/// counted; without outlines, the points' own.
pub fn layout(districts: &[District], points: &[Point]) -> Option<MapLayout> {
    let outlined: Vec<&District> = districts.iter().filter(|d| d.outline.len() >= 3).collect();
    let framing: Vec<Point> = if outlined.is_empty() {
        points.to_vec()
    } else {
        outlined
            .iter()
            .flat_map(|d| d.outline.iter().copied())
            .collect()
    };
    let first = framing.first()?;
    let (mut west, mut east, mut south, mut north) = (first.lon, first.lon, first.lat, first.lat);
    for p in &framing {
        west = west.min(p.lon);
        east = east.max(p.lon);
        south = south.min(p.lat);
        north = north.max(p.lat);
    }
    // A little room around the frame; a lone point gets a neighbourhood.
    let pad = |a: f64, b: f64| ((b - a) * 0.05).max((SMALLEST_SPAN - (b - a)).max(0.0) / 2.0);
    let (pad_lon, pad_lat) = (pad(west, east), pad(south, north));
    let (west, east, south, north) = (
        west - pad_lon,
        east + pad_lon,
        south - pad_lat,
        north + pad_lat,
    );
    let shrink = ((south + north) / 2.0).to_radians().cos().max(0.1);
    let (span_x, span_y) = ((east - west) * shrink, north - south);
    let inner = WIDTH - 2.0 * MARGIN;
    let scale = (inner / span_x).min((MOST_HEIGHT - 2.0 * MARGIN) / span_y);
    let width = (span_x * scale + 2.0 * MARGIN).round();
    let height = (span_y * scale + 2.0 * MARGIN).round();
    let at = |p: Point| {
        (
            round((p.lon - west) * shrink * scale + MARGIN),
            round((north - p.lat) * scale + MARGIN),
        )
    };
    let areas = outlined
        .iter()
        .map(|d| {
            let ring: Vec<(f64, f64)> = d.outline.iter().map(|p| at(*p)).collect();
            let (label_x, label_y) = centroid(&ring);
            Area {
                code: d.code.clone(),
                name: d.name.clone(),
                points: ring
                    .iter()
                    .map(|(x, y)| format!("{x},{y}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                label_x: round(label_x),
                label_y: round(label_y),
            }
        })
        .collect();
    let mut marks = Vec::new();
    let mut outside = 0;
    for (index, p) in points.iter().enumerate() {
        if p.lon < west || p.lon > east || p.lat < south || p.lat > north {
            outside += 1;
            continue;
        }
        let (x, y) = at(*p);
        marks.push(Mark { index, x, y });
    }
    Some(MapLayout {
        width,
        height,
        areas,
        marks,
        outside,
    })
}

/// The centroid of a ring (its area's; the mean of its points when flat).
fn centroid(ring: &[(f64, f64)]) -> (f64, f64) {
    let (mut area, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..ring.len() {
        let (x0, y0) = ring[i];
        let (x1, y1) = ring[(i + 1) % ring.len()];
        let cross = x0 * y1 - x1 * y0;
        area += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    if area.abs() < 1e-9 {
        let n = ring.len().max(1) as f64;
        return (
            ring.iter().map(|p| p.0).sum::<f64>() / n,
            ring.iter().map(|p| p.1).sum::<f64>() / n,
        );
    }
    (cx / (3.0 * area), cy / (3.0 * area))
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, lon: f64, lat: f64, side: f64) -> District {
        District {
            code: code.into(),
            name: code.to_uppercase(),
            sector: None,
            streets: Vec::new(),
            outline: vec![
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
            ],
        }
    }

    #[test]
    fn districts_side_by_side_fill_the_width_north_up_and_points_fall_inside_theirs() {
        let districts = [
            square("ouest", 2.0, 48.0, 0.01),
            square("est", 2.01, 48.0, 0.01),
        ];
        let points = [
            Point {
                lon: 2.005,
                lat: 48.009,
            },
            Point {
                lon: 2.015,
                lat: 48.001,
            },
            Point {
                lon: 3.0,
                lat: 48.0,
            },
        ];
        let map = layout(&districts, &points).unwrap();
        assert_eq!(map.width, WIDTH);
        // Twice as wide as high in degrees, a degree of longitude being
        // cos(48°) of one of latitude there: about 1.35 times as wide.
        assert!(map.height > 440.0 && map.height < 500.0, "{}", map.height);
        assert_eq!(map.areas.len(), 2);
        let (west, east) = (&map.areas[0], &map.areas[1]);
        assert!(west.label_x < WIDTH / 2.0 && east.label_x > WIDTH / 2.0);
        assert!((west.label_y - map.height / 2.0).abs() < 1.0);
        // The first point near the top of the western square, the second
        // near the bottom of the eastern one; the third is far off.
        assert_eq!(map.marks.len(), 2);
        assert_eq!(map.outside, 1);
        let (a, b) = (map.marks[0], map.marks[1]);
        assert!(a.x < WIDTH / 2.0 && a.y < map.height / 4.0, "{a:?}");
        assert!(b.x > WIDTH / 2.0 && b.y > map.height * 3.0 / 4.0, "{b:?}");
        assert_eq!(map.marks[1].index, 1);
        assert!(west.points.split(' ').count() == 4);
    }

    #[test]
    fn without_outlines_the_points_frame_the_map_and_a_lone_point_has_room() {
        let one = [Point {
            lon: 2.35,
            lat: 48.85,
        }];
        let map = layout(&[], &one).unwrap();
        assert_eq!(map.marks.len(), 1);
        assert!((map.marks[0].x - map.width / 2.0).abs() < 1.0);
        assert!((map.marks[0].y - map.height / 2.0).abs() < 1.0);
        assert_eq!(layout(&[], &[]), None);
        // A tall town is fitted to the height.
        let tall = [square("a", 2.0, 48.0, 0.01), square("b", 2.0, 48.01, 0.01)];
        let map = layout(&tall, &[]).unwrap();
        assert_eq!(map.height, MOST_HEIGHT);
        assert!(map.width < WIDTH);
    }
}
