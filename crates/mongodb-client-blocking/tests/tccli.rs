//! tccli's files through the public `tccli` module: routing of keys, members kept, file
//! modes, refusals.

use mongodb_client_blocking::tccli::{TccliFile, TccliProfile};
use mongodb_client_blocking::Error;
use serde_json::Value;

#[test]
fn keys_go_where_tccli_puts_them_and_unknown_members_survive() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.configure"),
        r#"{"_sys_param": {"region": "ap-guangzhou", "arrayCount": 10},
            "cvm": {"endpoint": "cvm.tencentcloudapi.com", "version": "2017-03-12"},
            "waiter": {"timeout": 180}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("default.credential"),
        r#"{"secretId": "AKIDold", "secretKey": "k", "oauth": {"openId": "x"}}"#,
    )
    .unwrap();
    let mut p = TccliProfile::load(home.path(), "default").unwrap();
    assert_eq!(p.region(), Some("ap-guangzhou"));
    assert_eq!(p.get("arrayCount").as_deref(), Some("10"));
    assert_eq!(p.get("cvm.version").as_deref(), Some("2017-03-12"));
    p.set("region", "ap-shanghai").unwrap();
    p.set("output", "table").unwrap();
    p.set("secretId", "AKIDnew").unwrap();
    p.set("use-cvm-role", "true").unwrap();
    p.set("mongodb.endpoint", "mongodb.internal.tencentcloudapi.com")
        .unwrap();
    p.save().unwrap();

    let conf: Value =
        serde_json::from_slice(&std::fs::read(dir.join("default.configure")).unwrap()).unwrap();
    assert_eq!(conf["_sys_param"]["region"], "ap-shanghai");
    assert_eq!(conf["_sys_param"]["output"], "table");
    assert_eq!(conf["_sys_param"]["arrayCount"], 10);
    assert_eq!(conf["cvm"]["version"], "2017-03-12");
    assert_eq!(conf["waiter"]["timeout"], 180);
    assert_eq!(
        conf["mongodb"]["endpoint"],
        "mongodb.internal.tencentcloudapi.com"
    );
    let cred: Value =
        serde_json::from_slice(&std::fs::read(dir.join("default.credential")).unwrap()).unwrap();
    assert_eq!(cred["secretId"], "AKIDnew");
    assert_eq!(cred["secretKey"], "k");
    assert_eq!(cred["type"], "cvm-role");
    assert_eq!(cred["oauth"]["openId"], "x");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("default.credential"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = TccliProfile::load(home.path(), "default").unwrap();
    assert_eq!(again.get("use-cvm-role").as_deref(), Some("true"));
    let listed = again.list();
    let key = listed.iter().find(|e| e.key == "secretKey").unwrap();
    assert!(key.secret);
    assert!(!format!("{key:?}").contains("\"k\""));
    assert!(listed
        .iter()
        .any(|e| e.key == "mongodb.endpoint" && e.file == TccliFile::Configure));
}

#[test]
fn a_new_profile_gets_what_tccli_expects() {
    let home = tempfile::tempdir().unwrap();
    let mut p = TccliProfile::load(home.path(), "ci").unwrap();
    assert!(!p.configure_exists() && !p.credential_exists());
    p.set("region", "ap-beijing").unwrap();
    p.save().unwrap();
    let p = TccliProfile::load(home.path(), "ci").unwrap();
    assert!(p.configure_exists());
    assert!(!p.credential_exists(), "nothing set in it, not written");
    assert_eq!(p.endpoint("mongodb"), Some("mongodb.tencentcloudapi.com"));
    assert_eq!(p.get("mongodb.version").as_deref(), Some("2019-07-25"));
}

#[test]
fn bad_values_keys_names_and_files_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let mut p = TccliProfile::load(home.path(), "default").unwrap();
    for (k, v) in [
        ("output", "yaml"),
        ("language", "fr"),
        ("use-cvm-role", "maybe"),
        ("colour", "blue"),
        ("a.b.c", "x"),
    ] {
        let err = p.set(k, v).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { parameter: Some(p), .. } if p == k),
            "{err:?}"
        );
    }
    assert!(TccliProfile::load(home.path(), "../etc").is_err());
    let dir = home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad.configure"), "{not json").unwrap();
    let err = TccliProfile::load(home.path(), "bad").unwrap_err();
    assert!(err.to_string().contains("bad.configure"), "{err}");
}
