//! Who the visitor is and which conversation is shown: the visitor token (created over
//! HTTP when there is none), the page they are on, the latest conversation (adopted by
//! `reduce::adopt`), and pending messages from the outbox.

use reactive_graph::prelude::*;
use tidings_client::{Backoff, Storage};
use tidings_protocol::http::UpdateVisitorRequest;

use crate::api;
use crate::reduce;
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
    pub(crate) async fn load_latest_conversation(&'static self, token: &str) {
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

    /// Shows pending messages from the outbox (after a reload, or written in another tab).
    pub fn load_outbox(&'static self) {
        let entries = self.realtime.outbox();
        let mut model = self.model();
        let effects = reduce::outbox_loaded(&mut model, entries);
        self.finish(model, effects);
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
