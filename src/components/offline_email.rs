//! `OfflineEmail`: while no agent is online (and the server sends email), asks for an email
//! so a reply can reach the visitor after they leave. The address becomes the visitor's
//! email through the same path as `Tidings('identify', {email})`. Kept small: every element
//! here is paid for in the widget's size budget.

use leptos::html::Input;
use leptos::prelude::*;
use tidings_protocol::{ConversationStatus, PresenceStatus};

use crate::host::FromHost;
use crate::state::use_chat;

#[component]
pub fn OfflineEmail() -> impl IntoView {
    let chat = use_chat();
    let input = NodeRef::<Input>::new();
    let saved = RwSignal::new(None::<String>);
    let asked = move || {
        chat.email.get()
            && chat.availability.get() != PresenceStatus::Online
            && chat.status() != ConversationStatus::Ended
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(field), Some(rt)) = (input.get_untracked(), crate::runtime::runtime()) else {
            return;
        };
        let address = field.value().trim().to_string();
        rt.on_host(FromHost::Identify {
            name: None,
            email: Some(address.clone()),
            user_id: None,
            user_hash: None,
        });
        saved.set(Some(address));
    };
    view! {
        <Show when=asked>
            <form class="tw-offline" on:submit=submit>
                {move || match saved.get() {
                    Some(address) => format!("We'll email {address} when we reply.").into_any(),
                    None => view! {
                        <input
                            node_ref=input
                            class="tw-input"
                            type="email"
                            required
                            aria-label="Your email"
                            placeholder="Nobody is online: your email for our reply"
                            data-testid="offline-email"
                        />
                        <button class="tw-primary" data-testid="offline-email-submit">"Save"</button>
                    }
                    .into_any(),
                }}
            </form>
        </Show>
    }
}
