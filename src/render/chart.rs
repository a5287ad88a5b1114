//! Charts laid out on the server: where each bar, point, label and tick
//! goes, in the units of an SVG `viewBox`. The page's view carries the
//! layout and its stylesheet draws it as inline SVG, so a chart needs no
//! script, prints like the rest of the page, and its figures are also the
//! table beside it.
//!
//! Two kinds. Horizontal bars ([`horizontal_bars`]): one group per label (a
//! service, a channel…), one bar per series in each group, the value
//! written at the end of its bar, labels of any length on the left. Lines
//! over time ([`lines`]): one point per label (a month) and series, joined,
//! the labels slanted under the axis, the scale on the left. Either scale
//! runs to a round number above the largest value.

/// Width of the whole chart.
pub const WIDTH: f64 = 640.0;
/// Room for the group labels, on the left.
const LABEL_WIDTH: f64 = 190.0;
/// Room for the value written after the longest bar, on the right.
const VALUE_ROOM: f64 = 56.0;
const BAR: f64 = 14.0;
const GROUP_GAP: f64 = 10.0;
const TOP: f64 = 28.0;
/// Characters of a group label that fit in [`LABEL_WIDTH`] at 12 px; a
/// longer one is cut with an ellipsis (the table beside has it whole).
const LABEL_CHARS: usize = 28;
const BOTTOM: f64 = 24.0;

/// One series: a name and a value per label.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub series: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

/// One series of a line chart: its points, as SVG `points`, and each
/// point with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub series: usize,
    /// `x,y x,y …`
    pub points: String,
    pub marks: Vec<Mark>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub x: f64,
    pub y: f64,
    pub value: f64,
}

/// What a layout draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bars,
    Lines,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bars => "bars",
            Kind::Lines => "lines",
        }
    }
}

/// A laid-out chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub kind: Kind,
    pub width: f64,
    pub height: f64,
    /// The plot's left edge and bottom (the axis).
    pub axis_x: f64,
    pub axis_y: f64,
    /// The plot's right edge and top.
    pub right: f64,
    pub top: f64,
    pub bars: Vec<Bar>,
    pub lines: Vec<Line>,
    /// Bars: one per group, on the left, vertically centred on its bars.
    /// Lines: one per point, under the axis, slanted (rotated about its
    /// place).
    pub labels: Vec<Text>,
    /// The scale's round values: under the axis for bars, left of it for
    /// lines (where a grid line may run across the plot).
    pub ticks: Vec<Text>,
    /// One per series, above the plot: a swatch at `x - 14`.
    pub legend: Vec<Text>,
}

/// The smallest "round" number (1, 2 or 5 times a power of ten) at or above
/// `v`; 1 for nothing to show.
pub fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|c| *c >= v - 1e-9)
        .unwrap_or(10.0 * power)
}

/// Lays out horizontal bars: `labels[i]`'s group holds `series[s].values[i]`
/// for each series.
pub fn horizontal_bars(labels: &[String], series: &[Series]) -> Layout {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let plot = WIDTH - LABEL_WIDTH - VALUE_ROOM;
    let per_group = BAR * series.len().max(1) as f64 + GROUP_GAP;
    let axis_y = TOP + per_group * labels.len() as f64;
    let mut layout = Layout {
        kind: Kind::Bars,
        width: WIDTH,
        height: axis_y + BOTTOM,
        axis_x: LABEL_WIDTH,
        axis_y,
        right: WIDTH - VALUE_ROOM,
        top: 20.0,
        bars: Vec::new(),
        lines: Vec::new(),
        labels: Vec::new(),
        ticks: Vec::new(),
        legend: Vec::new(),
    };
    for (i, label) in labels.iter().enumerate() {
        let group_y = TOP + per_group * i as f64 + GROUP_GAP / 2.0;
        for (s, serie) in series.iter().enumerate() {
            let value = serie.values.get(i).copied().unwrap_or(0.0).max(0.0);
            layout.bars.push(Bar {
                series: s,
                x: LABEL_WIDTH,
                y: group_y + BAR * s as f64,
                width: round(plot * value / top),
                height: BAR - 2.0,
                value,
            });
        }
        layout.labels.push(Text {
            x: LABEL_WIDTH - 6.0,
            y: round(group_y + BAR * series.len() as f64 / 2.0 + 4.0),
            text: shorten(label),
        });
    }
    for value in scale(top) {
        layout.ticks.push(Text {
            x: round(LABEL_WIDTH + plot * value / top),
            y: axis_y + 16.0,
            text: trim_number(value),
        });
    }
    layout.legend = legend(LABEL_WIDTH + 14.0, series);
    layout
}

