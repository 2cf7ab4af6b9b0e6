//! Instance operations through the Rust client's typed methods, against an in-process
//! emulator whose work moves one step per poll (no sleeps): a change of size is a deal that
//! costs what was quoted and shows once delivered, nodes and all; an isolated instance refuses
//! it; an engine upgrade, a network move and a maintenance window show in later reads.

mod common;

use mongodb_client_blocking::Client;
use mongodb_emulator::{EmulatorHandle, Progress};
use mongodb_errors::ErrorCode;
use mongodb_models::{
    AsyncRequestStatus, DescribeAsyncRequestInfoRequest, DescribeDBInstanceDealRequest,
    DescribeDBInstanceNodePropertyRequest, DescribeDBInstanceURLRequest,
    DescribeDBInstancesRequest, InquirePriceModifyDBInstanceSpecRequest, InstanceDetail,
    InstanceStatus, IsolateDBInstanceRequest, ModifyDBInstanceNetworkAddressRequest,
    ModifyDBInstanceSpecRequest, SetInstanceMaintenanceRequest, UpgradeDbInstanceVersionRequest,
};

const DEMO: &str = "cmgo-demo0001";
const SHARDED: &str = "cmgo-demo0002";

fn emulator() -> EmulatorHandle {
    common::emulator_builder()
        .progress(Progress::PerPoll)
        .start()
        .expect("the emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    common::client_for(emu).build().expect("client")
}

fn instance(c: &Client, id: &str) -> InstanceDetail {
    let req = DescribeDBInstancesRequest::new().with_instance_ids(vec![id.to_owned()]);
    c.describe_db_instances(&req)
        .expect("DescribeDBInstances")
        .instance_details
        .unwrap_or_default()
        .remove(0)
}

/// Polls a flow until it ends; returns its last status.
fn wait_flow(c: &Client, id: impl ToString) -> AsyncRequestStatus {
    let req = DescribeAsyncRequestInfoRequest::new(id.to_string());
    for _ in 0..10 {
        let status = c
            .describe_async_request_info(&req)
            .expect("DescribeAsyncRequestInfo")
            .status
            .expect("Status");
        if !matches!(
            status,
            AsyncRequestStatus::Initial | AsyncRequestStatus::Running
        ) {
            return status;
        }
    }
    panic!("flow {} never ended", id.to_string());
}

#[test]
fn a_spec_change_shows_once_its_deal_is_delivered() {
    let emu = emulator();
    let c = client(&emu);
    let before = instance(&c, SHARDED);
    assert_eq!(
        (before.memory, before.volume, before.replication_set_num),
        (Some(8192), Some(256_000), Some(2))
    );
    let quote = c
        .inquire_price_modify_db_instance_spec(
            &InquirePriceModifyDBInstanceSpecRequest::new(SHARDED, 16, 400)
                .with_node_num(5)
                .with_replicate_set_num(3),
        )
        .expect("InquirePriceModifyDBInstanceSpec")
        .price
        .expect("Price");
    let change = ModifyDBInstanceSpecRequest::new(SHARDED)
        .with_memory(16)
        .with_volume(400)
        .with_node_num(5)
        .with_replicate_set_num(3);
    let deal_id = c
        .modify_db_instance_spec(&change)
        .expect("ModifyDBInstanceSpec")
        .deal_id
        .expect("DealId");

    let during = instance(&c, SHARDED);
    assert_eq!(during.status, Some(InstanceStatus::Processing));
    assert_eq!(during.memory, Some(8192), "the old size until delivered");

    let deal_req = DescribeDBInstanceDealRequest::new(deal_id);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let deal = c.describe_db_instance_deal(&deal_req).expect("deal");
        statuses.push(deal.status.expect("Status"));
        if statuses.last() == Some(&4) {
            assert_eq!(deal.action.as_deref(), Some("upgrade"));
            assert_eq!(deal.original_price, quote.original_price, "as quoted");
            break;
        }
    }
    assert_eq!(statuses, [3, 4], "delivering, then delivered");

    let after = instance(&c, SHARDED);
    assert_eq!(after.status, Some(InstanceStatus::Running));
    assert_eq!(
        (after.memory, after.volume, after.cpu_num),
        (Some(16 * 1024), Some(400 * 1024), Some(4))
    );
    assert_eq!(
        (after.replication_set_num, after.secondary_num),
        (Some(3), Some(4))
    );
    let shards = after.replica_sets.unwrap_or_default();
    let shard_ids: Vec<String> = shards
        .iter()
        .filter_map(|s| s.replica_set_id.clone())
        .collect();
    assert_eq!(
        shard_ids,
        [0, 1, 2].map(|n| format!("{SHARDED}_{n}")),
        "a third shard"
    );

    // The nodes the instance reports are those of its shards, five in each.
    let props = c
        .describe_db_instance_node_property(&DescribeDBInstanceNodePropertyRequest::new(SHARDED))
        .expect("DescribeDBInstanceNodeProperty");
    let sets = props.replicate_sets.expect("ReplicateSets");
    assert_eq!(sets.len(), 3);
    for (set, id) in sets.iter().zip(&shard_ids) {
        let nodes = set.nodes.clone().unwrap_or_default();
        assert_eq!(nodes.len(), 5);
        assert!(nodes
            .iter()
            .all(|n| n.replicate_set_id.as_deref() == Some(id.as_str())
                && n.node_name
                    .as_deref()
                    .is_some_and(|name| name.starts_with(id.as_str()))));
    }
}

