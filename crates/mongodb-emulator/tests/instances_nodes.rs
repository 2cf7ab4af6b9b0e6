//! Instance operations over the wire, part two: the nodes (properties that
//! match the replica sets, restarts, router flushes), zones, promotion, and
//! the status guard on every change.

mod common;

use common::{builder, detail, flow, kept, wait_async, Api};
use serde_json::{json, Value};

const DEMO: &str = "cmgo-demo0001";
const SHARDED: &str = "cmgo-demo0002";

fn nodes(api: &Api, id: &str, filter: Value) -> Value {
    let mut params = json!({ "InstanceId": id });
    for (k, v) in filter.as_object().unwrap() {
        params[k] = v.clone();
    }
    api.ok("DescribeDBInstanceNodeProperty", params)
}

fn node_names(props: &Value) -> Vec<String> {
    props["ReplicateSets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Nodes"].as_array().unwrap().clone())
        .chain(props["Mongos"].as_array().cloned().unwrap_or_default())
        .map(|n| n["NodeName"].as_str().unwrap().to_owned())
        .collect()
}

fn node(api: &Api, id: &str, name: &str) -> Value {
    let r = api.ok(
        "DescribeDBInstanceNodeProperty",
        json!({"InstanceId": id, "NodeIds": [name]}),
    );
    r["ReplicateSets"][0]["Nodes"][0].clone()
}

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

