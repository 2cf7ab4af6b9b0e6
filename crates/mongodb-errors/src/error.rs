//! [`ServiceError`], [`TransportKind`] and the SDK's one [`Error`] type.

use std::fmt;

use crate::{DownloadError, ErrorCode, WaitError};

/// How many characters [`Error::snippet`] keeps before cutting.
const SNIPPET_CHARS: usize = 200;

/// An error answer from the API itself: the service understood the request and
/// replied with an error code.
///
/// Displays as `<code>: <message> (RequestId: <id>)`; the request id part is
/// left out when the answer carried none. Quote the request id when asking
/// Tencent Cloud support about a failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The error code, typed; unknown codes keep their text.
    pub code: ErrorCode,
    /// The human-readable explanation the service gave.
    pub message: String,
    /// The id the service gave the request, if the answer included one.
    pub request_id: Option<String>,
}

impl ServiceError {
    /// Builds a service error from its parts; `code` may be an [`ErrorCode`]
    /// or the code's wire text.
    pub fn new(
        code: impl Into<ErrorCode>,
        message: impl Into<String>,
        request_id: Option<String>,
    ) -> Self {
        ServiceError {
            code: code.into(),
            message: message.into(),
            request_id,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (RequestId: {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// What went wrong in the network layer, for [`Error::Transport`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection to the endpoint could not be opened (refused, unreachable).
    Connect,
    /// An open connection was closed or reset by the peer.
    Reset,
    /// The TLS handshake failed or the certificate was not trusted.
    Tls,
    /// The endpoint's host name could not be resolved.
    Dns,
    /// The configured proxy refused or failed the request.
    Proxy,
    /// Reading or writing the connection failed.
    Io,
    /// Any other transport failure.
    Other,
}

impl TransportKind {
    /// A short phrase describing the failure, used in [`Error`]'s message.
    pub fn describe(self) -> &'static str {
        match self {
            TransportKind::Connect => "could not connect to the endpoint",
            TransportKind::Reset => "the connection was closed or reset",
            TransportKind::Tls => "TLS handshake or certificate check failed",
            TransportKind::Dns => "could not resolve the endpoint's host name",
            TransportKind::Proxy => "the proxy failed the request",
            TransportKind::Io => "reading or writing the connection failed",
            TransportKind::Other => "network error",
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Every way a call through this SDK can fail.
///
/// Match on the variant to decide what to do; the helper methods
/// ([`request_id`](Error::request_id), [`code`](Error::code),
/// [`was_sent`](Error::was_sent), …) answer the common questions without a
/// match. New variants may be added, so keep a catch-all arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error code.
    #[error(transparent)]
    Service(ServiceError),

    /// The network layer failed before a complete answer arrived.
    #[error("{}: {message}{}", kind.describe(), sent_note(*sent))]
    Transport {
        /// What kind of failure it was.
        kind: TransportKind,
        /// Details from the HTTP stack.
        message: String,
        /// `true` if the request may already have reached the service.
        sent: bool,
    },

    /// No complete answer arrived in time.
    #[error("the request timed out: {message}{}", sent_note(*sent))]
    Timeout {
        /// Details: which timeout fired and its length.
        message: String,
        /// `true` if the request may already have reached the service.
        sent: bool,
    },

    /// Something between the client and the API (a gateway, proxy or load
    /// balancer) answered with an HTTP status other than 200.
    #[error(
        "HTTP {status} from the endpoint (not the API): {}{}",
        show_snippet(snippet),
        request_id_note(request_id.as_deref())
    )]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The start of the body, cleaned up by [`Error::snippet`].
        snippet: String,
        /// The request id, if one could be found in the answer.
        request_id: Option<String>,
    },

    /// The answer was not the JSON envelope the API always sends.
    #[error(
        "malformed response from the API: {reason}; the body starts with: {}{}",
        show_snippet(snippet),
        request_id_note(request_id.as_deref())
    )]
    MalformedResponse {
        /// What was wrong: not JSON, no `Response` object, an unexpected shape, …
        reason: String,
        /// The start of the body, cleaned up by [`Error::snippet`].
        snippet: String,
        /// The request id, if one could be found in the answer.
        request_id: Option<String>,
    },

    /// The answer was bigger than the client's size limit, so it was not read.
    #[error(
        "the response is larger than the {limit}-byte limit{}; raise the limit with \
         the client builder's `max_response_size` option",
        announced_note(*announced)
    )]
    ResponseTooLarge {
        /// The configured limit, in bytes.
        limit: u64,
        /// The size the server announced (`Content-Length`), if it did.
        announced: Option<u64>,
    },

    /// No usable credentials were found, or the ones found are unusable.
    #[error(
        "no usable credentials: {message}. Set TENCENTCLOUD_SECRET_ID and \
         TENCENTCLOUD_SECRET_KEY, add a profile to ~/.tencentcloud/credentials, \
         or pass credentials to the client builder"
    )]
    Credentials {
        /// What is missing or wrong (never the secret itself).
        message: String,
    },

    /// A request parameter is missing, unknown or has a wrong value; caught
    /// before anything was sent.
    #[error("invalid input{}: {message}", parameter_note(parameter.as_deref()))]
    InvalidInput {
        /// The parameter at fault, when one can be named.
        parameter: Option<String>,
        /// What is wrong and what is expected.
        message: String,
    },

    /// The client's configuration is invalid (endpoint, region, timeouts, …).
    #[error("invalid configuration: {message}")]
    Config {
        /// What is wrong and how to fix it.
        message: String,
    },

    /// Downloading a backup file failed in a way specific to downloads: a
    /// checksum or size mismatch, a locked partial file, a refused URL, a
    /// stalled transfer or a passed deadline.
    #[error(transparent)]
    Download(DownloadError),

    /// A local I/O operation failed (for example writing a downloaded backup).
    #[error("{context}: {source}")]
    Io {
        /// What the SDK was doing, e.g. the file it was writing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Waiting for an asynchronous operation ended without success: the
    /// service reported the operation as failed (or paused, undone, without
    /// the expected backup), or the deadline passed first. The
    /// [`WaitError`] says which, typed.
    #[error(transparent)]
    Wait(WaitError),
}

