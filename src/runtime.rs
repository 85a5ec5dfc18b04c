//! The live side of the widget: the visitor's token, the realtime service (socket and
//! outbox, from `tidings-client`), other tabs and the host page, wired to the
//! [`ChatState`] signals the components read.
//!
//! What the server says is applied by the reducers of [`crate::reduce`] to a plain
//! model moved out of the signals for one step ([`Runtime::model`], [`Runtime::finish`]);
//! this file does their effects, and holds the services the components' actions use.

use std::cell::{Cell, OnceCell, RefCell};

use reactive_graph::effect::Effect;
use reactive_graph::prelude::*;
use tidings_client::settle::Settled;
use tidings_client::web::realtime::{Realtime, RealtimeApp};
use tidings_client::web::socket::Socket;
use tidings_client::web::tabs::{Locks, TabChannel};
use tidings_client::{ConnectionState, SharedStorage, Storage, Timeline};
use tidings_protocol::http::UpdateVisitorRequest;
use tidings_protocol::ClientFrame;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::api;
use crate::host::{self, FromHost, ToHost};
use crate::reduce::{self, Held};
use crate::sound::Sound;
use crate::state::ChatState;
use crate::texts::{tf, tn};

/// Outbox keys: `tidings.outbox.visitor.<message id>`.
const OUTBOX_PREFIX: &str = "tidings.outbox.visitor.";
/// Where the visitor token is kept.
pub(crate) const TOKEN_KEY: &str = "tidings.visitor.token";
/// Tab-to-tab channel of this widget.
const CHANNEL: &str = "tidings.visitor";
/// The channel (and lock) of the one socket the widget's tabs share.
const SOCKET_CHANNEL: &str = "tidings.visitor.socket";

pub use crate::tab_note::TabNote;

/// Where the visitor's token and outbox are kept and who grants locks between tabs,
/// as `startup` chose them for this context.
pub struct Keeping {
    pub storage: SharedStorage,
    pub locks: Locks,
    /// `false`: kept in memory only (nothing survives the page).
    pub persistent: bool,
}

/// The services behind the UI. One per page.
pub struct Runtime {
    pub state: ChatState,
    /// The socket and the outbox, settled together.
    pub realtime: Realtime,
    /// The token's store (the outbox has a clone of it).
    pub(crate) storage: SharedStorage,
    pub(crate) tabs: RefCell<Option<TabChannel>>,
    pub(crate) token: RefCell<Option<String>>,
    /// `identify` details that arrived before the visitor existed.
    pub(crate) pending_identify: RefCell<Option<UpdateVisitorRequest>>,
    /// What the reducers remember besides the signals (see [`Held`]).
    pub(crate) held: RefCell<Held>,
    pub typing_on: Cell<bool>,
    pub typing_sent_at: Cell<f64>,
    pub typing_scheduled: Cell<bool>,
    /// The page named the visitor (`identify` with a name or email): no pre-chat form.
    pub named_by_page: Cell<bool>,
    /// An older page of the conversation is being read (`history.rs`).
    pub loading_older: Cell<bool>,
    /// The chime for agent messages, played by one tab.
    pub(crate) sound: Sound,
}

/// Where the page's one runtime will be once `startup` has chosen its store: made by
/// `app` before the panel is built, handed to the panel's parts and to `startup` as an
/// argument, so no module reaches for a global.
///
/// The runtime lives as long as the page (like the texts), so the slot is leaked and the
/// handle is a plain `Copy` reference: closures capture four bytes, and getting the
/// runtime costs no lookup in Leptos's arena.
#[derive(Clone, Copy)]
pub struct RuntimeHandle(&'static OnceCell<Runtime>);

/// An empty slot, for one page.
impl Default for RuntimeHandle {
    fn default() -> RuntimeHandle {
        RuntimeHandle(Box::leak(Box::default()))
    }
}

impl RuntimeHandle {
    /// The runtime, once started.
    pub fn get(self) -> Option<&'static Runtime> {
        self.0.get()
    }
}

