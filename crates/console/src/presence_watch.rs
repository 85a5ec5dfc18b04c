//! Keeps the agent's presence: the toggle's choice, automatic away after 5 idle minutes,
//! back online on the next input. The server learns each change from a `presence` frame
//! (and marks the agent offline by itself when their last console socket closes).

use std::cell::Cell;
use std::time::Duration;

use leptos::prelude::*;
use tidings_protocol::ClientFrame;

use crate::browser::now_ms;
use crate::logic::presence::Presence;
use crate::state::ConsoleState;

/// How often idleness is checked.
const CHECK_EVERY: Duration = Duration::from_secs(15);

thread_local! {
    static LAST_INPUT: Cell<i64> = const { Cell::new(0) };
}

/// Applies a new presence and tells the server if what others see changed.
pub fn set(state: ConsoleState, next: Presence) {
    let before = state.presence.get_untracked();
    if before == next {
        return;
    }
    state.presence.set(next);
    if before.effective() != next.effective() {
        if let Some(live) = state.live() {
            live.send_frame(&ClientFrame::Presence {
                status: next.effective(),
            });
        }
    }
}

/// Watches the agent's input for the life of the page.
pub fn install(state: ConsoleState) {
    LAST_INPUT.with(|t| t.set(now_ms()));
    for name in [
        "keydown",
        "mousedown",
        "mousemove",
        "touchstart",
        "wheel",
        "focus",
    ] {
        // Never removed: the watch lasts as long as the page.
        let _ = window_event_listener_untyped(name, move |_| {
            LAST_INPUT.with(|t| t.set(now_ms()));
            let current = state.presence.get_untracked();
            if current.auto_away {
                set(state, current.on_activity());
            }
        });
    }
    set_interval(
        move || {
            if state.session.with_untracked(Option::is_none) {
                return;
            }
            let idle_for = now_ms() - LAST_INPUT.with(Cell::get);
            let current = state.presence.get_untracked();
            set(state, current.on_idle(idle_for));
        },
        CHECK_EVERY,
    );
}
