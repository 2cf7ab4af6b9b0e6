//! Test servers shared by the workspace's tests (not published).
//!
//! Today it holds [`FileServer`], a scripted file server that behaves like Tencent COS for one
//! object, for what the emulator can't fake byte for byte: pre-signed URLs that expire, `ETag`,
//! `Last-Modified`, `Accept-Ranges`, `x-cos-hash-crc64ecma`, `Range`/`If-Range`, COS's XML error
//! answers, a per-connection rate cap, and a script of faults (a connection dropped after N
//! bytes, a corrupted byte, a trickle or a stall, a 403/404/410, the object replaced, a range
//! ignored). It uses nothing but the standard library for HTTP.
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

mod fault;
mod http;
mod object;
mod server;

pub use fault::{Fault, Trigger};
pub use object::{crc64_xz, Object};
pub use server::{FileServer, SeenRequest};
