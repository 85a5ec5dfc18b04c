//! The extras' own HTTP calls under `/v1`, with the visitor's token the widget passes them
//! (the two modules share no memory). One fetch function, as in the widget's `api.rs`.

use tidings_client::decode::{self, model};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::texts::t;

/// Sends one request; `Ok` with the body text of a 2xx answer, else the sentence to show
/// (the server's own message for an API error).
pub async fn send(
    method: &str,
    path: &str,
    token: &str,
    body: Option<String>,
) -> Result<String, String> {
    send_status(method, path, token, body)
        .await
        .map_err(|(_, message)| message)
}

/// As [`send`], with the refusal's HTTP status beside its sentence (0 when no answer came),
/// for a caller that treats one status apart.
pub async fn send_status(
    method: &str,
    path: &str,
    token: &str,
    body: Option<String>,
) -> Result<String, (u16, String)> {
    let offline = || (0, t("error.network").to_string());
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| offline())?;
    let _ = headers.set("authorization", &format!("Bearer {token}"));
    if let Some(body) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&body.into());
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(offline)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| offline())?
        .dyn_into()
        .map_err(|_| offline())?;
    let text = JsFuture::from(response.text().map_err(|_| offline())?)
        .await
        .map_err(|_| offline())?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err((
            response.status(),
            decode::body(&text, model::api_error)
                .map(|e| e.message)
                .unwrap_or_else(|_| t("error.server").to_string()),
        ))
    }
}

/// A file beside the chat page (a catalog), `None` unless it came with 200.
pub async fn text(path: &str) -> Option<String> {
    let window = web_sys::window()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if response.status() != 200 {
        return None;
    }
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}
