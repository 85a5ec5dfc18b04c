//! `RatingPrompt`: the ended conversation's place below the messages. The stars, feedback
//! and thanks are the extras module's (`crates/widget-extras/src/rating.rs`, placed here by
//! `crate::extras::follow_screens`): a visitor sees them at most once per conversation and
//! never at first open. "Start a new conversation" stays here, always offered.

use leptos::prelude::*;

use crate::actions::start_new_conversation;
use crate::runtime::use_runtime;
use crate::texts::t;

#[component]
pub fn RatingPrompt(
    /// The conversation has ended: shown (hidden before).
    ended: Memo<bool>,
) -> impl IntoView {
    let runtime = use_runtime();
    view! {
        <section class="tw-rating" hidden=move || !ended.get()>
            <button
                type="button"
                class="tw-new"
                data-testid="new-conversation"
                on:click=move |_| start_new_conversation(runtime)
            >
                {t("rating.new_conversation")}
            </button>
        </section>
    }
}
