//! Frames only agents may read, to the agents following a conversation (its visitor's
//! own connections follow it too, and must not get them).

use tidings_protocol::ServerFrame;
use uuid::Uuid;

use super::{encode, Event, Hub, Peer};

impl Hub {
    /// `frame` to the agent connections following `conversation_id`.
    pub fn publish_to_agent_followers(&self, conversation_id: Uuid, frame: &ServerFrame) {
        let frame = encode(frame);
        let inner = self.lock();
        if let Some(subs) = inner.subscriptions.get(&conversation_id) {
            for conn in subs {
                if matches!(
                    inner.conns.get(conn).map(|c| &c.peer),
                    Some(Peer::Agent { .. })
                ) {
                    inner.deliver(*conn, Event::Frame(frame.clone()));
                }
            }
        }
    }
}
