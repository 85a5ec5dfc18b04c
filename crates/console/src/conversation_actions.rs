//! The agent's actions on a conversation over HTTP: claim, reassign (admins), close. The
//! updated conversation the server answers with goes into the list at once (the
//! `conversation` frame that follows then merges as no news); a refusal becomes the
//! notice bar's message.

use leptos::prelude::Set;
use tidings_protocol::Conversation;
use uuid::Uuid;

use crate::api::{self, Failure};
use crate::state::ConsoleState;
use crate::sync::conversation_loaded;
use crate::texts::tf;

/// What to do with a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Claim,
    /// Give it to this agent.
    Assign(Uuid),
    Close,
}

impl Action {
    /// The verb of the failure notice: "Could not claim: …".
    /// The catalog key of the sentence saying this action failed.
    fn failed(self) -> &'static str {
        match self {
            Action::Claim => "actions.claim_failed",
            Action::Assign(_) => "actions.reassign_failed",
            Action::Close => "actions.close_failed",
        }
    }

    async fn request(self, token: &str, id: Uuid) -> Result<Conversation, Failure> {
        match self {
            Action::Claim => api::claim(token, id).await,
            Action::Assign(agent_id) => api::assign(token, id, agent_id).await,
            Action::Close => api::close(token, id).await,
        }
    }
}

/// Performs `action` on conversation `id` for the logged-in agent.
pub async fn perform(state: ConsoleState, id: Uuid, action: Action) {
    let Some(token) = state.token() else { return };
    match action.request(&token, id).await {
        Ok(conversation) => conversation_loaded(state, conversation),
        Err(failure) => state
            .notice
            .set(Some(tf(action.failed(), &[("reason", &failure.message)]))),
    }
}
