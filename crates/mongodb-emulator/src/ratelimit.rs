//! Per-action request limit over fixed windows (20 per second by default, as the
//! service documents for its actions).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Inner {
    limit: Option<u32>,
    window: Duration,
    counters: HashMap<String, (Instant, u32)>,
}

/// Counts requests per action in the current window.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    inner: Mutex<Inner>,
}

impl RateLimiter {
    pub(crate) fn new(limit: Option<u32>, window: Duration) -> Self {
        RateLimiter {
            inner: Mutex::new(Inner {
                limit,
                window,
                counters: HashMap::new(),
            }),
        }
    }

    pub(crate) fn set_limit(&self, limit: Option<u32>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.limit = limit;
        inner.counters.clear();
    }

    /// Admits one request for `action` at `now`; `Err(limit)` when the window is full.
    pub(crate) fn admit(&self, action: &str, now: Instant) -> Result<(), u32> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(limit) = inner.limit else {
            return Ok(());
        };
        let window = inner.window;
        let entry = inner.counters.entry(action.to_owned()).or_insert((now, 0));
        if now.saturating_duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            return Err(limit);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window_per_action() {
        let rl = RateLimiter::new(Some(2), Duration::from_secs(1));
        let t0 = Instant::now();
        assert!(rl.admit("A", t0).is_ok());
        assert!(rl.admit("A", t0).is_ok());
        assert_eq!(rl.admit("A", t0), Err(2));
        assert!(rl.admit("B", t0).is_ok());
        assert!(rl.admit("A", t0 + Duration::from_secs(1)).is_ok());
        rl.set_limit(None);
        for _ in 0..100 {
            assert!(rl.admit("A", t0).is_ok());
        }
    }
}
