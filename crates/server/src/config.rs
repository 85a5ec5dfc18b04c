//! Runtime settings of a serving node: the `serve` command's flags (each also read from a
//! `TIDINGS_*` environment variable) and the plain [`Settings`] the app is built from, which
//! tests construct directly with short heartbeats.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use tidings_protocol::limits;

use crate::identity::{IdentitySecret, IdentitySettings};

/// Writes that may wait for the writer. Each connection has at most one write in flight, so
/// this is also how many writing clients can be waiting at once before the next is refused;
/// at the writer's measured throughput (over 20,000 writes/s) a full queue is drained in
/// about 50 ms, which bounds the time a write waits in it.
pub const DEFAULT_WRITE_QUEUE: usize = 1024;
/// A new socket's time to send `auth` (a browser sends it as soon as the socket opens).
pub const DEFAULT_AUTH_TIMEOUT_MS: u64 = 5_000;
/// Sockets per client address: many visitors can share an address (an office, a mobile
/// carrier's NAT), so this is generous; it stops one host from holding thousands.
pub const DEFAULT_SOCKETS_PER_ADDRESS: u32 = 256;
/// Sockets per visitor or agent: a few tabs each, on a few devices.
pub const DEFAULT_SOCKETS_PER_PEER: u32 = 16;
/// HTTP writes per token per minute: far above what a person clicks.
pub const DEFAULT_HTTP_WRITES_PER_MINUTE: u32 = 120;
/// New visitors per minute on one node, from all addresses together: far above a busy
/// site's arrivals (a visitor is created once per browser), low enough that a flood from many
/// addresses cannot fill the agents' queue without bound.
pub const DEFAULT_VISITOR_CREATE_GLOBAL_PER_MINUTE: u32 = 600;
/// A client's time to send a request's headers.
pub const DEFAULT_HEADER_READ_TIMEOUT_MS: u64 = 10_000;
/// An agent session unused for this long ends (12 hours: a working day and then some).
pub const DEFAULT_SESSION_IDLE_SECS: u64 = 12 * 3600;
/// An agent session ends this long after login, however much it is used (7 days).
pub const DEFAULT_SESSION_LIFETIME_SECS: u64 = 7 * 24 * 3600;

