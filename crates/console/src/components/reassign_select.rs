//! Admins: give the conversation to another agent.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::PresenceStatus;
use uuid::Uuid;

use crate::conversation_actions::{self, Action};
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn ReassignSelect(id: Uuid) -> impl IntoView {
    let state = use_console();
    let assigned = move || {
        state.conversations.with(|held| {
            held.get(&id)
                .and_then(|c| c.assigned_agent.as_ref())
                .map(|a| a.id.to_string())
                .unwrap_or_default()
        })
    };
    let assign = move |ev: leptos::ev::Event| {
        let Ok(agent_id) = Uuid::parse_str(&event_target_value(&ev)) else {
            return;
        };
        spawn_local(conversation_actions::perform(
            state,
            id,
            Action::Assign(agent_id),
        ));
    };
    let options = move || {
        state
            .agents
            .get()
            .into_iter()
            .map(|agent| {
                let presence = match agent.status {
                    PresenceStatus::Online => "online",
                    PresenceStatus::Away => "away",
                    PresenceStatus::Offline => "offline",
                };
                let value = agent.id.to_string();
                let selected = {
                    let value = value.clone();
                    move || assigned() == value
                };
                view! {
                    <option value=value selected=selected>
                        {format!("{} ({presence})", agent.name)}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <label class="reassign">
            <span class="visually-hidden">{t("reassign_select.assign_to")}</span>
            <select
                data-testid="reassign-conversation"
                aria-label=t("reassign_select.assign_to")
                prop:value=assigned
                on:change=assign
            >
                <option value="" disabled=true>
                    {t("reassign_select.assign_to_placeholder")}
                </option>
                {options}
            </select>
        </label>
    }
}
