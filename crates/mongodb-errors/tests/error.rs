//! `Error` and `ServiceError`: messages, request ids, `was_sent`, sources.

use std::error::Error as _;

use std::time::Duration;

use mongodb_errors::{
    EndedStatus, Error, ErrorCode, ServiceError, TransportKind, WaitError, WaitErrorKind,
    WaitTarget,
};

const RID: &str = "9f1a3b7c-1111-4222-8333-444455556666";

/// One value of every variant, with the request id set wherever it can be.
fn all_variants() -> Vec<Error> {
    vec![
        Error::Service(ServiceError::new(
            "InvalidParameterValue.NotFoundInstance",
            "instance cmgo-xxxx not found",
            Some(RID.to_owned()),
        )),
        Error::Transport {
            kind: TransportKind::Connect,
            message: "connection refused".to_owned(),
            sent: false,
        },
        Error::Timeout {
            message: "no answer within 30s".to_owned(),
            sent: true,
        },
        Error::HttpStatus {
            status: 502,
            snippet: "<html>Bad Gateway</html>".to_owned(),
            request_id: Some(RID.to_owned()),
        },
        Error::MalformedResponse {
            reason: "no `Response` object".to_owned(),
            snippet: "{\"foo\":1}".to_owned(),
            request_id: Some(RID.to_owned()),
        },
        Error::ResponseTooLarge {
            limit: 10_485_760,
            announced: Some(20_000_000),
        },
        Error::Credentials {
            message: "TENCENTCLOUD_SECRET_KEY is not set".to_owned(),
        },
        Error::InvalidInput {
            parameter: Some("InstanceId".to_owned()),
            message: "required".to_owned(),
        },
        Error::Config {
            message: "endpoint `ftp://x` must be http or https".to_owned(),
        },
        Error::Io {
            context: "writing /tmp/backup.tar".to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"),
        },
        Error::Wait(
            WaitError::timed_out(
                WaitTarget::async_request("4773"),
                Duration::from_secs(600),
                Some("running".to_owned()),
            )
            .with_request_id(Some(RID.to_owned())),
        ),
    ]
}

#[test]
fn display_of_every_variant_names_what_matters() {
    let expected: [&[&str]; 11] = [
        &[
            "InvalidParameterValue.NotFoundInstance: instance cmgo-xxxx not found",
            RID,
        ],
        &["could not connect", "connection refused", "not sent"],
        &["timed out", "no answer within 30s", "may have reached"],
        &[
            "HTTP 502 from the endpoint (not the API): <html>Bad Gateway</html>",
            RID,
        ],
        &["malformed", "no `Response` object", "{\"foo\":1}", RID],
        &["10485760", "20000000", "max_response_size"],
        &[
            "TENCENTCLOUD_SECRET_KEY is not set",
            "TENCENTCLOUD_SECRET_ID",
            "credentials",
        ],
        &["InstanceId", "required"],
        &["configuration", "ftp://x"],
        &["writing /tmp/backup.tar", "disk full"],
        &["async request 4773", "within 10m", "running", RID],
    ];
    let errors = all_variants();
    assert_eq!(errors.len(), expected.len());
    for (err, needles) in errors.iter().zip(expected) {
        let text = err.to_string();
        assert!(!text.is_empty());
        assert!(!text.contains('\n'), "{text}");
        for needle in needles {
            assert!(text.contains(needle), "{text:?} lacks {needle:?}");
        }
        assert!(!format!("{err:?}").is_empty());
    }
}

#[test]
fn service_error_display() {
    let e = ServiceError::new("InternalError", "boom", Some(RID.to_owned()));
    assert_eq!(
        e.to_string(),
        format!("InternalError: boom (RequestId: {RID})")
    );
    let e = ServiceError::new(ErrorCode::InternalError, "boom", None);
    assert_eq!(e.to_string(), "InternalError: boom");
    let e = ServiceError::new("Brand.New", "x", None);
    assert_eq!(e.code, ErrorCode::Unknown("Brand.New".to_owned()));
    assert_eq!(Error::from(e.clone()).to_string(), e.to_string());
}