/// One legend entry per series, left to right from `x`, above the plot.
fn legend(mut x: f64, series: &[Series]) -> Vec<Text> {
    let mut out = Vec::new();
    for serie in series {
        out.push(Text {
            x,
            y: 16.0,
            text: serie.name.clone(),
        });
        x += 24.0 + 7.0 * serie.name.chars().count() as f64;
    }
    out
}

/// Room of a line chart: the scale on the left, the slanted labels below.
const LINES_LEFT: f64 = 56.0;
const LINES_RIGHT: f64 = 24.0;
const LINES_TOP: f64 = 32.0;
const LINES_PLOT: f64 = 200.0;
const LINES_BOTTOM: f64 = 76.0;

/// Lays out lines over time: `series[s].values[i]` is series `s`'s point
/// at `labels[i]`, the points evenly spaced left to right.
pub fn lines(labels: &[String], series: &[Series]) -> Layout {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let right = WIDTH - LINES_RIGHT;
    let axis_y = LINES_TOP + LINES_PLOT;
    let span = right - LINES_LEFT;
    let x_of = |i: usize| {
        if labels.len() <= 1 {
            LINES_LEFT + span / 2.0
        } else {
            round(LINES_LEFT + span * i as f64 / (labels.len() - 1) as f64)
        }
    };
    let y_of = |v: f64| round(axis_y - LINES_PLOT * v.max(0.0) / top);
    let lines = series
        .iter()
        .enumerate()
        .map(|(s, serie)| {
            let marks: Vec<Mark> = (0..labels.len())
                .map(|i| {
                    let value = serie.values.get(i).copied().unwrap_or(0.0).max(0.0);
                    Mark {
                        x: x_of(i),
                        y: y_of(value),
                        value,
                    }
                })
                .collect();
            Line {
                series: s,
                points: marks
                    .iter()
                    .map(|m| format!("{},{}", m.x, m.y))
                    .collect::<Vec<_>>()
                    .join(" "),
                marks,
            }
        })
        .collect();
    Layout {
        kind: Kind::Lines,
        width: WIDTH,
        height: axis_y + LINES_BOTTOM,
        axis_x: LINES_LEFT,
        axis_y,
        right,
        top: LINES_TOP,
        bars: Vec::new(),
        lines,
        labels: labels
            .iter()
            .enumerate()
            .map(|(i, l)| Text {
                x: x_of(i),
                y: axis_y + 14.0,
                text: shorten(l),
            })
            .collect(),
        ticks: scale(top)
            .into_iter()
            .map(|value| Text {
                x: LINES_LEFT - 6.0,
                y: round(y_of(value) + 4.0),
                text: trim_number(value),
            })
            .collect(),
        legend: legend(LINES_LEFT + 14.0, series),
    }
}

