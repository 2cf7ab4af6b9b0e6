//! Throughput over a window (to drop stalled connections) and the overall deadline.

use std::time::{Duration, Instant};

/// Counts the bytes of one connection in consecutive windows; a full window under the
/// minimum rate is a stall.
#[derive(Debug)]
pub(crate) struct Meter {
    min_bytes_per_sec: u64,
    window: Duration,
    window_start: Instant,
    bytes: u64,
}

impl Meter {
    /// `min_bytes_per_sec == 0` never reports a stall.
    pub(crate) fn new(min_bytes_per_sec: u64, window: Duration) -> Meter {
        Meter {
            min_bytes_per_sec,
            window,
            window_start: Instant::now(),
            bytes: 0,
        }
    }

    /// Count `n` more bytes; `false` when the window that just ended ran under the minimum.
    pub(crate) fn add(&mut self, n: u64) -> bool {
        self.add_at(n, Instant::now())
    }

    fn add_at(&mut self, n: u64, now: Instant) -> bool {
        self.bytes += n;
        if self.min_bytes_per_sec == 0 {
            return true;
        }
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed < self.window {
            return true;
        }
        let needed = self.min_bytes_per_sec as f64 * elapsed.as_secs_f64();
        if (self.bytes as f64) < needed {
            return false;
        }
        self.window_start = now;
        self.bytes = 0;
        true
    }

    /// The longest a read may wait for data before the connection counts as stalled.
    pub(crate) fn read_cap(&self) -> Option<Duration> {
        (self.min_bytes_per_sec > 0).then_some(self.window)
    }
}

/// The overall deadline of a download, if it has one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    limit: Option<Duration>,
    at: Option<Instant>,
}

impl Deadline {
    pub(crate) fn new(limit: Option<Duration>) -> Deadline {
        Deadline {
            limit,
            at: limit.and_then(|l| Instant::now().checked_add(l)),
        }
    }

    pub(crate) fn limit(&self) -> Option<Duration> {
        self.limit
    }

    pub(crate) fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// Time left, if there is a deadline (zero once it passed).
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_under_the_minimum_is_a_stall() {
        let start = Instant::now();
        let mut m = Meter::new(1000, Duration::from_secs(10));
        m.window_start = start;
        assert!(m.add_at(10, start + Duration::from_secs(1)));
        // Full window, 10 bytes in 10 s: far under 1000 B/s.
        assert!(!m.add_at(0, start + Duration::from_secs(10)));

        let mut m = Meter::new(1000, Duration::from_secs(10));
        m.window_start = start;
        assert!(m.add_at(20_000, start + Duration::from_secs(10)));
        // A new window starts: judged on its own bytes.
        assert!(m.add_at(5_000, start + Duration::from_secs(15)));
        assert!(!m.add_at(0, start + Duration::from_secs(20)));

        let mut off = Meter::new(0, Duration::from_millis(1));
        assert!(off.add_at(0, start + Duration::from_secs(100)));
        assert_eq!(off.read_cap(), None);
    }

    #[test]
    fn deadlines() {
        let none = Deadline::new(None);
        assert!(!none.passed());
        assert_eq!(none.remaining(), None);
        let now = Deadline::new(Some(Duration::ZERO));
        assert!(now.passed());
        assert_eq!(now.remaining(), Some(Duration::ZERO));
    }
}
