//! The client against a scripted server: wire format, retries, skew, limits, errors, threads.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{client_for, Mock, Reply, ID, KEY};
use mongodb_client_blocking::models::{
    BackupMethod, CreateBackupDBInstanceRequest, DescribeDBBackupsRequest,
};
use mongodb_client_blocking::{
    CallOptions, Client, Credentials, EndpointHost, Error, HttpMethod, Language, NonIdempotent,
    RetryPolicy, TransportKind,
};
use serde_json::json;

fn backups_ok(rid: &str) -> Reply {
    Reply::ok(json!({"BackupList": [], "TotalCount": 0}), rid)
}

fn create_ok() -> Reply {
    Reply::ok(json!({"AsyncRequestId": 4773}), "rid-create")
}

fn describe() -> DescribeDBBackupsRequest {
    DescribeDBBackupsRequest::new("cmgo-demo0001")
}

fn create() -> CreateBackupDBInstanceRequest {
    CreateBackupDBInstanceRequest::new("cmgo-demo0001", BackupMethod::Logical)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn post_request_is_signed_and_carries_the_headers() {
    let mock = Mock::start(|_, _| backups_ok("r1"));
    let client = client_for(&mock)
        .language(Language::ZhCn)
        .request_client("test-suite_1")
        .build()
        .unwrap();
    let resp = client.describe_db_backups(&describe()).unwrap();
    assert_eq!(resp.request_id, "r1");
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path_and_query, "/");
    assert_eq!(r.header("Host"), Some(mock.host().as_str()));
    assert_eq!(r.header("X-TC-Action"), Some("DescribeDBBackups"));
    assert_eq!(r.header("X-TC-Version"), Some("2019-07-25"));
    assert_eq!(r.header("X-TC-Region"), Some("ap-guangzhou"));
    assert_eq!(r.header("X-TC-Language"), Some("zh-CN"));
    assert_eq!(
        r.header("X-TC-RequestClient"),
        Some(concat!(
            "SDK_RUST_",
            env!("CARGO_PKG_VERSION"),
            "; test-suite_1"
        ))
    );
    assert_eq!(r.header("X-TC-Token"), None);
    assert!(r
        .header("Content-Type")
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(r.body, br#"{"InstanceId":"cmgo-demo0001"}"#);
    let verified = r.verify(ID, KEY).expect("signature verifies");
    assert_eq!(verified.service, "mongodb");
}

#[test]
fn get_sends_the_form_query_and_signs_it() {
    let mock = Mock::start(|_, _| backups_ok("r1"));
    let client = client_for(&mock)
        .http_method(HttpMethod::Get)
        .build()
        .unwrap();
    client
        .describe_db_backups(&describe().with_limit(5))
        .unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path_and_query, "/?InstanceId=cmgo-demo0001&Limit=5");
    assert!(r.body.is_empty());
    assert_eq!(
        r.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    r.verify(ID, KEY).expect("signature verifies");
}

#[test]
fn temporary_credentials_send_the_token() {
    let mock = Mock::start(|_, _| backups_ok("r1"));
    let creds = Credentials::new(ID, KEY)
        .unwrap()
        .with_token("session-token-xyz")
        .unwrap();
    let client = client_for(&mock).credentials(creds).build().unwrap();
    client.describe_db_backups(&describe()).unwrap();
    assert_eq!(
        mock.requests()[0].header("X-TC-Token"),
        Some("session-token-xyz")
    );
}

#[test]
fn throttling_is_retried_until_success_even_for_create() {
    let mock = Mock::start(|_, n| {
        if n < 2 {
            Reply::error("RequestLimitExceeded", "slow down", &format!("rl-{n}"))
        } else {
            create_ok()
        }
    });
    let client = client_for(&mock).build().unwrap();
    let resp = client.create_backup_db_instance(&create()).unwrap();
    assert_eq!(resp.async_request_id.as_deref(), Some("4773"));
    assert_eq!(mock.count(), 3);
}

#[test]
fn throttling_gives_up_after_max_attempts() {
    let mock = Mock::start(|_, _| Reply::error("RequestLimitExceeded", "slow down", "rl"));
    let client = client_for(&mock).build().unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    assert!(err.is_throttling(), "{err}");
    assert_eq!(err.request_id(), Some("rl"));
    assert_eq!(mock.count(), 3);
}

#[test]
fn create_is_never_resent_after_internal_error() {
    let mock = Mock::start(|_, _| Reply::error("InternalError", "oops", "ie"));
    let client = client_for(&mock).build().unwrap();
    let err = client.create_backup_db_instance(&create()).unwrap_err();
    assert_eq!(err.code().map(|c| c.as_str()), Some("InternalError"));
    assert_eq!(mock.count(), 1);
}

#[test]
fn create_is_never_resent_after_a_reset() {
    let mock = Mock::start(|_, _| Reply::Reset);
    let client = client_for(&mock).build().unwrap();
    let err = client.create_backup_db_instance(&create()).unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: true, .. }),
        "{err:?}"
    );
    assert_eq!(mock.count(), 1);
}

