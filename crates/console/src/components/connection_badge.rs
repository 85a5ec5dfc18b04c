//! Whether the console's live connection is up (`connection-status`, as in the widget).

use leptos::prelude::*;
use tidings_client::ConnectionState;

use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let state = use_console();
    let connection = move || state.connection.get();
    let label = move || match connection() {
        ConnectionState::Online => t("connection_badge.live"),
        ConnectionState::Connecting => t("connection_badge.connecting"),
        ConnectionState::Offline => t("connection_badge.offline_reconnecting"),
    };
    view! {
        <span
            class="connection"
            data-testid="connection-status"
            data-state=move || connection().as_str()
            role="status"
        >
            {label}
        </span>
    }
}
