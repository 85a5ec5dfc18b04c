//! Admins: the reports page. A range of days (the last 7 by default) counted in the
//! browser's time zone; the team's conversations per day, first response and resolution
//! times (median and p90, the team and each agent), the CSAT distribution, and a table of
//! every figure per agent; the CSV of the conversations behind them (`report-export`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::reports::{DurationFigures, Report, ReportFigures};

use super::report_chart::ReportChart;
use crate::localized::report_day_label;
use crate::logic::report_chart::{average_text, duration_text, ChartGroup};
use crate::state::use_console;
use crate::texts::{t, tf, tn};
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
    std::iter::once((t("reports_page.whole_team"), None, report.team.clone()))
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
            label: report_day_label(day),
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
            <ReportChart key="per-day" title=t("reports_page.conversations_per_day_whole_team").to_string()
                series=vec!["conversations"] groups=per_day />
            <ReportChart key="first-response" title=t("reports_page.first_response_time").to_string()
                series=vec!["median", "p90"] groups=first_response />
            <ReportChart key="resolution" title=t("reports_page.resolution_time").to_string()
                series=vec!["median", "p90"] groups=resolution />
            <ReportChart key="csat" title=tn(
                "reports_page.ratings_title",
                report.team.csat.count,
                &[("average", &average_text(report.team.csat.average))],
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
            <caption>{t("reports_page.per_agent_each_agent_s")}</caption>
            <thead>
                <tr>
                    <th scope="col">{t("reports_page.who")}</th>
                    <th scope="col">{t("reports_page.conversations")}</th>
                    <th scope="col">{t("reports_page.first_response_median")}</th>
                    <th scope="col">{t("reports_page.first_response_p90")}</th>
                    <th scope="col">{t("reports_page.resolution_median")}</th>
                    <th scope="col">{t("reports_page.resolution_p90")}</th>
                    <th scope="col">{t("reports_page.csat_average")}</th>
                    <th scope="col">{t("reports_page.ratings_1_2_3_4")}</th>
                    <th scope="col">{t("reports_page.missed")}</th>
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
            <h2 id="reports-heading">{t("reports_page.reports")}</h2>
            <form class="report-range" on:submit=show>
                <label>
                    {t("reports_page.from")}
                    <input type="date" data-testid="report-from" required
                        prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>
                    {t("reports_page.to")}
                    <input type="date" data-testid="report-to" required
                        prop:value=move || to.get()
                        on:input=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <span class="report-tz" data-testid="report-tz">{tf("reports_page.days_in", &[("zone", &tz)])}</span>
                <button type="submit" class="primary" data-testid="report-show" disabled=move || loading.get()>
                    {t("reports_page.show")}
                </button>
                <button type="button" data-testid="report-export" on:click=export disabled=move || exporting.get()>
                    {t("reports_page.export_csv")}
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
