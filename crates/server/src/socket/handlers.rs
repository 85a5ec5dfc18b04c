//! What an authenticated connection does with each client frame: subscribe and replay,
//! send, typing, receipts, presence, the agent queue, heartbeats. Every refusal is an
//! `error` frame (naming the refused message's id) and the connection stays usable;
//! only a sustained flood closes it.

use axum::extract::ws::Message as WsMessage;
use tidings_protocol::frame::close;
use tidings_protocol::{ClientFrame, ErrorCode, ServerFrame};
use uuid::Uuid;

use super::connection::{Connection, StepEnd};
use crate::auth::Principal;
use crate::error::Error;
use crate::hub::frame_for_visitor;
use crate::store::{conversations, messages};
use crate::{chat, lifecycle};

/// Messages fetched per query while replaying.
const REPLAY_CHUNK: u32 = 500;

/// Visibility checks one subscribe may make while revocations keep moving the mark.
const SUBSCRIBE_TRIES: u32 = 8;

impl Connection {
    pub(super) async fn on_socket_message(&mut self, message: WsMessage) -> Result<(), StepEnd> {
        crate::metrics::global()
            .frames_received
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let text = match message {
            WsMessage::Text(text) => text,
            // Binary frames and WebSocket pings cost work too (an error frame, a pong), so
            // they count against the rate like any other frame.
            WsMessage::Binary(_) => {
                if !self.within_rate(None).await? {
                    return Ok(());
                }
                let e = Error::client(
                    ErrorCode::InvalidFrame,
                    "binary frames are not supported; send JSON text",
                );
                return self.send(&e.to_frame(None)).await;
            }
            WsMessage::Ping(_) => return self.within_rate(None).await.map(drop),
            // Pongs only prove the peer is alive (already noted by the caller).
            _ => return Ok(()),
        };
        let parsed = ClientFrame::parse(&text);
        let id = match &parsed {
            Ok(ClientFrame::Send { id, .. }) => Some(*id),
            Ok(_) => None,
            Err(e) => e.id,
        };
        // The answer to our latest ping is never refused, so a client at its rate limit is
        // still judged alive; any other pong is an ordinary frame, or a flood of them would
        // cost nothing.
        let answers_ping = matches!(parsed, Ok(ClientFrame::Pong { nonce }) if nonce == self.ping_nonce)
            && std::mem::take(&mut self.pong_due);
        if !answers_ping && !self.within_rate(id).await? {
            return Ok(());
        }
        // Anything but heartbeats is someone at the console (the session's idle timeout).
        if !matches!(
            parsed,
            Ok(ClientFrame::Ping { .. } | ClientFrame::Pong { .. })
        ) {
            self.used = true;
        }
        match parsed {
            Ok(frame) => self.on_frame(frame).await,
            Err(e) => {
                let error = Error::client(e.code, e.message);
                self.send(&error.to_frame(e.id)).await
            }
        }
    }

    /// Takes a token from the connection's bucket: `true` when the frame may be handled.
    /// Over the rate the frame is refused with `rate_limited` (naming the message `id`, if
    /// any); a sustained flood closes the connection.
    async fn within_rate(&mut self, id: Option<Uuid>) -> Result<bool, StepEnd> {
        let taken = self
            .bucket
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .try_take();
        if taken {
            self.strikes = 0;
            return Ok(true);
        }
        self.strikes += 1;
        if self.strikes >= self.state.settings.rate_strikes_before_close {
            return Err(StepEnd::Close(close::RATE_LIMITED));
        }
        let e = Error::client(
            ErrorCode::RateLimited,
            "too many frames; slow down and retry",
        );
        self.send(&e.to_frame(id)).await?;
        Ok(false)
    }

