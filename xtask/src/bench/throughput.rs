//! `throughput`: requests per second of one client, on 1 and on 8 threads, against the emulator
//! (`tests/benches/throughput.rs`); figures to report (`rps_1_thread`, `rps_8_threads`).

use super::binary::{Binary, Output};

pub(crate) const BENCH: Binary = Binary {
    name: "throughput",
    output: Output::Figures,
};
