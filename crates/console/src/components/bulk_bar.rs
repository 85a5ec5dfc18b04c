//! The waiting tab's bulk actions: tick several waiting chats (or all shown) and close them
//! at once, after a confirmation — what an agent needs when a flood fills the queue.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::state::use_console;
use crate::texts::{t, tf, tn};

#[component]
pub fn BulkBar(
    /// The waiting conversations shown, in order.
    shown: Memo<Vec<Uuid>>,
) -> impl IntoView {
    let state = use_console();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // Only ticks on chats still shown as waiting count (one claimed meanwhile drops out).
    let chosen = Memo::new(move |_| {
        let shown = shown.get();
        state.bulk_selected.with(|picked| {
            shown
                .into_iter()
                .filter(|id| picked.contains(id))
                .collect::<Vec<_>>()
        })
    });
    let count = move || chosen.with(Vec::len);
    let all_ticked = move || count() > 0 && count() == shown.with(Vec::len);
    let toggle_all = move |_| {
        let ids = shown.get_untracked();
        let tick = !all_ticked();
        state.bulk_selected.update(|picked| {
            for id in ids {
                if tick {
                    picked.insert(id);
                } else {
                    picked.remove(&id);
                }
            }
        });
    };
    let close = move |_| {
        let Some(token) = state.token() else { return };
        let ids = chosen.get_untracked();
        busy.set(true);
        spawn_local(async move {
            match api::close_waiting(&token, ids).await {
                Ok(result) => {
                    state.bulk_selected.update(|picked| {
                        for id in result.closed.iter().chain(&result.skipped) {
                            picked.remove(id);
                        }
                    });
                    if !result.skipped.is_empty() {
                        state.notice.set(Some(tn(
                            "bulk_bar.skipped",
                            result.skipped.len() as u64,
                            &[],
                        )));
                    }
                }
                Err(failure) => state
                    .notice
                    .set(Some(tf("bulk_bar.failed", &[("reason", &failure.message)]))),
            }
            busy.try_set(false);
            confirming.try_set(false);
        });
    };
    view! {
        <div class="bulk-bar" data-testid="bulk-bar">
            <button
                type="button"
                data-testid="bulk-select-all"
                disabled=move || shown.with(Vec::is_empty)
                on:click=toggle_all
            >
                {move || if all_ticked() { t("bulk_bar.untick_all") } else { t("bulk_bar.tick_all") }}
            </button>
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class="danger"
                            data-testid="bulk-close"
                            disabled=move || count() == 0
                            on:click=move |_| confirming.set(true)
                        >
                            {move || tn("bulk_bar.close_ticked", count() as u64, &[])}
                        </button>
                    }
                }
            >
                <span class="confirm" data-testid="bulk-close-question">
                    {move || tn("bulk_bar.confirm", count() as u64, &[])}
                </span>
                <button
                    type="button"
                    class="danger"
                    data-testid="bulk-close-confirm"
                    disabled=move || busy.get() || count() == 0
                    on:click=close
                >
                    {t("bulk_bar.close_them")}
                </button>
                <button
                    type="button"
                    data-testid="bulk-close-cancel"
                    on:click=move |_| confirming.set(false)
                >
                    {t("bulk_bar.cancel")}
                </button>
            </Show>
        </div>
    }
}
