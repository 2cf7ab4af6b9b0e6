//! The instance lifecycle over the wire: what DescribeSpecInfo offers is what
//! purchases accept, purchases go through deals, faults end deals, regions are
//! separate, and the end of life (isolate, offline, terminate) is guarded.

mod common;

use common::{builder, Api};
use mongodb_emulator::{EndAs, Fault};
use serde_json::{json, Value};

fn order(zone: &str) -> Value {
    json!({"Memory": 4, "Volume": 100, "ReplicateSetNum": 1, "NodeNum": 3,
           "MongoVersion": "MONGO_44_WT", "MachineCode": "GE.LD.T2", "GoodsNum": 1,
           "ClusterType": "REPLSET", "Zone": zone})
}

fn with(mut v: Value, extra: Value) -> Value {
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn status_of(api: &Api, id: &str) -> i64 {
    let r = api.ok("DescribeDBInstances", json!({ "InstanceIds": [id] }));
    r["InstanceDetails"][0]["Status"].as_i64().unwrap()
}

#[test]
fn what_is_on_sale_is_what_can_be_bought() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let all = api.ok("DescribeSpecInfo", json!({}));
    let zones: Vec<&str> = all["SpecInfoList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["Zone"].as_str().unwrap())
        .collect();
    assert!(zones.len() >= 2, "{zones:?}");
    assert!(zones.iter().all(|z| z.starts_with("ap-guangzhou-")));

    let one = api.ok("DescribeSpecInfo", json!({ "Zone": zones[1] }));
    let items = one["SpecInfoList"][0]["SpecItems"].as_array().unwrap();
    assert!(items.len() > 20);
    for item in items {
        let sharded = item["ClusterType"] == 1;
        let mut params = json!({
            "Zone": zones[1],
            "NodeNum": item["MinNodeNum"],
            "Memory": item["Memory"].as_u64().unwrap() / 1024,
            "Cpu": item["Cpu"],
            "Volume": item["MinStorage"].as_u64().unwrap() / 1024,
            "MongoVersion": item["MongoVersionCode"],
            "MachineCode": item["MachineType"],
            "GoodsNum": 1,
            "ClusterType": if sharded { "SHARD" } else { "REPLSET" },
            "ReplicateSetNum": item["MinReplicateSetNum"],
        });
        let price = api.ok("InquirePriceCreateDBInstances", params.clone());
        assert!(
            price["Price"]["OriginalPrice"].as_f64().unwrap() > 0.0,
            "{item}"
        );
        // One more GB than the largest disk is not on sale.
        params["Volume"] = json!(item["MaxStorage"].as_u64().unwrap() / 1024 + 1);
        let (code, msg) = api.err("InquirePriceCreateDBInstances", params);
        assert_eq!(code, "InvalidParameterValue", "{msg}");
    }
    // And a purchase of the first item goes through.
    api.ok("CreateDBInstanceHour", order(zones[1]));
}

#[test]
fn purchases_outside_the_catalog_get_the_documented_codes() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let cases = [
        (
            json!({"Zone": "ap-guangzhou-9"}),
            "InvalidParameterValue.ZoneError",
        ),
        (
            json!({"Zone": "ap-shanghai-2"}),
            "InvalidParameterValue.ZoneError",
        ),
        (
            json!({"MachineCode": "TURBO"}),
            "InvalidParameterValue.MachineTypeError",
        ),
        (json!({"Memory": 3}), "InvalidParameterValue.SpecNotOnSale"),
        (
            json!({"MongoVersion": "MONGO_26_MMAP"}),
            "InvalidParameterValue.MongoVersionError",
        ),
        (
            json!({"ClusterType": "STANDALONE"}),
            "InvalidParameterValue.ClusterTypeError",
        ),
        (
            json!({"ReplicateSetNum": 2}),
            "InvalidParameterValue.ReplicaSetNumError",
        ),
        (
            json!({"NodeNum": 9}),
            "InvalidParameterValue.SecondaryNumError",
        ),
        (
            json!({"Password": "onlyletters"}),
            "InvalidParameterValue.PasswordRuleFailed",
        ),
        (json!({"Volume": 5000}), "InvalidParameterValue"),
    ];
    for (change, want) in cases {
        let (code, msg) = api.err(
            "CreateDBInstanceHour",
            with(order("ap-guangzhou-3"), change.clone()),
        );
        assert_eq!(code, want, "{change}: {msg}");
    }
    let (_, msg) = api.err(
        "CreateDBInstanceHour",
        with(order("ap-guangzhou-3"), json!({"Zone": "ap-shanghai-2"})),
    );
    assert!(
        msg.contains("ap-shanghai"),
        "the message says where the zone is: {msg}"
    );
    let (code, _) = api.err(
        "CreateDBInstance",
        with(order("ap-guangzhou-3"), json!({"Period": 13})),
    );
    assert_eq!(code, "InvalidParameterValue");
    let all = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(all["TotalCount"], 2, "nothing was bought");
}

