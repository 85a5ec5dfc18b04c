//! The page a one-time set-password link opens (logged out): the agent chooses their
//! password, then logs in with it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::logic::route;
use crate::texts::t;

#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let token = location_hash()
        .as_deref()
        .and_then(route::set_password_token)
        .map(str::to_string)
        .unwrap_or_default();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (token, chosen) = (token.clone(), password.get_untracked());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::set_password(token, chosen).await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    done.try_set(true);
                }
                Err(failure) if failure.status == 404 => {
                    error.try_set(Some(t("set_password_page.this_link_has_been_used")));
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };

    view! {
        <main class="login">
            <Show
                when=move || !done.get()
                fallback=|| view! {
                    <div class="login-card">
                        <h1>"Tidings"</h1>
                        <p role="status" data-testid="set-password-done">{t("set_password_page.done")}</p>
                        <a class="button primary" href="#/" data-testid="set-password-login">{t("set_password_page.log_in")}</a>
                    </div>
                }
            >
                <form class="login-card" on:submit=submit.clone() novalidate>
                    <h1>"Tidings"</h1>
                    <p class="login-lead">{t("set_password_page.choose_your_password")}</p>
                    <label>
                        {t("set_password_page.new_password_at_least_8")}
                        <input
                            type="password"
                            autocomplete="new-password"
                            data-testid="set-password-input"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                    </label>
                    {move || error.get().map(|e| view! { <p class="login-error" role="alert">{e}</p> })}
                    <button type="submit" data-testid="set-password-submit" disabled=move || busy.get()>
                        {t("set_password_page.set_password")}
                    </button>
                </form>
            </Show>
        </main>
    }
}
