//! The instance lifecycle through the Rust client's typed methods, against an in-process
//! emulator whose work moves one step per poll (no sleeps): a bought instance becomes running
//! with its shards and nodes; isolating blocks backups; offline removes the instance; renaming
//! and moving between projects show in reads; regions see only their own instances.

mod common;

use mongodb_client_blocking::Client;
use mongodb_emulator::{EmulatorHandle, Progress};
use mongodb_errors::ErrorCode;
use mongodb_models::{
    AssignProjectRequest, AsyncRequestStatus, BackupMethod, ClusterType,
    CreateBackupDBInstanceRequest, CreateDBInstanceHourRequest, CreateDBInstanceRequest,
    DescribeAsyncRequestInfoRequest, DescribeDBInstanceDealRequest, DescribeDBInstancesRequest,
    InstanceDetail, InstanceStatus, IsolateDBInstanceRequest, OfflineIsolatedDBInstanceRequest,
    RenameInstanceRequest,
};

fn emulator() -> EmulatorHandle {
    common::emulator_builder()
        .progress(Progress::PerPoll)
        .start()
        .expect("the emulator starts")
}

fn client(emu: &EmulatorHandle, region: &str) -> Client {
    common::client_for(emu)
        .region(region)
        .build()
        .expect("client")
}

fn instances(c: &Client, ids: &[&str]) -> Vec<InstanceDetail> {
    let req = DescribeDBInstancesRequest::new()
        .with_instance_ids(ids.iter().map(|s| s.to_string()).collect());
    c.describe_db_instances(&req)
        .expect("DescribeDBInstances")
        .instance_details
        .unwrap_or_default()
}

/// Polls an async request or flow until it ends; returns the statuses seen.
fn wait(c: &Client, id: &str) -> Vec<AsyncRequestStatus> {
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = c
            .describe_async_request_info(&DescribeAsyncRequestInfoRequest::new(id))
            .expect("DescribeAsyncRequestInfo");
        let status = r.status.expect("Status");
        seen.push(status.clone());
        if !matches!(
            status,
            AsyncRequestStatus::Initial | AsyncRequestStatus::Running
        ) {
            return seen;
        }
    }
    panic!("{id} never ended: {seen:?}");
}

#[test]
fn a_bought_instance_becomes_running_with_its_shards() {
    let emu = emulator();
    let c = client(&emu, "ap-guangzhou");
    let req = CreateDBInstanceHourRequest::new(
        8,
        300,
        2,
        5,
        "MONGO_50_WT",
        "GE.LD.T2",
        1,
        "SHARD",
        "ap-guangzhou-3",
    )
    .with_instance_name("orders")
    .with_mongos_node_num(3)
    .with_mongos_cpu(2)
    .with_mongos_memory(4);
    let bought = c
        .create_db_instance_hour(&req)
        .expect("CreateDBInstanceHour");
    let ids = bought.instance_ids.expect("InstanceIds");
    assert_eq!(ids.len(), 1);
    let id = ids[0].as_str();

    let fresh = &instances(&c, &[id])[0];
    assert_eq!(fresh.status, Some(InstanceStatus::Pending), "being created");
    let deal = DescribeDBInstanceDealRequest::new(bought.deal_id.expect("DealId"));
    let statuses: Vec<i64> = (0..2)
        .map(|_| c.describe_db_instance_deal(&deal).unwrap().status.unwrap())
        .collect();
    assert_eq!(statuses, [3, 4], "delivering, then delivered");

    let d = &instances(&c, &[id])[0];
    assert_eq!(d.status, Some(InstanceStatus::Running));
    assert_eq!(d.instance_name.as_deref(), Some("orders"));
    assert_eq!(d.cluster_type, Some(ClusterType::from(1)));
    assert_eq!(
        (d.memory, d.volume, d.cpu_num),
        (Some(8 * 1024), Some(300 * 1024), Some(4))
    );
    assert_eq!(d.machine_type.as_deref(), Some("GE.LD.T2"));
    let shards = d.replica_sets.clone().unwrap_or_default();
    let shard_ids: Vec<String> = shards
        .iter()
        .filter_map(|s| s.replica_set_id.clone())
        .collect();
    assert_eq!(shard_ids, [format!("{id}_0"), format!("{id}_1")]);
    assert!(
        shards.iter().all(|s| s.secondary_num == Some(4)),
        "5 nodes per shard"
    );
    assert_eq!((d.mongos_node_num, d.mongos_cpu_num), (Some(3), Some(2)));
    assert_eq!(d.secondary_num, Some(4));
}

