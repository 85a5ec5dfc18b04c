//! Per-IP limits on visitor creation and agent login, through real sockets: a client over
//! the limit gets 429 `rate_limited` with `Retry-After`, another address (127.0.0.2, also
//! loopback) is not affected, the two limits are separate, and `0` disables a limit. A
//! node-wide limit on new visitors holds against a flood from many addresses.

use crate::common;

use std::net::{IpAddr, Ipv4Addr};

use clap::Parser;
use common::{TestServer, AGENT_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tidings_server::cli::{Cli, Command};

fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::from(ip)))
        .build()
        .unwrap()
}

async fn create_visitor(server: &TestServer, client: &reqwest::Client) -> reqwest::Response {
    client
        .post(server.url("/v1/visitors"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
}

async fn login(server: &TestServer, client: &reqwest::Client, password: &str) -> StatusCode {
    client
        .post(server.url("/v1/agents/login"))
        .json(&json!({"email": "ada@example.test", "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

/// Asserts a 429 `rate_limited` with a `Retry-After` in seconds.
async fn assert_limited(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited", "{body}");
    assert!(body["message"].as_str().unwrap().contains("try again"));
}

#[tokio::test]
async fn visitor_creation_and_login_are_limited_per_address() {
    let mut settings = common::test_settings();
    settings.visitor_create_per_minute = 3;
    settings.login_per_minute = 2;
    let server = TestServer::start_with_settings(settings).await;
    server.agent("Ada", false).await;
    let local = client_from([127, 0, 0, 1]);
    let other = client_from([127, 0, 0, 2]);

    for _ in 0..3 {
        assert_eq!(
            create_visitor(&server, &local).await.status(),
            StatusCode::CREATED
        );
    }
    assert_limited(create_visitor(&server, &local).await).await;
    // A bad body over the limit is refused by the limit, before the body is read.
    let response = local
        .post(server.url("/v1/visitors"))
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_limited(response).await;
    assert_eq!(
        create_visitor(&server, &other).await.status(),
        StatusCode::CREATED
    );

    // Logins count separately; wrong passwords count too, and the right one is refused
    // once the address is over the limit.
    assert_eq!(
        login(&server, &local, "wrong password").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&server, &local, "wrong again!").await,
        StatusCode::UNAUTHORIZED
    );
    let response = local
        .post(server.url("/v1/agents/login"))
        .json(&json!({"email": "ada@example.test", "password": AGENT_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_limited(response).await;
    assert_eq!(login(&server, &other, AGENT_PASSWORD).await, StatusCode::OK);

    // Everything else is untouched for the limited address.
    let health = local.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn new_visitors_are_limited_on_the_node_across_addresses() {
    let mut settings = common::test_settings();
    settings.visitor_create_per_minute = 2;
    settings.visitor_create_global_per_minute = 5;
    let server = TestServer::start_with_settings(settings).await;
    // Five addresses, one visitor each: every address is far below its own limit.
    for last in 1..=5u8 {
        let client = client_from([127, 0, 0, last]);
        assert_eq!(
            create_visitor(&server, &client).await.status(),
            StatusCode::CREATED
        );
    }
    // A sixth address, fresh as far as its own limit goes, meets the node's.
    assert_limited(create_visitor(&server, &client_from([127, 0, 0, 6])).await).await;
    let again = create_visitor(&server, &client_from([127, 0, 0, 7])).await;
    let body: Value = {
        assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
        again.json().await.unwrap()
    };
    assert!(
        body["message"].as_str().unwrap().contains("on this server"),
        "{body}"
    );
    // The per-address limit still comes first: an address over its own is told so.
    let local = client_from([127, 0, 0, 1]);
    create_visitor(&server, &local).await;
    let body: Value = create_visitor(&server, &local).await.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("this address"),
        "{body}"
    );
    // Other requests are not affected.
    let health = local.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn zero_disables_the_limits() {
    let mut settings = common::test_settings();
    settings.visitor_create_per_minute = 0;
    settings.visitor_create_global_per_minute = 0;
    settings.login_per_minute = 0;
    let server = TestServer::start_with_settings(settings).await;
    let local = client_from([127, 0, 0, 1]);
    // More than the default limit of 60 a minute.
    for _ in 0..70 {
        assert_eq!(
            create_visitor(&server, &local).await.status(),
            StatusCode::CREATED
        );
    }
    // Each for another account: one account backs off after a few failures whatever the
    // address (tests/suite/login_backoff.rs).
    for i in 0..25 {
        let status = local
            .post(server.url("/v1/agents/login"))
            .json(&json!({"email": format!("nobody{i}@example.test"), "password": "wrong"}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    server.stop().await;
}

#[test]
fn limits_come_from_flags_with_defaults() {
    let settings = |args: &[&str]| {
        let mut argv = vec!["tidings-server", "serve"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Serve(serve) => serve.settings(),
            other => panic!("parsed {other:?}"),
        }
    };
    let defaults = settings(&[]);
    assert_eq!(defaults.visitor_create_per_minute, 60);
    assert_eq!(defaults.visitor_create_global_per_minute, 600);
    assert_eq!(defaults.login_per_minute, 20);
    let configured = settings(&[
        "--visitor-create-per-minute",
        "0",
        "--visitor-create-global-per-minute",
        "0",
        "--login-per-minute",
        "5",
    ]);
    assert_eq!(configured.visitor_create_per_minute, 0);
    assert_eq!(configured.visitor_create_global_per_minute, 0);
    assert_eq!(configured.login_per_minute, 5);
}
