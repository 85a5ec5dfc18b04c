//! Hash routes, so a conversation's URL can be opened directly under `/console/` and under
//! `trunk serve` alike: `#/` is the inbox, `#/c/<conversation id>` a conversation.

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Inbox,
    Conversation(Uuid),
    /// A `#/c/…` whose id is not a UUID: shown as "not found", never as the inbox.
    BadConversation,
}

/// Reads `location.hash` (with or without the leading `#`).
pub fn parse(hash: &str) -> Route {
    let path = hash.trim_start_matches('#').trim_start_matches('/');
    match path.strip_prefix("c/") {
        Some(id) => Uuid::parse_str(id.trim_end_matches('/'))
            .map(Route::Conversation)
            .unwrap_or(Route::BadConversation),
        None => Route::Inbox,
    }
}

/// The hash that opens a route.
pub fn href(route: Route) -> String {
    match route {
        Route::Conversation(id) => format!("#/c/{id}"),
        Route::Inbox | Route::BadConversation => "#/".to_string(),
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
}
