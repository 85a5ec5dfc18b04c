//! Verified identity: checking the signature a site's backend puts on a `user_id`
//! (`Tidings('identify', {user_id, user_hash, …})`), and whether an `identify` without one
//! is accepted.
//!
//! `user_hash` is the lowercase hex HMAC-SHA256 of the exact `user_id` bytes, keyed with the
//! site's identity secret (`--identity-secret`). Only the site's backend knows the secret, so
//! a visitor who types someone else's `user_id` cannot produce its hash. The comparison is
//! constant-time (`hmac`'s `verify_slice`), so response times reveal nothing of the hash.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tidings_protocol::limits::MAX_FIELD_CHARS;

use crate::error::{Error, Result};

/// The site's identity secret. Its `Debug` never shows the secret, so settings can be
/// logged; signatures are checked only through [`Self::verifies`], in constant time.
#[derive(Clone)]
pub struct IdentitySecret(Vec<u8>);

impl IdentitySecret {
    /// The secret from its configured text; empty text means none is configured.
    pub fn new(secret: &str) -> Option<IdentitySecret> {
        (!secret.is_empty()).then(|| IdentitySecret(secret.as_bytes().to_vec()))
    }

    /// The signature of `user_id` under this secret: lowercase hex HMAC-SHA256, what the
    /// site's backend computes (and what tests sign with).
    pub fn sign(&self, user_id: &str) -> String {
        let mut mac = self.mac();
        mac.update(user_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `user_hash` is the signature of `user_id`, compared in constant time.
    /// Anything that is not 64 hex digits is simply not it.
    pub fn verifies(&self, user_id: &str, user_hash: &str) -> bool {
        let Ok(tag) = hex::decode(user_hash) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(user_id.as_bytes());
        mac.verify_slice(&tag).is_ok()
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length (long ones are hashed first), so this cannot fail.
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts keys of any length")
    }
}

impl std::fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentitySecret(<hidden>)")
    }
}

/// How this server treats `identify`.
#[derive(Debug, Clone, Default)]
pub struct IdentitySettings {
    /// Without one, a `user_id` cannot be verified and is refused.
    pub secret: Option<IdentitySecret>,
    /// Every `identify` (name and email included) must carry a valid `user_id` and
    /// `user_hash` (`--identity-required`).
    pub required: bool,
}

/// What an `identify` asks for, as received.
pub struct IdentifyRequest<'a> {
    pub user_id: Option<&'a str>,
    pub user_hash: Option<&'a str>,
    /// The request also names the visitor (name or email).
    pub names_someone: bool,
}

impl IdentitySettings {
    /// The verified `user_id` of a request, `None` when it claims none, or a clear refusal:
    /// a `user_id` is never accepted without its valid hash, and with enforcement on, no
    /// name or email is accepted without one.
    pub fn check(&self, request: &IdentifyRequest<'_>) -> Result<Option<String>> {
        let Some(user_id) = request.user_id else {
            if request.user_hash.is_some() {
                return Err(Error::invalid("user_hash was sent without its user_id"));
            }
            if self.required && request.names_someone {
                return Err(Error::forbidden(
                    "this site accepts only verified identities: identify needs user_id and user_hash",
                ));
            }
            return Ok(None);
        };
        if user_id.trim().is_empty() {
            return Err(Error::invalid("user_id is empty"));
        }
        if user_id.chars().count() > MAX_FIELD_CHARS {
            return Err(Error::invalid(format!(
                "user_id is limited to {MAX_FIELD_CHARS} characters"
            )));
        }
        let Some(secret) = &self.secret else {
            return Err(Error::forbidden(
                "this server has no identity secret (--identity-secret), so it cannot verify a user_id",
            ));
        };
        let Some(user_hash) = request.user_hash else {
            return Err(Error::forbidden(
                "user_id needs its user_hash: the HMAC-SHA256 of user_id keyed with the identity secret, in lowercase hex",
            ));
        };
        if !secret.verifies(user_id, user_hash) {
            return Err(Error::forbidden("user_hash does not match user_id"));
        }
        Ok(Some(user_id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::IdentitySecret;

    /// The value docs/embedding.md's examples print for the same secret and user id (they
    /// were run against it).
    const EXAMPLE_HASH: &str = "bf55beba8552dfbad7c785c769e43ae5aaaacdebb2bb8d40af722cc7e758c82a";

    #[test]
    fn a_signature_verifies_and_its_neighbours_do_not() {
        let secret = IdentitySecret::new("s3cret-of-the-site").unwrap();
        let hash = secret.sign("user-42");
        assert_eq!(hash.len(), 64);
        assert!(secret.verifies("user-42", &hash));
        assert!(!secret.verifies("user-43", &hash));
        assert!(!secret.verifies("user-42", &hash[..62]));
        assert!(!secret.verifies("user-42", "not hex at all"));
        let other = IdentitySecret::new("another secret").unwrap();
        assert!(!other.verifies("user-42", &hash));
    }

    #[test]
    fn the_documented_example_matches() {
        let secret = IdentitySecret::new("s3cret-of-the-site").unwrap();
        assert_eq!(secret.sign("user-42"), EXAMPLE_HASH);
    }

    #[test]
    fn rfc_4231_test_case_2() {
        let secret = IdentitySecret::new("Jefe").unwrap();
        assert_eq!(
            secret.sign("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn an_empty_secret_is_none_and_debug_hides_it() {
        assert!(IdentitySecret::new("").is_none());
        let secret = IdentitySecret::new("visible?").unwrap();
        assert!(!format!("{secret:?}").contains("visible"));
    }
}
