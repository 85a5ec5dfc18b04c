//! Reports for admins (`GET /v1/reports`): how many conversations the team had each day,
//! how fast it answered and resolved them, how visitors rated them and how many were
//! missed, for the whole team and per agent, over a range of days in a time zone. Every
//! figure is computed by the database; `docs/console.md` defines each one, and the
//! percentile method, precisely.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most days one report covers (a leap year).
pub const MAX_REPORT_DAYS: usize = 366;

/// The median and 90th percentile of a duration, in milliseconds, over the conversations
/// that have it (`count`). Both are `null` when `count` is 0. Nearest-rank: the value at
/// rank ⌈p·n/100⌉ of the n values in ascending order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationFigures {
    pub count: u64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// The ratings visitors gave (1 to 5): how many, their mean (`null` with none), and how
/// many of each, `distribution[0]` being the 1-star ratings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CsatFigures {
    pub count: u64,
    pub average: Option<f64>,
    pub distribution: [u64; 5],
}

/// The figures of one group (the team, or one agent) over the report's days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportFigures {
    /// Conversations started in the range.
    pub conversations: u64,
    /// Conversations started on each day of the range, in the order of `Report::days`.
    pub per_day: Vec<u64>,
    pub first_response: DurationFigures,
    pub resolution: DurationFigures,
    pub csat: CsatFigures,
    /// Ended conversations in which no agent wrote anything.
    pub missed: u64,
}

/// One agent's figures: the conversations they hold (or held when they ended).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentReport {
    pub agent_id: Uuid,
    pub name: String,
    #[serde(flatten)]
    pub figures: ReportFigures,
}

/// `GET /v1/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=Area/City` (admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// First and last day of the range (both included), in `tz`.
    pub from: String,
    pub to: String,
    /// The IANA time zone days were counted in.
    pub tz: String,
    /// Every day of the range, `YYYY-MM-DD`.
    pub days: Vec<String>,
    /// Every conversation started in the range, whoever held it.
    pub team: ReportFigures,
    /// Every agent, by name, with the conversations they hold.
    pub agents: Vec<AgentReport>,
}
