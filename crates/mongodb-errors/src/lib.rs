//! Errors of the TencentDB for MongoDB SDK (API version 2019-07-25).
//!
//! This crate holds two things the rest of the SDK shares:
//!
//! - [`ErrorCode`], every error code the service documents (the platform's
//!   common codes and the MongoDB service's own), as an open enum: a code the
//!   crate does not know is kept verbatim in [`ErrorCode::Unknown`]. Each code
//!   is classified in one place — [`is_throttling`](ErrorCode::is_throttling),
//!   [`is_auth`](ErrorCode::is_auth), [`is_clock_skew`](ErrorCode::is_clock_skew),
//!   [`is_transient`](ErrorCode::is_transient),
//!   [`is_retryable`](ErrorCode::is_retryable),
//!   [`is_client_fault`](ErrorCode::is_client_fault) — and unknown codes are
//!   classified by their family prefix.
//! - [`Error`], the single error type every SDK call returns, with
//!   [`ServiceError`] for answers where the API itself reported a failure and
//!   [`WaitError`] for waits that ended without success (typed by
//!   [`WaitErrorKind`]).
//!
//! It depends on nothing but `thiserror` and exposes no HTTP client types, so a
//! program that only inspects errors (or stores them) can depend on it alone.
//!
//! # Example
//!
//! ```
//! use mongodb_errors::{Error, ErrorCode, ServiceError};
//!
//! fn advice(err: &Error) -> String {
//!     match err.code() {
//!         Some(ErrorCode::InvalidParameterValueNotFoundInstance) => {
//!             "check the instance id".to_owned()
//!         }
//!         Some(code) if code.is_throttling() => "slow down and try again".to_owned(),
//!         Some(code) if code.is_auth() => "check your credentials".to_owned(),
//!         Some(code) => format!("the service said {code}"),
//!         None => format!("the call failed before the API answered: {err}"),
//!     }
//! }
//!
//! let err: Error = ServiceError::new(
//!     "RequestLimitExceeded",
//!     "too many requests",
//!     Some("6f2c4a5e-0000-4000-8000-000000000000".to_owned()),
//! )
//! .into();
//! assert_eq!(advice(&err), "slow down and try again");
//! assert_eq!(err.request_id(), Some("6f2c4a5e-0000-4000-8000-000000000000"));
//! assert_eq!(
//!     err.to_string(),
//!     "RequestLimitExceeded: too many requests (RequestId: 6f2c4a5e-0000-4000-8000-000000000000)"
//! );
//!
//! // Codes newer than this crate keep their text and are classified by prefix.
//! let code: ErrorCode = "InternalError.SomethingNew".parse().unwrap();
//! assert!(code.is_unknown());
//! assert!(code.is_transient());
//! assert_eq!(code.as_str(), "InternalError.SomethingNew");
//! ```
#![deny(missing_docs)]

mod classify;
mod code;
mod download;
mod error;
mod wait;

pub use code::ErrorCode;
pub use download::DownloadError;
pub use error::{Error, ServiceError, TransportKind};
pub use wait::{
    AsyncRequestId, BackupName, EndedStatus, InstanceId, WaitError, WaitErrorKind, WaitTarget,
};
