//! What a conversation the agent may not see looks like: nothing of its content.

use crate::texts::t;
use leptos::prelude::*;

#[component]
pub fn UnavailableNotice() -> impl IntoView {
    view! {
        <div class="unavailable" data-testid="conversation-unavailable" role="alert">
            <h2>{t("unavailable_notice.conversation_not_found_or_not")}</h2>
            <p>
                {t("unavailable_notice.it_may_not_exist_or")}
                <a href="#/">{t("unavailable_notice.back_to_the_list")}</a>
            </p>
        </div>
    }
}
