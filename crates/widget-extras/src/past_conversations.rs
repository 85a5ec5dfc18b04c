//! Past conversations: a returning visitor's earlier conversations, opened by the widget's
//! header button (`show_past`). The list (newest first, each with its date, state and the
//! preview of its latest message) opens any of them read-only, in pages of the history API
//! ("Load earlier messages"); "Back to the current conversation" is always one click away.
//!
//! It is placed in the widget's panel just before the message list, and while it is there
//! the stylesheet hides the rest of the panel below the header (the widget's views stay
//! mounted, so coming back costs nothing). Back takes it out of the page and gives the
//! composer focus.

use std::cell::RefCell;

use leptos::prelude::*;
use tidings_client::decode::{self, model};
use tidings_client::json::Json;
use tidings_protocol::{Conversation, ConversationStatus, Message, Sender};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::texts::{t, tf};

/// What the screen shows.
#[derive(Clone)]
enum Shown {
    /// Loading, or a failure to load the list.
    Nothing,
    /// The visitor's conversations, newest first.
    List(Vec<Conversation>),
    /// One of them: its messages so far, and whether older ones exist.
    Reading {
        id: Uuid,
        messages: Vec<Message>,
        more: bool,
    },
}

/// The visitor, the conversation the widget shows, and the locale for dates.
#[derive(Clone)]
struct Visitor {
    token: String,
    current: Option<Uuid>,
    locale: String,
}

thread_local! {
    /// The screen on the page (or taken out by Back) and its mounted view.
    static PLACED: RefCell<Option<(HtmlElement, Box<dyn std::any::Any>)>> = const { RefCell::new(None) };
}

/// Shows the list anew (replacing one already shown), for the visitor of `token` whose
/// current conversation is `current`.
pub fn show(token: String, current: Option<String>, locale: String) {
    crate::style::inject();
    if let Some((host, _view)) = PLACED.take() {
        host.remove();
    }
    let Some(list) = crate::find(".tw-body") else {
        return;
    };
    let Some(host) = leptos::prelude::document()
        .create_element("div")
        .ok()
        .map(|e| e.unchecked_into::<HtmlElement>())
    else {
        return;
    };
    let _ = host.set_attribute("class", "tw-body tx-past");
    if let Some(panel) = list.parent_node() {
        let _ = panel.insert_before(&host, Some(&list));
    }
    let visitor = Visitor {
        token,
        current: current.and_then(|c| Uuid::parse_str(&c).ok()),
        locale,
    };
    let view = leptos::mount::mount_to(host.clone(), {
        let host = host.clone();
        move || screen(host, visitor)
    });
    PLACED.set(Some((host, Box::new(view))));
    crate::focus("#tx-past-back");
}

/// Loads the list (`None`) or the page of conversation `id` below seq `before` (the
/// latest page first) into `shown`; a failure is said in `failure`.
fn load(
    visitor: &Visitor,
    shown: RwSignal<Shown>,
    failure: RwSignal<Option<String>>,
    page: Option<(Uuid, Option<u64>)>,
) {
    let token = visitor.token.clone();
    leptos::task::spawn_local(async move {
        let loaded = match page {
            None => crate::api::send("GET", "/v1/visitor/conversations", &token, None)
                .await
                .and_then(|body| {
                    decode::body(&body, model::conversation_list)
                        .map_err(|_| t("error.server").to_string())
                })
                .map(|all| shown.set(Shown::List(all))),
            Some((id, before)) => {
                let mut path = format!("/v1/conversations/{id}/messages?limit=50");
                if let Some(before) = before {
                    path += &format!("&before_seq={before}");
                }
                crate::api::send("GET", &path, &token, None)
                    .await
                    .and_then(|body| {
                        decode::body(&body, |o: &Json| {
                            let messages = o.get("messages")?.as_array()?;
                            let messages: Vec<Message> =
                                messages.iter().map(model::message).collect::<Option<_>>()?;
                            Some((messages, o.get("has_more")?.as_bool()?))
                        })
                        .map_err(|_| t("error.server").to_string())
                    })
                    .map(|(mut older, has_more)| {
                        shown.update(|s| {
                            if let Shown::Reading {
                                id: reading,
                                messages,
                                more,
                            } = s
                            {
                                if *reading == id {
                                    older.append(messages);
                                    *messages = older;
                                    *more = has_more;
                                }
                            }
                        })
                    })
            }
        };
        failure.set(loaded.err());
    });
}

