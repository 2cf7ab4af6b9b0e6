//! Retries: the policy users set, the classifier that reads an error, and the state machine
//! that answers "retry after d / correct the clock / give up" for one call.
//!
//! Nothing here sleeps, reads a clock or opens a socket: the caller passes elapsed time and
//! the server's clock offset in, and the jitter source is injectable, so every decision is
//! unit-tested.

use std::time::Duration;

use mongodb_errors::Error;

use crate::settings::{Jitter, NonIdempotent};

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
///   [`with_non_idempotent(NonIdempotent::Retry)`](RetryPolicy::with_non_idempotent) opts in.
///   By default a `Create*` action is never sent twice.
///
/// Waits between attempts grow exponentially from [`base_delay`](RetryPolicy::base_delay) up to
/// [`max_delay`](RetryPolicy::max_delay), with random jitter ([`Jitter::Equal`]) so that many
/// clients do not retry in lockstep.
///
/// Settings are changed with `with_…` methods and read with methods of the plain name:
///
/// ```
/// use std::time::Duration;
/// use mongodb_client_blocking::{Jitter, NonIdempotent, RetryPolicy};
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_base_delay(Duration::from_millis(100))
///     .with_max_delay(Duration::from_secs(5))
///     .with_jitter(Jitter::Equal)
///     .with_non_idempotent(NonIdempotent::Never);
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(policy.non_idempotent(), NonIdempotent::Never);
/// assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: Jitter,
    non_idempotent: NonIdempotent,
}

impl Default for RetryPolicy {
    /// Three attempts in all, 500 ms base delay, 10 s cap, jitter on, idempotent actions only.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            jitter: Jitter::Equal,
            non_idempotent: NonIdempotent::Never,
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
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wait before the first retry; later retries double it.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Upper bound of a single wait between attempts.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether each wait is randomised between half and all of its computed value
    /// (default [`Jitter::Equal`]) or not ([`Jitter::Off`]).
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Whether failures that may have reached the service are retried for actions that are
    /// not idempotent (`Create*`, `Modify*`, …). Default [`NonIdempotent::Never`]: a retried
    /// `CreateBackupDBInstance` may start two backups.
    pub fn with_non_idempotent(mut self, choice: NonIdempotent) -> Self {
        self.non_idempotent = choice;
        self
    }

    /// Total number of attempts, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the first retry.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The longest single wait between attempts.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// Whether waits are randomised.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// Whether non-idempotent actions are retried after ambiguous failures.
    pub fn non_idempotent(&self) -> NonIdempotent {
        self.non_idempotent
    }

    /// The wait before retry number `retry` (1 for the first retry) without jitter.
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        backoff(self.base_delay, self.max_delay, retry, None)
    }

    /// The wait before retry number `retry` with this policy's jitter, drawing the random
    /// fraction from `random` (in `0.0..=1.0`).
    pub(crate) fn backoff_with(&self, retry: u32, random: &mut dyn FnMut() -> f64) -> Duration {
        let r = (self.jitter == Jitter::Equal).then(random);
        backoff(self.base_delay, self.max_delay, retry, r)
    }
}

/// Exponential backoff: `base · 2^(retry-1)`, capped at `max`; with `jitter = Some(r)` the
/// result is scaled into `[half, full]` by `r ∈ [0, 1]`. A pure function.
pub(crate) fn backoff(base: Duration, max: Duration, retry: u32, jitter: Option<f64>) -> Duration {
    let exp = retry.saturating_sub(1).min(30);
    let full = base.checked_mul(1u32 << exp).unwrap_or(max).min(max);
    match jitter {
        None => full,
        Some(r) => {
            let half = full / 2;
            half + (full - half).mul_f64(r.clamp(0.0, 1.0))
        }
    }
}

/// The process-wide random source for jitter.
pub(crate) fn random_fraction() -> f64 {
    fastrand::f64()
}

/// What a failed attempt was, as read from the error and the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// The service throttled the call.
    Throttled,
    /// The request never left this machine.
    NotSent,
    /// The request may have reached the service; retrying is allowed for this action.
    Ambiguous,
    /// The service rejected the signature as too old or too new.
    ClockSkew,
    /// Not worth another try (bad input, auth failure, …).
    Fatal,
    /// The request may have reached the service and the action is not idempotent.
    NotIdempotent,
}

