//! Instance operations over the wire, part three: elastic CPU, engine
//! versions, network addresses and connection URLs, public access, the
//! maintenance window, the SRV URL and the account-wide switches.

mod common;

use common::{builder, detail, flow, kept, wait_async, Api};
use mongodb_emulator::{EndAs, Fault};
use serde_json::{json, Value};

const DEMO: &str = "cmgo-demo0001";
const SHARDED: &str = "cmgo-demo0002";

fn urls(api: &Api, id: &str) -> Vec<(String, String)> {
    let r = api.ok("DescribeDBInstanceURL", json!({ "InstanceId": id }));
    r["Urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["URLType"].as_str().unwrap().to_owned(),
                u["Address"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn node(api: &Api, id: &str, name: &str) -> Value {
    let r = api.ok(
        "DescribeDBInstanceNodeProperty",
        json!({"InstanceId": id, "NodeIds": [name]}),
    );
    r["ReplicateSets"][0]["Nodes"][0].clone()
}

#[test]
fn elastic_cpu_scales_up_and_down_through_flows() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let check = || {
        api.ok(
            "CheckDBInstanceElasticCpuScalable",
            json!({"InstanceId": DEMO}),
        )
    };
    let before = check();
    assert_eq!(
        (
            &before["Scalable"],
            &before["IsScaled"],
            &before["MaxExtraCpu"]
        ),
        (&json!(true), &json!(false), &json!(2))
    );
    assert_eq!(before["Reason"], "");
    let (code, msg) = api.err(
        "ScaleUpDBInstanceCpu",
        json!({"InstanceId": DEMO, "ExtraCpu": 3}),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("ExtraCpu"), "{msg}");
    let (code, _) = api.err("ScaleUpDBInstanceCpu", json!({"ExtraCpu": 1}));
    assert_eq!(code, "InvalidParameterValue", "InstanceId is required");
    let (code, _) = api.err("ScaleDownDBInstanceCpu", json!({"InstanceId": DEMO}));
    assert_eq!(code, "OperationDenied");

    let up = api.ok(
        "ScaleUpDBInstanceCpu",
        json!({"InstanceId": DEMO, "ExtraCpu": 2}),
    );
    let during = check();
    assert_eq!(
        (&during["IsLocked"], &during["Scalable"]),
        (&json!(true), &json!(false))
    );
    wait_async(&api, &flow(&up));
    let scaled = check();
    assert_eq!(
        (
            &scaled["IsScaled"],
            &scaled["ExtraCpu"],
            &scaled["TriggerType"]
        ),
        (&json!(true), &json!(2), &json!(1))
    );
    assert_eq!(scaled["Reason"], "Instance is already in scaled state");
    assert!(scaled["ScaleUpTime"].as_str().unwrap().len() == 19);
    assert_eq!(detail(&api, DEMO)["CpuNum"], 2, "the purchased size stays");
    let (code, _) = api.err(
        "ScaleUpDBInstanceCpu",
        json!({"InstanceId": DEMO, "ExtraCpu": 1}),
    );
    assert_eq!(code, "OperationDenied");

    let down = api.ok("ScaleDownDBInstanceCpu", json!({"InstanceId": DEMO}));
    wait_async(&api, &flow(&down));
    let after = check();
    assert_eq!(
        (&after["IsScaled"], &after["ExtraCpu"], &after["Scalable"]),
        (&json!(false), &json!(0), &json!(true))
    );

    // A failed flow scales nothing.
    h.inject_times("ScaleUpDBInstanceCpu", Fault::EndAs(EndAs::Failed), 1);
    let up = api.ok(
        "ScaleUpDBInstanceCpu",
        json!({"InstanceId": DEMO, "ExtraCpu": 1}),
    );
    for _ in 0..3 {
        api.ok(
            "DescribeAsyncRequestInfo",
            json!({"AsyncRequestId": flow(&up)}),
        );
    }
    assert_eq!(check()["IsScaled"], false);
}

#[test]
fn versions_go_up_one_step_at_a_time() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    assert_eq!(detail(&api, DEMO)["MongoVersion"], "MONGO_40_WT");
    for (to, want) in [
        ("MONGO_44_WT", "UnsupportedOperation.VersionNotSupport"),
        ("MONGO_40_WT", "UnsupportedOperation.VersionNotSupport"),
        ("MONGO_70_WT", "InvalidParameterValue.MongoVersionError"),
    ] {
        let (code, msg) = api.err(
            "UpgradeDbInstanceVersion",
            json!({"InstanceId": DEMO, "MongoVersion": to}),
        );
        assert_eq!(code, want, "{to}: {msg}");
    }
    let r = api.ok(
        "UpgradeDbInstanceVersion",
        json!({"InstanceId": DEMO, "MongoVersion": "MONGO_42_WT"}),
    );
    let during = detail(&api, DEMO);
    assert_eq!(
        (&during["Status"], &during["MongoVersion"]),
        (&json!(1), &json!("MONGO_40_WT"))
    );
    wait_async(&api, &flow(&r));
    let after = detail(&api, DEMO);
    assert_eq!(
        (&after["Status"], &after["MongoVersion"]),
        (&json!(2), &json!("MONGO_42_WT"))
    );

    let k = api.ok(
        "UpgradeDBInstanceKernelVersion",
        json!({"InstanceId": DEMO, "InMaintenance": 1}),
    );
    wait_async(&api, &flow(&k));
    assert_eq!(kept(&h, DEMO)["ops"]["kernel_version"], "4.2.24");
    let (code, _) = api.err(
        "UpgradeDBInstanceKernelVersion",
        json!({"InstanceId": DEMO}),
    );
    assert_eq!(
        code, "UnsupportedOperation.KernelVersionNotSupport",
        "already the newest"
    );

    // An upgrade whose flow fails leaves the version, and the instance runs again.
    h.inject_times("UpgradeDbInstanceVersion", Fault::EndAs(EndAs::Failed), 1);
    let r = api.ok(
        "UpgradeDbInstanceVersion",
        json!({"InstanceId": DEMO, "MongoVersion": "MONGO_44_WT"}),
    );
    for _ in 0..3 {
        api.ok(
            "DescribeAsyncRequestInfo",
            json!({"AsyncRequestId": flow(&r)}),
        );
    }
    let d = detail(&api, DEMO);
    assert_eq!(
        (&d["Status"], &d["MongoVersion"]),
        (&json!(2), &json!("MONGO_42_WT"))
    );
}

#[test]
fn a_network_change_shows_in_the_instance_and_its_urls() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let old_vip = detail(&api, DEMO)["Vip"].as_str().unwrap().to_owned();
    let before = urls(&api, DEMO);
    let kinds: Vec<&str> = before.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "CLUSTER_ALL",
            "CLUSTER_READ_SECONDARY",
            "CLUSTER_PRIMARY_AND_SECONDARY"
        ]
    );
    assert_eq!(
        before[0].1,
        format!(
            "mongodb://mongouser:******@{old_vip}:27017/test?replicaSet={DEMO}_0&authSource=admin"
        )
    );
    let change = |extra: Value| {
        let mut p = json!({"InstanceId": DEMO, "OldIpExpiredTime": 30, "NewUniqVpcId": "vpc-new00001",
                           "NewUniqSubnetId": "subnet-new00001"});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let errors = [
        (
            json!({"NewUniqVpcId": "net-1"}),
            "InvalidParameterValue.VpcIdOrSubnetIdNotFound",
        ),
        (
            json!({"NewUniqSubnetId": "subnet-"}),
            "InvalidParameterValue.VpcIdOrSubnetIdNotFound",
        ),
        (json!({"OldIpExpiredTime": 20_000}), "InvalidParameterValue"),
        (
            json!({"NetworkAddresses": [{"NewIPAddress": "172.16.0.300", "OldIpAddress": old_vip}]}),
            "InvalidParameter.InvalidVip",
        ),
        (
            json!({"NetworkAddresses": [{"NewIPAddress": "172.16.0.3", "OldIpAddress": "10.9.9.9"}]}),
            "InvalidParameter.InvalidVip",
        ),
        (
            json!({"NetworkAddresses": [{"NewIPAddress": "172.16.0.3", "OldIpAddress": old_vip, "NodeType": "HIDDEN"}]}),
            "InvalidParameterValue",
        ),
    ];
    for (extra, want) in errors {
        let (code, msg) = api.err("ModifyDBInstanceNetworkAddress", change(extra.clone()));
        assert_eq!(code, want, "{extra}: {msg}");
    }
    let r = api.ok(
        "ModifyDBInstanceNetworkAddress",
        change(json!({"NetworkAddresses": [{"NewIPAddress": "172.16.0.3", "OldIpAddress": old_vip, "NodeType": "PRIMARY"}]})),
    );
    assert_eq!(
        detail(&api, DEMO)["Vip"],
        old_vip.as_str(),
        "not before the flow succeeds"
    );
    wait_async(&api, &flow(&r));
    let d = detail(&api, DEMO);
    assert_eq!(
        (&d["VpcId"], &d["SubnetId"], &d["Vip"]),
        (
            &json!("vpc-new00001"),
            &json!("subnet-new00001"),
            &json!("172.16.0.3")
        )
    );
    assert!(urls(&api, DEMO)
        .iter()
        .all(|(_, a)| a.contains("@172.16.0.3:27017/")));
    let retired = kept(&h, DEMO)["ops"]["retired_addresses"].clone();
    assert_eq!(retired[0]["vip"], old_vip.as_str());

    // Without addresses, the new one is picked in the new subnet.
    let r = api.ok(
        "ModifyDBInstanceNetworkAddress",
        change(json!({"NewUniqSubnetId": "subnet-new00002", "OldIpExpiredTime": 0})),
    );
    wait_async(&api, &flow(&r));
    let d = detail(&api, DEMO);
    assert_eq!(d["SubnetId"], "subnet-new00002");
    assert_ne!(d["Vip"], "172.16.0.3");
}

