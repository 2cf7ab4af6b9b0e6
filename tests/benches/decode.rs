//! `decode`: a 1,000-instance `DescribeDBInstances` answer into the typed
//! `DescribeDBInstancesResponse` through `mongodb_models::decode_response`, against the floor
//! of parsing the same bytes into a `serde_json::Value`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use mongodb_models::{decode_response, DescribeDBInstancesResponse};

#[path = "common/fixture.rs"]
mod fixture;

fn bench_decode(c: &mut Criterion) {
    let body = fixture::describe_db_instances_body();
    // The fixture must decode, completely, before it is worth timing.
    let env = decode_response::<DescribeDBInstancesResponse>(&body).expect("fixture decodes");
    assert_eq!(
        env.response.instance_details.as_ref().map(Vec::len),
        Some(fixture::INSTANCES)
    );

    let mut group = c.benchmark_group("decode");
    // One decode takes milliseconds: ten samples of equal length keep the run short.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(criterion::Throughput::Bytes(body.len() as u64));
    group.bench_function("ours", |b| {
        b.iter(|| decode_response::<DescribeDBInstancesResponse>(black_box(&body)))
    });
    group.bench_function("floor", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)))
    });
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
