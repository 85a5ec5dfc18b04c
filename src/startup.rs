//! Starting the widget where it may keep things: it looks at what this context allows
//! before the runtime starts, and never throws on a missing capability.
//!
//! 1. Its own `localStorage` takes a probe write: the visitor's token and outbox live there
//!    and its own Web Locks coordinate the tabs (standalone, same-site, or a browser that
//!    partitions third-party storage instead of blocking it).
//! 2. Otherwise, embedded by the loader, it asks for the host page's storage and locks
//!    (`host_store`), which the loader answers before anything else.
//! 3. If the host page cannot keep data either (or an old loader does not answer), it
//!    keeps everything in memory: it works, loses nothing while the page stays open, and
//!    says so quietly in the panel.
//!
//! Until the runtime starts, the loader's other commands (open, identify) are held back
//! and then handled in order.

use std::cell::RefCell;
use std::rc::Rc;

use reactive_graph::owner::Owner;
use reactive_graph::prelude::*;
use tidings_client::web::storage::LocalStorage;
use tidings_client::web::tabs::Locks;
use tidings_client::{MemoryStorage, SharedStorage};

use crate::dom::later;
use crate::host::{self, FromHost, ToHost};
use crate::host_store::HostStore;
use crate::runtime::{self, Keeping, RuntimeHandle};
use crate::state::ChatState;

/// How long to wait for the loader's storage before keeping things in memory. The
/// loader answers at once; only one that does not know the request stays silent.
const STORE_ANSWER_MS: i32 = 3_000;

/// What happened before the runtime could start.
#[derive(Default)]
struct Boot {
    started: bool,
    early: Vec<FromHost>,
}

/// Chooses the store, starts the runtime on it (in `slot`), and wires the loader's messages.
pub fn begin(state: ChatState, slot: RuntimeHandle) {
    let host_origin = state.config.with_value(|c| c.host_origin.clone());
    let own = LocalStorage::new();
    let own_works = own.is_writable();
    let owner = Owner::current();
    let boot: Rc<RefCell<Boot>> = Rc::default();
    let start = {
        let boot = boot.clone();
        move |keeping: Keeping| {
            if std::mem::replace(&mut boot.borrow_mut().started, true) {
                return;
            }
            let run = || runtime::start(slot, state, keeping);
            let rt = match &owner {
                Some(owner) => owner.with(run),
                None => run(),
            };
            let early = std::mem::take(&mut boot.borrow_mut().early);
            for command in early {
                rt.on_host(command);
            }
        }
    };
    let own_keeping = move || Keeping {
        storage: SharedStorage::new(own.clone()),
        locks: Locks::browser(),
        persistent: true,
    };

    let Some(origin) = host_origin else {
        start(if own_works {
            own_keeping()
        } else {
            in_memory(Locks::browser())
        });
        return;
    };

    let store = HostStore::new(origin.clone());
    let on_command = {
        let (boot, store, start) = (boot.clone(), store.clone(), start.clone());
        move |command: FromHost| match command {
            FromHost::Store { ok, items } => {
                if own_works {
                    return;
                }
                if ok {
                    store.fill(items);
                    start(Keeping {
                        storage: store.storage(),
                        locks: store.locks(),
                        persistent: true,
                    });
                } else {
                    start(in_memory(store.locks()));
                }
            }
            FromHost::Changed { key, value } => {
                store.changed(&key, value.as_deref());
                if let Some(rt) = slot.get() {
                    rt.on_store_changed(&key);
                }
            }
            FromHost::Locked { id } => store.locked(id),
            FromHost::StoreFailed { reason } => {
                if let Some(rt) = slot.get() {
                    rt.store_failed(&reason);
                }
            }
            command => match slot.get() {
                Some(rt) => rt.on_host(command),
                None => boot.borrow_mut().early.push(command),
            },
        }
    };
    host::listen(Some(origin.clone()), on_command);
    if own_works {
        start(own_keeping());
        host::post(Some(&origin), &ToHost::Ready { store: false });
        return;
    }
    host::post(Some(&origin), &ToHost::Ready { store: true });
    // Locks still work through a loader that cannot store; without an answer there is
    // no loader that knows how, so this document's own locks (granted at once if refused).
    later(STORE_ANSWER_MS, move || start(in_memory(Locks::browser())));
}

fn in_memory(locks: Locks) -> Keeping {
    Keeping {
        storage: SharedStorage::new(MemoryStorage::default()),
        locks,
        persistent: false,
    }
}
