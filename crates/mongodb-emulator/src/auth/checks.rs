//! What both signing styles share: the allowed clock skew, the mapping of verification
//! failures to the service's error codes, the host without its port, the session token check.

use mongodb_errors::ErrorCode;
use tc_sign::VerifyError;

use crate::access::{Account, TokenProblem};
use crate::util::ApiError;

/// Requests further than this from the emulator clock are refused.
pub(crate) const MAX_SKEW_SECS: i64 = 300;

/// `host` without its `:port`, if it has one (`[::1]:8080` → `[::1]`).
pub(super) fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port))
            if !name.is_empty()
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (!name.contains(':') || name.ends_with(']')) =>
        {
            name
        }
        _ => host,
    }
}

/// Checks the session token a request sent (in `where_sent`) against the account's.
pub(super) fn check_token(
    account: &Account,
    sent: Option<&str>,
    where_sent: &str,
) -> Result<(), ApiError> {
    account.token_ok(sent).map_err(|problem| {
        let message = match problem {
            TokenProblem::Missing => format!(
                "The SecretId is a temporary credential: send its session token in {where_sent}."
            ),
            TokenProblem::Wrong => {
                format!("The session token in {where_sent} does not belong to this SecretId.")
            }
        };
        ApiError::new(ErrorCode::AuthFailureTokenFailure, message)
    })
}

pub(super) fn map_verify_error(err: VerifyError) -> ApiError {
    let code = ErrorCode::from(err.suggested_error_code());
    let message = match &err {
        VerifyError::Expired { skew_secs } => format!(
            "The request timestamp is {} seconds away from the server time; the limit is {MAX_SKEW_SECS} seconds. Check the clock of the calling machine.",
            skew_secs.unsigned_abs()
        ),
        VerifyError::UnknownSecretId(_) => "The SecretId is not known to this endpoint.".to_owned(),
        VerifyError::SignatureMismatch => {
            "The signature does not match the request. Check the secret key and the signing method."
                .to_owned()
        }
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => format!("{}{}.", c.to_uppercase(), chars.as_str()),
                None => text,
            }
        }
    };
    ApiError::new(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_errors_map_to_auth_codes() {
        let code = |e: VerifyError| map_verify_error(e).code.as_str().to_owned();
        assert_eq!(
            code(VerifyError::MissingAuthorization),
            "AuthFailure.InvalidAuthorization"
        );
        assert_eq!(
            code(VerifyError::MalformedAuthorization("x".into())),
            "AuthFailure.InvalidAuthorization"
        );
        assert_eq!(
            code(VerifyError::UnknownSecretId("x".into())),
            "AuthFailure.SecretIdNotFound"
        );
        assert_eq!(
            code(VerifyError::Expired { skew_secs: 400 }),
            "AuthFailure.SignatureExpire"
        );
        assert_eq!(
            code(VerifyError::SignatureMismatch),
            "AuthFailure.SignatureFailure"
        );
        let msg = map_verify_error(VerifyError::UnknownSecretId("AKIDsecretish".into())).message;
        assert!(!msg.contains("AKIDsecretish"));
    }

    #[test]
    fn ports_come_off_hosts() {
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("::1"), "::1");
        assert_eq!(strip_port("host"), "host");
        assert_eq!(strip_port("host:"), "host:");
    }
}
