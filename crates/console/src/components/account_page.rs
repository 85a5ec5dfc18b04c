//! The agent's own account: their name, and their password (the current one asked first).
//! Changing the password ends the agent's other sessions; this one goes on.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::state::use_console;
use crate::texts::{t, tf};

#[component]
pub fn AccountPage() -> impl IntoView {
    let state = use_console();
    let name = RwSignal::new(state.agent().map(|a| a.name).unwrap_or_default());
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let name_status = RwSignal::new(None::<Result<String, String>>);
    let password_status = RwSignal::new(None::<Result<String, String>>);

    let save_name = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token() else { return };
        let wanted = name.get_untracked();
        spawn_local(async move {
            let result = api::update_me(&token, wanted).await;
            name_status.try_set(Some(match result {
                Ok(agent) => {
                    let saved = tf("account_page.name_saved", &[("name", &agent.name)]);
                    state.agent_changed(agent);
                    Ok(saved)
                }
                Err(failure) => Err(failure.message),
            }));
        });
    };
    let save_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token() else { return };
        let (old, new) = (current.get_untracked(), new_password.get_untracked());
        spawn_local(async move {
            let result = api::change_password(&token, old, new).await;
            if result.is_ok() {
                current.try_set(String::new());
                new_password.try_set(String::new());
            }
            password_status.try_set(Some(
                result
                    .map(|()| t("account_page.password_changed"))
                    .map_err(|failure| failure.message),
            ));
        });
    };
    let status = |signal: RwSignal<Option<Result<String, String>>>| {
        move || {
            signal.get().map(|result| match result {
                Ok(message) => {
                    view! { <p role="status" data-testid="account-saved">{message}</p> }.into_any()
                }
                Err(message) => {
                    view! { <p class="form-error" role="alert">{message}</p> }.into_any()
                }
            })
        }
    };

    view! {
        <section class="admin-screen" aria-labelledby="account-heading">
            <h2 id="account-heading">{t("account_page.your_account")}</h2>
            <form class="admin-form" on:submit=save_name>
                <label>
                    {t("account_page.name_what_visitors_see")}
                    <input
                        data-testid="account-name"
                        required
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                {status(name_status)}
                <button type="submit" class="primary" data-testid="account-name-save">
                    {t("account_page.save_name")}
                </button>
            </form>
            <form class="admin-form" on:submit=save_password>
                <label>
                    {t("account_page.current_password")}
                    <input
                        type="password"
                        autocomplete="current-password"
                        data-testid="account-current-password"
                        prop:value=move || current.get()
                        on:input=move |ev| current.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {t("account_page.new_password_at_least_8")}
                    <input
                        type="password"
                        autocomplete="new-password"
                        data-testid="account-new-password"
                        prop:value=move || new_password.get()
                        on:input=move |ev| new_password.set(event_target_value(&ev))
                    />
                </label>
                {status(password_status)}
                <button type="submit" class="primary" data-testid="account-password-save">
                    {t("account_page.change_password")}
                </button>
            </form>
        </section>
    }
}
