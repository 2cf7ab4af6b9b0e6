//! CA bundles: a local TLS server with a certificate from a test CA (made for these tests, see
//! `data/tls/README.md`) is refused until the client is told to trust that CA.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use mongodb_client_blocking::{Client, Credentials, Error, RetryPolicy, TransportKind};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The test CA's certificate (see `tests/data/tls/README.md`).
const CA_PEM: &str = include_str!("data/tls/ca.pem");
const SERVER_PEM: &[u8] = include_bytes!("data/tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("data/tls/server.key");

/// A TLS server on 127.0.0.1, with a certificate from the test CA, answering every request
/// with an empty `DescribeDBBackups` answer; returns its URL.
fn tls_server() -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(SERVER_PEM).unwrap()],
            PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap(),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let _ = answer(&mut tls);
            });
        }
    });
    url
}

/// Read one request and answer it.
fn answer(tls: &mut impl ReadWrite) -> std::io::Result<()> {
    let mut reader = BufReader::new(&mut *tls);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let reply = br#"{"Response":{"BackupList":[],"TotalCount":0,"RequestId":"tls-ok"}}"#;
    write!(
        tls,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.len()
    )?;
    tls.write_all(reply)?;
    tls.flush()
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn builder(url: &str) -> mongodb_client_blocking::ClientBuilder {
    Client::builder()
        .endpoint(url)
        .region("ap-guangzhou")
        .credentials(Credentials::new("AKIDtls", "key").unwrap())
        .no_proxy()
        .retry(RetryPolicy::disabled())
}

fn call(client: &Client) -> Result<serde_json::Value, Error> {
    client.call_json(
        "DescribeDBBackups",
        serde_json::json!({"InstanceId": "cmgo-x"}),
    )
}

#[test]
fn an_unknown_ca_is_refused_until_it_is_added() {
    let url = tls_server();
    let err = call(&builder(&url).build().unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Tls,
                ..
            }
        ),
        "{err:?}"
    );
    let client = builder(&url).add_root_certificate(CA_PEM).build().unwrap();
    assert_eq!(call(&client).unwrap()["TotalCount"], 0);
}

#[test]
fn a_ca_bundle_file_is_trusted_and_a_bad_one_is_named() {
    let url = tls_server();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("proxy-ca.pem");
    std::fs::write(&bundle, CA_PEM).unwrap();
    let client = builder(&url).ca_bundle(&bundle).build().unwrap();
    assert_eq!(call(&client).unwrap()["TotalCount"], 0);

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap();
    for path in [empty, dir.path().join("missing.pem")] {
        let err = builder(&url).ca_bundle(&path).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains(path.to_str().unwrap()), "{err}");
    }
}
