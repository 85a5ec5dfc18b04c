//! The last action that failed (claim, assign, close, loading the list), until dismissed.

use leptos::prelude::*;

use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn NoticeBar() -> impl IntoView {
    let state = use_console();
    move || {
        state.notice.get().map(|message| {
            view! {
                <div class="notice" role="alert" data-testid="notice">
                    <span>{message}</span>
                    <button type="button" on:click=move |_| state.notice.set(None)>
                        {t("notice_bar.dismiss")}
                    </button>
                </div>
            }
        })
    }
}
