//! `OfflineEmail`: while no agent is online (and the server sends email), asks for an email
//! so a reply can reach the visitor after they leave. The address becomes the visitor's
//! email through the same path as `Tidings('identify', {email})`.

use leptos::prelude::*;
use tidings_protocol::{ConversationStatus, PresenceStatus};

use crate::host::FromHost;
use crate::state::use_chat;

#[component]
pub fn OfflineEmail() -> impl IntoView {
    let chat = use_chat();
    let email = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let shown = move || {
        chat.email.get()
            && chat.availability.get() != PresenceStatus::Online
            && chat.status() != ConversationStatus::Ended
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked().trim().to_string();
        if let Some(rt) = crate::runtime::runtime() {
            rt.on_host(FromHost::Identify {
                name: None,
                email: Some(address.clone()),
                user_id: None,
                user_hash: None,
            });
            saved.set(Some(address));
        }
    };
    move || {
        shown().then(|| match saved.get() {
            Some(address) => view! {
                <p class="tw-offline" role="status">"We'll email " {address} " when we reply."</p>
            }
            .into_any(),
            None => view! {
                <form class="tw-offline" on:submit=submit>
                    <label for="tw-oe">"Nobody is online. Leave your email and we'll reply there:"</label>
                    <input
                        id="tw-oe"
                        class="tw-input"
                        type="email"
                        required
                        autocomplete="email"
                        data-testid="offline-email"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                    <button type="submit" class="tw-primary" data-testid="offline-email-submit">
                        "Save"
                    </button>
                </form>
            }
            .into_any(),
        })
    }
}
