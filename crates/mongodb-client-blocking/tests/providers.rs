//! Credential fetches against scripted servers: TKE OIDC, retries with backoff, one fetch for
//! many threads, and the client's proxy used for STS and the metadata service.

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Mock, Recorded, Reply};
use mongodb_client_blocking::{
    Client, CvmRoleProvider, DefaultChain, EnvSource, Error, OidcRoleProvider, ProvideCredentials,
    RetryPolicy,
};
use serde_json::json;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(5))
}

/// An OIDC provider for role `r` with the token in `token`.
fn oidc(token: &std::path::Path) -> OidcRoleProvider {
    OidcRoleProvider::builder()
        .region("ap-guangzhou")
        .provider_id("p")
        .token_file(token)
        .role_arn("qcs::cam::uin/1:roleName/r")
        .build()
        .unwrap()
}

fn body_of(req: &Recorded) -> serde_json::Value {
    serde_json::from_slice(&req.body).unwrap()
}

fn sts_answer(id: &str, expires: i64) -> Reply {
    Reply::ok(
        json!({
            "Credentials": {"TmpSecretId": id, "TmpSecretKey": "tmpkey", "Token": format!("token-{id}")},
            "ExpiredTime": expires, "Expiration": "2096-10-02T07:06:40Z"
        }),
        "sts-rid",
    )
}

#[test]
fn oidc_exchanges_the_token_and_refreshes_before_expiry() {
    // First answer expires in 60 s (inside the 5-minute refresh window), the next far ahead.
    let soon = now() + 60;
    let sts = Mock::start(move |req, n| {
        assert_eq!(req.action(), "AssumeRoleWithWebIdentity");
        assert_eq!(req.header("X-TC-Version"), Some("2018-08-13"));
        assert_eq!(req.header("X-TC-Region"), Some("ap-shanghai"));
        assert_eq!(
            req.header("Authorization"),
            Some("SKIP"),
            "the call is not signed"
        );
        assert_eq!(req.header("X-TC-Token"), None);
        if n == 0 {
            sts_answer("AKIDoidc1", soon)
        } else {
            sts_answer("AKIDoidc2", 4_000_000_000)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "jwt-one\n").unwrap();
    let env = EnvSource::from_vars([
        ("TKE_REGION", "ap-shanghai"),
        ("TKE_PROVIDER_ID", "tke-provider"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
        ("TKE_ROLE_ARN", "qcs::cam::uin/100:roleName/pod-role"),
    ]);
    let p = OidcRoleProvider::from_tke_env(&env)
        .unwrap()
        .unwrap()
        .endpoint(sts.url());
    let c = p.provide().unwrap();
    assert_eq!(
        (c.secret_id(), c.token()),
        ("AKIDoidc1", Some("token-AKIDoidc1"))
    );
    let first = body_of(&sts.requests()[0]);
    assert_eq!(first["ProviderId"], "tke-provider");
    assert_eq!(first["WebIdentityToken"], "jwt-one");
    assert_eq!(first["RoleArn"], "qcs::cam::uin/100:roleName/pod-role");
    assert_eq!(first["DurationSeconds"], 7200);
    assert!(first["RoleSessionName"]
        .as_str()
        .unwrap()
        .starts_with("tcmongo-rs-"));
    // The platform rotated the token; the refresh before expiry reads it again.
    std::fs::write(&token, "jwt-two").unwrap();
    assert_eq!(p.provide().unwrap().secret_id(), "AKIDoidc2");
    assert_eq!(body_of(&sts.requests()[1])["WebIdentityToken"], "jwt-two");
    // Fresh now: no more calls.
    p.provide().unwrap();
    assert_eq!(sts.count(), 2);
}

#[test]
fn the_chain_uses_tke_oidc_before_the_cvm_role() {
    let sts = Mock::start(|_, _| sts_answer("AKIDoidc", 4_000_000_000));
    let cvm = Mock::start(|_, _| Reply::status(500, "must not be asked"));
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "jwt").unwrap();
    let env = EnvSource::from_vars([
        ("TKE_REGION", "ap-guangzhou"),
        ("TKE_PROVIDER_ID", "p"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
        ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
    ])
    .with_home(dir.path());
    let chain = DefaultChain::with_env(env)
        .metadata_endpoint(Some(cvm.url()))
        .sts_endpoint(sts.url());
    assert_eq!(chain.provide().unwrap().secret_id(), "AKIDoidc");
    assert_eq!(cvm.count(), 0);
}

#[test]
fn oidc_service_errors_name_the_role_and_are_credentials_errors() {
    let sts = Mock::start(|_, _| {
        Reply::error("InvalidParameter.WebIdentityTokenError", "bad token", "r")
    });
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "jwt").unwrap();
    let err = oidc(&token).endpoint(sts.url()).provide().unwrap_err();
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("roleName/r") && msg.contains("WebIdentityTokenError"),
        "{msg}"
    );
    assert!(!msg.contains("jwt"), "the token is a secret: {msg}");
    assert_eq!(sts.count(), 1, "a bad token is not retried");
}

#[test]
fn a_metadata_service_answering_500_twice_is_retried_with_backoff() {
    let mock = Mock::start(|req, n| match req.path_and_query.as_str() {
        "/latest/meta-data/cam/security-credentials/" if n < 2 => Reply::status(500, "busy"),
        "/latest/meta-data/cam/security-credentials/" => Reply::Http {
            status: 200,
            headers: vec![],
            body: b"role".to_vec(),
        },
        _ => Reply::json(json!({
            "TmpSecretId": "AKIDcvm", "TmpSecretKey": "k", "Token": "t",
            "ExpiredTime": 4_000_000_000i64, "Code": "Success"
        })),
    });
    let p = CvmRoleProvider::new()
        .endpoint(mock.url())
        .retry(fast_retry());
    assert_eq!(p.provide().unwrap().secret_id(), "AKIDcvm");
    assert_eq!(mock.count(), 4, "500, 500, role name, credentials");

    // Three 500s in a row: given up, as a credentials error naming the metadata service.
    let always = Mock::start(|_, _| Reply::status(500, "down"));
    let err = CvmRoleProvider::new()
        .endpoint(always.url())
        .retry(fast_retry())
        .provide()
        .unwrap_err();
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    assert!(err.to_string().contains(&always.url()), "{err}");
    assert_eq!(always.count(), 3);
}

#[test]
fn many_threads_with_an_empty_cache_make_one_fetch() {
    let sts = Mock::start(|_, _| sts_answer("AKIDshared", 4_000_000_000));
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "jwt").unwrap();
    let p = Arc::new(oidc(&token).endpoint(sts.url()));
    let threads = 16;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let p = p.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                p.provide().unwrap().secret_id().to_string()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), "AKIDshared");
    }
    assert_eq!(sts.count(), 1);
}

