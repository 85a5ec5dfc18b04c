//! Reports: a fixture of conversations and messages with chosen timestamps, and the exact
//! figures the database must compute from it (conversations per day in a time zone across
//! a DST change, first response and resolution median and p90, CSAT, missed chats), for
//! the team and per agent; the CSV export's rows and quoting; only admins may read them.
//! Runs on SQLite and, with `TIDINGS_TEST_BACKEND=postgres`, on PostgreSQL.

use crate::common;

use common::TestServer;
use jiff::Timestamp;
use reqwest::StatusCode;
use tidings_protocol::reports::{CsatFigures, DurationFigures, Report, ReportFigures};
use uuid::Uuid;

/// Milliseconds of an RFC 3339 time.
fn at(text: &str) -> i64 {
    text.parse::<Timestamp>().unwrap().as_millisecond()
}

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;

/// One conversation of the fixture.
struct Fixture<'a> {
    started: &'a str,
    agent: Option<Uuid>,
    status: &'a str,
    /// Messages: (sender, milliseconds after the start).
    messages: &'a [(&'a str, i64)],
    ended_after: Option<i64>,
    rating: Option<i64>,
}

async fn insert(server: &TestServer, visitor: Uuid, f: Fixture<'_>) -> Uuid {
    let pool = &server.state.pool;
    let id = Uuid::new_v4();
    let started = at(f.started);
    let ended = f.ended_after.map(|d| started + d);
    sqlx::query(
        "INSERT INTO conversations (id, visitor_id, status, assigned_agent_id, started_at,
             assigned_at, ended_at, rating, last_seq, last_activity_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $5)",
    )
    .bind(id.to_string())
    .bind(visitor.to_string())
    .bind(f.status)
    .bind(f.agent.map(|a| a.to_string()))
    .bind(started)
    .bind(f.agent.map(|_| started))
    .bind(ended)
    .bind(f.rating)
    .bind(f.messages.len() as i64)
    .execute(pool)
    .await
    .unwrap();
    for (i, (sender, after)) in f.messages.iter().enumerate() {
        // A private note is stored as an agent's message marked `is_note`.
        let is_note = *sender == "note";
        let sender = if is_note { "agent" } else { *sender };
        let agent = (sender == "agent").then(|| f.agent.map(|a| a.to_string()));
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, seq, sender, agent_id, body, created_at,
                                   is_note)
             VALUES ($1, $2, $3, $4, $5, 'text', $6, $7)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(id.to_string())
        .bind(i as i64 + 1)
        .bind(sender)
        .bind(agent.flatten())
        .bind(started + after)
        .bind(i64::from(is_note))
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

fn durations(count: u64, median: Option<i64>, p90: Option<i64>) -> DurationFigures {
    DurationFigures {
        count,
        median_ms: median,
        p90_ms: p90,
    }
}

/// The fixture: 2026-03-28 to 2026-03-30 in Paris, where the clocks go forward on the
/// 29th (a 23-hour day), plus a conversation on each side of the range.
struct World {
    server: TestServer,
    admin_token: String,
    agent_token: String,
    ada: Uuid,
    grace: Uuid,
    zed: Uuid,
    ids: Vec<Uuid>,
}

