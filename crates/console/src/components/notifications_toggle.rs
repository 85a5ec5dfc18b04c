//! The top bar's switch for desktop notifications, per agent. Turning it on asks the
//! browser's permission (from this click, never on load); when the browser has refused
//! them, it says where to allow them instead.

use leptos::prelude::*;

use crate::desktop_notifications;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn NotificationsToggle() -> impl IntoView {
    let state = use_console();
    desktop_notifications::watch_front();
    let agent_id = move || state.session.with(|s| s.as_ref().map(|s| s.agent.id));
    let on = RwSignal::new(false);
    // Follows the agent logged in (the switch is theirs, not the browser's).
    Effect::new(move |_| {
        on.set(agent_id().is_some_and(|id| {
            desktop_notifications::enabled(id) && desktop_notifications::permitted()
        }));
    });
    let note = RwSignal::new(None::<String>);
    let toggle = move |_| {
        let Some(id) = agent_id() else { return };
        if on.get_untracked() {
            desktop_notifications::turn_off(id);
            on.set(false);
            note.set(None);
            return;
        }
        desktop_notifications::turn_on(id, move |granted| {
            on.try_set(granted);
            note.try_set((!granted).then(|| {
                if desktop_notifications::refused() {
                    t("notifications_toggle.notifications_are_blocked_for_this")
                } else {
                    t("notifications_toggle.notifications_were_not_allowed")
                }
            }));
        });
    };
    view! {
        <button
            type="button"
            class="top-link notifications-toggle"
            data-testid="notifications-toggle"
            aria-pressed=move || if on.get() { "true" } else { "false" }
            title=move || note.get().unwrap_or_else(|| t("notifications_toggle.title"))
            on:click=toggle
        >
            {move || if on.get() { t("notifications_toggle.notifications_on") } else { t("notifications_toggle.notifications_off") }}
        </button>
        {move || note.get().map(|n| view! { <span class="visually-hidden" role="status">{n}</span> })}
    }
}
