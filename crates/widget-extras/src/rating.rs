//! The rating prompt, once the conversation has ended: 1–5 stars and optional feedback, sent
//! as `POST /v1/conversations/{id}/rating` for the visitor's token, then thanks. Here rather
//! than in the widget because a visitor sees it at most once per conversation, and never
//! at first open; the widget keeps "Start a new conversation" below it, and tells the
//! rating the server holds (another tab's, or after a reload) so thanks show in its place.

use leptos::either::Either;
use leptos::prelude::*;
use tidings_client::encode;
use tidings_protocol::http::RatingRequest;
use tidings_protocol::limits::MAX_FEEDBACK_CHARS;

use crate::texts::{number, t, tn};

/// A star's number as its test id writes it (no formatting code in the wasm).
const STAR_DIGITS: [&str; 6] = ["0", "1", "2", "3", "4", "5"];

/// Mounts the prompt (or, once rated, the thanks) in `slot` for conversation `id` of the
/// visitor whose token is `token`; dropping what it returns unmounts it.
pub fn mount(
    slot: web_sys::HtmlElement,
    token: String,
    id: String,
    rated: Option<u8>,
) -> Box<dyn std::any::Any> {
    Box::new(leptos::mount::mount_to(slot, move || {
        prompt(token, id, rated)
    }))
}

fn prompt(token: String, id: String, rated: Option<u8>) -> impl IntoView {
    let rated = RwSignal::new(rated);
    let stars = RwSignal::new(0u8);
    let feedback = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let path = ["/v1/conversations/", &id, "/rating"].concat();
    let submit = move |_| {
        let n = stars.get_untracked();
        if n == 0 || busy.get_untracked() {
            return;
        }
        let text: String = feedback
            .get_untracked()
            .trim()
            .chars()
            .take(MAX_FEEDBACK_CHARS)
            .collect();
        let body = encode::rating_request(&RatingRequest {
            rating: n,
            feedback: (!text.is_empty()).then_some(text),
        });
        let (token, path) = (token.clone(), path.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::send("POST", &path, &token, Some(body)).await {
                // The server also tells every tab's widget the rated conversation.
                Ok(_) => {
                    error.set(None);
                    rated.set(Some(n));
                }
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };
    let star = move |n: u8| {
        view! {
            <button
                type="button"
                class=move || { if stars.get() >= n { "tw-star tw-on" } else { "tw-star" } }
                data-testid=["rating-star-", STAR_DIGITS[usize::from(n)]].concat()
                aria-label=tn("rating.star", n.into(), &[("max", &number(5))])
                aria-pressed=move || if stars.get() == n { "true" } else { "false" }
                on:click=move |_| stars.set(n)
            >
                "★"
            </button>
        }
    };
    move || match rated.get() {
        None => Either::Left(view! {
            <div data-testid="rating-prompt" role="group" aria-labelledby="tw-rate-q">
                <p id="tw-rate-q" class="tw-rate-q">{t("rating.question")}</p>
                <div class="tw-stars">{(1..=5).map(star).collect_view()}</div>
                <textarea
                    class="tw-input tw-feedback"
                    data-testid="rating-feedback"
                    aria-label=t("rating.feedback_label")
                    placeholder=t("rating.feedback_placeholder")
                    prop:value=move || feedback.get()
                    on:input=move |ev| feedback.set(event_target_value(&ev))
                ></textarea>
                <button
                    type="button"
                    class="tw-primary"
                    data-testid="rating-submit"
                    disabled=move || stars.get() == 0 || busy.get()
                    on:click=submit.clone()
                >
                    {t("rating.submit")}
                </button>
                {move || error.get().map(|e| view! { <p class="tw-failed" role="alert">{e}</p> })}
            </div>
        }),
        Some(n) => Either::Right(view! {
            <p class="tw-thanks" role="status">
                {tn("rating.thanks", n.into(), &[("max", &number(5))])}
            </p>
        }),
    }
}
