//! Sending one email through SMTP with `lettre`: the `--smtp-url` parsed into a transport.
//! Only plain `smtp://` is built in (a relay on the same host or a trusted network, which
//! then speaks TLS onwards); the URL may carry `user:password@` for AUTH.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// An SMTP relay and the sender address.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").field("from", &self.from).finish()
    }
}

/// A plain text email.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Smtp {
    /// Parses `smtp://[user:password@]host[:port]` (port 25 by default) and the sender.
    pub fn new(url: &str, from: &str) -> Result<Smtp, String> {
        let rest = url.strip_prefix("smtp://").ok_or_else(|| {
            format!("--smtp-url must start with smtp:// (TLS is not built in): {url:?}")
        })?;
        let rest = rest.trim_end_matches('/');
        let (credentials, host_port) = match rest.rsplit_once('@') {
            Some((user_password, host_port)) => {
                let (user, password) = user_password.split_once(':').unwrap_or((user_password, ""));
                (
                    Some(Credentials::new(user.to_string(), password.to_string())),
                    host_port,
                )
            }
            None => (None, rest),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("bad port in --smtp-url: {port:?}"))?,
            ),
            None => (host_port, 25),
        };
        if host.is_empty() {
            return Err("--smtp-url has no host".into());
        }
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("bad --smtp-from address {from:?}: {e}"))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(30)));
        if let Some(credentials) = credentials {
            builder = builder.credentials(credentials);
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one email; an error is worth retrying later.
    pub async fn send(&self, email: &Outgoing) -> Result<(), String> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| format!("bad recipient {:?}: {e}", email.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| format!("building the email failed: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}
