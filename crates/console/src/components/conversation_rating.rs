//! The visitor's rating of an ended conversation: stars as a number 1–5 and the feedback,
//! shown as soon as it arrives.

use leptos::prelude::*;
use uuid::Uuid;

use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn ConversationRating(id: Uuid) -> impl IntoView {
    let state = use_console();
    let rating = Memo::new(move |_| {
        state.conversations.with(|held| {
            held.get(&id)
                .and_then(|c| c.rating.map(|r| (r.clamp(1, 5), c.feedback.clone())))
        })
    });
    move || match rating.get() {
        None => view! {
            <p class="rating-pending">{t("conversation_rating.waiting_for_the_visitor_s")}</p>
        }
        .into_any(),
        Some((stars, feedback)) => {
            let shown = format!(
                "{}{}",
                "★".repeat(stars as usize),
                "☆".repeat(5 - stars as usize)
            );
            view! {
                <div
                    class="conversation-rating"
                    data-testid="conversation-rating"
                    data-rating=stars.to_string()
                >
                    <span class="rating-label">{t("conversation_rating.rating")}</span>
                    <span class="rating-number">{stars.to_string()}</span>
                    <span class="rating-stars" aria-hidden="true">{shown}</span>
                    {feedback
                        .filter(|f| !f.trim().is_empty())
                        .map(|f| view! { <blockquote class="rating-feedback">{f}</blockquote> })}
                </div>
            }
            .into_any()
        }
    }
}