impl Error {
    /// The id the service gave the request, when the failure carries one
    /// (service errors, HTTP status and malformed answers that contained it,
    /// and failed waits).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id.as_deref(),
            Error::HttpStatus { request_id, .. } | Error::MalformedResponse { request_id, .. } => {
                request_id.as_deref()
            }
            Error::Wait(w) => w.request_id(),
            _ => None,
        }
    }

    /// The service's error answer, if this is [`Error::Service`].
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// Why a wait ended without success, if this is [`Error::Wait`].
    pub fn wait_error(&self) -> Option<&WaitError> {
        match self {
            Error::Wait(w) => Some(w),
            _ => None,
        }
    }

    /// The service's error code, if this is [`Error::Service`].
    pub fn code(&self) -> Option<&ErrorCode> {
        self.service_error().map(|e| &e.code)
    }

    /// `true` if the service returned a rate-limiting code
    /// (see [`ErrorCode::is_throttling`]).
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(ErrorCode::is_throttling)
    }

    /// `true` when the request may have reached the service, so it may have
    /// taken effect: any answer was received (service error, HTTP status,
    /// malformed or oversized response), a timeout or transport failure that
    /// happened after sending began, or a failed wait (whose operation was
    /// submitted). `false` when the failure happened before anything was sent
    /// (credentials, invalid input, configuration, local I/O).
    pub fn was_sent(&self) -> bool {
        match self {
            Error::Service(_)
            | Error::HttpStatus { .. }
            | Error::MalformedResponse { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Wait(_) => true,
            Error::Transport { sent, .. } | Error::Timeout { sent, .. } => *sent,
            Error::Download(e) => e.was_sent(),
            Error::Credentials { .. }
            | Error::InvalidInput { .. }
            | Error::Config { .. }
            | Error::Io { .. } => false,
        }
    }

    /// Turns the start of a response body into a short, single-line excerpt
    /// for error messages: invalid UTF-8 becomes `\u{FFFD}`, runs of
    /// whitespace and control characters become one space, and the text is
    /// cut after about 200 characters with a trailing `…`.
    pub fn snippet(body: &[u8]) -> String {
        let mut out = String::new();
        let mut count = 0usize;
        let mut pending_space = false;
        let mut cut = false;
        'outer: for chunk in body.utf8_chunks() {
            let invalid = (!chunk.invalid().is_empty()).then_some('\u{FFFD}');
            for c in chunk.valid().chars().chain(invalid) {
                if c.is_whitespace() || c.is_control() {
                    pending_space = true;
                    continue;
                }
                let space = pending_space && !out.is_empty();
                if count + usize::from(space) + 1 > SNIPPET_CHARS {
                    cut = true;
                    break 'outer;
                }
                if space {
                    out.push(' ');
                    count += 1;
                }
                pending_space = false;
                out.push(c);
                count += 1;
            }
        }
        if cut {
            out.push('…');
        }
        out
    }
}

impl From<WaitError> for Error {
    fn from(e: WaitError) -> Self {
        Error::Wait(e)
    }
}

impl From<DownloadError> for Error {
    fn from(e: DownloadError) -> Self {
        Error::Download(e)
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(e)
    }
}

fn sent_note(sent: bool) -> &'static str {
    if sent {
        " (the request may have reached the service)"
    } else {
        " (the request was not sent)"
    }
}

fn show_snippet(snippet: &str) -> &str {
    if snippet.is_empty() {
        "(empty body)"
    } else {
        snippet
    }
}

fn request_id_note(id: Option<&str>) -> String {
    id.map(|id| format!(" (RequestId: {id})"))
        .unwrap_or_default()
}

fn announced_note(announced: Option<u64>) -> String {
    announced
        .map(|n| format!(" (the server announced {n} bytes)"))
        .unwrap_or_default()
}

fn parameter_note(parameter: Option<&str>) -> String {
    parameter
        .map(|p| format!(" for parameter `{p}`"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_collapses_and_cuts() {
        assert_eq!(Error::snippet(b""), "");
        assert_eq!(Error::snippet(b"  a \r\n\t b  "), "a b");
        assert_eq!(Error::snippet(b"a\x00\x1bb"), "a b");
        assert_eq!(Error::snippet(b"ok \xff!"), "ok \u{FFFD}!");
        let exact = "x".repeat(SNIPPET_CHARS);
        assert_eq!(Error::snippet(exact.as_bytes()), exact);
        let long = format!("{exact}y");
        assert_eq!(Error::snippet(long.as_bytes()), format!("{exact}…"));
        // Trailing whitespace after the limit does not count as a cut.
        let padded = format!("{exact}   \n");
        assert_eq!(Error::snippet(padded.as_bytes()), exact);
        // Multi-byte characters count as one.
        let wide = "é".repeat(SNIPPET_CHARS + 5);
        let s = Error::snippet(wide.as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
    }
}
