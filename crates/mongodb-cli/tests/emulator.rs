//! End-to-end: the embedded emulator (`--emulator`, `TCMONGO_EMULATOR`) and `tcmongo emulator`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

mod common;

use common::*;

/// The README's main command, exactly (apart from the output directory).
#[test]
fn readme_main_command() {
    let home = tempfile::tempdir().unwrap();
    let dead_proxy = format!("http://127.0.0.1:{}", closed_port());
    let out = home.path().join("backups");
    let o = run(bare(home.path())
        .env("TCMONGO_EMULATOR_FAST", "1")
        // A proxy from the environment must not capture traffic to the embedded emulator.
        .env("HTTP_PROXY", &dead_proxy)
        .env("http_proxy", &dead_proxy)
        .env("ALL_PROXY", &dead_proxy)
        .current_dir(home.path())
        .args([
            "--emulator",
            "backup",
            "run",
            "--instance-id",
            "cmgo-demo0001",
            "--out",
            "./backups",
        ]));
    expect_code(&o, 0);
    assert_plain(&stderr(&o));
    // It ends by showing the verified file and, in the summary row, the manifest.
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let (path, rest) = lines[0].split_once("  ").unwrap();
    assert!(path.starts_with("./backups/"), "{text}");
    assert!(rest.ends_with("bytes  verified crc64+size"), "{text}");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("cmgo-demo0001 ") && last.ends_with(" ok      ./backups/manifest.json"),
        "{text}"
    );
    let file = home.path().join(path);
    assert!(file.starts_with(&out));
    let len = std::fs::metadata(&file).unwrap().len();
    // The emulator's backup files are between 256 KiB and 2 MiB.
    assert!((256 * 1024..=2 * 1024 * 1024).contains(&len), "{len}");
    // And the export verifies.
    let v = run(bare(home.path())
        .current_dir(home.path())
        .args(["backup", "verify", "./backups"]));
    expect_code(&v, 0);
    assert!(stdout(&v).trim_end().ends_with(": ok"), "{}", stdout(&v));
}

#[test]
fn emulator_env_var_works_like_the_flag() {
    let home = tempfile::tempdir().unwrap();
    let o = run(bare(home.path())
        .env("TCMONGO_EMULATOR", "1")
        .args(["DescribeDBInstances"]));
    let v = json_out(&o);
    assert_eq!(instance_ids(&v).len(), 2, "{v}");
}

#[test]
fn emulator_subcommand_serves_until_killed() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");
    let mut child = Killed(
        bare(home.path())
            .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
            .arg(&state)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("emulator listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    let o = run(bare(home.path())
        .env("TENCENTCLOUD_SECRET_ID", mongodb_emulator::DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", mongodb_emulator::DEMO_SECRET_KEY)
        .args(["--endpoint", &url, "DescribeDBInstances"]));
    let v = json_out(&o);
    assert_eq!(instance_ids(&v).len(), 2);
    assert!(child.0.try_wait().unwrap().is_none(), "still serving");
}

#[test]
fn emulator_subcommand_with_own_credentials_hides_the_key() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Killed(
        bare(home.path())
            .args([
                "emulator",
                "--listen",
                "127.0.0.1:0",
                "--secret-id",
                "AKIDmine",
                "--secret-key",
                "my-very-secret-key",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut reader = BufReader::new(child.0.stdout.take().unwrap());
    let mut banner = String::new();
    for _ in 0..3 {
        reader.read_line(&mut banner).unwrap();
    }
    assert!(banner.contains("AKIDmine"), "{banner}");
    assert!(!banner.contains("my-very-secret-key"), "{banner}");
    let url = banner
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("emulator listening on "))
        .unwrap()
        .to_string();
    let o = run(bare(home.path())
        .env("TENCENTCLOUD_SECRET_ID", "AKIDmine")
        .env("TENCENTCLOUD_SECRET_KEY", "my-very-secret-key")
        .args(["--endpoint", &url, "DescribeDBInstances"]));
    json_out(&o);
}
