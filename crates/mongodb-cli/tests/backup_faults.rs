//! End-to-end: `tcmongo backup` when things go wrong on purpose — a corrupted byte, an
//! expired URL, a stall, a paused request, a failed download task, a multi-part download cut
//! and resumed. Each test makes the fault happen in the in-process emulator and asserts the
//! exit code, the message and what is left on disk.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mongodb_client_blocking::{part_path, FileDigest, MANIFEST_FILE};
use mongodb_emulator::{EndAs, Fault, DOWNLOAD_FAULT_KEY};
use serde_json::Value;
use test_support::presets;

mod common;

use common::*;

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Creates a backup of `instance` and returns its name.
fn backup(env: &Env, instance: &str) -> String {
    let o = env.run(&["backup", "create", "--instance-id", instance, "--wait"]);
    expect_code(&o, 0);
    stdout(&o).trim().to_string()
}

/// `backup download` of `name` into `dir` with `extra` flags, JSON output.
fn download(
    env: &Env,
    instance: &str,
    name: &str,
    dir: &Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "--output",
        "json",
        "backup",
        "download",
        "--instance-id",
        instance,
        "--backup-name",
        name,
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// The one file of an export's JSON result.
fn only_file(v: &Value) -> &Value {
    let files = v["Exports"][0]["Files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{v}");
    &files[0]
}

fn path_of(file: &Value) -> PathBuf {
    PathBuf::from(file["Path"].as_str().unwrap())
}

#[test]
fn a_byte_corrupted_in_transit_fails_with_both_checksums_and_leaves_no_file() {
    let env = Env::new();
    let name = backup(&env, "cmgo-demo0001");
    let out = tempfile::tempdir().unwrap();
    env.emu
        .inject_times(DOWNLOAD_FAULT_KEY, Fault::CorruptByte { offset: 4096 }, 1);
    let o = download(&env, "cmgo-demo0001", &name, out.path(), &[]);
    expect_code(&o, 3);
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    let expected_crc = err
        .split("CRC-64 expected ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no expected CRC in: {err}"))
        .to_string();
    assert!(err.contains(", got "), "{err}");
    // Neither the file nor its partial file: only the (unfinished) manifest.
    assert_eq!(listing(out.path()), [MANIFEST_FILE]);

    // The next run gets the true bytes, whose CRC is the one the error expected.
    let v = json_out(&download(&env, "cmgo-demo0001", &name, out.path(), &[]));
    let file = only_file(&v);
    let d = FileDigest::of_file(&path_of(file)).unwrap();
    assert_eq!(d.crc64.to_string(), expected_crc);
    assert!(!err.contains(&format!("got {expected_crc}")), "{err}");
}

#[test]
fn an_expired_url_is_refreshed_and_the_file_is_the_same() {
    let env = Env::new();
    let name = backup(&env, "cmgo-demo0001");
    let clean = tempfile::tempdir().unwrap();
    let v = json_out(&download(&env, "cmgo-demo0001", &name, clean.path(), &[]));
    let reference = std::fs::read(path_of(only_file(&v))).unwrap();

    for fault in [Fault::ExpireDownloadUrls, Fault::AccessDenied] {
        let out = tempfile::tempdir().unwrap();
        let refreshes_before = env.emu.request_count("DescribeBackupDownloadTask");
        env.emu.inject_times(DOWNLOAD_FAULT_KEY, fault.clone(), 1);
        let o = download(&env, "cmgo-demo0001", &name, out.path(), &[]);
        let v = json_out(&o);
        let file = only_file(&v);
        assert_eq!(file["Refreshes"], 1, "{fault:?}: {v}");
        assert!(env.emu.request_count("DescribeBackupDownloadTask") > refreshes_before);
        assert_eq!(
            std::fs::read(path_of(file)).unwrap(),
            reference,
            "{fault:?}"
        );
        assert_eq!(file["Verified"], "crc64+size");
    }
}

#[test]
fn a_stalled_transfer_is_dropped_and_resumed() {
    let env = Env::new();
    let name = backup(&env, "cmgo-demo0001");
    let clean = tempfile::tempdir().unwrap();
    let v = json_out(&download(&env, "cmgo-demo0001", &name, clean.path(), &[]));
    let reference = std::fs::read(path_of(only_file(&v))).unwrap();

    let out = tempfile::tempdir().unwrap();
    // The first request goes silent after 64 KiB for far longer than the window.
    env.emu.inject_times(
        DOWNLOAD_FAULT_KEY,
        Fault::Stall {
            after_bytes: 64 * 1024,
            pause: Duration::from_secs(600),
        },
        1,
    );
    let o = download(
        &env,
        "cmgo-demo0001",
        &name,
        out.path(),
        &["--min-throughput", "1024", "--throughput-window", "0.5"],
    );
    let v = json_out(&o);
    let file = only_file(&v);
    assert!(file["Attempts"].as_u64().unwrap() >= 2, "{v}");
    assert_eq!(std::fs::read(path_of(file)).unwrap(), reference);
}