#[test]
fn public_access_shows_on_the_nodes_and_freezes_the_address() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let vip = detail(&api, SHARDED)["Vip"].as_str().unwrap().to_owned();
    let slave = node(&api, SHARDED, "cmgo-demo0002_1-node-slave0");
    let slave_addr = slave["Address"].as_str().unwrap().to_owned();
    let enable = |lb: &str, list: Value| json!({"InstanceId": SHARDED, "LoadBalancerId": lb, "NodeList": list});
    let errors = [
        (
            enable(
                "clb-1",
                json!([{"VipVport": format!("{vip}:27017"), "ListenerPort": "9000"}]),
            ),
            "InvalidParameterValue",
        ),
        (
            enable(
                "lb-1",
                json!([{"VipVport": "10.0.0.0:27017", "ListenerPort": "9000"}]),
            ),
            "InvalidParameter.InvalidVip",
        ),
        (
            enable(
                "lb-1",
                json!([{"VipVport": format!("{vip}:27017"), "ListenerPort": "0"}]),
            ),
            "InvalidParameterValue",
        ),
        (
            enable(
                "lb-1",
                json!([{"VipVport": format!("{vip}:27017"), "ListenerPort": "9000"},
                               {"VipVport": slave_addr, "ListenerPort": "9000"}]),
            ),
            "InvalidParameterValue",
        ),
        (enable("lb-1", json!([])), "InvalidParameterValue"),
    ];
    for (p, want) in errors {
        let (code, msg) = api.err("EnableWanService", p.clone());
        assert_eq!(code, want, "{p}: {msg}");
    }
    let r = api.ok(
        "EnableWanService",
        enable(
            "lb-dabkt44i",
            json!([{"VipVport": format!("{vip}:27017"), "ListenerPort": "9000"},
                                     {"VipVport": slave_addr, "ListenerPort": "9001"}]),
        ),
    );
    wait_async(&api, &flow(&r));
    let public = kept(&h, SHARDED)["network"]["wan_address"]
        .as_str()
        .unwrap()
        .to_owned();
    let slave = node(&api, SHARDED, "cmgo-demo0002_1-node-slave0");
    assert_eq!(slave["WanServiceAddress"], format!("{public}:9001"));
    let mongos = api.ok(
        "DescribeDBInstanceNodeProperty",
        json!({"InstanceId": SHARDED}),
    )["Mongos"]
        .clone();
    assert!(mongos
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["WanServiceAddress"] == format!("{public}:9000")));
    assert!(node(&api, SHARDED, "cmgo-demo0002_0-node-slave0")
        .get("WanServiceAddress")
        .is_none());

    let (code, _) = api.err(
        "ModifyDBInstanceNetworkAddress",
        json!({"InstanceId": SHARDED, "OldIpExpiredTime": 0, "NewUniqVpcId": "vpc-b", "NewUniqSubnetId": "subnet-b"}),
    );
    assert_eq!(
        code,
        "FailedOperation.NotAllowModifyAddrAfterOpenWanService"
    );
    let kinds: Vec<String> = urls(&api, SHARDED).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            "MONGOS_ALL",
            "MONGOS_READ_SECONDARY",
            "MONGOS_READ_PRIMARY_AND_SECONDARY"
        ]
    );
}

