//! Message text rendered as text; only http(s) links become anchors, opened in a new tab
//! without access to this page (SPEC 4.10).

use leptos::prelude::*;

use tidings_client::linkify::{segments, Segment};

#[component]
pub fn MessageText(text: String) -> impl IntoView {
    let parts = segments(&text)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(t) => view! { <span>{t.to_string()}</span> }.into_any(),
            Segment::Link(url) => view! {
                <a href=url.to_string() rel="noopener noreferrer" target="_blank">
                    {url.to_string()}
                </a>
            }
            .into_any(),
        })
        .collect_view();
    view! { <p class="text">{parts}</p> }
}