#[test]
fn request_id_per_variant() {
    let expected = [
        Some(RID),
        None,
        None,
        Some(RID),
        Some(RID),
        None,
        None,
        None,
        None,
        None,
        Some(RID),
    ];
    for (err, want) in all_variants().iter().zip(expected) {
        assert_eq!(err.request_id(), want, "{err:?}");
    }
    let no_id = Error::HttpStatus {
        status: 503,
        snippet: String::new(),
        request_id: None,
    };
    assert_eq!(no_id.request_id(), None);
    assert!(no_id.to_string().contains("(empty body)"));
    assert!(!no_id.to_string().contains("RequestId"));
}

#[test]
fn was_sent_per_variant() {
    let expected = [
        true, false, true, true, true, true, false, false, false, false, true,
    ];
    for (err, want) in all_variants().iter().zip(expected) {
        assert_eq!(err.was_sent(), want, "{err:?}");
    }
    let sent = Error::Transport {
        kind: TransportKind::Reset,
        message: "reset".to_owned(),
        sent: true,
    };
    assert!(sent.was_sent());
    let unsent = Error::Timeout {
        message: "connect timeout".to_owned(),
        sent: false,
    };
    assert!(!unsent.was_sent());
}

#[test]
fn code_and_service_error_only_for_service() {
    let errors = all_variants();
    assert_eq!(
        errors[0].code(),
        Some(&ErrorCode::InvalidParameterValueNotFoundInstance)
    );
    assert_eq!(
        errors[0].service_error().map(|e| e.message.as_str()),
        Some("instance cmgo-xxxx not found")
    );
    for err in &errors[1..] {
        assert!(
            err.code().is_none() && err.service_error().is_none(),
            "{err:?}"
        );
        assert!(!err.is_throttling());
    }
    let throttled: Error = ServiceError::new("RequestLimitExceeded", "slow down", None).into();
    assert!(throttled.is_throttling());
    assert!(!errors[0].is_throttling());
}

#[test]
fn wait_errors_are_typed_and_keep_their_request_id() {
    let err: Error = WaitError::async_request_ended("4773", EndedStatus::Paused)
        .with_request_id(Some(RID.to_owned()))
        .into();
    assert_eq!(err.request_id(), Some(RID));
    assert!(err.was_sent());
    assert!(err.code().is_none() && !err.is_throttling());
    let wait = err.wait_error().expect("a wait error");
    match wait.kind() {
        WaitErrorKind::AsyncRequestEnded {
            async_request_id,
            status,
            ..
        } => {
            assert_eq!(async_request_id, "4773");
            assert_eq!(*status, EndedStatus::Paused);
            assert_eq!(status.as_str(), "paused");
        }
        other => panic!("{other:?}"),
    }
    assert!(!wait.is_timeout());
    for other in all_variants().iter().take(10) {
        assert!(other.wait_error().is_none(), "{other:?}");
    }
}

#[test]
fn sources() {
    for err in all_variants() {
        match &err {
            Error::Io { .. } => {
                let src = err.source().expect("Io has a source");
                assert_eq!(src.to_string(), "disk full");
            }
            _ => assert!(err.source().is_none(), "{err:?}"),
        }
    }
}

#[test]
fn transport_kinds_have_distinct_descriptions() {
    let kinds = [
        TransportKind::Connect,
        TransportKind::Reset,
        TransportKind::Tls,
        TransportKind::Dns,
        TransportKind::Proxy,
        TransportKind::Io,
        TransportKind::Other,
    ];
    let mut seen = std::collections::HashSet::new();
    for k in kinds {
        assert!(seen.insert(k.to_string()), "{k:?}");
        let err = Error::Transport {
            kind: k,
            message: "m".to_owned(),
            sent: false,
        };
        assert!(err.to_string().starts_with(k.describe()));
    }
}

#[test]
fn snippet_of_an_html_error_page() {
    let body = b"<html>\r\n  <head><title>502 Bad Gateway</title></head>\r\n</html>\r\n";
    assert_eq!(
        Error::snippet(body),
        "<html> <head><title>502 Bad Gateway</title></head> </html>"
    );
    let big = vec![b'a'; 1 << 20];
    let s = Error::snippet(&big);
    assert_eq!(s.chars().count(), 201);
    assert!(s.ends_with('…'));
}

#[test]
fn error_is_send_sync_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Error>();
    check::<ServiceError>();
    check::<ErrorCode>();
}
