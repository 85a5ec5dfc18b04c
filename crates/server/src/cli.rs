//! The command line: `serve` and `agent add | list | remove | logout-all | passwd`. Every
//! command creates and migrates the database if it does not exist.

use std::io::BufRead;

use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;

use crate::config::ServeArgs;
use crate::{auth, db, serve, store, AppState};

#[derive(Debug, Parser)]
#[command(name = "tidings-server", version, about = "Tidings live chat server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start and then taken apart: the size of the `serve` flags costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the socket and the assets. Prints `listening on http://ADDR`.
    Serve(ServeArgs),
    /// Manage agents.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Checks that this build unwinds on panic (so one connection's bug ends that
    /// connection, not the process): a task panics and the command reports that it was
    /// caught. A build with `panic = "abort"` dies here instead. `cargo xtask dist` runs it.
    #[command(hide = true)]
    CheckUnwind,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArg {
    /// The database: `sqlite://PATH` (created if missing; one node) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (any number of nodes on one database).
    #[arg(
        long,
        env = "TIDINGS_DATABASE_URL",
        default_value = "sqlite://./data/tidings.db"
    )]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Add an agent. The password comes from the environment (`TIDINGS_AGENT_PASSWORD`) or
    /// the first line of stdin (preferred: other users of the host can read a process's
    /// arguments), or from `--password`.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The password; visible to other users in the process list, prefer stdin or
        /// `TIDINGS_AGENT_PASSWORD`.
        #[arg(long, env = PASSWORD_ENV, hide_env_values = true)]
        password: Option<String>,
        /// Admins see and assign every conversation.
        #[arg(long)]
        admin: bool,
    },
    /// List agents, one per line: `email<TAB>name<TAB>admin|agent<TAB>id` (or `--json`).
    List {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        json: bool,
    },
    /// Remove an agent and their sessions. Their active conversations return to the queue
    /// (running nodes notice within a heartbeat interval and announce them), and their open
    /// sockets close at the next heartbeat.
    Remove {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
    },
    /// End every session of an agent: their tokens stop working at once and their open
    /// sockets close at the next heartbeat, on every node.
    LogoutAll {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
    },
    /// Set an agent's password, read from `TIDINGS_AGENT_PASSWORD` or else the first line
    /// of stdin (never from the command line), and end all their sessions.
    Passwd {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
    },
}

/// The environment variable `agent add` and `agent passwd` read a password from.
pub const PASSWORD_ENV: &str = "TIDINGS_AGENT_PASSWORD";

/// Passwords shorter than this are refused.
const MIN_PASSWORD_CHARS: usize = 8;

/// Runs a parsed command; errors are for the user to read.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => run_serve(args).await,
        Command::Agent(command) => run_agent(command).await,
        Command::CheckUnwind => check_unwind().await,
    }
}

async fn check_unwind() -> Result<(), String> {
    // The deliberate panic's message would only confuse whoever reads the output.
    std::panic::set_hook(Box::new(|_| {}));
    let panicked = tokio::spawn(async { panic!("a deliberate panic") }).await;
    let _ = std::panic::take_hook();
    match panicked {
        Err(e) if e.is_panic() => {
            println!("panic = unwind: a panicking task ends alone");
            Ok(())
        }
        _ => Err("the deliberate panic was not caught".into()),
    }
}

