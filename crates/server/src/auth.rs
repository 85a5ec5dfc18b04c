//! Credentials: random bearer tokens (only their SHA-256 is stored), argon2 password
//! hashes, and resolving a token to the [`Principal`] it stands for.
//!
//! Visitor tokens start with `v_`, agent session tokens with `a_`, so a lookup goes
//! straight to the right table.

use crate::db::Pool;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::SessionLimits;
use crate::error::{Error, Result};
use crate::store;
use crate::store::agents::SessionUse;

const VISITOR_PREFIX: &str = "v_";
const AGENT_PREFIX: &str = "a_";

/// An authenticated agent, as loaded with their session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentIdentity {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
}

/// Who a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Visitor { id: Uuid },
    Agent(AgentIdentity),
}

fn random_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A new visitor token (shown once to the client).
pub fn new_visitor_token() -> String {
    random_token(VISITOR_PREFIX)
}

/// A new agent session token (shown once to the client).
pub fn new_agent_token() -> String {
    random_token(AGENT_PREFIX)
}

/// What is stored instead of a token: its SHA-256, hex. Tokens carry 256 random bits, so
/// a fast hash is enough (no salt or slow hash needed, unlike passwords).
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id hash of a password, in PHC string format.
pub fn hash_password(password: &str) -> Result<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| Error::internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(e.to_string()))
}

/// Whether `password` matches a stored PHC hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of nothing in particular: checking a password against it when the email is
/// unknown makes a failed login take as long as a real one, so timing reveals no emails.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

/// Resolves a bearer token; unknown or malformed tokens, and agent sessions that have
/// ended (see [`store::agents::by_session_hash`]), are `unauthorized`. Resolving an agent
/// session counts as using it.
pub async fn authenticate(pool: &Pool, sessions: SessionLimits, token: &str) -> Result<Principal> {
    if token.len() > 200 {
        return Err(Error::unauthorized());
    }
    let hash = token_hash(token);
    if token.starts_with(VISITOR_PREFIX) {
        let id = store::visitors::id_by_token_hash(pool, &hash)
            .await?
            .ok_or_else(Error::unauthorized)?;
        Ok(Principal::Visitor { id })
    } else if token.starts_with(AGENT_PREFIX) {
        let agent = store::agents::by_session_hash(pool, &hash, sessions, SessionUse::Touch)
            .await?
            .ok_or_else(Error::unauthorized)?;
        Ok(Principal::Agent(agent))
    } else {
        Err(Error::unauthorized())
    }
}

/// Whether an agent may see a conversation: admins see all; others see waiting ones and
/// those assigned to them (ended ones only if they were assigned).
pub fn agent_may_see(
    agent_id: Uuid,
    is_admin: bool,
    conversation: &tidings_protocol::Conversation,
) -> bool {
    is_admin
        || conversation.status == tidings_protocol::ConversationStatus::Waiting
        || conversation
            .assigned_agent
            .as_ref()
            .is_some_and(|a| a.id == agent_id)
}
