//! The TC3-HMAC-SHA256 steps, one per file, each a pure function: the canonical request, the
//! string to sign, the signing key and signature, and the `Authorization` value.

mod authorization;
mod canonical_request;
mod scope;
mod signing_key;
mod string_to_sign;

pub use authorization::authorization;
pub(crate) use authorization::authorization_parts;
pub use canonical_request::{canonical_request, DEFAULT_SIGNED_HEADERS};
pub(crate) use canonical_request::{
    write_canonical_request, write_default_canonical_request, DefaultHeaders,
};
pub use scope::ALGORITHM;
pub(crate) use scope::TERMINATOR;
pub use signing_key::{derive_signing_key, signature};
pub use string_to_sign::string_to_sign;
pub(crate) use string_to_sign::write_string_to_sign;
