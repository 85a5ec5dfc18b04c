//! Saves text the console fetched (a CSV export) as a file: a `Blob`, an object URL, and a
//! click on a temporary `<a download>`, the way a browser downloads without a page load.

use wasm_bindgen::JsCast;

/// Offers `text` as a download named `file_name`. Returns whether the browser took it.
pub fn save_text(file_name: &str, mime: &str, text: &str) -> bool {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let saved = (|| {
        let document = web_sys::window()?.document()?;
        let link = document
            .create_element("a")
            .ok()?
            .dyn_into::<web_sys::HtmlAnchorElement>()
            .ok()?;
        link.set_href(&url);
        link.set_download(file_name);
        document.body()?.append_child(&link).ok()?;
        link.click();
        link.remove();
        Some(())
    })()
    .is_some();
    // The click has handed the blob to the download already.
    let _ = web_sys::Url::revoke_object_url(&url);
    saved
}
