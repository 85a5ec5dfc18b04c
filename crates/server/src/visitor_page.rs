//! The page a visitor is on now, live in the consoles: each `PATCH /v1/visitor` that
//! names a page (every page load, and every in-page navigation the loader reports) or a
//! time zone sends a `visitor_page` frame to the agents following the visitor's open
//! conversations, on this node and, through a cluster note, on every other.

use tidings_protocol::{ConversationStatus, ServerFrame};
use uuid::Uuid;

use crate::cluster::note::Note;
use crate::error::Result;
use crate::store::{conversations, visitors};
use crate::AppState;

/// Tells the agents following the visitor's open conversations where the visitor is now.
pub async fn announce(state: &AppState, visitor_id: Uuid) -> Result<()> {
    let (page_url, time_zone) = visitors::whereabouts(&state.pool, visitor_id).await?;
    for conversation in conversations::list_for_visitor(&state.pool, visitor_id).await? {
        if conversation.status == ConversationStatus::Ended {
            continue;
        }
        let frame = ServerFrame::VisitorPage {
            visitor_id,
            conversation_id: conversation.id,
            page_url: page_url.clone(),
            time_zone: time_zone.clone(),
        };
        state
            .hub
            .publish_to_agent_followers(conversation.id, &frame);
        state.tell(Note::AgentFollowers {
            conversation_id: conversation.id,
            frame: Box::new(frame),
        });
    }
    Ok(())
}

/// Checks a time zone as browsers name them (IANA, such as `America/Argentina/Buenos_Aires`
/// or `Etc/GMT+3`): at most 64 characters of letters, digits and `/ _ + -`.
pub fn check_time_zone(value: &Option<String>) -> Result<Option<String>> {
    let Some(zone) = value.as_deref().map(str::trim).filter(|z| !z.is_empty()) else {
        return Ok(None);
    };
    let valid = zone.len() <= 64
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-'));
    if !valid {
        return Err(crate::error::Error::invalid(
            "time_zone must be an IANA time zone name such as Europe/Berlin",
        ));
    }
    Ok(Some(zone.to_string()))
}
