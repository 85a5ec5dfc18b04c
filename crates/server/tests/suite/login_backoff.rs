//! A flood of wrong-password logins for one account: past a few failures the account backs
//! off (429 `rate_limited` with `Retry-After`, before any password hashing), while another
//! account's correct login still succeeds. Per-address limits are off here, so what holds
//! the flood back is the per-account backoff alone.

use crate::common;

use common::{test_settings, TestServer, AGENT_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use tidings_server::Settings;

async fn login(server: &TestServer, email: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/v1/agents/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_for_one_account_backs_off_while_another_logs_in() {
    let server = TestServer::start_with_settings(Settings {
        login_per_minute: 0,
        ..test_settings()
    })
    .await;
    server.agent("Ada", false).await;
    server.agent("Bob", false).await;

    let guesses: Vec<_> = (0..24)
        .map(|i| {
            let url = server.url("/v1/agents/login");
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .json(&json!({"email": "ADA@example.test", "password": format!("guess {i}")}))
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let bob = login(&server, "bob@example.test", AGENT_PASSWORD).await;
    assert_eq!(bob.status(), StatusCode::OK, "another account logs in");

    let (mut refused, mut limited) = (0, 0);
    for guess in guesses {
        let response = guess.await.unwrap();
        match response.status() {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                limited += 1;
                let retry: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(retry >= 1);
                let body: serde_json::Value = response.json().await.unwrap();
                assert_eq!(body["code"], "rate_limited");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        refused <= tidings_server::login_guard::FREE_FAILURES as usize,
        "at most the free failures were checked: {refused}"
    );
    assert!(limited >= 24 - refused, "the rest backed off: {limited}");

    // The account now backs off, even for its right password; Bob is untouched.
    let ada = login(&server, "ada@example.test", AGENT_PASSWORD).await;
    assert_eq!(ada.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(ada.headers().contains_key("retry-after"));
    let bob = login(&server, "bob@example.test", AGENT_PASSWORD).await;
    assert_eq!(bob.status(), StatusCode::OK);
    server.stop().await;
}
