//! The default chain's rules: precedence, what "configured" means, and every "configured but
//! broken" case as an error naming the source (never a fall-through to the next source).

mod common;

use std::path::Path;

use common::{Mock, Reply};
use mongodb_client_blocking::{Client, DefaultChain, EnvSource, Error, ProvideCredentials};
use serde_json::json;

/// A temporary home directory.
struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Home {
        Home(tempfile::tempdir().unwrap())
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn ini(&self, text: &str) -> &Self {
        let dir = self.path().join(".tencentcloud");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("credentials"), text).unwrap();
        self
    }

    fn tccli(&self, profile: &str, credential: serde_json::Value) -> &Self {
        let dir = self.path().join(".tccli");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("{profile}.credential")),
            credential.to_string(),
        )
        .unwrap();
        self
    }

    fn env(&self, vars: &[(&str, &str)]) -> EnvSource {
        EnvSource::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .with_home(self.path())
    }
}

fn metadata(role_key: &'static str) -> Mock {
    Mock::start(move |req, _| match req.path_and_query.as_str() {
        "/latest/meta-data/cam/security-credentials/" => Reply::Http {
            status: 200,
            headers: vec![],
            body: b"the-role".to_vec(),
        },
        "/latest/meta-data/cam/security-credentials/the-role" => Reply::json(json!({
            "TmpSecretId": role_key, "TmpSecretKey": "k", "Token": "t",
            "ExpiredTime": 4_000_000_000i64, "Code": "Success"
        })),
        _ => Reply::status(404, "not found"),
    })
}

fn chain(env: EnvSource, metadata: &Mock) -> DefaultChain {
    DefaultChain::with_env(env).metadata_endpoint(Some(metadata.url()))
}

fn id_of(chain: &DefaultChain) -> String {
    chain.provide().unwrap().secret_id().to_string()
}

/// The error's text, after checking it is a credentials error.
fn cred_err(chain: &DefaultChain) -> String {
    match chain.provide() {
        Err(e @ Error::Credentials { .. }) => e.to_string(),
        other => panic!("expected a credentials error, got {other:?}"),
    }
}

/// A home, the environment variables set, and the secret id expected.
type Row<'a> = (&'a Home, &'a [(&'a str, &'a str)], &'a str);

const ENV_KEYS: [(&str, &str); 2] = [
    ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
    ("TENCENTCLOUD_SECRET_KEY", "k"),
];

#[test]
fn precedence_env_then_file_then_tccli_then_cvm() {
    let cvm = metadata("AKIDcvm");
    let all = Home::new();
    all.ini("[default]\nsecret_id = AKIDfile\nsecret_key = k\n")
        .tccli(
            "default",
            json!({"secretId": "AKIDtccli", "secretKey": "k"}),
        );
    let tccli_only = Home::new();
    tccli_only.tccli(
        "default",
        json!({"secretId": "AKIDtccli", "secretKey": "k"}),
    );
    let empty = Home::new();
    let table: [Row<'_>; 4] = [
        (&all, &ENV_KEYS, "AKIDenv"),
        (&all, &[], "AKIDfile"),
        (&tccli_only, &[], "AKIDtccli"),
        (&empty, &[], "AKIDcvm"),
    ];
    for (home, vars, expected) in table {
        assert_eq!(id_of(&chain(home.env(vars), &cvm)), expected, "{vars:?}");
    }
}

#[test]
fn an_explicit_profile_beats_the_environment() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.ini("[default]\nsecret_id = AKIDfile\nsecret_key = k\n[ops]\nsecret_id = AKIDops\nsecret_key = k\n")
        .tccli("ci", json!({"secretId": "AKIDci", "secretKey": "k"}));
    let env = home.env(&ENV_KEYS);
    assert_eq!(id_of(&chain(env.clone(), &cvm).profile("ops")), "AKIDops");
    // Not in the INI file: tccli's profile of that name.
    assert_eq!(id_of(&chain(env.clone(), &cvm).profile("ci")), "AKIDci");
    // Defined nowhere: an error naming it, not the environment's keys nor the CVM role.
    let err = cred_err(&chain(env, &cvm).profile("nope"));
    assert!(err.contains("\"nope\""), "{err}");
    assert!(err.contains("tccli configure --profile nope"), "{err}");
    assert_eq!(cvm.count(), 0);
}

