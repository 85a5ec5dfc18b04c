//! Banners above the messages: offline (shown exactly while `connection-status` says
//! offline), a quiet line when nothing can be kept on this device (the chat lives as long
//! as the page), and any notice the visitor must see (a message that could not be stored).

use leptos::prelude::*;
use tidings_client::ConnectionState;

use crate::state::use_chat;
use crate::texts::t;

#[component]
pub fn ConnectionBanner() -> impl IntoView {
    let chat = use_chat();
    let offline = Memo::new(move |_| chat.connection.get() == ConnectionState::Offline);
    view! {
        {move || offline.get().then(|| view! {
            <div class="tw-banner" role="status">
                {t("banner.offline")}
            </div>
        })}
        {move || chat.memory_only.get().then(|| view! {
            <p class="tw-quiet" data-testid="storage-notice">
                {t("banner.memory_only")}
            </p>
        })}
        {move || {
            chat.notice
                .get()
                .map(|text| view! { <div class="tw-banner tw-warn" role="alert">{text}</div> })
        }}
    }
}
