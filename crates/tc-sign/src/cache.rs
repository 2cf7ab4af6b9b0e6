//! A small, thread-safe cache of derived signing keys.
//!
//! A signing key depends only on (secret key, UTC date, service), so a steady stream of requests
//! needs one derivation per day instead of three HMACs per request. The cache holds a handful of
//! entries and drops keys of past days; every stored secret and key is zeroed when dropped.

use std::sync::{PoisonError, RwLock};

use zeroize::Zeroizing;

use crate::algorithm::derive_signing_key;

/// Upper bound on cached keys; a process rarely uses more than a few key pairs and services.
pub(crate) const MAX_ENTRIES: usize = 16;

struct Entry {
    secret_key: Zeroizing<String>,
    day: i64,
    service: Box<str>,
    signing_key: Zeroizing<[u8; 32]>,
}

impl Entry {
    fn matches(&self, secret_key: &str, day: i64, service: &str) -> bool {
        self.day == day && *self.service == *service && self.secret_key.as_str() == secret_key
    }
}

#[derive(Default)]
pub(crate) struct KeyCache {
    entries: RwLock<Vec<Entry>>,
}

impl KeyCache {
    /// Returns the signing key for the inputs, deriving and remembering it on a miss.
    /// `day` is the number of whole days since the Unix epoch; `date` is the same day formatted.
    pub(crate) fn get(
        &self,
        secret_key: &str,
        day: i64,
        date: &str,
        service: &str,
    ) -> Zeroizing<[u8; 32]> {
        {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = entries.iter().find(|e| e.matches(secret_key, day, service)) {
                return e.signing_key.clone();
            }
        }
        let signing_key = Zeroizing::new(derive_signing_key(secret_key, date, service));
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.iter().any(|e| e.matches(secret_key, day, service)) {
            return signing_key;
        }
        // Keys from before yesterday can no longer be used by requests near the current time.
        entries.retain(|e| e.day >= day - 1);
        if entries.len() >= MAX_ENTRIES {
            entries.remove(0);
        }
        entries.push(Entry {
            secret_key: Zeroizing::new(secret_key.to_owned()),
            day,
            service: service.into(),
            signing_key: signing_key.clone(),
        });
        signing_key
    }

    pub(crate) fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_and_bounds() {
        let c = KeyCache::default();
        let k1 = c.get("key", 100, "1970-04-11", "cvm");
        assert_eq!(*k1, derive_signing_key("key", "1970-04-11", "cvm"));
        assert_eq!(c.get("key", 100, "1970-04-11", "cvm"), k1);
        assert_eq!(c.len(), 1);
        c.get("key2", 100, "1970-04-11", "cvm");
        c.get("key", 100, "1970-04-11", "mongodb");
        assert_eq!(c.len(), 3);
        // A new day keeps yesterday's entries but drops older ones.
        c.get("key", 101, "1970-04-12", "cvm");
        assert_eq!(c.len(), 4);
        c.get("key", 103, "1970-04-14", "cvm");
        assert_eq!(c.len(), 1);
        for i in 0..(MAX_ENTRIES + 5) {
            c.get(&format!("k{i}"), 103, "1970-04-14", "cvm");
        }
        assert_eq!(c.len(), MAX_ENTRIES);
        c.clear();
        assert_eq!(c.len(), 0);
    }
}
