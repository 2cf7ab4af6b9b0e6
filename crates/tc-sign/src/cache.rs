//! A small, thread-safe cache of keyed HMAC states.
//!
//! A signing key depends only on (secret key, UTC date, service), so a steady stream of requests
//! needs one derivation per day instead of three HMACs per request. The cache goes one step
//! further and keeps an HMAC-SHA256 state already keyed with the derived key: signing clones it
//! and feeds it the string to sign, so no key schedule runs per request either.
//!
//! The most recently used entry sits in its own slot, checked first, so the common case (one
//! key pair, one service, today) costs one uncontended read lock and a string comparison, with
//! no hashing of the lookup key. Behind it a short list holds a handful of entries and drops
//! those of past days.
//!
//! Secrets: the stored secret key and the derived signing key are zeroed when dropped. The HMAC
//! state holds no key bytes, only the SHA-256 states after absorbing the padded key (the `ipad`
//! and `opad` blocks); `sha2` offers no way to wipe those, so they are freed without zeroing.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use zeroize::Zeroizing;

use crate::date::UtcDate;
use crate::hash::{keyed_hmac, HmacSha256};
use crate::tc3::derive_signing_key;

/// Upper bound on cached keys; a process rarely uses more than a few key pairs and services.
pub(crate) const MAX_ENTRIES: usize = 16;

struct Entry {
    secret_key: Zeroizing<String>,
    day: i64,
    service: Box<str>,
    /// HMAC-SHA256 keyed with the derived signing key, before any data.
    mac: HmacSha256,
}

impl Entry {
    #[inline]
    fn matches(&self, secret_key: &str, day: i64, service: &str) -> bool {
        self.day == day && *self.service == *service && self.secret_key.as_str() == secret_key
    }
}

#[derive(Default)]
pub(crate) struct KeyCache {
    /// The entry used last: checked before `entries`.
    recent: RwLock<Option<Arc<Entry>>>,
    entries: Mutex<Vec<Arc<Entry>>>,
}

impl KeyCache {
    /// Returns an HMAC-SHA256 keyed with the signing key for the inputs, deriving and remembering
    /// the key on a miss. `day` is the number of whole days since the Unix epoch.
    #[inline]
    pub(crate) fn get(&self, secret_key: &str, day: i64, service: &str) -> HmacSha256 {
        {
            let recent = self.recent.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = recent.as_deref() {
                if e.matches(secret_key, day, service) {
                    return e.mac.clone();
                }
            }
        }
        self.get_slow(secret_key, day, service)
    }

    #[cold]
    #[inline(never)]
    fn get_slow(&self, secret_key: &str, day: i64, service: &str) -> HmacSha256 {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = match entries.iter().find(|e| e.matches(secret_key, day, service)) {
            Some(e) => Arc::clone(e),
            None => {
                let date = UtcDate::of_day(day);
                let signing_key =
                    Zeroizing::new(derive_signing_key(secret_key, date.as_str(), service));
                let entry = Arc::new(Entry {
                    secret_key: Zeroizing::new(secret_key.to_owned()),
                    day,
                    service: service.into(),
                    mac: keyed_hmac(&*signing_key),
                });
                // Keys from before yesterday can no longer be used by requests near the current time.
                entries.retain(|e| e.day >= day - 1);
                if entries.len() >= MAX_ENTRIES {
                    entries.remove(0);
                }
                entries.push(Arc::clone(&entry));
                entry
            }
        };
        let mac = entry.mac.clone();
        *self.recent.write().unwrap_or_else(PoisonError::into_inner) = Some(entry);
        mac
    }

    pub(crate) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub(crate) fn clear(&self) {
        // Lock order: `entries` before `recent`, as in `get_slow`.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.clear();
        *self.recent.write().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

#[cfg(test)]
mod tests {
    use hmac::Mac;

    use super::*;
    use crate::hash::hmac_bytes;

    fn tag(mac: HmacSha256) -> [u8; 32] {
        let mut mac = mac;
        mac.update(b"message");
        mac.finalize().into_bytes().into()
    }

    fn expected(secret: &str, date: &str, service: &str) -> [u8; 32] {
        hmac_bytes(&derive_signing_key(secret, date, service), b"message")
    }

    #[test]
    fn caches_and_bounds() {
        let c = KeyCache::default();
        let k1 = tag(c.get("key", 100, "cvm"));
        assert_eq!(k1, expected("key", "1970-04-11", "cvm"));
        assert_eq!(tag(c.get("key", 100, "cvm")), k1);
        assert_eq!(c.len(), 1);
        c.get("key2", 100, "cvm");
        c.get("key", 100, "mongodb");
        assert_eq!(c.len(), 3);
        // Back to an older entry: found in the list, and right.
        assert_eq!(tag(c.get("key", 100, "cvm")), k1);
        assert_eq!(
            tag(c.get("key2", 100, "cvm")),
            expected("key2", "1970-04-11", "cvm")
        );
        assert_eq!(c.len(), 3);
        // A new day keeps yesterday's entries but drops older ones.
        c.get("key", 101, "cvm");
        assert_eq!(c.len(), 4);
        c.get("key", 103, "cvm");
        assert_eq!(c.len(), 1);
        for i in 0..(MAX_ENTRIES + 5) {
            c.get(&format!("k{i}"), 103, "cvm");
        }
        assert_eq!(c.len(), MAX_ENTRIES);
        c.clear();
        assert_eq!(c.len(), 0);
        assert_eq!(
            tag(c.get("key", 103, "cvm")),
            expected("key", "1970-04-14", "cvm")
        );
    }

    #[test]
    fn a_secret_that_differs_only_in_content_is_not_confused() {
        let c = KeyCache::default();
        let a = tag(c.get("secret-a", 5, "cvm"));
        let b = tag(c.get("secret-b", 5, "cvm"));
        assert_ne!(a, b);
        assert_eq!(a, expected("secret-a", "1970-01-06", "cvm"));
        assert_eq!(b, expected("secret-b", "1970-01-06", "cvm"));
    }
}
