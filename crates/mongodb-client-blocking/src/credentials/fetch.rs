//! HTTP for credential endpoints (metadata service, STS): one agent shared with the API calls
//! when the client builds the chain, small timeouts, and retries with backoff.

use std::io::Read;
use std::time::Duration;

use mongodb_errors::{Error, ServiceError};

use crate::net::HttpSettings;
use crate::retry::{classify, Class, RetryPolicy};
use crate::transport::{map_error, map_read_error};

/// Largest answer read from a credential endpoint.
const MAX_ANSWER: u64 = 1024 * 1024;

/// An agent, a per-request timeout and a retry policy for credential fetches.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    agent: ureq::Agent,
    timeout: Duration,
    retry: RetryPolicy,
}

/// One answer, read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
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

    fn read(mut resp: ureq::http::Response<ureq::Body>) -> Result<Reply, Error> {
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        resp.body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .reader()
            .take(MAX_ANSWER)
            .read_to_end(&mut body)
            .map_err(|e| map_read_error(e, MAX_ANSWER))?;
        Ok(Reply { status, body })
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

    /// Run `attempt` until it succeeds, fails for good, or the policy's attempts run out,
    /// waiting with backoff in between. Throttling, 5xx answers and transient service codes
    /// are retried (a credential fetch is safe to repeat); failures to connect only when
    /// `retry_unreachable` (the metadata service is simply absent off CVM).
    pub(crate) fn retrying<T>(
        &self,
        what: &str,
        retry_unreachable: bool,
        mut attempt: impl FnMut() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut n = 1;
        loop {
            let err = match attempt() {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let again = match classify(&err, true) {
                Class::Throttled | Class::Ambiguous => true,
                Class::NotSent => retry_unreachable,
                _ => false,
            };
            if !again || n >= self.retry.max_attempts() {
                return Err(err);
            }
            let delay = self
                .retry
                .backoff_with(n, &mut crate::retry::random_fraction);
            log::debug!("{what}: attempt {n} failed ({err}); retrying in {delay:?}");
            std::thread::sleep(delay);
            n += 1;
        }
    }
}

/// A reply that is not HTTP 200 as an error the classifier understands.
pub(crate) fn require_ok(reply: Reply) -> Result<Vec<u8>, Error> {
    if reply.status == 200 {
        Ok(reply.body)
    } else {
        Err(Error::HttpStatus {
            status: reply.status,
            snippet: Error::snippet(&reply.body),
            request_id: None,
        })
    }
}

/// The `Response` object of an API answer, or the service's error as [`Error::Service`].
pub(crate) fn api_response(body: &[u8]) -> Result<serde_json::Value, Error> {
    let mut v: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Error::MalformedResponse {
            reason: "the answer is not JSON".into(),
            snippet: Error::snippet(body),
            request_id: None,
        })?;
    let r = v
        .get_mut("Response")
        .map(serde_json::Value::take)
        .unwrap_or_default();
    if let Some(err) = r.get("Error") {
        return Err(Error::Service(ServiceError::new(
            err["Code"].as_str().unwrap_or("Unknown"),
            err["Message"].as_str().unwrap_or(""),
            r["RequestId"].as_str().map(str::to_string),
        )));
    }
    Ok(r)
}