async fn world() -> World {
    let server = TestServer::start().await;
    let (ada, admin_token) = server.agent("Ada", true).await;
    let (grace, agent_token) = server.agent("Grace", false).await;
    let (zed, _) = server.agent("Zed", false).await;
    // A name a spreadsheet would run as a formula, with a comma and quotes to quote.
    sqlx::query("UPDATE agents SET name = $1 WHERE id = $2")
        .bind("=Grace, \"G\"")
        .bind(grace.id.to_string())
        .execute(&server.state.pool)
        .await
        .unwrap();
    let (visitor, _) = server.visitor().await;
    let (a, g) = (Some(ada.id), Some(grace.id));
    let v = "visitor";
    let ag = "agent";
    let sys = "system";
    let fixtures = [
        // c1, the 28th: a system notice does not answer; the reply 30 s after.
        Fixture {
            started: "2026-03-28T10:00:00+01:00",
            agent: a,
            status: "ended",
            messages: &[(v, 0), (sys, SECOND), (ag, 30 * SECOND)],
            ended_after: Some(10 * MINUTE),
            rating: Some(5),
        },
        // c2, the 28th: measured from the visitor's first message.
        Fixture {
            started: "2026-03-28T11:00:00+01:00",
            agent: a,
            status: "ended",
            messages: &[(v, 0), (v, 5 * SECOND), (ag, 90 * SECOND)],
            ended_after: Some(30 * MINUTE),
            rating: Some(4),
        },
        // c3, the 29th after the change: still active, so no resolution.
        Fixture {
            started: "2026-03-29T12:00:00+02:00",
            agent: a,
            status: "active",
            messages: &[(v, 0), (ag, 10 * SECOND)],
            ended_after: None,
            rating: None,
        },
        // c4, 00:30 on the 30th in Paris (22:30 UTC on the 29th): claimed, closed with no
        // reply (a private note is no reply), so missed.
        Fixture {
            started: "2026-03-30T00:30:00+02:00",
            agent: a,
            status: "ended",
            messages: &[(v, 0), (sys, SECOND), ("note", 2 * SECOND)],
            ended_after: Some(5 * MINUTE),
            rating: Some(1),
        },
        // c5, the 29th.
        Fixture {
            started: "2026-03-29T09:00:00+02:00",
            agent: g,
            status: "ended",
            messages: &[(v, 0), (ag, 120 * SECOND)],
            ended_after: Some(60 * MINUTE),
            rating: Some(3),
        },
        // c6, the 30th.
        Fixture {
            started: "2026-03-30T15:00:00+02:00",
            agent: g,
            status: "ended",
            messages: &[(v, 0), (ag, 45 * SECOND), (v, 50 * SECOND)],
            ended_after: Some(20 * MINUTE),
            rating: Some(5),
        },
        // c7, the 30th: still waiting.
        Fixture {
            started: "2026-03-30T16:00:00+02:00",
            agent: None,
            status: "waiting",
            messages: &[(v, 0)],
            ended_after: None,
            rating: None,
        },
        // c8, the 28th: ended from the queue, nobody answered.
        Fixture {
            started: "2026-03-28T20:00:00+01:00",
            agent: None,
            status: "ended",
            messages: &[(v, 0)],
            ended_after: Some(2 * MINUTE),
            rating: None,
        },
        // Outside: a minute before the range, and the instant it ends.
        Fixture {
            started: "2026-03-27T23:59:00+01:00",
            agent: a,
            status: "ended",
            messages: &[(v, 0), (ag, SECOND)],
            ended_after: Some(MINUTE),
            rating: Some(2),
        },
        Fixture {
            started: "2026-03-31T00:00:00+02:00",
            agent: g,
            status: "ended",
            messages: &[(v, 0)],
            ended_after: Some(MINUTE),
            rating: Some(2),
        },
    ];
    let mut ids = Vec::new();
    for fixture in fixtures {
        ids.push(insert(&server, visitor, fixture).await);
    }
    World {
        server,
        admin_token,
        agent_token,
        ada: ada.id,
        grace: grace.id,
        zed: zed.id,
        ids,
    }
}

const RANGE: &str = "from=2026-03-28&to=2026-03-30&tz=Europe/Paris";

