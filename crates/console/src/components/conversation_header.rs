//! The conversation's title bar: who, status, assignee, and the actions that fit.

use leptos::prelude::*;
use tidings_protocol::ConversationStatus;
use uuid::Uuid;

use super::action_button::ActionButton;
use super::block_visitor::BlockVisitor;
use super::identity_badge::IdentityBadge;
use super::reassign_select::ReassignSelect;
use super::transfer_picker::TransferPicker;
use crate::conversation_actions::Action;
use crate::localized::visitor_label;
use crate::state::use_console;
use crate::texts::{t, tf};

#[component]
pub fn ConversationHeader(id: Uuid) -> impl IntoView {
    let state = use_console();
    let conversation = Memo::new(move |_| state.conversations.with(|held| held.get(&id).cloned()));
    let status = move || conversation.with(|c| c.as_ref().map(|c| c.status));
    let title = move || conversation.with(|c| c.as_ref().map(visitor_label).unwrap_or_default());
    let assignee = move || {
        conversation.with(
            |c| match c.as_ref().and_then(|c| c.assigned_agent.as_ref()) {
                Some(agent) => tf("conversation_header.assigned_to", &[("name", &agent.name)]),
                None => t("conversation_header.not_assigned"),
            },
        )
    };
    let is_admin = move || state.viewer().is_some_and(|v| v.is_admin);
    let may_transfer = move || {
        let viewer = state.viewer();
        conversation.with(|c| {
            c.as_ref()
                .zip(viewer)
                .is_some_and(|(c, v)| crate::logic::transfer::may_transfer(c, v))
        })
    };
    // A memo: the block button keeps its state while the conversation changes around it.
    let visitor_id = Memo::new(move |_| conversation.with(|c| c.as_ref().map(|c| c.visitor_id)));
    let open = Signal::derive(move || status().is_some_and(|s| s != ConversationStatus::Ended));
    view! {
        <header class="conversation-header">
            <h2>{title}</h2>
            <IdentityBadge user_id=Signal::derive(move || {
                conversation.with(|c| c.as_ref().and_then(|c| c.visitor_user_id.clone()))
            }) />
            <span
                class="status-badge"
                data-testid="conversation-status"
                data-state=move || status().map(|s| s.as_str()).unwrap_or_default()
            >
                {move || status().map(|s| s.as_str()).unwrap_or_default()}
            </span>
            <span class="assignee">{assignee}</span>
            <span class="spacer"></span>
            <Show when=move || status() == Some(ConversationStatus::Waiting)>
                <ActionButton
                    id=id
                    action=Action::Claim
                    label=t("conversation_header.claim")
                    test_id="claim-conversation"
                    class="primary"
                />
            </Show>
            <Show when=move || is_admin() && status().is_some_and(|s| s != ConversationStatus::Ended)>
                <ReassignSelect id=id />
            </Show>
            <Show when=may_transfer>
                <TransferPicker id=id />
            </Show>
            {move || {
                visitor_id
                    .get()
                    .map(|visitor_id| view! { <BlockVisitor visitor_id=visitor_id open=open /> })
            }}
            <Show when=move || status().is_some_and(|s| s != ConversationStatus::Ended)>
                <ActionButton
                    id=id
                    action=Action::Close
                    label=t("conversation_header.close")
                    test_id="close-conversation"
                    class="danger"
                />
            </Show>
        </header>
    }
}