/// A proxy that tunnels every CONNECT to itself and answers STS, the metadata service and
/// the API by what is asked.
fn proxy() -> Mock {
    Mock::start(|req, _| {
        if req
            .path_and_query
            .starts_with("/latest/meta-data/cam/security-credentials/r")
        {
            return Reply::json(json!({
                "TmpSecretId": "AKIDcvm", "TmpSecretKey": "k", "Token": "cvmtoken",
                "ExpiredTime": 4_000_000_000i64, "Code": "Success"
            }));
        }
        if req.path_and_query.starts_with("/latest/") {
            return Reply::Http {
                status: 200,
                headers: vec![],
                body: b"r".to_vec(),
            };
        }
        match req.action() {
            "AssumeRole" => sts_answer("AKIDsts", 4_000_000_000),
            _ => Reply::ok(json!({"BackupList": [], "TotalCount": 0}), "api"),
        }
    })
}

fn connects(mock: &Mock) -> Vec<String> {
    mock.requests()
        .into_iter()
        .filter(|r| r.method == "CONNECT")
        .map(|r| r.path_and_query)
        .collect()
}

#[test]
fn sts_uses_the_clients_proxy() {
    let proxy = proxy();
    // Hosts that resolve nowhere: only the proxy can reach them.
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_ID", "AKIDbase"),
        ("TENCENTCLOUD_SECRET_KEY", "basekey"),
        ("TENCENTCLOUD_ROLE_ARN", "qcs::cam::uin/1:roleName/backup"),
    ]);
    let client = Client::builder()
        .endpoint("http://mongodb.api.invalid")
        .region("ap-guangzhou")
        .proxy(proxy.url())
        .env_source(env.clone())
        .default_chain(
            DefaultChain::with_env(env)
                .metadata_endpoint(None)
                .sts_endpoint("http://sts.api.invalid"),
        )
        .build()
        .unwrap();
    client
        .call_json("DescribeDBBackups", json!({"InstanceId": "cmgo-x"}))
        .unwrap();
    assert_eq!(
        connects(&proxy),
        ["sts.api.invalid:80", "mongodb.api.invalid:80"]
    );
    let api = proxy
        .requests()
        .into_iter()
        .find(|r| r.action() == "DescribeDBBackups")
        .unwrap();
    assert_eq!(api.header("X-TC-Token"), Some("token-AKIDsts"));
    api.verify("AKIDsts", "tmpkey")
        .expect("signed with the role's keys");
}

#[test]
fn the_metadata_service_uses_the_clients_proxy() {
    let proxy = proxy();
    let env = EnvSource::from_vars(Vec::<(String, String)>::new());
    let client = Client::builder()
        .endpoint("http://mongodb.api.invalid")
        .proxy(proxy.url())
        .env_source(env.clone())
        .default_chain(
            DefaultChain::with_env(env)
                .metadata_endpoint(Some("http://metadata.api.invalid".into())),
        )
        .build()
        .unwrap();
    client
        .call_json("DescribeDBBackups", json!({"InstanceId": "cmgo-x"}))
        .unwrap();
    let seen = connects(&proxy);
    assert!(
        seen.iter().any(|c| c == "metadata.api.invalid:80"),
        "{seen:?}"
    );
    let api = proxy
        .requests()
        .into_iter()
        .find(|r| r.action() == "DescribeDBBackups")
        .unwrap();
    assert_eq!(api.header("X-TC-Token"), Some("cvmtoken"));
}

