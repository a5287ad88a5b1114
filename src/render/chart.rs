//! Bar charts laid out on the server: where each bar, label and tick goes,
//! in the units of an SVG `viewBox`. The page's view carries the layout and
//! its stylesheet draws it as inline SVG, so a chart needs no script, prints
//! like the rest of the page, and its figures are also the table beside it.
//!
//! One kind for now: horizontal bars, one group per label (a month, a
//! service…), one bar per series in each group, the value written at the end
//! of its bar. Labels of any length fit on the left; the scale runs to a
//! round number above the largest value.

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

/// A laid-out chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The plot's left edge and bottom (the axis).
    pub axis_x: f64,
    pub axis_y: f64,
    pub bars: Vec<Bar>,
    /// One per group, on the left, vertically centred on its bars.
    pub labels: Vec<Text>,
    /// The scale's round values, under the axis.
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
        width: WIDTH,
        height: axis_y + BOTTOM,
        axis_x: LABEL_WIDTH,
        axis_y,
        bars: Vec::new(),
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
    for k in 0..=4 {
        let value = top * f64::from(k) / 4.0;
        layout.ticks.push(Text {
            x: round(LABEL_WIDTH + plot * f64::from(k) / 4.0),
            y: axis_y + 16.0,
            text: trim_number(value),
        });
    }
    let mut x = LABEL_WIDTH + 14.0;
    for serie in series {
        layout.legend.push(Text {
            x,
            y: 16.0,
            text: serie.name.clone(),
        });
        x += 24.0 + 7.0 * serie.name.chars().count() as f64;
    }
    layout
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
