//! What the workspace's tests share (not published).
//!
//! - [`TestServer`]: the one scripted HTTP server, for what the emulator can't fake byte for
//!   byte. Its routes: API answers scripted per request ([`Reply`]), with every request
//!   recorded ([`Recorded`]); one file served the way Tencent COS serves it ([`Object`],
//!   pre-signed URLs that expire, `ETag`, `Last-Modified`, `Accept-Ranges`,
//!   `x-cos-hash-crc64ecma`, `Range`/`If-Range`, COS's XML errors, a per-connection rate cap,
//!   and a script of [`Fault`]s); proxy `CONNECT`; TLS with a test CA ([`TEST_CA_PEM`]).
//!   [`FileServer`] is the file route on its own. Only the standard library speaks HTTP.
//! - [`presets`]: emulators set up for tests, and the credentials tests use.
//! - [`RawRequest`]: one API request signed with `tc-sign` and written on a socket as it is,
//!   for requests no client would send.
//! - [`cli`]: the `tcmongo` binary run with a clean environment and an empty home.
//!
//! Faults of the API and of downloads that the emulator can inject (`mongodb_emulator::Fault`)
//! are tested through the emulator; this crate fakes only what it can't.
//!
//! ```
//! use test_support::{crc64_xz, FileServer, Object};
//!
//! let server = FileServer::start(Object::new(b"backup bytes".to_vec()));
//! assert_eq!(server.object().crc64(), crc64_xz(b"backup bytes"));
//! let url = server.url();
//! # let _ = url;
//! ```
#![deny(missing_docs)]

// Leaves.
mod object;
mod recorded;
mod reply;
mod tls;
// On the leaves.
mod conn;
mod fault;
mod http;
// The file route below the server, the server, and the `FileServer` facade above it.
mod file_server;
mod files;
mod server;
// Beside the servers.
pub mod cli;
pub mod presets;
mod raw;

pub use fault::{Fault, Trigger};
pub use file_server::FileServer;
pub use files::SeenRequest;
pub use object::{crc64_xz, Object};
pub use raw::{RawAnswer, RawRequest};
pub use recorded::Recorded;
pub use reply::Reply;
pub use server::{TestServer, TestServerBuilder};
pub use tls::TEST_CA_PEM;