#[test]
fn a_purchase_is_a_deal_that_delivers_running_instances() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let sharded = with(
        order("ap-guangzhou-4"),
        json!({"ClusterType": "SHARD", "ReplicateSetNum": 3, "MongosNodeNum": 4, "MongosCpu": 2,
               "MongosMemory": 4, "GoodsNum": 2, "Period": 3, "InstanceName": "orders",
               "Tags": [{"TagKey": "team", "TagValue": "shop"}], "ProjectId": 5}),
    );
    let bought = api.ok("CreateDBInstance", sharded);
    let ids: Vec<String> = bought["InstanceIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    let deal = bought["DealId"].as_str().unwrap();

    // While the deal is delivered the instances exist, creating, with their shards.
    let r = api.ok(
        "DescribeDBInstances",
        json!({ "InstanceIds": ids, "OrderBy": "InstanceName" }),
    );
    let d = &r["InstanceDetails"][0];
    assert_eq!(
        (d["Status"].clone(), d["PayMode"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(d["InstanceName"], "orders1");
    assert_eq!(d["ReplicaSets"].as_array().unwrap().len(), 3);
    assert_eq!(
        (d["MongosNodeNum"].clone(), d["MongosCpuNum"].clone()),
        (json!(4), json!(2))
    );
    assert_eq!(d["Tags"][0]["TagKey"], "team");
    assert_eq!(
        (d["ProjectId"].clone(), d["Zone"].clone()),
        (json!(5), json!("ap-guangzhou-4"))
    );
    assert_eq!(
        d["NetType"], 1,
        "the spec's NetType: 0 basic network, 1 VPC"
    );
    assert!(d["VpcId"].as_str().unwrap().starts_with("vpc-"));

    // The deal is polled (the read above was one poll of it too).
    let polls: Vec<i64> = (0..2)
        .map(|_| {
            api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }))["Status"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(polls, [3, 4], "delivering, then delivered");
    let deal = api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }));
    assert_eq!(deal["Action"], "purchase");
    assert!(ids.contains(&deal["InstanceId"].as_str().unwrap().to_owned()));
    let quote = with(
        order("ap-guangzhou-4"),
        json!({"ClusterType": "SHARD", "ReplicateSetNum": 3, "MongosNum": 4, "MongosCpu": 2,
               "MongosMemory": 4, "GoodsNum": 2, "Period": 3, "InstanceChargeType": "PREPAID"}),
    );
    let price = api.ok("InquirePriceCreateDBInstances", quote);
    assert_eq!(
        deal["OriginalPrice"], price["Price"]["OriginalPrice"],
        "the deal costs what was quoted"
    );
    assert_eq!(deal["DiscountPrice"], price["Price"]["DiscountPrice"]);
    for id in &ids {
        assert_eq!(status_of(&api, id), 2);
    }
    let tagged = api.ok(
        "DescribeDBInstances",
        json!({"Tags": [{"TagKey": "team", "TagValue": "shop"}]}),
    );
    assert_eq!(tagged["TotalCount"], 2);
    let by_project = api.ok(
        "DescribeDBInstances",
        json!({"ProjectIds": [5], "ClusterType": 1}),
    );
    assert_eq!(by_project["TotalCount"], 2);
}

#[test]
fn a_deal_that_fails_delivers_nothing() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    h.inject_times("CreateDBInstanceHour", Fault::EndAs(EndAs::Failed), 1);
    let r = api.ok("CreateDBInstanceHour", order("ap-guangzhou-3"));
    let deal = r["DealId"].as_str().unwrap();
    let seen: Vec<i64> = (0..3)
        .map(|_| {
            api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }))["Status"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(seen, [2, 3, 5], "paid, delivering, delivery failed");
    let all = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(all["TotalCount"], 2, "the instance was never delivered");
    let (code, _) = api.err("DescribeDBInstanceDeal", json!({ "DealId": "nope" }));
    assert_eq!(code, "InvalidParameterValue");
}

