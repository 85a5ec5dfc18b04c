//! Per-IP limits on the two unauthenticated endpoints that cost something: creating a
//! visitor (a database row each) and agent login (an argon2 hash each, and password
//! guessing). A token bucket per peer address: `per_minute` requests in a burst, refilled at
//! `per_minute` a minute; `0` disables the limit. Over the limit: 429 `rate_limited` with
//! `Retry-After`.
//!
//! The address is the TCP peer's, or behind a trusted reverse proxy the client it names
//! (see [`crate::client_address`]). IPv6 clients are keyed by their /64, since one host
//! commonly holds a whole /64.
//!
//! The same bucket keyed by something else ([`Limiter`]) limits HTTP writes per token, and
//! with a single key ([`Node`]) new visitors on the whole node: per-address limits do not stop
//! a flood from many addresses, which would otherwise fill the agents' queue.

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use tidings_protocol::ErrorCode;

use crate::error::Error;
use crate::AppState;

/// Buckets kept before full (idle) ones are forgotten, so memory stays bounded. After a
/// prune the next one waits until the map has doubled, so pruning stays cheap on average
/// even when many addresses are busy at once.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// One limit: a token bucket per key (a client address, a token's hash).
#[derive(Debug)]
pub struct Limiter<K> {
    per_minute: u32,
    buckets: Mutex<Buckets<K>>,
}

/// A token bucket per client address.
pub type IpLimiter = Limiter<IpAddr>;

#[derive(Debug)]
struct Buckets<K> {
    by_address: HashMap<K, Bucket>,
    prune_at: usize,
}

impl<K: Hash + Eq + Clone + Keyed> Limiter<K> {
    pub fn new(per_minute: u32) -> Self {
        Limiter {
            per_minute,
            buckets: Mutex::new(Buckets {
                by_address: HashMap::new(),
                prune_at: PRUNE_ABOVE,
            }),
        }
    }

    /// Takes a token for `ip` now; `Err(wait)` says how long until one is available.
    pub fn check(&self, ip: K) -> Result<(), Duration> {
        self.check_at(ip, Instant::now())
    }

    /// [`Limiter::check`] at a given instant (tests drive time by hand).
    pub fn check_at(&self, ip: K, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let refilled = |b: &Bucket| {
            let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
            (b.tokens + elapsed * per_second).min(capacity)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.by_address.len() >= buckets.prune_at {
            buckets.by_address.retain(|_, b| refilled(b) < capacity);
            buckets.prune_at = PRUNE_ABOVE.max(2 * buckets.by_address.len());
        }
        let bucket = buckets.by_address.entry(ip.bucket_key()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let tokens = refilled(bucket);
        bucket.updated = now;
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            Ok(())
        } else {
            bucket.tokens = tokens;
            Err(Duration::from_secs_f64((1.0 - tokens) / per_second))
        }
    }

    /// Addresses currently tracked.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().map(|b| b.by_address.len()).unwrap_or(0)
    }
}

/// What a key counts against (an address: its bucket's address; anything else: itself).
pub trait Keyed {
    fn bucket_key(self) -> Self;
}

impl Keyed for String {
    fn bucket_key(self) -> Self {
        self
    }
}

/// The one key of a node-wide limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Node;

impl Keyed for Node {
    fn bucket_key(self) -> Self {
        self
    }
}

impl Keyed for IpAddr {
    fn bucket_key(self) -> Self {
        key(self)
    }
}

/// The bucket an address counts against: IPv4 as is, IPv6 by its /64.
pub fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The limits of one server.
#[derive(Debug)]
pub struct IpLimits {
    pub visitor_create: IpLimiter,
    /// New visitors on this node, from every address together.
    pub visitor_create_global: Limiter<Node>,
    pub login: IpLimiter,
    /// HTTP writes, per token (or per address for requests without one).
    pub http_writes: Limiter<String>,
}

impl IpLimits {
    pub fn new(
        visitor_create_per_minute: u32,
        visitor_create_global_per_minute: u32,
        login_per_minute: u32,
        http_writes_per_minute: u32,
    ) -> Self {
        IpLimits {
            visitor_create: IpLimiter::new(visitor_create_per_minute),
            visitor_create_global: Limiter::new(visitor_create_global_per_minute),
            login: IpLimiter::new(login_per_minute),
            http_writes: Limiter::new(http_writes_per_minute),
        }
    }
}

