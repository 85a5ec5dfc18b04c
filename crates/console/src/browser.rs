//! Small browser services: the stored session token, the tab title, tab visibility, the
//! local time zone and the notification sound (a short tone from Web Audio, so no file
//! has to be fetched and nothing plays before the agent interacted with the page).

use std::cell::{Cell, RefCell};

use tidings_client::web::tabs::become_leader;
use tidings_protocol::Agent;

use web_sys::{AudioContext, OscillatorType, VisibilityState};

/// `localStorage` key of the agent session token.
const TOKEN_KEY: &str = "tidings.console.token";
/// `localStorage` key of the logged-in agent's profile (JSON).
const AGENT_KEY: &str = "tidings.console.agent";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn stored_token() -> Option<String> {
    storage()?
        .get_item(TOKEN_KEY)
        .ok()
        .flatten()
        .filter(|t| !t.is_empty())
}

pub fn store_token(token: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(TOKEN_KEY, token);
    }
}

pub fn forget_token() {
    if let Some(s) = storage() {
        let _ = s.remove_item(TOKEN_KEY);
        let _ = s.remove_item(AGENT_KEY);
    }
}

/// The logged-in agent's profile, kept so a reload starts without the server.
pub fn stored_agent() -> Option<Agent> {
    let json = storage()?.get_item(AGENT_KEY).ok().flatten()?;
    serde_json::from_str(&json).ok()
}

pub fn store_agent(agent: &Agent) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(agent)) {
        let _ = s.set_item(AGENT_KEY, &json);
    }
}

/// Whether a `storage` event is about the session token (another tab logged out or in).
pub fn is_token_key(key: Option<String>) -> bool {
    key.is_none_or(|k| k == TOKEN_KEY)
}

pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

pub fn tab_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == VisibilityState::Visible)
}

/// Minutes to add to UTC for local clock times.
pub fn utc_offset_minutes() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64)
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

thread_local! {
    static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
    /// Whether this tab is the one of the origin's console tabs that plays sounds.
    static SOUND_LEADER: Cell<bool> = const { Cell::new(false) };
    static LAST_CHIME: Cell<f64> = const { Cell::new(0.0) };
}

/// Asks to be the tab that chimes (Web Lock), so an agent with three console tabs hears
/// one sound, not three. Granted when no other tab holds it, or when that tab closes.
pub fn claim_sound() {
    become_leader("tidings.console.sound", || {
        SOUND_LEADER.with(|l| l.set(true))
    });
}

/// Creates (or wakes) the audio context; call from a user gesture such as the login click,
/// because browsers keep audio muted until the page was interacted with.
pub fn unlock_audio() {
    AUDIO.with(|audio| {
        let mut audio = audio.borrow_mut();
        if audio.is_none() {
            *audio = AudioContext::new().ok();
        }
        if let Some(ctx) = audio.as_ref() {
            let _ = ctx.resume();
        }
    });
}

/// Two short rising tones: "a chat needs you". Several events within a second chime once.
/// Each chime is counted in `window.__tidingsSounds` (as the widget does) so browser
/// tests can tell that it played, and in which tab.
pub fn chime() {
    if !SOUND_LEADER.with(Cell::get) {
        return;
    }
    let now = js_sys::Date::now();
    if now - LAST_CHIME.with(Cell::get) < 1_000.0 {
        return;
    }
    LAST_CHIME.with(|l| l.set(now));
    if let Some(window) = web_sys::window() {
        let key = wasm_bindgen::JsValue::from_str("__tidingsSounds");
        let played = js_sys::Reflect::get(&window, &key)
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        let _ = js_sys::Reflect::set(&window, &key, &(played + 1.0).into());
    }
    AUDIO.with(|audio| {
        let audio = audio.borrow();
        let Some(ctx) = audio.as_ref() else { return };
        let start = ctx.current_time();
        for (i, freq) in [660.0_f32, 880.0].into_iter().enumerate() {
            let at = start + i as f64 * 0.15;
            let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
                return;
            };
            osc.set_type(OscillatorType::Sine);
            osc.frequency().set_value(freq);
            let _ = gain.gain().set_value_at_time(0.0001, at);
            let _ = gain
                .gain()
                .exponential_ramp_to_value_at_time(0.2, at + 0.02);
            let _ = gain
                .gain()
                .exponential_ramp_to_value_at_time(0.0001, at + 0.14);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&ctx.destination());
            let _ = osc.start_with_when(at);
            let _ = osc.stop_with_when(at + 0.15);
        }
    });
}
