//! A bar chart of a report, drawn as inline SVG (no chart library). It is an image with
//! a name (`aria-label`) and a description in words (`aria-describedby`, every value), and
//! each bar's value is written above it, so nothing is shown only as a length.

use leptos::prelude::*;

use crate::logic::report_chart::{
    describe, group_centre, place_bars, ChartGroup, BASELINE, CHART_HEIGHT, CHART_WIDTH,
};

/// The fill of each series (median, p90, …), from the console's palette.
const SERIES_CLASSES: [&str; 3] = ["bar-a", "bar-b", "bar-c"];

#[component]
pub fn ReportChart(
    /// Says which chart it is to tests (`data-chart`) and makes its ids unique.
    key: &'static str,
    title: String,
    /// The name of each series, in the order of every group's values.
    series: Vec<&'static str>,
    groups: Vec<ChartGroup>,
) -> impl IntoView {
    let description = describe(&groups, &series);
    let desc_id = format!("report-chart-{key}-desc");
    let bars = place_bars(&groups);
    let count = groups.len();
    let rects = bars
        .iter()
        .map(|bar| {
            let class = SERIES_CLASSES[bar.series % SERIES_CLASSES.len()];
            let text = groups[bar.group].texts[bar.series].clone();
            let centre = bar.x + bar.width / 2.0;
            view! {
                <rect
                    class=class
                    x=format!("{:.1}", bar.x)
                    y=format!("{:.1}", bar.y)
                    width=format!("{:.1}", bar.width)
                    height=format!("{:.1}", bar.height)
                ></rect>
                <text class="bar-value" x=format!("{centre:.1}") y=format!("{:.1}", bar.y - 4.0) text-anchor="middle">
                    {text}
                </text>
            }
        })
        .collect_view();
    let labels = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            view! {
                <text class="bar-label" x=format!("{:.1}", group_centre(i, count)) y=format!("{:.1}", BASELINE + 18.0) text-anchor="middle">
                    {g.label.clone()}
                </text>
            }
        })
        .collect_view();
    let legend = (series.len() > 1).then(|| {
        series
            .iter()
            .enumerate()
            .map(|(i, name)| {
                view! {
                    <span class="legend-item">
                        <span class=format!("legend-swatch {}", SERIES_CLASSES[i % SERIES_CLASSES.len()])></span>
                        {*name}
                    </span>
                }
            })
            .collect_view()
    });
    view! {
        <figure class="report-figure">
            <figcaption>{title.clone()}</figcaption>
            <svg
                data-testid="report-chart"
                data-chart=key
                role="img"
                aria-label=title
                aria-describedby=desc_id.clone()
                viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
                preserveAspectRatio="xMidYMid meet"
                class="report-chart"
            >
                <line class="baseline" x1="0" x2=CHART_WIDTH.to_string() y1=BASELINE.to_string() y2=BASELINE.to_string()></line>
                {rects}
                {labels}
            </svg>
            <div class="legend">{legend}</div>
            <p class="visually-hidden" id=desc_id data-testid="report-chart-values">{description}</p>
        </figure>
    }
}
