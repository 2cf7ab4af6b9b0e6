//! Pure TC3-HMAC-SHA256 signing for Tencent Cloud API 3.0 requests, and verification of
//! such signatures on the server side.
//!
//! The crate turns a description of one API call ([`SigningParams`]) and an API key
//! ([`Credentials`]) into the exact header set to send ([`SignedHeaders`], or
//! [`SignedRequest`] with every intermediate value), including `Authorization`. It does no I/O
//! and never reads a clock: the request time is an argument, which keeps signing deterministic
//! and testable. Any HTTP client can send the result.
//!
//! - [`SigningParams::builder`] collects the call; its `build()` names every required value
//!   that is missing. The body is a [`SignableBody`]: bytes, unsigned, or a precomputed hash.
//! - [`sign`] signs one request; [`Signer`] does the same but caches the daily signing key, and
//!   can be shared between threads.
//! - [`Signer::sign_headers`] is the fast path for sending requests: it streams the canonical
//!   request and the string to sign into the hashes instead of assembling them, and returns
//!   [`SignedHeaders`], which borrows the header values from the parameters and allocates only
//!   the `Authorization` value.
//! - [`verify`] checks a received request's signature the way the service does, for servers and
//!   emulators: any official SDK's request is accepted unchanged.
//! - [`canonical_request`], [`string_to_sign`], [`derive_signing_key`], [`signature`] and
//!   [`authorization`] expose the individual steps, for comparing against other implementations.
//!
//! The signer signs `content-type;host;x-tc-action`. For a POST the body is hashed and the
//! canonical query string is empty; for a GET the query string is signed exactly as it will be
//! sent and the payload hash is that of the empty string.
//!
//! Dependencies are kept to `hmac`, `sha2` and `zeroize`: the UTC date and the hex encoding are
//! computed here.
//!
//! # Example
//!
//! ```
//! use tc_sign::{Credentials, HttpMethod, SignableBody, Signer, SigningParams};
//!
//! let creds = Credentials::new("AKIDEXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let body = br#"{"InstanceId":"cmgo-demo0001","BackupMethod":0}"#;
//! let params = SigningParams::builder()
//!     .method(HttpMethod::Post)
//!     .service("mongodb")
//!     .host("mongodb.tencentcloudapi.com")
//!     .action("CreateBackupDBInstance")
//!     .version("2019-07-25")
//!     .timestamp(1_551_113_065) // the caller supplies the time
//!     .payload(SignableBody::Bytes(body))
//!     .region("ap-guangzhou")
//!     .build()?;
//!
//! let signer = Signer::new();
//! // To send: every header, with one allocation.
//! let headers = signer.sign_headers(&creds, &params);
//! assert_eq!(headers.iter().count(), 7);
//! // To debug: the same headers plus the canonical request, string to sign and signature.
//! let signed = signer.sign(&creds, &params);
//! assert_eq!(headers.authorization(), signed.authorization);
//! assert!(signed.authorization.starts_with(
//!     "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/mongodb/tc3_request, \
//!      SignedHeaders=content-type;host;x-tc-action, Signature="
//! ));
//! assert_eq!(signed.header("X-TC-Timestamp"), Some("1551113065"));
//! // Same answer without the cache.
//! assert_eq!(tc_sign::sign(&creds, &params), signed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

// Leaves: they use no other module of this crate.
mod date;
mod encoding;
mod method;
mod redact;
mod verify_error;
// Primitives on the leaves.
mod hash;
mod sink;
// The body and the parameters a caller hands in.
mod body;
mod params;
// The TC3 steps, one file each.
mod tc3;
// Keys, results, and the two entry points: signing and verifying.
mod cache;
mod credentials;
mod signed_headers;
mod signed_request;
mod signer;
mod verify;

pub use body::{SignableBody, UNSIGNED_PAYLOAD};
pub use credentials::{Credentials, CredentialsError};
pub use date::utc_date;
pub use hash::sha256_hex;
pub use method::{HttpMethod, ParseHttpMethodError, CONTENT_TYPE_FORM, CONTENT_TYPE_JSON};
pub use params::{SigningParams, SigningParamsBuilder, SigningParamsError};
pub use signed_headers::SignedHeaders;
pub use signed_request::SignedRequest;
pub use signer::{sign, Signer};
pub use tc3::{
    authorization, canonical_request, derive_signing_key, signature, string_to_sign, ALGORITHM,
    DEFAULT_SIGNED_HEADERS,
};
pub use verify::{verify, ReceivedRequest, Verified, DEFAULT_MAX_SKEW_SECS};
pub use verify_error::VerifyError;