#[test]
fn the_client_builder_profile_reaches_the_chain() {
    let home = Home::new();
    home.ini("[default]\nsecret_id = AKIDfile\nsecret_key = k\n[ops]\nsecret_id = AKIDops\nsecret_key = opskey\n");
    let api = Mock::start(|_, _| Reply::ok(json!({"BackupList": [], "TotalCount": 0}), "r"));
    let client = Client::builder()
        .endpoint(api.url())
        .region("ap-guangzhou")
        .no_proxy()
        .env_source(home.env(&ENV_KEYS))
        .default_chain(DefaultChain::with_env(home.env(&ENV_KEYS)).metadata_endpoint(None))
        .profile("ops")
        .build()
        .unwrap();
    client
        .call_json("DescribeDBBackups", json!({"InstanceId": "cmgo-x"}))
        .unwrap();
    api.requests()[0]
        .verify("AKIDops", "opskey")
        .expect("signed with the profile's key");
}

#[test]
fn a_broken_credentials_file_beside_valid_tccli_credentials_is_an_error_naming_the_file() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.tccli(
        "default",
        json!({"secretId": "AKIDtccli", "secretKey": "k"}),
    );
    let file = home.path().join("creds.ini");
    std::fs::write(&file, "{\"secret_id\": \"this is JSON, not INI\"}\n").unwrap();
    let env = home.env(&[("TENCENTCLOUD_CREDENTIALS_FILE", file.to_str().unwrap())]);
    let err = cred_err(&chain(env, &cvm));
    assert!(err.contains(file.to_str().unwrap()), "{err}");
    assert!(err.contains("line 1"), "{err}");
    // A named file that doesn't exist is an error too.
    let missing = home.path().join("missing.ini");
    let env = home.env(&[("TENCENTCLOUD_CREDENTIALS_FILE", missing.to_str().unwrap())]);
    let err = cred_err(&chain(env, &cvm));
    assert!(
        err.contains("missing.ini") && err.contains("does not exist"),
        "{err}"
    );
    assert!(err.contains("TENCENTCLOUD_CREDENTIALS_FILE"), "{err}");
}

#[test]
fn half_set_environment_is_an_error_not_a_fall_through() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.tccli(
        "default",
        json!({"secretId": "AKIDtccli", "secretKey": "k"}),
    );
    let err = cred_err(&chain(
        home.env(&[("TENCENTCLOUD_SECRET_ID", "AKIDenv")]),
        &cvm,
    ));
    assert!(err.contains("TENCENTCLOUD_SECRET_KEY is not"), "{err}");
}

#[test]
fn tccli_profile_variable_naming_a_missing_profile_is_an_error() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.tccli(
        "default",
        json!({"secretId": "AKIDtccli", "secretKey": "k"}),
    );
    let err = cred_err(&chain(home.env(&[("TCCLI_PROFILE", "prod")]), &cvm));
    assert!(err.contains("TCCLI_PROFILE"), "{err}");
    assert!(err.contains("prod.credential"), "{err}");
    assert_eq!(cvm.count(), 0, "no fall-through to the CVM role");
    // Named and present: used.
    home.tccli("prod", json!({"secretId": "AKIDprod", "secretKey": "k"}));
    assert_eq!(
        id_of(&chain(home.env(&[("TCCLI_PROFILE", "prod")]), &cvm)),
        "AKIDprod"
    );
}

#[test]
fn a_tccli_credential_of_unsupported_type_is_an_error_naming_the_type() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.tccli(
        "default",
        json!({"type": "saml-federation", "secretId": "AKIDx", "secretKey": "k"}),
    );
    let err = cred_err(&chain(home.env(&[]), &cvm));
    assert!(err.contains("\"saml-federation\""), "{err}");
    assert!(err.contains("default.credential"), "{err}");
}

