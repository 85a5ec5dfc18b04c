//! How many sockets one client may hold, and one rate for all of a visitor's or an agent's
//! sockets.
//!
//! Two caps: per client address (counted from the upgrade, so sockets that never
//! authenticate count too) and per visitor or agent (counted once `auth` names them). Each
//! open socket holds a slot that gives its place back when dropped, whatever ends the
//! socket. The sockets of one visitor or agent on this node share one token bucket, so
//! opening more sockets buys no more frames per second.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use super::rate::TokenBucket;

/// The counts of one node.
#[derive(Debug, Default)]
pub struct SocketCaps {
    inner: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    by_address: HashMap<IpAddr, u32>,
    by_peer: HashMap<String, (u32, Arc<Mutex<TokenBucket>>)>,
}

/// A socket's place in its address's count.
#[derive(Debug)]
pub struct AddressSlot {
    caps: Arc<SocketCaps>,
    address: IpAddr,
}

/// A socket's place in its visitor's or agent's count, with their shared bucket.
#[derive(Debug)]
pub struct PeerSlot {
    caps: Arc<SocketCaps>,
    peer: String,
    pub bucket: Arc<Mutex<TokenBucket>>,
}

impl SocketCaps {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a new socket from `address`, unless it already holds `cap` (0: no cap).
    pub fn enter_address(self: &Arc<Self>, address: IpAddr, cap: u32) -> Option<AddressSlot> {
        let address = crate::ip_limit::key(address);
        let mut counts = self.lock();
        let count = counts.by_address.entry(address).or_insert(0);
        if cap != 0 && *count >= cap {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            caps: self.clone(),
            address,
        })
    }

    /// A slot for a socket of `peer` (a visitor's or agent's key), unless they already hold
    /// `cap` (0: no cap); the bucket is shared by all of the peer's sockets.
    pub fn enter_peer(
        self: &Arc<Self>,
        peer: String,
        cap: u32,
        bucket: impl FnOnce() -> TokenBucket,
    ) -> Option<PeerSlot> {
        let mut counts = self.lock();
        let (count, shared) = counts
            .by_peer
            .entry(peer.clone())
            .or_insert_with(|| (0, Arc::new(Mutex::new(bucket()))));
        if cap != 0 && *count >= cap {
            if *count == 0 {
                counts.by_peer.remove(&peer);
            }
            return None;
        }
        *count += 1;
        let bucket = shared.clone();
        Some(PeerSlot {
            caps: self.clone(),
            peer,
            bucket,
        })
    }

    /// Sockets counted for an address now.
    pub fn address_count(&self, address: IpAddr) -> u32 {
        let address = crate::ip_limit::key(address);
        self.lock().by_address.get(&address).copied().unwrap_or(0)
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut counts = self.caps.lock();
        if let Some(count) = counts.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.by_address.remove(&self.address);
            }
        }
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut counts = self.caps.lock();
        if let Some((count, _)) = counts.by_peer.get_mut(&self.peer) {
            *count -= 1;
            if *count == 0 {
                counts.by_peer.remove(&self.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{SocketCaps, TokenBucket};

    #[test]
    fn slots_are_given_back_when_dropped_and_peers_share_one_bucket() {
        let caps = Arc::new(SocketCaps::default());
        let ip = "10.0.0.1".parse().unwrap();
        let a = caps.enter_address(ip, 2).unwrap();
        let b = caps.enter_address(ip, 2).unwrap();
        assert!(caps.enter_address(ip, 2).is_none());
        drop(a);
        let c = caps.enter_address(ip, 2).unwrap();
        drop((b, c));
        assert_eq!(caps.address_count(ip), 0);

        let first = caps
            .enter_peer("v:1".into(), 2, || TokenBucket::new(1, 2))
            .unwrap();
        let second = caps
            .enter_peer("v:1".into(), 2, || TokenBucket::new(1, 2))
            .unwrap();
        assert!(caps
            .enter_peer("v:1".into(), 2, || TokenBucket::new(1, 2))
            .is_none());
        assert!(first.bucket.lock().unwrap().try_take());
        assert!(second.bucket.lock().unwrap().try_take());
        assert!(
            !first.bucket.lock().unwrap().try_take(),
            "one bucket for both"
        );
    }
}
