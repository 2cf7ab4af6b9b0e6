//! Credential providers, with injected environments and local metadata/STS servers.

mod common;

use common::{Mock, Reply};
use mongodb_client_blocking::{
    Credentials, CvmRoleProvider, DefaultChain, EnvSource, EnvironmentProvider, Error,
    ProfileFileProvider, ProvideCredentials, StsAssumeRoleProvider, TccliProvider,
};
use serde_json::json;

fn empty_home() -> (tempfile::TempDir, EnvSource) {
    let home = tempfile::tempdir().unwrap();
    let env = EnvSource::from_vars(Vec::<(String, String)>::new()).with_home(home.path());
    (home, env)
}

#[test]
fn environment_variables() {
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "envkey"),
        ("TENCENTCLOUD_TOKEN", "tok-old-name"),
    ]);
    let c = EnvironmentProvider::with_env(env).provide().unwrap();
    assert_eq!(c.secret_id(), "AKIDenv");
    assert_eq!(c.token(), Some("tok-old-name"));

    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "envkey"),
        ("TENCENTCLOUD_SESSION_TOKEN", "tok-new"),
        ("TENCENTCLOUD_TOKEN", "tok-old-name"),
    ]);
    let c = EnvironmentProvider::with_env(env).provide().unwrap();
    assert_eq!(c.token(), Some("tok-new"));

    let env = EnvSource::from_vars([("TENCENTCLOUD_SECRET_ID", "AKIDenv")]);
    let err = EnvironmentProvider::with_env(env).provide().unwrap_err();
    assert!(err.to_string().contains("TENCENTCLOUD_SECRET_KEY"), "{err}");
}

#[test]
fn profile_file_sections() {
    let (home, env) = empty_home();
    let dir = home.path().join(".tencentcloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[default]\nsecret_id = AKIDdefault\nsecret_key = k1\n\n[job]\nsecret_id=AKIDjob\nsecret_key=k2\ntoken=t2\n",
    )
    .unwrap();
    let c = ProfileFileProvider::with_env(env.clone())
        .provide()
        .unwrap();
    assert_eq!(c.secret_id(), "AKIDdefault");
    assert_eq!(c.token(), None);
    let c = ProfileFileProvider::with_env(env.clone())
        .profile("job")
        .provide()
        .unwrap();
    assert_eq!(c.secret_id(), "AKIDjob");
    assert_eq!(c.token(), Some("t2"));
    let err = ProfileFileProvider::with_env(env)
        .profile("nope")
        .provide()
        .unwrap_err();
    assert!(err.to_string().contains("[nope]"), "{err}");
}

#[test]
fn profile_file_from_variable_and_profile_variable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("creds.ini");
    std::fs::write(&file, "[ops]\nsecret_id = AKIDops\nsecret_key = k\n").unwrap();
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_CREDENTIALS_FILE", file.to_str().unwrap()),
        ("TENCENTCLOUD_PROFILE", "ops"),
    ]);
    let c = ProfileFileProvider::with_env(env).provide().unwrap();
    assert_eq!(c.secret_id(), "AKIDops");
}

#[test]
fn tccli_profile() {
    let (home, env) = empty_home();
    let dir = home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.credential"),
        r#"{"secretId": "AKIDtccli", "secretKey": "k", "token": "tt"}"#,
    )
    .unwrap();
    let c = TccliProvider::with_env(env).provide().unwrap();
    assert_eq!(c.secret_id(), "AKIDtccli");
    assert_eq!(c.token(), Some("tt"));
}

#[test]
fn missing_credentials_list_every_place_looked_at() {
    let (home, env) = empty_home();
    let chain = DefaultChain::with_env(env).metadata_endpoint(None);
    let err = chain.provide().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Credentials { .. }));
    assert!(msg.contains("TENCENTCLOUD_SECRET_ID"), "{msg}");
    assert!(
        msg.contains(&home.path().join(".tencentcloud").display().to_string()),
        "{msg}"
    );
    assert!(msg.contains(".tccli"), "{msg}");
}

#[test]
fn chain_order_prefers_the_environment() {
    let (home, _) = empty_home();
    let dir = home.path().join(".tencentcloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[default]\nsecret_id = AKIDfile\nsecret_key = k\n",
    )
    .unwrap();
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "k"),
    ])
    .with_home(home.path());
    let c = DefaultChain::with_env(env).provide().unwrap();
    assert_eq!(c.secret_id(), "AKIDenv");
    let env = EnvSource::from_vars(Vec::<(String, String)>::new()).with_home(home.path());
    let c = DefaultChain::with_env(env)
        .metadata_endpoint(None)
        .provide()
        .unwrap();
    assert_eq!(c.secret_id(), "AKIDfile");
}