#[test]
fn expired_temporary_keys_are_refused_and_never_sent() {
    let home = Home::new();
    home.tccli(
        "default",
        json!({"type": "oauth", "secretId": "AKIDtmp", "secretKey": "k", "token": "t",
               "expiresAt": 1_000_000_000, "oauth": {"site": "cn"}}),
    );
    let api = Mock::start(|_, _| Reply::ok(json!({}), "r"));
    let client = Client::builder()
        .endpoint(api.url())
        .no_proxy()
        .default_chain(DefaultChain::with_env(home.env(&[])).metadata_endpoint(None))
        .env_source(home.env(&[]))
        .build()
        .unwrap();
    let err = client
        .call_json("DescribeDBInstances", json!({}))
        .unwrap_err();
    assert!(matches!(err, Error::Credentials { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("expired at 2001-09-09T01:46:40Z"), "{msg}");
    assert_eq!(api.count(), 0, "nothing sent with expired keys");
    // Keys that are still valid are used.
    home.tccli(
        "default",
        json!({"type": "sso", "secretId": "AKIDsso", "secretKey": "k", "token": "t",
               "expiresAt": 4_000_000_000i64}),
    );
    let c = DefaultChain::with_env(home.env(&[]))
        .metadata_endpoint(None)
        .provide()
        .unwrap();
    assert_eq!((c.secret_id(), c.token()), ("AKIDsso", Some("t")));
}

#[test]
fn a_tke_token_file_that_does_not_exist_is_an_error_naming_it() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    let token = home.path().join("no-such-token");
    let env = home.env(&[
        ("TKE_REGION", "ap-guangzhou"),
        ("TKE_PROVIDER_ID", "tke-oidc"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
        ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/pod"),
    ]);
    let err = cred_err(&chain(env, &cvm).sts_endpoint("http://127.0.0.1:9"));
    assert!(err.contains(token.to_str().unwrap()), "{err}");
    assert_eq!(cvm.count(), 0, "no fall-through to the CVM role");
    // Some TKE variables without the others: an error naming the missing ones.
    let err = cred_err(&chain(home.env(&[("TKE_ROLE_ARN", "qcs::x")]), &cvm));
    assert!(err.contains("TKE_REGION"), "{err}");
}

#[test]
fn a_present_file_without_a_default_section_is_passed_over_unless_asked_for() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.ini("[other]\nsecret_id = AKIDother\nsecret_key = k\n")
        .tccli(
            "default",
            json!({"secretId": "AKIDtccli", "secretKey": "k"}),
        );
    assert_eq!(id_of(&chain(home.env(&[]), &cvm)), "AKIDtccli");
    let err = cred_err(&chain(home.env(&[("TENCENTCLOUD_PROFILE", "job")]), &cvm));
    assert!(err.contains("[job]") && err.contains("other"), "{err}");
}

#[test]
fn a_section_without_both_keys_is_an_error() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.ini("[default]\nsecret_id = AKIDfile\n").tccli(
        "default",
        json!({"secretId": "AKIDtccli", "secretKey": "k"}),
    );
    let err = cred_err(&chain(home.env(&[]), &cvm));
    assert!(err.contains("lacks secret_id or secret_key"), "{err}");
}

#[test]
fn tccli_cvm_role_type_uses_the_metadata_service() {
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.tccli("default", json!({"type": "cvm-role"}));
    assert_eq!(id_of(&chain(home.env(&[]), &cvm)), "AKIDcvm");
    // Without a metadata service that answers, the profile is broken, not skipped.
    let down = Mock::start(|_, _| Reply::status(404, "no role"));
    let err = cred_err(&chain(home.env(&[]), &down));
    assert!(err.contains("cvm-role"), "{err}");
}

#[test]
fn the_source_used_is_logged_at_debug_without_the_secret() {
    common::init_logger();
    let home = Home::new();
    home.ini("[default]\nsecret_id = AKIDfile\nsecret_key = TopSecretIniKey\n");
    let chain = DefaultChain::with_env(home.env(&[])).metadata_endpoint(None);
    chain.provide().unwrap();
    chain.provide().unwrap();
    let lines: Vec<String> = common::my_log_lines()
        .into_iter()
        .filter(|l| l.contains("credentials from"))
        .collect();
    assert_eq!(lines.len(), 1, "logged when the source changes: {lines:?}");
    assert!(lines[0].starts_with("DEBUG"), "{lines:?}");
    assert!(
        lines[0].contains(".tencentcloud") && lines[0].contains("[default]"),
        "{lines:?}"
    );
    assert!(!lines[0].contains("TopSecretIniKey"));
}

#[test]
fn a_tccli_role_arn_is_assumed_with_the_profiles_keys() {
    let sts = Mock::start(|req, _| {
        req.verify("AKIDbase", "basekey")
            .expect("signed with the profile's keys");
        assert_eq!(req.action(), "AssumeRole");
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body["RoleArn"], "qcs::cam::uin/1:roleName/ops");
        assert_eq!(body["RoleSessionName"], "nightly");
        Reply::ok(
            json!({"Credentials": {"TmpSecretId": "AKIDrole", "TmpSecretKey": "k", "Token": "t"},
                   "ExpiredTime": 4_000_000_000i64}),
            "r",
        )
    });
    let home = Home::new();
    home.tccli(
        "default",
        json!({"secretId": "AKIDbase", "secretKey": "basekey",
               "role-arn": "qcs::cam::uin/1:roleName/ops", "role-session-name": "nightly"}),
    );
    let chain = DefaultChain::with_env(home.env(&[]))
        .metadata_endpoint(None)
        .sts_endpoint(sts.url());
    assert_eq!(id_of(&chain), "AKIDrole");
    assert_eq!(id_of(&chain), "AKIDrole");
    assert_eq!(sts.count(), 1, "the role's credentials are cached");
}

