//! The visitor's details beside the conversation: name, email, the page they are on now
//! (live) and the one the chat started on, their local time, browser, when it started,
//! whether they are online now or when they were last seen, and their conversations this
//! agent may open.

use leptos::prelude::*;
use tidings_protocol::Conversation;
use uuid::Uuid;

use super::message_text::MessageText;
use super::visitor_conversations::VisitorConversations;
use crate::api;
use crate::browser;
use crate::localized::{browser_summary, clock_time, long_age, visitor_label};
use crate::state::{use_console, Whereabouts};
use crate::texts::{t, tf};
use crate::zone_clock;

fn presence_line(c: &Conversation, now: i64) -> String {
    match (c.visitor_online, c.visitor_last_seen_at) {
        (true, _) => t("visitor_info.online_now"),
        (false, Some(at)) => tf("visitor_info.last_seen", &[("age", &long_age(now, at))]),
        (false, None) => t("visitor_info.offline"),
    }
}

#[component]
pub fn VisitorInfo(id: Uuid) -> impl IntoView {
    let state = use_console();
    let conversation = Memo::new(move |_| state.conversations.with(|held| held.get(&id).cloned()));
    let text = move |read: fn(&Conversation) -> Option<String>| {
        move || {
            conversation
                .with(|c| c.as_ref().and_then(read))
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "—".to_string())
        }
    };
    let online = move || conversation.with(|c| c.as_ref().is_some_and(|c| c.visitor_online));
    let started = move || {
        let now = state.now.get();
        conversation.with(|c| {
            c.as_ref()
                .map(|c| {
                    format!(
                        "{} ({})",
                        clock_time(c.started_at, browser::utc_offset_minutes()),
                        long_age(now, c.started_at)
                    )
                })
                .unwrap_or_default()
        })
    };
    let seen = move || {
        let now = state.now.get();
        conversation.with(|c| {
            c.as_ref()
                .map(|c| presence_line(c, now))
                .unwrap_or_default()
        })
    };
    let link = |url: Option<String>| match url.filter(|u| !u.trim().is_empty()) {
        Some(url) => view! { <MessageText text=url /> }.into_any(),
        None => view! { <span>"—"</span> }.into_any(),
    };
    let page = move || link(conversation.with(|c| c.as_ref().and_then(|c| c.page_url.clone())));

    // Where the visitor is now and their other conversations: read once when the panel
    // opens; `visitor_page` frames keep the page and zone live in `state.whereabouts`.
    let visitor_id = Memo::new(move |_| conversation.with(|c| c.as_ref().map(|c| c.visitor_id)));
    let others = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        let (Some(visitor), Some(token)) = (visitor_id.get(), state.token()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(panel) = api::visitor_panel(&token, visitor).await {
                // What the server holds now replaces what this console heard before it
                // last followed the visitor.
                state.whereabouts.update(|held| {
                    held.insert(
                        visitor,
                        Whereabouts {
                            page_url: panel.page_url,
                            time_zone: panel.time_zone,
                        },
                    );
                });
                others.set(panel.conversations);
            }
        });
    });
    let whereabouts = move || {
        visitor_id
            .get()
            .and_then(|v| state.whereabouts.with(|held| held.get(&v).cloned()))
            .unwrap_or_default()
    };
    let page_now = move || link(whereabouts().page_url);
    let local_time = move || {
        // Re-read as the console's clock ticks.
        state.now.track();
        match whereabouts().time_zone {
            Some(zone) => match zone_clock::time_in(&zone) {
                Some(time) => format!("{time} ({zone})"),
                None => zone,
            },
            None => "—".to_string(),
        }
    };
    view! {
        <aside class="visitor-info" data-testid="visitor-info" aria-label=t("visitor_info.details")>
            <h3>{move || conversation.with(|c| c.as_ref().map(visitor_label).unwrap_or_default())}</h3>
            <p class="presence" data-online=move || online().to_string() class:online=online>
                {seen}
            </p>
            <dl>
                <dt>{t("visitor_info.name")}</dt>
                <dd data-field="name">{text(|c| c.visitor_name.clone())}</dd>
                <dt>{t("visitor_info.email")}</dt>
                <dd data-field="email">{text(|c| c.visitor_email.clone())}</dd>
                <dt>{t("visitor_info.user_id")}</dt>
                <dd data-field="user-id">{text(|c| c.visitor_user_id.clone())}</dd>
                <dt>{t("visitor_info.page_now")}</dt>
                <dd data-field="page-now" data-testid="visitor-page">{page_now}</dd>
                <dt>{t("visitor_info.local_time")}</dt>
                <dd data-field="local-time" data-testid="visitor-local-time">{local_time}</dd>
                <dt>{t("visitor_info.chat_started_on")}</dt>
                <dd data-field="page">{page}</dd>
                <dt>{t("visitor_info.browser")}</dt>
                <dd
                    data-field="browser"
                    title=move || conversation.with(|c| c.as_ref().and_then(|c| c.user_agent.clone()))
                >
                    {text(|c| Some(browser_summary(c.user_agent.as_deref().unwrap_or(""))))}
                </dd>
                <dt>{t("visitor_info.started")}</dt>
                <dd data-field="started">{started}</dd>
            </dl>
            <h4>{t("visitor_info.conversations")}</h4>
            {move || view! { <VisitorConversations current=id conversations=others.get() /> }}
        </aside>
    }
}
