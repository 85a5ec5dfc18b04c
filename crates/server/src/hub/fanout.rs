//! Publishing: stored messages to a conversation's followers, ephemeral frames (typing,
//! receipts), `conversation` frames to everyone concerned, and follow changes after a
//! claim or a new conversation.

use std::collections::HashSet;

use tidings_protocol::{Conversation, ConversationEvent, Message, Sender, ServerFrame};
use uuid::Uuid;

use super::{encode, Conn, ConnId, Event, Hub, Inner, Peer};
use crate::auth::agent_may_see;

impl Hub {
    /// A stored message, to every connection following its conversation. A private note
    /// reaches agents only: a visitor's connection gets, in its place, the `synced` frame
    /// that says its seq is covered (see [`frame_for_visitor`]).
    pub fn publish_message(&self, message: &Message) {
        self.lists.message(message);
        let frame = encode(&ServerFrame::Message {
            message: message.clone(),
        });
        let hidden = frame_for_visitor(message).map(|f| encode(&f));
        let inner = self.lock();
        if let Some(subs) = inner.subscriptions.get(&message.conversation_id) {
            for conn in subs {
                let to_visitor = matches!(
                    inner.conns.get(conn).map(|c| &c.peer),
                    Some(Peer::Visitor { .. })
                );
                let frame = match (&hidden, to_visitor) {
                    (Some(hidden), true) => hidden.clone(),
                    _ => frame.clone(),
                };
                inner.deliver(
                    *conn,
                    Event::Message {
                        conversation_id: message.conversation_id,
                        seq: message.seq,
                        frame,
                    },
                );
            }
        }
    }

    /// An ephemeral frame (typing, receipt) to the conversation's followers but `except`.
    pub fn publish_to_followers(
        &self,
        conversation_id: Uuid,
        frame: &ServerFrame,
        except: Option<ConnId>,
    ) {
        let frame = encode(frame);
        let inner = self.lock();
        if let Some(subs) = inner.subscriptions.get(&conversation_id) {
            for conn in subs.iter().filter(|c| Some(**c) != except) {
                inner.deliver(*conn, Event::Frame(frame.clone()));
            }
        }
    }

    /// A `conversation` frame to everyone concerned: the visitor's connections (with the
    /// visitor's unread count), and agents following it or watching a queue it is in
    /// (with the agents' count). Claims, assignments and ends also reach the queue watchers
    /// who lose sight of it by that change, so it leaves their waiting list; they get an
    /// [`outsider_view`], since they may no longer see what it holds.
    pub fn publish_conversation(
        &self,
        event: ConversationEvent,
        visitor_view: Option<&Conversation>,
        agent_view: &Conversation,
    ) {
        let for_agents = encode(&ServerFrame::Conversation {
            event,
            conversation: agent_view.clone(),
        });
        let for_outsiders = std::sync::OnceLock::new();
        let inner = self.lock();
        let mut agents: HashSet<ConnId> = inner
            .subscriptions
            .get(&agent_view.id)
            .cloned()
            .unwrap_or_default();
        let may_leave_view = matches!(
            event,
            ConversationEvent::Claimed | ConversationEvent::Assigned | ConversationEvent::Ended
        );
        for watcher in &inner.queue_watchers {
            if let Some(Conn {
                peer: Peer::Agent { id, is_admin, .. },
                ..
            }) = inner.conns.get(watcher)
            {
                if may_leave_view || agent_may_see(*id, *is_admin, agent_view) {
                    agents.insert(*watcher);
                }
            }
        }
        for conn in agents {
            let Some(Peer::Agent { id, is_admin, .. }) = inner.conns.get(&conn).map(|c| &c.peer)
            else {
                continue;
            };
            let frame = if agent_may_see(*id, *is_admin, agent_view) {
                for_agents.clone()
            } else {
                for_outsiders
                    .get_or_init(|| {
                        encode(&ServerFrame::Conversation {
                            event,
                            conversation: outsider_view(agent_view),
                        })
                    })
                    .clone()
            };
            inner.deliver(conn, Event::Frame(frame));
        }
        let Some(visitor_view) = visitor_view else {
            return;
        };
        let for_visitor = encode(&ServerFrame::Conversation {
            event,
            conversation: visitor_view.clone(),
        });
        if let Some(conns) = inner.visitors.get(&visitor_view.visitor_id) {
            for conn in conns {
                inner.deliver(*conn, Event::Frame(for_visitor.clone()));
            }
        }
    }

    /// Tells every connection of a visitor to follow a conversation they just started.
    pub fn auto_subscribe(&self, visitor_id: Uuid, conversation_id: Uuid) {
        let inner = self.lock();
        if let Some(conns) = inner.visitors.get(&visitor_id) {
            for conn in conns {
                inner.deliver(*conn, Event::AutoSubscribe(conversation_id));
            }
        }
    }

    /// After a change of who may see the conversation (a claim, an assignment, an end),
    /// agent connections that may no longer see it stop following it, and subscribes that
    /// checked visibility before this are told to check again (see
    /// [`Hub::revocation_mark`]).
    pub fn revoke_followers(&self, conversation: &Conversation) {
        let mut inner = self.lock();
        inner.revocations[super::stripe(conversation.id)] += 1;
        let Inner {
            conns,
            subscriptions,
            ..
        } = &mut *inner;
        if let Some(subs) = subscriptions.get_mut(&conversation.id) {
            subs.retain(|c| match conns.get(c).map(|c| &c.peer) {
                Some(Peer::Agent { id, is_admin, .. }) => {
                    agent_may_see(*id, *is_admin, conversation)
                }
                _ => true,
            });
        }
    }
}

/// What a visitor's connection is sent in place of a message it may not read (a private
/// note): `None` for a message it may read. The `synced` frame tells the widget it holds
/// everything up to that seq, so its timeline never waits for the hidden one and its
/// resume point and receipts move past it; it says nothing of what the seq held.
pub fn frame_for_visitor(message: &Message) -> Option<ServerFrame> {
    (message.sender == Sender::Note).then_some(ServerFrame::Synced {
        conversation_id: message.conversation_id,
        last_seq: message.seq,
        after_seq: message.seq.saturating_sub(1),
    })
}

/// What an agent who may no longer see a conversation learns of it: its id, status,
/// assignee and times (enough to drop it from their lists), none of its content or the
/// visitor's details.
fn outsider_view(conversation: &Conversation) -> Conversation {
    Conversation {
        rating: None,
        feedback: None,
        visitor_name: None,
        visitor_email: None,
        visitor_user_id: None,
        page_url: None,
        user_agent: None,
        last_message_preview: None,
        unread: 0,
        visitor_online: false,
        visitor_last_seen_at: None,
        ..conversation.clone()
    }
}
