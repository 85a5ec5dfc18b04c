//! The list of canned responses the composer opens on `/`: filtered as the agent types,
//! the highlighted one moved with the arrow keys (the composer handles the keys), picked
//! with Enter or a click.

use leptos::prelude::*;
use tidings_protocol::CannedResponse;

use crate::texts::t;

#[component]
pub fn CannedMenu(
    items: Memo<Vec<CannedResponse>>,
    selected: RwSignal<usize>,
    on_pick: Callback<CannedResponse>,
) -> impl IntoView {
    let rows = move || {
        items
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, response)| {
                let is_selected = move || selected.get() == index;
                let shortcut = format!("/{}", response.shortcut);
                let title = response.title.clone();
                let preview = response.body.clone();
                let data_shortcut = response.shortcut.clone();
                view! {
                    <li
                        data-testid="canned-item"
                        data-shortcut=data_shortcut
                        role="option"
                        class="canned-item"
                        class:selected=is_selected
                        aria-selected=move || is_selected().to_string()
                        // mousedown, not click: the textarea keeps its focus.
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            on_pick.run(response.clone());
                        }
                        on:mouseenter=move |_| selected.set(index)
                    >
                        <span class="canned-shortcut">{shortcut}</span>
                        <span class="canned-title">{title}</span>
                        <span class="canned-preview">{preview}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <ul id="canned-menu" class="canned-menu" data-testid="canned-menu" role="listbox" aria-label=t("canned_menu.label")>
            {rows}
        </ul>
    }
}
