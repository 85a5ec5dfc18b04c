//! "<visitor> is typing…" while the other side types; gone when it stops or lapses.

use leptos::prelude::*;
use uuid::Uuid;

use crate::localized::visitor_label;
use crate::logic::model::Typist;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn TypingIndicator(id: Uuid) -> impl IntoView {
    let state = use_console();
    let typist = Memo::new(move |_| {
        state.threads.with(|t| {
            t.get(&id)
                .and_then(|t| t.typing.as_ref().map(|n| n.who.clone()))
        })
    });
    let label = move || {
        let who = match typist.get()? {
            Typist::Visitor => state
                .conversations
                .with_untracked(|held| held.get(&id).map(visitor_label))
                .unwrap_or_else(|| t("frames.the_visitor")),
            Typist::Agent(name) => name,
            Typist::AnotherAgent => t("frames.another_agent"),
        };
        Some(format!("{who} is typing…"))
    };
    move || {
        label().map(|label| {
            view! {
                <div class="typing" data-testid="typing-indicator" aria-live="polite">
                    {label}
                </div>
            }
        })
    }
}
