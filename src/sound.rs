//! The notification sound for agent messages. Only the leader tab (Web Lock
//! `tidings.visitor.sound`) plays it, so two open tabs do not chime twice.

use std::cell::{Cell, RefCell};

use tidings_client::web::tabs::Locks;

/// The page's chime, held by the runtime.
#[derive(Default)]
pub struct Sound {
    leader: Cell<bool>,
    audio: RefCell<Option<web_sys::HtmlAudioElement>>,
    last_played: Cell<f64>,
}

impl Sound {
    /// Asks to become the tab that plays sounds; granted when no other tab has it.
    pub fn claim_leadership(&'static self, locks: &Locks) {
        locks.become_leader("tidings.visitor.sound", move || self.leader.set(true));
    }

    /// Plays the chime if this tab is the leader; several messages within a second chime
    /// once. Returns whether it played.
    pub fn chime(&self) -> bool {
        if !self.leader.get() {
            return false;
        }
        let now = js_sys::Date::now();
        if now - self.last_played.get() < 1_000.0 {
            return false;
        }
        self.last_played.set(now);
        let mut audio = self.audio.borrow_mut();
        if audio.is_none() {
            *audio = web_sys::HtmlAudioElement::new_with_src("notify.wav").ok();
        }
        if let Some(audio) = audio.as_ref() {
            audio.set_volume(0.5);
            // Autoplay may be refused until the visitor interacted; that is fine.
            if let Ok(p) = audio.play() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
        true
    }
}
