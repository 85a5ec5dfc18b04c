//! `ChatWidget`: the panel — header, banners, messages, typing, then the composer while
//! the conversation is open or the ended conversation's section (its rating prompt) once it
//! has ended, with its "start a new conversation" button (the stars, feedback and thanks
//! are the extras module's, placed there by `crate::extras::follow_screens`: a visitor sees
//! them at most once per conversation and never at first open). Esc closes it. The
//! extras module adds its screens beside those (`crate::extras::follow_screens`).

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use tidings_protocol::ConversationStatus;

use super::composer::Composer;
use super::connection_banner::ConnectionBanner;
use super::header::Header;
use super::message_list::MessageList;
use super::typing_indicator::TypingIndicator;
use crate::actions::{request_close, start_new_conversation};
use crate::runtime::use_runtime;
use crate::state::use_chat;
use crate::texts::t;

#[component]
pub fn ChatWidget() -> impl IntoView {
    let chat = use_chat();
    let runtime = use_runtime();
    let ended = Memo::new(move |_| chat.status() == ConversationStatus::Ended);
    crate::extras::follow_screens(chat, runtime, ended);
    let title = chat.config.with_value(|c| c.title.clone());
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            request_close(chat);
        }
    };
    view! {
        <div
            class="tw"
            data-testid="chat-widget"
            data-sounds=move || chat.sounds.get()
            role="region"
            aria-label=title
            on:keydown=on_keydown
            on:dragover=crate::upload::on_dragover
            on:drop=move |ev| crate::upload::on_drop(chat, runtime, ev)
            on:paste=move |ev| crate::upload::on_paste(chat, runtime, ev)
        >
            <Header/>
            <ConnectionBanner/>
            <MessageList/>
            <TypingIndicator/>
            // Both built once and shown by `hidden`: switching between them needs no
            // view code to rebuild either.
            <Composer ended/>
            <section class="tw-rating" hidden=move || !ended.get()>
                <button
                    type="button"
                    class="tw-new"
                    data-testid="new-conversation"
                    on:click=move |_| start_new_conversation(runtime)
                >
                    {t("rating.new_conversation")}
                </button>
            </section>
        </div>
    }
}
