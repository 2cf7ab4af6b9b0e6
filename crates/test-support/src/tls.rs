//! The test CA and the server side of TLS (see `tls/README.md`).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The test CA's certificate (PEM). A [`TestServer`](crate::TestServer) started with
/// [`tls`](crate::TestServerBuilder::tls) presents a certificate for `127.0.0.1` and
/// `localhost` signed by it: clients refuse it until told to trust this CA.
pub const TEST_CA_PEM: &str = include_str!("../tls/ca.pem");

const SERVER_PEM: &[u8] = include_bytes!("../tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../tls/server.key");

/// The server configuration: the test certificate, TLS 1.2 and 1.3, no client certificates.
pub(crate) fn server_config() -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(SERVER_PEM).expect("the test certificate")],
            PrivateKeyDer::from_pem_slice(SERVER_KEY).expect("the test key"),
        )
        .expect("the test certificate matches its key");
    Arc::new(config)
}

/// Whether `first` (the first byte a client sent) opens a TLS handshake record.
pub(crate) fn is_handshake(first: u8) -> bool {
    first == 0x16
}
