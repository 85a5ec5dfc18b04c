//! Attachments both ways: a visitor's and an agent's uploads become file messages that
//! reach the other side with a signed link; the type is read from the content (an HTML page
//! named `.png` is refused), the size is limited (declared or not), a retried upload stores
//! once; a file is served with headers that keep it from running, only to those who may
//! see its conversation (a link that is expired, tampered with or for another file is
//! refused), and from any node of a cluster.

use crate::common;

use std::sync::Arc;

use common::database::{create_database, shared_cluster, TestDb};
use common::{test_settings, Client, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tidings_protocol::{Message, ServerFrame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// A PNG as far as its first bytes go (the server reads no further).
fn png() -> Vec<u8> {
    let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    data.extend((0..200u8).collect::<Vec<_>>());
    data
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

/// A visitor who writes once: (token, conversation id).
async fn chat(server: &TestServer) -> (String, Uuid) {
    let (_, token) = server.visitor().await;
    let (mut visitor, _) = Client::connect(server, &token).await;
    let ServerFrame::Ack {
        conversation_id, ..
    } = visitor.send_message(Uuid::new_v4(), None, "hello").await
    else {
        panic!("not acknowledged");
    };
    (token, conversation_id)
}

async fn follow(ws: &mut Client, conversation_id: Uuid) {
    ws.send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    ws.expect(|f| matches!(f, ServerFrame::Synced { .. })).await;
}

/// `POST /v1/attachments` with `data` as the body.
async fn upload(
    server: &TestServer,
    token: &str,
    id: Uuid,
    conversation_id: Option<Uuid>,
    name: &str,
    content_type: &str,
    data: Vec<u8>,
) -> reqwest::Response {
    let mut query = vec![("id", id.to_string()), ("name", name.to_string())];
    if let Some(c) = conversation_id {
        query.push(("conversation_id", c.to_string()));
    }
    reqwest::Client::new()
        .post(server.url("/v1/attachments"))
        .query(&query)
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(data)
        .send()
        .await
        .unwrap()
}

async fn uploaded(response: reqwest::Response) -> Message {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn refusal(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// `GET url` on `server` with no token at all.
async fn fetch(server: &TestServer, url: &str) -> reqwest::Response {
    reqwest::get(server.url(url)).await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The conversation's messages as `token` reads its history.
async fn history(server: &TestServer, token: &str, conversation_id: Uuid) -> Vec<Message> {
    let page: Value = server
        .get_json(
            &format!("/v1/conversations/{conversation_id}/messages"),
            token,
        )
        .await;
    serde_json::from_value(page["messages"].clone()).unwrap()
}

async fn attachment_rows(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(&server.state.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_visitors_picture_reaches_the_agent_with_a_link_that_shows_it_inline() {
    let server = TestServer::start().await;
    let (_, agent) = server.agent("Grace", false).await;
    let (token, conversation_id) = chat(&server).await;
    let (mut console, _) = Client::connect(&server, &agent).await;
    follow(&mut console, conversation_id).await;

    let id = Uuid::new_v4();
    let message = uploaded(
        upload(
            &server,
            &token,
            id,
            None,
            "screen shot.png",
            "image/png",
            png(),
        )
        .await,
    )
    .await;
    assert_eq!(message.id, id);
    assert_eq!(message.conversation_id, conversation_id);
    assert_eq!(message.body, "screen shot.png");
    let attachment = message.attachment.expect("a file message");
    assert_eq!(attachment.name, "screen shot.png");
    assert_eq!(attachment.size, png().len() as u64);
    assert_eq!(attachment.content_type, "image/png");

    let frame = console
        .expect(|f| matches!(f, ServerFrame::Message { message } if message.id == id))
        .await;
    let ServerFrame::Message { message: live } = frame else {
        unreachable!()
    };
    let url = live.attachment.unwrap().url.expect("a signed link");
    assert!(
        url.starts_with(&format!("/v1/attachments/{id}?expires=")),
        "{url}"
    );

    let response = fetch(&server, &url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "image/png");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&response, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
    assert_eq!(
        header(&response, "content-disposition"),
        "inline; filename=\"screen shot.png\"; filename*=UTF-8''screen%20shot.png"
    );
    assert_eq!(response.bytes().await.unwrap().to_vec(), png());

    // The visitor's own history carries the file with a fresh link.
    let mine = history(&server, &token, conversation_id).await;
    let last = mine.last().unwrap();
    assert_eq!(last.id, id);
    assert!(last.attachment.as_ref().unwrap().url.is_some());
    server.stop().await;
}

#[tokio::test]
async fn an_agents_pdf_reaches_the_visitor_as_a_download_under_its_escaped_name() {
    let server = TestServer::start().await;
    let (_, agent) = server.agent("Grace", false).await;
    let (token, conversation_id) = chat(&server).await;
    let (mut widget, _) = Client::connect(&server, &token).await;
    follow(&mut widget, conversation_id).await;

    let id = Uuid::new_v4();
    let name = "Invoice \"May\"; été.pdf";
    let message = uploaded(
        upload(
            &server,
            &agent,
            id,
            Some(conversation_id),
            name,
            "application/pdf",
            pdf(),
        )
        .await,
    )
    .await;
    assert_eq!(
        message.attachment.as_ref().unwrap().content_type,
        "application/pdf"
    );
    let frame = widget
        .expect(|f| matches!(f, ServerFrame::Message { message } if message.id == id))
        .await;
    let ServerFrame::Message { message: live } = frame else {
        unreachable!()
    };
    let attachment = live.attachment.unwrap();
    assert_eq!(attachment.name, name);
    let response = fetch(&server, attachment.url.as_deref().unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "application/pdf");
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"Invoice _May_; _t_.pdf\"; \
         filename*=UTF-8''Invoice%20%22May%22%3B%20%C3%A9t%C3%A9.pdf"
    );
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&response, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
    // A plain-text file is served as text, and downloaded too.
    let text_id = Uuid::new_v4();
    let text = uploaded(
        upload(
            &server,
            &agent,
            text_id,
            Some(conversation_id),
            "notes.txt",
            "text/plain",
            b"step one\nstep two\n".to_vec(),
        )
        .await,
    )
    .await;
    let response = fetch(&server, text.attachment.unwrap().url.as_deref().unwrap()).await;
    assert_eq!(
        header(&response, "content-type"),
        "text/plain; charset=utf-8"
    );
    assert!(header(&response, "content-disposition").starts_with("attachment;"));
    server.stop().await;
}

#[tokio::test]
async fn the_content_decides_the_type_so_a_page_named_png_and_a_program_are_refused() {
    let server = TestServer::start().await;
    let (token, conversation_id) = chat(&server).await;
    let page = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec();
    let (status, code, message) = refusal(
        upload(
            &server,
            &token,
            Uuid::new_v4(),
            None,
            "cat.png",
            "image/png",
            page,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(code, "unsupported_file_type");
    assert!(message.contains("text/html"), "{message}");

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let (status, _, message) = refusal(
        upload(
            &server,
            &token,
            Uuid::new_v4(),
            None,
            "logo.svg",
            "image/svg+xml",
            svg,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(message.contains("image/svg+xml"), "{message}");

    let program = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
    let (status, code, _) = refusal(
        upload(
            &server,
            &token,
            Uuid::new_v4(),
            None,
            "setup.pdf",
            "application/pdf",
            program,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(code, "unsupported_file_type");

    // Nothing of them was stored or sent.
    assert_eq!(attachment_rows(&server).await, 0);
    assert_eq!(history(&server, &token, conversation_id).await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_configured_allow_list_decides_what_is_accepted() {
    let mut settings = test_settings();
    settings.attachments.types = vec!["application/pdf".into()];
    let server = TestServer::start_with_settings(settings).await;
    let (token, _) = chat(&server).await;
    let (status, _, _) = refusal(
        upload(
            &server,
            &token,
            Uuid::new_v4(),
            None,
            "a.png",
            "image/png",
            png(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    uploaded(
        upload(
            &server,
            &token,
            Uuid::new_v4(),
            None,
            "a.pdf",
            "application/pdf",
            pdf(),
        )
        .await,
    )
    .await;
    server.stop().await;
}

/// Posts `data` in chunks without a `Content-Length` (as a stream would), over a raw
/// socket; answers the status code.
async fn upload_chunked(server: &TestServer, token: &str, data: &[u8]) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /v1/attachments?id={}&name=big.txt HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: text/plain\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        Uuid::new_v4(),
        server.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in data.chunks(256) {
        let sent = async {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            stream.write_all(chunk).await?;
            stream.write_all(b"\r\n").await
        };
        // The server may answer and close before the last chunk.
        if sent.await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer}"))
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_whether_its_length_is_declared_or_not() {
    let mut settings = test_settings();
    settings.attachments.max_bytes = 2048;
    let server = TestServer::start_with_settings(settings).await;
    let (token, conversation_id) = chat(&server).await;
    let (status, code, message) = refusal(
        upload(
            &server,
            &token,
            Uuid::new_v4(),
            None,
            "big.txt",
            "text/plain",
            vec![b'a'; 2049],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code, "file_too_large");
    assert!(message.contains("2 KB"), "{message}");
    assert_eq!(upload_chunked(&server, &token, &[b'a'; 4096]).await, 413);
    assert_eq!(attachment_rows(&server).await, 0);
    // At the limit it goes through, chunked or not.
    assert_eq!(upload_chunked(&server, &token, &[b'b'; 2048]).await, 200);
    uploaded(
        upload(
            &server,
            &token,
            Uuid::new_v4(),
            None,
            "fits.txt",
            "text/plain",
            vec![b'a'; 2048],
        )
        .await,
    )
    .await;
    assert_eq!(history(&server, &token, conversation_id).await.len(), 3);
    server.stop().await;
}

#[tokio::test]
async fn a_retried_upload_stores_the_file_and_its_message_once() {
    let server = TestServer::start().await;
    let (token, conversation_id) = chat(&server).await;
    let id = Uuid::new_v4();
    let first =
        uploaded(upload(&server, &token, id, None, "a.png", "image/png", png()).await).await;
    let again =
        uploaded(upload(&server, &token, id, None, "a.png", "image/png", png()).await).await;
    assert_eq!(first.seq, again.seq);
    assert_eq!(first.attachment.as_ref().unwrap().name, "a.png");
    assert_eq!(
        again.attachment.as_ref().map(|a| (&a.name, a.size)),
        Some((&"a.png".to_string(), png().len() as u64))
    );
    assert_eq!(attachment_rows(&server).await, 1);
    let messages = history(&server, &token, conversation_id).await;
    assert_eq!(messages.iter().filter(|m| m.id == id).count(), 1);
    assert_eq!(messages.len(), 2);

    // Someone else cannot take the id.
    let (_, stranger) = server.visitor().await;
    let (status, code, _) =
        refusal(upload(&server, &stranger, id, None, "b.png", "image/png", png()).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(code, "conflict");
    server.stop().await;
}

#[tokio::test]
async fn only_those_who_may_see_the_conversation_get_the_file() {
    let server = TestServer::start().await;
    let (_, grace) = server.agent("Grace", false).await;
    let (_, alan) = server.agent("Alan", false).await;
    let (_, admin) = server.agent("Ada", true).await;
    let (token, conversation_id) = chat(&server).await;
    let claimed = server
        .post(
            &format!("/v1/conversations/{conversation_id}/claim"),
            &grace,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let id = Uuid::new_v4();
    let message =
        uploaded(upload(&server, &token, id, None, "a.png", "image/png", png()).await).await;
    let url = message.attachment.unwrap().url.unwrap();
    let path = format!("/v1/attachments/{id}");

    // By bearer token: the visitor, the agent who has it and an admin; not another visitor,
    // nor an agent it is not assigned to, nor nobody.
    for token in [&token, &grace, &admin] {
        assert_eq!(server.get(&path, token).await.status(), StatusCode::OK);
    }
    let (_, other_visitor) = server.visitor().await;
    for token in [&other_visitor, &alan] {
        assert_eq!(
            server.get(&path, token).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        fetch(&server, &path).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Strangers cannot upload into it either.
    let (status, _, _) = refusal(
        upload(
            &server,
            &other_visitor,
            Uuid::new_v4(),
            Some(conversation_id),
            "x.png",
            "image/png",
            png(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // By link: the minted one works; an expired, tampered or borrowed one does not.
    assert_eq!(fetch(&server, &url).await.status(), StatusCode::OK);
    let key = tidings_server::attachments::link_key(&server.state)
        .await
        .unwrap()
        .clone();
    let now = tidings_server::store::now_millis() / 1000;
    let expired = key.link(id, now - 3 * 3600);
    assert_eq!(
        fetch(&server, &expired).await.status(),
        StatusCode::FORBIDDEN
    );
    let mut tampered = url.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        fetch(&server, &tampered).await.status(),
        StatusCode::FORBIDDEN
    );
    let longer = url.replace("expires=", "expires=9");
    assert_eq!(
        fetch(&server, &longer).await.status(),
        StatusCode::FORBIDDEN
    );
    let other = Uuid::new_v4();
    let borrowed = url.replace(&id.to_string(), &other.to_string());
    assert_eq!(
        fetch(&server, &borrowed).await.status(),
        StatusCode::FORBIDDEN
    );
    // A valid link to a file no message carries finds nothing.
    assert_eq!(
        fetch(&server, &key.link(other, now)).await.status(),
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}

/// Two nodes on one PostgreSQL (whatever this run's backend): a file uploaded on node A
/// reaches the console on node B, and B serves it by A's link.
#[tokio::test]
async fn cluster_a_file_uploaded_on_one_node_is_served_by_the_other() {
    let url = create_database(shared_cluster()).await;
    let db = Arc::new(TestDb { url, dir: None });
    let a = TestServer::start_with(db.clone(), test_settings()).await;
    let b = TestServer::start_with(db, test_settings()).await;
    let (_, agent) = b.agent("Grace", false).await;
    let (token, conversation_id) = chat(&a).await;
    let (mut console, _) = Client::connect(&b, &agent).await;
    follow(&mut console, conversation_id).await;

    let id = Uuid::new_v4();
    let message = uploaded(upload(&a, &token, id, None, "a.png", "image/png", png()).await).await;
    let link = message.attachment.unwrap().url.unwrap();
    let response = fetch(&b, &link).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().to_vec(), png());

    let frame = console
        .expect(|f| matches!(f, ServerFrame::Message { message } if message.id == id))
        .await;
    let ServerFrame::Message { message: live } = frame else {
        unreachable!()
    };
    let link_on_b = live.attachment.unwrap().url.unwrap();
    assert_eq!(fetch(&b, &link_on_b).await.status(), StatusCode::OK);
    assert_eq!(fetch(&a, &link_on_b).await.status(), StatusCode::OK);
    a.stop().await;
    b.stop().await;
}
