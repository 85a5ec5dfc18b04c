//! "Block visitor" on an open conversation, after a confirmation: the visitor's messages
//! are then refused and their waiting chats closed (a flood, abuse). "Visitor blocked"
//! stays shown once done, also after the block ended the conversation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::state::use_console;
use crate::texts::{t, tf};

#[component]
pub fn BlockVisitor(
    visitor_id: Uuid,
    /// Whether the conversation is still open (the button is offered only then).
    open: Signal<bool>,
) -> impl IntoView {
    let state = use_console();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    let block = move |_| {
        let Some(token) = state.token() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::block_visitor(&token, visitor_id).await {
                Ok(answer) => {
                    blocked.try_set(answer.blocked);
                }
                Err(failure) => state.notice.set(Some(tf(
                    "block_visitor.failed",
                    &[("reason", &failure.message)],
                ))),
            }
            busy.try_set(false);
            confirming.try_set(false);
        });
    };
    view! {
        <Show
            when=move || !blocked.get()
            fallback=|| view! { <span class="blocked" data-testid="visitor-blocked">{t("block_visitor.visitor_blocked")}</span> }
        >
            <Show when=move || open.get()>
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class="danger"
                            data-testid="block-visitor"
                            on:click=move |_| confirming.set(true)
                        >
                            {t("block_visitor.block_visitor")}
                        </button>
                    }
                }
            >
                <span class="confirm">{t("block_visitor.block_this_visitor_their_messages")}</span>
                <button
                    type="button"
                    class="danger"
                    data-testid="block-visitor-confirm"
                    disabled=move || busy.get()
                    on:click=block
                >
                    {t("block_visitor.block")}
                </button>
                <button
                    type="button"
                    data-testid="block-visitor-cancel"
                    on:click=move |_| confirming.set(false)
                >
                    {t("block_visitor.cancel")}
                </button>
            </Show>
            </Show>
        </Show>
    }
}
