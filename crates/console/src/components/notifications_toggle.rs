//! The top bar's switch for desktop notifications, per agent. Turning it on asks the
//! browser's permission (from this click, never on load); when the browser has refused
//! them, it says where to allow them instead.

use leptos::prelude::*;

use crate::desktop_notifications;
use crate::state::use_console;

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
    let note = RwSignal::new(None::<&'static str>);
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
            note.try_set((!granted).then_some(if desktop_notifications::refused() {
                "Notifications are blocked for this site in the browser's settings."
            } else {
                "Notifications were not allowed."
            }));
        });
    };
    view! {
        <button
            type="button"
            class="top-link notifications-toggle"
            data-testid="notifications-toggle"
            aria-pressed=move || if on.get() { "true" } else { "false" }
            title=move || note.get().unwrap_or("Desktop notifications while the console is in the background")
            on:click=toggle
        >
            {move || if on.get() { "Notifications on" } else { "Notifications off" }}
        </button>
        {move || note.get().map(|n| view! { <span class="visually-hidden" role="status">{n}</span> })}
    }
}
