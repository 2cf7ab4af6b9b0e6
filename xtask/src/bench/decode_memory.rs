//! `decode_memory`: peak heap of the typed 1,000-instance decode against that of a
//! `serde_json::Value` (`tests/benches/decode_memory.rs`); reported as `decode_peak_memory`.

use super::binary::{Binary, Output};

pub(crate) const BENCH: Binary = Binary {
    name: "decode_memory",
    output: Output::Figures,
};
