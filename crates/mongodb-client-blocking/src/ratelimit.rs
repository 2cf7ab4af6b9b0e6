//! Client-side token buckets, one per action, shared by every clone of a client.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One token bucket. Time is passed in (seconds since an arbitrary origin) so the accounting
/// can be tested on a fake clock.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: f64,
}

impl TokenBucket {
    pub(crate) fn new(rate: f64, now: f64) -> Self {
        let capacity = rate.max(1.0);
        TokenBucket {
            rate,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    /// Take one token and return how long the caller must wait before using it. Tokens may go
    /// negative: each caller reserves its slot, so waiters are served in arrival order.
    pub(crate) fn reserve(&mut self, now: f64) -> Duration {
        if now > self.last {
            self.tokens = (self.tokens + (now - self.last) * self.rate).min(self.capacity);
            self.last = now;
        }
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }

    #[cfg(test)]
    pub(crate) fn tokens(&self) -> f64 {
        self.tokens
    }
}

/// Buckets per action name.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    rate: f64,
    origin: Instant,
    buckets: Mutex<HashMap<String, TokenBucket>>,
}

impl RateLimiter {
    /// `rate` requests per second per action, bursts up to `max(rate, 1)`.
    pub(crate) fn new(rate: f64) -> Self {
        RateLimiter {
            rate,
            origin: Instant::now(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Reserve a slot for `action` at time `now` (seconds since the limiter's origin).
    pub(crate) fn reserve_at(&self, action: &str, now: f64) -> Duration {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        buckets
            .entry(action.to_string())
            .or_insert_with(|| TokenBucket::new(self.rate, now))
            .reserve(now)
    }

    /// Reserve a slot for `action` now and return the wait (the caller sleeps outside the lock).
    pub(crate) fn reserve(&self, action: &str) -> Duration {
        let now = self.origin.elapsed().as_secs_f64();
        self.reserve_at(action, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_paced() {
        let mut b = TokenBucket::new(20.0, 0.0);
        for _ in 0..20 {
            assert_eq!(b.reserve(0.0), Duration::ZERO);
        }
        // The 21st request at the same instant waits one interval (1/20 s).
        assert_eq!(b.reserve(0.0), Duration::from_millis(50));
        // The 22nd waits two intervals: reservations queue up.
        assert_eq!(b.reserve(0.0), Duration::from_millis(100));
        assert!((b.tokens() + 2.0).abs() < 1e-9);
    }

    #[test]
    fn refills_over_time_up_to_capacity() {
        let mut b = TokenBucket::new(2.0, 0.0);
        assert_eq!(b.reserve(0.0), Duration::ZERO);
        assert_eq!(b.reserve(0.0), Duration::ZERO);
        assert_eq!(b.reserve(0.0), Duration::from_millis(500));
        // After 10 s the bucket is full again (capacity 2), not 20 tokens.
        assert_eq!(b.reserve(10.0), Duration::ZERO);
        assert_eq!(b.reserve(10.0), Duration::ZERO);
        assert_eq!(b.reserve(10.0), Duration::from_millis(500));
    }

    #[test]
    fn slow_rates_still_allow_one_request() {
        let mut b = TokenBucket::new(0.5, 0.0);
        assert_eq!(b.reserve(0.0), Duration::ZERO);
        assert_eq!(b.reserve(0.0), Duration::from_secs(2));
    }

    #[test]
    fn actions_have_separate_buckets() {
        let l = RateLimiter::new(1.0);
        assert_eq!(l.reserve_at("A", 0.0), Duration::ZERO);
        assert_eq!(l.reserve_at("B", 0.0), Duration::ZERO);
        assert_eq!(l.reserve_at("A", 0.0), Duration::from_secs(1));
        assert_eq!(l.reserve_at("A", 0.5), Duration::from_millis(1500));
    }
}
