//! `decode`: a 1,000-instance `DescribeDBInstances` answer into the typed
//! `DescribeDBInstancesResponse` through `mongodb_models::decode_response`, against the floor
//! of parsing the same bytes into a `serde_json::Value`, measured interleaved (see
//! `common/measure.rs`).

use std::hint::black_box;

use mongodb_models::{decode_response, DescribeDBInstancesResponse};

#[path = "common/fixture.rs"]
mod fixture;
#[path = "common/measure.rs"]
mod measure;

fn main() {
    let body = fixture::describe_db_instances_body();
    // The fixture must decode, completely, before it is worth timing.
    let env = decode_response::<DescribeDBInstancesResponse>(&body).expect("fixture decodes");
    assert_eq!(
        env.response.instance_details.as_ref().map(Vec::len),
        Some(fixture::INSTANCES)
    );

    measure::compare(
        "decode",
        measure::Clock::ThreadCpu,
        || decode_response::<DescribeDBInstancesResponse>(black_box(&body)),
        || serde_json::from_slice::<serde_json::Value>(black_box(&body)),
    );
}
