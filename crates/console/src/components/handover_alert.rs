//! The alert a colleague's transfer (or an admin's assignment) raises in the receiving
//! agent's console: which chat is now theirs, a link to open it, until dismissed.

use leptos::prelude::*;

use crate::logic::route::{href, Route};
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn HandoverAlert() -> impl IntoView {
    let state = use_console();
    move || {
        state.handover.get().map(|(id, label)| {
            view! {
                <div class="notice handover" role="status" data-testid="handover-alert">
                    <span>{format!("{label} was handed to you.")}</span>
                    <a
                        href=href(Route::Conversation(id))
                        on:click=move |_| state.handover.set(None)
                    >
                        {t("handover_alert.open")}
                    </a>
                    <button type="button" on:click=move |_| state.handover.set(None)>
                        {t("handover_alert.dismiss")}
                    </button>
                </div>
            }
        })
    }
}
