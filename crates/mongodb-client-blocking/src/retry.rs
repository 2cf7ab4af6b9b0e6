//! Retry policy, backoff and the one place that decides whether a failed attempt is tried again.

use std::time::Duration;

use mongodb_errors::Error;

/// How the client retries a failed call.
///
/// The client runs every call in one loop. After a failed attempt it asks three questions:
///
/// * Was the call throttled (`RequestLimitExceeded*`, HTTP 429)? Then it is always retried: the
///   service did not act on it.
/// * Did the request never leave this machine (DNS, refused connection, TLS handshake, proxy)?
///   Then it is always retried, for the same reason.
/// * Could the request have reached the service (connection reset or timeout after sending, HTTP
///   5xx, transient service codes such as `InternalError`)? Then it is retried only when the
///   action is idempotent (`Describe*` and friends), or when
///   [`retry_non_idempotent(true)`](RetryPolicy::retry_non_idempotent) opts in. By default a
///   `Create*` action is never sent twice.
///
/// Waits between attempts grow exponentially from [`base_delay`](RetryPolicy::base_delay) up to
/// [`max_delay`](RetryPolicy::max_delay), with random jitter so that many clients do not retry
/// in lockstep.
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(5));
/// assert_eq!(policy.get_max_attempts(), 5);
/// assert_eq!(RetryPolicy::disabled().get_max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: bool,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// Three attempts in all, 500 ms base delay, 10 s cap, jitter on, idempotent actions only.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            jitter: true,
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that makes exactly one attempt. (The one extra attempt after a clock-skew
    /// correction is still made: it is a correction of the request, not a retry of a failure.)
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Total number of attempts, the first one included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wait before the first retry; later retries double it.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Upper bound of a single wait between attempts.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Randomise each wait between half and all of its computed value (default on).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Also retry failures that may have reached the service for actions that are not
    /// idempotent (`Create*`, `Modify*`, …). Off by default: a retried `CreateBackupDBInstance`
    /// may start two backups.
    pub fn retry_non_idempotent(mut self, on: bool) -> Self {
        self.retry_non_idempotent = on;
        self
    }

    /// The configured number of attempts.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether non-idempotent actions are retried after ambiguous failures.
    pub fn get_retry_non_idempotent(&self) -> bool {
        self.retry_non_idempotent
    }

    /// The wait before retry number `retry` (1 for the first retry), jitter applied.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let full = self.backoff_ceiling(retry);
        if !self.jitter || full.is_zero() {
            return full;
        }
        let half = full / 2;
        let extra = (full - half).as_nanos() as u64;
        half + Duration::from_nanos(fastrand::u64(0..=extra))
    }

    /// The wait before retry number `retry` without jitter.
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(30);
        let factor = 1u32 << exp;
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// Why an attempt is tried again (or not), as decided from the error and the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The service throttled the call.
    RetryThrottled,
    /// The request never left this machine.
    RetryNotSent,
    /// The request may have reached the service; retrying is allowed for this action.
    RetryAmbiguous,
    /// The service rejected the signature as too old or too new: correct the clock and retry once.
    CorrectClock,
    /// Give up and return the error.
    Stop,
    /// The request may have reached the service and the action is not idempotent.
    StopNotIdempotent,
}

impl Decision {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Decision::RetryThrottled => "throttled",
            Decision::RetryNotSent => "request not sent",
            Decision::RetryAmbiguous => "transient failure, action is retryable",
            Decision::CorrectClock => "clock skew",
            Decision::Stop => "not retryable",
            Decision::StopNotIdempotent => "may have reached the service; action is not idempotent",
        }
    }
}

/// Classify a failed attempt. `idempotent` already folds in the policy's opt-in.
pub(crate) fn classify(err: &Error, idempotent: bool) -> Decision {
    let ambiguous = || {
        if idempotent {
            Decision::RetryAmbiguous
        } else {
            Decision::StopNotIdempotent
        }
    };
    match err {
        Error::Service(svc) => {
            if svc.code.is_throttling() {
                Decision::RetryThrottled
            } else if svc.code.is_clock_skew() {
                Decision::CorrectClock
            } else if svc.code.is_transient() || svc.code.is_retryable() {
                ambiguous()
            } else {
                Decision::Stop
            }
        }
        Error::Transport { sent, .. } | Error::Timeout { sent, .. } => {
            if *sent {
                ambiguous()
            } else {
                Decision::RetryNotSent
            }
        }
        Error::HttpStatus { status, .. } => match *status {
            429 => Decision::RetryThrottled,
            500..=599 => ambiguous(),
            _ => Decision::Stop,
        },
        _ => Decision::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb_errors::{ServiceError, TransportKind};

    fn svc(code: &str) -> Error {
        Error::Service(ServiceError::new(code, "m", Some("rid".into())))
    }

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350))
            .jitter(false);
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(350));
        assert_eq!(p.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let p = RetryPolicy::default().base_delay(Duration::from_millis(100));
        for _ in 0..200 {
            let d = p.backoff(2);
            assert!(d >= Duration::from_millis(100) && d <= Duration::from_millis(200));
        }
    }

    #[test]
    fn classification_table() {
        assert_eq!(
            classify(&svc("RequestLimitExceeded"), false),
            Decision::RetryThrottled
        );
        assert_eq!(
            classify(&svc("AuthFailure.SignatureExpire"), false),
            Decision::CorrectClock
        );
        assert_eq!(
            classify(&svc("InternalError"), false),
            Decision::StopNotIdempotent
        );
        assert_eq!(
            classify(&svc("InternalError"), true),
            Decision::RetryAmbiguous
        );
        assert_eq!(classify(&svc("InvalidParameter"), true), Decision::Stop);
        let not_sent = Error::Transport {
            kind: TransportKind::Connect,
            message: "refused".into(),
            sent: false,
        };
        assert_eq!(classify(&not_sent, false), Decision::RetryNotSent);
        let reset = Error::Transport {
            kind: TransportKind::Reset,
            message: "reset".into(),
            sent: true,
        };
        assert_eq!(classify(&reset, false), Decision::StopNotIdempotent);
        assert_eq!(classify(&reset, true), Decision::RetryAmbiguous);
        let gw = Error::HttpStatus {
            status: 502,
            snippet: String::new(),
            request_id: None,
        };
        assert_eq!(classify(&gw, true), Decision::RetryAmbiguous);
        let nf = Error::HttpStatus {
            status: 404,
            snippet: String::new(),
            request_id: None,
        };
        assert_eq!(classify(&nf, true), Decision::Stop);
    }
}
