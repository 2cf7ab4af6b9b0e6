//! `roundtrip`: `client.create_backup_db_instance` over loopback keep-alive, against the floor of
//! the same request bytes sent with plain `ureq` to the same server (`tests/benches/roundtrip.rs`),
//! both timed by the CPU time of the process, the in-process server's included.

use super::binary::{Binary, Output};

pub(crate) const BENCH: Binary = Binary {
    name: "roundtrip",
    output: Output::Ratio {
        target: Some(1.25),
        what: "client.create_backup_db_instance / plain ureq, loopback keep-alive",
    },
};
