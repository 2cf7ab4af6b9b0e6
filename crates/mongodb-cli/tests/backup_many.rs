//! End-to-end: `tcmongo backup run` over several instances at once (`--all`, repeated
//! `--instance-id`, `--jobs`), each into its own subdirectory with its own manifest.

use std::path::Path;

use mongodb_client_blocking::MANIFEST_FILE;
use mongodb_emulator::InstanceSpec;
use serde_json::Value;

mod common;

use common::*;

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn an_all_run_exports_every_instance_and_reports_the_one_that_failed() {
    let env = Env::new();
    env.emu
        .add_instance(InstanceSpec::replica_set("cmgo-isolated3").with_status(-2))
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = env.run(&[
        "backup",
        "run",
        "--all",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    // The failure is the service refusing the backup: exit 1.
    expect_code(&o, 1);
    assert_plain(&stderr(&o));
    for ok in ["cmgo-demo0001", "cmgo-demo0002"] {
        let dir = out.path().join(ok);
        let manifest = read_json(&dir.join(MANIFEST_FILE));
        assert_eq!(manifest["instance_id"], ok);
        assert!(manifest["finished"].is_string());
        let v = bare(env.home.path())
            .args(["backup", "verify", dir.to_str().unwrap()])
            .output()
            .unwrap();
        expect_code(&v, 0);
    }
    assert!(!out
        .path()
        .join("cmgo-isolated3")
        .join(MANIFEST_FILE)
        .exists());
    // The summary table has a row per instance.
    let text = stdout(&o);
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("cmgo-")).collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(
        rows[0].starts_with("cmgo-demo0001 ") && rows[0].contains(" ok "),
        "{text}"
    );
    assert!(
        rows[1].starts_with("cmgo-demo0002 ") && rows[1].contains(" ok "),
        "{text}"
    );
    assert!(
        rows[2].starts_with("cmgo-isolated3 ") && rows[2].contains("failed (exit 1)"),
        "{text}"
    );
    let err = stderr(&o);
    assert!(err.contains("error: cmgo-isolated3: "), "{err}");
    assert!(
        err.contains("1 of 3 exports failed: cmgo-isolated3"),
        "{err}"
    );

    // `verify` of the whole run: each export in its subdirectory.
    let v = bare(env.home.path())
        .args(["backup", "verify", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    expect_code(&v, 0);
    let lines: Vec<String> = stdout(&v).lines().map(String::from).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].starts_with("cmgo-demo0001/") && lines[0].ends_with(": ok"),
        "{lines:?}"
    );
    assert!(lines[2].starts_with("cmgo-demo0002/"), "{lines:?}");
}

#[test]
fn two_jobs_export_three_instances() {
    let env = Env::new();
    env.emu
        .add_instance(InstanceSpec::sharded("cmgo-demo0003", 3))
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = env.run(&[
        "--output",
        "json",
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0003",
        "--instance-id",
        "cmgo-demo0001",
        "--instance-id",
        "cmgo-demo0002",
        "--jobs",
        "2",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let v = json_out(&o);
    let exports = v["Exports"].as_array().unwrap();
    let got: Vec<(&str, &str, usize)> = exports
        .iter()
        .map(|e| {
            (
                e["InstanceId"].as_str().unwrap(),
                e["Result"].as_str().unwrap(),
                e["Files"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("cmgo-demo0003", "ok", 3),
            ("cmgo-demo0001", "ok", 1),
            ("cmgo-demo0002", "ok", 2)
        ]
    );
    for e in exports {
        let id = e["InstanceId"].as_str().unwrap();
        assert_eq!(e["Directory"], out.path().join(id).to_str().unwrap());
    }
    assert_eq!(env.emu.request_count("CreateBackupDBInstance"), 3);
    // --replica-set belongs to one instance.
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0001",
        "--instance-id",
        "cmgo-demo0002",
        "--replica-set",
        "cmgo-demo0002_1",
        "--out",
        out.path().join("x").to_str().unwrap(),
    ]);
    expect_code(&o, 2);
    // --tag needs KEY=VALUE, and --all; both are checked before anything is asked or written.
    let y = out.path().join("y");
    let y = y.to_str().unwrap();
    let requests = env.emu.stats().total_requests;
    let o = env.run(&["backup", "run", "--all", "--tag", "novalue", "--out", y]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("KEY=VALUE"), "{}", stderr(&o));
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0001",
        "--tag",
        "k=v",
        "--out",
        y,
    ]);
    expect_code(&o, 2);
    assert!(stderr(&o).contains("--tag narrows --all"), "{}", stderr(&o));
    assert_eq!(env.emu.stats().total_requests, requests);
    assert!(!out.path().join("y").exists());
}
