//! The pre-chat form: the name and email fields the site asks for (`data-prechat`, each
//! required or optional by `data-prechat-required`) before a new visitor's first message.
//! The widget decides when it may apply (the site asks, no conversation yet, the page did
//! not name the visitor) and says so through `show_screens`; `screens.rs` puts this just
//! before the composer, which the stylesheet hides while the form is there. This module
//! then asks the server whether the visitor told a name or email before (`GET
//! /v1/visitor`) and shows the form only if not.
//!
//! A wrong answer is marked `aria-invalid` and described by its message, and focus moves to
//! the first such field. The answers become the visitor's profile (`PATCH /v1/visitor`, as
//! `Tidings('identify')`); a server that takes only verified identities refuses them (403)
//! and the visitor chats on without them. Once answered (or found known), the form is done
//! for the page's life: [`done`] tells `screens.rs` not to place it again, the form's
//! element leaves the page, and focus goes to the composer. The widget needs no word back.

use std::cell::Cell;

use leptos::html::Input;
use leptos::prelude::*;
use tidings_client::json::Json;
use tidings_protocol::http::UpdateVisitorRequest;
use web_sys::HtmlElement;

use crate::prechat_rules::{asks, check, Field};
use crate::texts::{t, tf, tn};

thread_local! {
    static DONE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the form was answered, or the visitor found known, on this page.
pub fn done() -> bool {
    DONE.get()
}

/// One asked field: what it checks, whether it is required, its input and its message.
#[derive(Clone, Copy)]
struct Asked {
    field: Field,
    required: bool,
    input: NodeRef<Input>,
    error: RwSignal<Option<&'static str>>,
}

/// Mounts the form in `slot` for the visitor whose token is `token` (nothing shows until
/// the server says the visitor is not known); dropping what it returns unmounts it.
pub fn mount(slot: HtmlElement, token: String) -> Box<dyn std::any::Any> {
    let setting = |name| crate::page_setting(name).unwrap_or_default();
    let (asked, required) = (setting("prechat"), setting("prechatRequired"));
    let fields: Vec<Asked> = [(Field::Name, "name"), (Field::Email, "email")]
        .into_iter()
        .filter_map(|(field, word)| {
            asks(&asked, &required, word).map(|required| Asked {
                field,
                required,
                input: NodeRef::new(),
                error: RwSignal::new(None),
            })
        })
        .collect();
    let unknown = RwSignal::new(false);
    let view = leptos::mount::mount_to(slot.clone(), {
        let (slot, token) = (slot.clone(), token.clone());
        move || {
            move || {
                unknown
                    .get()
                    .then(|| form(slot.clone(), token.clone(), fields.clone()))
            }
        }
    });
    // Spawned after mounting, which sets up the task executor on the module's first mount.
    leptos::task::spawn_local(async move {
        match crate::api::send("GET", "/v1/visitor", &token, None).await {
            Ok(body) if !named(&body) => unknown.set(true),
            Ok(_) => finish(&slot),
            // The check failed: the visitor chats on unasked rather than being stuck.
            Err(_) => {}
        }
    });
    Box::new(view)
}

/// Whether a `GET /v1/visitor` body holds a name or an email.
fn named(body: &str) -> bool {
    tidings_client::decode::body(body, |o: &Json| {
        let has = |k| o.get(k).and_then(Json::as_str).is_some();
        Some(has("name") || has("email"))
    })
    .unwrap_or(true)
}

/// The form is done: it leaves the page for good and the composer takes its place.
fn finish(slot: &HtmlElement) {
    DONE.set(true);
    slot.remove();
    crate::focus("[data-testid=composer-input]");
}

fn form(slot: HtmlElement, token: String, fields: Vec<Asked>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let submit = {
        let fields = fields.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let mut update = UpdateVisitorRequest::default();
            let mut first_invalid = None;
            for asked in &fields {
                let Some(input) = asked.input.get_untracked() else {
                    continue;
                };
                match check(asked.field, &input.value(), asked.required) {
                    Ok(answer) => {
                        asked.error.set(None);
                        match asked.field {
                            Field::Name => update.name = answer,
                            Field::Email => update.email = answer,
                        }
                    }
                    Err(why) => {
                        asked.error.set(Some(why));
                        first_invalid = first_invalid.or(Some(input));
                    }
                }
            }
            if let Some(input) = first_invalid {
                let _ = input.focus();
                return;
            }
            busy.set(true);
            let (slot, token) = (slot.clone(), token.clone());
            leptos::task::spawn_local(async move {
                let body = tidings_client::encode::update_visitor_request(&update);
                match crate::api::send_status("PATCH", "/v1/visitor", &token, Some(body)).await {
                    Ok(_) | Err((403, _)) => finish(&slot),
                    Err((_, message)) => {
                        failure.set(Some(message));
                        busy.set(false);
                    }
                }
            });
        }
    };
    let fields = fields.into_iter().map(field).collect_view();
    view! {
        <form class="tx-prechat" data-testid="prechat-form" aria-labelledby="tx-pc-q" novalidate on:submit=submit>
            <p id="tx-pc-q">{t("prechat.question")}</p>
            {fields}
            <button class="tx-button" type="submit" data-testid="prechat-submit" disabled=move || busy.get()>
                {t("prechat.submit")}
            </button>
            <p class="tx-error" role="alert">{move || failure.get()}</p>
        </form>
    }
}

fn field(asked: Asked) -> impl IntoView {
    let (word, label, kind) = match asked.field {
        Field::Name => ("name", t("prechat.name"), "text"),
        Field::Email => ("email", t("prechat.email"), "email"),
    };
    let id = format!("tx-pc-{word}");
    let error_id = format!("tx-pc-{word}-error");
    let label = if asked.required {
        label.to_owned()
    } else {
        tf("prechat.optional", &[("label", label)])
    };
    view! {
        <label for=id.clone()>{label}</label>
        <input
            node_ref=asked.input
            id=id
            class="tw-input"
            type=kind
            data-testid=format!("prechat-{word}")
            autocomplete=word
            required=asked.required
            aria-invalid=move || if asked.error.get().is_some() { "true" } else { "false" }
            aria-describedby=error_id.clone()
        />
        <p class="tx-error" id=error_id>{move || asked.error.get().map(problem)}</p>
    }
}

/// The sentence for a problem [`check`] found (its catalog key), in the visitor's language.
fn problem(key: &'static str) -> String {
    if key == crate::prechat_rules::TOO_LONG {
        let max = tidings_protocol::limits::MAX_FIELD_CHARS as u32;
        tn(key, max, &[])
    } else {
        t(key).to_owned()
    }
}
