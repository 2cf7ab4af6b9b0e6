//! What every command that talks to the service shares: the global settings read from the
//! command line ([`Globals`]) and a connected client ([`Session`]), with the embedded emulator
//! behind it in `--emulator` mode.
//!
//! This is the one place a client is built from the command line. The client reads most
//! configuration itself (credentials, tccli's region and endpoint defaults); what it leaves to
//! the command line plugs in here: the profile named by `--profile`, and tccli's
//! `_sys_param.output` and `_sys_param.language` of the profile in use as the defaults of
//! `--output` and `--language`.
//!
//! The profile in use is the one tccli would use: `--profile`, else `TCCLI_PROFILE`, else
//! `default`. As in tccli, `--profile` also beats the environment (`TENCENTCLOUD_SECRET_ID`,
//! `TENCENTCLOUD_REGION`), while a profile chosen by `TCCLI_PROFILE` comes after it.

use std::path::PathBuf;
use std::time::Duration;

use clap::ArgMatches;
use mongodb_client_blocking::tccli::TccliProfile;
use mongodb_client_blocking::{
    Client, EnvSource, Error, HttpMethod, Language, RetryPolicy, WaitOptions,
};

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
    /// `--profile`: the profile named on the command line.
    pub profile: Option<String>,
    /// `--ca-bundle`: more CA certificates to trust (PEM).
    pub ca_bundle: Option<PathBuf>,
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
            ca_bundle: m.get_one::<PathBuf>("ca-bundle").cloned(),
            language,
            format: s("output").as_deref().and_then(Format::parse),
            max_attempts: m.get_one::<u32>("max-attempts").copied(),
            emulator: m.get_flag("emulator"),
            verbose: m.get_flag("verbose"),
        })
    }
}

impl Globals {
    /// The name of the profile in use: `--profile`, else `TCCLI_PROFILE`, else `default`, as
    /// tccli chooses it.
    pub fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| {
                std::env::var("TCCLI_PROFILE")
                    .ok()
                    .filter(|p| !p.trim().is_empty())
            })
            .unwrap_or_else(|| "default".to_string())
    }

    /// tccli's files of the profile in use (`~/.tccli/<profile>.configure` and `.credential`),
    /// or `None` when the home directory is unknown. A file that is not a JSON object fails
    /// with exit 4 naming it.
    pub fn tccli_profile(&self) -> Result<Option<TccliProfile>, Failure> {
        let env = EnvSource::process();
        let Some(home) = env.home() else {
            return Ok(None);
        };
        Ok(Some(TccliProfile::load(home, &self.profile_name())?))
    }

    /// How an API action's response is printed: `--output`, else the profile's
    /// `_sys_param.output` (as in tccli), else JSON.
    pub fn action_format(&self) -> Result<Format, Failure> {
        if let Some(f) = self.format {
            return Ok(f);
        }
        let Some(profile) = self.tccli_profile()? else {
            return Ok(Format::Json);
        };
        match profile.output() {
            None => Ok(Format::Json),
            Some(v) => Format::parse(v)
                .ok_or_else(|| profile_value_error(&profile, "output", v, "json, table or text")),
        }
    }
}

/// A configuration failure (exit 4) for a bad `_sys_param` value of a tccli profile.
fn profile_value_error(profile: &TccliProfile, key: &str, value: &str, allowed: &str) -> Failure {
    Failure::Sdk(Error::Config {
        message: format!(
            "{} sets {key} to {value:?}, which is not one of {allowed}; fix it with `tcmongo configure set {key} VALUE{}`",
            profile.configure_path().display(),
            if profile.name() == "default" {
                String::new()
            } else {
                format!(" --profile {}", profile.name())
            }
        ),
    })
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
    /// `--emulator` mode). Bad configuration fails with exit code 4; so do missing or broken
    /// credentials, when the first call asks for them.
    pub fn connect(g: &Globals) -> Result<Self, Failure> {
        let mut builder = Client::builder();
        let language = match g.language {
            Some(l) => Some(l),
            None => configured_language(g)?,
        };
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
        if let Some(l) = language {
            builder = builder.language(l);
        }
        if let Some(path) = &g.ca_bundle {
            builder = builder.ca_bundle(path.clone());
        }
        if let Some(t) = g.timeout {
            builder = builder.timeout(t);
        }
        if let Some(n) = g.max_attempts {
            builder = builder.retry(RetryPolicy::default().with_max_attempts(n));
        }
        let client = builder.build()?;
        log::debug!(
            "profile {}, region {}, endpoint {}",
            g.profile_name(),
            client.region().unwrap_or("(none)"),
            client.endpoint()
        );
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

/// tccli's `_sys_param.language` of the profile in use, the default of `--language`.
fn configured_language(g: &Globals) -> Result<Option<Language>, Failure> {
    let Some(profile) = g.tccli_profile()? else {
        return Ok(None);
    };
    match profile.language() {
        None => Ok(None),
        Some(v) => v
            .parse::<Language>()
            .map(Some)
            .map_err(|_| profile_value_error(&profile, "language", v, "en-US or zh-CN")),
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