#[test]
fn a_download_past_its_deadline_stops_and_keeps_its_partial_file() {
    let env = Env::new();
    let name = backup(&env, "cmgo-demo0001");
    let out = tempfile::tempdir().unwrap();
    env.emu.inject_times(
        DOWNLOAD_FAULT_KEY,
        Fault::Stall {
            after_bytes: 64 * 1024,
            pause: Duration::from_secs(600),
        },
        1,
    );
    let o = download(
        &env,
        "cmgo-demo0001",
        &name,
        out.path(),
        &["--min-throughput", "0", "--deadline", "2"],
    );
    expect_code(&o, 3);
    assert!(
        stderr(&o).contains("did not finish within"),
        "{}",
        stderr(&o)
    );
    let names = listing(out.path());
    assert!(names.iter().any(|n| n.ends_with(".part")), "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".tar")), "{names:?}");
    // The next run, without the fault, resumes it.
    let v = json_out(&download(&env, "cmgo-demo0001", &name, out.path(), &[]));
    assert_eq!(only_file(&v)["ResumedFrom"], 64 * 1024);
}

#[test]
fn a_paused_backup_request_fails_naming_the_request() {
    let env = Env::new();
    env.emu
        .inject("CreateBackupDBInstance", Fault::EndAs(EndAs::Paused));
    let out = tempfile::tempdir().unwrap();
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0001",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    expect_code(&o, 1);
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains("status `paused`"), "{err}");
    let id: String = err
        .split("async request ")
        .last()
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!id.is_empty(), "{err}");
    let v = json_out(&env.run(&["DescribeAsyncRequestInfo", "--AsyncRequestId", &id]));
    assert_eq!(v["Status"], "paused");
    // No backup was made, so nothing was written.
    assert!(listing(out.path()).is_empty());
}

#[test]
fn a_failed_download_task_fails_naming_the_replica_set() {
    let env = Env::new();
    env.emu
        .inject("CreateBackupDownloadTask", Fault::EndAs(EndAs::Failed));
    let out = tempfile::tempdir().unwrap();
    let o = env.run(&[
        "backup",
        "run",
        "--instance-id",
        "cmgo-demo0002",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    expect_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("failed for replica sets cmgo-demo0002_0, cmgo-demo0002_1"),
        "{err}"
    );
    // The backup was made, so its (unfinished, empty) manifest is there, and nothing else.
    assert_eq!(listing(out.path()), [MANIFEST_FILE]);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join(MANIFEST_FILE)).unwrap()).unwrap();
    assert!(manifest["finished"].is_null() && manifest["files"] == serde_json::json!([]));
}

#[test]
fn a_multi_part_download_cut_short_is_resumed_and_verifies() {
    let env = Env::with(presets::instant().backup_size_range(4 << 20, 4 << 20));
    let name = backup(&env, "cmgo-demo0001");
    let clean = tempfile::tempdir().unwrap();
    let v = json_out(&download(&env, "cmgo-demo0001", &name, clean.path(), &[]));
    let reference = std::fs::read(path_of(only_file(&v))).unwrap();
    assert_eq!(reference.len(), 4 << 20);

    // Every request is cut too early to count as progress (under one window's worth at the
    // minimum rate, 30 KiB) until one range runs out of attempts: exit 3, the partial file
    // and its record kept.
    let out = tempfile::tempdir().unwrap();
    env.emu
        .inject(DOWNLOAD_FAULT_KEY, Fault::DropAfterBytes(16 * 1024));
    let o = download(&env, "cmgo-demo0001", &name, out.path(), &["--parts", "4"]);
    env.emu.clear_fault(DOWNLOAD_FAULT_KEY);
    expect_code(&o, 3);
    let dest = clean_name(clean.path(), out.path(), &v);
    assert!(part_path(&dest).exists());
    assert!(!dest.exists());

    // The next run fetches only what is missing, over four connections.
    let downloaded_before = env.emu.stats().download_bytes;
    let o = download(&env, "cmgo-demo0001", &name, out.path(), &["--parts", "4"]);
    let v = json_out(&o);
    let file = only_file(&v);
    assert_eq!(file["Parts"], 4, "{v}");
    assert!(file["ResumedFrom"].as_u64().unwrap() > 0, "{v}");
    let fetched = env.emu.stats().download_bytes - downloaded_before;
    assert!(
        fetched < reference.len() as u64,
        "fetched {fetched} bytes again"
    );
    assert_eq!(std::fs::read(&dest).unwrap(), reference);
    let verify = bare(env.home.path())
        .args(["backup", "verify", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    expect_code(&verify, 0);
}

/// The file the clean export wrote, moved to `out`.
fn clean_name(clean: &Path, out: &Path, v: &Value) -> PathBuf {
    let p = path_of(only_file(v));
    out.join(p.strip_prefix(clean).unwrap())
}
