//! The page a visitor is on, as agents see it: without its query and fragment (where reset
//! and login tokens live) unless the site owner keeps them (`--keep-page-query`), whether
//! it came with the new visitor or with a later `PATCH /v1/visitor`.

use crate::common;

use common::{Client, TestServer};
use serde_json::json;
use tidings_protocol::http::ConversationList;
use uuid::Uuid;

const SECRET_PAGE: &str = "https://shop.example/account/reset?token=s3cret&next=/#step-2";

/// A visitor on `first_page` who moves to `patched_page` and writes: the page agents see.
async fn page_agents_see(
    server: &TestServer,
    first_page: &str,
    patched_page: Option<&str>,
) -> Option<String> {
    let (_, token) =
        common::create_visitor_with(&server.url(""), json!({ "page_url": first_page })).await;
    if let Some(page) = patched_page {
        let patched = reqwest::Client::new()
            .patch(server.url("/v1/visitor"))
            .bearer_auth(&token)
            .json(&json!({ "page_url": page }))
            .send()
            .await
            .unwrap();
        assert!(patched.status().is_success());
    }
    let (mut visitor, _) = Client::connect(server, &token).await;
    visitor.send_message(Uuid::new_v4(), None, "hello").await;
    let (_, admin) = server.agent("Grace", true).await;
    let list: ConversationList = server
        .get_json("/v1/conversations?filter=all", &admin)
        .await;
    list.conversations.into_iter().next().unwrap().page_url
}

#[tokio::test]
async fn the_query_and_fragment_of_a_page_are_not_kept_by_default() {
    let server = TestServer::start().await;
    assert_eq!(
        page_agents_see(&server, SECRET_PAGE, None).await.as_deref(),
        Some("https://shop.example/account/reset")
    );
    server.stop().await;

    let server = TestServer::start().await;
    assert_eq!(
        page_agents_see(&server, "https://shop.example/", Some(SECRET_PAGE))
            .await
            .as_deref(),
        Some("https://shop.example/account/reset"),
        "a page told later is cut the same way"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_site_owner_may_keep_whole_page_urls() {
    let mut settings = common::test_settings();
    settings.keep_page_query = true;
    let server = TestServer::start_with_settings(settings).await;
    assert_eq!(
        page_agents_see(&server, SECRET_PAGE, None).await.as_deref(),
        Some(SECRET_PAGE)
    );
    server.stop().await;
}