#[test]
fn a_prepaid_purchase_is_monthly_and_costs_what_was_quoted() {
    let emu = emulator();
    let c = client(&emu, "ap-guangzhou");
    let req = CreateDBInstanceRequest::new(
        3,
        4,
        100,
        "MONGO_44_WT",
        1,
        "ap-guangzhou-2",
        6,
        "GE.LD.T2",
        "REPLSET",
        1,
    );
    let bought = c.create_db_instance(&req).expect("CreateDBInstance");
    let id = bought.instance_ids.unwrap()[0].clone();
    let deal = c
        .describe_db_instance_deal(&DescribeDBInstanceDealRequest::new(bought.deal_id.unwrap()))
        .unwrap();
    assert_eq!(deal.action.as_deref(), Some("purchase"));
    assert_eq!(deal.instance_id.as_deref(), Some(id.as_str()));
    let quote = mongodb_models::InquirePriceCreateDBInstancesRequest::new(
        "ap-guangzhou-2",
        3,
        4,
        100,
        "MONGO_44_WT",
        "GE.LD.T2",
        1,
        "REPLSET",
        1,
    )
    .with_period(6)
    .with_instance_charge_type("PREPAID");
    let price = c
        .inquire_price_create_db_instances(&quote)
        .unwrap()
        .price
        .unwrap();
    assert_eq!(deal.original_price, price.original_price);
    assert_eq!(deal.discount_price, price.discount_price);
    assert!(price.discount_price < price.original_price);
    assert_eq!(instances(&c, &[&id])[0].pay_mode, Some(1));
}

#[test]
fn isolating_blocks_backups_and_offline_removes_the_instance() {
    let emu = emulator();
    let c = client(&emu, "ap-guangzhou");
    let demo = "cmgo-demo0001";
    let isolate = c
        .isolate_db_instance(&IsolateDBInstanceRequest::new(demo))
        .expect("IsolateDBInstance");
    let seen = wait(&c, &isolate.async_request_id.unwrap());
    assert_eq!(seen.last(), Some(&AsyncRequestStatus::Success));
    assert_eq!(
        instances(&c, &[demo])[0].status,
        Some(InstanceStatus::IsolatedPostpaid)
    );

    let backup = CreateBackupDBInstanceRequest::new(demo, BackupMethod::Logical);
    let err = c.create_backup_db_instance(&backup).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueIllegalInstanceStatus)
    );
    assert!(err.request_id().is_some());

    let offline = c
        .offline_isolated_db_instance(&OfflineIsolatedDBInstanceRequest::new(demo))
        .expect("OfflineIsolatedDBInstance");
    assert_eq!(
        wait(&c, &offline.async_request_id.unwrap()).last(),
        Some(&AsyncRequestStatus::Success)
    );
    assert!(instances(&c, &[demo]).is_empty(), "gone");
    let err = c.create_backup_db_instance(&backup).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueNotFoundInstance)
    );
    assert_eq!(instances(&c, &[]).len(), 1, "the other demo instance stays");
}

#[test]
fn rename_and_project_show_in_reads() {
    let emu = emulator();
    let c = client(&emu, "ap-guangzhou");
    c.rename_instance(&RenameInstanceRequest::new("cmgo-demo0002", "ledger"))
        .expect("RenameInstance");
    let moved = c
        .assign_project(&AssignProjectRequest::new(
            vec!["cmgo-demo0001".into(), "cmgo-demo0002".into()],
            42,
        ))
        .expect("AssignProject");
    let flows = moved.flow_ids.unwrap();
    assert_eq!(flows.len(), 2);
    assert_eq!(
        wait(&c, &flows[1].to_string()).last(),
        Some(&AsyncRequestStatus::Success)
    );

    let d = &instances(&c, &["cmgo-demo0002"])[0];
    assert_eq!(d.instance_name.as_deref(), Some("ledger"));
    assert_eq!(d.project_id, Some(42));
    let by_project = DescribeDBInstancesRequest::new().with_project_ids(vec![42]);
    let found = c.describe_db_instances(&by_project).unwrap();
    assert_eq!(found.total_count, Some(2));
    let by_name = DescribeDBInstancesRequest::new().with_search_key("ledger");
    assert_eq!(
        c.describe_db_instances(&by_name).unwrap().total_count,
        Some(1)
    );
}

#[test]
fn each_region_sees_its_own_instances() {
    let emu = emulator();
    let gz = client(&emu, "ap-guangzhou");
    let bj = client(&emu, "ap-beijing");
    assert!(instances(&bj, &[]).is_empty());
    let req = CreateDBInstanceHourRequest::new(
        4,
        100,
        1,
        3,
        "MONGO_44_WT",
        "GE.CD.T1",
        1,
        "REPLSET",
        "ap-beijing-3",
    )
    .with_cpu_core(2);
    let id = bj
        .create_db_instance_hour(&req)
        .unwrap()
        .instance_ids
        .unwrap()[0]
        .clone();
    let listed = instances(&bj, &[]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].region.as_deref(), Some("ap-beijing"));
    assert!(instances(&gz, &[&id]).is_empty());
    assert_eq!(instances(&gz, &[]).len(), 2);
    let err = gz.create_db_instance_hour(&req).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueZoneError),
        "a Beijing zone in Guangzhou"
    );
}
