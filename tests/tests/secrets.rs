//! Secrets never leak: with a recognisable secret key and session token, every error path of
//! the client and the CLI is taken, everything is logged at `trace`, and neither value may
//! appear in any `Debug` or `Display` output, any log line, or the CLI's stdout/stderr. Also:
//! TLS is the default for real endpoints.

mod common;

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use common::{bare, client_for, emulator_builder, expect_code, refused_url, run};
use mongodb_client_blocking::models::{
    BackupMethod, CreateBackupDBInstanceRequest, DescribeDBBackupsRequest,
    DescribeDBInstancesRequest,
};
use mongodb_client_blocking::{
    Client, Credentials, DefaultChain, EnvSource, EnvironmentProvider, Error, HttpMethod,
    ProfileFileProvider, ProvideCredentials, WaitOptions,
};
use mongodb_emulator::{EmulatorHandle, Fault};

const KEY: &str = "SECRETKEY-canary-7f3a";
const TOKEN: &str = "TOKEN-canary-91bd";
const ID: &str = "AKIDcanaryPublicId";

// ---- a capturing logger, one per test binary ----

struct Capture {
    lines: Mutex<Vec<String>>,
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("[{} {}] {}", record.level(), record.target(), record.args());
        self.lines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }

    fn flush(&self) {}
}

fn logger() -> &'static Capture {
    static LOGGER: OnceLock<&'static Capture> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture {
            lines: Mutex::new(Vec::new()),
        }));
        log::set_logger(capture).expect("the only logger of this test binary");
        log::set_max_level(log::LevelFilter::Trace);
        capture
    })
}

fn log_lines() -> Vec<String> {
    logger()
        .lines
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

// ---- the check ----

/// The canary that `text` contains, if any.
fn leak(text: &str) -> Option<&'static str> {
    [KEY, TOKEN].into_iter().find(|c| text.contains(c))
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    if let Some(canary) = leak(text) {
        panic!("{what} leaks {canary}:\n{text}");
    }
}

/// Debug and Display of an error, checked; returns the Display for further asserts.
#[track_caller]
fn check_err(what: &str, err: &Error) -> String {
    let debug = format!("{err:?}");
    let display = err.to_string();
    assert_clean(&format!("{what} (Debug)"), &debug);
    assert_clean(&format!("{what} (Display)"), &display);
    if let Some(svc) = err.service_error() {
        assert_clean(
            &format!("{what} (service error)"),
            &format!("{svc:?} {svc}"),
        );
    }
    display
}

fn canary_emulator() -> EmulatorHandle {
    emulator_builder()
        .credentials(ID, KEY)
        .token(Some(TOKEN.to_string()))
        .start()
        .unwrap()
}

fn canary_creds() -> Credentials {
    Credentials::new(ID, KEY)
        .unwrap()
        .with_token(TOKEN)
        .unwrap()
}

fn describe(client: &Client) -> Result<(), Error> {
    client
        .describe_db_instances(&DescribeDBInstancesRequest::new())
        .map(|_| ())
}

fn create(client: &Client) -> Result<(), Error> {
    client
        .create_backup_db_instance(&CreateBackupDBInstanceRequest::new(
            "cmgo-demo0001",
            BackupMethod::Logical,
        ))
        .map(|_| ())
}

// ---- the client ----

