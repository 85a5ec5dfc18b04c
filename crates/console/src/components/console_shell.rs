//! The logged-in layout: top bar, the list on the left, the open conversation on the
//! right. Opens and closes conversations as the URL hash changes.

use leptos::prelude::*;
use uuid::Uuid;

use super::account_page::AccountPage;
use super::canned_manager::CannedManager;
use super::conversation_list::ConversationList;
use super::conversation_view::ConversationView;
use super::filter_tabs::FilterTabs;
use super::handover_alert::HandoverAlert;
use super::keyboard_shortcuts::KeyboardShortcuts;
use super::notice_bar::NoticeBar;
use super::reports_page::ReportsPage;
use super::search_box::SearchBox;
use super::team_manager::TeamManager;
use super::top_bar::TopBar;
use super::unavailable_notice::UnavailableNotice;
use crate::logic::route::Route;
use crate::state::use_console;
use crate::texts::t;
use crate::threads;

#[component]
pub fn ConsoleShell() -> impl IntoView {
    let state = use_console();

    // Keep exactly the routed conversation loaded and subscribed.
    Effect::new(move |previous: Option<Option<Uuid>>| {
        let current = state.open_conversation();
        if let Some(Some(old)) = previous {
            if Some(old) != current {
                threads::close(state, old);
            }
        }
        if let Some(id) = current {
            threads::open(state, id);
        }
        current
    });
    // Coming back to the tab reads what arrived meanwhile.
    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        if let Some(id) = state.open_conversation_untracked() {
            threads::report_receipts(state, id);
        }
    });
    on_cleanup(move || visibility.remove());

    let main_pane = move || match state.route.get() {
        Route::Inbox => view! {
            <div class="empty-pane">
                <p>{t("console_shell.pick_a_conversation_on_the")}</p>
            </div>
        }
        .into_any(),
        Route::Conversation(id) => view! { <ConversationView id=id /> }.into_any(),
        Route::BadConversation => view! { <UnavailableNotice /> }.into_any(),
        Route::Canned if state.is_admin() => view! { <CannedManager /> }.into_any(),
        Route::Team if state.is_admin() => view! { <TeamManager /> }.into_any(),
        Route::Reports if state.is_admin() => view! { <ReportsPage /> }.into_any(),
        Route::Canned | Route::Team | Route::Reports => view! {
            <div class="empty-pane">
                <p data-testid="admins-only">{t("console_shell.admins_only")}</p>
            </div>
        }
        .into_any(),
        Route::Account => view! { <AccountPage /> }.into_any(),
        // A set-password link opened while logged in: nothing to set for this agent.
        Route::SetPassword => view! {
            <div class="empty-pane">
                <p>{t("console_shell.log_out_first_to_use")}</p>
            </div>
        }
        .into_any(),
    };

    view! {
        <div class="console">
            <TopBar />
            <NoticeBar />
            <HandoverAlert />
            <KeyboardShortcuts />
            <div class="panes">
                <aside class="sidebar" aria-label=t("console_shell.conversations")>
                    <SearchBox />
                    <FilterTabs />
                    <ConversationList />
                </aside>
                <main class="main-pane">{main_pane}</main>
            </div>
        </div>
    }
}
