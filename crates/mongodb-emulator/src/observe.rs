//! What the request log records of a request: the safe parts only. The secret id is taken
//! from the credential scope or the `SecretId` parameter; the signature, the secret key, the
//! session token and a download URL's query string are never read into an entry.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::faults::Fault;
use crate::http::HttpRequest;
use crate::reqlog::{RequestKind, SeenRequest};

/// An entry for `req`, arrived at `now_ms`, with no outcome yet.
pub(crate) fn seen(req: &HttpRequest, kind: RequestKind, now_ms: i64) -> SeenRequest {
    let api = kind == RequestKind::Api;
    // Parameters are read only from API requests: a download URL's query is a credential.
    let param = |header: &str, name: &str| {
        req.header(header)
            .map(str::to_owned)
            .or_else(|| api.then(|| req.param(name)).flatten())
            .filter(|v| !v.is_empty())
    };
    let (secret_id, signature_method) = match req.header("authorization") {
        Some(auth) => (
            scope_secret_id(auth),
            auth.split_whitespace().next().map(str::to_owned),
        ),
        None if api && req.param("Signature").is_some() => (
            req.param("SecretId"),
            Some(
                req.param("SignatureMethod")
                    .unwrap_or_else(|| "HmacSHA1".to_owned()),
            ),
        ),
        None => (None, None),
    };
    SeenRequest {
        time: OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default(),
        time_ms: now_ms,
        kind,
        method: req.method.clone(),
        path: req.path.clone(),
        action: api.then(|| param("x-tc-action", "Action")).flatten(),
        region: if api {
            param("x-tc-region", "Region")
        } else {
            None
        },
        secret_id,
        signature_method,
        request_client: if api {
            param("x-tc-requestclient", "RequestClient")
        } else {
            None
        },
        status: None,
        error_code: None,
        request_id: None,
        fault: None,
    }
}

/// The secret id of a TC3 `Authorization` value (`… Credential=<id>/<date>/…`).
fn scope_secret_id(authorization: &str) -> Option<String> {
    let after = authorization.split("Credential=").nth(1)?;
    let id = after.split(['/', ',', ' ']).next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// The status and error code of the answer a fault sends in place of the request's own, as
/// far as there is one (`None` when it closes the connection or lets the request through).
pub(crate) fn fault_outcome(fault: &Fault) -> (Option<u16>, Option<String>) {
    match fault {
        Fault::BadGateway => (Some(502), None),
        Fault::HttpStatus(status) => (Some(*status), None),
        Fault::NonJson | Fault::MissingResponse => (Some(200), None),
        Fault::Error { code, .. } => (Some(200), Some(code.clone())),
        Fault::AccessDenied => (Some(403), Some("AccessDenied".to_owned())),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, headers: &[(&str, &str)], body: &str) -> HttpRequest {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        HttpRequest {
            method: if body.is_empty() { "GET" } else { "POST" }.to_owned(),
            target: target.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            http10: false,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_tc3_request_shows_its_scope_id_but_not_its_signature() {
        let auth = "TC3-HMAC-SHA256 Credential=AKIDx/2024-01-01/mongodb/tc3_request, SignedHeaders=content-type;host, Signature=abcdef0123";
        let req = request(
            "/",
            &[
                ("Authorization", auth),
                ("X-TC-Action", "DescribeDBInstances"),
                ("X-TC-Region", "ap-guangzhou"),
                ("X-TC-Token", "session-secret"),
                ("Content-Type", "application/json"),
            ],
            "{}",
        );
        let s = seen(&req, RequestKind::Api, 0);
        assert_eq!(s.secret_id.as_deref(), Some("AKIDx"));
        assert_eq!(s.signature_method.as_deref(), Some("TC3-HMAC-SHA256"));
        assert_eq!(s.action.as_deref(), Some("DescribeDBInstances"));
        assert_eq!(s.region.as_deref(), Some("ap-guangzhou"));
        assert_eq!(s.time, "1970-01-01T00:00:00Z");
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            !text.contains("abcdef0123") && !text.contains("session-secret"),
            "{text}"
        );
    }

    #[test]
    fn a_legacy_request_shows_its_secret_id_and_method_only() {
        let body = "Action=DescribeDBInstances&SecretId=AKIDy&Signature=c2lnbmF0dXJl&SignatureMethod=HmacSHA256&Token=tok-secret&Region=ap-shanghai";
        let req = request(
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body,
        );
        let s = seen(&req, RequestKind::Api, 0);
        assert_eq!(s.secret_id.as_deref(), Some("AKIDy"));
        assert_eq!(s.signature_method.as_deref(), Some("HmacSHA256"));
        assert_eq!(s.action.as_deref(), Some("DescribeDBInstances"));
        assert_eq!(s.region.as_deref(), Some("ap-shanghai"));
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            !text.contains("c2lnbmF0dXJl") && !text.contains("tok-secret"),
            "{text}"
        );
    }

    #[test]
    fn a_download_keeps_no_query() {
        let req = request(
            "/download/4773/file.tar?sign=secret-sign&q-ak=AKIDz",
            &[],
            "",
        );
        let s = seen(&req, RequestKind::Download, 0);
        assert_eq!(s.path, "/download/4773/file.tar");
        assert_eq!((&s.action, &s.secret_id, &s.region), (&None, &None, &None));
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            !text.contains("secret-sign") && !text.contains("AKIDz"),
            "{text}"
        );
    }
}