/// What the realtime service reports, turned into reducer steps. It holds the slot the
/// runtime goes in: the runtime owns the service, which owns this.
struct Handler {
    rt: RuntimeHandle,
}

impl RealtimeApp for Handler {
    fn resume_points(&self) -> Vec<(Uuid, u64)> {
        let Some(rt) = self.rt.get() else {
            return Vec::new();
        };
        let timeline = rt.state.timeline;
        rt.state.conversation.with_untracked(|c| {
            c.as_ref()
                .map(|c| vec![(c.id, timeline.with_untracked(Timeline::resume_seq))])
                .unwrap_or_default()
        })
    }

    fn timeline(&self, conversation_id: Option<Uuid>, change: &mut dyn FnMut(&mut Timeline)) {
        let Some(rt) = self.rt.get() else { return };
        let current = rt
            .state
            .conversation
            .with_untracked(|c| c.as_ref().map(|c| c.id));
        if conversation_id.is_none() || current.is_none() || current == conversation_id {
            rt.state.timeline.update(|t| change(t));
        }
    }

    fn settled(&self, settled: Settled) {
        if let Some(rt) = self.rt.get() {
            let mut model = rt.model();
            let effects = reduce::settled(&mut model, settled);
            rt.finish(model, effects);
        }
    }

    fn state(&self, state: ConnectionState) {
        if let Some(rt) = self.rt.get() {
            rt.state.connection.set(state);
        }
    }

    fn disconnected(&self) {
        if let Some(rt) = self.rt.get() {
            rt.state.agent_typing.set(None);
        }
    }

    fn unauthorized(&self) {
        // The server no longer knows this token (e.g. a fresh database): start afresh.
        let Some(rt) = self.rt.get() else { return };
        any_spawner::Executor::spawn_local(async move {
            rt.storage.clone().remove(TOKEN_KEY);
            rt.token.replace(None);
            let token = rt.ensure_token().await;
            rt.realtime.connect(token);
        });
    }
}

/// Starts everything on the store `startup` chose, in `slot`: call once, inside the app's
/// reactive owner. The loader's messages reach [`Runtime::on_host`] through `startup`.
pub fn start(slot: RuntimeHandle, state: ChatState, keeping: Keeping) -> &'static Runtime {
    state.memory_only.set(!keeping.persistent);
    let rt = slot.0.get_or_init(|| Runtime {
        state,
        realtime: Realtime::one_per_browser(
            Socket::same_origin_url(),
            OUTBOX_PREFIX,
            keeping.storage.clone(),
            keeping.locks.clone(),
            std::rc::Rc::new(Handler { rt: slot }),
            SOCKET_CHANNEL,
        ),
        storage: keeping.storage,
        tabs: RefCell::new(None),
        token: RefCell::new(None),
        pending_identify: RefCell::new(None),
        held: RefCell::default(),
        typing_on: Cell::new(false),
        typing_sent_at: Cell::new(0.0),
        typing_scheduled: Cell::new(false),
        named_by_page: Cell::new(false),
        loading_older: Cell::new(false),
        sound: Sound::default(),
    });

    let tabs = TabChannel::open(CHANNEL, move |text| {
        // Another version of the app may post notes this one does not know.
        if let Some(note) = TabNote::read(&text) {
            rt.on_tab_note(note);
        }
    });
    rt.tabs.replace(tabs);
    rt.sound.claim_leadership(&keeping.locks);
    rt.load_outbox();
    watch_outbox_writes(rt);
    watch_visibility(state);
    install_effects(rt);
    any_spawner::Executor::spawn_local(async move {
        let token = rt.ensure_token().await;
        rt.realtime.connect(token.clone());
        rt.introduce(&token).await;
        rt.load_latest_conversation(&token).await;
        if !rt.named_by_page.get() {
            rt.state
                .prechat
                .set(rt.state.config.with_value(|c| c.prechat));
        }
    });
    rt
}

