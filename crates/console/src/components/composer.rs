//! Writing a reply: Enter sends (Shift+Enter for a new line), the message shows at once as
//! pending through the outbox; typing is announced while the agent types. Typing `/` and
//! a shortcut opens the canned responses (arrows move, Enter or Tab inserts, Escape
//! closes), their names filled in. The note toggle switches it to a private note, which
//! the visitor never sees (posted over HTTP, see `notes`; no typing indicator for it).

use std::time::Duration;

use leptos::prelude::*;
use tidings_protocol::limits::{message_chars, MAX_MESSAGE_CHARS};
use tidings_protocol::ClientFrame;
use uuid::Uuid;

use super::attach_control::AttachControl;
use super::canned_menu::CannedMenu;
use crate::attachments::{first_file, FileSender};
use crate::logic::canned;
use crate::state::use_console;
use crate::texts::t;
use crate::{browser, notes, threads};

/// Renew "typing" at most this often while keys keep coming (the server's TTL is 5 s).
const TYPING_RENEW_MS: i64 = 2_000;
/// Say "stopped typing" after this long without a key.
const TYPING_IDLE: Duration = Duration::from_secs(3);
/// Show the length counter from this many characters on.
const COUNTER_FROM: usize = MAX_MESSAGE_CHARS - 500;

