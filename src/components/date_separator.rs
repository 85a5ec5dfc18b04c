//! A day label between messages of different days ("Today", "Yesterday", a date).

use leptos::prelude::*;

#[component]
pub fn DateSeparator(label: String) -> impl IntoView {
    view! {
        <div class="tw-day" role="separator">
            <span>{label}</span>
        </div>
    }
}
