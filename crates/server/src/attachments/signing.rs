//! Short-lived signed links to attachments. An `<img src>` cannot send a bearer token, so
//! whoever may see a conversation is handed links of the form
//! `/v1/attachments/{id}?expires={unix seconds}&sig={hex}`, where `sig` is the HMAC-SHA256 of
//! `{id}.{expires}` under a key every node shares (created once in the database, see
//! [`LinkKey::load`]). A link is checked in constant time and refused after `expires`.
//!
//! Expiry times are rounded to the hour (a link lives one to two hours), so the links of one
//! file are the same for an hour and a browser's cache serves them.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::db::Pool;
use crate::error::Result;

/// Links are minted to expire at the end of the next whole window.
pub const LINK_WINDOW_SECS: i64 = 3600;

/// The key attachment links are signed with.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(..)")
    }
}

impl LinkKey {
    /// The cluster's key: the first node to need one inserts a random key (an insert that
    /// does nothing if another node got there first), and every node reads the one stored.
    pub async fn load(pool: &Pool) -> Result<LinkKey> {
        let fresh: [u8; 32] = rand::random();
        sqlx::query(
            "INSERT INTO attachment_key (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(hex::encode(fresh))
        .execute(pool)
        .await?;
        let secret: String = sqlx::query_scalar("SELECT secret FROM attachment_key WHERE id = 1")
            .fetch_one(pool)
            .await?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(secret.trim(), &mut key)
            .map_err(|e| crate::Error::internal(format!("bad attachment key: {e}")))?;
        Ok(LinkKey(key))
    }

    /// A key for tests of this module.
    #[cfg(test)]
    fn fixed(byte: u8) -> LinkKey {
        LinkKey([byte; 32])
    }

    fn mac(&self, id: Uuid, expires: i64) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        mac.update(format!("{id}.{expires}").as_bytes());
        mac
    }

    /// The link to attachment `id`, valid until the end of the window after the one
    /// `now_secs` is in.
    pub fn link(&self, id: Uuid, now_secs: i64) -> String {
        let expires = (now_secs.div_euclid(LINK_WINDOW_SECS) + 2) * LINK_WINDOW_SECS;
        let sig = hex::encode(self.mac(id, expires).finalize().into_bytes());
        format!("/v1/attachments/{id}?expires={expires}&sig={sig}")
    }

    /// Whether `sig` signs `id` until `expires`, and `expires` is still ahead of `now_secs`.
    pub fn check(&self, id: Uuid, expires: i64, sig: &str, now_secs: i64) -> bool {
        let Ok(tag) = hex::decode(sig) else {
            return false;
        };
        expires > now_secs && self.mac(id, expires).verify_slice(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(link: &str) -> (i64, String) {
        let query = link.split_once('?').unwrap().1;
        let (expires, sig) = query.split_once('&').unwrap();
        (
            expires.strip_prefix("expires=").unwrap().parse().unwrap(),
            sig.strip_prefix("sig=").unwrap().to_string(),
        )
    }

    #[test]
    fn a_link_is_good_for_its_file_until_it_expires() {
        let key = LinkKey::fixed(7);
        let id = Uuid::new_v4();
        let now = 1_800_000_123;
        let (expires, sig) = parts(&key.link(id, now));
        assert!(expires - now > LINK_WINDOW_SECS && expires - now <= 2 * LINK_WINDOW_SECS);
        assert!(key.check(id, expires, &sig, now));
        assert!(key.check(id, expires, &sig, expires - 1));
        assert!(!key.check(id, expires, &sig, expires));
        assert!(!key.check(Uuid::new_v4(), expires, &sig, now));
        assert!(!key.check(id, expires + 3600, &sig, now));
        assert!(!LinkKey::fixed(8).check(id, expires, &sig, now));
        assert!(!key.check(id, expires, "zz", now));
        assert!(!key.check(id, expires, &sig[..10], now));
    }
}
