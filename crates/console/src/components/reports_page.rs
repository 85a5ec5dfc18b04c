//! Admins: the reports page. A range of days (the last 7 by default) counted in the
//! browser's time zone; the team's conversations per day, first response and resolution
//! times (median and p90, the team and each agent), the CSAT distribution, and a table of
//! every figure per agent; the CSV of the conversations behind them (`report-export`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::reports::{DurationFigures, Report, ReportFigures};

use super::report_chart::ReportChart;
use crate::logic::report_chart::{average_text, day_label, duration_text, ChartGroup};
use crate::state::use_console;
use crate::{api, download, local_dates};

fn duration_group(label: &str, figures: &DurationFigures) -> ChartGroup {
    ChartGroup {
        label: label.to_string(),
        values: vec![
            figures.median_ms.map(|v| v as f64),
            figures.p90_ms.map(|v| v as f64),
        ],
        texts: vec![
            duration_text(figures.median_ms),
            duration_text(figures.p90_ms),
        ],
    }
}

/// The team first, then each agent: one group per row of the table.
fn groups_of(report: &Report) -> Vec<(String, Option<String>, ReportFigures)> {
    std::iter::once(("Whole team".to_string(), None, report.team.clone()))
        .chain(report.agents.iter().map(|a| {
            (
                a.name.clone(),
                Some(a.agent_id.to_string()),
                a.figures.clone(),
            )
        }))
        .collect()
}

fn charts(report: &Report) -> impl IntoView {
    let per_day = report
        .days
        .iter()
        .zip(&report.team.per_day)
        .map(|(day, n)| ChartGroup {
            label: day_label(day),
            values: vec![Some(*n as f64)],
            texts: vec![n.to_string()],
        })
        .collect::<Vec<_>>();
    let groups = groups_of(report);
    let first_response = groups
        .iter()
        .map(|(name, _, f)| duration_group(name, &f.first_response))
        .collect::<Vec<_>>();
    let resolution = groups
        .iter()
        .map(|(name, _, f)| duration_group(name, &f.resolution))
        .collect::<Vec<_>>();
    let csat = (1..=5)
        .map(|stars| {
            let n = report.team.csat.distribution[stars - 1];
            ChartGroup {
                label: format!("{stars} ★"),
                values: vec![Some(n as f64)],
                texts: vec![n.to_string()],
            }
        })
        .collect::<Vec<_>>();
    view! {
        <div class="report-charts">
            <ReportChart key="per-day" title="Conversations per day (whole team)".to_string()
                series=vec!["conversations"] groups=per_day />
            <ReportChart key="first-response" title="First response time".to_string()
                series=vec!["median", "p90"] groups=first_response />
            <ReportChart key="resolution" title="Resolution time".to_string()
                series=vec!["median", "p90"] groups=resolution />
            <ReportChart key="csat" title=format!(
                "Ratings (whole team): average {}, {} rated",
                average_text(report.team.csat.average),
                report.team.csat.count,
            )
                series=vec!["ratings"] groups=csat />
        </div>
    }
}

fn table(report: &Report) -> impl IntoView {
    let rows = groups_of(report)
        .into_iter()
        .map(|(name, agent_id, f)| {
            let distribution = f
                .csat
                .distribution
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" / ");
            view! {
                <tr data-testid="report-row" data-agent=agent_id.unwrap_or_else(|| "team".to_string())>
                    <th scope="row">{name}</th>
                    <td data-figure="conversations">{f.conversations}</td>
                    <td data-figure="first-response-median">{duration_text(f.first_response.median_ms)}</td>
                    <td data-figure="first-response-p90">{duration_text(f.first_response.p90_ms)}</td>
                    <td data-figure="resolution-median">{duration_text(f.resolution.median_ms)}</td>
                    <td data-figure="resolution-p90">{duration_text(f.resolution.p90_ms)}</td>
                    <td data-figure="csat-average">{average_text(f.csat.average)}</td>
                    <td data-figure="csat-distribution">{distribution}</td>
                    <td data-figure="missed">{f.missed}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="report-table" data-testid="report-table">
            <caption>"Per agent (each agent's figures are the conversations they hold)"</caption>
            <thead>
                <tr>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Conversations"</th>
                    <th scope="col">"First response, median"</th>
                    <th scope="col">"First response, p90"</th>
                    <th scope="col">"Resolution, median"</th>
                    <th scope="col">"Resolution, p90"</th>
                    <th scope="col">"CSAT average"</th>
                    <th scope="col">"Ratings 1 / 2 / 3 / 4 / 5"</th>
                    <th scope="col">"Missed"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let state = use_console();
    let tz = local_dates::time_zone();
    let from = RwSignal::new(local_dates::days_ago(6));
    let to = RwSignal::new(local_dates::days_ago(0));
    let report = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let exporting = RwSignal::new(false);

    let load = {
        let tz = tz.clone();
        move || {
            let Some(token) = state.token() else { return };
            let (f, t, tz) = (from.get_untracked(), to.get_untracked(), tz.clone());
            loading.set(true);
            error.set(None);
            spawn_local(async move {
                let result = api::report(&token, &f, &t, &tz).await;
                loading.try_set(false);
                match result {
                    Ok(answer) => {
                        report.try_set(Some(answer));
                    }
                    Err(failure) => {
                        error.try_set(Some(failure.message));
                    }
                }
            });
        }
    };
    load();
    let show = {
        let load = load.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            load();
        }
    };
    let export = {
        let tz = tz.clone();
        move |_| {
            let Some(token) = state.token() else { return };
            let (f, t, tz) = (from.get_untracked(), to.get_untracked(), tz.clone());
            exporting.set(true);
            spawn_local(async move {
                let result = api::report_csv(&token, &f, &t, &tz).await;
                exporting.try_set(false);
                match result {
                    Ok(csv) => {
                        let name = format!("tidings-conversations-{f}-to-{t}.csv");
                        download::save_text(&name, "text/csv;charset=utf-8", &csv);
                    }
                    Err(failure) => {
                        error.try_set(Some(failure.message));
                    }
                }
            });
        }
    };

    view! {
        <section class="admin-screen reports-screen" aria-labelledby="reports-heading">
            <h2 id="reports-heading">"Reports"</h2>
            <form class="report-range" on:submit=show>
                <label>
                    "From"
                    <input type="date" data-testid="report-from" required
                        prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>
                    "To"
                    <input type="date" data-testid="report-to" required
                        prop:value=move || to.get()
                        on:input=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <span class="report-tz" data-testid="report-tz">{format!("Days in {tz}")}</span>
                <button type="submit" class="primary" data-testid="report-show" disabled=move || loading.get()>
                    "Show"
                </button>
                <button type="button" data-testid="report-export" on:click=export disabled=move || exporting.get()>
                    "Export CSV"
                </button>
            </form>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || report.get().map(|r| {
                view! {
                    <p class="report-summary" data-testid="report-summary">
                        {format!(
                            "{} conversations from {} to {}; {} missed.",
                            r.team.conversations, r.from, r.to, r.team.missed
                        )}
                    </p>
                    {charts(&r)}
                    {table(&r)}
                }
            })}
        </section>
    }
}
