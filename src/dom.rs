//! The few DOM helpers the panel's views share. The panel is static markup written once
//! from a `&'static str` (never with text from outside in it), its texts and attributes
//! written afterwards with `set_text_content` and `set_attribute`, kept current by Leptos
//! effects, with plain event listeners: no Leptos view code (`tachys`) in the wasm.
//!
//! Every listener is one closure type (`dyn FnMut(Event)`) and every deferred call another
//! (`dyn FnOnce()`), each made in one function that is not generic: wasm-bindgen emits its
//! glue once per closure type, not once per Rust closure.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{Comment, Document, Element, Event, EventTarget, HtmlElement, Node};

/// The page's document.
pub fn document() -> Document {
    web_sys::window().unwrap_throw().document().unwrap_throw()
}

/// The page's window as a value, for `Reflect` lookups of its globals: the widget only
/// runs in a window, and `js_sys::global()` finds it by trying four names, each one more
/// function in the JavaScript glue.
pub fn global() -> JsValue {
    web_sys::window().unwrap_throw().into()
}

/// Sets or removes the boolean attribute `hidden`: through `set_attribute`, as every other
/// attribute, so the JavaScript glue holds no setter of its own for it.
pub fn set_hidden(element: &Element, hidden: bool) {
    set_attr(element, "hidden", hidden.then_some(""));
}

/// A new `<tag class="…">` holding `markup`, the static markup of one part of the panel.
pub fn template(tag: &str, class: &str, markup: &'static str) -> HtmlElement {
    let element: HtmlElement = document()
        .create_element(tag)
        .unwrap_throw()
        .unchecked_into();
    set_attr(&element, "class", Some(class));
    element.set_inner_html(markup);
    element
}

/// A new `<tag class="…">` holding `text` as text (a banner, a hint: never markup).
pub fn text(tag: &str, class: &str, text: &str) -> HtmlElement {
    let element = template(tag, class, "");
    element.set_text_content(Some(text));
    element
}

/// The element under `root` that `selector` finds. The selectors name parts of the
/// templates above, so one that is missing is a bug.
pub fn find(root: &Element, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .unwrap_throw()
        .unwrap_throw()
        .unchecked_into()
}

/// Sets the attribute `name` to `value`, or removes it for `None`.
pub fn set_attr(element: &Element, name: &str, value: Option<&str>) {
    let _ = match value {
        Some(value) => element.set_attribute(name, value),
        None => element.remove_attribute(name),
    };
}

/// Writes `text` if it differs: several texts are live regions, where the same words
/// written again could be read out again.
pub fn set_text(element: &Element, text: &str) {
    if element.text_content().as_deref() != Some(text) {
        element.set_text_content(Some(text));
    }
}

/// Calls `f` with every `event` on `target`, as long as the page lives.
pub fn on(target: &EventTarget, event: &str, f: impl FnMut(Event) + 'static) {
    listen(target, event, Box::new(f));
}

fn listen(target: &EventTarget, event: &str, f: Box<dyn FnMut(Event)>) {
    let f = Closure::wrap(f);
    let _ = target.add_event_listener_with_callback(event, f.as_ref().unchecked_ref());
    f.forget();
}

/// `f` as a JavaScript function to call once.
fn once(f: Box<dyn FnOnce()>) -> JsValue {
    Closure::once_into_js(f)
}

/// Runs `f` after `ms` milliseconds.
pub fn later(ms: i32, f: impl FnOnce() + 'static) {
    let f = once(Box::new(f));
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms);
    }
}

/// Runs `f` before the next paint, once the DOM has been updated.
pub fn next_frame(f: impl FnOnce() + 'static) {
    let f = once(Box::new(f));
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(f.unchecked_ref());
    }
}

/// A place in the panel where an element comes and goes (a banner, the typing indicator,
/// the waiting hint): the tests and assistive technology expect it absent, not hidden,
/// while it does not apply. An empty comment marks the place, as Leptos's views did.
pub struct Slot {
    /// The element the place is in, kept rather than asked of the comment (`parentNode`).
    parent: Node,
    anchor: Comment,
    shown: Option<Element>,
}

impl Slot {
    /// A place at the end of `parent`.
    pub fn new(parent: &Node) -> Slot {
        let anchor = document().create_comment("");
        let _ = parent.append_child(&anchor);
        Slot {
            parent: parent.clone(),
            anchor,
            shown: None,
        }
    }

    /// Shows `element` in the place (removing the one shown), or nothing for `None`.
    pub fn show(&mut self, element: Option<Element>) {
        if let Some(gone) = self.shown.take() {
            gone.remove();
        }
        if let Some(element) = &element {
            let _ = self.parent.insert_before(element, Some(&self.anchor));
        }
        self.shown = element;
    }

    /// Whether an element is shown.
    pub fn is_shown(&self) -> bool {
        self.shown.is_some()
    }
}
