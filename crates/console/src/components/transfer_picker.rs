//! Handing a conversation on: the "Transfer" button opens a picker of colleagues (online
//! first, presence live from the `agents` and `agent_presence` frames), an optional note
//! for them (stored as a private note, never shown to the visitor) and "Return to queue".
//! For the agent holding the conversation, and admins.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::http::TransferRequest;
use tidings_protocol::PresenceStatus;
use uuid::Uuid;

use crate::api;
use crate::logic::transfer;
use crate::state::{use_console, ConsoleState};
use crate::sync::conversation_loaded;
use crate::texts::{t, tf};

/// Sends the transfer (to `agent_id`, or back to the queue) and merges the answer: for a
/// plain agent the conversation then leaves Mine, as after an admin's reassignment.
async fn send(state: ConsoleState, id: Uuid, agent_id: Option<Uuid>, note: String) -> bool {
    let Some(token) = state.token() else {
        return false;
    };
    let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
    match api::transfer(&token, id, &TransferRequest { agent_id, note }).await {
        Ok(conversation) => {
            conversation_loaded(state, conversation);
            true
        }
        Err(failure) => {
            state.notice.set(Some(tf(
                "transfer_picker.failed",
                &[("reason", &failure.message)],
            )));
            false
        }
    }
}

#[component]
pub fn TransferPicker(id: Uuid) -> impl IntoView {
    let state = use_console();
    let open = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let holder = move || {
        state.conversations.with(|held| {
            held.get(&id)
                .and_then(|c| c.assigned_agent.as_ref())
                .map(|a| a.id)
        })
    };
    let go = move |agent_id: Option<Uuid>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let text = note.get_untracked();
        spawn_local(async move {
            let done = send(state, id, agent_id, text).await;
            _ = busy.try_set(false);
            if done {
                _ = note.try_set(String::new());
                _ = open.try_set(false);
            }
        });
    };
    let targets = move || {
        state
            .agents
            .with(|agents| transfer::targets(agents, holder()))
            .into_iter()
            .map(|agent| {
                let presence = match agent.status {
                    PresenceStatus::Online => "online",
                    PresenceStatus::Away => "away",
                    PresenceStatus::Offline => "offline",
                };
                let agent_id = agent.id;
                view! {
                    <li>
                        <button
                            type="button"
                            class=format!("transfer-target presence-{presence}")
                            data-testid="transfer-target"
                            data-id=agent_id.to_string()
                            data-status=presence
                            disabled=move || busy.get()
                            on:click=move |_| go(Some(agent_id))
                        >
                            <span class="name">{agent.name.clone()}</span>
                            " "
                            <span class="presence">{format!("({presence})")}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="transfer">
            <button
                type="button"
                data-testid="transfer-conversation"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {t("transfer_picker.transfer")}
            </button>
            <Show when=move || open.get()>
                <div class="transfer-picker" role="dialog" aria-label=t("transfer_picker.transfer_this_chat")>
                    <label class="transfer-note">
                        <span>{t("transfer_picker.note_for_your_colleague_optional")}</span>
                        <textarea
                            data-testid="transfer-note"
                            rows="2"
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                    <ul class="transfer-targets" aria-label=t("transfer_picker.hand_it_to")>
                        {targets}
                    </ul>
                    <div class="transfer-actions">
                        <button
                            type="button"
                            data-testid="return-to-queue"
                            disabled=move || busy.get()
                            on:click=move |_| go(None)
                        >
                            {t("transfer_picker.return_to_queue")}
                        </button>
                        <button type="button" on:click=move |_| open.set(false)>
                            {t("transfer_picker.cancel")}
                        </button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