    async fn on_frame(&mut self, frame: ClientFrame) -> Result<(), StepEnd> {
        match frame {
            ClientFrame::Auth { .. } => {
                self.refuse(ErrorCode::InvalidFrame, "already authenticated", None)
                    .await
            }
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
            } => self.subscribe(conversation_id, after_seq).await,
            ClientFrame::Unsubscribe { conversation_id } => {
                self.state.hub.unsubscribe(self.conn_id, conversation_id);
                self.replayed.remove(&conversation_id);
                Ok(())
            }
            ClientFrame::Send {
                id,
                conversation_id,
                body,
            } => match chat::send(&self.state, &self.principal, id, conversation_id, &body).await {
                Ok(outcome) => {
                    // The ack first: it only needs the commit, which has happened.
                    let acked = self.send(&outcome.ack).await;
                    if let Some(news) = outcome.announcement {
                        if let Err(e) = chat::announce_sent(&self.state, news).await {
                            tracing::warn!(error = %e, "announcing a stored message failed");
                        }
                    }
                    acked
                }
                Err(e) => self.send(&e.frame_about(Some(id), conversation_id)).await,
            },
            ClientFrame::Typing {
                conversation_id,
                typing,
            } => self.typing(conversation_id, typing).await,
            ClientFrame::Read {
                conversation_id,
                seq,
            } => self.mark(conversation_id, seq, 0).await,
            ClientFrame::Delivered {
                conversation_id,
                seq,
            } => self.mark(conversation_id, 0, seq).await,
            ClientFrame::Presence { status } => match self.principal {
                Principal::Agent(_) if status != tidings_protocol::PresenceStatus::Offline => {
                    self.state.hub.set_presence(self.conn_id, status);
                    Ok(())
                }
                Principal::Agent(_) => {
                    self.refuse(
                        ErrorCode::InvalidField,
                        "presence is online or away; offline follows from disconnecting",
                        None,
                    )
                    .await
                }
                Principal::Visitor { .. } => {
                    self.refuse(ErrorCode::Forbidden, "only agents have presence", None)
                        .await
                }
            },
            ClientFrame::WatchQueue => self.watch_queue().await,
            ClientFrame::Ping { nonce } => self.send(&ServerFrame::Pong { nonce }).await,
            ClientFrame::Pong { .. } => Ok(()),
        }
    }

    pub(super) async fn refuse(
        &mut self,
        code: ErrorCode,
        message: &str,
        conversation_id: Option<Uuid>,
    ) -> Result<(), StepEnd> {
        self.report(Error::client(code, message), conversation_id)
            .await
    }

    async fn report(&mut self, error: Error, conversation_id: Option<Uuid>) -> Result<(), StepEnd> {
        self.send(&error.frame_about(None, conversation_id)).await
    }

    /// Whether this connection is a visitor's (who never receives private notes).
    fn is_visitor(&self) -> bool {
        matches!(self.principal, Principal::Visitor { .. })
    }

    /// `snapshot`, the messages after `after_seq` in order, `synced`, then live.
    pub(super) async fn subscribe(
        &mut self,
        conversation_id: Uuid,
        after_seq: u64,
    ) -> Result<(), StepEnd> {
        // Check who may see it, then follow it, with no window for a claim, assignment or
        // close between the two: the hub's revocation mark, taken before the check, moves
        // with every revocation, and the join only happens if it has not (otherwise check
        // again). A change committed after the check revokes after the join and removes it.
        // Following before reading the replay means nothing committed in between is
        // missed; live copies the replay already covered are dropped by seq.
        let mut tries = 0;
        let conversation = loop {
            let mark = self.state.hub.revocation_mark(conversation_id);
            let conversation =
                match chat::load_visible(&self.state, &self.principal, conversation_id).await {
                    Ok(c) => c,
                    Err(e) => {
                        if e.code() == ErrorCode::NotFound {
                            self.state.hub.unsubscribe(self.conn_id, conversation_id);
                            self.replayed.remove(&conversation_id);
                        }
                        return self.report(e, Some(conversation_id)).await;
                    }
                };
            let pause = self.state.settings.subscribe_pause;
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            if self
                .state
                .hub
                .subscribe_unless_revoked(self.conn_id, conversation_id, mark)
            {
                break conversation;
            }
            tries += 1;
            if tries >= SUBSCRIBE_TRIES {
                return self
                    .refuse(
                        ErrorCode::Overloaded,
                        "the conversation keeps changing; subscribe again",
                        Some(conversation_id),
                    )
                    .await;
            }
        };
        self.replayed.insert(conversation_id, u64::MAX);
        let snapshot_last_seq = conversation.last_seq;
        self.send(&ServerFrame::Snapshot { conversation }).await?;
        let mut cursor = after_seq;
        let mut last_sent = 0;
        loop {
            let chunk = match replay_chunk(&self.state, conversation_id, cursor, REPLAY_CHUNK).await
            {
                Ok(chunk) => chunk,
                Err(e) => {
                    self.state.hub.unsubscribe(self.conn_id, conversation_id);
                    self.replayed.remove(&conversation_id);
                    return self.report(e, Some(conversation_id)).await;
                }
            };
            let full = chunk.len() == REPLAY_CHUNK as usize;
            let visitor = self.is_visitor();
            for message in chunk {
                cursor = message.seq;
                last_sent = message.seq;
                // A visitor's replay skips private notes; the `synced` below covers them.
                if visitor && frame_for_visitor(&message).is_some() {
                    continue;
                }
                self.send(&ServerFrame::Message { message }).await?;
            }
            if !full {
                break;
            }
        }
        // Live copies at or below what the client now has are duplicates. A client claiming
        // more than exists (stale state) still gets everything after the real last seq.
        let boundary = last_sent.max(after_seq.min(snapshot_last_seq));
        self.replayed.insert(conversation_id, boundary);
        let last_seq = last_sent.max(snapshot_last_seq);
        self.send(&ServerFrame::Synced {
            conversation_id,
            last_seq,
            after_seq: after_seq.min(last_seq),
        })
        .await
    }

    /// Sends the stored messages after `after` up to `up_to` that a live message or a
    /// catch-up showed missing (another node committed them; its notification is late or
    /// was lost). If they cannot be read, the connection closes (GOING_AWAY) rather than
    /// show a gap: the client reconnects and resumes by seq.
    pub(super) async fn fill(
        &mut self,
        conversation_id: Uuid,
        after: u64,
        up_to: u64,
    ) -> Result<(), StepEnd> {
        let mut cursor = after;
        while cursor < up_to {
            let limit = REPLAY_CHUNK.min((up_to - cursor).min(u32::MAX as u64) as u32);
            let chunk = match replay_chunk(&self.state, conversation_id, cursor, limit).await {
                Ok(chunk) => chunk,
                Err(e) => {
                    tracing::warn!(error = %e, "reading missed messages failed");
                    return Err(StepEnd::Close(close::GOING_AWAY));
                }
            };
            let Some(last) = chunk.last().map(|m| m.seq) else {
                break;
            };
            let visitor = self.is_visitor();
            for message in chunk.into_iter().filter(|m| m.seq <= up_to) {
                // A private note reaches a visitor as the `synced` that covers its seq,
                // as it does live.
                match frame_for_visitor(&message).filter(|_| visitor) {
                    Some(hidden) => self.send(&hidden).await?,
                    None => self.send(&ServerFrame::Message { message }).await?,
                }
            }
            cursor = last.min(up_to);
            self.replayed.insert(conversation_id, cursor);
        }
        Ok(())
    }

    /// A receipt needs no answer, so its write runs in a task of its own instead of
    /// holding up this connection's next frame: a burst of receipts then waits in the
    /// writer's queue together and is committed in one group (one fsync), not one group
    /// each. A refusal still reaches this connection, through the hub.
    async fn mark(
        &mut self,
        conversation_id: Uuid,
        read_seq: u64,
        delivered_seq: u64,
    ) -> Result<(), StepEnd> {
        let (state, principal, conn) = (self.state.clone(), self.principal.clone(), self.conn_id);
        tokio::spawn(async move {
            let marked = lifecycle::mark(
                &state,
                &principal,
                Some(conn),
                conversation_id,
                read_seq,
                delivered_seq,
            )
            .await;
            if let Err(e) = marked {
                let frame = e.frame_about(None, Some(conversation_id));
                state.hub.send_to(conn, &frame);
            }
        });
        Ok(())
    }

    async fn watch_queue(&mut self) -> Result<(), StepEnd> {
        let Principal::Agent(agent) = &self.principal else {
            return self
                .refuse(
                    ErrorCode::Forbidden,
                    "only agents can watch the queue",
                    None,
                )
                .await;
        };
        let (agent_id, is_admin) = (agent.id, agent.is_admin);
        // Watch first, then read, so no change falls between the list and the stream.
        self.state.hub.watch_queue(self.conn_id);
        match conversations::queue_for_agent(&self.state.pool, agent_id, is_admin).await {
            Ok(list) => {
                let conversations = list
                    .into_iter()
                    .map(|c| chat::decorate(&self.state, c))
                    .collect();
                self.send(&ServerFrame::Queue { conversations }).await?;
                // The team with live presence and the canned responses, kept live from
                // here by `agent_presence`, `agents` and `canned_responses` frames.
                match crate::team_news::send_to(&self.state, self.conn_id).await {
                    Ok(()) => Ok(()),
                    Err(e) => self.report(e, None).await,
                }
            }
            Err(e) => self.report(e, None).await,
        }
    }
}

/// Up to `limit` stored messages after `after`, their attachments given links for this
/// connection (which may see the conversation).
async fn replay_chunk(
    state: &crate::AppState,
    conversation_id: Uuid,
    after: u64,
    limit: u32,
) -> crate::error::Result<Vec<tidings_protocol::Message>> {
    let mut chunk = messages::after_seq(&state.pool, conversation_id, after, limit).await?;
    crate::attachments::sign(state, &mut chunk).await?;
    Ok(chunk)
}