impl Class {
    fn reason(self) -> &'static str {
        match self {
            Class::Throttled => "throttled",
            Class::NotSent => "request not sent",
            Class::Ambiguous => "transient failure, action is retryable",
            Class::ClockSkew => "clock skew",
            Class::Fatal => NOT_RETRYABLE,
            Class::NotIdempotent => "may have reached the service; action is not idempotent",
        }
    }
}

/// Classify a failed attempt from the error's own classification. `idempotent` already folds
/// in the policy's opt-in.
pub(crate) fn classify(err: &Error, idempotent: bool) -> Class {
    let ambiguous = if idempotent {
        Class::Ambiguous
    } else {
        Class::NotIdempotent
    };
    match err {
        Error::Service(svc) => {
            if svc.code.is_throttling() {
                Class::Throttled
            } else if svc.code.is_clock_skew() {
                Class::ClockSkew
            } else if svc.code.is_transient() || svc.code.is_retryable() {
                ambiguous
            } else {
                Class::Fatal
            }
        }
        Error::Transport { sent, .. } | Error::Timeout { sent, .. } => {
            if *sent {
                ambiguous
            } else {
                Class::NotSent
            }
        }
        Error::HttpStatus { status, .. } => match *status {
            429 => Class::Throttled,
            500..=599 => ambiguous,
            _ => Class::Fatal,
        },
        _ => Class::Fatal,
    }
}

/// Why a failure that is simply not worth repeating is given up (not worth a warning).
pub(crate) const NOT_RETRYABLE: &str = "not retryable";

/// The answer after a failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Next {
    /// Wait this long, then make the next attempt.
    RetryAfter {
        /// The wait.
        delay: Duration,
        /// Why the attempt is retried, for the log.
        reason: &'static str,
    },
    /// Sign with this offset (seconds to add to the local clock) and try again at once; the
    /// corrected attempt does not count against the policy.
    CorrectClock {
        /// The server's clock minus ours, in seconds.
        offset: i64,
    },
    /// Return the error. The text says why, for the log.
    GiveUp(String),
}

/// The smallest clock difference worth a correction, in seconds. Below it the signature
/// rejection has another cause.
const SKEW_THRESHOLD_SECS: i64 = 30;

/// The retry state of one call.
pub(crate) struct RetryState<'p> {
    policy: &'p RetryPolicy,
    idempotent: bool,
    total: Duration,
    attempt: u32,
    clock_corrected: bool,
    unsent_is_final: bool,
    random: Box<dyn FnMut() -> f64 + 'p>,
}

impl std::fmt::Debug for RetryState<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryState")
            .field("attempt", &self.attempt)
            .field("total", &self.total)
            .field("clock_corrected", &self.clock_corrected)
            .finish_non_exhaustive()
    }
}

impl<'p> RetryState<'p> {
    /// A call of an action (`idempotent` or not) under `policy`, bounded by `total`.
    pub(crate) fn new(policy: &'p RetryPolicy, idempotent: bool, total: Duration) -> Self {
        RetryState {
            policy,
            idempotent: idempotent || policy.non_idempotent == NonIdempotent::Retry,
            total,
            attempt: 1,
            clock_corrected: false,
            unsent_is_final: false,
            random: Box::new(random_fraction),
        }
    }

    /// Give up at once on a request that never left this machine, instead of retrying it: for
    /// the metadata service, which is simply absent off CVM.
    pub(crate) fn unsent_is_final(mut self) -> Self {
        self.unsent_is_final = true;
        self
    }

    /// Draw jitter from `random` instead of the process's random source.
    #[cfg(test)]
    fn with_random(mut self, random: impl FnMut() -> f64 + 'p) -> Self {
        self.random = Box::new(random);
        self
    }

    /// The number of the attempt about to be made (or just made), from 1.
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The time the next attempt may take, or `None` when the total bound has passed.
    pub(crate) fn time_left(&self, elapsed: Duration) -> Option<Duration> {
        Some(self.total.saturating_sub(elapsed)).filter(|d| !d.is_zero())
    }

