//! HTTP for credential endpoints (metadata service, STS): one agent shared with the API calls
//! when the client builds the chain, small timeouts, the client's retry state machine, and the
//! client's corrected clock.

use std::io::Read;
use std::time::{Duration, Instant};

use mongodb_errors::Error;
use serde::Deserialize;
use tc_sign::Credentials;

use super::provider::{make_credentials, unix_now, ServerClock};
use crate::net::HttpSettings;
use crate::retry::{Next, RetryPolicy, RetryState};
use crate::transport::{map_error, map_read_error, parse_http_date};

/// Largest answer read from a credential endpoint.
const MAX_ANSWER: u64 = 1024 * 1024;

/// An agent, a per-request timeout, a retry policy and a clock for credential fetches.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    agent: ureq::Agent,
    timeout: Duration,
    retry: RetryPolicy,
    clock: ServerClock,
}

/// One answer, read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The `Date` header, to correct the clock after `AuthFailure.SignatureExpire`.
    date: Option<String>,
}

/// Whether a request that never left this machine is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsent {
    /// Retry it, as any other transient failure (STS).
    Retry,
    /// Give up at once (the metadata service, absent off CVM).
    GiveUp,
}

impl Fetcher {
    /// An agent with the default settings (proxy from the environment).
    pub(crate) fn standalone(timeout: Duration) -> Fetcher {
        let agent = HttpSettings::default()
            .agent()
            .unwrap_or_else(|_| ureq::Agent::new_with_defaults());
        Fetcher::with_agent(agent, timeout)
    }

    /// Share `agent` (its proxy and TLS settings).
    pub(crate) fn with_agent(agent: ureq::Agent, timeout: Duration) -> Fetcher {
        Fetcher {
            agent,
            timeout,
            retry: RetryPolicy::default()
                .with_base_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(2)),
            clock: ServerClock::default(),
        }
    }

    pub(crate) fn set_agent(&mut self, agent: ureq::Agent) {
        self.agent = agent;
    }

    pub(crate) fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    pub(crate) fn set_retry(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    /// Sign and stamp with this clock (the client's, so a correction learned by either side
    /// serves both).
    pub(crate) fn set_clock(&mut self, clock: ServerClock) {
        self.clock = clock;
    }

    fn read(mut resp: ureq::http::Response<ureq::Body>) -> Result<Reply, Error> {
        let status = resp.status().as_u16();
        let date = resp
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut body = Vec::new();
        resp.body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .reader()
            .take(MAX_ANSWER)
            .read_to_end(&mut body)
            .map_err(|e| map_read_error(e, MAX_ANSWER))?;
        Ok(Reply { status, body, date })
    }

    /// One GET; any status comes back as a reply.
    pub(crate) fn get(&self, url: &str) -> Result<Reply, Error> {
        let resp = self
            .agent
            .get(url)
            .config()
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.timeout.min(Duration::from_secs(2))))
            .build()
            .call()
            .map_err(|e| map_error(e, false))?;
        Self::read(resp)
    }

    /// One POST with these headers; any status comes back as a reply.
    pub(crate) fn post<K: AsRef<str>, V: AsRef<str>>(
        &self,
        url: &str,
        headers: impl IntoIterator<Item = (K, V)>,
        body: &[u8],
    ) -> Result<Reply, Error> {
        let mut req = self
            .agent
            .post(url)
            .config()
            .timeout_global(Some(self.timeout))
            .build();
        for (k, v) in headers {
            req = req.header(k.as_ref(), v.as_ref());
        }
        let resp = req.send(body).map_err(|e| map_error(e, false))?;
        Self::read(resp)
    }

    /// Send with `send` (given the corrected time to sign or stamp with) and read the reply
    /// with `decode`, until it succeeds, fails for good, or the policy's attempts run out. The
    /// client's [`RetryState`] decides, as for API calls (a credential fetch is safe to
    /// repeat): throttling, 5xx answers and transient service codes are retried with backoff,
    /// a request that never left this machine only with [`Unsent::Retry`], and a signature
    /// rejected as expired once more at once, with the clock corrected from the answer's
    /// `Date` (and the correction kept in the shared clock).
    pub(crate) fn retrying<T>(
        &self,
        what: &str,
        unsent: Unsent,
        mut send: impl FnMut(i64) -> Result<Reply, Error>,
        decode: impl Fn(&Reply) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let attempts = self.retry.max_attempts();
        let total = (self.timeout + self.retry.backoff_ceiling(attempts)) * attempts;
        let mut state = RetryState::new(&self.retry, true, total);
        if unsent == Unsent::GiveUp {
            state = state.unsent_is_final();
        }
        let start = Instant::now();
        loop {
            let (result, date) = match send(self.clock.now()) {
                Ok(reply) => (decode(&reply), reply.date),
                Err(e) => (Err(e), None),
            };
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let server_offset = date
                .as_deref()
                .and_then(parse_http_date)
                .map(|server| server - unix_now());
            match state.on_failure(&err, start.elapsed(), server_offset, self.clock.offset()) {
                Next::RetryAfter { delay, reason } => {
                    log::debug!(
                        "{what}: attempt failed ({err}); retrying in {delay:?} ({reason}), attempt {}/{attempts}",
                        state.attempt()
                    );
                    std::thread::sleep(delay);
                }
                Next::CorrectClock { offset } => {
                    self.clock.set_offset(offset);
                    log::warn!(
                        "{what}: signature rejected as expired; server clock is {offset:+} s from ours, retrying once with the corrected time"
                    );
                }
                Next::GiveUp(_) => return Err(err),
            }
        }
    }
}

/// The body of a reply that is HTTP 200, else an error the classifier understands.
pub(crate) fn require_ok(reply: &Reply) -> Result<&[u8], Error> {
    if reply.status == 200 {
        Ok(&reply.body)
    } else {
        Err(Error::HttpStatus {
            status: reply.status,
            snippet: Error::snippet(&reply.body),
            request_id: None,
        })
    }
}

/// What STS answers `AssumeRole` and `AssumeRoleWithWebIdentity` with (inside `Response`).
#[derive(Debug, Deserialize)]
pub(crate) struct StsAnswer {
    #[serde(rename = "Credentials")]
    credentials: TmpCredentials,
    /// When the credentials expire, in Unix seconds.
    #[serde(rename = "ExpiredTime", default)]
    expired_time: Option<i64>,
}

#[derive(Deserialize)]
struct TmpCredentials {
    #[serde(rename = "TmpSecretId", default)]
    id: String,
    #[serde(rename = "TmpSecretKey", default)]
    key: String,
    #[serde(rename = "Token", default)]
    token: String,
}

impl std::fmt::Debug for TmpCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TmpCredentials")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl StsAnswer {
    /// Decode an STS reply with the models' envelope rules: an error answer is the service's
    /// [`Error::Service`], a body that doesn't fit is [`Error::MalformedResponse`].
    pub(crate) fn decode(reply: &Reply) -> Result<StsAnswer, Error> {
        mongodb_models::decode_response::<StsAnswer>(require_ok(reply)?).map(|env| env.response)
    }

    /// The temporary credentials and their expiry (`default_expiry` when the answer has none).
    pub(crate) fn credentials(
        self,
        what: &str,
        default_expiry: i64,
    ) -> Result<(Credentials, i64), Error> {
        let c = self.credentials;
        let creds = make_credentials(&c.id, &c.key, Some(&c.token), what)?;
        Ok((creds, self.expired_time.unwrap_or(default_expiry)))
    }
}