async fn run_serve(args: ServeArgs) -> Result<(), String> {
    crate::open_files::raise_to_hard_limit();
    let mut settings = args.settings();
    settings.email = args.email_settings()?;
    if settings.identity.required && settings.identity.secret.is_none() {
        return Err(
            "--identity-required needs --identity-secret (or TIDINGS_IDENTITY_SECRET): \
             without it no identify could ever be verified"
                .into(),
        );
    }
    if settings.allowed_origins.is_empty() {
        tracing::warn!(
            "no --allowed-origin configured: every origin is accepted (fine for development only)"
        );
    }
    if settings.assets.is_none() && !crate::embedded::present() {
        tracing::warn!(
            "this binary carries no assets (build it with `cargo xtask dist`) and no --assets \
             DIR was given: the API and socket work, the pages answer 404"
        );
    }
    if let Some(dir) = &settings.assets {
        for page in ["chat/index.html", "console/index.html", "widget.js"] {
            if !dir.join(page).is_file() {
                tracing::warn!(assets = %dir.display(), "{page} is missing from the assets directory");
            }
        }
    }
    let database = db::connect(&args.database_url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", args.database_url))?;
    let pool = database.pool.clone();
    let state = AppState::new(database, settings);
    state
        .join_cluster()
        .await
        .map_err(|e| format!("cannot join the other nodes: {e}"))?;
    let writer = state.writer.clone();
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // The one line on stdout: xtask and the browser tests read the port from it.
    println!("listening on http://{address}");
    tracing::info!(%address, "tidings-server started");
    serve::serve_on(listener, state, crate::shutdown::signal())
        .await
        .map_err(|e| e.to_string())?;
    // What was queued is committed (and its connection closed) before the pool closes.
    writer.close().await;
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn run_agent(command: AgentCommand) -> Result<(), String> {
    match command {
        AgentCommand::Add {
            db,
            email,
            name,
            password,
            admin,
        } => {
            let email = email.trim().to_string();
            let name = name.trim().to_string();
            if !email.contains('@') || name.is_empty() {
                return Err("give a valid --email and a non-empty --name".into());
            }
            let password = match password {
                Some(p) => p,
                None => read_password_line()?,
            };
            let hash = new_password_hash(&password)?;
            let agent = with_database(&db, |pool| async move {
                store::agents::insert(&pool, &email, &name, &hash, admin)
                    .await
                    .map_err(|e| e.public_message())
            })
            .await?;
            println!(
                "added {} {} ({})",
                if admin { "admin" } else { "agent" },
                agent.email,
                agent.id
            );
        }
        AgentCommand::List { db, json } => {
            let agents = with_database(&db, |pool| async move {
                store::agents::list(&pool).await.map_err(|e| e.to_string())
            })
            .await?;
            if json {
                let list: Vec<_> = agents
                    .iter()
                    .map(|a| serde_json::json!({"id": a.id, "email": a.email, "name": a.name, "is_admin": a.is_admin}))
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else {
                for a in &agents {
                    println!(
                        "{}\t{}\t{}\t{}",
                        a.email,
                        a.name,
                        if a.is_admin { "admin" } else { "agent" },
                        a.id
                    );
                }
            }
        }
        AgentCommand::Remove { db, email } => {
            let email = email.trim().to_string();
            let removed = with_database(&db, |pool| {
                let email = email.clone();
                async move {
                    store::agents::remove_by_email(&pool, &email)
                        .await
                        .map_err(|e| e.to_string())
                }
            })
            .await?;
            if !removed {
                return Err(format!("no agent with email {email}"));
            }
            println!("removed {email}");
        }
        AgentCommand::LogoutAll { db, email } => {
            let email = email.trim().to_string();
            let ended = with_database(&db, |pool| {
                let email = email.clone();
                async move {
                    store::agents::end_sessions_by_email(&pool, &email)
                        .await
                        .map_err(|e| e.to_string())
                }
            })
            .await?;
            let Some(ended) = ended else {
                return Err(format!("no agent with email {email}"));
            };
            println!("ended {ended} session(s) of {email}");
        }
        AgentCommand::Passwd { db, email } => {
            let email = email.trim().to_string();
            let password = match std::env::var(PASSWORD_ENV) {
                Ok(p) if !p.is_empty() => p,
                _ => read_password_line()?,
            };
            let hash = new_password_hash(&password)?;
            let changed = with_database(&db, |pool| {
                let email = email.clone();
                async move {
                    store::agents::set_password_by_email(&pool, &email, &hash)
                        .await
                        .map_err(|e| e.to_string())
                }
            })
            .await?;
            if !changed {
                return Err(format!("no agent with email {email}"));
            }
            println!("changed the password of {email} and ended their sessions");
        }
    }
    Ok(())
}

/// Checks a new password's length and hashes it.
fn new_password_hash(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    auth::hash_password(password).map_err(|e| e.to_string())
}

/// Opens (creating and migrating) the database, runs `work` on it, and closes it again
/// whatever `work` returned, so the WAL is checkpointed before the command exits.
async fn with_database<T, Work>(
    db: &DatabaseArg,
    work: impl FnOnce(db::Pool) -> Work,
) -> Result<T, String>
where
    Work: std::future::Future<Output = Result<T, String>>,
{
    let pool = db::connect(&db.database_url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db.database_url))?
        .pool;
    let result = work(pool.clone()).await;
    pool.close().await;
    result
}

fn read_password_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(format!(
            "no password: write it on stdin or set {PASSWORD_ENV}"
        ));
    }
    Ok(password)
}
