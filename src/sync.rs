//! Runs the widget's reducers ([`crate::reduce`]) on the state: [`Runtime::model`] moves
//! the conversation and timeline out of their signals (and what the runtime holds) for one
//! step, [`Runtime::finish`] puts them back, notifying only what changed, and does the
//! step's effects. Callers write `let mut m = rt.model(); let fx = reduce::x(&mut m, …);
//! rt.finish(m, fx);`: no generic helper, so the wasm holds one copy of this code.

use reactive_graph::prelude::*;
use tidings_protocol::ClientFrame;

use crate::dom::later;
use crate::host::{self, ToHost};
use crate::reduce::{self, Effect, Model};
use crate::runtime::{Runtime, TabNote};
use crate::texts::t;

impl Runtime {
    /// The model for one reducer step; give it back with [`Runtime::finish`].
    pub(crate) fn model(&self) -> Model {
        Model {
            conversation: self
                .state
                .conversation
                .try_update_untracked(Option::take)
                .flatten(),
            timeline: self
                .state
                .timeline
                .try_update_untracked(std::mem::take)
                .unwrap_or_default(),
            held: self.held.take(),
            conversation_changed: false,
            timeline_changed: false,
        }
    }

    /// Puts the model back and does the step's effects.
    pub(crate) fn finish(&'static self, model: Model, effects: Vec<Effect>) {
        let state = self.state;
        self.held.replace(model.held);
        let conversation = model.conversation;
        if model.conversation_changed {
            state.conversation.set(conversation);
        } else {
            state.conversation.update_untracked(|c| *c = conversation);
        }
        let timeline = model.timeline;
        if model.timeline_changed {
            state.timeline.set(timeline);
        } else {
            state.timeline.update_untracked(|t| *t = timeline);
        }
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(&'static self, effect: Effect) {
        let state = self.state;
        match effect {
            Effect::Availability(status) => state.availability.set(status),
            Effect::Email(email) => state.email.set(email),
            Effect::LoadLatest => {
                if let Some(token) = self.token() {
                    let rt = self;
                    any_spawner::Executor::spawn_local(async move {
                        rt.load_latest_conversation(&token).await;
                    });
                }
            }
            Effect::FetchConversation(id) => {
                let rt = self;
                any_spawner::Executor::spawn_local(async move {
                    let known = rt.state.conversation.with_untracked(Option::is_some);
                    if let (false, Some(token)) = (known, rt.token()) {
                        if let Ok(c) = crate::api::conversation(&token, id).await {
                            rt.adopt(c, false);
                        }
                    }
                });
            }
            Effect::Subscribe {
                conversation_id,
                after_seq,
            } => {
                self.realtime.subscribe(conversation_id, after_seq);
            }
            Effect::Delivered {
                conversation_id,
                seq,
            } => {
                if self.realtime.send_frame(&ClientFrame::Delivered {
                    conversation_id,
                    seq,
                }) {
                    let mut held = self.held.borrow_mut();
                    held.delivered_sent = held.delivered_sent.max(seq);
                }
            }
            Effect::ShowTyping(name) => state
                .agent_typing
                .set(Some(name.unwrap_or_else(|| t("message.support").into()))),
            Effect::HideTyping => state.agent_typing.set(None),
            Effect::TypingLapse {
                generation,
                after_ms,
            } => {
                let rt = self;
                later(after_ms as i32, move || {
                    let mut model = rt.model();
                    let effects = reduce::typing_lapsed(&mut model, generation);
                    rt.finish(model, effects);
                });
            }
            Effect::AgentMessage {
                body,
                author,
                created_at,
            } => {
                if self.sound.chime() {
                    state.sounds.update(|n| *n += 1);
                }
                // `Tidings('on', 'message', …)` on the host page.
                let origin = state.config.with_value(|c| c.host_origin.clone());
                host::post(
                    origin.as_deref(),
                    &ToHost::Message {
                        body,
                        author,
                        created_at,
                    },
                );
            }
            Effect::OutboxChanged => self.tell_tabs(&TabNote::OutboxChanged),
        }
    }

    /// Takes a conversation the server told us about (see [`reduce::adopt`]).
    pub fn adopt(&'static self, conversation: tidings_protocol::Conversation, subscribed: bool) {
        let mut model = self.model();
        let effects = reduce::adopt(&mut model, conversation, subscribed);
        self.finish(model, effects);
    }
}