#[component]
pub fn Composer(id: Uuid) -> impl IntoView {
    let state = use_console();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let typing_since = StoredValue::new(0_i64);
    let idle_timer = StoredValue::new(None::<TimeoutHandle>);
    let input = NodeRef::<leptos::html::Textarea>::new();
    // Writing a private note instead of a reply; the id of the note being posted, kept
    // until it is stored, so a retry after a lost answer stores it once.
    let note_mode = RwSignal::new(false);
    let note_id = StoredValue::new(None::<Uuid>);
    let posting = RwSignal::new(false);
    let files = FileSender::new(id);
    // The canned responses matching the `/shortcut` the text ends in, if it does.
    let matches = Memo::new(move |_| {
        text.with(|t| match canned::slash_query(t) {
            Some(query) => state.canned.with(|all| {
                canned::matching(all, query)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
            }),
            None => Vec::new(),
        })
    });
    let selected = RwSignal::new(0_usize);
    // Escape closes the list until the text changes.
    let dismissed = RwSignal::new(false);
    let menu_open = move || !dismissed.get() && matches.with(|m| !m.is_empty());
    let pick = Callback::new(move |response: tidings_protocol::CannedResponse| {
        let visitor = state
            .conversations
            .with_untracked(|held| held.get(&id).and_then(|c| c.visitor_name.clone()));
        let agent = state.agent().map(|a| a.name);
        let body = canned::fill(&response.body, visitor.as_deref(), agent.as_deref());
        text.update(|t| *t = canned::insert(t, &body));
        selected.set(0);
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    });

    let set_typing = move |typing: bool| {
        if let Some(live) = state.live() {
            live.send_frame(&ClientFrame::Typing {
                conversation_id: id,
                typing,
            });
        }
        // The composer may be going away (blur fires while its textarea is removed).
        typing_since.try_set_value(if typing { browser::now_ms() } else { 0 });
    };
    let stop_typing = move || {
        if let Some(timer) = idle_timer.try_get_value().flatten() {
            timer.clear();
        }
        if typing_since.try_get_value().is_some_and(|t| t != 0) {
            set_typing(false);
        }
    };
    on_cleanup(move || {
        if let Some(timer) = idle_timer.try_get_value().flatten() {
            timer.clear();
        }
    });

    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let empty = value.trim().is_empty();
        text.set(value);
        dismissed.set(false);
        selected.set(0);
        error.set(None);
        note_id.set_value(None);
        // A visitor must not even see that a note is being written.
        if empty || note_mode.get_untracked() {
            stop_typing();
            return;
        }
        if browser::now_ms() - typing_since.get_value() > TYPING_RENEW_MS {
            set_typing(true);
        }
        if let Some(timer) = idle_timer.get_value() {
            timer.clear();
        }
        let timer = set_timeout_with_handle(
            move || {
                if typing_since.try_get_value().is_some_and(|t| t != 0) {
                    set_typing(false);
                }
            },
            TYPING_IDLE,
        );
        idle_timer.set_value(timer.ok());
    };

    let send = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        if note_mode.get_untracked() {
            if posting.get_untracked() {
                return;
            }
            let this_note = note_id.get_value().unwrap_or_else(Uuid::new_v4);
            note_id.set_value(Some(this_note));
            posting.set(true);
            leptos::task::spawn_local(async move {
                let outcome = notes::post(state, id, this_note, &body).await;
                // The composer may be gone (the conversation was closed meanwhile).
                _ = posting.try_set(false);
                match outcome {
                    Ok(()) => {
                        if text.try_get_untracked().as_deref() == Some(body.as_str()) {
                            _ = text.try_set(String::new());
                        }
                        note_id.try_set_value(None);
                    }
                    Err(message) => _ = error.try_set(Some(message)),
                }
            });
            return;
        }
        match threads::send_message(state, id, &body) {
            Ok(()) => {
                text.set(String::new());
                stop_typing();
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let open = !dismissed.get_untracked() && matches.with_untracked(|m| !m.is_empty());
        if open && !ev.is_composing() {
            let count = matches.with_untracked(Vec::len);
            let key = ev.key();
            match key.as_str() {
                "ArrowDown" => selected.update(|s| *s = (*s + 1) % count),
                "ArrowUp" => selected.update(|s| *s = (*s + count - 1) % count),
                "Enter" | "Tab" if !ev.shift_key() => {
                    let chosen = matches.with_untracked(|m| {
                        m.get(selected.get_untracked().min(count - 1)).cloned()
                    });
                    if let Some(chosen) = chosen {
                        pick.run(chosen);
                    }
                }
                "Escape" => dismissed.set(true),
                _ => return,
            }
            ev.prevent_default();
            return;
        }
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let count = move || text.with(|t| message_chars(t));

    view! {
        <form
            class="composer"
            class:note-mode=move || note_mode.get()
            // A file dropped on the composer, or a picture pasted into it, is sent.
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=move |ev: leptos::ev::DragEvent| {
                if let Some(file) = first_file(ev.data_transfer()) {
                    ev.prevent_default();
                    files.send(state, file);
                }
            }
            on:paste=move |ev: leptos::ev::ClipboardEvent| {
                if let Some(file) = first_file(ev.clipboard_data()) {
                    ev.prevent_default();
                    files.send(state, file);
                }
            }
            on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                send();
            }
        >
            <Show when=menu_open>
                <CannedMenu items=matches selected=selected on_pick=pick />
            </Show>
            <textarea
                node_ref=input
                data-testid="composer-input"
                aria-autocomplete="list"
                // A textbox may not carry aria-expanded; it names the list it drives instead.
                aria-controls=move || menu_open().then_some("canned-menu")
                aria-label=move || if note_mode.get() { t("composer.private_note") } else { t("composer.reply") }
                placeholder=move || {
                    if note_mode.get() {
                        {t("composer.write_a_private_note_for")}
                    } else {
                        {t("composer.write_a_reply_enter_to")}
                    }
                }
                rows="3"
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| stop_typing()
            ></textarea>
            <div class="composer-row">
                {move || error.get().map(|e| view! { <span class="composer-error" role="alert">{e}</span> })}
                <Show when=move || { count() >= COUNTER_FROM }>
                    <span class="counter" class:over=move || { count() > MAX_MESSAGE_CHARS }>
                        {move || format!("{}/{MAX_MESSAGE_CHARS}", count())}
                    </span>
                </Show>
                <span class="spacer"></span>
                <AttachControl sender=files />
                <button
                    type="button"
                    class="note-toggle"
                    data-testid="note-toggle"
                    aria-pressed=move || note_mode.get().to_string()
                    title=t("composer.switch_between_a_reply_and")
                    on:click=move |_| {
                        let on = !note_mode.get_untracked();
                        note_mode.set(on);
                        if on {
                            stop_typing();
                        }
                        if let Some(input) = input.get_untracked() {
                            let _ = input.focus();
                        }
                    }
                >
                    {move || if note_mode.get() { t("composer.private_note_on") } else { t("composer.private_note") }}
                </button>
                <button type="submit" class="primary" data-testid="composer-send">
                    {move || if note_mode.get() { t("composer.add_note") } else { t("composer.send") }}
                </button>
            </div>
        </form>
    }
}