#[test]
fn client_error_paths_never_show_the_key_or_token() {
    logger();
    let emu = canary_emulator();
    let builder = || client_for(&emu).credentials(canary_creds());
    let client = builder().build().unwrap();
    let mut checked = 0;

    // Values that hold the secrets.
    let creds = canary_creds();
    assert_clean("Credentials Debug", &format!("{creds:?}"));
    assert_clean("Client Debug", &format!("{client:?}"));
    assert_clean("ClientBuilder Debug", &format!("{:?}", builder()));
    assert_clean("EmulatorHandle Debug", &format!("{emu:?}"));
    assert_clean(
        "EmulatorBuilder Debug",
        &format!(
            "{:?}",
            emulator_builder()
                .credentials(ID, KEY)
                .token(Some(TOKEN.into()))
        ),
    );
    let signer = tc_sign::Signer::new();
    for method in [HttpMethod::Post, HttpMethod::Get] {
        let params = tc_sign::SigningParams::builder()
            .method(method)
            .service("mongodb")
            .host("mongodb.tencentcloudapi.com")
            .action("DescribeDBInstances")
            .version("2019-07-25")
            .timestamp(1_700_000_000)
            .payload(tc_sign::SignableBody::Bytes(b"{}"))
            .build()
            .expect("complete signing parameters");
        let signed = signer.sign(&creds, &params);
        assert_clean("SigningParams Debug", &format!("{params:?}"));
        assert_clean(
            "SignedHeaders Debug",
            &format!("{:?}", signer.sign_headers(&creds, &params)),
        );
        assert!(
            signed.headers.iter().any(|(_, v)| v == TOKEN),
            "token is sent"
        );
        assert_clean("SignedRequest Debug", &format!("{signed:?}"));
        assert_clean("Signer Debug", &format!("{signer:?}"));
    }

    // Success, with logs of every level.
    describe(&client).unwrap();
    create(&client).unwrap();

    // A service error.
    let err = client
        .describe_db_backups(&DescribeDBBackupsRequest::new("cmgo-nosuch"))
        .unwrap_err();
    assert!(matches!(err, Error::Service(_)));
    check_err("service error", &err);
    checked += 1;

    // Authentication failures: a wrong key (itself a canary), a wrong token.
    let wrong_key = Credentials::new(ID, format!("{KEY}-wrong"))
        .unwrap()
        .with_token(TOKEN)
        .unwrap();
    let c = builder().credentials(wrong_key).build().unwrap();
    let err = describe(&c).unwrap_err();
    assert!(err.code().is_some_and(|c| c.is_auth()), "{err:?}");
    check_err("wrong key", &err);
    let wrong_token = Credentials::new(ID, KEY)
        .unwrap()
        .with_token(format!("{TOKEN}-wrong"))
        .unwrap();
    let c = builder().credentials(wrong_token).build().unwrap();
    let err = describe(&c).unwrap_err();
    assert!(err.code().is_some_and(|c| c.is_auth()), "{err:?}");
    check_err("wrong token", &err);
    checked += 2;

    // Transport: refused, reset, truncated, timeout.
    let c = Client::builder()
        .endpoint(refused_url())
        .credentials(canary_creds())
        .no_proxy()
        .retry(common::fast_retry(2))
        .build()
        .unwrap();
    let err = describe(&c).unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    check_err("connection refused", &err);
    checked += 1;
    let faults = [
        ("reset", Fault::Disconnect),
        ("truncated", Fault::TruncatedBody),
        ("HTTP 502", Fault::BadGateway),
        ("HTTP 403", Fault::HttpStatus(403)),
        ("not JSON", Fault::NonJson),
        ("no Response", Fault::MissingResponse),
        ("1 GiB", Fault::HugeContentLength),
        ("throttled", Fault::error("RequestLimitExceeded")),
        ("internal error", Fault::error("InternalError")),
    ];
    for (what, fault) in faults {
        for log_bodies in [false, true] {
            emu.inject("DescribeDBInstances", fault.clone());
            emu.inject("CreateBackupDBInstance", fault.clone());
            let c = builder().log_bodies(log_bodies).build().unwrap();
            check_err(what, &describe(&c).unwrap_err());
            check_err(what, &create(&c).unwrap_err());
            checked += 2;
        }
    }
    emu.inject("DescribeDBInstances", Fault::Hang);
    let c = builder()
        .timeout(Duration::from_millis(500))
        .retry(common::fast_retry(2))
        .build()
        .unwrap();
    let err = describe(&c).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    check_err("timeout", &err);
    checked += 1;
    emu.clear_faults();

    // Too large for a small limit.
    let c = builder().max_response_size(16).build().unwrap();
    let err = describe(&c).unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    check_err("too large", &err);
    checked += 1;

    // A waiter that fails, a download task that is not ready.
    emu.inject("DescribeAsyncRequestInfo", Fault::error("ResourceNotFound"));
    let err = client
        .wait_async_request(
            "1",
            &WaitOptions::new().initial_interval(Duration::from_millis(5)),
        )
        .unwrap_err();
    check_err("waiter", &err);
    emu.clear_faults();
    let err = client
        .download_backup(
            &Default::default(),
            &std::env::temp_dir().join("never-written"),
            &Default::default(),
        )
        .unwrap_err();
    check_err("download of an empty task", &err);
    checked += 2;

    // Invalid input.
    let err = client
        .call_json("Not An Action", serde_json::json!({}))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
    check_err("invalid action", &err);
    let err: Error = mongodb_models::check_request(
        "CreateBackupDBInstance",
        &serde_json::json!({"InstanceId": "x", "BackupMethod": "soon"}),
    )
    .unwrap_err()
    .into();
    check_err("invalid parameter", &err);
    checked += 2;

    // A clock an hour off: corrected, with warnings in the log.
    let skewed = emulator_builder()
        .credentials(ID, KEY)
        .token(Some(TOKEN.to_string()))
        .clock_offset_secs(3600)
        .start()
        .unwrap();
    describe(
        &client_for(&skewed)
            .credentials(canary_creds())
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(skewed.request_count("DescribeDBInstances"), 2);

    // What the server saw: every exchange above reached it.
    assert!(emu.stats().total_requests > 40, "{:?}", emu.stats());
    let lines = log_lines();
    for line in &lines {
        assert_clean("log line", line);
    }
    assert!(
        lines.iter().any(|l| l.starts_with("[TRACE")),
        "bodies logged"
    );
    assert!(
        lines.iter().any(|l| l.contains("RequestId=")),
        "calls logged"
    );
    assert!(lines.iter().any(|l| l.contains("clock")), "skew logged");
    eprintln!(
        "secrets: {checked} client errors and {} log lines checked",
        lines.len()
    );
}

#[test]
fn credential_errors_never_show_the_key_or_token() {
    logger();
    // Empty parts of a credential.
    let e = Credentials::new("", KEY).unwrap_err();
    assert_clean("empty id", &format!("{e:?} {e}"));
    let e = Credentials::new(ID, KEY)
        .unwrap()
        .with_token("")
        .unwrap_err();
    assert_clean("empty token", &format!("{e:?} {e}"));
    let e = Credentials::new(ID, format!("{KEY}\n")).map(|c| format!("{c:?}"));
    assert_clean("key with a newline", &format!("{e:?}"));

    // The environment with a key but no id; with a role to assume through a failing STS.
    let home = tempfile::tempdir().unwrap();
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_KEY", KEY),
        ("TENCENTCLOUD_SESSION_TOKEN", TOKEN),
    ])
    .with_home(home.path());
    assert_clean("EnvSource", &format!("{env:?}"));
    let p = EnvironmentProvider::with_env(env.clone());
    assert_clean("EnvironmentProvider", &format!("{p:?}"));
    let e = p.provide().unwrap_err();
    assert!(matches!(e, Error::Credentials { .. }));
    check_err("env without id", &e);

    // A profile file with the key and no id, and a profile that does not exist.
    let file = home.path().join("credentials");
    std::fs::write(
        &file,
        format!("[default]\nsecret_key = {KEY}\ntoken = {TOKEN}\n\n[other]\nsecret_id = {ID}\nsecret_key = {KEY}\n"),
    )
    .unwrap();
    let p = ProfileFileProvider::with_env(env.clone()).path(&file);
    check_err("profile without id", &p.provide().unwrap_err());
    let p = ProfileFileProvider::with_env(env.clone())
        .path(&file)
        .profile("missing");
    check_err("missing profile", &p.provide().unwrap_err());
    let p = ProfileFileProvider::with_env(env.clone())
        .path(&file)
        .profile("other");
    let found = p.provide().unwrap();
    assert_clean("profile credentials", &format!("{found:?}"));

    // The default chain finding nothing usable; then assuming a role through an STS that
    // does not speak STS (the emulator).
    let chain = DefaultChain::with_env(env.clone()).metadata_endpoint(None);
    assert_clean("DefaultChain", &format!("{chain:?}"));
    let emu = canary_emulator();
    let c = client_for(&emu)
        .credentials_provider(chain)
        .build()
        .unwrap();
    let err = describe(&c).unwrap_err();
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    check_err("no usable credentials", &err);
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
        ("TENCENTCLOUD_SESSION_TOKEN", TOKEN),
        (
            "TENCENTCLOUD_ROLE_ARN",
            "qcs::cam::uin/100000:roleName/backup",
        ),
        ("TENCENTCLOUD_ROLE_SESSION_NAME", "canary"),
    ])
    .with_home(home.path());
    let chain = DefaultChain::with_env(env)
        .metadata_endpoint(None)
        .sts_endpoint(emu.url());
    let c = client_for(&emu)
        .credentials_provider(chain)
        .build()
        .unwrap();
    assert_clean("Client with a chain", &format!("{c:?}"));
    let err = describe(&c).unwrap_err();
    let shown = check_err("STS failure", &err);
    eprintln!("STS failure as shown: {shown}");
    for line in log_lines() {
        assert_clean("log line", &line);
    }
}