#[tokio::test]
async fn the_figures_are_exact_for_the_team_and_each_agent() {
    let w = world().await;
    let response = w
        .server
        .get(&format!("/v1/reports?{RANGE}"), &w.admin_token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Report = response.json().await.unwrap();
    assert_eq!(report.days, ["2026-03-28", "2026-03-29", "2026-03-30"]);
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        ("2026-03-28", "2026-03-30")
    );
    assert_eq!(report.tz, "Europe/Paris");

    assert_eq!(
        report.team,
        ReportFigures {
            conversations: 8,
            per_day: vec![3, 2, 3],
            // [10, 30, 45, 90, 120] s: ranks 3 and 5.
            first_response: durations(5, Some(45 * SECOND), Some(120 * SECOND)),
            // [2, 5, 10, 20, 30, 60] min: ranks 3 and 6.
            resolution: durations(6, Some(10 * MINUTE), Some(60 * MINUTE)),
            csat: CsatFigures {
                count: 5,
                average: Some(3.6),
                distribution: [1, 0, 1, 1, 2],
            },
            missed: 2,
        }
    );

    let names: Vec<_> = report.agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["=Grace, \"G\"", "Ada", "Zed"],
        "every agent, by name"
    );
    let of = |id: Uuid| {
        &report
            .agents
            .iter()
            .find(|a| a.agent_id == id)
            .unwrap()
            .figures
    };
    let ada = of(w.ada);
    assert_eq!(ada.conversations, 4);
    assert_eq!(ada.per_day, [2, 1, 1]);
    // [10, 30, 90] s: ranks 2 and 3.
    assert_eq!(
        ada.first_response,
        durations(3, Some(30 * SECOND), Some(90 * SECOND))
    );
    // [5, 10, 30] min.
    assert_eq!(
        ada.resolution,
        durations(3, Some(10 * MINUTE), Some(30 * MINUTE))
    );
    assert_eq!(ada.csat.count, 3);
    assert_eq!(ada.csat.distribution, [1, 0, 0, 1, 1]);
    assert!((ada.csat.average.unwrap() - 10.0 / 3.0).abs() < 1e-9);
    assert_eq!(ada.missed, 1);

    assert_eq!(
        *of(w.grace),
        ReportFigures {
            conversations: 2,
            per_day: vec![0, 1, 1],
            // [45, 120] s: the median of an even count is the lower middle (rank 1).
            first_response: durations(2, Some(45 * SECOND), Some(120 * SECOND)),
            resolution: durations(2, Some(20 * MINUTE), Some(60 * MINUTE)),
            csat: CsatFigures {
                count: 2,
                average: Some(4.0),
                distribution: [0, 0, 1, 0, 1],
            },
            missed: 0,
        }
    );
    assert_eq!(
        *of(w.zed),
        ReportFigures {
            per_day: vec![0, 0, 0],
            ..Default::default()
        },
        "an agent with nothing in the range has zeros and no percentiles"
    );

    // The same instants counted in UTC fall on other days: c4 (22:30 UTC) moves to the
    // 29th, and the conversation at midnight on the 31st in Paris (22:00 UTC on the 30th)
    // comes into the range.
    let utc: Report = w
        .server
        .get_json(
            "/v1/reports?from=2026-03-28&to=2026-03-30&tz=UTC",
            &w.admin_token,
        )
        .await;
    assert_eq!(utc.team.per_day, [3, 3, 3]);
    // Without a zone, days are UTC days.
    let default: Report = w
        .server
        .get_json("/v1/reports?from=2026-03-28&to=2026-03-30", &w.admin_token)
        .await;
    assert_eq!(default.tz, "UTC");
    assert_eq!(default.team.per_day, [3, 3, 3]);
    w.server.stop().await;
}

