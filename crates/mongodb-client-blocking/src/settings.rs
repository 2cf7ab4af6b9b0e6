//! Settings that are small enums rather than bools: the message language, the endpoint's host
//! style, and the retry policy's jitter and non-idempotent choices. A leaf module: the builder
//! and the retry policy read them.

use std::fmt;

use mongodb_errors::Error;

/// Language of the service's messages, sent as `X-TC-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Language {
    /// English (`en-US`).
    EnUs,
    /// Simplified Chinese (`zh-CN`).
    ZhCn,
}

impl Language {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::EnUs => "en-US",
            Language::ZhCn => "zh-CN",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Language {
    type Err = Error;

    /// Accepts `en-US`/`zh-CN` in any letter case, with `-` or `_`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "en-us" | "en" => Ok(Language::EnUs),
            "zh-cn" | "zh" => Ok(Language::ZhCn),
            _ => Err(Error::Config {
                message: format!("unknown language {s:?}; use en-US or zh-CN"),
            }),
        }
    }
}

/// Which host the client sends requests to when no endpoint is given, for
/// [`ClientBuilder::endpoint_host`](crate::ClientBuilder::endpoint_host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum EndpointHost {
    /// `mongodb.<root domain>`, which serves every region (the default, as in the official
    /// SDKs).
    #[default]
    Global,
    /// The region's own host, `mongodb.<region>.<root domain>`. Needs a region.
    Regional,
}

/// Whether the waits between attempts are randomised, for
/// [`RetryPolicy::with_jitter`](crate::RetryPolicy::with_jitter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Jitter {
    /// Each wait is drawn between half and all of its computed value ("equal jitter"), so
    /// that many clients do not retry in lockstep (the default).
    #[default]
    Equal,
    /// Each wait is exactly its computed value.
    Off,
}

/// Whether a failure that may have reached the service is retried for an action that is not
/// idempotent (`Create*`, `Modify*`, …), for
/// [`RetryPolicy::with_non_idempotent`](crate::RetryPolicy::with_non_idempotent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NonIdempotent {
    /// Never: such an action is sent again only when it surely did not reach the service
    /// (throttled, or never sent). A retried `CreateBackupDBInstance` may start two backups
    /// (the default).
    #[default]
    Never,
    /// Retry it like an idempotent action.
    Retry,
}
