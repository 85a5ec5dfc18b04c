//! The search box above the conversation list: searches message text and visitors' names
//! and emails as the agent types (only what they may open), shows the results newest
//! first with the matching words highlighted, and opens a result's conversation at its
//! message.

use leptos::prelude::*;
use tidings_protocol::search::{SearchResult, SearchResults};

use crate::api;
use crate::browser;
use crate::localized::visitor_label;
use crate::localized::{clock_time, day_label};
use crate::logic::age::local_day;
use crate::logic::highlight::{excerpt, pieces};
use crate::logic::route::{href, Route};
use crate::state::{use_console, MessageFocus};
use crate::texts::t;

/// How long typing must pause before a search is sent.
const PAUSE_MS: u64 = 250;

/// What the results area shows.
#[derive(Debug, Clone, PartialEq)]
enum Found {
    Nothing,
    Searching,
    Results(SearchResults),
    Failed(String),
}

/// Text with the matched words in `<mark>`: every piece is a text node.
fn highlighted(text: String, terms: &[String]) -> impl IntoView {
    pieces(&text, terms)
        .into_iter()
        .map(|(piece, marked)| {
            if marked {
                view! { <mark>{piece}</mark> }.into_any()
            } else {
                piece.into_any()
            }
        })
        .collect_view()
}

#[component]
fn SearchResultItem(result: SearchResult, terms: Vec<String>) -> impl IntoView {
    let state = use_console();
    let conversation = result.conversation;
    let id = conversation.id;
    let focus = result.message.as_ref().map(|m| MessageFocus {
        conversation_id: id,
        message_id: m.id,
    });
    let who = visitor_label(&conversation);
    let email = conversation.visitor_email.clone().unwrap_or_default();
    let (when, text) = match &result.message {
        Some(m) => (m.created_at, excerpt(&m.body, &terms)),
        None => (
            conversation.last_activity_at,
            conversation
                .last_message_preview
                .clone()
                .unwrap_or_default(),
        ),
    };
    let offset = browser::utc_offset_minutes();
    let today = local_day(browser::now_ms(), offset);
    let when = format!(
        "{} {}",
        day_label(today, local_day(when, offset)),
        clock_time(when, offset)
    );
    view! {
        <li>
            <a
                class="search-result"
                data-testid="search-result"
                data-id=id.to_string()
                data-message-id=result.message.as_ref().map(|m| m.id.to_string())
                href=href(Route::Conversation(id))
                on:click=move |_| state.focus.set(focus)
            >
                <span class="item-top">
                    <span class="visitor-name">{highlighted(who, &terms)}</span>
                    <span class="visitor-email">{highlighted(email, &terms)}</span>
                    <span class="age">{when}</span>
                </span>
                <span class="excerpt">{highlighted(text, &terms)}</span>
            </a>
        </li>
    }
}

#[component]
pub fn SearchBox() -> impl IntoView {
    let state = use_console();
    let query = RwSignal::new(String::new());
    let found = RwSignal::new(Found::Nothing);
    // Only the latest search's answer counts (an earlier one may arrive later).
    let generation = StoredValue::new(0u64);

    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        query.set(text.clone());
        let current = generation.get_value() + 1;
        generation.set_value(current);
        if text.trim().is_empty() {
            found.set(Found::Nothing);
            return;
        }
        found.set(Found::Searching);
        set_timeout(
            move || {
                if generation.get_value() != current {
                    return;
                }
                let Some(token) = state.token() else {
                    return;
                };
                leptos::task::spawn_local(async move {
                    let answer = api::search(&token, &text).await;
                    if generation.get_value() != current {
                        return;
                    }
                    found.set(match answer {
                        Ok(results) => Found::Results(results),
                        Err(failure) => Found::Failed(failure.message),
                    });
                });
            },
            std::time::Duration::from_millis(PAUSE_MS),
        );
    };
    let clear = move || {
        generation.set_value(generation.get_value() + 1);
        query.set(String::new());
        found.set(Found::Nothing);
    };

    let results = move || match found.get() {
        Found::Nothing => ().into_any(),
        Found::Searching => {
            view! { <p class="search-note">{t("search_box.searching")}</p> }.into_any()
        }
        Found::Failed(message) => {
            view! { <p class="search-note" role="alert">{message}</p> }.into_any()
        }
        Found::Results(results) if results.results.is_empty() => {
            view! { <p class="search-note">{t("search_box.nothing_found")}</p> }.into_any()
        }
        Found::Results(results) => {
            let terms = results.terms;
            view! {
                <ol class="search-results" data-testid="search-results" aria-label=t("search_box.results")>
                    {results
                        .results
                        .into_iter()
                        .map(|result| view! { <SearchResultItem result=result terms=terms.clone() /> })
                        .collect_view()}
                </ol>
            }
            .into_any()
        }
    };

    view! {
        <div class="search-box" role="search">
            <input
                type="search"
                data-testid="search-input"
                placeholder=t("search_box.search_messages_names_emails")
                aria-label=t("search_box.search_conversations")
                maxlength="200"
                prop:value=move || query.get()
                on:input=on_input
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        clear();
                    }
                }
            />
            {results}
        </div>
    }
}
