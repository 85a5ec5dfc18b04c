//! `localStorage` as an outbox [`Storage`], one key per message.
//!
//! `localStorage` can be missing or throw (storage blocked for third-party frames,
//! private modes, quota). Reads then see nothing and writes fail with a clear
//! [`StorageError`], so the caller can tell the person the message was not kept.

use crate::outbox::{Storage, StorageError};

/// The page's `localStorage`, if the browser lets us have it.
#[derive(Clone)]
pub struct LocalStorage {
    inner: Option<web_sys::Storage>,
}

impl Default for LocalStorage {
    fn default() -> Self {
        Self::new()
    }
}

impl LocalStorage {
    pub fn new() -> Self {
        let inner = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        LocalStorage { inner }
    }

    /// Whether `localStorage` is there at all.
    pub fn is_available(&self) -> bool {
        self.inner.is_some()
    }

    /// Whether this document may really keep data: a probe key is written and removed.
    /// A cross-site frame without storage access throws on the getter (so there is no
    /// store), and some private modes give a store that refuses every write.
    pub fn is_writable(&self) -> bool {
        const PROBE: &str = "tidings.probe";
        let Some(store) = &self.inner else {
            return false;
        };
        let written = store.set_item(PROBE, "1").is_ok();
        let _ = store.remove_item(PROBE);
        written
    }
}

impl Storage for LocalStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.inner.as_ref()?.get_item(key).ok().flatten()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        let store = self
            .inner
            .as_ref()
            .ok_or_else(|| StorageError("localStorage is not available".into()))?;
        store.set_item(key, value).map_err(|e| {
            StorageError(
                e.as_string()
                    .or_else(|| js_sys::Error::from(e).message().as_string())
                    .unwrap_or_else(|| "write refused".into()),
            )
        })
    }

    fn remove(&mut self, key: &str) {
        if let Some(store) = &self.inner {
            let _ = store.remove_item(key);
        }
    }

    fn keys(&self) -> Vec<String> {
        let Some(store) = &self.inner else {
            return Vec::new();
        };
        let len = store.length().unwrap_or(0);
        (0..len)
            .filter_map(|i| store.key(i).ok().flatten())
            .collect()
    }
}
