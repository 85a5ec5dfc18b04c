//! Logging in and out, keeping the session across reloads, and loading what a fresh
//! session needs (the list, the agents).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::browser;
use crate::logic::list::Filter;
use crate::logic::reduce;
use crate::state::{ConsoleState, Session};
use crate::sync::{self, RETRY_AFTER};
use crate::texts::{t, tf};

/// Makes `session` the current one: remembers the token, connects, loads the list.
pub fn begin(state: ConsoleState, session: Session) {
    browser::store_token(&session.token);
    browser::store_agent(&session.agent);
    state.session_note.set(None);
    state.session.set(Some(session.clone()));
    sync::start(state, &session);
    refresh_list(state, state.filter.get_untracked());
    // The team (with live presence) and the canned responses come over the socket after
    // `watch_queue`, and again on every change: an HTTP copy could land after a newer
    // frame and show a stale status.
}

/// At start-up: resumes the session whose token was kept in `localStorage`. With the
/// agent's profile kept too, the console starts at once, even with the server down (its
/// outbox and socket carry on when it is back), and checks the token in the background.
pub fn restore(state: ConsoleState) {
    let Some(token) = browser::stored_token() else {
        return;
    };
    if let Some(agent) = browser::stored_agent() {
        begin(
            state,
            Session {
                token: token.clone(),
                agent,
            },
        );
        spawn_local(async move {
            match api::me(&token).await {
                Ok(agent) => state.session.update(|s| {
                    if let Some(s) = s.as_mut().filter(|s| s.token == token) {
                        browser::store_agent(&agent);
                        s.agent = agent;
                    }
                }),
                Err(failure) if failure.is_unauthorized() => expire(state, &t("session.ended")),
                // Unreachable: the socket reconnects by itself; the token is checked then.
                Err(_) => {}
            }
        });
        return;
    }
    state.checking_session.set(true);
    spawn_local(async move {
        loop {
            match api::me(&token).await {
                Ok(agent) => begin(state, Session { token, agent }),
                Err(failure) if failure.is_unauthorized() => {
                    browser::forget_token();
                    state.session_note.set(Some(t("session.ended")));
                }
                Err(failure) if failure.is_transient() => {
                    gloo_timers::future::sleep(RETRY_AFTER).await;
                    continue;
                }
                Err(failure) => state.session_note.set(Some(failure.message)),
            }
            break;
        }
        state.checking_session.set(false);
    });
}

/// Logs in; the error is a sentence for the login form.
pub async fn log_in(state: ConsoleState, email: String, password: String) -> Result<(), String> {
    match api::login(email, password).await {
        Ok(answer) => {
            begin(
                state,
                Session {
                    token: answer.token,
                    agent: answer.agent,
                },
            );
            Ok(())
        }
        Err(failure) if failure.status == 401 || failure.status == 404 => {
            Err(t("session.wrong_login"))
        }
        Err(failure) => Err(failure.message),
    }
}

/// Ends the session on the server and here.
pub fn log_out(state: ConsoleState) {
    let token = state.token();
    end_locally(state);
    if let Some(token) = token {
        spawn_local(async move {
            if let Err(failure) = api::logout(&token).await {
                leptos::logging::warn!("logout: {}", failure.message);
            }
        });
    }
}

/// The server no longer accepts the token (or another tab logged out).
pub fn expire(state: ConsoleState, note: &str) {
    sync::expire(state, note);
}

fn end_locally(state: ConsoleState) {
    sync::end_locally(state);
}

/// Fetches one tab's conversations over HTTP and merges them into the list.
pub fn refresh_list(state: ConsoleState, filter: Filter) {
    sync::refresh_list(state, filter);
}

/// Fetches the next page of the waiting list (a flood can hold more than one page).
pub async fn load_more_waiting(state: ConsoleState) {
    let Some(token) = state.token() else { return };
    let Some(after) = state.waiting_next.get_untracked() else {
        return;
    };
    match api::waiting_after(&token, &after).await {
        Ok(list) => {
            state.waiting_next.set(list.next);
            sync::step(state, |m| {
                reduce::conversations_loaded(m, list.conversations)
            });
        }
        Err(failure) if failure.is_unauthorized() => expire(state, &t("session.ended")),
        Err(failure) => state.notice.set(Some(tf(
            "session.more_failed",
            &[("reason", &failure.message)],
        ))),
    }
}
