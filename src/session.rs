//! Who the visitor is and which conversation is shown: the visitor token (created over
//! HTTP when there is none), the page they are on, the latest conversation, switching to
//! a newer one, and pending messages from the outbox.

use leptos::prelude::*;
use tidings_client::outbox::EntryState;
use tidings_client::{Backoff, LocalMessage, Storage, Timeline};
use tidings_protocol::http::UpdateVisitorRequest;
use tidings_protocol::{Conversation, ConversationStatus, Sender};

use crate::adoption::{decide, merge, Adoption};
use crate::api;
use crate::runtime::{sleep, Runtime, TOKEN_KEY};

impl Runtime {
    /// The visitor token: stored, or a new visitor created over HTTP (retried until the
    /// server answers).
    pub(crate) async fn ensure_token(&self) -> String {
        if let Some(token) = self.token.borrow().clone() {
            return token;
        }
        let mut storage = self.storage.clone();
        if let Some(token) = storage.get(TOKEN_KEY) {
            self.token.replace(Some(token.clone()));
            return token;
        }
        let page_url = self.state.config.with_value(|c| c.page_url.clone());
        let mut backoff = Backoff::new();
        loop {
            match api::create_visitor(page_url.clone()).await {
                Ok(created) => {
                    // Without storage the token lives for this page only; still usable.
                    let _ = storage.set(TOKEN_KEY, &created.token);
                    self.token.replace(Some(created.token.clone()));
                    return created.token;
                }
                Err(_) => sleep(backoff.next_delay_ms(js_sys::Math::random()) as i32).await,
            }
        }
    }

    pub fn token(&self) -> Option<String> {
        self.token.borrow().clone()
    }

    /// Shows the visitor's latest conversation (ended ones too, for the rating).
    pub(crate) async fn load_latest_conversation(&self, token: &str) {
        let mut backoff = Backoff::new();
        loop {
            match api::my_conversations(token).await {
                Ok(list) => {
                    if let Some(latest) = list.into_iter().next() {
                        self.adopt(latest, false);
                    }
                    return;
                }
                Err(failure) if failure.is_unauthorized() => return,
                Err(_) => sleep(backoff.next_delay_ms(js_sys::Math::random()) as i32).await,
            }
        }
    }

    /// Takes a conversation the server told us about: the current one updated, a newer
    /// one replacing an ended one, or the first one. `subscribed` says whether the socket
    /// already streams it (a `snapshot`); otherwise we subscribe.
    pub fn adopt(&self, conversation: Conversation, subscribed: bool) {
        let state = self.state;
        let current = state.conversation.get_untracked();
        let id = conversation.id;
        match decide(current.as_ref(), &conversation, self.started_new.get()) {
            Adoption::Ignore => return,
            Adoption::Update => {
                if let Some(c) = current {
                    state.conversation.set(Some(merge(&c, conversation)));
                }
                return;
            }
            Adoption::Switch => {
                // A newer conversation: fresh timeline, keeping messages not yet sent.
                state.timeline.update(|t| {
                    let mut next = Timeline::new();
                    for local in t.local() {
                        next.add_local(local.clone());
                    }
                    *t = next;
                });
                state.agent_typing.set(None);
                self.delivered_sent.set(0);
            }
            Adoption::First => {}
        }
        if conversation.status != ConversationStatus::Ended {
            self.started_new.set(false);
        }
        let last_seq = conversation.last_seq;
        state.conversation.set(Some(conversation));
        if !subscribed {
            // A page load replays only the latest seqs; older pages come on scrolling up.
            let after = state
                .timeline
                .try_update(|t| t.start_tail(last_seq, crate::history::TAIL))
                .unwrap_or_default();
            self.socket.subscribe(id, after);
        }
    }

    /// Shows pending messages from the outbox (after a reload, or written in another tab).
    pub fn load_outbox(&self) {
        let current = self
            .state
            .conversation
            .with_untracked(|c| c.as_ref().map(|c| c.id));
        let entries = self.delivery.entries();
        self.state.timeline.update(|t| {
            for e in entries {
                if e.conversation_id.is_some() && e.conversation_id != current {
                    continue;
                }
                let refused = match &e.state {
                    EntryState::Failed { code, reason } => Some((*code, reason.clone())),
                    EntryState::Pending => None,
                };
                if !t.contains(e.id) {
                    t.add_local(LocalMessage {
                        id: e.id,
                        sender: Sender::Visitor,
                        author_name: None,
                        body: e.body,
                        created_at: e.created_at,
                        refused: None,
                    });
                }
                if let Some((code, reason)) = refused {
                    t.refuse(e.id, code, reason);
                }
            }
        });
    }

    /// Tells the server the page the visitor is on now, and any `identify` details that
    /// arrived before the visitor existed.
    pub(crate) async fn introduce(&self, token: &str) {
        let page_url = self.state.config.with_value(|c| c.page_url.clone());
        let mut update = self.pending_identify.take().unwrap_or_default();
        update.page_url = page_url;
        update.time_zone = crate::config::time_zone();
        if update != UpdateVisitorRequest::default() {
            let _ = api::update_visitor(token, &update).await;
        }
    }
}
