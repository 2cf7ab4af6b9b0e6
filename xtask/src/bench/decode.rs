//! `decode`: the 1,000-instance `DescribeDBInstances` answer into the typed response, against
//! the floor of parsing the same bytes into a `serde_json::Value` (`tests/benches/decode.rs`).

use super::binary::{Binary, Output};

pub(crate) const BENCH: Binary = Binary {
    name: "decode",
    output: Output::Ratio {
        target: Some(1.5),
        what: "1,000-instance DescribeDBInstances typed / serde_json::Value",
    },
};
