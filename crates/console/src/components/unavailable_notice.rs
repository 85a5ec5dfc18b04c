//! What a conversation the agent may not see looks like: nothing of its content.

use leptos::prelude::*;

#[component]
pub fn UnavailableNotice() -> impl IntoView {
    view! {
        <div class="unavailable" data-testid="conversation-unavailable" role="alert">
            <h2>"Conversation not found or not yours"</h2>
            <p>
                "It may not exist, or it is assigned to another agent. "
                <a href="#/">"Back to the list"</a>
            </p>
        </div>
    }
}
