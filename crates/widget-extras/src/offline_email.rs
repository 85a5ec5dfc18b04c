//! The offline email form: while no agent is online and the server sends email, the widget
//! says so and `screens.rs` puts this just before the composer, so that a reply can reach a
//! visitor who leaves. The address becomes the visitor's email (`PATCH /v1/visitor`, as
//! `Tidings('identify', {email})`).
//!
//! Optional unless the site owner says `data-offline-email="required"` (the loader forwards
//! it as `offlineEmail` in the chat page's URL): then a message cannot be sent, by Enter or
//! by the send button, until the address is saved, for as long as the form is on screen
//! (an agent coming online takes it away, and the guard with it).

use std::cell::Cell;
use std::rc::Rc;

use leptos::html::Input;
use leptos::prelude::*;
use tidings_protocol::http::UpdateVisitorRequest;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, KeyboardEvent};

use crate::texts::{t, tf};

/// Mounts the form in `slot`, for the visitor whose token is `token`; dropping what it
/// returns unmounts it.
pub fn mount(slot: HtmlElement, token: String) -> Box<dyn std::any::Any> {
    let required = crate::page_setting("offlineEmail").as_deref() == Some("required");
    let saved = Rc::new(Cell::new(false));
    if required {
        guard_composer(slot.clone(), saved.clone());
    }
    Box::new(leptos::mount::mount_to(slot, move || {
        form(token, required, saved)
    }))
}

fn form(token: String, required: bool, saved: Rc<Cell<bool>>) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(field) = input.get_untracked() else {
            return;
        };
        let address = field.value().trim().to_string();
        let (token, saved) = (token.clone(), saved.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let update = UpdateVisitorRequest {
                email: Some(address.clone()),
                ..Default::default()
            };
            let body = tidings_client::encode::update_visitor_request(&update);
            match crate::api::send("PATCH", "/v1/visitor", &token, Some(body)).await {
                Ok(_) => {
                    saved.set(true);
                    error.set(None);
                    done.set(Some(address));
                }
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };
    let label = if required {
        t("offline.required")
    } else {
        t("offline.label")
    };
    view! {
        <form class="tx-offline" on:submit=submit>
            {move || match done.get() {
                Some(address) => view! {
                    <p role="status">
                        {tf("offline.saved", &[("address", &address)])}
                    </p>
                }
                .into_any(),
                None => view! {
                    <label for="tx-offline-email">{label}</label>
                    <div class="tx-row">
                        <input
                            node_ref=input
                            id="tx-offline-email"
                            class="tw-input"
                            type="email"
                            required
                            autocomplete="email"
                            aria-describedby="tx-offline-error"
                            data-testid="offline-email"
                        />
                        <button
                            type="submit"
                            class="tx-button"
                            data-testid="offline-email-submit"
                            disabled=move || busy.get()
                        >
                            {t("offline.save")}
                        </button>
                    </div>
                    <p id="tx-offline-error" class="tx-error" role="alert">
                        {move || error.get()}
                    </p>
                }
                .into_any(),
            }}
        </form>
    }
}

/// While the form is on screen (its slot in the page) and nothing is saved, stops the composer's sending (Enter in
/// its box, or its form's submit) before the widget sees it, and points at the email field.
/// Listens on the document in the capture phase: the composer may be re-created, and the
/// widget's own listeners sit on its elements.
fn guard_composer(slot: HtmlElement, saved: Rc<Cell<bool>>) {
    let guard = Closure::<dyn Fn(Event)>::new(move |ev: Event| {
        if saved.get() || !slot.is_connected() {
            return;
        }
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let sending = match ev.type_().as_str() {
            "submit" => target.matches(".tw-composer").unwrap_or(false),
            "keydown" => {
                target.get_attribute("data-testid").as_deref() == Some("composer-input")
                    && ev
                        .dyn_ref::<KeyboardEvent>()
                        .is_some_and(|k| k.key() == "Enter" && !k.shift_key())
            }
            _ => false,
        };
        if sending {
            ev.prevent_default();
            ev.stop_immediate_propagation();
            if let Some(field) = slot
                .query_selector("input")
                .ok()
                .flatten()
                .and_then(|f| f.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                let _ = field.focus();
                field.report_validity();
            }
        }
    });
    let document = leptos::prelude::document();
    for kind in ["keydown", "submit"] {
        let _ = document.add_event_listener_with_callback_and_bool(
            kind,
            guard.as_ref().unchecked_ref(),
            true,
        );
    }
    // For the page's life, like the form it guards.
    guard.forget();
}
