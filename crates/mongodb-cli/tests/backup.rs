//! End-to-end: the `backup` commands against an in-process emulator — create, list, run,
//! download, verify, reruns, several instances at once.

use std::path::{Path, PathBuf};
use std::process::Output;

use mongodb_client_blocking::{FileDigest, MANIFEST_FILE};
use mongodb_emulator::Fault;
use serde_json::Value;

mod common;

use common::*;

/// Stdout as JSON, whatever the exit code.
fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

/// The files of the first export of a `--output json` result.
fn file_paths(v: &Value) -> Vec<PathBuf> {
    v["Exports"][0]["Files"]
        .as_array()
        .unwrap_or_else(|| panic!("no files: {v}"))
        .iter()
        .map(|f| PathBuf::from(f["Path"].as_str().unwrap()))
        .collect()
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `backup run` of one instance into `dir`, as JSON.
fn run_one(env: &Env, instance: &str, dir: &Path) -> Value {
    json_out(&env.run(&[
        "--output",
        "json",
        "backup",
        "run",
        "--instance-id",
        instance,
        "--out",
        dir.to_str().unwrap(),
    ]))
}

#[test]
fn a_physical_backup_is_created_waited_for_and_listed() {
    let env = Env::new();
    // Without --wait: the response object.
    let v = json_out(&env.run(&["backup", "create", "--instance-id", "cmgo-demo0002"]));
    assert!(!v["AsyncRequestId"].is_null(), "{v}");

    // With --wait: the backup's name only.
    let o = env.run(&[
        "backup",
        "create",
        "--instance-id",
        "cmgo-demo0002",
        "--method",
        "physical",
        "--remark",
        "from the test",
        "--wait",
    ]);
    expect_code(&o, 0);
    assert_plain(&stderr(&o));
    let name = stdout(&o).trim().to_string();
    assert!(!name.is_empty() && !name.contains('\n'), "{name:?}");

    // list: every method by default, as a table; JSON on request.
    let o = env.run(&["backup", "list", "--instance-id", "cmgo-demo0002"]);
    expect_code(&o, 0);
    assert!(stdout(&o).contains(&name), "{}", stdout(&o));
    assert!(stdout(&o).lines().next().unwrap().starts_with("BackupName"));
    let list = |extra: &[&str]| {
        let mut args = vec![
            "--output",
            "json",
            "backup",
            "list",
            "--instance-id",
            "cmgo-demo0002",
        ];
        args.extend_from_slice(extra);
        let v = json_out(&env.run(&args));
        v["BackupList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["BackupName"].as_str().unwrap().to_string(),
                    b["BackupMethod"].as_i64(),
                )
            })
            .collect::<Vec<_>>()
    };
    let all = list(&[]);
    assert!(all.contains(&(name.clone(), Some(1))), "{all:?}");
    assert!(all.iter().any(|(_, m)| *m == Some(0)), "{all:?}");
    // --method narrows it.
    let logical = list(&["--method", "logical"]);
    assert!(
        !logical.is_empty() && logical.iter().all(|(_, m)| *m == Some(0)),
        "{logical:?}"
    );
    assert_eq!(list(&["--method", "physical"]), [(name.clone(), Some(1))]);
    // --output text: tccli's tab-separated lines.
    let o = env.run(&[
        "--output",
        "text",
        "backup",
        "list",
        "--instance-id",
        "cmgo-demo0002",
    ]);
    expect_code(&o, 0);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with("BACKUPLIST\t") && l.contains(&name)),
        "{}",
        stdout(&o)
    );

    // The physical backup exports like any other, and its manifest says how it was made.
    let out = tempfile::tempdir().unwrap();
    let v = json_out(&env.run(&[
        "--output",
        "json",
        "backup",
        "download",
        "--instance-id",
        "cmgo-demo0002",
        "--backup-name",
        &name,
        "--out",
        out.path().to_str().unwrap(),
    ]));
    assert_eq!(v["Exports"][0]["BackupMethod"], 1);
    assert_eq!(
        read_json(&out.path().join(MANIFEST_FILE))["backup_method"],
        1
    );
    assert_eq!(file_paths(&v).len(), 2);
}

