//! "Email me the transcript", in the ended chat (on a server that sends email): asks
//! `POST /v1/conversations/{id}/transcript` for the visitor's own email; when the server
//! knows none (400), a field asks for the address and the request is sent with it.

use leptos::html::Input;
use leptos::prelude::*;
use tidings_protocol::http::TranscriptRequest;

use crate::texts::{t, tf};

/// Mounts the button in `slot`, for conversation `id` of the visitor whose token is `token`;
/// dropping what it returns unmounts it.
pub fn mount(slot: web_sys::HtmlElement, token: String, id: String) -> Box<dyn std::any::Any> {
    Box::new(leptos::mount::mount_to(slot, move || button(token, id)))
}

fn button(token: String, id: String) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let ask_address = RwSignal::new(false);
    let sent_to = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let email = input
            .get_untracked()
            .map(|f| f.value().trim().to_string())
            .filter(|e| !e.is_empty());
        let body = tidings_client::encode::transcript_request(&TranscriptRequest { email });
        let (token, path) = (token.clone(), format!("/v1/conversations/{id}/transcript"));
        leptos::task::spawn_local(async move {
            match crate::api::send("POST", &path, &token, Some(body)).await {
                Ok(text) => {
                    let address = tidings_client::decode::body(&text, |o| {
                        o.get("email").and_then(|e| e.as_str()).map(str::to_owned)
                    })
                    .unwrap_or_default();
                    error.set(None);
                    sent_to.set(Some(address));
                }
                // No address known yet: ask for one (the server's message says why).
                Err(message) if !ask_address.get_untracked() => {
                    ask_address.set(true);
                    error.set(Some(message));
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form class="tx-transcript" on:submit=submit>
            {move || match sent_to.get() {
                Some(address) => view! {
                    <p role="status" data-testid="transcript-sent">
                        {tf("transcript.sent", &[("address", &address)])}
                    </p>
                }
                .into_any(),
                None => view! {
                    <div class="tx-row">
                        <input
                            node_ref=input
                            class="tw-input"
                            type="email"
                            autocomplete="email"
                            aria-label=t("transcript.email")
                            placeholder=t("transcript.email")
                            data-testid="transcript-email"
                            hidden=move || !ask_address.get()
                            required=move || ask_address.get()
                        />
                        <button type="submit" class="tx-button" data-testid="transcript-button">
                            {t("transcript.button")}
                        </button>
                    </div>
                    <p class="tx-error" role="alert">{move || error.get()}</p>
                }
                .into_any(),
            }}
        </form>
    }
}
