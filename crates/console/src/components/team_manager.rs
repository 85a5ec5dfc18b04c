//! Admins: the team, live (the server's `agents` and `agent_presence` frames), and the form
//! to add an agent.

use leptos::prelude::*;

use super::add_agent_form::AddAgentForm;
use super::agent_row::AgentRow;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn TeamManager() -> impl IntoView {
    let state = use_console();
    view! {
        <section class="admin-screen" aria-labelledby="team-heading">
            <h2 id="team-heading">{t("team_manager.team")}</h2>
            <ul class="agent-rows">
                <For
                    each=move || state.agents.get()
                    key=|agent| (agent.id, agent.name.clone(), agent.email.clone(), agent.is_admin, agent.status)
                    let:agent
                >
                    <AgentRow agent=agent />
                </For>
            </ul>
            <AddAgentForm />
        </section>
    }
}