#[test]
fn node_properties_are_the_nodes_of_the_replica_sets() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let all = nodes(&api, SHARDED, json!({}));
    let sets = detail(&api, SHARDED)["ReplicaSets"].clone();
    let set_ids: Vec<&str> = sets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ReplicaSetId"].as_str().unwrap())
        .collect();
    assert_eq!(set_ids, ["cmgo-demo0002_0", "cmgo-demo0002_1"]);
    for (set, id) in all["ReplicateSets"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&set_ids)
    {
        let members = set["Nodes"].as_array().unwrap();
        assert_eq!(members.len(), 3);
        for n in members {
            assert_eq!(n["ReplicateSetId"], *id);
            assert!(n["NodeName"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{id}-node-")));
            assert_eq!(
                (&n["Status"], &n["Zone"]),
                (&json!("NORMAL"), &json!("ap-guangzhou-3"))
            );
        }
        assert_eq!(members[0]["Role"], "PRIMARY");
    }
    assert_eq!(all["Mongos"].as_array().unwrap().len(), 3);
    assert_eq!(all["DynamoProxies"], json!([]));

    let primaries = nodes(&api, SHARDED, json!({"Roles": ["PRIMARY"]}));
    assert_eq!(
        node_names(&primaries),
        [
            "cmgo-demo0002_0-node-primary",
            "cmgo-demo0002_1-node-primary"
        ]
    );
    let one = nodes(
        &api,
        SHARDED,
        json!({"NodeIds": ["cmgo-demo0002_1-node-slave1"], "Votes": 1}),
    );
    assert_eq!(node_names(&one), ["cmgo-demo0002_1-node-slave1"]);
    assert!(node_names(&nodes(&api, SHARDED, json!({"OnlyHidden": true}))).is_empty());
    let tagged = nodes(
        &api,
        SHARDED,
        json!({"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    );
    assert!(node_names(&tagged).is_empty(), "nodes carry no tags");
    let replica = nodes(&api, DEMO, json!({}));
    assert_eq!(replica["Mongos"], json!([]));

    let (code, _) = api.err(
        "DescribeDBInstanceNodeProperty",
        json!({"InstanceId": SHARDED, "NodeIds": ["cmgo-demo0001_0-node-primary"]}),
    );
    assert_eq!(code, "InvalidParameterValue.NodeNotFoundInReplica");
    let (code, _) = api.err(
        "DescribeDBInstanceNodeProperty",
        json!({"InstanceId": SHARDED, "Roles": ["BOSS"]}),
    );
    assert_eq!(code, "InvalidParameterValue");
    let (code, _) = api.err(
        "DescribeDBInstanceNodeProperty",
        json!({"InstanceId": "cmgo-nope0001"}),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
}

#[test]
fn restarted_nodes_start_up_until_the_flow_ends_and_the_instance_is_locked() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let slave = format!("{DEMO}_0-node-slave0");
    let r = api.ok(
        "RestartNodes",
        json!({"InstanceId": DEMO, "NodeIds": [slave, slave]}),
    );
    let flow = r["FlowId"].to_string();
    let during = nodes(&api, DEMO, json!({"NodeIds": [slave]}));
    assert_eq!(during["ReplicateSets"][0]["Nodes"][0]["Status"], "STARTUP");
    let primary = nodes(&api, DEMO, json!({"Roles": ["PRIMARY"]}));
    assert_eq!(primary["ReplicateSets"][0]["Nodes"][0]["Status"], "NORMAL");
    let (code, _) = api.err(
        "RestartNodes",
        json!({"InstanceId": DEMO, "NodeIds": [slave]}),
    );
    assert_eq!(code, "FailedOperation.OperationNotAllowedInInstanceLocking");
    assert_eq!(
        detail(&api, DEMO)["Status"],
        2,
        "a restart keeps the instance running"
    );

    wait_async(&api, &flow);
    let after = nodes(&api, DEMO, json!({"NodeIds": [slave]}));
    assert_eq!(after["ReplicateSets"][0]["Nodes"][0]["Status"], "NORMAL");
    let state = h.dump_state();
    let ops = &state["regions"]["ap-guangzhou"]["instances"][0]["ops"];
    assert!(ops["restarts"][&slave].as_i64().unwrap() > 0, "{ops}");

    let (code, _) = api.err(
        "RestartNodes",
        json!({"InstanceId": DEMO, "NodeIds": ["cmgo-demo0001_0-node-slave9"]}),
    );
    assert_eq!(code, "InvalidParameterValue.NodeNotFoundInReplica");
    let (code, _) = api.err("RestartNodes", json!({"InstanceId": DEMO, "NodeIds": []}));
    assert_eq!(code, "InvalidParameterValue");
    // A backup in progress does not lock the instance.
    api.ok(
        "CreateBackupDBInstance",
        json!({"InstanceId": DEMO, "BackupMethod": 0}),
    );
    api.ok(
        "RestartNodes",
        json!({"InstanceId": DEMO, "NodeIds": [format!("{DEMO}_0-node-primary")]}),
    );
}

#[test]
fn router_flushes_are_for_sharded_clusters() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    api.ok("FlushInstanceRouterConfig", json!({"InstanceId": SHARDED}));
    let state = h.dump_state();
    let flushed = state["regions"]["ap-guangzhou"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == SHARDED)
        .unwrap()["ops"]["router_flushed_ms"]
        .clone();
    assert!(flushed.as_i64().is_some(), "{flushed}");
    let (code, _) = api.err("FlushInstanceRouterConfig", json!({"InstanceId": DEMO}));
    assert_eq!(code, "InvalidParameterValue.ClusterTypeError");
    assert!(h.set_instance_status(SHARDED, -3));
    let (code, _) = api.err("FlushInstanceRouterConfig", json!({"InstanceId": SHARDED}));
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}

#[test]
fn zones_move_the_nodes_when_the_deal_is_delivered() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let errors = [
        (
            json!({"PrimaryNodeZone": "ap-shanghai-2", "SecondaryNodeZone": ["ap-guangzhou-3"]}),
            "InvalidParameterValue.ZoneError",
        ),
        (
            json!({"PrimaryNodeZone": "ap-guangzhou-2", "SecondaryNodeZone": ["ap-guangzhou-2", "ap-guangzhou-3"]}),
            "InvalidParameterValue.ZoneError",
        ),
        (
            json!({"PrimaryNodeZone": "ap-guangzhou-2", "SecondaryNodeZone": []}),
            "InvalidParameterValue.ZoneError",
        ),
        (
            json!({"PrimaryNodeZone": "ap-guangzhou-3", "SecondaryNodeZone": ["ap-guangzhou-4"], "HiddenNodeZone": "ap-guangzhou-4"}),
            "InvalidParameterValue.ZoneError",
        ),
        (
            json!({"PrimaryNodeZone": "ap-guangzhou-2", "SecondaryNodeZone": ["ap-guangzhou-3"], "InMaintenance": 3}),
            "InvalidParameterValue",
        ),
    ];
    for (p, want) in errors {
        let mut p = p.clone();
        p["InstanceId"] = json!(DEMO);
        let (code, msg) = api.err("ModifyInstanceAz", p.clone());
        assert_eq!(code, want, "{p}: {msg}");
    }
    let r = api.ok(
        "ModifyInstanceAz",
        json!({"InstanceId": DEMO, "PrimaryNodeZone": "ap-guangzhou-2",
               "SecondaryNodeZone": ["ap-guangzhou-3", "ap-guangzhou-4"]}),
    );
    assert_eq!(detail(&api, DEMO)["Status"], 1);
    for _ in 0..3 {
        api.ok("DescribeDBInstanceDeal", json!({"DealId": r["DealId"]}));
    }
    let d = detail(&api, DEMO);
    assert_eq!(
        (&d["Status"], &d["Zone"]),
        (&json!(2), &json!("ap-guangzhou-2"))
    );
    assert_eq!(
        d["ZoneList"],
        json!(["ap-guangzhou-2", "ap-guangzhou-3", "ap-guangzhou-4"])
    );
    for (name, zone) in [
        ("primary", "ap-guangzhou-2"),
        ("slave0", "ap-guangzhou-3"),
        ("slave1", "ap-guangzhou-4"),
    ] {
        assert_eq!(
            node(&api, DEMO, &format!("{DEMO}_0-node-{name}"))["Zone"],
            zone
        );
    }
    let (code, _) = api.err(
        "ModifyInstanceAz",
        json!({"InstanceId": DEMO, "PrimaryNodeZone": "ap-guangzhou-2",
               "SecondaryNodeZone": ["ap-guangzhou-3", "ap-guangzhou-4"]}),
    );
    assert_eq!(code, "InvalidParameterValue", "already there");
}

#[test]
fn only_a_standby_instance_is_promoted() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let promote = json!({"InstanceId": DEMO, "MasterId": SHARDED});
    let (code, _) = api.err("PromoteDBInstanceToActive", promote.clone());
    assert_eq!(code, "InvalidParameterValue", "a regular instance");
    let (code, _) = api.err(
        "PromoteDBInstanceToActive",
        json!({"InstanceId": DEMO, "MasterId": "cmgo-nope0001"}),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");

    let mut state = h.dump_state();
    state["regions"]["ap-guangzhou"]["instances"][0]["ops"]["standby_of"] = json!(SHARDED);
    h.load_state(state).unwrap();
    let r = api.ok("PromoteDBInstanceToActive", promote.clone());
    assert_eq!(detail(&api, DEMO)["Status"], 1);
    wait_async(&api, &flow(&r));
    assert_eq!(kept(&h, DEMO)["ops"]["standby_of"], Value::Null);
    assert_eq!(detail(&api, DEMO)["Status"], 2);
    let (code, _) = api.err("PromoteDBInstanceToActive", promote);
    assert_eq!(code, "InvalidParameterValue", "promoted once");
}

#[test]
fn isolated_and_unknown_instances_are_refused_by_every_change() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let changes = [
        ("ModifyDBInstanceSpec", json!({"Memory": 8, "Volume": 200})),
        ("ScaleUpDBInstanceCpu", json!({"ExtraCpu": 1})),
        ("ScaleDownDBInstanceCpu", json!({})),
        (
            "ModifyInstanceAz",
            json!({"PrimaryNodeZone": "ap-guangzhou-2", "SecondaryNodeZone": ["ap-guangzhou-3"]}),
        ),
        (
            "RestartNodes",
            json!({"NodeIds": ["cmgo-demo0001_0-node-slave0"]}),
        ),
        ("PromoteDBInstanceToActive", json!({"MasterId": SHARDED})),
        ("UpgradeDBInstanceKernelVersion", json!({})),
        (
            "UpgradeDbInstanceVersion",
            json!({"MongoVersion": "MONGO_42_WT"}),
        ),
        (
            "ModifyDBInstanceNetworkAddress",
            json!({"OldIpExpiredTime": 0, "NewUniqVpcId": "vpc-b", "NewUniqSubnetId": "subnet-b"}),
        ),
        (
            "EnableWanService",
            json!({"LoadBalancerId": "lb-1", "NodeList": [{"VipVport": "10.0.1.10:27017", "ListenerPort": "9000"}]}),
        ),
        (
            "SetInstanceMaintenance",
            json!({"MaintenanceStart": "02:00", "MaintenanceEnd": "03:00"}),
        ),
        ("EnableSRVConnectionUrl", json!({})),
        ("DisableSRVConnectionUrl", json!({})),
        ("ModifySRVConnectionUrl", json!({"CustomDomain": "shop"})),
    ];
    let with_id = |p: &Value, id: &str| {
        let mut p = p.clone();
        p["InstanceId"] = json!(id);
        p
    };
    for (action, p) in &changes {
        let (code, msg) = api.err(action, with_id(p, "cmgo-nope0001"));
        assert_eq!(
            code, "InvalidParameterValue.NotFoundInstance",
            "{action}: {msg}"
        );
    }
    assert!(h.set_instance_status(DEMO, -2));
    for (action, p) in &changes {
        let (code, msg) = api.err(action, with_id(p, DEMO));
        assert_eq!(
            code, "InvalidParameterValue.IllegalInstanceStatus",
            "{action}: {msg}"
        );
        assert!(msg.contains(DEMO), "{action}: {msg}");
    }
    // Reads still answer for an isolated instance.
    assert_eq!(urls(&api, DEMO).len(), 3);
    api.ok("DescribeSRVConnectionDomain", json!({"InstanceId": DEMO}));
    let check = api.ok(
        "CheckDBInstanceElasticCpuScalable",
        json!({"InstanceId": DEMO}),
    );
    assert_eq!(
        (&check["Scalable"], &check["Reason"]),
        (&json!(false), &json!("Instance is isolated"))
    );
}
