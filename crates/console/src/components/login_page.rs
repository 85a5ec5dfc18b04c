//! Email and password login, with a clear message when they are wrong.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::use_console;
use crate::texts::t;
use crate::{browser, session};

#[component]
pub fn LoginPage() -> impl IntoView {
    let state = use_console();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        // A user gesture: the moment browsers allow the chime to play later on.
        browser::unlock_audio();
        let (e, p) = (email.get_untracked(), password.get_untracked());
        if e.trim().is_empty() || p.is_empty() {
            error.set(Some(t("login_page.enter_both")));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = session::log_in(state, e.trim().to_string(), p).await;
            // On success this page is already gone; its signals may be disposed.
            if let Err(message) = result {
                error.try_set(Some(message));
                busy.try_set(false);
            }
        });
    };

    view! {
        <main class="login">
            <form class="login-card" on:submit=submit novalidate>
                <h1>"Tidings"</h1>
                <p class="login-lead">{t("login_page.sign_in_to_the_agent")}</p>
                {move || {
                    state
                        .session_note
                        .get()
                        .map(|note| view! { <p class="login-note" role="status">{note}</p> })
                }}
                <label>
                    {t("login_page.email")}
                    <input
                        type="email"
                        data-testid="login-email"
                        autocomplete="username"
                        required
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {t("login_page.password")}
                    <input
                        type="password"
                        data-testid="login-password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                {move || {
                    error
                        .get()
                        .map(|message| {
                            view! {
                                <p class="login-error" data-testid="login-error" role="alert">
                                    {message}
                                </p>
                            }
                        })
                }}
                <button type="submit" data-testid="login-submit" disabled=move || busy.get()>
                    {move || if busy.get() { t("login_page.signing_in") } else { t("login_page.sign_in") }}
                </button>
            </form>
        </main>
    }
}