/// Flags of `tidings-server serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "TIDINGS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The database: `sqlite://PATH` (created if missing; one node) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (any number of nodes).
    #[arg(
        long,
        env = "TIDINGS_DATABASE_URL",
        default_value = "sqlite://./data/tidings.db"
    )]
    pub database_url: String,

    /// Directory with `index.html`, `widget.js`, `chat/` and `console/` to serve.
    #[arg(long, env = "TIDINGS_ASSETS")]
    pub assets: Option<PathBuf>,

    /// Origins that may embed the widget and call the API (repeat, or comma-separated in
    /// the environment). None configured: every origin is accepted (development).
    #[arg(
        long = "allowed-origin",
        env = "TIDINGS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Milliseconds between server heartbeats (and the interval announced to clients).
    #[arg(long, env = "TIDINGS_HEARTBEAT_INTERVAL_MS", default_value_t = limits::HEARTBEAT_INTERVAL_MS)]
    pub heartbeat_interval_ms: u64,

    /// A connection silent for this many milliseconds is closed.
    #[arg(long, env = "TIDINGS_HEARTBEAT_TIMEOUT_MS", default_value_t = limits::HEARTBEAT_TIMEOUT_MS)]
    pub heartbeat_timeout_ms: u64,

    /// How long a new socket may take to send its `auth` frame before it is closed: an
    /// unauthenticated socket costs the server without being anyone's.
    #[arg(long, env = "TIDINGS_AUTH_TIMEOUT_MS", default_value_t = DEFAULT_AUTH_TIMEOUT_MS)]
    pub auth_timeout_ms: u64,

    /// Sustained frames per second one connection may send.
    #[arg(long, env = "TIDINGS_RATE_PER_SECOND", default_value_t = 10)]
    pub rate_per_second: u32,

    /// Frames one connection may send in a burst above the sustained rate.
    #[arg(long, env = "TIDINGS_RATE_BURST", default_value_t = 40)]
    pub rate_burst: u32,

    /// Frames queued for one connection before it counts as a slow consumer and is closed.
    #[arg(long, env = "TIDINGS_OUTBOUND_QUEUE", default_value_t = 256)]
    pub outbound_queue: usize,

    /// Writes (messages, receipts, conversation changes) that may wait for the writer;
    /// past that, writes are refused with `overloaded` and clients retry them.
    #[arg(long, env = "TIDINGS_WRITE_QUEUE", default_value_t = DEFAULT_WRITE_QUEUE)]
    pub write_queue: usize,

    /// `POST /v1/visitors` per client IP per minute (burst of as many); 0 disables.
    #[arg(long, env = "TIDINGS_VISITOR_CREATE_PER_MINUTE", default_value_t = 60)]
    pub visitor_create_per_minute: u32,

    /// `POST /v1/visitors` per minute on this node from all addresses together (burst of as
    /// many): a flood from many addresses cannot create unbounded visitors, and so
    /// conversations. 0 disables.
    #[arg(long, env = "TIDINGS_VISITOR_CREATE_GLOBAL_PER_MINUTE", default_value_t = DEFAULT_VISITOR_CREATE_GLOBAL_PER_MINUTE)]
    pub visitor_create_global_per_minute: u32,

    /// `POST /v1/agents/login` attempts per client IP per minute (burst of as many); 0
    /// disables.
    #[arg(long, env = "TIDINGS_LOGIN_PER_MINUTE", default_value_t = 20)]
    pub login_per_minute: u32,

    /// An agent session not used for this many seconds ends (no request, no socket opened,
    /// no frame but heartbeats); its open sockets close at their next heartbeat.
    #[arg(long, env = "TIDINGS_SESSION_IDLE_SECS", default_value_t = DEFAULT_SESSION_IDLE_SECS)]
    pub session_idle_secs: u64,

    /// An agent session ends this many seconds after login, however much it is used.
    #[arg(long, env = "TIDINGS_SESSION_LIFETIME_SECS", default_value_t = DEFAULT_SESSION_LIFETIME_SECS)]
    pub session_lifetime_secs: u64,

    /// Keep the query and fragment of visitors' page URLs. Off by default: they can hold
    /// secrets (password-reset and login tokens), so only the address up to `?` or `#` is
    /// stored and shown to agents.
    #[arg(long, env = "TIDINGS_KEEP_PAGE_QUERY")]
    pub keep_page_query: bool,

    /// Open sockets one client address may hold (authenticated or not); more are refused
    /// with 429 before the upgrade. 0 disables.
    #[arg(long, env = "TIDINGS_MAX_SOCKETS_PER_ADDRESS", default_value_t = DEFAULT_SOCKETS_PER_ADDRESS)]
    pub max_sockets_per_address: u32,

    /// Open sockets one visitor or one agent may hold on this node; more are closed with
    /// 4013 right after `auth`. 0 disables.
    #[arg(long, env = "TIDINGS_MAX_SOCKETS_PER_PEER", default_value_t = DEFAULT_SOCKETS_PER_PEER)]
    pub max_sockets_per_peer: u32,

    /// HTTP writes (POST, PATCH, PUT, DELETE under /v1) one token, or one address without a
    /// token, may make per minute (burst of as many); login and visitor creation have their
    /// own limits. 0 disables.
    #[arg(long, env = "TIDINGS_HTTP_WRITES_PER_MINUTE", default_value_t = DEFAULT_HTTP_WRITES_PER_MINUTE)]
    pub http_writes_per_minute: u32,

    /// How long a client may take to send a request's headers before its connection is
    /// closed (slow loris), in milliseconds.
    #[arg(long, env = "TIDINGS_HEADER_READ_TIMEOUT_MS", default_value_t = DEFAULT_HEADER_READ_TIMEOUT_MS)]
    pub header_read_timeout_ms: u64,

    /// Reverse proxies (CIDR, repeat or comma-separated) whose `X-Forwarded-For` /
    /// `Forwarded` headers name the client: per-address limits then count the client, not
    /// the proxy. Headers from any other peer are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "TIDINGS_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// The secret the site's backend signs `user_id`s with (`user_hash` = lowercase hex
    /// HMAC-SHA256 of `user_id` under it). Without it, `identify` with a `user_id` is
    /// refused. Prefer the environment variable: flags show in the process list.
    #[arg(long, env = "TIDINGS_IDENTITY_SECRET", hide_env_values = true)]
    pub identity_secret: Option<String>,

    /// Refuse every `identify` (name and email included) that does not carry a valid
    /// `user_id` and `user_hash`. Needs `--identity-secret`.
    #[arg(long, env = "TIDINGS_IDENTITY_REQUIRED")]
    pub identity_required: bool,

    /// The SMTP relay for email (`smtp://[user:password@]host[:port]`, plain SMTP: a relay
    /// on this host or a trusted network). Without it, the email features are off and
    /// hidden from the widget and console.
    #[arg(long, env = "TIDINGS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of emails (`Support <support@example.com>`). Needed with `--smtp-url`.
    #[arg(long, env = "TIDINGS_SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// This server's public address (`https://chat.example.com`), for links in emails to its
    /// chat page (when the visitor's page is unknown) and to the console.
    #[arg(long, env = "TIDINGS_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// A visitor away (no open socket) this many seconds gets an agent's unread reply by
    /// email.
    #[arg(long, env = "TIDINGS_EMAIL_OFFLINE_AFTER_SECS", default_value_t = crate::email::DEFAULT_OFFLINE_AFTER_SECS)]
    pub email_offline_after_secs: u64,

    /// The largest file visitors and agents may send, in bytes (10 MB).
    #[arg(long, env = "TIDINGS_ATTACHMENT_MAX_BYTES", default_value_t = crate::attachments::DEFAULT_MAX_BYTES)]
    pub attachment_max_bytes: u64,

    /// The content types files may have (repeat, or comma-separated), read from each file's
    /// content. Default: PNG, JPEG, GIF and WebP pictures, PDF, plain text, zip, Office Open
    /// XML and OpenDocument files (see docs/operations.md).
    #[arg(
        long = "attachment-types",
        env = "TIDINGS_ATTACHMENT_TYPES",
        value_delimiter = ','
    )]
    pub attachment_types: Vec<String>,
}