fn metadata_server(expiry: i64) -> Mock {
    Mock::start(move |req, _| match req.path_and_query.as_str() {
        "/latest/meta-data/cam/security-credentials/" => Reply::Http {
            status: 200,
            headers: vec![],
            body: b"backup-role\n".to_vec(),
        },
        "/latest/meta-data/cam/security-credentials/backup-role" => Reply::json(json!({
            "TmpSecretId": "AKIDcvm", "TmpSecretKey": "cvmkey", "Token": "cvmtoken",
            "ExpiredTime": expiry, "Expiration": "2030-01-01T00:00:00Z", "Code": "Success"
        })),
        _ => Reply::status(404, "not found"),
    })
}

#[test]
fn cvm_role_credentials_are_fetched_and_cached() {
    let far = 4_000_000_000; // far in the future
    let mock = metadata_server(far);
    let p = CvmRoleProvider::new().endpoint(mock.url());
    let c = p.provide().unwrap();
    assert_eq!(c.secret_id(), "AKIDcvm");
    assert_eq!(c.token(), Some("cvmtoken"));
    p.provide().unwrap();
    assert_eq!(
        mock.count(),
        2,
        "cached: role name + credentials fetched once"
    );
    assert!(!format!("{p:?}").contains("cvmkey"));
}

#[test]
fn cvm_role_credentials_near_expiry_are_refreshed() {
    // Expires in 60 s: inside the 5-minute refresh window, so every call refreshes.
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 60;
    let mock = metadata_server(soon);
    let p = CvmRoleProvider::new()
        .endpoint(mock.url())
        .role_name("backup-role");
    p.provide().unwrap();
    p.provide().unwrap();
    assert_eq!(mock.count(), 2);
}

#[test]
fn cvm_without_a_role_is_a_credentials_error() {
    let mock = Mock::start(|_, _| Reply::status(404, "no role"));
    let err = CvmRoleProvider::new()
        .endpoint(mock.url())
        .provide()
        .unwrap_err();
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
}

fn sts_server() -> Mock {
    Mock::start(|req, _| {
        let v = req
            .verify("AKIDbase", "basekey")
            .expect("signed with the base key");
        assert_eq!(v.service, "sts");
        assert_eq!(req.action(), "AssumeRole");
        assert_eq!(req.header("X-TC-Version"), Some("2018-08-13"));
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body["RoleArn"], "qcs::cam::uin/1:roleName/backup");
        assert_eq!(body["RoleSessionName"], "nightly");
        Reply::ok(
            json!({
                "Credentials": {"TmpSecretId": "AKIDsts", "TmpSecretKey": "stskey", "Token": "ststoken"},
                "ExpiredTime": 4_000_000_000i64, "Expiration": "2096-10-02T07:06:40Z"
            }),
            "sts-rid",
        )
    })
}

#[test]
fn sts_assume_role() {
    let mock = sts_server();
    let base = Credentials::new("AKIDbase", "basekey").unwrap();
    let p = StsAssumeRoleProvider::new(base, "qcs::cam::uin/1:roleName/backup", "nightly")
        .endpoint(mock.url());
    let c = p.provide().unwrap();
    assert_eq!(c.secret_id(), "AKIDsts");
    assert_eq!(c.token(), Some("ststoken"));
    p.provide().unwrap();
    assert_eq!(mock.count(), 1);
}

#[test]
fn chain_assumes_the_role_from_the_environment() {
    let mock = sts_server();
    let (_home, _) = empty_home();
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_SECRET_ID", "AKIDbase"),
        ("TENCENTCLOUD_SECRET_KEY", "basekey"),
        ("TENCENTCLOUD_ROLE_ARN", "qcs::cam::uin/1:roleName/backup"),
        ("TENCENTCLOUD_ROLE_SESSION_NAME", "nightly"),
    ]);
    let chain = DefaultChain::with_env(env)
        .metadata_endpoint(None)
        .sts_endpoint(mock.url());
    assert_eq!(chain.provide().unwrap().secret_id(), "AKIDsts");
}

#[test]
fn sts_errors_are_credentials_errors() {
    let mock = Mock::start(|_, _| Reply::error("AuthFailure.SecretIdNotFound", "who?", "r"));
    let base = Credentials::new("AKIDbase", "basekey").unwrap();
    let err = StsAssumeRoleProvider::new(base, "arn", "s")
        .endpoint(mock.url())
        .provide()
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Credentials { .. }));
    assert!(msg.contains("AuthFailure.SecretIdNotFound"), "{msg}");
    assert!(!msg.contains("basekey"));
}