/// The values written along a scale from 0 to `top` (a round number): four
/// steps when a step is round too (0, 2.5, 5, 7.5, 10), five otherwise (0,
/// 1, 2, 3, 4, 5 rather than 1.25); just 0 and 1 for a scale of one.
fn scale(top: f64) -> Vec<f64> {
    if top <= 1.0 {
        return vec![0.0, top];
    }
    let quarter = top / 4.0;
    let power = 10f64.powf(quarter.log10().floor());
    let round_step = [1.0, 2.0, 2.5, 5.0]
        .iter()
        .any(|m| (quarter - m * power).abs() < 1e-9 * top.max(1.0));
    let steps = if round_step { 4 } else { 5 };
    (0..=steps)
        .map(|k| top * f64::from(k) / f64::from(steps))
        .collect()
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `25`, `2.5`: a tick's value without trailing zeros.
fn trim_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_rise_with_their_value_and_are_spread_over_the_width() {
        let labels: Vec<String> = ["janv.", "févr.", "mars"].map(String::from).to_vec();
        let l = lines(
            &labels,
            &[
                Series {
                    name: "Reçues".into(),
                    values: vec![0.0, 20.0, 10.0],
                },
                Series {
                    name: "Closes".into(),
                    values: vec![5.0, 5.0],
                },
            ],
        );
        assert_eq!(l.kind, Kind::Lines);
        let received = &l.lines[0].marks;
        // A scale of 20: 0 on the axis, 20 at the top, 10 half-way.
        assert_eq!(received[0].y, l.axis_y);
        assert_eq!(received[1].y, l.top);
        assert_eq!(received[2].y, (l.axis_y + l.top) / 2.0);
        assert_eq!((received[0].x, received[2].x), (l.axis_x, l.right));
        assert_eq!(
            l.lines[0].points,
            format!(
                "{},{} {},{} {},{}",
                l.axis_x, l.axis_y, received[1].x, l.top, l.right, received[2].y
            )
        );
        // A series short of values ends at nought.
        assert_eq!(l.lines[1].marks[2].value, 0.0);
        assert_eq!(l.labels.len(), 3);
        assert_eq!(
            l.ticks.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["0", "5", "10", "15", "20"]
        );
        assert!(l.ticks[4].y < l.ticks[0].y, "the scale rises");
        // One month alone sits in the middle.
        let one = lines(
            &labels[..1],
            &[Series {
                name: "Reçues".into(),
                values: vec![3.0],
            }],
        );
        assert_eq!(one.lines[0].marks[0].x, (one.axis_x + one.right) / 2.0);
    }

    #[test]
    fn the_scale_steps_by_round_numbers() {
        let texts = |top: f64| scale(top).into_iter().map(trim_number).collect::<Vec<_>>();
        assert_eq!(texts(5.0), ["0", "1", "2", "3", "4", "5"]);
        assert_eq!(texts(10.0), ["0", "2.5", "5", "7.5", "10"]);
        assert_eq!(texts(20.0), ["0", "5", "10", "15", "20"]);
        assert_eq!(texts(50.0), ["0", "10", "20", "30", "40", "50"]);
        assert_eq!(texts(1000.0), ["0", "250", "500", "750", "1000"]);
        // Counts of at most one: nought and one.
        assert_eq!(texts(1.0), ["0", "1"]);
    }

    #[test]
    fn the_scale_ends_on_a_round_number_above_the_largest_value() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(13.0), 20.0);
        assert_eq!(nice_ceiling(20.0), 20.0);
        assert_eq!(nice_ceiling(21.0), 50.0);
        assert_eq!(nice_ceiling(730.0), 1000.0);
    }

    #[test]
    fn bars_are_as_long_as_their_share_of_the_scale() {
        let labels = vec!["janvier".to_owned(), "février".to_owned()];
        let series = vec![
            Series {
                name: "Reçues".into(),
                values: vec![10.0, 5.0],
            },
            Series {
                name: "Closes".into(),
                values: vec![0.0, 8.0],
            },
        ];
        let l = horizontal_bars(&labels, &series);
        assert_eq!(l.bars.len(), 4);
        let plot = WIDTH - LABEL_WIDTH - VALUE_ROOM;
        assert_eq!(l.bars[0].width, round(plot)); // 10 of a scale of 10
        assert_eq!(l.bars[2].width, round(plot / 2.0));
        assert_eq!(l.bars[1].width, 0.0);
        assert!(l.bars[2].y > l.bars[1].y, "groups follow each other");
        assert_eq!(
            l.ticks.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["0", "2.5", "5", "7.5", "10"]
        );
        assert_eq!(l.legend.len(), 2);
        let long = horizontal_bars(
            &["Demande de copie d'acte de naissance".to_owned()],
            &series[..1],
        );
        assert_eq!(long.labels[0].text, "Demande de copie d'acte de…");
        assert!(l.height > l.axis_y);
    }
}
