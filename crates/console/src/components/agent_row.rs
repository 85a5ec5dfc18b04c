//! Admins: one agent of the team with their live presence, and what an admin can do to
//! them: promote or demote, reset the password (to a link), remove (asked twice).

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::http::UpdateAgentRequest;
use tidings_protocol::{Agent, PresenceStatus};

use super::set_password_link::SetPasswordLink;
use crate::api;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn AgentRow(agent: Agent) -> impl IntoView {
    let state = use_console();
    let error = RwSignal::new(None::<String>);
    let link = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let id = agent.id;
    let is_self = state.agent().is_some_and(|me| me.id == id);
    let presence = match agent.status {
        PresenceStatus::Online => "online",
        PresenceStatus::Away => "away",
        PresenceStatus::Offline => "offline",
    };
    let presence_label = match agent.status {
        PresenceStatus::Online => t("agent_row.online"),
        PresenceStatus::Away => t("agent_row.away"),
        PresenceStatus::Offline => t("agent_row.offline"),
    };
    let make_admin = !agent.is_admin;

    let toggle_admin = move |_| {
        let Some(token) = state.token() else { return };
        let request = UpdateAgentRequest {
            name: None,
            is_admin: Some(make_admin),
        };
        spawn_local(async move {
            if let Err(failure) = api::update_agent(&token, id, &request).await {
                error.try_set(Some(failure.message));
            }
        });
    };
    let reset = move |_| {
        let Some(token) = state.token() else { return };
        spawn_local(async move {
            match api::reset_password(&token, id, None).await {
                Ok(credentials) => {
                    link.try_set(credentials.set_password_token);
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };
    let remove = move |_| {
        let Some(token) = state.token() else { return };
        spawn_local(async move {
            if let Err(failure) = api::remove_agent(&token, id).await {
                error.try_set(Some(failure.message));
            }
        });
    };
    let name = agent.name.clone();

    view! {
        <li class="agent-row" data-testid="agent-row" data-email=agent.email.clone() data-status=presence>
            <span class=format!("presence-dot {presence}") aria-hidden="true"></span>
            <span class="agent-row-name">{agent.name.clone()}</span>
            <span class="agent-row-email">{agent.email.clone()}</span>
            <span class="agent-row-role" data-testid="agent-role">
                {if agent.is_admin { t("agent_row.role_admin") } else { t("agent_row.role_agent") }}
            </span>
            <span class="agent-row-presence">{presence_label}</span>
            <Show when=move || !is_self>
                <button type="button" data-testid="agent-toggle-admin" on:click=toggle_admin>
                    {if make_admin { t("agent_row.make_admin") } else { t("agent_row.make_agent") }}
                </button>
                <button type="button" data-testid="agent-reset-password" on:click=reset>
                    {t("agent_row.reset_password")}
                </button>
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="danger" data-testid="agent-remove" on:click=move |_| confirming.set(true)>
                            {t("agent_row.remove")}
                        </button>
                    }
                >
                    <button type="button" class="danger" data-testid="agent-remove-confirm" on:click=remove>
                        {t("agent_row.really_remove")}
                    </button>
                    <button type="button" on:click=move |_| confirming.set(false)>
                        {t("agent_row.keep")}
                    </button>
                </Show>
            </Show>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {
                let name = name.clone();
                move || link.get().map(|token| view! { <SetPasswordLink who=name.clone() token=token /> })
            }
        </li>
    }
}