#[test]
fn the_maintenance_window_shows_in_the_instance() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let d = detail(&api, DEMO);
    assert_eq!(
        (&d["MaintenanceStart"], &d["MaintenanceEnd"]),
        (&json!("04:00:00"), &json!("05:00:00"))
    );
    api.ok(
        "SetInstanceMaintenance",
        json!({"InstanceId": DEMO, "MaintenanceStart": "02:30",
                                            "MaintenanceEnd": "04:00", "MaintenanceDays": "3,1"}),
    );
    let d = detail(&api, DEMO);
    assert_eq!(
        (&d["MaintenanceStart"], &d["MaintenanceEnd"]),
        (&json!("02:30:00"), &json!("04:00:00"))
    );
    assert_eq!(
        kept(&h, DEMO)["maintenance"]["days"],
        json!(["Monday", "Wednesday"])
    );
    // Past midnight is fine.
    api.ok(
        "SetInstanceMaintenance",
        json!({"InstanceId": DEMO, "MaintenanceStart": "23:00", "MaintenanceEnd": "01:00"}),
    );
    assert_eq!(detail(&api, DEMO)["MaintenanceEnd"], "01:00:00");
    assert_eq!(
        kept(&h, DEMO)["maintenance"]["days"],
        json!([]),
        "every day"
    );
    let errors = [
        (
            ("02:15", "04:00", None),
            "InvalidParameterValue.TimeFormatErr",
        ),
        (
            ("02:00", "6:00", None),
            "InvalidParameterValue.TimeFormatErr",
        ),
        (("02:00", "06:00", None), "InvalidParameterValue"),
        (
            ("02:00", "02:00", None),
            "InvalidParameterValue.StartTimeNotBeforeThanEndTime",
        ),
        (("02:00", "03:00", Some("1,8")), "InvalidParameterValue"),
    ];
    for ((start, end, days), want) in errors {
        let mut p = json!({"InstanceId": DEMO, "MaintenanceStart": start, "MaintenanceEnd": end});
        if let Some(days) = days {
            p["MaintenanceDays"] = json!(days);
        }
        let (code, msg) = api.err("SetInstanceMaintenance", p.clone());
        assert_eq!(code, want, "{p}: {msg}");
    }
    assert_eq!(
        detail(&api, DEMO)["MaintenanceStart"],
        "23:00:00",
        "refused changes change nothing"
    );
}