/// Everything the app needs besides the database, in plain types.
#[derive(Debug, Clone)]
pub struct Settings {
    pub allowed_origins: Vec<String>,
    pub assets: Option<PathBuf>,
    pub heartbeat_interval: Duration,
    pub heartbeat_timeout: Duration,
    /// A new socket's time to authenticate.
    pub auth_timeout: Duration,
    pub typing_ttl: Duration,
    pub rate_per_second: u32,
    pub rate_burst: u32,
    /// Refused frames in a row (while over the rate) after which the connection is closed.
    pub rate_strikes_before_close: u32,
    pub outbound_queue: usize,
    /// Writes queued for the writer before new ones are refused with `overloaded`.
    pub write_queue: usize,
    /// Visitors one IP may create per minute; 0 disables the limit.
    pub visitor_create_per_minute: u32,
    /// Visitors this node may create per minute from all addresses; 0 disables the limit.
    pub visitor_create_global_per_minute: u32,
    /// Login attempts one IP may make per minute; 0 disables the limit.
    pub login_per_minute: u32,
    /// Store visitors' page URLs whole (query and fragment too).
    pub keep_page_query: bool,
    /// Open sockets per client address; 0 disables the cap.
    pub max_sockets_per_address: u32,
    /// Open sockets per visitor or agent on this node; 0 disables the cap.
    pub max_sockets_per_peer: u32,
    /// HTTP writes per token (or address) per minute; 0 disables the limit.
    pub http_writes_per_minute: u32,
    /// A client's time to send a request's headers.
    pub header_read_timeout: Duration,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The identity secret, and whether unsigned `identify` calls are refused.
    pub identity: IdentitySettings,
    /// How long agent sessions live (idle and absolute).
    pub sessions: SessionLimits,
    /// Zero outside tests. Tests widen the gap between the two steps of a subscribe
    /// (joining the conversation's followers, checking who may see it) to put a claim or a
    /// close into it; see `socket/handlers.rs`.
    pub subscribe_pause: Duration,
    /// How to send email; `None` turns the email features off.
    pub email: Option<crate::email::EmailSettings>,
    /// The largest file and the types accepted for attachments.
    pub attachments: crate::attachments::AttachmentSettings,
}

/// When an agent session ends: unused for `idle`, or `lifetime` after it was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: Duration,
    pub lifetime: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            idle: Duration::from_secs(DEFAULT_SESSION_IDLE_SECS),
            lifetime: Duration::from_secs(DEFAULT_SESSION_LIFETIME_SECS),
        }
    }
}

