//! `ChatWidget`: the panel — header, banners, messages, typing, then the composer while
//! the conversation is open or the rating prompt once it has ended. Esc closes it. Where the
//! server sends email, slots for the extras module: the offline email form while nobody is
//! online, the transcript button once the chat has ended.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use tidings_protocol::{ConversationStatus, PresenceStatus};

use super::composer::Composer;
use super::connection_banner::ConnectionBanner;
use super::extras_slot::ExtrasSlot;
use super::header::Header;
use super::message_list::MessageList;
use super::rating_prompt::RatingPrompt;
use super::typing_indicator::TypingIndicator;
use crate::actions::request_close;
use crate::state::use_chat;

#[component]
pub fn ChatWidget() -> impl IntoView {
    let chat = use_chat();
    let ended = Memo::new(move |_| chat.status() == ConversationStatus::Ended);
    let offline_email = Memo::new(move |_| {
        chat.email.get() && chat.availability.get() != PresenceStatus::Online && !ended.get()
    });
    let title = chat.config.with_value(|c| c.title.clone());
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            request_close();
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
        >
            <Header/>
            <ConnectionBanner/>
            <MessageList/>
            <TypingIndicator/>
            {move || offline_email.get().then(|| view! { <ExtrasSlot export="mount_offline_email"/> })}
            {move || {
                if ended.get() {
                    let transcript = chat.email.get().then(|| view! { <ExtrasSlot export="mount_transcript"/> });
                    view! { <RatingPrompt/> {transcript} }.into_any()
                } else {
                    view! { <Composer/> }.into_any()
                }
            }}
        </div>
    }
}
