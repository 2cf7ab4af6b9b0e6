//! The client, `ClientBuilder::build`, and the one call loop: rate limit, attempt, then ask
//! the retry state what to do.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mongodb_errors::Error;
use mongodb_models::Action;
use tc_sign::{HttpMethod, SignableBody, Signer, SigningParams};

use crate::config::{CallOptions, ClientBuilder, Config, Resolved};
use crate::credentials::{unix_now, ProvideCredentials, ServerClock};
use crate::ratelimit::RateLimiter;
use crate::retry::{Next, RetryState, NOT_RETRYABLE};
use crate::transport;

/// A client of the TencentDB for MongoDB API (`mongodb`, version `2019-07-25`).
///
/// Cloning is cheap and every clone shares one connection pool, one signing-key cache, one
/// rate limiter and one learned clock offset, so create one client and hand clones to threads.
/// `Client` is `Send + Sync`.
///
/// Besides the generic [`call`](Client::call) and [`call_json`](Client::call_json), the client
/// has one method per action named after it in snake case, e.g.
/// `client.create_backup_db_instance(&req)`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    agent: ureq::Agent,
    signer: Signer,
    provider: Arc<dyn ProvideCredentials>,
    limiter: Option<RateLimiter>,
    /// The server's clock, learned from `Date` headers; shared with the default chain's STS
    /// and OIDC calls.
    clock: ServerClock,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("Client")
            .field("endpoint", &c.url)
            .field("region", &c.region)
            .field("method", &c.method)
            .field("credentials", &self.inner.provider)
            .field("retry", &c.retry)
            .field("rate_limit", &c.rate_limit)
            .finish_non_exhaustive()
    }
}

/// What one call sends: the action and its already-encoded parameters.
struct Outgoing<'a> {
    action: &'a str,
    idempotent: bool,
    /// POST: the JSON body. GET: the query string.
    payload: Vec<u8>,
}

impl Client {
    /// Start configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: region from `TENCENTCLOUD_REGION` (else
    /// tccli's configuration), credentials from the [`DefaultChain`](crate::DefaultChain),
    /// defaults for the rest.
    pub fn from_env() -> Result<Client, Error> {
        Client::builder().build()
    }

    fn from_parts(
        config: Config,
        agent: ureq::Agent,
        provider: Arc<dyn ProvideCredentials>,
        clock: ServerClock,
    ) -> Client {
        let limiter = config.rate_limit.map(RateLimiter::new);
        Client {
            inner: Arc::new(Inner {
                config,
                agent,
                signer: Signer::new(),
                provider,
                limiter,
                clock,
            }),
        }
    }

    /// The URL requests go to.
    pub fn endpoint(&self) -> &str {
        &self.inner.config.url
    }

    /// The region sent with every request, if any.
    pub fn region(&self) -> Option<&str> {
        self.inner.config.region.as_deref()
    }

    /// Seconds added to the local clock when signing, learned from the server after an
    /// `AuthFailure.SignatureExpire` answer (0 until then). The default credential chain's STS
    /// and OIDC calls share it: a correction learned by either serves both.
    pub fn clock_offset_secs(&self) -> i64 {
        self.inner.clock.offset()
    }

    pub(crate) fn agent(&self) -> &ureq::Agent {
        &self.inner.agent
    }

    /// Call an action with a typed request and decode the typed response.
    ///
    /// Retries, rate limiting, signing and decoding are described on
    /// [`RetryPolicy`](crate::RetryPolicy) and [`ClientBuilder`].
    pub fn call<A: Action>(&self, req: &A) -> Result<A::Response, Error> {
        self.call_with(req, &CallOptions::default())
    }

    /// [`call`](Client::call) with per-call overrides of timeout and retry policy.
    pub fn call_with<A: Action>(&self, req: &A, opts: &CallOptions) -> Result<A::Response, Error> {
        let payload = match self.inner.config.method {
            HttpMethod::Get => mongodb_models::form::encode(req).into_bytes(),
            _ => serde_json::to_vec(req).map_err(|e| Error::InvalidInput {
                parameter: None,
                message: format!("the request could not be encoded as JSON: {e}"),
            })?,
        };
        let out = Outgoing {
            action: A::NAME,
            idempotent: A::IDEMPOTENT,
            payload,
        };
        self.execute(&out, opts, |body| {
            mongodb_models::decode_response::<A::Response>(body).map(|env| {
                let rid = env.request_id.clone();
                (env.response, rid)
            })
        })
    }