#[test]
fn backup_run_prints_the_verified_files_and_the_manifest() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("backups");
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0001",
        "--out",
        dir.to_str().unwrap(),
    ]);
    expect_code(&o, 0);
    assert_plain(&stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    // A line per file, then the summary table, whose row names the manifest.
    assert!(lines[0].ends_with("bytes  verified crc64+size"), "{text}");
    assert!(lines[0].starts_with(dir.to_str().unwrap()), "{text}");
    let header = lines
        .iter()
        .position(|l| l.starts_with("Instance "))
        .unwrap();
    for column in ["Backup", "Files", "Bytes", "Elapsed", "Result", "Manifest"] {
        assert!(lines[header].contains(column), "{text}");
    }
    let row = lines.last().unwrap();
    assert!(row.starts_with("cmgo-demo0001 "), "{text}");
    assert!(row.contains(" ok "), "{text}");
    let manifest = dir.join(MANIFEST_FILE);
    assert!(row.ends_with(manifest.to_str().unwrap()), "{text}");
    assert!(stderr(&o).contains("verified crc64+size"), "{}", stderr(&o));
    assert_eq!(env.emu.request_count("CreateBackupDBInstance"), 1);
}

#[test]
fn the_manifest_matches_the_files_and_holds_no_url() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let v = run_one(&env, "cmgo-demo0002", out.path());
    let export = &v["Exports"][0];
    assert_eq!(export["Result"], "ok");
    let manifest_path = out.path().join(MANIFEST_FILE);
    assert_eq!(export["Manifest"], manifest_path.to_str().unwrap());
    let text = std::fs::read_to_string(&manifest_path).unwrap();
    assert!(
        !text.contains('?') && !text.contains("q-signature") && !text.contains("http"),
        "{text}"
    );
    let manifest: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        manifest["tool"],
        format!("tcmongo {}", env!("CARGO_PKG_VERSION")).as_str()
    );
    assert_eq!(manifest["instance_id"], "cmgo-demo0002");
    assert_eq!(manifest["backup_name"], export["BackupName"]);
    assert_eq!(manifest["backup_method"], 0);
    assert!(manifest["finished"].is_string(), "{manifest}");
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let mut names = vec![MANIFEST_FILE.to_string()];
    for (entry, set) in files.iter().zip(["cmgo-demo0002_0", "cmgo-demo0002_1"]) {
        let name = entry["file"].as_str().unwrap();
        names.push(name.to_string());
        let d = FileDigest::of_file(&out.path().join(name)).unwrap();
        assert_eq!(entry["replica_set_id"], set);
        assert_eq!(entry["bytes"], d.bytes);
        assert_eq!(entry["sha256"], d.sha256.as_str());
        assert_eq!(entry["crc64"], d.crc64.to_string().as_str());
        assert_eq!(entry["verified"], "crc64+size");
    }
    names.sort();
    // Nothing else is left behind: no partial file, record or temporary manifest.
    assert_eq!(listing(out.path()), names);
}

