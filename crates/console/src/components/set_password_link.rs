//! A one-time set-password link an admin copies and hands to an agent, shown once.

use crate::texts::{t, tf};
use leptos::prelude::*;

/// The full link for a set-password token, on this console's own address.
pub fn link_for(token: &str) -> String {
    let location = window().location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}#/set-password/{token}")
}

#[component]
pub fn SetPasswordLink(who: String, token: String) -> impl IntoView {
    let link = link_for(&token);
    view! {
        <p class="set-password-link" role="status">
            {tf("set_password_link.send", &[("name", &who)])}
            <input data-testid="team-link" readonly prop:value=link.clone() aria-label=t("set_password_link.label") />
        </p>
    }
}
