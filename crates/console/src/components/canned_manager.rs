//! Admins: the canned responses, each editable and deletable, and a form to add one (or
//! edit the one picked). The list follows the server's `canned_responses` frames, so what
//! another admin changes shows here at once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_protocol::http::CannedResponseRequest;
use uuid::Uuid;

use crate::api;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn CannedManager() -> impl IntoView {
    let state = use_console();
    let title = RwSignal::new(String::new());
    let shortcut = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    // The response being edited; `None` while adding a new one.
    let editing = RwSignal::new(None::<Uuid>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let reset = move || {
        title.set(String::new());
        shortcut.set(String::new());
        body.set(String::new());
        editing.set(None);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token() else { return };
        let request = CannedResponseRequest {
            title: title.get_untracked(),
            shortcut: shortcut.get_untracked(),
            body: body.get_untracked(),
        };
        let target = editing.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match target {
                Some(id) => api::update_canned(&token, id, &request).await,
                None => api::create_canned(&token, &request).await,
            };
            busy.try_set(false);
            match result {
                Ok(_) => reset(),
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };
    let rows = move || {
        state
            .canned
            .get()
            .into_iter()
            .map(|response| {
                let id = response.id;
                let edit = {
                    let response = response.clone();
                    move |_| {
                        title.set(response.title.clone());
                        shortcut.set(response.shortcut.clone());
                        body.set(response.body.clone());
                        editing.set(Some(response.id));
                    }
                };
                let delete = move |_| {
                    let Some(token) = state.token() else { return };
                    spawn_local(async move {
                        if let Err(failure) = api::delete_canned(&token, id).await {
                            error.try_set(Some(failure.message));
                        }
                    });
                };
                view! {
                    <li class="canned-row" data-testid="canned-row" data-shortcut=response.shortcut.clone()>
                        <div class="canned-row-text">
                            <strong>{format!("/{}", response.shortcut)}</strong>
                            " "
                            <span>{response.title.clone()}</span>
                            <p class="canned-row-body">{response.body.clone()}</p>
                        </div>
                        <button type="button" data-testid="canned-edit" on:click=edit>
                            {t("canned_manager.edit")}
                        </button>
                        <button type="button" class="danger" data-testid="canned-delete" on:click=delete>
                            {t("canned_manager.delete")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section class="admin-screen" aria-labelledby="canned-heading">
            <h2 id="canned-heading">{t("canned_manager.canned_responses")}</h2>
            <p class="admin-lead">
                {t("canned_manager.every_agent_inserts_these_by")}
                "{{visitor.name}} and {{agent.name}} are filled in."
            </p>
            <ul class="canned-rows">{rows}</ul>
            <form class="admin-form" on:submit=save>
                <h3>{move || if editing.get().is_some() { t("canned_manager.edit_the_response") } else { t("canned_manager.new_response") }}</h3>
                <label>
                    {t("canned_manager.title")}
                    <input
                        data-testid="canned-title"
                        required
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {t("canned_manager.shortcut")}
                    <input
                        data-testid="canned-shortcut"
                        required
                        placeholder="hello"
                        prop:value=move || shortcut.get()
                        on:input=move |ev| shortcut.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {t("canned_manager.body")}
                    <textarea
                        data-testid="canned-body"
                        rows="4"
                        required
                        prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))
                    ></textarea>
                </label>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <div class="form-actions">
                    <button type="submit" class="primary" data-testid="canned-save" disabled=move || busy.get()>
                        {t("canned_manager.save")}
                    </button>
                    <Show when=move || editing.get().is_some()>
                        <button type="button" on:click=move |_| reset()>
                            {t("canned_manager.cancel")}
                        </button>
                    </Show>
                </div>
            </form>
        </section>
    }
}
