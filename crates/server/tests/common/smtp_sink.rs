//! A tiny SMTP server for tests, on 127.0.0.1:0: it speaks enough SMTP for a real client
//! (greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message it
//! accepts, and can refuse the first few transactions with a temporary error to exercise
//! retries.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use super::DEADLINE;

/// One accepted email.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent (dot-stuffing undone, CRLF line ends).
    pub data: String,
}

impl Received {
    /// The value of header `name` (first line only).
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_lowercase());
        self.data
            .split("\r\n")
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }

    /// The body, after the blank line that ends the headers.
    pub fn body(&self) -> String {
        self.data
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    received: mpsc::UnboundedReceiver<Received>,
    /// Transactions refused so far with 451.
    pub refused: Arc<AtomicUsize>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::refusing_first(0).await
    }

    /// A sink that answers the first `n` `MAIL` commands with `451` (try again later).
    pub async fn refusing_first(n: usize) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, received) = mpsc::unbounded_channel();
        let refused = Arc::new(AtomicUsize::new(0));
        let counter = refused.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let tx = tx.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let _ = session(stream, tx, counter, n).await;
                });
            }
        });
        SmtpSink {
            addr,
            received,
            refused,
        }
    }

    /// The `smtp://` URL of this sink.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The next accepted email (fails the test after [`DEADLINE`]).
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(DEADLINE, self.received.recv())
            .await
            .expect("no email arrived before the deadline")
            .expect("the sink stopped")
    }

    /// The next accepted email to `to`, skipping others.
    pub async fn next_to(&mut self, to: &str) -> Received {
        loop {
            let email = self.next().await;
            if email.to.iter().any(|t| t == to) {
                return email;
            }
        }
    }

    /// Emails accepted and not yet taken.
    pub fn pending(&mut self) -> Vec<Received> {
        let mut all = Vec::new();
        while let Ok(email) = self.received.try_recv() {
            all.push(email);
        }
        all
    }
}

fn address_of(argument: &str) -> String {
    let argument = argument.trim();
    match (argument.find('<'), argument.rfind('>')) {
        (Some(start), Some(end)) if start < end => argument[start + 1..end].to_string(),
        _ => argument.to_string(),
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    tx: mpsc::UnboundedSender<Received>,
    refused: Arc<AtomicUsize>,
    refuse_first: usize,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            if refused.load(Ordering::SeqCst) < refuse_first {
                refused.fetch_add(1, Ordering::SeqCst);
                b"451 try again later\r\n"
            } else {
                from = address_of(&command[10..]);
                b"250 OK\r\n"
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(address_of(&command[8..]));
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 end with .\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(unstuffed);
            }
            let _ = tx.send(Received {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}
