//! The visitor panel's list of the visitor's conversations this agent may open (the one
//! on screen marked), newest first; each opens in the main pane.

use leptos::prelude::*;
use tidings_protocol::Conversation;
use uuid::Uuid;

use crate::browser;
use crate::localized::{clock_time, day_label};
use crate::logic::age::local_day;
use crate::logic::route::{href, Route};

#[component]
pub fn VisitorConversations(current: Uuid, conversations: Vec<Conversation>) -> impl IntoView {
    let offset = browser::utc_offset_minutes();
    let today = local_day(browser::now_ms(), offset);
    let items = conversations
        .into_iter()
        .map(|c| {
            let when = format!(
                "{} {}",
                day_label(today, local_day(c.started_at, offset)),
                clock_time(c.started_at, offset)
            );
            let is_current = c.id == current;
            view! {
                <li>
                    <a
                        class="visitor-conversation"
                        data-testid="visitor-conversation"
                        data-id=c.id.to_string()
                        data-status=c.status.as_str()
                        href=href(Route::Conversation(c.id))
                        aria-current=is_current.then_some("page")
                    >
                        <span class="when">{when}</span>
                        <span class="status">{c.status.as_str()}</span>
                        <span class="preview">{c.last_message_preview.unwrap_or_default()}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="visitor-conversations">{items}</ol> }
}
