//! Settings from tccli's `.configure` file, their precedence, and `X-TC-RequestClient`.

mod common;

use common::{client_for, Mock, Reply, ID, KEY};
use mongodb_client_blocking::tccli::TccliProfile;
use mongodb_client_blocking::{Client, Credentials, EnvSource, Error, MAX_REQUEST_CLIENT_LEN};
use serde_json::json;

fn ok() -> Reply {
    Reply::ok(json!({"BackupList": [], "TotalCount": 0}), "r")
}

fn call(client: &Client) {
    client
        .call_json("DescribeDBBackups", json!({"InstanceId": "cmgo-x"}))
        .unwrap();
}

/// A home whose tccli profile `name` has this region and mongodb endpoint.
fn home_with_profile(name: &str, region: &str, endpoint: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let mut p = TccliProfile::load(home.path(), name).unwrap();
    p.set("region", region).unwrap();
    p.set("mongodb.endpoint", endpoint).unwrap();
    p.save().unwrap();
    home
}

fn builder(env: EnvSource) -> mongodb_client_blocking::ClientBuilder {
    Client::builder()
        .credentials(Credentials::new(ID, KEY).unwrap())
        .no_proxy()
        .rate_limit(None)
        .env_source(env)
}

#[test]
fn tccli_configure_gives_the_region_and_the_endpoint() {
    let mock = Mock::start(|_, _| ok());
    let home = home_with_profile("default", "ap-shanghai", &mock.url());
    let client =
        builder(EnvSource::from_vars(Vec::<(String, String)>::new()).with_home(home.path()))
            .build()
            .unwrap();
    assert_eq!(client.region(), Some("ap-shanghai"));
    assert_eq!(client.endpoint(), format!("{}/", mock.url()));
    call(&client);
    assert_eq!(
        mock.requests()[0].header("X-TC-Region"),
        Some("ap-shanghai")
    );
}

#[test]
fn a_bare_host_in_tccli_means_https() {
    let home = home_with_profile(
        "default",
        "ap-shanghai",
        "mongodb.ap-shanghai.tencentcloudapi.com",
    );
    let client =
        builder(EnvSource::from_vars(Vec::<(String, String)>::new()).with_home(home.path()))
            .build()
            .unwrap();
    assert_eq!(
        client.endpoint(),
        "https://mongodb.ap-shanghai.tencentcloudapi.com/"
    );
}

#[test]
fn the_environment_beats_tccli_unless_a_profile_is_named() {
    let home = home_with_profile("ci", "ap-chengdu", "mongodb.tencentcloudapi.com");
    let env = EnvSource::from_vars([
        ("TENCENTCLOUD_REGION", "ap-beijing"),
        ("TCCLI_PROFILE", "ci"),
    ])
    .with_home(home.path());
    let c = builder(env.clone()).build().unwrap();
    assert_eq!(
        c.region(),
        Some("ap-beijing"),
        "TCCLI_PROFILE: environment first"
    );
    let c = builder(env.clone()).profile("ci").build().unwrap();
    assert_eq!(
        c.region(),
        Some("ap-chengdu"),
        "explicit profile beats the environment"
    );
    let c = builder(env)
        .profile("ci")
        .region("ap-nanjing")
        .build()
        .unwrap();
    assert_eq!(c.region(), Some("ap-nanjing"), "the builder beats both");
}

#[test]
fn a_broken_tccli_configure_file_is_a_config_error_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("default.configure"), "{\"_sys_param\": ").unwrap();
    let err = builder(EnvSource::from_vars(Vec::<(String, String)>::new()).with_home(home.path()))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert!(err.to_string().contains("default.configure"), "{err}");
}

#[test]
fn the_default_request_client_names_the_sdk_and_its_version() {
    let mock = Mock::start(|_, _| ok());
    let client = client_for(&mock).build().unwrap();
    call(&client);
    let expected = format!("SDK_RUST_{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        mock.requests()[0].header("X-TC-RequestClient"),
        Some(expected.as_str())
    );
}

#[test]
fn a_request_client_outside_the_allowed_characters_is_a_builder_error() {
    let mock = Mock::start(|_, _| ok());
    for bad in [
        "tool/1.0".to_string(),
        "has space".to_string(),
        String::new(),
        "x".repeat(MAX_REQUEST_CLIENT_LEN + 1),
    ] {
        let err = client_for(&mock)
            .request_client(bad.clone())
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{bad:?}: {err:?}");
        assert!(err.to_string().contains("request_client"), "{err}");
    }
    client_for(&mock)
        .request_client("nightly-backup_2.1;team,db")
        .build()
        .unwrap();
    assert_eq!(mock.count(), 0);
}
