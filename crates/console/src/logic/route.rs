//! Hash routes, so a conversation's URL can be opened directly under `/console/` and under
//! `trunk serve` alike: `#/` is the inbox, `#/c/<conversation id>` a conversation,
//! `#/canned`, `#/team` and `#/reports` the admin screens, `#/account` the agent's own account, and
//! `#/set-password/<token>` a one-time set-password link (its token is read by that page).

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Inbox,
    Conversation(Uuid),
    /// A `#/c/…` whose id is not a UUID: shown as "not found", never as the inbox.
    BadConversation,
    /// Admins: the canned responses.
    Canned,
    /// Admins: the team.
    Team,
    /// The agent's own name and password.
    Account,
    /// A set-password link (works logged out).
    SetPassword,
    /// Admins: the reports.
    Reports,
}

/// The token of a `#/set-password/<token>` link, if the hash is one.
pub fn set_password_token(hash: &str) -> Option<&str> {
    let path = hash.trim_start_matches('#').trim_start_matches('/');
    path.strip_prefix("set-password/")
        .map(|t| t.trim_end_matches('/'))
        .filter(|t| !t.is_empty())
}

/// Reads `location.hash` (with or without the leading `#`).
pub fn parse(hash: &str) -> Route {
    let path = hash.trim_start_matches('#').trim_start_matches('/');
    if let Some(id) = path.strip_prefix("c/") {
        return Uuid::parse_str(id.trim_end_matches('/'))
            .map(Route::Conversation)
            .unwrap_or(Route::BadConversation);
    }
    if set_password_token(hash).is_some() {
        return Route::SetPassword;
    }
    match path.trim_end_matches('/') {
        "canned" => Route::Canned,
        "team" => Route::Team,
        "account" => Route::Account,
        "reports" => Route::Reports,
        _ => Route::Inbox,
    }
}

/// The hash that opens a route.
pub fn href(route: Route) -> String {
    match route {
        Route::Conversation(id) => format!("#/c/{id}"),
        Route::Canned => "#/canned".to_string(),
        Route::Team => "#/team".to_string(),
        Route::Account => "#/account".to_string(),
        Route::Reports => "#/reports".to_string(),
        Route::Inbox | Route::BadConversation | Route::SetPassword => "#/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_routes_round_trip() {
        let id = Uuid::from_u128(0xabc);
        assert_eq!(
            parse(&href(Route::Conversation(id))),
            Route::Conversation(id)
        );
        assert_eq!(parse(&format!("/c/{id}/")), Route::Conversation(id));
    }

    #[test]
    fn anything_else_is_the_inbox_or_a_bad_id() {
        assert_eq!(parse(""), Route::Inbox);
        assert_eq!(parse("#"), Route::Inbox);
        assert_eq!(parse("#/"), Route::Inbox);
        assert_eq!(parse("#/whatever"), Route::Inbox);
        assert_eq!(parse("#/c/not-a-uuid"), Route::BadConversation);
        assert_eq!(href(Route::BadConversation), "#/");
    }

    #[test]
    fn screens_and_set_password_links_round_trip() {
        for route in [Route::Canned, Route::Team, Route::Account, Route::Reports] {
            assert_eq!(parse(&href(route)), route);
        }
        assert_eq!(parse("#/set-password/abc.DEF"), Route::SetPassword);
        assert_eq!(
            set_password_token("#/set-password/abc.DEF"),
            Some("abc.DEF")
        );
        assert_eq!(parse("#/set-password/"), Route::Inbox);
        assert_eq!(set_password_token("#/team"), None);
    }
}
