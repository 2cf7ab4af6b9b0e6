//! End-to-end: tccli profiles as the source of credentials and defaults (`--profile`,
//! `TCCLI_PROFILE`, `.configure`'s region, endpoint and output), configured-but-broken sources
//! (exit 4 naming them), `--ca-bundle`, and help from the models' help lines.
//!
//! The emulator accepts only the `ci` profile's keys, so a run that signs with any other
//! profile's keys fails with `AuthFailure` (exit 1).

use std::path::Path;
use std::process::{Command, Output};

use mongodb_emulator::{Emulator, EmulatorHandle, InstanceSpec};
use serde_json::json;

mod common;

use common::*;

const CI_ID: &str = "AKIDci0000000000EXAMPLE";
const CI_KEY: &str = "ci-secret-key-0123456789";
/// The one instance in `ci`'s region (`ap-shanghai`); the demo instances are in `ap-guangzhou`.
const CI_INSTANCE: &str = "cmgo-shci0001";

/// An emulator that accepts only `ci`'s keys, and a home with tccli profiles: `ci` (its keys;
/// region, output `text` and the emulator as endpoint) and `default` (other keys).
struct Profiles {
    emu: EmulatorHandle,
    home: tempfile::TempDir,
}

impl Profiles {
    fn new() -> Self {
        let emu = Emulator::builder()
            .credentials(CI_ID, CI_KEY)
            .rate_limit(None)
            // `ci`'s region holds an instance of its own, so the answer shows which region
            // the request went to.
            .instance(
                InstanceSpec::replica_set(CI_INSTANCE)
                    .with_location("ap-shanghai", "ap-shanghai-2"),
            )
            .start()
            .expect("start emulator");
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(".tccli");
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, v: serde_json::Value| {
            std::fs::write(dir.join(name), v.to_string()).unwrap();
        };
        write(
            "ci.configure",
            json!({
                "_sys_param": {"region": "ap-shanghai", "output": "text"},
                "mongodb": {"endpoint": emu.url(), "version": "2019-07-25"}
            }),
        );
        write(
            "ci.credential",
            json!({"secretId": CI_ID, "secretKey": CI_KEY}),
        );
        write(
            "default.configure",
            json!({
                "_sys_param": {"region": "ap-guangzhou", "output": "json"},
                "mongodb": {"endpoint": emu.url(), "version": "2019-07-25"}
            }),
        );
        write(
            "default.credential",
            json!({"secretId": "AKIDdefault00000000", "secretKey": "default-secret-key"}),
        );
        Profiles { emu, home }
    }

    fn cmd(&self) -> Command {
        bare(self.home.path())
    }

    /// The region's first instance id through `--filter`: `cmgo-shci0001` as text in `ci`'s
    /// region, `"cmgo-shci0001"` as JSON.
    fn describe(&self, c: &mut Command) -> Output {
        run(c.args([
            "--verbose",
            "DescribeDBInstances",
            "--filter",
            "InstanceDetails[0].InstanceId",
        ]))
    }
}

/// Asserts a run signed with `ci`'s keys, in `ci`'s region, printing `ci`'s output format.
#[track_caller]
fn assert_ran_as_ci(o: &Output) {
    expect_code(o, 0);
    assert_eq!(
        stdout(o),
        format!("{CI_INSTANCE}\n"),
        "text output in ci's region expected"
    );
    let err = stderr(o);
    assert!(err.contains("profile ci, region ap-shanghai"), "{err}");
    assert!(
        err.contains("ci.credential"),
        "credential source not logged:\n{err}"
    );
    assert!(!err.contains(CI_KEY), "secret logged:\n{err}");
}

