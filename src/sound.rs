//! The notification sound for agent messages. Only the leader tab (Web Lock
//! `tidings.visitor.sound`) plays it, so two open tabs do not chime twice.

use std::cell::{Cell, RefCell};

use tidings_client::web::tabs::Locks;

thread_local! {
    static LEADER: Cell<bool> = const { Cell::new(false) };
    static AUDIO: RefCell<Option<web_sys::HtmlAudioElement>> = const { RefCell::new(None) };
    static LAST_PLAYED: Cell<f64> = const { Cell::new(0.0) };
}

/// Asks to become the tab that plays sounds; granted when no other tab has it.
pub fn claim_leadership(locks: &Locks) {
    locks.become_leader("tidings.visitor.sound", || LEADER.with(|l| l.set(true)));
}

/// Plays the chime if this tab is the leader; several messages within a second chime
/// once. Returns whether it played.
pub fn chime() -> bool {
    if !LEADER.with(Cell::get) {
        return false;
    }
    let now = js_sys::Date::now();
    if now - LAST_PLAYED.with(Cell::get) < 1_000.0 {
        return false;
    }
    LAST_PLAYED.with(|l| l.set(now));
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::HtmlAudioElement::new_with_src("notify.wav").ok();
        }
        if let Some(audio) = a.as_ref() {
            audio.set_volume(0.5);
            // Autoplay may be refused until the visitor interacted; that is fine.
            if let Ok(p) = audio.play() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
    });
    true
}