/// A server whose clock is an hour ahead of ours: it rejects a request stamped more than
/// five minutes off its clock as `AuthFailure.SignatureExpire` (with its `Date`), and answers
/// `ok` otherwise.
fn hour_ahead(ok: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Mock {
    Mock::start(move |req, n| {
        let server_now = now() + 3600;
        let date = time::OffsetDateTime::from_unix_timestamp(server_now)
            .unwrap()
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap();
        let ts: i64 = req.header("X-TC-Timestamp").unwrap().parse().unwrap();
        if (ts - server_now).abs() > 300 {
            Reply::error("AuthFailure.SignatureExpire", "expired", "skew")
                .with_header("Date", &date)
        } else {
            ok(n).with_header("Date", &date)
        }
    })
}

fn stamp(req: &Recorded) -> i64 {
    req.header("X-TC-Timestamp").unwrap().parse().unwrap()
}

/// A client over the default chain with base keys in the environment and a role to assume.
fn client_assuming_a_role(api: &Mock, sts: &Mock) -> Client {
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_ID", "AKIDbase"),
        ("TENCENTCLOUD_SECRET_KEY", "basekey"),
        ("TENCENTCLOUD_ROLE_ARN", "qcs::cam::uin/1:roleName/ops"),
    ]);
    Client::builder()
        .endpoint(api.url())
        .region("ap-guangzhou")
        .no_proxy()
        .rate_limit(None)
        .env_source(env.clone())
        .default_chain(
            DefaultChain::with_env(env)
                .metadata_endpoint(None)
                .sts_endpoint(sts.url()),
        )
        .build()
        .unwrap()
}

#[test]
fn a_clock_corrected_by_sts_serves_the_api_calls_too() {
    let sts = hour_ahead(|_| sts_answer("AKIDrole", 4_000_000_000));
    let api = hour_ahead(|_| Reply::ok(json!({"InstanceDetails": [], "TotalCount": 0}), "r"));
    let client = client_assuming_a_role(&api, &sts);
    client.call_json("DescribeDBInstances", json!({})).unwrap();
    // STS rejected the local time once, learned the server's from its Date, and retried.
    assert_eq!(sts.count(), 2);
    let stamps: Vec<i64> = sts.requests().iter().map(stamp).collect();
    assert!((stamps[1] - stamps[0] - 3600).abs() <= 10, "{stamps:?}");
    // The API call was signed with that correction from the start: accepted the first time.
    assert_eq!(api.count(), 1);
    let offset = client.clock_offset_secs();
    assert!((3590..=3610).contains(&offset), "offset {offset}");
}

#[test]
fn a_clock_corrected_by_an_api_call_serves_sts_too() {
    // STS checks no time; its credentials are inside the refresh window, so each call fetches.
    let sts = Mock::start(|_, n| sts_answer(&format!("AKIDrole{n}"), now() + 100));
    let api = hour_ahead(|_| Reply::ok(json!({"InstanceDetails": [], "TotalCount": 0}), "r"));
    let client = client_assuming_a_role(&api, &sts);
    client.call_json("DescribeDBInstances", json!({})).unwrap();
    assert_eq!(api.count(), 2, "rejected once, then corrected");
    assert_eq!(sts.count(), 2, "one fetch per attempt");
    let stamps: Vec<i64> = sts.requests().iter().map(stamp).collect();
    // The second STS call, after the API taught the client the server's clock, used it.
    assert!((stamps[1] - stamps[0] - 3600).abs() <= 10, "{stamps:?}");
}

#[test]
fn oidc_stamps_with_the_corrected_clock_after_signature_expire() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "jwt").unwrap();
    let sts = hour_ahead(|_| sts_answer("AKIDoidc", 4_000_000_000));
    let env = EnvSource::from_vars([
        ("TKE_REGION", "ap-guangzhou"),
        ("TKE_PROVIDER_ID", "p"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
        ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
    ]);
    let p = OidcRoleProvider::from_tke_env(&env)
        .unwrap()
        .unwrap()
        .endpoint(sts.url());
    assert_eq!(p.provide().unwrap().secret_id(), "AKIDoidc");
    assert_eq!(sts.count(), 2);
    let stamps: Vec<i64> = sts.requests().iter().map(stamp).collect();
    assert!((stamps[1] - stamps[0] - 3600).abs() <= 10, "{stamps:?}");
}

#[test]
fn an_sts_answer_of_the_wrong_shape_is_named_and_not_retried() {
    let sts = Mock::start(|_, _| {
        Reply::json(json!({"Response": {"Credentials": "not an object", "RequestId": "r-bad"}}))
    });
    let p = mongodb_client_blocking::StsAssumeRoleProvider::new(
        mongodb_client_blocking::Credentials::new("AKIDbase", "basekey").unwrap(),
        "qcs::cam::uin/1:roleName/ops",
        "s",
    )
    .endpoint(sts.url())
    .retry(fast_retry());
    let err = p.provide().unwrap_err();
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("Credentials") && msg.contains("r-bad"),
        "{msg}"
    );
    assert_eq!(sts.count(), 1);
}