    /// Call any action by name with JSON parameters (for actions newer than the models) and
    /// return the response object without the `Response` wrapper.
    ///
    /// Whether the action counts as idempotent (retried after ambiguous failures) is decided by
    /// [`mongodb_models::is_idempotent`]: the same rule as the typed calls, applied to the name
    /// for actions the models don't know.
    pub fn call_json(
        &self,
        action: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.call_json_with(action, params, &CallOptions::default())
    }

    /// [`call_json`](Client::call_json) with per-call overrides.
    pub fn call_json_with(
        &self,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<serde_json::Value, Error> {
        if action.is_empty() || !action.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::InvalidInput {
                parameter: Some("Action".into()),
                message: format!("{action:?} is not an action name like DescribeDBInstances"),
            });
        }
        let params = match params {
            serde_json::Value::Null => serde_json::Value::Object(Default::default()),
            v @ serde_json::Value::Object(_) => v,
            other => {
                return Err(Error::InvalidInput {
                    parameter: None,
                    message: format!(
                        "parameters must be a JSON object, got {}",
                        Error::snippet(other.to_string().as_bytes())
                    ),
                })
            }
        };
        let name = mongodb_models::find_action(action).map_or(action, |info| info.name);
        let idempotent = mongodb_models::is_idempotent(action);
        let payload = match self.inner.config.method {
            HttpMethod::Get => mongodb_models::form::encode(&params).into_bytes(),
            _ => serde_json::to_vec(&params).unwrap_or_default(),
        };
        let out = Outgoing {
            action: name,
            idempotent,
            payload,
        };
        self.execute(&out, opts, |body| {
            mongodb_models::decode_response::<serde_json::Value>(body).map(|env| {
                let rid = env.request_id.clone();
                (env.response, rid)
            })
        })
    }

    /// The one call loop: wait for the rate limiter, make an attempt, and let the retry state
    /// decide what a failure means.
    fn execute<T>(
        &self,
        out: &Outgoing<'_>,
        opts: &CallOptions,
        decode: impl Fn(&[u8]) -> Result<(T, Option<String>), Error>,
    ) -> Result<T, Error> {
        let cfg = &self.inner.config;
        let policy = opts.retry.as_ref().unwrap_or(&cfg.retry);
        let timeout = opts.timeout.unwrap_or(cfg.timeout);
        let max_attempts = policy.max_attempts();
        let total = opts
            .total_timeout
            .or(cfg.total_timeout)
            .unwrap_or_else(|| (timeout + policy.backoff_ceiling(max_attempts)) * max_attempts);
        let method = cfg.method.as_str();
        let url = match cfg.method {
            HttpMethod::Get if !out.payload.is_empty() => {
                format!("{}?{}", cfg.url, String::from_utf8_lossy(&out.payload))
            }
            _ => cfg.url.clone(),
        };
        if cfg.log_bodies {
            let body = String::from_utf8_lossy(&out.payload);
            log::trace!("{method} {} request body: {body}", out.action);
        }
        let mut state = RetryState::new(policy, out.idempotent, total);
        let start = Instant::now();
        loop {
            self.wait_for_rate_limit(out.action);
            let attempt = state.attempt();
            let Some(budget) = state.time_left(start.elapsed()) else {
                return Err(Error::Timeout {
                    message: format!(
                        "{} gave up after {total:?} (total timeout) before attempt {attempt}",
                        out.action
                    ),
                    sent: attempt > 1,
                });
            };
            let attempt_started = Instant::now();
            let (result, date) = self.attempt(out, &url, timeout.min(budget), &decode);
            let elapsed = attempt_started.elapsed();
            let err = match result {
                Ok((value, rid)) => {
                    let rid = rid.as_deref().unwrap_or("-");
                    log::info!(
                        "{method} {} ok in {elapsed:?} (attempt {attempt}) RequestId={rid}",
                        out.action
                    );
                    return Ok(value);
                }
                Err(e) => e,
            };
            log::info!(
                "{method} {} failed in {elapsed:?} (attempt {attempt}/{max_attempts}) RequestId={}: {err}",
                out.action,
                err.request_id().unwrap_or("-"),
            );
            let server_offset = date
                .as_deref()
                .and_then(transport::parse_http_date)
                .map(|server| server - unix_now());
            match state.on_failure(
                &err,
                start.elapsed(),
                server_offset,
                self.clock_offset_secs(),
            ) {
                Next::RetryAfter { delay, reason } => {
                    log::warn!(
                        "{}: retrying in {delay:?} ({reason}), attempt {}/{max_attempts}",
                        out.action,
                        state.attempt()
                    );
                    std::thread::sleep(delay);
                }
                Next::CorrectClock { offset } => {
                    self.inner.clock.set_offset(offset);
                    log::warn!(
                        "{}: signature rejected as expired; server clock is {offset:+} s from ours, retrying once with the corrected time",
                        out.action
                    );
                }
                Next::GiveUp(why) => {
                    if why != NOT_RETRYABLE {
                        log::warn!("{}: {why}", out.action);
                    }
                    return Err(err);
                }
            }
        }
    }

    /// Sleep until the client-side rate limiter lets `action` through.
    fn wait_for_rate_limit(&self, action: &str) {
        if let Some(limiter) = &self.inner.limiter {
            let wait = limiter.reserve(action);
            if !wait.is_zero() {
                log::debug!("{action}: client-side rate limit, waiting {wait:?}");
                std::thread::sleep(wait);
            }
        }
    }

    /// One signed exchange; returns the decoded result and the server's `Date` header.
    #[allow(clippy::type_complexity)] // reason: a private helper's tuple, named at its one call site
    fn attempt<T>(
        &self,
        out: &Outgoing<'_>,
        url: &str,
        timeout: Duration,
        decode: &impl Fn(&[u8]) -> Result<(T, Option<String>), Error>,
    ) -> (Result<(T, Option<String>), Error>, Option<String>) {
        let cfg = &self.inner.config;
        let creds = match self.inner.provider.provide() {
            Ok(c) => c,
            Err(e) => return (Err(e), None),
        };
        let timestamp = self.inner.clock.now();
        // GET: the parameters are the query string (form-encoded, so ASCII) and there is no body.
        let (query, body): (&str, &[u8]) = match cfg.method {
            HttpMethod::Get => (std::str::from_utf8(&out.payload).unwrap_or_default(), &[]),
            HttpMethod::Post => ("", &out.payload),
        };
        let params = match SigningParams::builder()
            .method(cfg.method)
            .service(mongodb_models::SERVICE)
            .host(&cfg.host)
            .action(out.action)
            .version(mongodb_models::API_VERSION)
            .timestamp(timestamp)
            .path(&cfg.path)
            .query(query)
            .payload(SignableBody::Bytes(body))
            .set_region(cfg.region.as_deref())
            .set_language(cfg.language.map(|l| l.as_str()))
            .request_client(&cfg.request_client)
            .build()
        {
            Ok(p) => p,
            Err(e) => {
                let message = format!("{}: cannot sign the request: {e}", out.action);
                return (
                    Err(Error::InvalidInput {
                        parameter: None,
                        message,
                    }),
                    None,
                );
            }
        };
        let signed = self.inner.signer.sign_headers(&creds, &params);
        log::debug!(
            "{} {} -> {} (timestamp {timestamp}, timeout {:?})",
            cfg.method.as_str(),
            out.action,
            cfg.host,
            timeout
        );
        let answer = match transport::exchange(
            &self.inner.agent,
            cfg.method,
            url,
            signed.iter(),
            body,
            timeout,
            cfg.max_response_size,
        ) {
            Ok(a) => a,
            Err(e) => return (Err(e), None),
        };
        if cfg.log_bodies {
            log::trace!(
                "{} response body: {}",
                out.action,
                String::from_utf8_lossy(&answer.body)
            );
        }
        let result = if answer.status != 200 {
            Err(Error::HttpStatus {
                status: answer.status,
                snippet: Error::snippet(&answer.body),
                request_id: transport::request_id_in(&answer.body),
            })
        } else {
            decode(&answer.body)
        };
        (result, answer.date)
    }
}

impl ClientBuilder {
    /// Check the settings and create the client. Fails with [`Error::Config`] naming the
    /// setting at fault (endpoint, region, timeouts, proxy, CA bundle, request client, tccli's
    /// files).
    pub fn build(self) -> Result<Client, Error> {
        let Resolved {
            config,
            agent,
            provider,
            clock,
        } = self.resolve()?;
        Ok(Client::from_parts(config, agent, provider, clock))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn client_is_send_sync_clone() {
        assert_send_sync::<Client>();
    }
}
