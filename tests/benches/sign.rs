//! `sign`: signing one typical POST request with a warm [`tc_sign::Signer`], against the floor of
//! the same hashing work done with `sha2`/`hmac` directly.
//!
//! Ours produces every header (`Authorization` included) for a realistic
//! `CreateBackupDBInstance` call, through `Signer::sign_headers` as the client does, and walks
//! them all. The floor hashes the same body, hashes a canonical request of
//! the same length and computes one HMAC over a string to sign of the same length: the work no
//! implementation of TC3 can skip. The two are measured interleaved (see `common/measure.rs`);
//! the median per-round ratio is what `cargo xtask bench` reports.

use std::hint::black_box;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tc_sign::{Credentials, HttpMethod, SignableBody, Signer, SigningParams};

#[path = "common/measure.rs"]
mod measure;

/// A realistic body: what the client sends for a logical backup with a remark.
const BODY: &[u8] = br#"{"InstanceId":"cmgo-p8vnipr5","BackupMethod":0,"BackupRemark":"nightly logical backup before the schema migration"}"#;

/// 2024-05-01T12:00:00Z: any fixed time works, the signer never reads the clock.
const TIMESTAMP: i64 = 1_714_564_800;

fn params() -> SigningParams<'static> {
    SigningParams::builder()
        .method(HttpMethod::Post)
        .service("mongodb")
        .host("mongodb.tencentcloudapi.com")
        .action("CreateBackupDBInstance")
        .version("2019-07-25")
        .timestamp(TIMESTAMP)
        .payload(SignableBody::Bytes(BODY))
        .region("ap-guangzhou")
        .language("en-US")
        .request_client("tcmongo-rs/0.1.0")
        .build()
        .expect("complete signing parameters")
}

fn main() {
    let creds = Credentials::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .expect("valid demo credentials");
    let params = params();
    let signer = Signer::new();
    // Warm the key cache, and learn the sizes the floor must match.
    let reference = signer.sign(&creds, &params);
    let canonical = reference.canonical_request.clone().into_bytes();
    let string_to_sign = reference.string_to_sign.clone().into_bytes();
    let key = [0x5au8; 32];

    measure::compare(
        "sign",
        measure::Clock::ThreadCpu,
        // What the client does per request: the fast path, every header produced and handed
        // over (each name and value is passed through `black_box`, as an HTTP client would
        // copy them).
        || {
            let signed = signer.sign_headers(black_box(&creds), black_box(&params));
            let mut bytes = 0usize;
            for (name, value) in signed.iter() {
                bytes += black_box(name).len() + black_box(value).len();
            }
            black_box(bytes);
            signed
        },
        || {
            let body_hash: [u8; 32] = Sha256::digest(black_box(BODY)).into();
            let canonical_hash: [u8; 32] = Sha256::digest(black_box(&canonical[..])).into();
            let mut mac =
                <Hmac<Sha256> as Mac>::new_from_slice(black_box(&key)).expect("any key length");
            mac.update(black_box(&string_to_sign[..]));
            let signature: [u8; 32] = mac.finalize().into_bytes().into();
            (body_hash, canonical_hash, signature)
        },
    );
}
