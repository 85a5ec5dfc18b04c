//! Reports over HTTP (admins only): `GET /v1/reports` answers the figures of a range of
//! days as JSON, `GET /v1/reports/conversations.csv` the conversations they are computed
//! from, one CSV row each. Both take `from` and `to` (`YYYY-MM-DD`, both included) and
//! `tz` (an IANA time zone such as `Europe/Paris`, UTC when absent), which says when each
//! day begins; the database does the counting (`store::reports`).

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Deserialize;
use tidings_protocol::reports::{AgentReport, Report, MAX_REPORT_DAYS};

use super::{AdminAuth, ApiQuery};
use crate::csv::{push_record, Field};
use crate::error::{Error, Result};
use crate::store::reports::{self, DayBounds, ReportRow};
use crate::AppState;

/// The query of both endpoints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub tz: Option<String>,
}

/// A checked range: its days, when each begins, and the zone.
struct Range {
    from: Date,
    days: Vec<Date>,
    bounds: DayBounds,
    tz: TimeZone,
    tz_name: String,
}

fn parse_date(raw: &str, name: &str) -> Result<Date> {
    raw.trim()
        .parse::<Date>()
        .map_err(|_| Error::invalid(format!("{name} must be a date, YYYY-MM-DD")))
}

/// Reads and checks the range: real dates, `from` not after `to`, at most
/// [`MAX_REPORT_DAYS`] days, a known time zone. Each day begins at its first instant in
/// the zone (midnight, or the instant a DST gap jumps to), so days are 23 to 25 hours long
/// where the clocks change.
fn range(query: &RangeQuery) -> Result<Range> {
    let from = parse_date(&query.from, "from")?;
    let to = parse_date(&query.to, "to")?;
    if to < from {
        return Err(Error::invalid("to must not be before from"));
    }
    let tz_name = query
        .tz
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("UTC")
        .to_string();
    if tz_name.len() > 64 {
        return Err(Error::invalid("tz is not a known time zone"));
    }
    let tz = TimeZone::get(&tz_name)
        .map_err(|_| Error::invalid(format!("tz {tz_name:?} is not a known time zone")))?;
    let mut days = Vec::new();
    let mut starts = Vec::new();
    let mut day = from;
    loop {
        if days.len() > MAX_REPORT_DAYS {
            return Err(Error::invalid(format!(
                "a report covers at most {MAX_REPORT_DAYS} days"
            )));
        }
        let start = day
            .to_zoned_datetime(tz.clone())
            .map_err(|_| Error::invalid("the range is outside the dates a report can cover"))?;
        starts.push(start.timestamp().as_millisecond());
        if day > to {
            break;
        }
        days.push(day);
        day = day
            .tomorrow()
            .map_err(|_| Error::invalid("the range is outside the dates a report can cover"))?;
    }
    Ok(Range {
        from,
        days,
        bounds: DayBounds { starts },
        tz,
        tz_name,
    })
}

/// `GET /v1/reports?from=…&to=…&tz=…` (admins).
pub async fn report(
    State(state): State<AppState>,
    AdminAuth(_): AdminAuth,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<Report>> {
    let range = range(&query)?;
    let mut groups = reports::figures(&state.pool, &range.bounds).await?;
    let empty = || tidings_protocol::reports::ReportFigures {
        per_day: vec![0; range.days.len()],
        ..Default::default()
    };
    let agents = reports::agents(&state.pool)
        .await?
        .into_iter()
        .map(|(agent_id, name)| AgentReport {
            agent_id,
            name,
            figures: groups.remove(&Some(agent_id)).unwrap_or_else(empty),
        })
        .collect();
    Ok(Json(Report {
        from: range.from.to_string(),
        to: range.days.last().copied().unwrap_or(range.from).to_string(),
        tz: range.tz_name.clone(),
        days: range.days.iter().map(Date::to_string).collect(),
        team: groups.remove(&None).unwrap_or_else(empty),
        agents,
    }))
}

/// The columns of the CSV export, in order.
pub const CSV_COLUMNS: [&str; 13] = [
    "conversation_id",
    "day",
    "agent_id",
    "agent_name",
    "status",
    "started_at",
    "first_visitor_message_at",
    "first_agent_reply_at",
    "first_response_ms",
    "ended_at",
    "resolution_ms",
    "rating",
    "missed",
];

/// A time as RFC 3339 in the report's zone, to the millisecond.
fn local_time(tz: &TimeZone, millis: Option<i64>) -> Option<String> {
    let at = Timestamp::from_millisecond(millis?).ok()?;
    Some(
        at.to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string(),
    )
}

fn csv_record(out: &mut String, range: &Range, row: &ReportRow) {
    let id = row.conversation_id.to_string();
    let day = range
        .days
        .get(row.day_index)
        .map(Date::to_string)
        .unwrap_or_default();
    let agent_id = row.agent_id.map(|a| a.to_string());
    let started = local_time(&range.tz, Some(row.started_at));
    let visitor_at = local_time(&range.tz, row.first_visitor_message_at);
    let reply_at = local_time(&range.tz, row.first_agent_reply_at);
    let ended = local_time(&range.tz, row.ended_at);
    push_record(
        out,
        &[
            Field::Text(&id),
            Field::Text(&day),
            agent_id.as_deref().into(),
            row.agent_name.as_deref().into(),
            Field::Text(&row.status),
            started.as_deref().into(),
            visitor_at.as_deref().into(),
            reply_at.as_deref().into(),
            row.first_response_ms.into(),
            ended.as_deref().into(),
            row.resolution_ms.into(),
            row.rating.into(),
            Field::Number(i64::from(row.missed)),
        ],
    );
}

/// `GET /v1/reports/conversations.csv?from=…&to=…&tz=…` (admins): one row per conversation
/// started in the range, oldest first, with every field the figures use; times in `tz`.
pub async fn conversations_csv(
    State(state): State<AppState>,
    AdminAuth(_): AdminAuth,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Response> {
    let range = range(&query)?;
    let rows = reports::rows(&state.pool, &range.bounds).await?;
    let mut out = String::with_capacity(64 + rows.len() * 200);
    let header = CSV_COLUMNS.map(Field::Text);
    push_record(&mut out, &header);
    for row in &rows {
        csv_record(&mut out, &range, row);
    }
    let last = range.days.last().copied().unwrap_or(range.from);
    let disposition = format!(
        "attachment; filename=\"tidings-conversations-{}-to-{last}.csv\"",
        range.from
    );
    Ok((
        [
            (
                CONTENT_TYPE,
                "text/csv; charset=utf-8; header=present".to_string(),
            ),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        out,
    )
        .into_response())
}