#[test]
fn create_is_resent_when_the_caller_opts_in() {
    let mock = Mock::start(|_, n| {
        if n == 0 {
            Reply::error("InternalError", "oops", "ie")
        } else {
            create_ok()
        }
    });
    let client = client_for(&mock)
        .retry(
            RetryPolicy::default()
                .with_base_delay(Duration::from_millis(1))
                .with_non_idempotent(NonIdempotent::Retry),
        )
        .build()
        .unwrap();
    client.create_backup_db_instance(&create()).unwrap();
    assert_eq!(mock.count(), 2);
}

#[test]
fn describe_is_retried_after_internal_error_reset_and_gateway_errors() {
    let mock = Mock::start(|_, n| match n {
        0 => Reply::error("InternalError", "oops", "ie"),
        1 => Reply::Reset,
        2 => Reply::status(502, "<html>bad gateway</html>"),
        _ => backups_ok("fine"),
    });
    let client = client_for(&mock)
        .retry(
            RetryPolicy::default()
                .with_max_attempts(4)
                .with_base_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let resp = client.describe_db_backups(&describe()).unwrap();
    assert_eq!(resp.request_id, "fine");
    assert_eq!(mock.count(), 4);
}

#[test]
fn connect_failures_are_retried_and_reported_as_not_sent() {
    common::init_logger();
    // Bind then drop a listener: the port is very likely closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new(ID, KEY).unwrap())
        .no_proxy()
        .rate_limit(None)
        .retry(RetryPolicy::default().with_base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client.create_backup_db_instance(&create()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    let retries = common::my_log_lines()
        .iter()
        .filter(|l| l.contains("retrying in") && l.contains("request not sent"))
        .count();
    assert_eq!(retries, 2, "a Create is retried when nothing was sent");
}

#[test]
fn retries_can_be_disabled_per_call() {
    let mock = Mock::start(|_, _| Reply::error("RequestLimitExceeded", "slow down", "rl"));
    let client = client_for(&mock).build().unwrap();
    let opts = CallOptions::new().retry(RetryPolicy::disabled());
    let err = client.call_with(&describe(), &opts).unwrap_err();
    assert!(err.is_throttling());
    assert_eq!(mock.count(), 1);
}

#[test]
fn clock_skew_is_corrected_from_the_date_header() {
    // The server's clock runs an hour ahead of ours.
    let server_now = || now() + 3600;
    let mock = Mock::start(move |req, _| {
        let ts: i64 = req.header("X-TC-Timestamp").unwrap().parse().unwrap();
        let date = time::OffsetDateTime::from_unix_timestamp(server_now())
            .unwrap()
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap();
        if (ts - server_now()).abs() > 300 {
            Reply::error("AuthFailure.SignatureExpire", "expired", "skew")
                .with_header("Date", &date)
        } else {
            backups_ok("ok").with_header("Date", &date)
        }
    });
    // Retries disabled: the skew correction is not a retry and still happens once.
    let client = client_for(&mock)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    assert_eq!(client.clock_offset_secs(), 0);
    client.describe_db_backups(&describe()).unwrap();
    assert_eq!(mock.count(), 2);
    let offset = client.clock_offset_secs();
    assert!((3590..=3610).contains(&offset), "offset {offset}");
    // The learned offset is shared with clones: no more rejected requests.
    client.clone().describe_db_backups(&describe()).unwrap();
    assert_eq!(mock.count(), 3);
}

#[test]
fn clock_skew_is_corrected_only_once() {
    let mock = Mock::start(|_, _| {
        Reply::error("AuthFailure.SignatureExpire", "expired", "skew")
            .with_header("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
    });
    let client = client_for(&mock).build().unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    assert_eq!(
        err.code().map(|c| c.as_str()),
        Some("AuthFailure.SignatureExpire")
    );
    assert_eq!(mock.count(), 2);
}

#[test]
fn http_status_errors_carry_a_snippet_and_request_id() {
    let mock = Mock::start(|_, _| Reply::Http {
        status: 404,
        headers: vec![],
        body: br#"{"Response":{"RequestId":"rid-404"}}"#.to_vec(),
    });
    let client = client_for(&mock).build().unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    match &err {
        Error::HttpStatus {
            status, request_id, ..
        } => {
            assert_eq!(*status, 404);
            assert_eq!(request_id.as_deref(), Some("rid-404"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.count(), 1, "4xx is not retried");

    let mock =
        Mock::start(|_, _| Reply::status(503, "<html><body>Service   Unavailable</body></html>"));
    let client = client_for(&mock).build().unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    match &err {
        Error::HttpStatus {
            status, snippet, ..
        } => {
            assert_eq!(*status, 503);
            assert!(snippet.contains("Service Unavailable"), "{snippet}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.count(), 3);
}

#[test]
fn malformed_answers_are_reported_not_retried() {
    let mock = Mock::start(|_, _| Reply::Http {
        status: 200,
        headers: vec![],
        body: b"<html>not json</html>".to_vec(),
    });
    let client = client_for(&mock).build().unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    assert!(matches!(err, Error::MalformedResponse { .. }), "{err:?}");
    assert_eq!(mock.count(), 1);
}

#[test]
fn announced_oversized_answer_is_refused_without_reading() {
    // Announce 1 GiB and send one byte, then hold the connection open: reading the body would
    // hang until the timeout, so a quick ResponseTooLarge proves nothing was read.
    let mock = Mock::start(|_, _| {
        Reply::RawHold(b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n{".to_vec())
    });
    let client = client_for(&mock)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    match err {
        Error::ResponseTooLarge { limit, announced } => {
            assert_eq!(limit, 32 * 1024 * 1024);
            assert_eq!(announced, Some(1 << 30));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.count(), 1);
}

#[test]
fn chunked_answer_over_the_limit_fails_at_the_limit() {
    let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..8 {
        raw.extend_from_slice(b"400\r\n");
        raw.extend_from_slice(&[b' '; 0x400]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let mock = Mock::start(move |_, _| Reply::RawClose(raw.clone()));
    let client = client_for(&mock).max_response_size(4096).build().unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                limit: 4096,
                announced: None
            }
        ),
        "{err:?}"
    );
}

#[test]
fn call_json_returns_the_response_object() {
    let mock = Mock::start(|_, _| Reply::ok(json!({"Anything": [1, 2]}), "rj"));
    let client = client_for(&mock).build().unwrap();
    let v = client
        .call_json("DescribeSomethingNew", json!({"InstanceId": "cmgo-1"}))
        .unwrap();
    assert_eq!(v["Anything"], json!([1, 2]));
    assert!(v.get("Response").is_none());
    let r = &mock.requests()[0];
    assert_eq!(r.action(), "DescribeSomethingNew");
    assert_eq!(r.body, br#"{"InstanceId":"cmgo-1"}"#);
    assert!(client.call_json("Bad Action", json!({})).is_err());
    assert!(client.call_json("X", json!([1])).is_err());
}

#[test]
fn call_json_knows_which_actions_are_idempotent() {
    let mock = Mock::start(|_, _| Reply::error("InternalError", "oops", "ie"));
    let client = client_for(&mock).build().unwrap();
    // Models' name matching is case-insensitive; a Create is not retried.
    client
        .call_json(
            "createbackupdbinstance",
            json!({"InstanceId": "x", "BackupMethod": 0}),
        )
        .unwrap_err();
    assert_eq!(mock.count(), 1);
    assert_eq!(mock.requests()[0].action(), "CreateBackupDBInstance");
    client
        .call_json("DescribeDBBackups", json!({"InstanceId": "x"}))
        .unwrap_err();
    assert_eq!(mock.count(), 4);
}

#[test]
fn eight_threads_share_one_client() {
    let mock = Arc::new(Mock::start(|req, n| {
        assert!(req.verify(ID, KEY).is_ok());
        backups_ok(&format!("r{n}"))
    }));
    let client = client_for(&mock).build().unwrap();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    client.describe_db_backups(&describe()).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(mock.count(), 80);
}

#[test]
fn the_rate_limiter_is_shared_by_clones() {
    common::init_logger();
    let mock = Mock::start(|_, _| backups_ok("r"));
    // One per second, bursts of one: the second call, from a clone, must wait for a token
    // (unless the first call took a whole second).
    let client = client_for(&mock).rate_limit(Some(1.0)).build().unwrap();
    let other = client.clone();
    client.describe_db_backups(&describe()).unwrap();
    other.describe_db_backups(&describe()).unwrap();
    let waits = common::my_log_lines()
        .iter()
        .filter(|l| l.contains("client-side rate limit"))
        .count();
    assert_eq!(waits, 1);
    assert_eq!(mock.count(), 2);
    // Another action has its own bucket.
    other.create_backup_db_instance(&create()).unwrap();
    let waits = common::my_log_lines()
        .iter()
        .filter(|l| l.contains("client-side rate limit"))
        .count();
    assert_eq!(waits, 1);
}

#[test]
fn secrets_never_reach_debug_display_or_logs() {
    common::init_logger();
    let token = "SessionTokenMustNotLeak";
    let mock = Mock::start(|_, n| match n {
        0 => Reply::error("RequestLimitExceeded", "slow", "r0"),
        1 => Reply::error("AuthFailure.SignatureFailure", "bad signature", "r1"),
        _ => backups_ok("r2"),
    });
    let creds = Credentials::new(ID, KEY)
        .unwrap()
        .with_token(token)
        .unwrap();
    let client = client_for(&mock)
        .credentials(creds.clone())
        .build()
        .unwrap();
    let err = client.describe_db_backups(&describe()).unwrap_err();
    client.describe_db_backups(&describe()).unwrap();
    let texts = [
        format!("{client:?}"),
        format!("{creds:?}"),
        format!("{err}"),
        format!("{err:?}"),
    ];
    let lines = common::my_log_lines();
    assert!(!lines.is_empty());
    let signature = mock.requests()[0]
        .header("Authorization")
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_string();
    for text in texts.iter().chain(lines.iter()) {
        assert!(!text.contains(KEY), "secret key leaked: {text}");
        assert!(!text.contains(token), "token leaked: {text}");
        assert!(!text.contains(&signature), "signature leaked: {text}");
        assert!(
            !text.contains("TC3-HMAC-SHA256"),
            "authorization leaked: {text}"
        );
    }
    // Bodies stay out of the logs unless asked for.
    assert!(!lines.iter().any(|l| l.contains("cmgo-demo0001")));
}

#[test]
fn bodies_are_logged_only_when_asked() {
    common::init_logger();
    let mock = Mock::start(|_, _| backups_ok("r"));
    let client = client_for(&mock).log_bodies(true).build().unwrap();
    client.describe_db_backups(&describe()).unwrap();
    let lines = common::my_log_lines();
    assert!(lines.iter().any(|l| l.contains("cmgo-demo0001")));
    assert!(lines.iter().any(|l| l.contains("DescribeDBBackups ok")));
    assert!(!lines.iter().any(|l| l.contains(KEY)));
}

#[test]
fn builder_rejects_bad_settings() {
    let b = || Client::builder().credentials(Credentials::new(ID, KEY).unwrap());
    assert!(matches!(
        b().endpoint("ftp://x").build(),
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        b().region("Not A Region").build(),
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        b().rate_limit(Some(0.0)).build(),
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        b().endpoint_host(EndpointHost::Regional).build(),
        Err(Error::Config { .. })
    ));
    let c = b()
        .region("ap-shanghai")
        .root_domain(mongodb_client_blocking::INTL_ROOT_DOMAIN)
        .endpoint_host(EndpointHost::Regional)
        .build()
        .unwrap();
    assert_eq!(
        c.endpoint(),
        "https://mongodb.ap-shanghai.intl.tencentcloudapi.com/"
    );
    let c = b().region("ap-shanghai").build().unwrap();
    assert_eq!(c.endpoint(), "https://mongodb.tencentcloudapi.com/");
    assert_eq!(c.region(), Some("ap-shanghai"));
}

#[test]
fn region_defaults_from_the_environment_source() {
    let c = Client::builder()
        .credentials(Credentials::new(ID, KEY).unwrap())
        .env_source(mongodb_client_blocking::EnvSource::from_vars([(
            "TENCENTCLOUD_REGION",
            "ap-beijing",
        )]))
        .build()
        .unwrap();
    assert_eq!(c.region(), Some("ap-beijing"));
}

#[test]
fn clock_skew_without_a_useful_date_is_not_retried() {
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap();
    let mock = Mock::start(move |_, _| {
        Reply::error("AuthFailure.SignatureExpire", "expired", "skew").with_header("Date", &date)
    });
    let client = client_for(&mock).build().unwrap();
    client.describe_db_backups(&describe()).unwrap_err();
    assert_eq!(mock.count(), 1, "the Date header agrees with our clock");
    assert_eq!(client.clock_offset_secs(), 0);
}