/// The 429 answer: what was limited, when to retry (also in `Retry-After`).
pub fn too_many(what: &str, by: &str, wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let error = Error::client(
        ErrorCode::RateLimited,
        format!("too many {what} from this {by}; try again in {seconds} s"),
    );
    retry_later(error, wait)
}

/// The 429 answer of a node-wide limit.
pub fn too_many_on_node(what: &str, wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let error = Error::client(
        ErrorCode::RateLimited,
        format!("too many {what} on this server right now; try again in {seconds} s"),
    );
    retry_later(error, wait)
}

/// Which limit an endpoint counts against.
pub trait Limit {
    /// What is being limited, for the error message.
    const WHAT: &'static str;
    fn limiter(limits: &IpLimits) -> &IpLimiter;
    /// A node-wide limit checked once the address's allows the request.
    fn node_limiter(_limits: &IpLimits) -> Option<&Limiter<Node>> {
        None
    }
}

/// `POST /v1/visitors`.
pub struct VisitorCreation;

impl Limit for VisitorCreation {
    const WHAT: &'static str = "new visitors";
    fn limiter(limits: &IpLimits) -> &IpLimiter {
        &limits.visitor_create
    }
    fn node_limiter(limits: &IpLimits) -> Option<&Limiter<Node>> {
        Some(&limits.visitor_create_global)
    }
}

/// `POST /v1/agents/login`.
pub struct Login;

impl Limit for Login {
    const WHAT: &'static str = "login attempts";
    fn limiter(limits: &IpLimits) -> &IpLimiter {
        &limits.login
    }
}

/// An extractor that admits the request under limit `L`, before its body is read.
pub struct WithinIpLimit<L>(PhantomData<L>);

impl<L: Limit> FromRequestParts<AppState> for WithinIpLimit<L> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // Served without connect info (not the binary, not the tests) everyone shares one
        // bucket: stricter, never open.
        let ip = crate::client_address::of_parts(parts, &state.settings.trusted_proxies);
        if let Err(wait) = L::limiter(&state.ip_limits).check(ip) {
            return Err(too_many(L::WHAT, "address", wait));
        }
        match L::node_limiter(&state.ip_limits).map(|l| l.check(Node)) {
            Some(Err(wait)) => Err(too_many_on_node(L::WHAT, wait)),
            _ => Ok(WithinIpLimit(PhantomData)),
        }
    }
}

/// `error` as a response with `Retry-After` (whole seconds, at least one).
pub fn retry_later(error: Error, wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_then_refill_at_the_minute_rate() {
        let limiter = IpLimiter::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(ip("10.0.0.1"), t0).is_ok());
        }
        let wait = limiter.check_at(ip("10.0.0.1"), t0).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20));
        // Another address has its own bucket.
        assert!(limiter.check_at(ip("10.0.0.2"), t0).is_ok());
        // One token comes back every 20 s.
        let later = t0 + Duration::from_secs(20);
        assert!(limiter.check_at(ip("10.0.0.1"), later).is_ok());
        assert!(limiter.check_at(ip("10.0.0.1"), later).is_err());
    }

    #[test]
    fn zero_disables() {
        let limiter = IpLimiter::new(0);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(limiter.check_at(ip("10.0.0.1"), t0).is_ok());
        }
        assert_eq!(limiter.tracked(), 0);
    }

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_v4_as_v4() {
        let limiter = IpLimiter::new(1);
        let t0 = Instant::now();
        assert!(limiter.check_at(ip("2001:db8:1:2::1"), t0).is_ok());
        assert!(limiter.check_at(ip("2001:db8:1:2::ffff"), t0).is_err());
        assert!(limiter.check_at(ip("2001:db8:1:3::1"), t0).is_ok());
        assert!(limiter.check_at(ip("10.0.0.9"), t0).is_ok());
        assert!(limiter.check_at(ip("::ffff:10.0.0.9"), t0).is_err());
    }

    #[test]
    fn idle_buckets_are_forgotten_when_many_are_tracked() {
        let limiter = IpLimiter::new(60);
        let t0 = Instant::now();
        for i in 0..PRUNE_ABOVE as u32 {
            let _ = limiter.check_at(IpAddr::from((i + 1).to_be_bytes()), t0);
        }
        assert_eq!(limiter.tracked(), PRUNE_ABOVE);
        // A minute later every bucket is full again, so they all go.
        let _ = limiter.check_at(ip("10.9.9.9"), t0 + Duration::from_secs(60));
        assert_eq!(limiter.tracked(), 1);
    }
}
