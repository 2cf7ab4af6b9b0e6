//! Exit codes, and how a failure is reported on stderr.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the service answered with an error, or reported an operation as failed (an async request paused, failed or undone, a download task failed, no new backup after a backup request) |
//! | 2 | bad usage or input |
//! | 3 | network, timeout (a wait that reached its deadline too: the operation may still finish), HTTP status, malformed or oversized response, a download that failed (checksum or size mismatch, URL refused, stalled, past its deadline, partial file locked by another download) (and local I/O) |
//! | 4 | no usable credentials or configuration |
//!
//! The mapping from [`mongodb_errors::Error`] lives in [`exit_code`] and nowhere else.

use std::process::ExitCode;

use mongodb_errors::Error;

/// Success.
pub const SUCCESS: u8 = 0;
/// The service answered with an error.
pub const SERVICE: u8 = 1;
/// Bad usage or input.
pub const USAGE: u8 = 2;
/// Network, timeout, HTTP status, malformed or oversized response.
pub const NETWORK: u8 = 3;
/// No usable credentials or configuration.
pub const CONFIG: u8 = 4;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or input, caught by the CLI itself (exit 2).
    Usage(String),
    /// An error from the SDK; the exit code depends on the variant.
    Sdk(Error),
    /// A failure the CLI detected with a chosen exit code.
    Other {
        /// The process exit code.
        code: u8,
        /// What went wrong.
        message: String,
    },
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Sdk(e)
    }
}

impl Failure {
    /// A usage failure (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// The process exit code for this failure.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => USAGE,
            Failure::Sdk(e) => exit_code(e),
            Failure::Other { code, .. } => *code,
        }
    }

    /// The one-line message printed after `error: `. Service errors read
    /// `<Code>: <Message> (RequestId: <id>)`; no variant ever contains a secret.
    pub fn message(&self) -> String {
        match self {
            Failure::Usage(m) | Failure::Other { message: m, .. } => m.clone(),
            Failure::Sdk(e) => e.to_string(),
        }
    }

    /// Prints `error: …` on stderr and returns the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {}", self.message());
        ExitCode::from(self.code())
    }
}

/// The exit code for an SDK error.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Service(_) => SERVICE,
        Error::InvalidInput { .. } => USAGE,
        Error::Credentials { .. } | Error::Config { .. } => CONFIG,
        Error::Transport { .. }
        | Error::Timeout { .. }
        | Error::HttpStatus { .. }
        | Error::MalformedResponse { .. }
        | Error::ResponseTooLarge { .. }
        | Error::Io { .. } => NETWORK,
        // Every download failure, a checksum mismatch and a locked partial file included: the
        // bytes or the transfer failed, not the service's answer.
        Error::Download(_) => NETWORK,
        // A wait that ended because the service reported the operation as failed is the
        // service's answer; one that ran out of time is a timeout.
        Error::Wait(w) if w.is_timeout() => NETWORK,
        Error::Wait(_) => SERVICE,
        // `Error` is `#[non_exhaustive]`: a variant added later lands here until it gets an arm
        // of its own (the tests below list every variant known today).
        _ => NETWORK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb_errors::{
        AsyncRequestId, BackupName, DownloadError, EndedStatus, InstanceId, ServiceError,
        TransportKind, WaitError, WaitTarget,
    };
    use std::time::Duration;

    #[test]
    fn every_variant_maps() {
        let service = Error::Service(ServiceError::new(
            "InvalidParameterValue.NotFoundInstance",
            "no such instance",
            Some("req-1".into()),
        ));
        assert_eq!(exit_code(&service), 1);
        let f = Failure::from(service);
        assert_eq!(
            f.message(),
            "InvalidParameterValue.NotFoundInstance: no such instance (RequestId: req-1)"
        );
        let cases: Vec<(Error, u8)> = vec![
            (
                Error::InvalidInput {
                    parameter: Some("Limit".into()),
                    message: "expected an integer".into(),
                },
                2,
            ),
            (
                Error::Transport {
                    kind: TransportKind::Connect,
                    message: "refused".into(),
                    sent: false,
                },
                3,
            ),
            (
                Error::Timeout {
                    message: "read".into(),
                    sent: true,
                },
                3,
            ),
            (
                Error::HttpStatus {
                    status: 502,
                    snippet: "<html>".into(),
                    request_id: None,
                },
                3,
            ),
            (
                Error::MalformedResponse {
                    reason: "not JSON".into(),
                    snippet: "x".into(),
                    request_id: None,
                },
                3,
            ),
            (
                Error::ResponseTooLarge {
                    limit: 1,
                    announced: None,
                },
                3,
            ),
            (
                Error::Credentials {
                    message: "none".into(),
                },
                4,
            ),
            (
                Error::Config {
                    message: "bad endpoint".into(),
                },
                4,
            ),
            (
                Error::Io {
                    context: "writing out/a.tar".into(),
                    source: std::io::Error::other("disk full"),
                },
                3,
            ),
            (
                WaitError::async_request_ended("1", EndedStatus::Paused).into(),
                1,
            ),
            (
                WaitError::async_request_ended("1", EndedStatus::Failed).into(),
                1,
            ),
            (
                WaitError::async_request_ended("1", EndedStatus::Undoed).into(),
                1,
            ),
            (
                WaitError::download_task_failed(
                    InstanceId::new("cmgo-1"),
                    BackupName::new("bk"),
                    vec!["cmgo-1_0".into()],
                )
                .into(),
                1,
            ),
            (
                WaitError::no_new_backup(AsyncRequestId::new("1"), InstanceId::new("cmgo-1"))
                    .into(),
                1,
            ),
            (
                WaitError::timed_out(
                    WaitTarget::async_request("1"),
                    Duration::from_secs(60),
                    Some("running".into()),
                )
                .into(),
                3,
            ),
            (
                WaitError::timed_out(
                    WaitTarget::backup_download(InstanceId::new("cmgo-1"), BackupName::new("bk")),
                    Duration::from_secs(60),
                    None,
                )
                .into(),
                3,
            ),
        ];
        for (e, code) in cases {
            assert_eq!(exit_code(&e), code, "{e:?}");
        }
        assert_eq!(Failure::usage("x").code(), 2);
    }

    #[test]
    fn every_download_failure_is_exit_3() {
        let path = || std::path::PathBuf::from("out/a.tar");
        let kinds = [
            DownloadError::ChecksumMismatch {
                path: path(),
                expected: 1,
                actual: 2,
            },
            DownloadError::SizeMismatch {
                path: path(),
                expected: 10,
                actual: 9,
            },
            DownloadError::Locked {
                path: "out/a.tar.part".into(),
            },
            DownloadError::UrlRefused {
                path: path(),
                status: 403,
                code: Some("AccessDenied".into()),
                refreshes: 2,
            },
            DownloadError::NoFreshUrl {
                backup_name: "bk".into(),
                replica_set_id: "cmgo-1_0".into(),
            },
            DownloadError::Stalled {
                path: path(),
                min_bytes_per_sec: 1024,
                window: Duration::from_secs(30),
                attempts: 3,
            },
            DownloadError::DeadlineExceeded {
                path: path(),
                deadline: Duration::from_secs(60),
                bytes_done: 5,
            },
        ];
        for kind in kinds {
            let e = Error::Download(kind);
            assert_eq!(exit_code(&e), NETWORK, "{e:?}");
            assert_eq!(Failure::from(e).code(), 3);
        }
    }
}
