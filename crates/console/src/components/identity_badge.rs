//! "verified" or "unverified" beside a visitor's name: whether the site signed who they
//! are (`identify` with `user_id` and `user_hash`). A name and email alone are whatever the
//! visitor typed, so agents must not take them for proof.

use crate::texts::{t, tf};
use leptos::prelude::*;

/// The badge; `user_id` is the visitor's verified id, `None` while unverified.
#[component]
pub fn IdentityBadge(#[prop(into)] user_id: Signal<Option<String>>) -> impl IntoView {
    let verified = move || user_id.with(Option::is_some);
    let state = move || if verified() { "verified" } else { "unverified" };
    let title = move || match user_id.get() {
        Some(id) => tf("identity_badge.verified", &[("id", &id)]),
        None => t("identity_badge.unverified"),
    };
    view! {
        <span class="identity-badge" data-testid="visitor-verified" data-state=state title=title>
            {move || if verified() { t("identity_badge.verified_label") } else { t("identity_badge.unverified_label") }}
        </span>
    }
}