#[test]
fn tls_is_the_default_for_real_endpoints() {
    let empty = EnvSource::from_vars(Vec::<(String, String)>::new());
    let creds = || Credentials::new(ID, KEY).unwrap();
    let c = Client::builder()
        .env_source(empty.clone())
        .credentials(creds())
        .build()
        .unwrap();
    assert_eq!(c.endpoint(), "https://mongodb.tencentcloudapi.com/");
    let c = Client::builder()
        .env_source(empty.clone())
        .credentials(creds())
        .region("ap-shanghai")
        .endpoint_host(mongodb_client_blocking::EndpointHost::Regional)
        .root_domain(mongodb_client_blocking::INTL_ROOT_DOMAIN)
        .build()
        .unwrap();
    assert!(c.endpoint().starts_with("https://"), "{}", c.endpoint());
    assert!(c.endpoint().contains("ap-shanghai"), "{}", c.endpoint());
    // http:// only when named.
    let c = Client::builder()
        .env_source(empty)
        .credentials(creds())
        .endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert!(c.endpoint().starts_with("http://127.0.0.1:9"));
}

// ---- the CLI at --verbose, every exit code ----

#[test]
fn cli_verbose_never_prints_the_key_or_token_for_any_exit_code() {
    let emu = canary_emulator();
    let home = tempfile::tempdir().unwrap();
    let cli = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = bare(home.path());
        for (k, v) in env {
            c.env(k, v);
        }
        c.arg("--verbose");
        run(c.args(args))
    };
    let good: [(&str, &str); 3] = [
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
        ("TENCENTCLOUD_SESSION_TOKEN", TOKEN),
    ];
    let url = emu.url();
    let at = |extra: &[&'static str]| -> Vec<String> {
        let mut v = vec!["--endpoint".to_string(), url.clone()];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let mut runs: Vec<(&str, i32, std::process::Output)> = Vec::new();
    let mut go = |name: &'static str, code: i32, env: &[(&str, &str)], args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = cli(env, &args);
        expect_code(&o, code);
        runs.push((name, code, o));
    };

    go("success", 0, &good, at(&["DescribeDBInstances"]));
    go(
        "backup create --wait",
        0,
        &good,
        at(&[
            "backup",
            "create",
            "--instance-id",
            "cmgo-demo0001",
            "--wait",
        ]),
    );
    go(
        "service error",
        1,
        &good,
        at(&["DescribeDBBackups", "--InstanceId", "cmgo-nosuch"]),
    );
    let wrong_key = format!("{KEY}-wrong");
    let bad_key: [(&str, &str); 3] = [
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", &wrong_key),
        ("TENCENTCLOUD_SESSION_TOKEN", TOKEN),
    ];
    go("wrong key", 1, &bad_key, at(&["DescribeDBInstances"]));
    go(
        "bad input",
        2,
        &good,
        at(&["DescribeDBBackups", "--InstanceId", "x", "--Limit", "many"]),
    );
    go("unknown action", 2, &good, at(&["NoSuchAction"]));
    let refused = refused_url();
    go(
        "refused",
        3,
        &good,
        vec![
            "--endpoint".into(),
            refused,
            "--max-attempts".into(),
            "1".into(),
            "DescribeDBInstances".into(),
        ],
    );
    emu.inject("DescribeDBInstances", Fault::BadGateway);
    go(
        "HTTP 502",
        3,
        &good,
        at(&["--max-attempts", "1", "DescribeDBInstances"]),
    );
    emu.inject("DescribeDBInstances", Fault::NonJson);
    go("not JSON", 3, &good, at(&["DescribeDBInstances"]));
    emu.inject("DescribeDBInstances", Fault::Hang);
    go(
        "timeout",
        3,
        &good,
        at(&[
            "--timeout",
            "0.5",
            "--max-attempts",
            "1",
            "DescribeDBInstances",
        ]),
    );
    emu.clear_faults();
    go(
        "key without id",
        4,
        &[
            ("TENCENTCLOUD_SECRET_KEY", KEY),
            ("TENCENTCLOUD_SESSION_TOKEN", TOKEN),
        ],
        at(&["DescribeDBInstances"]),
    );
    go(
        "bad endpoint",
        4,
        &good,
        vec![
            "--endpoint".into(),
            "ftp://example.com".into(),
            "DescribeDBInstances".into(),
        ],
    );

    let mut codes = std::collections::BTreeSet::new();
    for (name, code, o) in &runs {
        assert_clean(
            &format!("{name}: stdout"),
            &String::from_utf8_lossy(&o.stdout),
        );
        assert_clean(
            &format!("{name}: stderr"),
            &String::from_utf8_lossy(&o.stderr),
        );
        codes.insert(*code);
    }
    assert_eq!(codes.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    // --verbose did log: request lines on stderr of the successful run.
    let verbose = String::from_utf8_lossy(&runs[0].2.stderr).into_owned();
    assert!(verbose.contains("DescribeDBInstances"), "{verbose}");
    // The server saw the authenticated calls, the refused key included.
    assert!(emu.request_count("DescribeDBInstances") >= 5);
    eprintln!("secrets: {} CLI runs checked", runs.len());
}

#[test]
fn the_check_itself_catches_a_leak() {
    for canary in [KEY, TOKEN] {
        assert_eq!(leak(&format!("Authorization: … {canary} …")), Some(canary));
    }
    assert_eq!(leak("nothing secret here"), None);
}
