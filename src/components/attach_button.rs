//! The paperclip: a button that opens the file picker (a hidden file input), so a visitor
//! can send a file; dropping or pasting one onto the panel is handled by the panel
//! (`chat_widget`).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use crate::dom::{find, on, set_attr};
use crate::runtime::RuntimeHandle;
use crate::state::ChatState;
use crate::texts::t;
use crate::upload::send_file;

/// The input and the button, part of the composer's markup.
pub const MARKUP: &str = concat!(
    r#"<input type="file" hidden data-testid="attach-input">"#,
    r#"<button class="tw-attach" type="button" data-testid="attach-button">"#,
    r#"<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">"#,
    r#"<path d="M16 6v11a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v11a1 1 0 0 1-2 0V6H9.5v10a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12a5.5 5.5 0 0 0 11 0V6z" fill="currentColor"></path>"#,
    r#"</svg></button>"#,
);

/// Wires the input and the button [`MARKUP`] put in `composer`.
pub fn attach_button(composer: &Element, chat: ChatState, runtime: RuntimeHandle) {
    let input: HtmlInputElement = find(composer, "[data-testid=attach-input]").unchecked_into();
    let button = find(composer, ".tw-attach");
    set_attr(&button, "aria-label", Some(t("upload.attach")));
    set_attr(&button, "title", Some(t("upload.attach")));
    on(&input, "change", {
        let input = input.clone();
        move |_| {
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                send_file(chat, runtime, file);
            }
            // The same file picked again is a new change.
            input.set_value("");
        }
    });
    on(&button, "click", move |_| input.click());
}
