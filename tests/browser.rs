//! Widget rendering in a real browser (wasm-bindgen-test + chromedriver): message text is
//! never interpreted as HTML, and only http(s) URLs become links that open safely.
#![cfg(target_arch = "wasm32")]

use tidings_widget::components::message_rows::message_text;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Writes `body` as a message row writes it into a fresh element and returns that element.
fn render(body: &str) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    message_text(&document, &host, body);
    host
}

#[wasm_bindgen_test]
fn markup_in_a_message_stays_text() {
    let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    let host = render(hostile);
    assert_eq!(host.text_content().unwrap(), hostile);
    assert!(host.query_selector("img").unwrap().is_none());
    assert!(host.query_selector("script").unwrap().is_none());
}

#[wasm_bindgen_test]
fn only_http_links_are_clickable_and_open_safely() {
    let host = render("see javascript:alert(3) or https://example.com/help.");
    let links = host.query_selector_all("a").unwrap();
    assert_eq!(links.length(), 1);
    let a: web_sys::Element = links.get(0).unwrap().unchecked_into();
    assert_eq!(a.get_attribute("href").unwrap(), "https://example.com/help");
    assert_eq!(a.get_attribute("rel").unwrap(), "noopener noreferrer");
    assert_eq!(a.get_attribute("target").unwrap(), "_blank");
    assert_eq!(
        host.text_content().unwrap(),
        "see javascript:alert(3) or https://example.com/help."
    );
}
