//! The console's keyboard flow: a window-wide key listener that runs the shortcuts of
//! `logic::shortcuts` (next waiting chat, claim, reply, end) and the `?` overlay that
//! lists them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::ConversationStatus;
use wasm_bindgen::JsCast;

use crate::conversation_actions::{self, Action};
use crate::logic::list::{self, Filter};
use crate::logic::route::{href, Route};
use crate::logic::shortcuts::{self, KeyPress, Shortcut, HELP};
use crate::state::{use_console, ConsoleState};
use crate::texts::t;

/// Whether the focus is somewhere the agent types.
fn in_field(target: Option<web_sys::EventTarget>) -> bool {
    let Some(element) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.is_content_editable()
}

fn run(
    state: ConsoleState,
    shortcut: Shortcut,
    help: RwSignal<bool>,
    target: Option<web_sys::EventTarget>,
) {
    let open = state.open_conversation_untracked();
    let status = open.and_then(|id| {
        state
            .conversations
            .with_untracked(|held| held.get(&id).map(|c| c.status))
    });
    match shortcut {
        Shortcut::NextWaiting => {
            let Some(viewer) = state.viewer_untracked() else {
                return;
            };
            let waiting = state
                .conversations
                .with_untracked(|held| list::visible(held.values(), Filter::Waiting, viewer));
            if let Some(id) = shortcuts::next_waiting(&waiting, open) {
                let _ = window().location().set_hash(&href(Route::Conversation(id)));
            }
        }
        Shortcut::Claim => {
            if let (Some(id), Some(ConversationStatus::Waiting)) = (open, status) {
                spawn_local(conversation_actions::perform(state, id, Action::Claim));
            }
        }
        Shortcut::Close => {
            if let (Some(id), Some(ConversationStatus::Active | ConversationStatus::Waiting)) =
                (open, status)
            {
                spawn_local(conversation_actions::perform(state, id, Action::Close));
            }
        }
        Shortcut::Reply => {
            let input = document()
                .query_selector("[data-testid=\"composer-input\"]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(input) = input {
                let _ = input.focus();
            }
        }
        Shortcut::Help => help.update(|shown| *shown = !*shown),
        Shortcut::Dismiss => {
            help.set(false);
            if let Some(element) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = element.blur();
            }
        }
    }
}

#[component]
pub fn KeyboardShortcuts() -> impl IntoView {
    let state = use_console();
    let help = RwSignal::new(false);
    let listener = window_event_listener(leptos::ev::keydown, move |ev| {
        // What a field already handled (Enter in the composer, Esc in its canned list)
        // is not a shortcut.
        if ev.default_prevented() || ev.is_composing() {
            return;
        }
        let key = ev.key();
        let press = KeyPress {
            key: &key,
            modified: ev.ctrl_key() || ev.alt_key() || ev.meta_key(),
            in_field: in_field(ev.target()),
        };
        if let Some(shortcut) = shortcuts::shortcut(press) {
            ev.prevent_default();
            run(state, shortcut, help, ev.target());
        }
    });
    on_cleanup(move || listener.remove());

    let rows = || {
        HELP.iter()
            .map(|(key, what)| {
                view! {
                    <tr>
                        <td>
                            <kbd>{*key}</kbd>
                        </td>
                        <td>{shortcut_help(key, what)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || help.get()>
            <div class="keyboard-help" data-testid="keyboard-help" role="dialog" aria-modal="false" aria-labelledby="keyboard-help-title">
                <h2 id="keyboard-help-title">{t("keyboard_shortcuts.keyboard_shortcuts")}</h2>
                <table>
                    <tbody>{rows()}</tbody>
                </table>
                <button type="button" on:click=move |_| help.set(false)>{t("keyboard_shortcuts.close")}</button>
            </div>
        </Show>
    }
}

/// What a shortcut does, in the agent's language (`HELP` holds the English).
fn shortcut_help(key: &str, english: &str) -> String {
    match key {
        "n" => t("shortcuts.next"),
        "c" => t("shortcuts.claim"),
        "r" => t("shortcuts.reply"),
        "e" => t("shortcuts.end"),
        "/" => t("shortcuts.canned"),
        "Esc" => t("shortcuts.escape"),
        "?" => t("shortcuts.help"),
        _ => english.to_owned(),
    }
}