fn screen(host: HtmlElement, visitor: Visitor) -> impl IntoView {
    let shown = RwSignal::new(Shown::Nothing);
    let failure = RwSignal::new(None::<String>);
    load(&visitor, shown, failure, None);
    let back = move || {
        host.remove();
        crate::focus("[data-testid=composer-input]");
    };
    let open = {
        let (visitor, back) = (visitor.clone(), back.clone());
        move |id: Uuid| {
            if Some(id) == visitor.current {
                back();
                return;
            }
            shown.set(Shown::Reading {
                id,
                messages: Vec::new(),
                more: false,
            });
            load(&visitor, shown, failure, Some((id, None)));
            crate::focus("#tx-past-back");
        }
    };
    let body = {
        let visitor = visitor.clone();
        move || match shown.get() {
            Shown::Nothing => ().into_any(),
            Shown::List(all) => {
                let items = all
                    .into_iter()
                    .map(|c| item(c, &visitor, open.clone()))
                    .collect_view();
                view! {
                    <ul class="tx-past-list" data-testid="past-conversations" aria-label=t("past.title")>
                        {items}
                    </ul>
                }
                .into_any()
            }
            Shown::Reading { id, messages, more } => {
                let visitor = visitor.clone();
                let older = {
                    let visitor = visitor.clone();
                    move |_| {
                        let before = shown.with_untracked(|s| match s {
                            Shown::Reading { messages, .. } => messages.first().map(|m| m.seq),
                            _ => None,
                        });
                        load(&visitor, shown, failure, Some((id, before)));
                    }
                };
                let bubbles = messages.into_iter().map(bubble).collect_view();
                view! {
                    <button type="button" class="tw-new" hidden=!more on:click=older>
                        {t("past.older")}
                    </button>
                    <div class="tw-list" role="log" aria-label=t("past.reading")>{bubbles}</div>
                    <button type="button" class="tw-new" on:click=move |_| load(&visitor, shown, failure, None)>
                        {t("past.all")}
                    </button>
                }
                .into_any()
            }
        }
    };
    view! {
        <button type="button" class="tw-new" id="tx-past-back" on:click=move |_| back()>
            {t("past.back")}
        </button>
        <div class="tw-scroll">
            <p class="tx-error" role="alert">{move || failure.get()}</p>
            {body}
        </div>
    }
}

/// One conversation of the list: its date, state and latest message.
fn item(c: Conversation, visitor: &Visitor, open: impl Fn(Uuid) + 'static) -> impl IntoView {
    let state = if Some(c.id) == visitor.current {
        t("past.current")
    } else if c.status == ConversationStatus::Ended {
        t("past.ended")
    } else {
        t("past.open")
    };
    let when = tf(
        "past.item",
        &[
            ("when", &when(c.started_at, &visitor.locale)),
            ("state", state),
        ],
    );
    let id = c.id;
    view! {
        <li>
            <button type="button" class="tx-past-item" data-testid="past-conversation"
                data-id=id.to_string() on:click=move |_| open(id)>
                <span class="tx-past-when">{when}</span>
                <span class="tx-past-preview">{c.last_message_preview}</span>
            </button>
        </li>
    }
}

/// One message of a past conversation, read-only, in the widget's bubble style.
fn bubble(m: Message) -> impl IntoView {
    let sender = match m.sender {
        Sender::Visitor => "visitor",
        Sender::Agent => "agent",
        Sender::System | Sender::Note => "system",
    };
    if sender == "system" {
        return view! {
            <div class="tw-system" data-testid="message" data-sender="system">{m.body}</div>
        }
        .into_any();
    }
    let author = (m.sender == Sender::Agent)
        .then_some(m.author_name)
        .flatten()
        .map(|name| view! { <div class="tw-author"><span>{name}</span></div> });
    view! {
        <div class=format!("tw-msg tw-{sender}") data-testid="message" data-sender=sender>
            {author}
            <div class="tw-bubble">{m.body}</div>
        </div>
    }
    .into_any()
}

/// "Today, 14:05", "Yesterday, 9:12 AM" or the date and time, as the locale writes them.
fn when(ms: i64, locale: &str) -> String {
    use js_sys::{Date, Object, Reflect};
    use wasm_bindgen::JsValue;
    let date = |ms: i64| Date::new(&JsValue::from_f64(ms as f64));
    let day = |d: &Date| (d.get_full_year(), d.get_month(), d.get_date());
    fn options(pairs: &[(&str, &str)]) -> JsValue {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        o.into()
    }
    let then = date(ms);
    let now = Date::now() as i64;
    let day_text: String = if day(&then) == day(&date(now)) {
        t("past.today").into()
    } else if day(&then) == day(&date(now - 86_400_000)) {
        t("past.yesterday").into()
    } else {
        then.to_locale_date_string(
            locale,
            &options(&[("month", "long"), ("day", "numeric"), ("year", "numeric")]),
        )
        .into()
    };
    let time = String::from(then.to_locale_time_string_with_options(
        locale,
        &options(&[("hour", "numeric"), ("minute", "2-digit")]),
    ));
    tf("past.when", &[("day", &day_text), ("time", &time)])
}
