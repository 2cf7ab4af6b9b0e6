//! Step 3 of TC3: the daily signing key, derived from the secret key by a chain of HMACs, and the
//! signature it makes.

use zeroize::Zeroizing;

use crate::encoding::Hex64;
use crate::hash::hmac_bytes;

use super::scope::TERMINATOR;

/// Derives the TC3 signing key for one secret key, UTC date (`YYYY-MM-DD`) and service.
///
/// The key is the end of an HMAC-SHA256 chain: `"TC3" + secret_key` keys the date, the result
/// keys the service name, and that result keys the constant `tc3_request`. The key only changes
/// once a day, which is why [`Signer`](crate::Signer) caches it. The intermediate keys are
/// zeroed before this returns.
pub fn derive_signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    let mut seed = Zeroizing::new(Vec::with_capacity(3 + secret_key.len()));
    seed.extend_from_slice(b"TC3");
    seed.extend_from_slice(secret_key.as_bytes());
    let k_date = Zeroizing::new(hmac_bytes(&seed, date.as_bytes()));
    let k_service = Zeroizing::new(hmac_bytes(&*k_date, service.as_bytes()));
    hmac_bytes(&*k_service, TERMINATOR.as_bytes())
}

/// Computes the hex signature: HMAC-SHA256 of `string_to_sign` keyed by `signing_key`.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    Hex64::new(&hmac_bytes(signing_key, string_to_sign.as_bytes()))
        .as_str()
        .to_owned()
}