#[test]
fn an_isolated_instance_refuses_a_spec_change() {
    let emu = emulator();
    let c = client(&emu);
    let isolate = c
        .isolate_db_instance(&IsolateDBInstanceRequest::new(DEMO))
        .expect("IsolateDBInstance");
    assert_eq!(
        wait_flow(&c, isolate.async_request_id.expect("AsyncRequestId")),
        AsyncRequestStatus::Success
    );
    let change = ModifyDBInstanceSpecRequest::new(DEMO)
        .with_memory(8)
        .with_volume(200);
    let err = c.modify_db_instance_spec(&change).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueIllegalInstanceStatus)
    );
    assert!(err.request_id().is_some());
    let d = instance(&c, DEMO);
    assert_eq!(d.status, Some(InstanceStatus::IsolatedPostpaid));
    assert_eq!(d.memory, Some(4096), "nothing changed");
    let err = c
        .modify_db_instance_spec(&ModifyDBInstanceSpecRequest::new("cmgo-nope0001").with_memory(8))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueNotFoundInstance)
    );
}

#[test]
fn version_network_and_maintenance_changes_show_in_reads() {
    let emu = emulator();
    let c = client(&emu);
    let upgrade = c
        .upgrade_db_instance_version(&UpgradeDbInstanceVersionRequest::new(DEMO, "MONGO_42_WT"))
        .expect("UpgradeDbInstanceVersion");
    assert_eq!(
        wait_flow(&c, upgrade.flow_id.expect("FlowId")),
        AsyncRequestStatus::Success
    );
    assert_eq!(
        instance(&c, DEMO).mongo_version.as_deref(),
        Some("MONGO_42_WT")
    );

    let old_vip = instance(&c, DEMO).vip.expect("Vip");
    let mv =
        ModifyDBInstanceNetworkAddressRequest::new(DEMO, 60, "vpc-orders01", "subnet-orders01");
    let moved = c
        .modify_db_instance_network_address(&mv)
        .expect("ModifyDBInstanceNetworkAddress");
    assert_eq!(
        wait_flow(&c, moved.flow_id.expect("FlowId")),
        AsyncRequestStatus::Success
    );
    let d = instance(&c, DEMO);
    assert_eq!(d.vpc_id.as_deref(), Some("vpc-orders01"));
    assert_eq!(d.subnet_id.as_deref(), Some("subnet-orders01"));
    let vip = d.vip.expect("Vip");
    assert_ne!(vip, old_vip);
    let urls = c
        .describe_db_instance_url(&DescribeDBInstanceURLRequest::new(DEMO))
        .expect("DescribeDBInstanceURL")
        .urls
        .expect("Urls");
    assert!(!urls.is_empty());
    assert!(urls.iter().all(|u| u
        .address
        .as_deref()
        .is_some_and(|a| a.contains(&format!("@{vip}:27017/")))));

    c.set_instance_maintenance(
        &SetInstanceMaintenanceRequest::new(DEMO, "01:30", "03:00").with_maintenance_days("6,7"),
    )
    .expect("SetInstanceMaintenance");
    let d = instance(&c, DEMO);
    assert_eq!(
        (d.maintenance_start.as_deref(), d.maintenance_end.as_deref()),
        (Some("01:30:00"), Some("03:00:00"))
    );
}
