//! The names TC3 writes into every signature: the algorithm and the credential scope's last element.

/// Name of the signature algorithm, as it appears in the string to sign and in `Authorization`.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Last element of the credential scope (`<date>/<service>/tc3_request`), also the last input
/// of the key derivation.
pub(crate) const TERMINATOR: &str = "tc3_request";
