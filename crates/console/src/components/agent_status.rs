//! The online / away toggle. Shows "Away (idle)" when away only because of idleness.

use leptos::prelude::*;
use tidings_protocol::PresenceStatus;

use crate::presence_watch;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn AgentStatus() -> impl IntoView {
    let state = use_console();
    let status = move || state.presence.get().effective();
    let label = move || {
        let presence = state.presence.get();
        match (presence.effective(), presence.auto_away) {
            (PresenceStatus::Online, _) => t("agent_status.online"),
            (_, true) => t("agent_status.away_idle"),
            _ => t("agent_status.away"),
        }
    };
    let state_name = move || match status() {
        PresenceStatus::Online => "online",
        PresenceStatus::Away => "away",
        PresenceStatus::Offline => "offline",
    };
    view! {
        <button
            type="button"
            class="agent-status"
            data-testid="agent-status"
            data-state=state_name
            aria-pressed=move || (status() == PresenceStatus::Online).to_string()
            title=t("agent_status.switch_between_online_and_away")
            on:click=move |_| presence_watch::set(state, state.presence.get_untracked().toggle())
        >
            <span class="dot" aria-hidden="true"></span>
            {label}
        </button>
    }
}
