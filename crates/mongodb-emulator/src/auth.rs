//! Request authentication: the TC3-HMAC-SHA256 signature (checked with
//! `tc_sign::verify`) and, when configured, the session token.

use mongodb_errors::ErrorCode;
use tc_sign::{ReceivedRequest, VerifyError};

use crate::http::HttpRequest;
use crate::shared::Shared;
use crate::util::ApiError;

/// Requests further than this from the emulator clock are refused.
pub(crate) const MAX_SKEW_SECS: i64 = 300;

/// Checks the signature and token of `req`.
pub(crate) fn authenticate(shared: &Shared, req: &HttpRequest) -> Result<(), ApiError> {
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let received = ReceivedRequest {
        method: &req.method,
        path_and_query: &req.target,
        headers: &headers,
        body: &req.body,
    };
    let now = shared.now_ms().div_euclid(1000);
    let lookup = |id: &str| shared.lookup_secret(id);
    let verified =
        tc_sign::verify(&received, &lookup, now, MAX_SKEW_SECS).map_err(map_verify_error)?;

    if verified.service != mongodb_models::SERVICE {
        return Err(ApiError::new(
            ErrorCode::AuthFailureSignatureFailure,
            format!(
                "The credential scope names service `{}`; this endpoint is `{}`.",
                verified.service,
                mongodb_models::SERVICE
            ),
        ));
    }
    for needed in ["content-type", "host"] {
        if !verified.signed_headers.iter().any(|h| h == needed) {
            return Err(ApiError::new(
                ErrorCode::AuthFailureInvalidAuthorization,
                format!("SignedHeaders must include `{needed}`."),
            ));
        }
    }

    if let Some(expected) = &shared.token {
        match req.header("x-tc-token") {
            Some(t) if t == expected => {}
            Some(_) => {
                return Err(ApiError::new(
                    ErrorCode::AuthFailureTokenFailure,
                    "The session token (X-TC-Token) is not valid.",
                ))
            }
            None => {
                return Err(ApiError::new(
                    ErrorCode::AuthFailureTokenFailure,
                    "This endpoint requires a session token (X-TC-Token).",
                ))
            }
        }
    }
    Ok(())
}

fn map_verify_error(err: VerifyError) -> ApiError {
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
}