#[test]
fn tccli_profile_beats_the_ini_files_implicit_default() {
    common::init_logger();
    let cvm = metadata("AKIDcvm");
    let home = Home::new();
    home.ini("[default]\nsecret_id = AKIDfile\nsecret_key = k\n[job]\nsecret_id = AKIDjob\nsecret_key = k\n")
        .tccli("ci", json!({"secretId": "AKIDci", "secretKey": "k"}));
    // TCCLI_PROFILE alone: ci's keys, not the INI file's [default], and the log says why.
    assert_eq!(
        id_of(&chain(home.env(&[("TCCLI_PROFILE", "ci")]), &cvm)),
        "AKIDci"
    );
    let skipped: Vec<String> = common::my_log_lines()
        .into_iter()
        .filter(|l| l.contains("[default] is skipped because TCCLI_PROFILE=ci"))
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].starts_with("DEBUG"), "{skipped:?}");
    // A section of the INI file named explicitly still wins.
    assert_eq!(
        id_of(&chain(
            home.env(&[("TCCLI_PROFILE", "ci"), ("TENCENTCLOUD_PROFILE", "job")]),
            &cvm
        )),
        "AKIDjob"
    );
    // So does a credentials file named explicitly.
    let file = home.path().join("creds.ini");
    std::fs::write(&file, "[default]\nsecret_id = AKIDnamed\nsecret_key = k\n").unwrap();
    assert_eq!(
        id_of(&chain(
            home.env(&[
                ("TCCLI_PROFILE", "ci"),
                ("TENCENTCLOUD_CREDENTIALS_FILE", file.to_str().unwrap())
            ]),
            &cvm
        )),
        "AKIDnamed"
    );
    // The environment's keys still come first.
    let mut vars = ENV_KEYS.to_vec();
    vars.push(("TCCLI_PROFILE", "ci"));
    assert_eq!(id_of(&chain(home.env(&vars), &cvm)), "AKIDenv");
    // TCCLI_PROFILE naming a profile tccli lacks is an error, not the INI [default].
    let err = cred_err(&chain(home.env(&[("TCCLI_PROFILE", "prod")]), &cvm));
    assert!(err.contains("prod.credential"), "{err}");
    assert_eq!(cvm.count(), 0);
}

#[test]
fn a_rotated_tccli_key_under_the_same_id_assumes_the_role_again_with_the_new_key() {
    let sts = Mock::start(|req, n| {
        assert_eq!(req.action(), "AssumeRole");
        Reply::ok(
            json!({"Credentials": {"TmpSecretId": format!("AKIDrole{n}"), "TmpSecretKey": "k", "Token": "t"},
                   "ExpiredTime": 4_000_000_000i64}),
            "r",
        )
    });
    let home = Home::new();
    let profile = |key: &str| {
        json!({"secretId": "AKIDbase", "secretKey": key,
               "role-arn": "qcs::cam::uin/1:roleName/ops"})
    };
    home.tccli("default", profile("old-key"));
    let chain = DefaultChain::with_env(home.env(&[]))
        .metadata_endpoint(None)
        .sts_endpoint(sts.url());
    let first = id_of(&chain);
    assert_eq!(id_of(&chain), first, "cached while the key is unchanged");
    assert_eq!(sts.count(), 1);
    // The key is rotated; the id stays. The old role credentials must not be reused.
    home.tccli("default", profile("new-key"));
    let second = id_of(&chain);
    assert_ne!(second, first);
    assert_eq!(sts.count(), 2);
    let reqs = sts.requests();
    reqs[0].verify("AKIDbase", "old-key").expect("first call");
    reqs[1]
        .verify("AKIDbase", "new-key")
        .expect("signed with the rotated key");
    // The chain's Debug shows neither key.
    let shown = format!("{chain:?}");
    assert!(
        !shown.contains("new-key") && !shown.contains("old-key"),
        "{shown}"
    );
}
