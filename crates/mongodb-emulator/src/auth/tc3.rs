//! TC3-HMAC-SHA256, checked with `tc_sign::verify` (any `SignedHeaders` list with
//! `content-type` and `host`, the host with or without its port), plus the emulator's own
//! rules: the credential scope's service, and the account's session token.

use mongodb_errors::ErrorCode;
use tc_sign::{ReceivedRequest, VerifyError};

use crate::auth::checks::{check_token, map_verify_error, strip_port, MAX_SKEW_SECS};
use crate::http::HttpRequest;
use crate::shared::Shared;
use crate::util::ApiError;

/// Checks a request signed with TC3-HMAC-SHA256.
pub(super) fn authenticate(shared: &Shared, req: &HttpRequest) -> Result<(), ApiError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