#[test]
fn verify_passes_an_intact_export_and_names_what_differs() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let paths = file_paths(&run_one(&env, "cmgo-demo0002", dir));
    let name = |p: &PathBuf| p.file_name().unwrap().to_str().unwrap().to_string();
    let verify = || {
        bare(env.home.path())
            .args(["backup", "verify", dir.to_str().unwrap()])
            .output()
            .unwrap()
    };

    // Intact: one `ok` line per file, exit 0 (no credentials needed).
    let o = verify();
    expect_code(&o, 0);
    let expected: Vec<String> = paths.iter().map(|p| format!("{}: ok", name(p))).collect();
    assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), expected);

    // One byte flipped: exit 1, the file named with what differs.
    let mut bytes = std::fs::read(&paths[1]).unwrap();
    bytes[1000] ^= 0x01;
    std::fs::write(&paths[1], &bytes).unwrap();
    let o = verify();
    expect_code(&o, 1);
    let text = stdout(&o);
    assert!(text.contains(&format!("{}: ok", name(&paths[0]))), "{text}");
    let bad = text
        .lines()
        .find(|l| l.starts_with(&name(&paths[1])))
        .unwrap();
    assert!(
        bad.contains("sha256 is") && bad.contains("crc64 is"),
        "{bad}"
    );
    assert!(!bad.contains("size is"), "{bad}");
    assert!(stderr(&o).contains("1 of 2 files"), "{}", stderr(&o));

    // A deleted file: exit 1, named as missing.
    std::fs::remove_file(&paths[0]).unwrap();
    let o = verify();
    expect_code(&o, 1);
    assert!(
        stdout(&o).contains(&format!("{}: missing", name(&paths[0]))),
        "{}",
        stdout(&o)
    );

    // JSON says the same.
    let v = stdout_json(
        &bare(env.home.path())
            .args([
                "--output",
                "json",
                "backup",
                "verify",
                dir.to_str().unwrap(),
            ])
            .output()
            .unwrap(),
    );
    let statuses: Vec<&str> = v["Exports"][0]["Files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["Status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["missing", "mismatch"]);

    // No manifest: exit 2.
    let empty = tempfile::tempdir().unwrap();
    let o = bare(env.home.path())
        .args(["backup", "verify", empty.path().to_str().unwrap()])
        .output()
        .unwrap();
    expect_code(&o, 2);
    assert!(stderr(&o).contains("no manifest.json"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    // A manifest that is not one: exit 2 too.
    std::fs::write(empty.path().join(MANIFEST_FILE), b"{\"files\": 3}").unwrap();
    let o = bare(env.home.path())
        .args(["backup", "verify", empty.path().to_str().unwrap()])
        .output()
        .unwrap();
    expect_code(&o, 2);
}

#[test]
fn a_rerun_of_download_downloads_nothing_and_resumes_what_was_cut() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("files");
    let first = run_one(&env, "cmgo-demo0002", &dir);
    let name = first["Exports"][0]["BackupName"]
        .as_str()
        .unwrap()
        .to_string();
    let paths = file_paths(&first);
    let download = |extra: &[&str]| {
        let mut args = vec![
            "--output",
            "json",
            "backup",
            "download",
            "--instance-id",
            "cmgo-demo0002",
            "--backup-name",
            &name,
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        env.run(&args)
    };

    // Everything is proven complete by the manifest: nothing is fetched, nor prepared.
    let downloads = env.emu.stats().downloads;
    let tasks = env.emu.request_count("CreateBackupDownloadTask");
    let o = download(&[]);
    let v = json_out(&o);
    assert_eq!(env.emu.stats().downloads, downloads);
    assert_eq!(env.emu.request_count("CreateBackupDownloadTask"), tasks);
    assert_eq!(
        stderr(&o).matches("already complete").count(),
        2,
        "{}",
        stderr(&o)
    );
    let files = v["Exports"][0]["Files"].as_array().unwrap();
    assert!(files.iter().all(|f| f["Downloaded"] == false), "{v}");
    assert_eq!(file_paths(&v), paths);

    // A file lost and fetched again with every attempt cut too early to count as progress
    // (under one window's worth at the minimum rate, 30 KiB) until the attempts run out
    // (exit 3) keeps its partial file; the next run resumes it, and the result is the same
    // file.
    let shard0 = &paths[0];
    let full = std::fs::read(shard0).unwrap();
    std::fs::remove_file(shard0).unwrap();
    let cut = 16 * 1024;
    assert!(full.len() as u64 > 5 * cut);
    env.emu.inject_times(
        mongodb_emulator::DOWNLOAD_FAULT_KEY,
        Fault::DropAfterBytes(cut),
        5,
    );
    expect_code(&download(&["--replica-set", "cmgo-demo0002_0"]), 3);
    let half = std::fs::metadata(mongodb_client_blocking::part_path(shard0))
        .unwrap()
        .len();
    assert_eq!(half, cut * 5);
    // The cut run left the manifest unfinished.
    assert!(read_json(&dir.join(MANIFEST_FILE))["finished"].is_null());
    let o = download(&["--replica-set", "cmgo-demo0002_0"]);
    let v = json_out(&o);
    assert!(
        stderr(&o).contains(&format!("resumed from byte {half}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(v["Exports"][0]["Files"][0]["ResumedFrom"], half);
    assert_eq!(std::fs::read(shard0).unwrap(), full);
    assert!(read_json(&dir.join(MANIFEST_FILE))["finished"].is_string());
}

#[test]
fn a_directory_holding_another_export_is_refused() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    run_one(&env, "cmgo-demo0001", out.path());
    let before = std::fs::read(out.path().join(MANIFEST_FILE)).unwrap();
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0001",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    expect_code(&o, 2);
    assert!(
        stderr(&o).contains("already holds the export of backup"),
        "{}",
        stderr(&o)
    );
    assert_eq!(env.emu.request_count("CreateBackupDBInstance"), 1);
    assert_eq!(
        std::fs::read(out.path().join(MANIFEST_FILE)).unwrap(),
        before
    );
}

#[test]
fn backup_of_an_unknown_instance_fails_cleanly() {
    let env = Env::new();
    let out = tempfile::tempdir().unwrap();
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-nosuch99",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    expect_code(&o, 1);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("cmgo-nosuch99"), "{}", stderr(&o));
    assert_eq!(env.emu.request_count("CreateBackupDBInstance"), 0);
}
