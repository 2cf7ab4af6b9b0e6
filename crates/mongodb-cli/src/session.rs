//! What every command that talks to the service shares: the global settings read from the
//! command line ([`Globals`]) and a connected client ([`Session`]), with the embedded emulator
//! behind it in `--emulator` mode.
//!
//! This is the one place a client is built from the command line; configuration sources the
//! client does not read itself (profiles, configuration files) plug in here.

use std::time::Duration;

use clap::ArgMatches;
use mongodb_client_blocking::{Client, HttpMethod, Language, RetryPolicy, WaitOptions};

use crate::emulator_cmd;
use crate::exit::Failure;
use crate::output::Format;
use crate::progress::Reporter;

/// Settings from the global flags.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    /// `--region`, else `TENCENTCLOUD_REGION`.
    pub region: Option<String>,
    /// `--endpoint`, as a URL (a bare host already made `https://HOST`).
    pub endpoint: Option<String>,
    /// `--http-method`.
    pub http_method: Option<HttpMethod>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--language`.
    pub language: Option<Language>,
    /// `--output`, when given: how an API action's response is printed.
    pub format: Option<Format>,
    /// `--max-attempts`.
    pub max_attempts: Option<u32>,
    /// `--emulator` / `TCMONGO_EMULATOR`.
    pub emulator: bool,
    /// `--verbose`.
    pub verbose: bool,
}

impl Globals {
    /// Reads and validates the global flags.
    pub fn from_matches(m: &ArgMatches) -> Result<Self, Failure> {
        let s = |id: &str| m.get_one::<String>(id).cloned();
        let timeout = match s("timeout") {
            None => None,
            Some(t) => match t.trim().parse::<f64>() {
                Ok(secs) if secs.is_finite() && secs > 0.0 && secs < 1e9 => {
                    Some(Duration::from_secs_f64(secs))
                }
                _ => {
                    return Err(Failure::usage(format!(
                        "invalid value {t:?} for --timeout: expected a positive number of seconds"
                    )))
                }
            },
        };
        let http_method = s("http-method").map(|v| {
            if v.eq_ignore_ascii_case("GET") {
                HttpMethod::Get
            } else {
                HttpMethod::Post
            }
        });
        let language = s("language").map(|v| {
            if v == "zh-CN" {
                Language::ZhCn
            } else {
                Language::EnUs
            }
        });
        let region = s("region").or_else(|| {
            std::env::var("TENCENTCLOUD_REGION")
                .ok()
                .filter(|r| !r.trim().is_empty())
        });
        Ok(Globals {
            region,
            endpoint: s("endpoint").map(|e| endpoint_url(&e)),
            http_method,
            timeout,
            profile: s("profile"),
            language,
            format: s("output").as_deref().and_then(Format::parse),
            max_attempts: m.get_one::<u32>("max-attempts").copied(),
            emulator: m.get_flag("emulator"),
            verbose: m.get_flag("verbose"),
        })
    }
}

/// A connected client, plus the embedded emulator it talks to in `--emulator` mode.
#[derive(Debug)]
pub struct Session {
    /// The API client.
    pub client: Client,
    /// Progress reporting on stderr.
    pub reporter: Reporter,
    /// Keeps the embedded emulator running until the session ends.
    emulator: Option<emulator_cmd::Embedded>,
}

impl Session {
    /// Builds the client from the global settings (starting the embedded emulator first in
    /// `--emulator` mode). Missing credentials or bad configuration fail with exit code 4.
    pub fn connect(g: &Globals) -> Result<Self, Failure> {
        let mut builder = Client::builder();
        let emulator = if g.emulator {
            Some(emulator_cmd::Embedded::start()?)
        } else {
            None
        };
        if let Some(r) = &g.region {
            builder = builder.region(r.clone());
        }
        match &emulator {
            Some(emu) => {
                // The emulator is on this machine: never route it through a proxy from the
                // environment.
                builder = builder
                    .endpoint(emu.url())
                    .credentials(emu.credentials())
                    .no_proxy();
            }
            None => {
                if let Some(e) = &g.endpoint {
                    builder = builder.endpoint(e.clone());
                }
                if let Some(p) = &g.profile {
                    builder = builder.profile(p.clone());
                }
            }
        }
        if let Some(m) = g.http_method {
            builder = builder.http_method(m);
        }
        if let Some(l) = g.language {
            builder = builder.language(l);
        }
        if let Some(t) = g.timeout {
            builder = builder.timeout(t);
        }
        if let Some(n) = g.max_attempts {
            builder = builder.retry(RetryPolicy::default().with_max_attempts(n));
        }
        let client = builder.build()?;
        Ok(Session {
            client,
            reporter: Reporter::detect(),
            emulator,
        })
    }

    /// How waiters poll: every second at first, backing off to 20 s, for up to two hours;
    /// against the embedded emulator every 200 ms.
    pub fn wait_options<'a>(&self) -> WaitOptions<'a> {
        if self.emulator.is_some() {
            WaitOptions::new()
                .initial_interval(Duration::from_millis(200))
                .backoff(1.0)
        } else {
            WaitOptions::new()
                .initial_interval(Duration::from_secs(1))
                .backoff(1.5)
                .max_interval(Duration::from_secs(20))
        }
    }
}

/// The endpoint URL for an `--endpoint` value: a URL as it is, a bare host (with or without a
/// port or path) as `https://` + host, as tccli takes it.
pub fn endpoint_url(value: &str) -> String {
    let v = value.trim();
    if v.is_empty() || v.contains("://") {
        v.to_string()
    } else {
        format!("https://{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_hosts_mean_https() {
        assert_eq!(
            endpoint_url("mongodb.tencentcloudapi.com"),
            "https://mongodb.tencentcloudapi.com"
        );
        assert_eq!(endpoint_url(" 127.0.0.1:8443 "), "https://127.0.0.1:8443");
        assert_eq!(
            endpoint_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            endpoint_url("https://mongodb.ap-guangzhou.tencentcloudapi.com/"),
            "https://mongodb.ap-guangzhou.tencentcloudapi.com/"
        );
        assert_eq!(endpoint_url("ftp://example.com"), "ftp://example.com");
    }
}
