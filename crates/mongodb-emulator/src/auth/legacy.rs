//! API 3.0's legacy signatures, HmacSHA1 and HmacSHA256, which the official SDKs still send
//! when asked to (`signMethod`). The common parameters `SecretId`, `Timestamp`, `Nonce`,
//! `SignatureMethod`, `Signature` (and `Token` for temporary credentials) travel with the
//! action's own parameters: in the query string of a GET, in the form-encoded body of a POST.
//!
//! The string signed is the HTTP method, the host, the path, `?`, and then every parameter but
//! `Signature`, sorted by name, as `name=value` joined by `&`, without URL-encoding; the
//! signature is the base64 HMAC of that string under the secret key.
//!
//! The official SDKs differ in details, and each is accepted: the host with its port (the
//! endpoint as configured) or without it; parameters with empty values signed (Python,
//! Node.js) or skipped (Go); names signed as sent or with `_` written as `.` (Python).

use base64::Engine;
use hmac::{Hmac, Mac};
use mongodb_errors::ErrorCode;
use tc_sign::VerifyError;

use crate::auth::checks::{check_token, map_verify_error, strip_port, MAX_SKEW_SECS};
use crate::http::HttpRequest;
use crate::shared::Shared;
use crate::util::ApiError;

/// The two HMACs of legacy signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Algorithm {
    Sha1,
    Sha256,
}

impl Algorithm {
    /// Whether `signature` is this HMAC of `message` under `key`, compared in constant time.
    fn verifies(self, key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        fn check<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8], sig: &[u8]) -> bool {
            let Ok(mut mac) = <M as Mac>::new_from_slice(key) else {
                return false;
            };
            mac.update(msg);
            mac.verify_slice(sig).is_ok()
        }
        match self {
            Algorithm::Sha1 => check::<Hmac<sha1::Sha1>>(key, message, signature),
            Algorithm::Sha256 => check::<Hmac<sha2::Sha256>>(key, message, signature),
        }
    }
}

/// Checks a request signed the legacy way.
pub(super) fn authenticate(shared: &Shared, req: &HttpRequest) -> Result<(), ApiError> {
    let params = parameters(req)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let algorithm = match get("SignatureMethod") {
        None | Some("HmacSHA1") => Algorithm::Sha1,
        Some("HmacSHA256") => Algorithm::Sha256,
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameterValue,
                format!(
                    "SignatureMethod `{other}` is not supported; use HmacSHA256 or HmacSHA1 (or sign with TC3-HMAC-SHA256)."
                ),
            ))
        }
    };
    for name in ["SecretId", "Timestamp", "Nonce"] {
        if get(name).is_none_or(str::is_empty) {
            return Err(ApiError::new(
                ErrorCode::MissingParameter,
                format!("The request is missing the common parameter `{name}`, which a HmacSHA1/HmacSHA256 signature needs."),
            ));
        }
    }
    let timestamp: i64 = get("Timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| map_verify_error(VerifyError::InvalidTimestamp))?;
    let skew_secs = shared.now_ms().div_euclid(1000).saturating_sub(timestamp);
    if skew_secs.unsigned_abs() > MAX_SKEW_SECS.unsigned_abs() {
        return Err(map_verify_error(VerifyError::Expired { skew_secs }));
    }
    let secret_id = get("SecretId").unwrap_or_default();
    let account = shared
        .accounts
        .get(secret_id)
        .ok_or_else(|| map_verify_error(VerifyError::UnknownSecretId(secret_id.to_owned())))?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(get("Signature").unwrap_or_default())
        .map_err(|_| map_verify_error(VerifyError::SignatureMismatch))?;

    let host = req.header("host").unwrap_or_default();
    let key = account.secret_key.as_bytes();
    let matched = strings_to_sign(&req.method, host, &req.path, &params)
        .iter()
        .any(|s| algorithm.verifies(key, s.as_bytes(), &signature));
    if !matched {
        return Err(map_verify_error(VerifyError::SignatureMismatch));
    }
    check_token(account, get("Token"), "the Token parameter")
}

/// The request's parameters, decoded: from the query of a GET, from the body of a
/// form-encoded POST.
fn parameters(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    let raw = match req.form_body() {
        Some(body) if req.method != "GET" => body,
        _ => req.query.as_str(),
    };
    let decode = |s: &str| {
        mongodb_models::form::percent_decode(s).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("Cannot decode the parameters: {e}."),
            )
        })
    };
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Every string an official SDK could have signed for these parameters (see the module
/// documentation), without duplicates.
fn strings_to_sign(
    method: &str,
    host: &str,
    path: &str,
    params: &[(String, String)],
) -> Vec<String> {
    let hosts = [host, strip_port(host)];
    let mut out: Vec<String> = Vec::new();
    for dotted in [false, true] {
        for skip_empty in [false, true] {
            let mut pairs: Vec<(String, &str)> = params
                .iter()
                .filter(|(k, v)| k != "Signature" && !(skip_empty && v.is_empty()))
                .map(|(k, v)| {
                    let k = if dotted {
                        k.replace('_', ".")
                    } else {
                        k.clone()
                    };
                    (k, v.as_str())
                })
                .collect();
            pairs.sort();
            let joined = pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&");
            for h in hosts {
                let candidate = format!("{method}{h}{path}?{joined}");
                if !out.contains(&candidate) {
                    out.push(candidate);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_signed_string_sorts_and_does_not_encode() {
        let p = pairs(&[
            ("Nonce", "11886"),
            ("Action", "DescribeDBInstances"),
            ("InstanceIds.0", "cmgo-demo0001"),
            ("Signature", "ignored"),
            ("Remark", "a b/c"),
        ]);
        let all = strings_to_sign("GET", "mongodb.tencentcloudapi.com", "/", &p);
        assert_eq!(
            all,
            ["GETmongodb.tencentcloudapi.com/?Action=DescribeDBInstances&InstanceIds.0=cmgo-demo0001&Nonce=11886&Remark=a b/c"]
        );
    }

    #[test]
    fn variants_cover_port_empty_values_and_underscores() {
        let p = pairs(&[("A_b", "1"), ("Empty", "")]);
        let all = strings_to_sign("POST", "127.0.0.1:80", "/", &p);
        for want in [
            "POST127.0.0.1:80/?A_b=1&Empty=",
            "POST127.0.0.1/?A_b=1&Empty=",
            "POST127.0.0.1:80/?A_b=1",
            "POST127.0.0.1:80/?A.b=1&Empty=",
            "POST127.0.0.1/?A.b=1",
        ] {
            assert!(all.iter().any(|s| s == want), "{want} not in {all:?}");
        }
        assert_eq!(all.len(), 8);
    }

    #[test]
    fn hmacs_verify_published_style_signatures() {
        // HMAC-SHA1 of "what do ya want for nothing?" under "Jefe" (RFC 2202, test case 2),
        // HMAC-SHA256 of the same (RFC 4231, test case 2).
        let sha1 = hex::decode("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79").unwrap();
        let sha256 =
            hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
                .unwrap();
        let msg = b"what do ya want for nothing?";
        assert!(Algorithm::Sha1.verifies(b"Jefe", msg, &sha1));
        assert!(Algorithm::Sha256.verifies(b"Jefe", msg, &sha256));
        assert!(!Algorithm::Sha256.verifies(b"Jefe", msg, &sha1));
        assert!(!Algorithm::Sha1.verifies(b"jefe", msg, &sha1));
    }
}
