//! `RatingPrompt`: once the conversation has ended, 1–5 stars and optional feedback,
//! then thanks; "Start a new conversation" is always offered below.

use leptos::either::Either;
use leptos::prelude::*;
use tidings_protocol::limits::MAX_FEEDBACK_CHARS;

use crate::actions::{rate, start_new_conversation};
use crate::state::use_chat;
use crate::texts::{number, t, tn};

/// A star's number as its test id writes it (no formatting code in the wasm).
const STAR_DIGITS: [&str; 6] = ["0", "1", "2", "3", "4", "5"];

#[component]
pub fn RatingPrompt() -> impl IntoView {
    let chat = use_chat();
    let stars = RwSignal::new(0u8);
    let feedback = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let rated = Memo::new(move |_| {
        chat.conversation
            .with(|c| c.as_ref().and_then(|c| c.rating))
    });
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
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = rate(n, (!text.is_empty()).then_some(text)).await;
            error.set(result.err());
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
    view! {
        <section class="tw-rating">
            {move || match rated.get() {
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
                            on:click=submit
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
            }}
            <button
                type="button"
                class="tw-new"
                data-testid="new-conversation"
                on:click=move |_| start_new_conversation()
            >
                {t("rating.new_conversation")}
            </button>
        </section>
    }
}
