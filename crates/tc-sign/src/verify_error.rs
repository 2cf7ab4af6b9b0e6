//! [`VerifyError`]: why a received request's signature was not accepted.

use std::fmt;

/// Why a request's signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// There is no `Authorization` header, or it is blank.
    MissingAuthorization,
    /// The `Authorization` header does not have the TC3 shape; the text says what is wrong.
    MalformedAuthorization(String),
    /// A header that is required or listed in `SignedHeaders` was not sent (its name).
    MissingHeader(String),
    /// `SignedHeaders` leaves out a header the service requires to be signed (`content-type` or
    /// `host`; its name).
    UnsignedRequiredHeader(String),
    /// `X-TC-Timestamp` is not a plain decimal integer.
    InvalidTimestamp,
    /// The lookup function knows no secret key for this secret id.
    UnknownSecretId(String),
    /// The date in the credential scope is not the UTC date of `X-TC-Timestamp`.
    DateMismatch {
        /// Date found in the credential scope.
        scope: String,
        /// UTC date of the request timestamp.
        timestamp_date: String,
    },
    /// The request time is further from the server's clock than allowed.
    Expired {
        /// Server time minus request time, in seconds (negative when the request is from the future).
        skew_secs: i64,
    },
    /// Everything parsed, but the signature does not match the request.
    SignatureMismatch,
}

impl VerifyError {
    /// The Tencent Cloud error code a server would answer with for this failure, e.g.
    /// `AuthFailure.SignatureExpire` for [`VerifyError::Expired`].
    pub fn suggested_error_code(&self) -> &'static str {
        match self {
            VerifyError::MissingAuthorization | VerifyError::MalformedAuthorization(_) => {
                "AuthFailure.InvalidAuthorization"
            }
            VerifyError::MissingHeader(name) if name.eq_ignore_ascii_case("x-tc-timestamp") => {
                "MissingParameter"
            }
            VerifyError::MissingHeader(_) | VerifyError::UnsignedRequiredHeader(_) => {
                "AuthFailure.InvalidAuthorization"
            }
            VerifyError::InvalidTimestamp => "InvalidParameterValue",
            VerifyError::UnknownSecretId(_) => "AuthFailure.SecretIdNotFound",
            VerifyError::Expired { .. } => "AuthFailure.SignatureExpire",
            VerifyError::DateMismatch { .. } | VerifyError::SignatureMismatch => {
                "AuthFailure.SignatureFailure"
            }
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingAuthorization => f.write_str("the Authorization header is missing"),
            VerifyError::MalformedAuthorization(why) => {
                write!(f, "the Authorization header is malformed: {why}")
            }
            VerifyError::MissingHeader(name) => write!(f, "the {name} header is missing"),
            VerifyError::UnsignedRequiredHeader(name) => write!(
                f,
                "SignedHeaders does not list {name}: content-type and host must always be signed"
            ),
            VerifyError::InvalidTimestamp => {
                f.write_str("X-TC-Timestamp is not a Unix time in whole seconds")
            }
            VerifyError::UnknownSecretId(id) => write!(f, "secret id {id:?} is not known"),
            VerifyError::DateMismatch {
                scope,
                timestamp_date,
            } => write!(
                f,
                "credential scope date {scope} differs from the timestamp's UTC date {timestamp_date}"
            ),
            VerifyError::Expired { skew_secs } => write!(
                f,
                "the request timestamp is {} seconds {} the server clock",
                skew_secs.unsigned_abs(),
                if *skew_secs >= 0 { "behind" } else { "ahead of" }
            ),
            VerifyError::SignatureMismatch => {
                f.write_str("the signature does not match the request")
            }
        }
    }
}

impl std::error::Error for VerifyError {}