#[tokio::test]
async fn the_csv_lists_each_conversation_with_its_fields_quoted_and_defused() {
    let w = world().await;
    let response = w
        .server
        .get(
            &format!("/v1/reports/conversations.csv?{RANGE}"),
            &w.admin_token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        "attachment; filename=\"tidings-conversations-2026-03-28-to-2026-03-30.csv\""
    );
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.split_terminator("\r\n").collect();
    assert_eq!(
        lines[0],
        "conversation_id,day,agent_id,agent_name,status,started_at,first_visitor_message_at,\
         first_agent_reply_at,first_response_ms,ended_at,resolution_ms,rating,missed"
    );
    assert_eq!(
        lines.len(),
        9,
        "a header and the eight conversations: {body}"
    );
    // Oldest first: c1, c2, c8, c5, c3, c4, c6, c7.
    let order: Vec<Uuid> = lines[1..]
        .iter()
        .map(|l| Uuid::parse_str(&l[..36]).unwrap())
        .collect();
    let c = &w.ids;
    assert_eq!(order, [c[0], c[1], c[7], c[4], c[2], c[3], c[5], c[6]]);
    assert_eq!(
        lines[1],
        format!(
            "{},2026-03-28,{},Ada,ended,2026-03-28T10:00:00.000+01:00,\
             2026-03-28T10:00:00.000+01:00,2026-03-28T10:00:30.000+01:00,30000,\
             2026-03-28T10:10:00.000+01:00,600000,5,0",
            c[0], w.ada
        )
    );
    // c4: the 30th in Paris, missed, no reply.
    assert_eq!(
        lines[6],
        format!(
            "{},2026-03-30,{},Ada,ended,2026-03-30T00:30:00.000+02:00,\
             2026-03-30T00:30:00.000+02:00,,,2026-03-30T00:35:00.000+02:00,300000,1,1",
            c[3], w.ada
        )
    );
    // c5: the name quoted (comma, quotes) and kept from running as a formula.
    assert_eq!(
        lines[4],
        format!(
            "{},2026-03-29,{},\"'=Grace, \"\"G\"\"\",ended,2026-03-29T09:00:00.000+02:00,\
             2026-03-29T09:00:00.000+02:00,2026-03-29T09:02:00.000+02:00,120000,\
             2026-03-29T10:00:00.000+02:00,3600000,3,0",
            c[4], w.grace
        )
    );
    // c7: waiting, nobody's, nothing measured yet.
    assert_eq!(
        lines[8],
        format!(
            "{},2026-03-30,,,waiting,2026-03-30T16:00:00.000+02:00,\
             2026-03-30T16:00:00.000+02:00,,,,,,0",
            c[6]
        )
    );
    w.server.stop().await;
}

#[tokio::test]
async fn only_admins_read_reports_and_bad_ranges_are_refused() {
    let w = world().await;
    for path in ["/v1/reports", "/v1/reports/conversations.csv"] {
        let plain = w
            .server
            .get(&format!("{path}?{RANGE}"), &w.agent_token)
            .await;
        assert_eq!(plain.status(), StatusCode::FORBIDDEN, "{path}");
        let (_, visitor_token) = w.server.visitor().await;
        let visitor = w
            .server
            .get(&format!("{path}?{RANGE}"), &visitor_token)
            .await;
        assert_eq!(visitor.status(), StatusCode::FORBIDDEN, "{path}");
        let nobody = reqwest::Client::new()
            .get(w.server.url(&format!("{path}?{RANGE}")))
            .send()
            .await
            .unwrap();
        assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED, "{path}");
        for query in [
            "from=2026-03-30&to=2026-03-28",
            "from=2026-02-30&to=2026-03-01",
            "from=yesterday&to=2026-03-01",
            "from=2026-03-28&to=2026-03-30&tz=Mars/Olympus_Mons",
            "from=2025-01-01&to=2026-01-02",
            "from=2026-03-28",
            "from=2026-03-28&to=2026-03-30&extra=1",
        ] {
            let response = w
                .server
                .get(&format!("{path}?{query}"), &w.admin_token)
                .await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}?{query}");
            let error: serde_json::Value = response.json().await.unwrap();
            assert_eq!(error["code"], "invalid_field", "{path}?{query}");
        }
    }
    // A whole leap year is the longest range.
    let year = w
        .server
        .get("/v1/reports?from=2028-01-01&to=2028-12-31", &w.admin_token)
        .await;
    assert_eq!(year.status(), StatusCode::OK);
    let year: Report = year.json().await.unwrap();
    assert_eq!(year.days.len(), 366);
    assert_eq!(year.team.conversations, 0);
    w.server.stop().await;
}
