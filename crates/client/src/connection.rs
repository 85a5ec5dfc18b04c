//! Connection status and heartbeat bookkeeping, as plain logic the socket glue drives.
//!
//! The status shown to people (`connection-status`, SPEC 4.6) combines what the browser
//! says (`navigator.onLine`) with what the socket knows: only an authenticated socket is
//! online. The heartbeat decides when to ping and when a silent connection is dead —
//! the only way to notice a half-open socket, which still looks open to the browser.

use tidings_protocol::limits::{HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS};

/// A connection attempt that has not been authenticated within this time is abandoned.
pub const CONNECT_TIMEOUT_MS: u64 = 10_000;

/// What the UI shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Authenticated socket: messages go out now.
    Online,
    /// First attempt after start or after the browser came back online, in progress.
    Connecting,
    /// The browser is offline, or the socket is down and will be retried.
    Offline,
}

impl ConnectionState {
    /// The `data-state` value of the UI contract.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Online => "online",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Offline => "offline",
        }
    }

    /// Derives the state. `failures` counts attempts failed since the last success (or
    /// since the browser came back online): the first attempt shows as connecting, a
    /// lost or refused connection as offline until one succeeds.
    pub fn derive(browser_online: bool, authenticated: bool, failures: u32) -> Self {
        if !browser_online {
            ConnectionState::Offline
        } else if authenticated {
            ConnectionState::Online
        } else if failures == 0 {
            ConnectionState::Connecting
        } else {
            ConnectionState::Offline
        }
    }
}

/// What the heartbeat wants done at a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatAction {
    Nothing,
    /// Send a `ping` now.
    Ping,
    /// Nothing heard for too long: drop this socket and reconnect.
    Dead,
}

/// Heartbeat timing of one socket. Times are milliseconds from any monotonic-ish clock.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    interval_ms: u64,
    timeout_ms: u64,
    last_received: f64,
    last_ping: f64,
}

impl Heartbeat {
    /// A socket being opened: it must be authenticated within [`CONNECT_TIMEOUT_MS`].
    pub fn connecting(now: f64) -> Self {
        Heartbeat {
            interval_ms: HEARTBEAT_INTERVAL_MS,
            timeout_ms: CONNECT_TIMEOUT_MS,
            last_received: now,
            last_ping: now,
        }
    }

    /// Authenticated: use the server's timing from `hello` (zeros mean the defaults).
    /// The timeout is kept at least two intervals so one late pong is not fatal.
    pub fn established(&mut self, now: f64, interval_ms: u64, timeout_ms: u64) {
        let interval = if interval_ms == 0 {
            HEARTBEAT_INTERVAL_MS
        } else {
            interval_ms
        };
        let timeout = if timeout_ms == 0 {
            HEARTBEAT_TIMEOUT_MS
        } else {
            timeout_ms
        };
        self.interval_ms = interval;
        self.timeout_ms = timeout.max(interval * 2);
        self.last_received = now;
        self.last_ping = now;
    }

    /// Any frame from the server proves the connection alive.
    pub fn received(&mut self, now: f64) {
        self.last_received = now;
    }

    pub fn interval_ms(&self) -> u64 {
        self.interval_ms
    }

    /// Call regularly (about once a second); says whether to ping or give up.
    pub fn tick(&mut self, now: f64) -> HeartbeatAction {
        if now - self.last_received >= self.timeout_ms as f64 {
            HeartbeatAction::Dead
        } else if now - self.last_ping >= self.interval_ms as f64 {
            self.last_ping = now;
            HeartbeatAction::Ping
        } else {
            HeartbeatAction::Nothing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_combines_browser_and_socket() {
        use ConnectionState::*;
        assert_eq!(ConnectionState::derive(false, true, 0), Offline);
        assert_eq!(ConnectionState::derive(true, true, 3), Online);
        assert_eq!(ConnectionState::derive(true, false, 0), Connecting);
        assert_eq!(ConnectionState::derive(true, false, 1), Offline);
        assert_eq!(Online.as_str(), "online");
    }

    #[test]
    fn pings_every_interval_and_declares_silence_dead_within_the_timeout() {
        let mut hb = Heartbeat::connecting(0.0);
        hb.established(0.0, 10_000, 30_000);
        assert_eq!(hb.tick(5_000.0), HeartbeatAction::Nothing);
        assert_eq!(hb.tick(10_000.0), HeartbeatAction::Ping);
        assert_eq!(hb.tick(11_000.0), HeartbeatAction::Nothing);
        hb.received(12_000.0);
        assert_eq!(hb.tick(20_000.0), HeartbeatAction::Ping);
        assert_eq!(hb.tick(41_999.0), HeartbeatAction::Ping);
        assert_eq!(hb.tick(42_000.0), HeartbeatAction::Dead);
    }

    #[test]
    fn an_unanswered_connect_is_abandoned() {
        let mut hb = Heartbeat::connecting(1_000.0);
        assert_eq!(hb.tick(5_000.0), HeartbeatAction::Nothing);
        assert_eq!(
            hb.tick(1_000.0 + CONNECT_TIMEOUT_MS as f64),
            HeartbeatAction::Dead
        );
    }

    #[test]
    fn zero_or_tiny_server_timings_fall_back_to_sane_values() {
        let mut hb = Heartbeat::connecting(0.0);
        hb.established(0.0, 0, 0);
        assert_eq!(hb.interval_ms(), HEARTBEAT_INTERVAL_MS);
        hb.established(0.0, 10_000, 1);
        assert_eq!(hb.tick(19_999.0), HeartbeatAction::Ping);
        assert_eq!(hb.tick(20_000.0), HeartbeatAction::Dead);
    }
}
