//! A message body as text: never HTML. Only `http(s)` URLs become links, opened in a new
//! tab with `rel="noopener noreferrer"` (SPEC 4.10).

use leptos::prelude::*;

use crate::linkify::{segments, Segment};

#[component]
pub fn MessageText(body: String) -> impl IntoView {
    let parts = segments(&body)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.into_any(),
            Segment::Link(url) => {
                let label = url.clone();
                view! { <a href=url rel="noopener noreferrer" target="_blank">{label}</a> }
                    .into_any()
            }
        })
        .collect_view();
    view! { <span class="tw-text">{parts}</span> }
}
