//! The root: provides the console state, follows the URL hash, keeps the tab title's
//! count, and shows the login page or the console.

use std::time::Duration;

use leptos::prelude::*;

use super::console_shell::ConsoleShell;
use super::login_page::LoginPage;
use super::set_password_page::SetPasswordPage;
use crate::browser;
use crate::logic::{list, route, title};
use crate::state::ConsoleState;
use crate::texts::t;
use crate::{presence_watch, session};

const TITLE: &str = "Tidings console";

fn current_route() -> route::Route {
    route::parse(&location_hash().unwrap_or_default())
}

#[component]
pub fn App() -> impl IntoView {
    let state = ConsoleState::new(browser::now_ms(), current_route());
    provide_context(state);

    // These listeners live as long as the page.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        state.route.set(current_route());
    });
    // Another console tab logged out or in: follow it.
    let _ = window_event_listener(leptos::ev::storage, move |ev| {
        if !browser::is_token_key(ev.key()) {
            return;
        }
        let logged_in = state.session.with_untracked(Option::is_some);
        match browser::stored_token() {
            None if logged_in => session::expire(state, &t("app.logged_out_elsewhere")),
            Some(_) if !logged_in && !state.checking_session.get_untracked() => {
                session::restore(state)
            }
            _ => {}
        }
    });
    let _ = window_event_listener(leptos::ev::click, |_| browser::unlock_audio());
    set_interval(
        move || state.now.set(browser::now_ms()),
        Duration::from_secs(15),
    );
    presence_watch::install(state);
    browser::claim_sound();
    // Where autoplay is allowed the chime works at once; elsewhere from the first click.
    browser::unlock_audio();

    Effect::new(move |_| {
        let attention = state.viewer().map_or(0, |viewer| {
            state
                .conversations
                .with(|held| list::attention(held.values(), viewer))
        });
        browser::set_title(&title::tab_title(TITLE, attention));
    });

    session::restore(state);

    let logged_in = move || state.session.with(Option::is_some);
    view! {
        <Show
            when=logged_in
            fallback=move || {
                view! {
                    <Show
                        when=move || !state.checking_session.get()
                        fallback=|| view! { <p class="splash">{t("app.loading")}</p> }
                    >
                        <Show
                            when=move || state.route.get() == route::Route::SetPassword
                            fallback=|| view! { <LoginPage /> }
                        >
                            <SetPasswordPage />
                        </Show>
                    </Show>
                }
            }
        >
            <ConsoleShell />
        </Show>
    }
}
