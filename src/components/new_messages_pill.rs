//! "New messages" pill: shown when messages arrive while the visitor has scrolled up;
//! clicking it scrolls to the newest.

use leptos::prelude::*;

use crate::texts::t;

#[component]
pub fn NewMessagesPill(visible: Signal<bool>, on_click: Callback<()>) -> impl IntoView {
    view! {
        // Built once and shown by `hidden` (out of the accessibility tree while hidden).
        <button class="tw-pill" type="button" hidden=move || !visible.get()
            on:click=move |_| on_click.run(())>
            {t("list.new_messages")}
        </button>
    }
}
