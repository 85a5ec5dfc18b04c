//! The host page's storage and locks, lent to the app by the loader, for a frame that has
//! none of its own: a cross-site iframe where the browser blocks third-party storage gets
//! `SecurityError` from `localStorage` and Web Locks alike.
//!
//! The loader runs first-party in the host page, so it may keep data there. It keeps the
//! app's keys under its own namespace (`tidings:<server origin>:<key>`) and sends them
//! all when the app starts (`FromHost::Store`). The app then reads from an in-memory
//! mirror of them and writes through to the loader (`ToHost::Set` / `Remove`), so the
//! outbox's synchronous [`Storage`] stays synchronous. Other tabs' writes come back
//! through the host's `storage` event (`FromHost::Changed`). Locks are taken by the
//! loader with the host page's Web Locks (`ToHost::Lock`, answered by `Locked`), and a
//! tab's locks go with its host page when it closes.
//!
//! The trade-offs (what the host page's own scripts can see) are in docs/ARCHITECTURE.md.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use tidings_client::web::tabs::{LockGuard, Locks};
use tidings_client::{MemoryStorage, SharedStorage, Storage, StorageError};

use crate::host::{self, ToHost};

type Acquired = Box<dyn FnOnce(LockGuard)>;

struct Inner {
    origin: String,
    mirror: RefCell<MemoryStorage>,
    next_lock: Cell<u32>,
    waiting: RefCell<Vec<(u32, Acquired)>>,
}

/// The app's end of the loader's storage and locks. Cheap to clone.
#[derive(Clone)]
pub struct HostStore {
    inner: Rc<Inner>,
}

impl HostStore {
    /// Talks to the loader at `host_origin` (already checked by `host::listen`).
    pub fn new(host_origin: String) -> HostStore {
        HostStore {
            inner: Rc::new(Inner {
                origin: host_origin,
                mirror: RefCell::default(),
                // Ids start at random: after the frame reloads, the loader may still answer
                // the document before it (a request of its granted late). Such an answer must
                // not match one of ours, so that `locked` gives it back.
                next_lock: Cell::new((js_sys::Math::random() * 1e9) as u32),
                waiting: RefCell::default(),
            }),
        }
    }

    fn post(&self, message: &ToHost) {
        host::post(Some(&self.inner.origin), message);
    }

    /// Takes the loader's snapshot of the keys it keeps for us.
    pub fn fill(&self, items: Vec<(String, String)>) {
        let mut mirror = self.inner.mirror.borrow_mut();
        *mirror = MemoryStorage::default();
        for (key, value) in items {
            let _ = mirror.set(&key, &value);
        }
    }

    /// Another tab changed `key` (seen by the host page's `storage` event).
    pub fn changed(&self, key: &str, value: Option<&str>) {
        let mut mirror = self.inner.mirror.borrow_mut();
        match value {
            Some(value) => _ = mirror.set(key, value),
            None => mirror.remove(key),
        }
    }

    /// The store the outbox and the token use: the mirror, written through to the host.
    pub fn storage(&self) -> SharedStorage {
        SharedStorage::new(HostStorage {
            store: self.clone(),
        })
    }

    /// Locks taken for us by the loader in the host page.
    pub fn locks(&self) -> Locks {
        let store = self.clone();
        Locks::provided_by(move |name, on_acquired| store.request_lock(name, on_acquired))
    }

    fn request_lock(&self, name: &str, on_acquired: Acquired) {
        let id = self.inner.next_lock.get();
        self.inner.next_lock.set(id.wrapping_add(1));
        self.inner.waiting.borrow_mut().push((id, on_acquired));
        self.post(&ToHost::Lock {
            name: name.to_owned(),
            id,
        });
    }

    /// The loader holds lock `id` for us: hand the guard to whoever asked.
    pub fn locked(&self, id: u32) {
        let found = {
            let mut waiting = self.inner.waiting.borrow_mut();
            let at = waiting.iter().position(|(w, _)| *w == id);
            at.map(|at| waiting.remove(at).1)
        };
        let Some(on_acquired) = found else {
            // Not ours (a stale answer): give it straight back.
            self.post(&ToHost::Unlock { id });
            return;
        };
        let store = self.clone();
        on_acquired(LockGuard::new(move || store.post(&ToHost::Unlock { id })));
    }
}

/// The mirror as a [`Storage`]: reads are local, writes also go to the host page.
struct HostStorage {
    store: HostStore,
}

impl Storage for HostStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.store.inner.mirror.borrow().get(key)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        self.store.inner.mirror.borrow_mut().set(key, value)?;
        self.store.post(&ToHost::Set {
            key: key.to_owned(),
            value: value.to_owned(),
        });
        Ok(())
    }

    fn remove(&mut self, key: &str) {
        self.store.inner.mirror.borrow_mut().remove(key);
        self.store.post(&ToHost::Remove {
            key: key.to_owned(),
        });
    }

    fn keys(&self) -> Vec<String> {
        self.store.inner.mirror.borrow().keys()
    }
}
