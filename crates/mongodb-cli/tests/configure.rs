//! End-to-end: `tcmongo configure set|get|list` on tccli's own files, with `HOME` in a
//! temporary directory.

use std::path::Path;

use serde_json::{json, Value};

mod common;

use common::*;

fn tccli(home: &Path) -> std::path::PathBuf {
    home.join(".tccli")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn configure(home: &Path, args: &[&str]) -> std::process::Output {
    run(bare(home).arg("configure").args(args))
}

const SECRET_KEY: &str = "ciSecretKey0123456789abcdefWXYZ";

#[test]
fn set_get_list_round_trip_keeps_unknown_members() {
    let home = tempfile::tempdir().unwrap();
    let dir = tccli(home.path());
    std::fs::create_dir_all(&dir).unwrap();
    // Files as tccli leaves them, with members tcmongo does not know.
    std::fs::write(
        dir.join("ci.configure"),
        json!({
            "_sys_param": {"arrayCount": 10, "output": "json", "region": "ap-guangzhou", "warning": "off"},
            "cvm": {"endpoint": "cvm.tencentcloudapi.com", "version": "2017-03-12"},
            "mongodb": {"endpoint": "mongodb.tencentcloudapi.com", "version": "2019-07-25"}
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("ci.credential"),
        json!({"secretId": "AKIDold", "secretKey": "old", "x-note": {"kept": true}}).to_string(),
    )
    .unwrap();

    let o = configure(
        home.path(),
        &[
            "--profile",
            "ci",
            "set",
            "region",
            "ap-shanghai",
            "output",
            "text",
            "secretId",
            "AKIDci0000000000EXAMPLE",
            "secretKey",
            SECRET_KEY,
            "mongodb.endpoint",
            "mongodb.ap-shanghai.tencentcloudapi.com",
        ],
    );
    expect_code(&o, 0);
    assert!(o.stdout.is_empty(), "{}", stdout(&o));

    assert_eq!(
        read_json(&dir.join("ci.configure")),
        json!({
            "_sys_param": {"arrayCount": 10, "output": "text", "region": "ap-shanghai", "warning": "off"},
            "cvm": {"endpoint": "cvm.tencentcloudapi.com", "version": "2017-03-12"},
            "mongodb": {"endpoint": "mongodb.ap-shanghai.tencentcloudapi.com", "version": "2019-07-25"}
        })
    );
    assert_eq!(
        read_json(&dir.join("ci.credential")),
        json!({"secretId": "AKIDci0000000000EXAMPLE", "secretKey": SECRET_KEY, "x-note": {"kept": true}})
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("ci.credential"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    // The default profile was not touched.
    assert!(!dir.join("default.configure").exists());

    let o = configure(
        home.path(),
        &[
            "--profile",
            "ci",
            "get",
            "region",
            "secretKey",
            "mongodb.endpoint",
        ],
    );
    expect_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "region = ap-shanghai\n\
         secretKey = ****************WXYZ\n\
         mongodb.endpoint = mongodb.ap-shanghai.tencentcloudapi.com\n"
    );

    let o = configure(home.path(), &["list", "--profile", "ci"]);
    expect_code(&o, 0);
    let out = stdout(&o);
    assert!(!out.contains(SECRET_KEY), "secret shown in full:\n{out}");
    assert!(!out.contains("AKIDci0000000000EXAMPLE"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let configure_at = lines.iter().position(|l| *l == "configure:").unwrap();
    assert_eq!(lines[0], "credential:");
    let credential = &lines[1..configure_at];
    assert!(
        credential.contains(&"secretId = ****************MPLE"),
        "{out}"
    );
    assert!(
        credential.contains(&"secretKey = ****************WXYZ"),
        "{out}"
    );
    let settings = &lines[configure_at + 1..];
    for line in [
        "region = ap-shanghai",
        "output = text",
        "arrayCount = 10",
        "cvm.version = 2017-03-12",
        "mongodb.endpoint = mongodb.ap-shanghai.tencentcloudapi.com",
    ] {
        assert!(settings.contains(&line), "{line:?} not in:\n{out}");
    }
}

#[test]
fn a_new_profile_gets_tccli_s_service_entry_and_no_credential_file() {
    let home = tempfile::tempdir().unwrap();
    let o = configure(home.path(), &["set", "region", "ap-beijing"]);
    expect_code(&o, 0);
    let dir = tccli(home.path());
    assert_eq!(
        read_json(&dir.join("default.configure")),
        json!({
            "_sys_param": {"region": "ap-beijing"},
            "mongodb": {"endpoint": "mongodb.tencentcloudapi.com", "version": "2019-07-25"}
        })
    );
    assert!(!dir.join("default.credential").exists());
}

#[test]
fn the_profile_is_tccli_profile_unless_the_flag_names_another() {
    let home = tempfile::tempdir().unwrap();
    let dir = tccli(home.path());
    let o = run(bare(home.path()).env("TCCLI_PROFILE", "ci").args([
        "configure",
        "set",
        "region",
        "ap-chengdu",
    ]));
    expect_code(&o, 0);
    assert_eq!(
        read_json(&dir.join("ci.configure"))["_sys_param"]["region"],
        "ap-chengdu"
    );
    let o = run(bare(home.path()).env("TCCLI_PROFILE", "ci").args([
        "--profile",
        "prod",
        "configure",
        "set",
        "region",
        "ap-nanjing",
    ]));
    expect_code(&o, 0);
    assert_eq!(
        read_json(&dir.join("prod.configure"))["_sys_param"]["region"],
        "ap-nanjing"
    );
    assert_eq!(
        read_json(&dir.join("ci.configure"))["_sys_param"]["region"],
        "ap-chengdu"
    );
    assert!(!dir.join("default.configure").exists());
}

#[test]
fn getting_an_unset_key_is_exit_4_naming_it_and_the_profile() {
    let home = tempfile::tempdir().unwrap();
    expect_code(&configure(home.path(), &["set", "region", "ap-beijing"]), 0);
    let o = configure(home.path(), &["get", "region", "secretKey"]);
    expect_code(&o, 4);
    assert_eq!(stdout(&o), "region = ap-beijing\n");
    let err = stderr(&o);
    assert!(
        err.contains("secretKey not set in profile \"default\"")
            && err.contains("tcmongo configure set secretKey VALUE"),
        "{err}"
    );
}

#[test]
fn bad_pairs_are_exit_2_and_write_nothing() {
    let home = tempfile::tempdir().unwrap();
    let o = configure(home.path(), &["set", "region", "ap-beijing", "output"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("KEY VALUE pairs"), "{}", stderr(&o));
    let o = configure(
        home.path(),
        &["set", "region", "ap-beijing", "output", "yaml"],
    );
    expect_code(&o, 2);
    assert!(stderr(&o).contains("output"), "{}", stderr(&o));
    let o = configure(home.path(), &["set", "colour", "blue"]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("colour"), "{}", stderr(&o));
    assert!(!tccli(home.path()).exists());
}

#[test]
fn a_broken_profile_file_is_exit_4_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = tccli(home.path());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("default.configure"), "{ not json").unwrap();
    let o = configure(home.path(), &["list"]);
    expect_code(&o, 4);
    assert!(stderr(&o).contains("default.configure"), "{}", stderr(&o));
    // Left as it was.
    assert_eq!(
        std::fs::read_to_string(dir.join("default.configure")).unwrap(),
        "{ not json"
    );
}
