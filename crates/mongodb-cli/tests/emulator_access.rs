//! `tcmongo emulator`'s access flags: several `--account ID:KEY[:TOKEN]`, and
//! `--control-token`, which listening beyond loopback requires.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

mod common;

use common::*;

/// Starts `tcmongo emulator ARGS…`; returns the process and its banner (up to the `try:` line).
fn serve(home: &std::path::Path, args: &[&str]) -> (Killed, String) {
    let mut child = Killed(
        bare(home)
            .arg("emulator")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut reader = BufReader::new(child.0.stdout.take().unwrap());
    let mut banner = String::new();
    while !banner.lines().any(|l| l.starts_with("try:")) {
        assert_ne!(reader.read_line(&mut banner).unwrap(), 0, "{banner}");
    }
    (child, banner)
}

fn url_of(banner: &str) -> String {
    banner
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("emulator listening on "))
        .unwrap()
        .to_owned()
}

/// One plain HTTP/1.1 exchange with the emulator; returns the status code.
fn http_status(port: u16, request_head: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request_head.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn several_accounts_are_accepted_and_their_secrets_never_shown() {
    let home = tempfile::tempdir().unwrap();
    let (_child, banner) = serve(
        home.path(),
        &[
            "--listen",
            "127.0.0.1:0",
            "--account",
            "AKIDone0001:key-one-secret",
            "--account",
            "AKIDtwo0002:key-two-secret:token-two-secret",
        ],
    );
    assert!(banner.contains("AKIDone0001, AKIDtwo0002"), "{banner}");
    for secret in [
        "key-one-secret",
        "key-two-secret",
        "token-two-secret",
        mongodb_emulator::DEMO_SECRET_KEY,
    ] {
        assert!(!banner.contains(secret), "{banner}");
    }
    let url = url_of(&banner);
    let call = |id: &str, key: &str, token: Option<&str>| {
        let mut c = bare(home.path());
        c.env("TENCENTCLOUD_SECRET_ID", id)
            .env("TENCENTCLOUD_SECRET_KEY", key)
            .args(["--endpoint", &url, "DescribeDBInstances"]);
        if let Some(t) = token {
            c.env("TENCENTCLOUD_SESSION_TOKEN", t);
        }
        run(&mut c)
    };
    assert_eq!(
        instance_ids(&json_out(&call("AKIDone0001", "key-one-secret", None))).len(),
        2
    );
    let with_token = call("AKIDtwo0002", "key-two-secret", Some("token-two-secret"));
    assert_eq!(instance_ids(&json_out(&with_token)).len(), 2);
    let without = call("AKIDtwo0002", "key-two-secret", None);
    expect_code(&without, 1);
    assert!(
        stderr(&without).contains("AuthFailure.TokenFailure"),
        "{}",
        stderr(&without)
    );
    let demo = call(
        mongodb_emulator::DEMO_SECRET_ID,
        mongodb_emulator::DEMO_SECRET_KEY,
        None,
    );
    expect_code(&demo, 1);
    assert!(
        stderr(&demo).contains("AuthFailure.SecretIdNotFound"),
        "{}",
        stderr(&demo)
    );
}

#[test]
fn a_malformed_account_is_refused_without_echoing_it() {
    let home = tempfile::tempdir().unwrap();
    let o = run(bare(home.path()).args([
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--account",
        "only-a-secret-looking-value",
    ]));
    expect_code(&o, 2);
    let err = stderr(&o);
    assert!(err.contains("--account") && err.contains("ID:KEY"), "{err}");
    assert!(!err.contains("only-a-secret-looking-value"), "{err}");
}

#[test]
fn beyond_loopback_the_control_plane_needs_a_token() {
    let home = tempfile::tempdir().unwrap();
    let o = run(bare(home.path()).args(["emulator", "--listen", "0.0.0.0:0"]));
    assert_ne!(code(&o), 0);
    let err = stderr(&o);
    assert!(err.contains("--control-token"), "{err}");

    let (_child, banner) = serve(
        home.path(),
        &[
            "--listen",
            "0.0.0.0:0",
            "--control-token",
            "cli-control-token",
        ],
    );
    assert!(!banner.contains("cli-control-token"), "{banner}");
    assert!(
        banner.contains("/_emulator (needs Authorization: Bearer"),
        "{banner}"
    );
    let port: u16 = url_of(&banner).rsplit(':').next().unwrap().parse().unwrap();
    let head = |auth: &str| {
        format!(
            "GET /_emulator/state HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n"
        )
    };
    assert_eq!(http_status(port, &head("")), 401);
    assert_eq!(
        http_status(port, &head("Authorization: Bearer wrong\r\n")),
        401
    );
    assert_eq!(
        http_status(port, &head("Authorization: Bearer cli-control-token\r\n")),
        200
    );
}
