//! The figures of a report, computed by the database: one row per conversation started in
//! the range (what the CSV export lists), and per group (the whole team, and each agent)
//! the conversations per day, the median and 90th percentile of first response and
//! resolution times, the CSAT average and distribution, and the missed chats.
//!
//! Every query is written once for both engines. Days are not computed by SQL (SQLite has
//! no time zones): the caller gives the start of each day in its time zone, in
//! milliseconds, and the query numbers the days from a `VALUES` list of them, so a day of
//! 23 or 25 hours (a DST change) counts exactly. Neither engine needs its own percentile
//! function either (SQLite has none): both rank the values with `ROW_NUMBER()` and take the
//! nearest rank, ⌈p·n/100⌉ (see [`percentile_sql`]).

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::Row;
use tidings_protocol::reports::{CsatFigures, DurationFigures, ReportFigures};
use uuid::Uuid;

use super::{opt_uuid_col, uuid_col};
use crate::db::Pool;
use crate::error::Result;

/// The days a report covers: `starts[i]` is when day `i` begins and `starts[i + 1]` when
/// it ends (milliseconds since the Unix epoch), so there is one more entry than days.
#[derive(Debug, Clone)]
pub struct DayBounds {
    pub starts: Vec<i64>,
}

impl DayBounds {
    pub fn days(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

/// One conversation of the range with every field a figure is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub conversation_id: Uuid,
    pub day_index: usize,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub status: String,
    pub started_at: i64,
    pub first_visitor_message_at: Option<i64>,
    pub first_agent_reply_at: Option<i64>,
    pub first_response_ms: Option<i64>,
    pub ended_at: Option<i64>,
    pub resolution_ms: Option<i64>,
    pub rating: Option<i64>,
    pub missed: bool,
}

/// The figures of the team (key `None`) and of each agent who held a conversation of the
/// range (key `Some(agent id)`).
pub type GroupFigures = HashMap<Option<Uuid>, ReportFigures>;

/// `WITH days …, measured …, grouped …`: the conversations of the range, one row each
/// with its day and measures (`measured`), and each of them once for the team (`grp` is
/// the empty string) and once more for its agent (`grp` is the agent's id) (`grouped`).
///
/// - first response: the first agent message (by seq) after the visitor's first message,
///   minus that visitor message's time; none without both.
/// - resolution: `ended_at - started_at`, for ended conversations only.
/// - missed: ended with no agent message at all (system notices and notes do not count).
fn with_measured(days: usize) -> String {
    let values = (0..days)
        .map(|i| {
            format!(
                "(CAST({i} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS BIGINT))",
                i + 1,
                i + 2
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let end = days + 1;
    format!(
        "WITH days (day_index, day_start, day_end) AS (VALUES {values}),
         base AS (
            SELECT c.id, d.day_index, c.assigned_agent_id AS agent_id, c.status,
                   c.started_at, c.ended_at, c.rating,
                   (SELECT v.created_at FROM messages v
                     WHERE v.conversation_id = c.id AND v.sender = 'visitor'
                     ORDER BY v.seq LIMIT 1) AS first_visitor_at,
                   (SELECT a.created_at FROM messages a
                     WHERE a.conversation_id = c.id AND a.sender = 'agent' AND a.is_note = 0
                       AND a.seq > (SELECT MIN(v.seq) FROM messages v
                                     WHERE v.conversation_id = c.id AND v.sender = 'visitor')
                     ORDER BY a.seq LIMIT 1) AS first_reply_at,
                   CASE WHEN c.status = 'ended' AND NOT EXISTS (
                            SELECT 1 FROM messages a
                             WHERE a.conversation_id = c.id AND a.sender = 'agent' AND a.is_note = 0)
                        THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS missed
              FROM conversations c
              JOIN days d ON c.started_at >= d.day_start AND c.started_at < d.day_end
             WHERE c.started_at >= CAST($1 AS BIGINT) AND c.started_at < CAST(${end} AS BIGINT)
         ),
         measured AS (
            SELECT b.*, b.first_reply_at - b.first_visitor_at AS first_response_ms,
                   CASE WHEN b.status = 'ended' THEN b.ended_at - b.started_at END
                       AS resolution_ms
              FROM base b
         ),
         grouped AS (
            SELECT '' AS grp, m.* FROM measured m
            UNION ALL
            SELECT m.agent_id AS grp, m.* FROM measured m WHERE m.agent_id IS NOT NULL
         )"
    )
}

/// A CTE named `name` with, per group, how many values of `column` there are (`n`), their
/// median and their 90th percentile, by the nearest-rank method: the values in ascending
/// order, the one at rank ⌈p·n/100⌉ (`(n·p + 99) / 100` in integer arithmetic, the same on
/// both engines). The median of an even count is so the lower of the two middle values.
fn percentile_sql(name: &str, column: &str) -> String {
    format!(
        "{name}_ranked AS (
            SELECT grp, {column} AS v,
                   ROW_NUMBER() OVER (PARTITION BY grp ORDER BY {column}) AS r,
                   COUNT(*) OVER (PARTITION BY grp) AS n
              FROM grouped WHERE {column} IS NOT NULL
         ),
         {name} AS (
            SELECT grp, MAX(n) AS n,
                   MAX(CASE WHEN r = (n * 50 + 99) / 100 THEN v END) AS median,
                   MAX(CASE WHEN r = (n * 90 + 99) / 100 THEN v END) AS p90
              FROM {name}_ranked GROUP BY grp
         )"
    )
}

fn bind_days<'q>(
    sql: &'q str,
    bounds: &DayBounds,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for start in &bounds.starts {
        query = query.bind(*start);
    }
    query
}

fn group_key(row: &AnyRow) -> Result<Option<Uuid>> {
    let grp: String = row.try_get("grp")?;
    if grp.is_empty() {
        return Ok(None);
    }
    Ok(Some(Uuid::parse_str(&grp).map_err(|e| {
        crate::error::Error::internal(format!("bad agent id in a report: {e}"))
    })?))
}

fn count(row: &AnyRow, column: &str) -> Result<u64> {
    let v: Option<i64> = row.try_get(column)?;
    Ok(v.unwrap_or(0).max(0) as u64)
}

fn durations(row: &AnyRow, prefix: &str) -> Result<DurationFigures> {
    Ok(DurationFigures {
        count: count(row, &format!("{prefix}_n"))?,
        median_ms: row.try_get(format!("{prefix}_median").as_str())?,
        p90_ms: row.try_get(format!("{prefix}_p90").as_str())?,
    })
}

/// The figures of the team and of each agent with conversations in the range.
pub async fn figures(pool: &Pool, bounds: &DayBounds) -> Result<GroupFigures> {
    let days = bounds.days();
    if days == 0 {
        return Ok(GroupFigures::new());
    }
    let summary_sql = format!(
        "{measured},
         {first_response},
         {resolution}
         SELECT s.grp, s.conversations, s.rated, s.csat_average,
                s.r1, s.r2, s.r3, s.r4, s.r5, s.missed,
                f.n AS first_response_n, f.median AS first_response_median,
                f.p90 AS first_response_p90,
                z.n AS resolution_n, z.median AS resolution_median, z.p90 AS resolution_p90
           FROM (SELECT grp, COUNT(*) AS conversations, COUNT(rating) AS rated,
                        AVG(CAST(rating AS DOUBLE PRECISION)) AS csat_average,
                        COUNT(CASE WHEN rating = 1 THEN 1 END) AS r1,
                        COUNT(CASE WHEN rating = 2 THEN 1 END) AS r2,
                        COUNT(CASE WHEN rating = 3 THEN 1 END) AS r3,
                        COUNT(CASE WHEN rating = 4 THEN 1 END) AS r4,
                        COUNT(CASE WHEN rating = 5 THEN 1 END) AS r5,
                        COUNT(CASE WHEN missed = 1 THEN 1 END) AS missed
                   FROM grouped GROUP BY grp) s
           LEFT JOIN first_response f ON f.grp = s.grp
           LEFT JOIN resolution z ON z.grp = s.grp",
        measured = with_measured(days),
        first_response = percentile_sql("first_response", "first_response_ms"),
        resolution = percentile_sql("resolution", "resolution_ms"),
    );
    let per_day_sql = format!(
        "{measured}
         SELECT grp, day_index, COUNT(*) AS n FROM grouped GROUP BY grp, day_index",
        measured = with_measured(days),
    );

    let mut groups = GroupFigures::new();
    for row in bind_days(&summary_sql, bounds).fetch_all(pool).await? {
        let figures = ReportFigures {
            conversations: count(&row, "conversations")?,
            per_day: vec![0; days],
            first_response: durations(&row, "first_response")?,
            resolution: durations(&row, "resolution")?,
            csat: CsatFigures {
                count: count(&row, "rated")?,
                average: row.try_get("csat_average")?,
                distribution: [
                    count(&row, "r1")?,
                    count(&row, "r2")?,
                    count(&row, "r3")?,
                    count(&row, "r4")?,
                    count(&row, "r5")?,
                ],
            },
            missed: count(&row, "missed")?,
        };
        groups.insert(group_key(&row)?, figures);
    }
    for row in bind_days(&per_day_sql, bounds).fetch_all(pool).await? {
        let day: i64 = row.try_get("day_index")?;
        let n = count(&row, "n")?;
        if let (Some(figures), Some(slot)) =
            (groups.get_mut(&group_key(&row)?), usize::try_from(day).ok())
        {
            if let Some(cell) = figures.per_day.get_mut(slot) {
                *cell = n;
            }
        }
    }
    Ok(groups)
}

/// Every conversation of the range, oldest first, with the fields its figures come from.
pub async fn rows(pool: &Pool, bounds: &DayBounds) -> Result<Vec<ReportRow>> {
    let days = bounds.days();
    if days == 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{measured}
         SELECT m.id, m.day_index, m.agent_id, ag.name AS agent_name, m.status,
                m.started_at, m.first_visitor_at, m.first_reply_at, m.first_response_ms,
                m.ended_at, m.resolution_ms, m.rating, m.missed
           FROM measured m LEFT JOIN agents ag ON ag.id = m.agent_id
          ORDER BY m.started_at, m.id",
        measured = with_measured(days),
    );
    let rows = bind_days(&sql, bounds).fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let day: i64 = row.try_get("day_index")?;
            let missed: i64 = row.try_get("missed")?;
            Ok(ReportRow {
                conversation_id: uuid_col(row, "id")?,
                day_index: usize::try_from(day).unwrap_or(0),
                agent_id: opt_uuid_col(row, "agent_id")?,
                agent_name: row.try_get("agent_name")?,
                status: row.try_get("status")?,
                started_at: row.try_get("started_at")?,
                first_visitor_message_at: row.try_get("first_visitor_at")?,
                first_agent_reply_at: row.try_get("first_reply_at")?,
                first_response_ms: row.try_get("first_response_ms")?,
                ended_at: row.try_get("ended_at")?,
                resolution_ms: row.try_get("resolution_ms")?,
                rating: row.try_get("rating")?,
                missed: missed != 0,
            })
        })
        .collect()
}

/// Every agent (id and name), by name: a report lists each, with zeros when they had
/// nothing in the range.
pub async fn agents(pool: &Pool) -> Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query("SELECT id, name FROM agents ORDER BY lower(name), id")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| Ok((uuid_col(row, "id")?, row.try_get("name")?)))
        .collect()
}
