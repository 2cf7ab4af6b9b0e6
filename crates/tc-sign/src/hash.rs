//! SHA-256 and HMAC-SHA256, the two primitives TC3 is built from.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::encoding::Hex64;

pub(crate) type HmacSha256 = Hmac<Sha256>;

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// An HMAC-SHA256 keyed with `key`, ready for data.
pub(crate) fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so construction never fails.
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

pub(crate) fn hmac_bytes(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed_hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Returns the lowercase hex SHA-256 digest of `data`.
///
/// This is the form TC3 uses for the hashed payload and the hashed canonical request.
pub fn sha256_hex(data: &[u8]) -> String {
    Hex64::new(&sha256(data)).as_str().to_owned()
}
