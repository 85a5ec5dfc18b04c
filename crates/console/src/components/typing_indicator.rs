//! "<visitor> is typing…" while the other side types; gone when it stops or lapses.

use leptos::prelude::*;
use uuid::Uuid;

use crate::state::use_console;

#[component]
pub fn TypingIndicator(id: Uuid) -> impl IntoView {
    let state = use_console();
    let label = Memo::new(move |_| {
        state.threads.with(|t| {
            t.get(&id)
                .and_then(|t| t.typing.as_ref().map(|n| n.label.clone()))
        })
    });
    move || {
        label.get().map(|label| {
            view! {
                <div class="typing" data-testid="typing-indicator" aria-live="polite">
                    {label}
                </div>
            }
        })
    }
}
