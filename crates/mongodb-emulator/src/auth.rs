//! Request authentication, as the service does it for every official SDK: a TC3-HMAC-SHA256
//! signature (checked with `tc_sign::verify`) or, when a request carries a `Signature`
//! parameter and no `Authorization` header, a legacy HmacSHA1/HmacSHA256 signature
//! ([`legacy`]); then the account's session token, if it has one.

mod legacy;

use mongodb_errors::ErrorCode;
use tc_sign::{ReceivedRequest, VerifyError};

use crate::access::{Account, TokenProblem};
use crate::http::HttpRequest;
use crate::shared::Shared;
use crate::util::ApiError;

/// Requests further than this from the emulator clock are refused.
pub(crate) const MAX_SKEW_SECS: i64 = 300;

/// Checks the signature and session token of `req`.
pub(crate) fn authenticate(shared: &Shared, req: &HttpRequest) -> Result<(), ApiError> {
    if req.header("authorization").is_none() && req.param("Signature").is_some() {
        return legacy::authenticate(shared, req);
    }
    tc3(shared, req)
}

fn tc3(shared: &Shared, req: &HttpRequest) -> Result<(), ApiError> {
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

    if !service_matches(&verified.service, req.header("host")) {
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
    match shared.accounts.get(&verified.secret_id) {
        Some(account) => check_token(account, req.header("x-tc-token"), "X-TC-Token"),
        None => Err(map_verify_error(VerifyError::UnknownSecretId(
            verified.secret_id,
        ))),
    }
}

/// Whether the credential scope's service is acceptable: `mongodb`, or the first label of the
/// host the request was sent to (with or without its port). The official Node.js and Java
/// SDKs take the service from the endpoint's first DNS label, so pointed at `127.0.0.1:8080`
/// they sign service `127`; the real endpoint `mongodb.tencentcloudapi.com` gives `mongodb`.
fn service_matches(service: &str, host: Option<&str>) -> bool {
    if service == mongodb_models::SERVICE {
        return true;
    }
    let Some(first) = host.and_then(|h| h.trim().split('.').next()) else {
        return false;
    };
    !service.is_empty() && (service == first || service == strip_port(first))
}

/// `host` without its `:port`, if it has one (`[::1]:8080` → `[::1]`).
fn strip_port(host: &str) -> &str {
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
fn check_token(account: &Account, sent: Option<&str>, where_sent: &str) -> Result<(), ApiError> {
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

    #[test]
    fn the_service_may_be_named_after_the_host() {
        assert!(service_matches("mongodb", None));
        assert!(service_matches("mongodb", Some("127.0.0.1:8080")));
        assert!(service_matches("127", Some("127.0.0.1:8080")));
        assert!(service_matches("localhost", Some("localhost:8080")));
        assert!(service_matches("localhost:8080", Some("localhost:8080")));
        assert!(service_matches("emu", Some("emu.example:1")));
        assert!(!service_matches("cvm", Some("127.0.0.1:8080")));
        assert!(!service_matches("cvm", None));
        assert!(!service_matches("", Some(":8080")));
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("::1"), "::1");
        assert_eq!(strip_port("host"), "host");
        assert_eq!(strip_port("host:"), "host:");
    }
}
