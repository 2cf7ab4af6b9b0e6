//! Helpers shared by the download test suites: a client for the file server, task builders,
//! and the bytes to serve.
#![allow(dead_code)] // reason: each test binary uses a different subset of the helpers

use std::path::{Path, PathBuf};
use std::time::Duration;

use mongodb_client_blocking::models::BackupDownloadTask;
use mongodb_client_blocking::{part_path, Client, DownloadOptions, EnvSource};
use sha2::{Digest, Sha256};

/// A client whose API endpoint is never reached by these tests (downloads go to the URL).
pub fn client() -> Client {
    Client::builder()
        .endpoint("http://127.0.0.1:9")
        .region("ap-guangzhou")
        .credentials(tc_sign::Credentials::new("AKIDtestid0000000001", "test-key").unwrap())
        .no_proxy()
        .rate_limit(None)
        .env_source(EnvSource::from_vars(Vec::<(String, String)>::new()))
        .build()
        .unwrap()
}

/// A completed download task of backup `b1`, replica set `cmgo-t_0`.
pub fn task(url: &str, size: u64) -> BackupDownloadTask {
    serde_json::from_value(serde_json::json!({
        "BackupName": "b1", "ReplicaSetId": "cmgo-t_0", "Status": 2,
        "Url": url, "BackupSize": size, "CreateTime": "2024-01-02 03:04:05"
    }))
    .unwrap()
}

/// Options for fast tests: no pause between attempts.
pub fn fast<'a>() -> DownloadOptions<'a> {
    DownloadOptions::new().retry_delay(Duration::ZERO)
}

/// Deterministic bytes, different per `seed`.
pub fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i.wrapping_mul(31) as u8) ^ seed.wrapping_mul(97) ^ ((i >> 9) as u8))
        .collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `<dest>.part.meta`, the record beside the `.part`.
pub fn record_path(dest: &Path) -> PathBuf {
    let mut p = part_path(dest).into_os_string();
    p.push(".meta");
    PathBuf::from(p)
}

/// Nothing is left behind: no final file, no `.part`, no record.
#[track_caller]
pub fn assert_nothing_left(dest: &Path) {
    assert!(!dest.exists(), "{} exists", dest.display());
    assert!(!part_path(dest).exists(), "the .part exists");
    assert!(!record_path(dest).exists(), "the record exists");
}
