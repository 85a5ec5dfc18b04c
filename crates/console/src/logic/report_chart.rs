//! The geometry and words of the reports' bar charts, drawn as inline SVG by
//! `components/report_chart.rs`: where each bar goes, how tall it is, and the text that
//! says the same for those who cannot see it. No chart library: a few rectangles.

/// One group of bars along the x axis (a day, an agent, a star rating), with one value
/// per series and the text each value is shown as.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartGroup {
    pub label: String,
    /// `None` is "no value" (no bar, shown as "–").
    pub values: Vec<Option<f64>>,
    pub texts: Vec<String>,
}

/// A bar placed in the chart's coordinates (y grows downwards, as in SVG).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedBar {
    pub group: usize,
    pub series: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// The drawing area: bars stand on `baseline`, the tallest reaches `top`.
pub const CHART_WIDTH: f64 = 640.0;
pub const CHART_HEIGHT: f64 = 220.0;
pub const TOP: f64 = 24.0;
pub const BASELINE: f64 = 180.0;
const SIDE: f64 = 8.0;

/// Where each group's label is centred.
pub fn group_centre(group: usize, groups: usize) -> f64 {
    let slot = (CHART_WIDTH - 2.0 * SIDE) / groups.max(1) as f64;
    SIDE + slot * (group as f64 + 0.5)
}

/// Every bar with a value, scaled so the largest value is `BASELINE - TOP` tall. A zero is
/// a bar of height 0 (its text still says 0).
pub fn place_bars(groups: &[ChartGroup]) -> Vec<PlacedBar> {
    let max = groups
        .iter()
        .flat_map(|g| g.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let slot = (CHART_WIDTH - 2.0 * SIDE) / groups.len().max(1) as f64;
    let mut bars = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let series = group.values.len().max(1);
        let inner = slot * 0.7;
        let width = inner / series as f64;
        let left = SIDE + slot * g as f64 + (slot - inner) / 2.0;
        for (s, value) in group.values.iter().enumerate() {
            let Some(value) = value else { continue };
            let height = if max > 0.0 {
                (value.max(0.0) / max) * (BASELINE - TOP)
            } else {
                0.0
            };
            bars.push(PlacedBar {
                group: g,
                series: s,
                x: left + width * s as f64,
                y: BASELINE - height,
                width: width * 0.9,
                height,
            });
        }
    }
    bars
}

/// The chart said in words: "28 Mar: 3; 29 Mar: 2", or with several series
/// "Ada: median 30 s, p90 1 min 30 s".
pub fn describe(groups: &[ChartGroup], series: &[&str]) -> String {
    groups
        .iter()
        .map(|g| {
            let values = if series.len() <= 1 {
                g.texts.join(", ")
            } else {
                series
                    .iter()
                    .zip(&g.texts)
                    .map(|(name, text)| format!("{name} {text}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("{}: {values}", g.label)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A duration for people: "45 s", "1 min 30 s", "2 h 5 min", "–" for none.
pub fn duration_text(ms: Option<i64>) -> String {
    let Some(ms) = ms else {
        return "–".to_string();
    };
    let seconds = (ms.max(0) + 500) / 1_000;
    let (h, m, s) = (seconds / 3_600, seconds / 60 % 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// A day `YYYY-MM-DD` as a short label, "28 Mar".
pub fn day_label(day: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = day.split('-');
    let (_, month, date) = (parts.next(), parts.next(), parts.next());
    match (
        month.and_then(|m| m.parse::<usize>().ok()),
        date.and_then(|d| d.parse::<u32>().ok()),
    ) {
        (Some(m @ 1..=12), Some(d)) => format!("{d} {}", MONTHS[m - 1]),
        _ => day.to_string(),
    }
}

/// A CSAT average for people: "4.2" (one decimal), "–" with no ratings.
pub fn average_text(average: Option<f64>) -> String {
    average.map_or_else(|| "–".to_string(), |a| format!("{a:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(label: &str, values: &[Option<f64>]) -> ChartGroup {
        ChartGroup {
            label: label.to_string(),
            values: values.to_vec(),
            texts: values
                .iter()
                .map(|v| v.map_or("–".to_string(), |v| v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_largest_value_fills_the_height_and_the_rest_scale() {
        let bars = place_bars(&[group("a", &[Some(2.0)]), group("b", &[Some(4.0)])]);
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[1].height, BASELINE - TOP);
        assert_eq!(bars[1].y, TOP);
        assert_eq!(bars[0].height, (BASELINE - TOP) / 2.0);
        assert!(bars[0].x + bars[0].width < bars[1].x, "bars do not overlap");
    }

    #[test]
    fn zeros_and_missing_values_draw_nothing_tall() {
        let bars = place_bars(&[group("a", &[Some(0.0), None])]);
        assert_eq!(bars.len(), 1);
        assert_eq!(bars[0].height, 0.0);
        assert!(place_bars(&[]).is_empty());
    }

    #[test]
    fn series_sit_side_by_side_in_their_group() {
        let bars = place_bars(&[group("Ada", &[Some(1.0), Some(3.0)])]);
        assert!(bars[0].x < bars[1].x);
        assert_eq!((bars[0].series, bars[1].series), (0, 1));
    }

    #[test]
    fn charts_are_said_in_words() {
        let groups = [group("28 Mar", &[Some(3.0)]), group("29 Mar", &[Some(2.0)])];
        assert_eq!(
            describe(&groups, &["conversations"]),
            "28 Mar: 3; 29 Mar: 2"
        );
        let mut ada = group("Ada", &[Some(1.0), Some(2.0)]);
        ada.texts = vec!["30 s".into(), "1 min 30 s".into()];
        assert_eq!(
            describe(&[ada], &["median", "p90"]),
            "Ada: median 30 s, p90 1 min 30 s"
        );
    }

    #[test]
    fn durations_days_and_averages_read_well() {
        assert_eq!(duration_text(None), "–");
        assert_eq!(duration_text(Some(45_000)), "45 s");
        assert_eq!(duration_text(Some(90_000)), "1 min 30 s");
        assert_eq!(duration_text(Some(600_000)), "10 min");
        assert_eq!(duration_text(Some(3_600_000)), "1 h");
        assert_eq!(duration_text(Some(7_500_000)), "2 h 5 min");
        assert_eq!(day_label("2026-03-28"), "28 Mar");
        assert_eq!(day_label("nonsense"), "nonsense");
        assert_eq!(average_text(Some(3.6)), "3.6");
        assert_eq!(average_text(None), "–");
    }
}
