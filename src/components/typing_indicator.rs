//! "<agent> is typing…" while the agent types; the runtime clears it when the typing
//! TTL lapses or the agent's message arrives.

use leptos::prelude::*;

use crate::state::use_chat;
use crate::texts::tf;

#[component]
pub fn TypingIndicator() -> impl IntoView {
    let chat = use_chat();
    move || {
        chat.agent_typing.get().map(|name| {
            view! {
                <div class="tw-typing" data-testid="typing-indicator" aria-live="polite">
                    <span class="tw-dots" aria-hidden="true"><i></i><i></i><i></i></span>
                    {tf("typing.agent", &[("name", &name)])}
                </div>
            }
        })
    }
}