#[test]
fn the_srv_url_goes_on_gets_a_custom_domain_and_goes_off() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let domain = |id: &str| {
        api.ok("DescribeSRVConnectionDomain", json!({"InstanceId": id}))["Domain"].clone()
    };
    assert_eq!(domain(DEMO), "", "off at first");
    let (code, _) = api.err(
        "ModifySRVConnectionUrl",
        json!({"InstanceId": DEMO, "CustomDomain": "shop"}),
    );
    assert_eq!(code, "FailedOperation");
    let (code, _) = api.err("DisableSRVConnectionUrl", json!({"InstanceId": DEMO}));
    assert_eq!(code, "FailedOperation");

    for id in [DEMO, SHARDED] {
        let on = api.ok("EnableSRVConnectionUrl", json!({"InstanceId": id}));
        wait_async(&api, &flow(&on));
    }
    assert_eq!(domain(DEMO), "cmgo-demo0001.tencentcdb.com");
    let (code, _) = api.err("EnableSRVConnectionUrl", json!({"InstanceId": DEMO}));
    assert_eq!(code, "FailedOperation", "already on");
    for bad in ["Shop", "-shop", "shop.example", ""] {
        let (code, msg) = api.err(
            "ModifySRVConnectionUrl",
            json!({"InstanceId": DEMO, "CustomDomain": bad}),
        );
        assert_eq!(code, "InvalidParameterValue", "{bad}: {msg}");
    }
    let m = api.ok(
        "ModifySRVConnectionUrl",
        json!({"InstanceId": DEMO, "CustomDomain": "shop"}),
    );
    wait_async(&api, &flow(&m));
    assert_eq!(domain(DEMO), "shop.tencentcdb.com");
    let (code, msg) = api.err(
        "ModifySRVConnectionUrl",
        json!({"InstanceId": SHARDED, "CustomDomain": "shop"}),
    );
    assert_eq!(code, "InvalidParameterValue", "taken: {msg}");

    let off = api.ok("DisableSRVConnectionUrl", json!({"InstanceId": DEMO}));
    wait_async(&api, &flow(&off));
    assert_eq!(domain(DEMO), "");
    let on = api.ok("EnableSRVConnectionUrl", json!({"InstanceId": DEMO}));
    wait_async(&api, &flow(&on));
    assert_eq!(
        domain(DEMO),
        "shop.tencentcdb.com",
        "the custom domain is kept"
    );
}