impl SessionLimits {
    /// How stale a session's last-use time may get before a use writes it again: a
    /// twentieth of the idle timeout, at most a minute, so a busy console costs one small
    /// write a minute, not one per request.
    pub fn touch_every(&self) -> Duration {
        (self.idle / 20).min(Duration::from_secs(60))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allowed_origins: Vec::new(),
            assets: None,
            heartbeat_interval: Duration::from_millis(limits::HEARTBEAT_INTERVAL_MS),
            heartbeat_timeout: Duration::from_millis(limits::HEARTBEAT_TIMEOUT_MS),
            auth_timeout: Duration::from_millis(DEFAULT_AUTH_TIMEOUT_MS),
            typing_ttl: Duration::from_millis(limits::TYPING_TTL_MS),
            rate_per_second: 10,
            rate_burst: 40,
            rate_strikes_before_close: 20,
            outbound_queue: 256,
            write_queue: DEFAULT_WRITE_QUEUE,
            visitor_create_per_minute: 60,
            visitor_create_global_per_minute: DEFAULT_VISITOR_CREATE_GLOBAL_PER_MINUTE,
            login_per_minute: 20,
            keep_page_query: false,
            max_sockets_per_address: DEFAULT_SOCKETS_PER_ADDRESS,
            max_sockets_per_peer: DEFAULT_SOCKETS_PER_PEER,
            http_writes_per_minute: DEFAULT_HTTP_WRITES_PER_MINUTE,
            header_read_timeout: Duration::from_millis(DEFAULT_HEADER_READ_TIMEOUT_MS),
            trusted_proxies: Vec::new(),
            identity: IdentitySettings::default(),
            sessions: SessionLimits::default(),
            subscribe_pause: Duration::ZERO,
            email: None,
            attachments: crate::attachments::AttachmentSettings::default(),
        }
    }
}

impl ServeArgs {
    /// The attachment limits these flags describe (the default types when none are given).
    pub fn attachment_settings(&self) -> crate::attachments::AttachmentSettings {
        let types: Vec<String> = self
            .attachment_types
            .iter()
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        let defaults = crate::attachments::AttachmentSettings::default();
        crate::attachments::AttachmentSettings {
            max_bytes: self.attachment_max_bytes,
            types: if types.is_empty() {
                defaults.types
            } else {
                types
            },
        }
    }

    /// The email settings these flags describe: `None` without `--smtp-url`, an error for a
    /// bad URL or sender.
    pub fn email_settings(&self) -> Result<Option<crate::email::EmailSettings>, String> {
        let Some(url) = self.smtp_url.as_deref().filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let from = self
            .smtp_from
            .as_deref()
            .ok_or("--smtp-url needs --smtp-from (or TIDINGS_SMTP_FROM), the sender address")?;
        let mut email = crate::email::EmailSettings::new(url, from)?;
        email.public_url = self
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty());
        email.offline_after = Duration::from_secs(self.email_offline_after_secs);
        Ok(Some(email))
    }

    /// The app settings these flags describe.
    pub fn settings(&self) -> Settings {
        Settings {
            allowed_origins: self
                .allowed_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            assets: self.assets.clone(),
            heartbeat_interval: Duration::from_millis(self.heartbeat_interval_ms.max(100)),
            heartbeat_timeout: Duration::from_millis(self.heartbeat_timeout_ms.max(200)),
            auth_timeout: Duration::from_millis(self.auth_timeout_ms.max(100)),
            rate_per_second: self.rate_per_second.max(1),
            rate_burst: self.rate_burst.max(1),
            outbound_queue: self.outbound_queue.max(8),
            write_queue: self.write_queue.max(1),
            visitor_create_per_minute: self.visitor_create_per_minute,
            visitor_create_global_per_minute: self.visitor_create_global_per_minute,
            login_per_minute: self.login_per_minute,
            keep_page_query: self.keep_page_query,
            max_sockets_per_address: self.max_sockets_per_address,
            max_sockets_per_peer: self.max_sockets_per_peer,
            http_writes_per_minute: self.http_writes_per_minute,
            header_read_timeout: Duration::from_millis(self.header_read_timeout_ms.max(100)),
            trusted_proxies: self.trusted_proxies.clone(),
            identity: IdentitySettings {
                secret: self
                    .identity_secret
                    .as_deref()
                    .and_then(IdentitySecret::new),
                required: self.identity_required,
            },
            sessions: SessionLimits {
                idle: Duration::from_secs(self.session_idle_secs.max(1)),
                lifetime: Duration::from_secs(self.session_lifetime_secs.max(1)),
            },
            attachments: self.attachment_settings(),
            ..Settings::default()
        }
    }
}
