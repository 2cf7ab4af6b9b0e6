//! [`SecretUrl`]: a pre-signed download URL, which is a credential (its query string is a
//! signature). It is never logged, shown in `Debug`, or put in an error.

use std::fmt;

use mongodb_errors::Error;

/// What stands in for a URL or its query in messages.
const REDACTED: &str = "<redacted URL>";

/// A download URL. Only its host (for logs) and its path (to name the object) are ever
/// shown.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SecretUrl(String);

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({}/** redacted **)", self.host())
    }
}

impl SecretUrl {
    pub(crate) fn new(url: impl Into<String>) -> SecretUrl {
        SecretUrl(url.into().trim().to_owned())
    }

    /// The URL itself, for the request only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    fn after_scheme(&self) -> &str {
        self.0.split_once("://").map_or(&self.0, |(_, rest)| rest)
    }

    /// `host[:port]`, safe to log.
    pub(crate) fn host(&self) -> &str {
        let rest = self.after_scheme();
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        // Credentials in the authority (`user:pass@host`) are dropped.
        rest[..end].rsplit('@').next().unwrap_or("")
    }

    /// `host[:port]/path` without the query: names the object (a record's identity when the
    /// caller gives no other).
    pub(crate) fn object(&self) -> String {
        let rest = self.after_scheme();
        let path_start = rest.find('/').unwrap_or(rest.len());
        let path_end = rest.find(['?', '#']).unwrap_or(rest.len()).max(path_start);
        format!("{}{}", self.host(), &rest[path_start..path_end])
    }

    /// `text` with this URL, its query and each long query value replaced.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(&self.0, REDACTED);
        if let Some((_, query)) = self.0.split_once('?') {
            if !query.is_empty() {
                out = out.replace(query, REDACTED);
            }
            for value in query
                .split('&')
                .filter_map(|kv| kv.split_once('=').map(|p| p.1))
            {
                if value.len() >= 8 {
                    out = out.replace(value, REDACTED);
                }
            }
        }
        out
    }

    /// `e` with every message that could quote the URL scrubbed (HTTP stacks put the URL in
    /// some of theirs).
    pub(crate) fn scrub_error(&self, e: Error) -> Error {
        match e {
            Error::Transport {
                kind,
                message,
                sent,
            } => Error::Transport {
                kind,
                message: self.scrub(&message),
                sent,
            },
            Error::Timeout { message, sent } => Error::Timeout {
                message: self.scrub(&message),
                sent,
            },
            Error::Config { message } => Error::Config {
                message: self.scrub(&message),
            },
            Error::HttpStatus {
                status,
                snippet,
                request_id,
            } => Error::HttpStatus {
                status,
                snippet: self.scrub(&snippet),
                request_id,
            },
            Error::MalformedResponse {
                reason,
                snippet,
                request_id,
            } => Error::MalformedResponse {
                reason: self.scrub(&reason),
                snippet: self.scrub(&snippet),
                request_id,
            },
            Error::InvalidInput { parameter, message } => Error::InvalidInput {
                parameter,
                message: self.scrub(&message),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_host_and_path_are_shown() {
        let u = SecretUrl::new(
            "https://user:pw@bucket.cos.ap-guangzhou.myqcloud.com:443/a/b.tar?q-ak=AKID&q-signature=0123456789abcdef",
        );
        assert_eq!(u.host(), "bucket.cos.ap-guangzhou.myqcloud.com:443");
        assert_eq!(
            u.object(),
            "bucket.cos.ap-guangzhou.myqcloud.com:443/a/b.tar"
        );
        let shown = format!("{u:?}");
        assert!(
            !shown.contains("signature") && !shown.contains("pw"),
            "{shown}"
        );
        let text = format!("GET {} failed; q=q-signature=0123456789abcdef", u.expose());
        let s = u.scrub(&text);
        assert!(!s.contains("0123456789abcdef"), "{s}");
        assert_eq!(SecretUrl::new("http://h").object(), "h");
        assert_eq!(SecretUrl::new("http://h?x=1").object(), "h");
    }
}