#[test]
fn profile_flag_uses_the_profile_s_keys_region_endpoint_and_output() {
    let p = Profiles::new();
    let o = p.describe(p.cmd().args(["--profile", "ci"]));
    assert_ran_as_ci(&o);
    assert_eq!(p.emu.request_count("DescribeDBInstances"), 1);

    // The default profile's keys are not the emulator's: the signature is refused.
    let o = p.describe(&mut p.cmd());
    expect_code(&o, 1);
    assert!(stderr(&o).contains("AuthFailure"), "{}", stderr(&o));
    // An explicit --output still wins over the profile's.
    let o = p.describe(p.cmd().args(["--profile", "ci", "--output", "json"]));
    expect_code(&o, 0);
    assert_eq!(stdout(&o), format!("\"{CI_INSTANCE}\"\n"));
}

#[test]
fn tccli_profile_variable_chooses_the_profile() {
    let p = Profiles::new();
    let o = p.describe(p.cmd().env("TCCLI_PROFILE", "ci"));
    assert_ran_as_ci(&o);
}

#[test]
fn profile_flag_beats_tccli_profile_variable() {
    let p = Profiles::new();
    let o = p.describe(
        p.cmd()
            .env("TCCLI_PROFILE", "default")
            .args(["--profile", "ci"]),
    );
    assert_ran_as_ci(&o);
    // A variable naming a profile that does not exist is not even looked at.
    let o = p.describe(
        p.cmd()
            .env("TCCLI_PROFILE", "nosuch")
            .args(["--profile", "ci"]),
    );
    assert_ran_as_ci(&o);
}

#[test]
fn environment_keys_come_before_tccli_profile_but_not_before_the_flag() {
    // As in tccli: TENCENTCLOUD_SECRET_ID/KEY win over a profile chosen by TCCLI_PROFILE, and
    // --profile wins over them.
    let p = Profiles::new();
    let env_keys = |c: &mut Command| {
        c.env("TENCENTCLOUD_SECRET_ID", "AKIDfromenv000000")
            .env("TENCENTCLOUD_SECRET_KEY", "env-secret-key")
            .env("TCCLI_PROFILE", "ci");
    };
    let mut c = p.cmd();
    env_keys(&mut c);
    let o = p.describe(&mut c);
    expect_code(&o, 1);
    assert!(stderr(&o).contains("AuthFailure"), "{}", stderr(&o));

    let mut c = p.cmd();
    env_keys(&mut c);
    let o = p.describe(c.args(["--profile", "ci"]));
    assert_ran_as_ci(&o);
}

#[test]
fn broken_credentials_file_beside_valid_tccli_profile_is_exit_4_naming_it() {
    let p = Profiles::new();
    let broken = p.home.path().join("broken-credentials.ini");
    std::fs::write(&broken, "[default\nsecret_id = AKIDnot\n").unwrap();
    let o = p.describe(
        p.cmd()
            .env("TENCENTCLOUD_CREDENTIALS_FILE", &broken)
            .env("TCCLI_PROFILE", "ci"),
    );
    expect_code(&o, 4);
    let err = stderr(&o);
    assert!(err.contains(&broken.display().to_string()), "{err}");
    assert!(
        err.contains("TENCENTCLOUD_CREDENTIALS_FILE"),
        "fix not named:\n{err}"
    );
    assert!(o.stdout.is_empty());
    assert_eq!(p.emu.request_count("DescribeDBInstances"), 0);
}

#[test]
fn a_profile_that_does_not_exist_is_exit_4_naming_it() {
    let p = Profiles::new();
    let o = p.describe(p.cmd().env("TCCLI_PROFILE", "staging"));
    expect_code(&o, 4);
    let err = stderr(&o);
    assert!(
        err.contains("TCCLI_PROFILE") && err.contains("\"staging\""),
        "{err}"
    );
    assert!(err.contains("staging.credential"), "{err}");

    let o = p.describe(p.cmd().args(["--profile", "staging"]));
    expect_code(&o, 4);
    assert!(stderr(&o).contains("\"staging\""), "{}", stderr(&o));
    assert_eq!(p.emu.request_count("DescribeDBInstances"), 0);
}