/// Another tab's outbox write in this frame's own storage: the tab holding the socket sends
/// it. Its note may arrive before the write reaches this tab's copy of the storage, so the
/// write itself is acted on too (the host page's storage reports through `Changed`).
fn watch_outbox_writes(rt: &'static Runtime) {
    if let Some(w) = web_sys::window() {
        crate::dom::on(&w, "storage", move |event| {
            let key = js_sys::Reflect::get(&event, &"key".into()).ok();
            if let Some(key) = key.and_then(|k| k.as_string()) {
                rt.on_store_changed(&key);
            }
        });
    }
}

fn watch_visibility(state: ChatState) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let read = {
        let document = document.clone();
        move || document.visibility_state() == web_sys::VisibilityState::Visible
    };
    state.visible.set(read());
    crate::dom::on(&document, "visibilitychange", move |_| {
        state.visible.set(read())
    });
}

/// Marks messages read while the panel is open and visible, and keeps the loader's badge
/// and "returning visitor" flag current.
fn install_effects(rt: &'static Runtime) {
    let state = rt.state;
    Effect::new(move |_| {
        let shown = state.open.get() && state.visible.get();
        let online = state.connection.get() == ConnectionState::Online;
        // Read only as far as every message is here: never past a gap.
        let last = state.timeline.with(Timeline::resume_seq);
        let read = state.read_seq();
        let conversation = state.conversation.with(|c| c.as_ref().map(|c| c.id));
        if let (true, true, Some(id)) = (shown, online && last > read, conversation) {
            rt.mark_read(id, last);
        }
    });
    Effect::new(move |previous: Option<(u32, bool)>| {
        let now = (state.unread(), state.conversation.with(Option::is_some));
        if previous != Some(now) {
            let (origin, title) = state
                .config
                .with_value(|c| (c.host_origin.clone(), c.title.clone()));
            let args = [("title", title.as_str())];
            let closed = match now.0 {
                0 => tf("launcher.open", &args),
                n => tn("launcher.open_unread", n, &args),
            };
            let open = tf("launcher.close", &args);
            host::post(
                origin.as_deref(),
                &ToHost::State {
                    unread: now.0,
                    has_conversation: now.1,
                    labels: [closed, open, title],
                },
            );
        }
        now
    });
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

impl Runtime {
    pub fn tell_tabs(&self, note: &TabNote) {
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            tabs.post(&note.text());
        }
    }

    fn on_tab_note(&'static self, note: TabNote) {
        match note {
            TabNote::OutboxChanged => self.outbox_changed(),
            // Another tab's page ended the session: this page starts again as a stranger.
            TabNote::Forgotten => {
                self.realtime.shutdown();
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
            TabNote::Read {
                conversation_id,
                seq,
            } => {
                let mut model = self.model();
                let effects = reduce::read_up_to(&mut model, conversation_id, seq);
                self.finish(model, effects);
            }
        }
    }

    /// Another tab added, sent or settled outbox entries.
    fn outbox_changed(&'static self) {
        self.load_outbox();
        self.realtime.outbox_changed();
    }

    /// Another tab changed `key` in the host page's storage (the mirror is updated). The
    /// tab's note may have arrived before the change itself: this is the one to act on.
    pub(crate) fn on_store_changed(&'static self, key: &str) {
        if key.starts_with(OUTBOX_PREFIX) {
            self.outbox_changed();
        }
    }

    /// The host page refused to keep a write: what is on screen is not kept beyond this
    /// page, and the visitor is told so.
    pub(crate) fn store_failed(&self, reason: &str) {
        self.state.memory_only.set(true);
        self.state
            .notice
            .set(Some(tf("notice.kept_in_memory", &[("reason", reason)])));
    }

    /// A command from the loader (open, close, identify).
    pub(crate) fn on_host(&'static self, command: FromHost) {
        match command {
            FromHost::Open { focus } => {
                self.state.open.set(true);
                if focus {
                    focus_composer();
                }
            }
            FromHost::Close => self.state.open.set(false),
            FromHost::Forget => self.forget(),
            FromHost::Page { url } => {
                // Later sessions start from the page the visitor is on now.
                self.state
                    .config
                    .update_value(|c| c.page_url = Some(url.clone()));
                if let Some(token) = self.token() {
                    let update = UpdateVisitorRequest {
                        page_url: Some(url),
                        ..Default::default()
                    };
                    patch_visitor(token, update);
                }
            }
            // Storage and lock answers are handled by `startup` and `host_store`.
            FromHost::Store { .. }
            | FromHost::Changed { .. }
            | FromHost::StoreFailed { .. }
            | FromHost::Locked { .. } => {}
            FromHost::Identify {
                name,
                email,
                user_id,
                user_hash,
            } => {
                // The site named the visitor: no need to ask (even when this races the
                // start, which offers the pre-chat form).
                if name.is_some() || email.is_some() {
                    self.named_by_page.set(true);
                    self.state.prechat.set(false);
                }
                let update = UpdateVisitorRequest {
                    name,
                    email,
                    page_url: None,
                    user_id,
                    user_hash,
                    time_zone: None,
                };
                match self.token() {
                    Some(token) => patch_visitor(token, update),
                    // Sent once the visitor exists (see `introduce`).
                    None => _ = self.pending_identify.replace(Some(update)),
                }
            }
        }
    }

    /// Ends the visitor's session in this browser (`Tidings('shutdown')`, e.g. at the site's
    /// logout): the token and any unsent message belong to the person leaving, so they
    /// go from storage, other tabs drop what they show, and the next visitor on this
    /// computer starts as a stranger.
    /// The server is asked to end the token too (so a copy of it opens nothing), before
    /// the loader is told and removes this frame; the loader does not wait more than a few
    /// seconds for that, so an unreachable server delays nothing.
    fn forget(&'static self) {
        self.realtime.shutdown();
        let mut storage = self.storage.clone();
        for key in storage.keys() {
            if key == TOKEN_KEY || key.starts_with(OUTBOX_PREFIX) {
                storage.remove(&key);
            }
        }
        let token = self.token.replace(None);
        let mut model = self.model();
        let effects = reduce::forgotten(&mut model);
        self.finish(model, effects);
        self.tell_tabs(&TabNote::Forgotten);
        let origin = self.state.config.with_value(|c| c.host_origin.clone());
        any_spawner::Executor::spawn_local(async move {
            if let Some(token) = token {
                let _ = api::end_visitor_token(&token).await;
            }
            host::post(origin.as_deref(), &ToHost::Forgotten);
        });
    }

    fn mark_read(&'static self, conversation_id: Uuid, seq: u64) {
        let sent = self.realtime.send_frame(&ClientFrame::Read {
            conversation_id,
            seq,
        });
        if sent {
            let mut model = self.model();
            let effects = reduce::read_up_to(&mut model, conversation_id, seq);
            self.finish(model, effects);
            self.tell_tabs(&TabNote::Read {
                conversation_id,
                seq,
            });
        }
    }
}

/// Moves keyboard focus into the composer (the panel just opened).
pub fn focus_composer() {
    crate::dom::later(0, || {
        let input = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector("[data-testid=composer-input]")
                    .ok()
                    .flatten()
            })
            .map(|e| e.unchecked_into::<web_sys::HtmlElement>());
        if let Some(input) = input {
            let _ = input.focus();
        }
    });
}

/// Sends the visitor's new details in the background (one future type for every caller,
/// which keeps the open widget small).
fn patch_visitor(token: String, update: UpdateVisitorRequest) {
    any_spawner::Executor::spawn_local(async move {
        let _ = api::update_visitor(&token, &update).await;
    });
}
