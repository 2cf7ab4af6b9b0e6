//! CA bundles: a local TLS server with a certificate from the test CA (made for these tests, see
//! `crates/test-support/tls/README.md`) is refused until the client is told to trust that CA.

use mongodb_client_blocking::{Client, Credentials, Error, RetryPolicy, TransportKind};
use test_support::{Reply, TestServer, TEST_CA_PEM as CA_PEM};

/// A TLS server on 127.0.0.1, with a certificate from the test CA, answering every request
/// with an empty `DescribeDBBackups` answer.
fn tls_server() -> TestServer {
    TestServer::builder()
        .tls()
        .api(|_, _| {
            Reply::ok(
                serde_json::json!({"BackupList": [], "TotalCount": 0}),
                "tls-ok",
            )
        })
        .start()
}

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
    let server = tls_server();
    let url = server.url();
    assert!(url.starts_with("https://"), "{url}");
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
    // The refused handshake never carried a request.
    assert_eq!(server.count(), 0);
    let client = builder(&url).add_root_certificate(CA_PEM).build().unwrap();
    assert_eq!(call(&client).unwrap()["TotalCount"], 0);
    assert_eq!(server.count(), 1);
    assert_eq!(server.requests()[0].action(), "DescribeDBBackups");
    assert_eq!(server.tls_handshakes(), 2);
}

#[test]
fn a_ca_bundle_file_is_trusted_and_a_bad_one_is_named() {
    let server = tls_server();
    let url = server.url();
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
