//! The list tabs Waiting / Mine / All (admins) / Ended, each with its live count.

use leptos::prelude::*;

use crate::localized::filter_label;
use crate::logic::list::{self, Filter};
use crate::session;
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn FilterTabs() -> impl IntoView {
    let state = use_console();
    let offered = move || {
        state
            .viewer()
            .map(|viewer| {
                Filter::EVERY
                    .into_iter()
                    .filter(|f| f.offered_to(viewer))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let tab = move |filter: Filter| {
        let count = move || {
            let Some(viewer) = state.viewer() else {
                return 0;
            };
            state
                .conversations
                .with(|held| list::count(held.values(), filter, viewer))
        };
        let selected = move || state.filter.get() == filter;
        view! {
            <button
                type="button"
                role="tab"
                class="filter"
                data-testid=format!("filter-{}", filter.as_str())
                aria-selected=move || selected().to_string()
                class:selected=selected
                on:click=move |_| {
                    state.filter.set(filter);
                    session::refresh_list(state, filter);
                }
            >
                {filter_label(filter)}
                <span class="count" data-testid=format!("count-{}", filter.as_str())>
                    {count}
                </span>
            </button>
        }
    };
    view! {
        <nav class="filters" role="tablist" aria-label=t("filter_tabs.filter_conversations")>
            {move || offered().into_iter().map(tab).collect_view()}
        </nav>
    }
}