#[test]
fn account_switches_are_kept_per_region() {
    let h = builder().start().unwrap();
    let gz = Api::new(&h);
    let sh = Api::in_region(&h, "ap-shanghai");
    gz.ok("DescribePasswordRotation", json!({}));
    gz.ok("EnablePasswordRotation", json!({}));
    let since = h.dump_state()["regions"]["ap-guangzhou"]["ops"]["password_rotation_ms"].clone();
    assert!(since.as_i64().is_some(), "{since}");
    gz.ok("EnablePasswordRotation", json!({}));
    assert_eq!(
        h.dump_state()["regions"]["ap-guangzhou"]["ops"]["password_rotation_ms"],
        since,
        "on once"
    );
    for _ in 0..2 {
        gz.ok("IncreaseDBInstanceConnectionLimit", json!({}));
    }
    sh.ok("IncreaseDBInstanceConnectionLimit", json!({}));
    let state = h.dump_state();
    assert_eq!(
        state["regions"]["ap-guangzhou"]["ops"]["connection_limit_raises"],
        2
    );
    assert_eq!(
        state["regions"]["ap-shanghai"]["ops"]["connection_limit_raises"],
        1
    );
    assert_eq!(
        state["regions"]["ap-shanghai"]["ops"]["password_rotation_ms"],
        Value::Null
    );
}