    /// Decide after a failed attempt. `elapsed` is the time since the call started;
    /// `server_offset` is the server's clock minus ours (from the answer's `Date`), and
    /// `current_offset` the correction signing already uses.
    pub(crate) fn on_failure(
        &mut self,
        err: &Error,
        elapsed: Duration,
        server_offset: Option<i64>,
        current_offset: i64,
    ) -> Next {
        let class = classify(err, self.idempotent);
        match class {
            Class::ClockSkew if self.clock_corrected => {
                Next::GiveUp("clock skew reported again after correcting the clock".into())
            }
            Class::ClockSkew => {
                match server_offset.filter(|o| (o - current_offset).abs() > SKEW_THRESHOLD_SECS) {
                    Some(offset) => {
                        self.clock_corrected = true;
                        Next::CorrectClock { offset }
                    }
                    None => Next::GiveUp(
                        "clock skew reported but the answer's Date header is missing or agrees with our clock".into(),
                    ),
                }
            }
            Class::NotSent if self.unsent_is_final => {
                Next::GiveUp("request not sent; not retried here".into())
            }
            Class::Throttled | Class::NotSent | Class::Ambiguous => {
                let max = self.policy.max_attempts;
                if self.attempt >= max {
                    return Next::GiveUp(format!(
                        "giving up after {} attempt(s): {}",
                        self.attempt,
                        class.reason()
                    ));
                }
                let delay = self.policy.backoff_with(self.attempt, &mut *self.random);
                if elapsed + delay >= self.total {
                    return Next::GiveUp(format!(
                        "not retrying ({}): the total timeout {:?} would pass",
                        class.reason(),
                        self.total
                    ));
                }
                self.attempt += 1;
                Next::RetryAfter {
                    delay,
                    reason: class.reason(),
                }
            }
            Class::NotIdempotent => Next::GiveUp(format!(
                "not retrying: {} (RetryPolicy::with_non_idempotent(NonIdempotent::Retry) allows it)",
                class.reason()
            )),
            Class::Fatal => Next::GiveUp(NOT_RETRYABLE.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb_errors::{ServiceError, TransportKind};

    fn svc(code: &str) -> Error {
        Error::Service(ServiceError::new(code, "m", Some("rid".into())))
    }

    fn reset() -> Error {
        Error::Transport {
            kind: TransportKind::Reset,
            message: "reset".into(),
            sent: true,
        }
    }

    const MS: Duration = Duration::from_millis(1);
    const LONG: Duration = Duration::from_secs(3600);

    fn fast() -> RetryPolicy {
        RetryPolicy::default()
            .with_base_delay(100 * MS)
            .with_max_delay(350 * MS)
    }

    #[test]
    fn backoff_grows_and_caps() {
        let p = fast().with_jitter(Jitter::Off);
        assert_eq!(p.backoff_ceiling(1), 100 * MS);
        assert_eq!(p.backoff_ceiling(2), 200 * MS);
        assert_eq!(p.backoff_ceiling(3), 350 * MS);
        assert_eq!(p.backoff_ceiling(40), 350 * MS);
    }

    #[test]
    fn the_defaults_are_jitter_and_no_resending_of_non_idempotent_actions() {
        let p = RetryPolicy::default();
        assert_eq!(p.jitter(), Jitter::Equal);
        assert_eq!(p.non_idempotent(), NonIdempotent::Never);
        let mut s = RetryState::new(&p, false, LONG);
        assert!(matches!(
            s.on_failure(&reset(), MS, None, 0),
            Next::GiveUp(_)
        ));
        // Without jitter every wait is its ceiling.
        let p = fast().with_jitter(Jitter::Off);
        assert_eq!(p.backoff_with(2, &mut || 0.0), 200 * MS);
    }

    #[test]
    fn jitter_spans_half_to_full() {
        assert_eq!(backoff(100 * MS, LONG, 2, Some(0.0)), 100 * MS);
        assert_eq!(backoff(100 * MS, LONG, 2, Some(1.0)), 200 * MS);
        assert_eq!(backoff(100 * MS, LONG, 2, Some(0.5)), 150 * MS);
        let p = fast();
        for _ in 0..200 {
            let d = p.backoff_with(2, &mut random_fraction);
            assert!((100 * MS..=200 * MS).contains(&d), "{d:?}");
        }
    }

    #[test]
    fn classification_table() {
        assert_eq!(
            classify(&svc("RequestLimitExceeded"), false),
            Class::Throttled
        );
        assert_eq!(
            classify(&svc("AuthFailure.SignatureExpire"), false),
            Class::ClockSkew
        );
        assert_eq!(classify(&svc("InternalError"), false), Class::NotIdempotent);
        assert_eq!(classify(&svc("InternalError"), true), Class::Ambiguous);
        assert_eq!(classify(&svc("InvalidParameter"), true), Class::Fatal);
        let not_sent = Error::Transport {
            kind: TransportKind::Connect,
            message: "refused".into(),
            sent: false,
        };
        assert_eq!(classify(&not_sent, false), Class::NotSent);
        assert_eq!(classify(&reset(), false), Class::NotIdempotent);
        assert_eq!(classify(&reset(), true), Class::Ambiguous);
        let status = |status| Error::HttpStatus {
            status,
            snippet: String::new(),
            request_id: None,
        };
        assert_eq!(classify(&status(502), true), Class::Ambiguous);
        assert_eq!(classify(&status(429), false), Class::Throttled);
        assert_eq!(classify(&status(404), true), Class::Fatal);
    }

    #[test]
    fn retries_until_the_attempts_run_out_with_growing_waits() {
        let p = fast().with_max_attempts(3);
        let mut s = RetryState::new(&p, true, LONG).with_random(|| 1.0);
        let err = svc("RequestLimitExceeded");
        assert_eq!(
            s.on_failure(&err, MS, None, 0),
            Next::RetryAfter {
                delay: 100 * MS,
                reason: "throttled"
            }
        );
        assert_eq!(s.attempt(), 2);
        assert_eq!(
            s.on_failure(&err, MS, None, 0),
            Next::RetryAfter {
                delay: 200 * MS,
                reason: "throttled"
            }
        );
        match s.on_failure(&err, MS, None, 0) {
            Next::GiveUp(why) => assert!(why.contains("after 3 attempt(s)"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_idempotent_actions_give_up_unless_opted_in() {
        let p = fast();
        let mut s = RetryState::new(&p, false, LONG);
        assert!(
            matches!(s.on_failure(&reset(), MS, None, 0), Next::GiveUp(why) if why.contains("with_non_idempotent"))
        );
        let p = fast().with_non_idempotent(NonIdempotent::Retry);
        let mut s = RetryState::new(&p, false, LONG);
        assert!(matches!(
            s.on_failure(&reset(), MS, None, 0),
            Next::RetryAfter { .. }
        ));
    }

    #[test]
    fn the_total_bound_stops_a_retry_that_could_not_start_in_time() {
        let p = fast().with_jitter(Jitter::Off);
        let total = Duration::from_millis(150);
        let mut s = RetryState::new(&p, true, total);
        // 60 ms spent + 100 ms wait would pass 150 ms.
        assert!(matches!(
            s.on_failure(&reset(), 60 * MS, None, 0),
            Next::GiveUp(why) if why.contains("total timeout")
        ));
        assert_eq!(s.time_left(100 * MS), Some(50 * MS));
        assert_eq!(s.time_left(150 * MS), None);
    }

    #[test]
    fn clock_is_corrected_once_and_only_with_a_useful_date() {
        let p = RetryPolicy::disabled();
        let skew = svc("AuthFailure.SignatureExpire");
        let mut s = RetryState::new(&p, false, LONG);
        assert!(matches!(s.on_failure(&skew, MS, None, 0), Next::GiveUp(_)));
        let mut s = RetryState::new(&p, false, LONG);
        // Within the threshold of the correction already in use: not the cause.
        assert!(matches!(
            s.on_failure(&skew, MS, Some(3610), 3600),
            Next::GiveUp(_)
        ));
        assert_eq!(
            s.on_failure(&skew, MS, Some(3600), 0),
            Next::CorrectClock { offset: 3600 }
        );
        assert_eq!(s.attempt(), 1, "the corrected attempt does not count");
        assert!(matches!(
            s.on_failure(&skew, MS, Some(7200), 3600),
            Next::GiveUp(why) if why.contains("again")
        ));
    }

    #[test]
    fn unsent_requests_are_retried_unless_that_is_final() {
        let not_sent = Error::Transport {
            kind: TransportKind::Connect,
            message: "refused".into(),
            sent: false,
        };
        let p = fast();
        let mut s = RetryState::new(&p, true, LONG);
        assert!(matches!(
            s.on_failure(&not_sent, MS, None, 0),
            Next::RetryAfter { .. }
        ));
        let mut s = RetryState::new(&p, true, LONG).unsent_is_final();
        assert!(matches!(
            s.on_failure(&not_sent, MS, None, 0),
            Next::GiveUp(why) if why.contains("not sent")
        ));
        // Other failures are still retried.
        assert!(matches!(
            s.on_failure(&reset(), MS, None, 0),
            Next::RetryAfter { .. }
        ));
    }

    #[test]
    fn fatal_errors_are_not_retried() {
        let p = fast();
        let mut s = RetryState::new(&p, true, LONG);
        assert_eq!(
            s.on_failure(&svc("InvalidParameter"), MS, None, 0),
            Next::GiveUp("not retryable".into())
        );
    }
}