#[test]
fn bad_output_or_language_settings_in_the_profile_are_exit_4_before_any_call() {
    let p = Profiles::new();
    let dir = p.home.path().join(".tccli");
    std::fs::write(
        dir.join("ci.configure"),
        json!({"_sys_param": {"output": "yaml"}, "mongodb": {"endpoint": p.emu.url()}}).to_string(),
    )
    .unwrap();
    let o = p.describe(p.cmd().args(["--profile", "ci"]));
    expect_code(&o, 4);
    let err = stderr(&o);
    assert!(
        err.contains("ci.configure")
            && err.contains("\"yaml\"")
            && err.contains("configure set output"),
        "{err}"
    );
    assert_eq!(p.emu.request_count("DescribeDBInstances"), 0);

    std::fs::write(
        dir.join("ci.configure"),
        json!({"_sys_param": {"language": "fr-FR"}, "mongodb": {"endpoint": p.emu.url()}})
            .to_string(),
    )
    .unwrap();
    let o = p.describe(p.cmd().args(["--profile", "ci"]));
    expect_code(&o, 4);
    let err = stderr(&o);
    assert!(
        err.contains("ci.configure") && err.contains("\"fr-FR\"") && err.contains("en-US or zh-CN"),
        "{err}"
    );
    assert_eq!(p.emu.request_count("DescribeDBInstances"), 0);
    // The flag needs no setting from the profile.
    let o = p.describe(p.cmd().args(["--profile", "ci", "--language", "en-US"]));
    expect_code(&o, 0);
    assert_eq!(p.emu.request_count("DescribeDBInstances"), 1);
}

#[test]
fn ca_bundle_that_is_missing_or_holds_no_certificate_is_exit_4_naming_it() {
    let env = Env::new();
    let missing = env.home.path().join("no-such-ca.pem");
    let o = env.run(&[
        "--ca-bundle",
        missing.to_str().unwrap(),
        "DescribeDBInstances",
    ]);
    expect_code(&o, 4);
    assert!(
        stderr(&o).contains(&missing.display().to_string()),
        "{}",
        stderr(&o)
    );
    let junk = env.home.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let o = env.run(&["DescribeDBInstances", "--ca-bundle", junk.to_str().unwrap()]);
    expect_code(&o, 4);
    assert!(
        stderr(&o).contains(&junk.display().to_string()),
        "{}",
        stderr(&o)
    );
    assert_eq!(env.emu.request_count("DescribeDBInstances"), 0);
}

fn help(home: &Path, args: &[&str]) -> String {
    let o = run(bare(home).args(args));
    expect_code(&o, 0);
    stdout(&o)
}

#[test]
fn action_help_shows_summary_parameter_lines_and_output_members() {
    let home = tempfile::tempdir().unwrap();
    let info = mongodb_models::find_action("DescribeDBBackups").unwrap();
    let text = help(home.path(), &["DescribeDBBackups", "--help"]);
    assert!(text.starts_with(info.summary), "{text}");
    assert!(
        text.contains("List an instance's backups"),
        "summary is not help.json's:\n{text}"
    );
    let instance = info.params.iter().find(|p| p.name == "InstanceId").unwrap();
    assert!(
        text.contains(&format!("{} [String, required]", instance.help)),
        "{text}"
    );
    assert!(text.contains("Output (members of the response"), "{text}");
    for member in info.output {
        assert!(
            text.contains(&format!("  {} ({})\n", member.name, member.type_name)),
            "{} not listed:\n{text}",
            member.name
        );
        assert!(text.contains(member.help), "{text}");
    }

    // The list of actions, each with its summary (wrapped: compare words).
    let text = help(home.path(), &["--help"]);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let create = mongodb_models::find_action("CreateBackupDBInstance").unwrap();
    assert!(
        words.contains(&format!("CreateBackupDBInstance {}", create.summary)),
        "{text}"
    );
    assert!(text.contains("configure"), "{text}");
}
