//! Ends the session here and on the server.

use leptos::prelude::*;

use crate::session;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn LogoutButton() -> impl IntoView {
    let state = use_console();
    view! {
        <button
            type="button"
            class="logout"
            data-testid="logout"
            on:click=move |_| session::log_out(state)
        >
            {t("logout_button.log_out")}
        </button>
    }
}