#[test]
fn regions_are_separate() {
    let h = builder().start().unwrap();
    let gz = Api::new(&h);
    let sh = Api::in_region(&h, "ap-shanghai");
    assert_eq!(sh.ok("DescribeDBInstances", json!({}))["TotalCount"], 0);
    let (code, _) = sh.err(
        "CreateBackupDBInstance",
        json!({"InstanceId": "cmgo-demo0001", "BackupMethod": 0}),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");

    let zone = sh.ok("DescribeSpecInfo", json!({}))["SpecInfoList"][0]["Zone"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(zone.starts_with("ap-shanghai-"));
    let (code, _) = sh.err("CreateDBInstanceHour", order("ap-guangzhou-3"));
    assert_eq!(code, "InvalidParameterValue.ZoneError");
    let id = sh.ok("CreateDBInstanceHour", order(&zone))["InstanceIds"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = sh.ok("DescribeDBInstances", json!({}));
    assert_eq!(
        (
            listed["TotalCount"].clone(),
            listed["InstanceDetails"][0]["Region"].clone()
        ),
        (json!(1), json!("ap-shanghai"))
    );
    let gz_all = gz.ok("DescribeDBInstances", json!({}));
    assert_eq!(gz_all["TotalCount"], 2);
    assert!(!gz_all.to_string().contains(&id));

    // Work is queried in its own region only.
    let flow = gz.ok(
        "CreateBackupDBInstance",
        json!({"InstanceId": "cmgo-demo0001", "BackupMethod": 0}),
    );
    let (code, _) = sh.err(
        "DescribeAsyncRequestInfo",
        json!({ "AsyncRequestId": flow["AsyncRequestId"] }),
    );
    assert_eq!(code, "InvalidParameterValue");
    let (code, _) = Api::in_region(&h, "xx-nowhere-1").err("DescribeDBInstances", json!({}));
    assert_eq!(code, "UnsupportedRegion");
}

#[test]
fn isolate_blocks_backups_and_offline_removes_the_instance() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let demo = "cmgo-demo0001";
    let (code, _) = api.err("OfflineIsolatedDBInstance", json!({ "InstanceId": demo }));
    assert_eq!(code, "InvalidParameterValue.IllegalStatusToOffline");

    api.ok(
        "SetDBInstanceDeletionProtection",
        json!({"InstanceIds": [demo], "EnableDeletionProtection": 1}),
    );
    let (code, _) = api.err("IsolateDBInstance", json!({ "InstanceId": demo }));
    assert_eq!(code, "FailedOperation.DeletionProtectionEnabled");
    api.ok(
        "SetDBInstanceDeletionProtection",
        json!({"InstanceIds": [demo], "EnableDeletionProtection": 0}),
    );

    let id = api.ok("IsolateDBInstance", json!({ "InstanceId": demo }))["AsyncRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        common::wait_async(&api, &id),
        ["initial", "running", "success"]
    );
    assert_eq!(status_of(&api, demo), -3, "isolated, hourly");
    let (code, msg) = api.err(
        "CreateBackupDBInstance",
        json!({"InstanceId": demo, "BackupMethod": 0}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
    assert!(msg.contains("isolated"), "{msg}");
    let (code, _) = api.err(
        "RenameInstance",
        json!({"InstanceId": demo, "NewName": "x"}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");

    let id = api.ok("OfflineIsolatedDBInstance", json!({ "InstanceId": demo }))["AsyncRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(common::wait_async(&api, &id).last().unwrap(), "success");
    let all = api.ok("DescribeDBInstances", json!({}));
    assert_eq!(all["TotalCount"], 1);
    let (code, _) = api.err("DescribeDBBackups", json!({ "InstanceId": demo }));
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
}

#[test]
fn isolation_that_fails_leaves_the_instance_running() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    h.inject_times("IsolateDBInstance", Fault::EndAs(EndAs::Undoed), 1);
    let id = api.ok(
        "IsolateDBInstance",
        json!({ "InstanceId": "cmgo-demo0002" }),
    )["AsyncRequestId"]
        .clone();
    let seen: Vec<Value> = (0..3)
        .map(|_| {
            api.ok("DescribeAsyncRequestInfo", json!({ "AsyncRequestId": id }))["Status"].clone()
        })
        .collect();
    assert_eq!(seen, ["initial", "running", "undoed"]);
    assert_eq!(status_of(&api, "cmgo-demo0002"), 2);
}

#[test]
fn terminate_and_renew_prepaid_instances() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let id = api.ok(
        "CreateDBInstance",
        with(order("ap-guangzhou-3"), json!({"Period": 1})),
    )["InstanceIds"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, _) = api.err("IsolateDBInstance", json!({ "InstanceId": &id }));
    assert_eq!(
        code, "InvalidParameterValue.IllegalInstanceStatus",
        "still being created"
    );
    let deadline = |api: &Api| {
        let r = api.ok("DescribeDBInstances", json!({ "InstanceIds": [&id] }));
        r["InstanceDetails"][0]["DeadLine"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let before = deadline(&api);
    api.ok("TerminateDBInstances", json!({ "InstanceId": &id }));
    assert_eq!(status_of(&api, &id), -2, "isolated, prepaid");
    let renew = json!({"InstanceIds": [&id], "InstanceChargePrepaid": {"Period": 12, "RenewFlag": "NOTIFY_AND_AUTO_RENEW"}});
    let quote = api.ok("InquirePriceRenewDBInstances", renew.clone());
    assert!(quote["Price"]["DiscountPrice"].as_f64().unwrap() > 0.0);
    api.ok("RenewDBInstances", renew);
    let r = api.ok("DescribeDBInstances", json!({ "InstanceIds": [&id] }));
    assert_eq!(
        (
            r["InstanceDetails"][0]["Status"].clone(),
            r["InstanceDetails"][0]["AutoRenewFlag"].clone()
        ),
        (json!(2), json!(1))
    );
    assert!(deadline(&api) > before, "{} > {before}", deadline(&api));
    let hourly = json!({"InstanceIds": ["cmgo-demo0001"], "InstanceChargePrepaid": {"Period": 1}});
    let (code, _) = api.err("RenewDBInstances", hourly);
    assert_eq!(code, "InvalidParameterValue.InvalidTradeOperation");
}
