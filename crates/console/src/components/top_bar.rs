//! The bar across the top: product name, connection, the admin screens (for admins), the
//! agent's account, their presence and logout.

use leptos::prelude::*;

use super::agent_status::AgentStatus;
use super::connection_badge::ConnectionBadge;
use super::logout_button::LogoutButton;
use super::notifications_toggle::NotificationsToggle;
use crate::state::use_console;
use crate::texts::{t, tf};

#[component]
pub fn TopBar() -> impl IntoView {
    let state = use_console();
    let who = move || {
        state.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    if s.agent.is_admin {
                        tf("top_bar.admin", &[("name", &s.agent.name)])
                    } else {
                        s.agent.name.clone()
                    }
                })
                .unwrap_or_default()
        })
    };
    view! {
        <header class="top-bar">
            <a class="brand" href="#/">"Tidings"</a>
            <ConnectionBadge />
            <span class="spacer"></span>
            <Show when=move || state.is_admin()>
                <a class="top-link" href="#/canned" data-testid="canned-manage">{t("top_bar.canned")}</a>
                <a class="top-link" href="#/team" data-testid="team-manage">{t("top_bar.team")}</a>
                <a class="top-link" href="#/reports" data-testid="reports">{t("top_bar.reports")}</a>
            </Show>
            <a class="top-link" href="#/account" data-testid="account-manage">{t("top_bar.account")}</a>
            <NotificationsToggle />
            <AgentStatus />
            <span class="agent-name" data-testid="agent-name">{who}</span>
            <LogoutButton />
        </header>
    }
}
