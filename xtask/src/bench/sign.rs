//! `sign`: signing one typical POST with a warm `tc_sign::Signer`, every header produced, against
//! the floor of the same hashing done with `sha2`/`hmac` directly (`tests/benches/sign.rs`).

use super::binary::{Binary, Output};

pub(crate) const BENCH: Binary = Binary {
    name: "sign",
    output: Output::Ratio {
        target: Some(1.5),
        what: "sign one POST (warm Signer) / sha2+hmac over the same bytes",
    },
};
