//! Typing indicators: relayed to the conversation's other followers, lapsing by
//! themselves after the TTL unless renewed, and cleared when the connection ends.

use tidings_protocol::{ErrorCode, Role, ServerFrame};
use tokio::time::Instant;
use uuid::Uuid;

use super::connection::{Connection, StepEnd};
use crate::auth::Principal;

impl Connection {
    pub(super) async fn typing(
        &mut self,
        conversation_id: Uuid,
        typing: bool,
    ) -> Result<(), StepEnd> {
        if !self.state.hub.is_subscribed(self.conn_id, conversation_id) {
            return self
                .refuse(
                    ErrorCode::NotFound,
                    "subscribe to the conversation before sending typing",
                    Some(conversation_id),
                )
                .await;
        }
        if typing {
            self.typing.insert(
                conversation_id,
                Instant::now() + self.state.settings.typing_ttl,
            );
        } else {
            self.typing.remove(&conversation_id);
        }
        self.broadcast_typing(conversation_id, typing);
        Ok(())
    }

    fn broadcast_typing(&self, conversation_id: Uuid, typing: bool) {
        let (role, name) = match &self.principal {
            Principal::Visitor { .. } => (Role::Visitor, None),
            Principal::Agent(a) => (Role::Agent, Some(a.name.clone())),
        };
        let ttl_ms = self.state.settings.typing_ttl.as_millis() as u64;
        let frame = ServerFrame::Typing {
            conversation_id,
            role,
            name,
            typing,
            ttl_ms,
        };
        self.state
            .hub
            .publish_to_followers(conversation_id, &frame, Some(self.conn_id));
        self.state.tell(crate::cluster::note::Note::Followers {
            conversation_id,
            frame: Box::new(frame),
        });
    }

    /// Typing indicators not renewed in time lapse: followers get `typing: false`.
    pub(super) fn expire_typing(&mut self) {
        let now = Instant::now();
        let expired: Vec<Uuid> = self
            .typing
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(c, _)| *c)
            .collect();
        for conversation_id in expired {
            self.typing.remove(&conversation_id);
            self.broadcast_typing(conversation_id, false);
        }
    }

    /// On disconnect nobody is typing any more.
    pub(super) fn stop_typing_all(&mut self) {
        for (conversation_id, _) in std::mem::take(&mut self.typing) {
            self.broadcast_typing(conversation_id, false);
        }
    }
}
