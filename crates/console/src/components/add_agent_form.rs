//! Admins: adding an agent, with a password or, left empty, a one-time set-password link.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::http::AddAgentRequest;

use super::set_password_link::SetPasswordLink;
use crate::api;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn AddAgentForm() -> impl IntoView {
    let state = use_console();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let is_admin = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let added = RwSignal::new(None::<(String, Option<String>)>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token() else { return };
        let typed = password.get_untracked();
        let request = AddAgentRequest {
            email: email.get_untracked(),
            name: name.get_untracked(),
            password: (!typed.is_empty()).then_some(typed),
            is_admin: is_admin.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        added.set(None);
        spawn_local(async move {
            let result = api::add_agent(&token, &request).await;
            busy.try_set(false);
            match result {
                Ok(credentials) => {
                    added.try_set(Some((
                        credentials.agent.name,
                        credentials.set_password_token,
                    )));
                    name.try_set(String::new());
                    email.try_set(String::new());
                    password.try_set(String::new());
                    is_admin.try_set(false);
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };

    view! {
        <form class="admin-form" on:submit=submit>
            <h3>{t("add_agent_form.add_an_agent")}</h3>
            <label>
                {t("add_agent_form.name")}
                <input
                    data-testid="team-add-name"
                    required
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label>
                {t("add_agent_form.email")}
                <input
                    type="email"
                    data-testid="team-add-email"
                    required
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
            </label>
            <label>
                {t("add_agent_form.initial_password_leave_empty_to")}
                <input
                    type="password"
                    autocomplete="new-password"
                    data-testid="team-add-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </label>
            <label class="checkbox">
                <input
                    type="checkbox"
                    data-testid="team-add-admin"
                    prop:checked=move || is_admin.get()
                    on:change=move |ev| is_admin.set(event_target_checked(&ev))
                />
                {t("add_agent_form.admin_manages_the_team_and")}
            </label>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || {
                added
                    .get()
                    .map(|(who, token)| match token {
                        Some(token) => view! { <SetPasswordLink who=who token=token /> }.into_any(),
                        None => view! { <p role="status">{format!("{who} can log in now.")}</p> }.into_any(),
                    })
            }}
            <button type="submit" class="primary" data-testid="team-add-submit" disabled=move || busy.get()>
                {t("add_agent_form.add_agent")}
            </button>
        </form>
    }
}
