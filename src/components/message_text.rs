//! A message body as text: never HTML. Only `http(s)` URLs become links, opened in a new
//! tab with `rel="noopener noreferrer"` (SPEC 4.10).

use leptos::either::Either;
use leptos::prelude::*;

use tidings_client::linkify::{segments, Segment};

#[component]
pub fn MessageText(body: String) -> impl IntoView {
    let parts = segments(&body)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => Either::Left(text.to_owned()),
            Segment::Link(url) => {
                let (href, label) = (url.to_owned(), url.to_owned());
                Either::Right(
                    view! { <a href=href rel="noopener noreferrer" target="_blank">{label}</a> },
                )
            }
        })
        .collect_view();
    view! { <span class="tw-text">{parts}</span> }
}
