//! Hearing the other nodes: a dedicated connection LISTENs on [`CHANNEL`], and every note
//! from another node is delivered to this node's connections as if it had happened here.
//!
//! # Nothing missed
//! Notifications are not stored: those sent while this node's listening connection was down
//! are lost. So after every (re)connection the node catches up from the database, which is
//! the truth: it reloads the other nodes' presence, tells every followed conversation's
//! connections its last seq (each connection reads what it has not sent yet, see
//! `socket/connection.rs`), and re-announces followed conversations, revoking followers
//! who lost sight of one meanwhile. A message can also arrive ahead of one it follows
//! (this node's own writer publishes at once; another node's message comes through here):
//! connections never show a gap, they read the missing seqs first.

use std::time::Duration;

use sqlx::postgres::PgListener;
use tidings_protocol::{ConversationEvent, ServerFrame};

use super::note::{Envelope, Note, CHANNEL};
use crate::store::messages;
use crate::AppState;

/// Starts following the other nodes. Returns once the first LISTEN is in place, so
/// nothing committed after the node starts serving is missed.
pub async fn start(state: AppState, url: String, node: uuid::Uuid) -> crate::Result<()> {
    let mut listener = PgListener::connect(&url).await?;
    listener.listen(CHANNEL).await?;
    super::presence::reload(&state, node).await?;
    tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    match serde_json::from_str::<Envelope>(notification.payload()) {
                        Ok(envelope) if envelope.node != node => {
                            let heard = std::time::Instant::now();
                            let notes = envelope.notes.len();
                            let created_at = envelope.notes.iter().find_map(|n| match n {
                                Note::Message { message } => Some(message.created_at),
                                _ => None,
                            });
                            for note in envelope.notes {
                                hear(&state, envelope.node, note).await;
                            }
                            let now_ms = std::time::SystemTime::now()
                                .duration_since(std::time::UNIX_EPOCH)
                                .map_or(0, |d| d.as_millis() as i64);
                            tracing::debug!(
                                target: "tidings::timing",
                                notes,
                                bytes = notification.payload().len(),
                                since_created_ms = created_at.map_or(-1, |c| now_ms - c),
                                hear_us = heard.elapsed().as_micros() as u64,
                                "heard"
                            );
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "an unreadable note from another node")
                        }
                    }
                }
                // The connection was lost, and has been made again (and LISTENs again).
                Ok(None) => {
                    tracing::warn!("lost the link with the other nodes; reconnected");
                    catch_up(&state, node).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "listening to the other nodes failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    reconnect_and_catch_up(&state, &mut listener, node).await;
                }
            }
        }
    });
    Ok(())
}

/// Waits until LISTEN is in place again, then catches up from the database.
async fn reconnect_and_catch_up(state: &AppState, listener: &mut PgListener, node: uuid::Uuid) {
    let mut delay = Duration::from_millis(100);
    loop {
        // Any statement through the listener connects it first and LISTENs again.
        match sqlx::query("SELECT 1").execute(&mut *listener).await {
            Ok(_) => break,
            Err(e) => {
                tracing::debug!(error = %e, "not reconnected yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
    catch_up(state, node).await;
}

/// Makes good whatever notes were lost while not listening.
pub async fn catch_up(state: &AppState, node: uuid::Uuid) {
    if let Err(e) = super::presence::reload(state, node).await {
        tracing::warn!(error = %e, "reloading presence failed");
    }
    // Messages and receipts notified meanwhile were lost: list data is read again.
    state.hub.lists().clear();
    // Team and canned-response changes notified meanwhile were lost too.
    crate::team_news::deliver_team(state).await;
    crate::team_news::deliver_canned(state).await;
    for conversation_id in state.hub.followed() {
        match crate::chat::announce(state, conversation_id, ConversationEvent::Updated).await {
            Ok(Some(agent_view)) => {
                state.hub.revoke_followers(&agent_view);
                state.hub.catch_up(conversation_id, agent_view.last_seq);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "catching up a conversation failed"),
        }
    }
}

/// Delivers a note from node `from` to this node's connections.
async fn hear(state: &AppState, from: uuid::Uuid, note: Note) {
    match note {
        Note::Message { message } => state.hub.publish_message(&message),
        Note::MessageAt {
            conversation_id,
            seq,
        } => {
            match messages::after_seq(&state.pool, conversation_id, seq.saturating_sub(1), 1).await
            {
                Ok(mut found) => {
                    if let Err(e) = crate::attachments::sign(state, &mut found).await {
                        tracing::warn!(error = %e, "signing an attachment's link failed");
                    }
                    for message in found {
                        state.hub.publish_message(&message);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reading a message another node stored failed")
                }
            }
        }
        Note::Sent {
            conversation_id,
            visitor_id,
            created,
            claimed,
        } => {
            let state = state.clone();
            let news =
                crate::chat::Announcement::new(conversation_id, visitor_id, created, claimed);
            tokio::spawn(async move {
                if let Err(e) = crate::chat::announce_sent(&state, news).await {
                    tracing::warn!(error = %e, "announcing another node's message failed");
                }
            });
        }
        Note::Changed {
            conversation_id,
            event,
        } => {
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::lifecycle::finish(&state, conversation_id, event).await {
                    tracing::debug!(error = %e, "announcing another node's change failed");
                }
            });
        }
        Note::Receipt {
            conversation_id,
            role,
            read_seq,
            delivered_seq,
            read_changed,
        } => {
            let receipt = ServerFrame::Receipt {
                conversation_id,
                role,
                read_seq,
                delivered_seq,
            };
            state
                .hub
                .publish_to_followers(conversation_id, &receipt, None);
            let side = match role {
                tidings_protocol::Role::Visitor => crate::store::read_state::Side::Visitor,
                tidings_protocol::Role::Agent => crate::store::read_state::Side::Agent,
            };
            state.hub.lists().receipt(
                conversation_id,
                side,
                crate::store::read_state::ReadState {
                    read_seq,
                    delivered_seq,
                },
            );
            if read_changed {
                state.announcer.updated(state, conversation_id);
            }
        }
        Note::Followers {
            conversation_id,
            frame,
        } => state
            .hub
            .publish_to_followers(conversation_id, frame.as_ref(), None),
        Note::AgentFollowers {
            conversation_id,
            frame,
        } => state
            .hub
            .publish_to_agent_followers(conversation_id, frame.as_ref()),
        Note::Presence {
            agent_id,
            name,
            status,
        } => state.hub.set_remote_agent(from, agent_id, &name, status),
        Note::Visitor { visitor_id, online } => {
            if state.hub.set_remote_visitor(from, visitor_id, online) {
                let state = state.clone();
                tokio::spawn(async move {
                    let _ = crate::chat::announce_visitor(&state, visitor_id).await;
                });
            }
        }
        Note::SessionEnded { session_hash } => state.hub.close_session(&session_hash),
        Note::Team => {
            let state = state.clone();
            tokio::spawn(async move { crate::team_news::deliver_team(&state).await });
        }
        Note::Canned => {
            let state = state.clone();
            tokio::spawn(async move { crate::team_news::deliver_canned(&state).await });
        }
        Note::Reconnect { agent_id } => state
            .hub
            .close_agent(agent_id, tidings_protocol::frame::close::GOING_AWAY),
        Note::VisitorJoined { visitor_id } => state.hub.close_visitor(visitor_id),
    }
}
