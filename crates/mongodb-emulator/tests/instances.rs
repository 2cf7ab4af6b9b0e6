//! Instance operations over the wire, part one: changes of size (a deal
//! that shows when delivered, held to the same catalog and priced as its
//! price inquiry), single shards and node lists. `instances_nodes.rs` covers
//! nodes, zones, promotion and the status guard; `instances_ops.rs` the rest.

mod common;

use common::{builder, detail, Api};
use mongodb_emulator::{EndAs, Fault};
use serde_json::{json, Value};

const DEMO: &str = "cmgo-demo0001";
const SHARDED: &str = "cmgo-demo0002";

/// Polls a deal until it ends; returns the statuses seen.
fn deal_statuses(api: &Api, deal: &Value) -> Vec<i64> {
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }));
        let s = r["Status"].as_i64().unwrap();
        seen.push(s);
        if s >= 4 {
            return seen;
        }
    }
    panic!("deal {deal} never ended: {seen:?}");
}

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

#[test]
fn a_spec_change_is_a_deal_whose_new_size_shows_when_delivered() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let change = json!({"InstanceId": DEMO, "Memory": 8, "Volume": 200, "NodeNum": 5});
    let quote = api.ok("InquirePriceModifyDBInstanceSpec", change.clone());
    let r = api.ok("ModifyDBInstanceSpec", change.clone());
    let deal = r["DealId"].clone();

    let during = detail(&api, DEMO);
    assert_eq!(
        during["Status"], 1,
        "processing while the deal is delivered"
    );
    assert_eq!(during["Memory"], 4096, "the old size until then");
    let (code, _) = api.err("ModifyDBInstanceSpec", change);
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");

    assert_eq!(deal_statuses(&api, &deal), [3, 4]);
    let d = api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }));
    assert_eq!(d["Action"], "upgrade");
    assert_eq!(d["InstanceId"], DEMO);
    assert_eq!(d["OriginalPrice"], quote["Price"]["OriginalPrice"]);
    assert_eq!(d["DiscountPrice"], quote["Price"]["DiscountPrice"]);

    let after = detail(&api, DEMO);
    assert_eq!(after["Status"], 2);
    assert_eq!(
        (&after["Memory"], &after["Volume"], &after["CpuNum"]),
        (&json!(8192), &json!(204_800), &json!(4))
    );
    assert_eq!(after["SecondaryNum"], 4);
    assert_eq!(after["ReplicaSets"][0]["SecondaryNum"], 4);
    assert_eq!(after["ReplicaSets"][0]["Memory"], 8192);
    let names = node_names(&nodes(&api, DEMO, json!({})));
    assert_eq!(
        names,
        ["primary", "slave0", "slave1", "slave2", "slave3"].map(|n| format!("{DEMO}_0-node-{n}"))
    );
}

/// Every combination the catalog may or may not hold: the price inquiry and
/// the change accept and refuse the same ones, with the same codes, and an
/// accepted change costs what was quoted.
#[test]
fn the_spec_change_and_its_price_inquiry_agree_on_the_catalog() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let mut accepted = 0;
    let mut refused = 0;
    for id in [DEMO, SHARDED] {
        let now = detail(&api, id);
        let (memory, volume) = (
            now["Memory"].as_u64().unwrap() / 1024,
            now["Volume"].as_u64().unwrap() / 1024,
        );
        for m in [2u64, 3, 4, 8, 16, 32] {
            for cpu in [None, Some(2), Some(4), Some(8)] {
                for v in [10u64, 40, 100, 250, 600, 2500] {
                    for extra in [
                        json!({}),
                        json!({"NodeNum": 5}),
                        json!({"NodeNum": 9}),
                        json!({"ReplicateSetNum": 3}),
                        json!({"ReplicateSetNum": 1}),
                    ] {
                        // Memory and disk move the same way (a rule of the change alone).
                        if (m > memory && v < volume) || (m < memory && v > volume) {
                            continue;
                        }
                        let mut p = json!({"InstanceId": id, "Memory": m, "Volume": v});
                        if let Some(c) = cpu {
                            p["Cpu"] = json!(c);
                        }
                        for (k, x) in extra.as_object().unwrap() {
                            p[k] = x.clone();
                        }
                        let quote = api.post("InquirePriceModifyDBInstanceSpec", p.clone());
                        let change = api.post("ModifyDBInstanceSpec", p.clone());
                        match (quote.code(), change.code()) {
                            (None, None) => {
                                accepted += 1;
                                let deal = change.response()["DealId"].clone();
                                let d = api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }));
                                let q = quote.response()["Price"].clone();
                                assert_eq!(d["OriginalPrice"], q["OriginalPrice"], "{p}");
                                assert_eq!(d["DiscountPrice"], q["DiscountPrice"], "{p}");
                                h.reset();
                            }
                            // The same size again: quoted, but nothing to change.
                            (None, Some(code))
                                if change.message().contains("leaves the instance") =>
                            {
                                assert_eq!(code, "InvalidParameterValue");
                            }
                            (q, c) => {
                                refused += 1;
                                assert_eq!(q, c, "{p}: {} / {}", quote.message(), change.message());
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        accepted > 20 && refused > 100,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn a_prepaid_change_costs_the_difference_for_the_time_left() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let bought = api.ok(
        "CreateDBInstance",
        json!({"Memory": 4, "Volume": 100, "ReplicateSetNum": 1, "NodeNum": 3, "Period": 2,
               "MongoVersion": "MONGO_44_WT", "MachineCode": "GE.LD.T2", "GoodsNum": 1,
               "ClusterType": "REPLSET", "Zone": "ap-guangzhou-3"}),
    );
    deal_statuses(&api, &bought["DealId"]);
    let id = bought["InstanceIds"][0].as_str().unwrap();
    let up = json!({"InstanceId": id, "Memory": 16, "Volume": 400});
    let quote = api.ok("InquirePriceModifyDBInstanceSpec", up.clone());
    let deal = api.ok("ModifyDBInstanceSpec", up)["DealId"].clone();
    let d = api.ok("DescribeDBInstanceDeal", json!({ "DealId": deal }));
    // The two requests are a few milliseconds apart: at most a cent of paid time.
    for key in ["OriginalPrice", "DiscountPrice"] {
        let (a, b) = (
            d[key].as_f64().unwrap(),
            quote["Price"][key].as_f64().unwrap(),
        );
        assert!(a > 100.0 && (a - b).abs() <= 0.011, "{key}: {a} vs {b}");
    }
    deal_statuses(&api, &deal);
    let down = api.ok(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": id, "Memory": 8, "Volume": 200}),
    );
    let d = api.ok(
        "DescribeDBInstanceDeal",
        json!({ "DealId": down["DealId"] }),
    );
    assert_eq!(d["Action"], "downgrade");
    assert_eq!(
        (d["OriginalPrice"].as_f64(), d["DiscountPrice"].as_f64()),
        (Some(0.0), Some(0.0))
    );
}

#[test]
fn spec_changes_outside_the_rules_get_the_documented_codes() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let cases = [
        (json!({"Memory": 3}), "InvalidParameterValue.SpecNotOnSale"),
        (
            json!({"Memory": 8, "Cpu": 2}),
            "InvalidParameterValue.SpecNotOnSale",
        ),
        (json!({"Volume": 5000}), "InvalidParameterValue"),
        (
            json!({"NodeNum": 9}),
            "InvalidParameterValue.SecondaryNumError",
        ),
        (
            json!({"ReplicateSetNum": 2}),
            "InvalidParameterValue.ReplicaSetNumError",
        ),
        (
            json!({"MachineCode": "TURBO"}),
            "InvalidParameterValue.MachineTypeError",
        ),
        (
            json!({"MachineCode": "GE.CD.T1"}),
            "InvalidParameterValue.MachineTypeError",
        ),
        (json!({"Memory": 8, "Volume": 50}), "InvalidParameterValue"),
        (
            json!({"OplogSize": 5}),
            "InvalidParameterValue.OplogSizeOutOfRange",
        ),
        (
            json!({"MongosMemory": "4"}),
            "InvalidParameterValue.ClusterTypeError",
        ),
        (
            json!({"NodeNum": 5, "InMaintenance": 1}),
            "InvalidParameterValue.ModifyModeError",
        ),
        (
            json!({"InMaintenance": 2, "Memory": 8, "Volume": 200}),
            "InvalidParameterValue",
        ),
        (json!({"Memory": 4, "Volume": 100}), "InvalidParameterValue"),
        (
            json!({"AddNodeList": [{"Role": "SECONDARY", "Zone": "ap-guangzhou-2"}]}),
            "InvalidParameterValue.ZoneError",
        ),
        (
            json!({"AddNodeList": [{"Role": "ARBITER", "Zone": "ap-guangzhou-3"}]}),
            "InvalidParameterValue",
        ),
        (
            json!({"AddNodeList": [{"Role": "MONGOS", "Zone": "ap-guangzhou-3"}]}),
            "InvalidParameterValue.ClusterTypeError",
        ),
        (
            json!({"RemoveNodeList": [{"Role": "SECONDARY", "NodeName": "cmgo-demo0001_0-node-slave7",
                                    "Zone": "ap-guangzhou-3"}]}),
            "InvalidParameterValue.NodeNotFoundInReplica",
        ),
        (
            json!({"RemoveNodeList": [{"Role": "SECONDARY", "NodeName": "cmgo-demo0001_0-node-primary",
                                    "Zone": "ap-guangzhou-3"}]}),
            "InvalidParameterValue",
        ),
        (
            json!({"RemoveNodeList": [{"Role": "SECONDARY", "NodeName": "cmgo-demo0001_0-node-slave0",
                                    "Zone": "ap-guangzhou-3"}]}),
            "InvalidParameterValue.SecondaryNumError",
        ),
        (
            json!({"NodeNum": 4, "AddNodeList": [{"Role": "SECONDARY", "Zone": "ap-guangzhou-3"},
                                             {"Role": "SECONDARY", "Zone": "ap-guangzhou-3"}]}),
            "InvalidParameterValue",
        ),
        (
            json!({"ModifyShardList": [{"ReplicaSetId": "cmgo-demo0001_0", "Cpu": 4, "Memory": 8,
                                     "Volume": 200}]}),
            "InvalidParameterValue.ClusterTypeError",
        ),
    ];
    for (change, want) in cases {
        let mut p = change.clone();
        p["InstanceId"] = json!(DEMO);
        let (code, msg) = api.err("ModifyDBInstanceSpec", p);
        assert_eq!(code, want, "{change}: {msg}");
    }
    let (code, msg) = api.err(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": "cmgo-nope0001", "Memory": 8}),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance", "{msg}");
    assert_eq!(detail(&api, DEMO)["Status"], 2, "nothing started");

    // A disk may shrink only while it stays 1.2 times above what is used.
    let big = api.ok(
        "CreateDBInstanceHour",
        json!({"Memory": 4, "Volume": 500, "ReplicateSetNum": 1, "NodeNum": 3, "GoodsNum": 1,
               "MongoVersion": "MONGO_44_WT", "MachineCode": "GE.LD.T2", "ClusterType": "REPLSET",
               "Zone": "ap-guangzhou-3"}),
    );
    deal_statuses(&api, &big["DealId"]);
    let id = big["InstanceIds"][0].as_str().unwrap();
    let (code, msg) = api.err(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": id, "Volume": 40}),
    );
    assert_eq!(code, "InvalidParameterValue.SetDiskLessThanUsed");
    assert!(msg.contains("60 GB"), "{msg}");
    api.ok(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": id, "Volume": 60}),
    );

    assert!(h.set_instance_status(DEMO, -3));
    let (code, _) = api.err(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": DEMO, "Memory": 8, "Volume": 200}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}

#[test]
fn a_failed_spec_deal_changes_nothing() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    h.inject_times("ModifyDBInstanceSpec", Fault::EndAs(EndAs::Failed), 1);
    let r = api.ok(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": DEMO, "Memory": 8, "Volume": 200}),
    );
    assert_eq!(deal_statuses(&api, &r["DealId"]), [2, 3, 5]);
    let d = detail(&api, DEMO);
    assert_eq!((&d["Status"], &d["Memory"]), (&json!(2), &json!(4096)));
}

#[test]
fn single_shards_take_their_own_size_until_the_whole_instance_changes() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let shard = |id: &str, cpu: u64, memory: u64, volume: u64| json!({"ReplicaSetId": id, "Cpu": cpu, "Memory": memory, "Volume": volume});
    let errors = [
        (
            json!([shard("cmgo-demo0002_7", 8, 16, 500)]),
            "InvalidParameterValue.ReplicaNotFound",
        ),
        (
            json!([{"ReplicaSetId": "cmgo-demo0002_1", "Memory": 16, "Volume": 500}]),
            "InvalidParameterValue",
        ),
        (
            json!([
                shard("cmgo-demo0002_0", 8, 32, 500),
                shard("cmgo-demo0002_1", 4, 16, 500)
            ]),
            "InvalidParameterValue",
        ),
        (
            json!([shard("cmgo-demo0002_1", 8, 64, 500)]),
            "InvalidParameterValue.SpecNotOnSale",
        ),
        (
            json!([shard("cmgo-demo0002_1", 4, 8, 250)]),
            "InvalidParameterValue",
        ),
    ];
    for (list, want) in errors {
        let (code, msg) = api.err(
            "ModifyDBInstanceSpec",
            json!({"InstanceId": SHARDED, "ModifyShardList": list}),
        );
        assert_eq!(code, want, "{list}: {msg}");
    }
    let (code, _) = api.err(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": SHARDED, "Memory": 16, "ModifyShardList": [shard("cmgo-demo0002_1", 8, 32, 500)]}),
    );
    assert_eq!(
        code, "InvalidParameterValue",
        "exclusive with the whole-instance members"
    );

    let r = api.ok(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": SHARDED, "ModifyShardList": [shard("cmgo-demo0002_1", 8, 32, 500)]}),
    );
    let d = api.ok("DescribeDBInstanceDeal", json!({ "DealId": r["DealId"] }));
    assert_eq!(d["Action"], "upgrade");
    assert!(d["OriginalPrice"].as_f64().unwrap() > 0.0);
    deal_statuses(&api, &r["DealId"]);
    let sets = detail(&api, SHARDED)["ReplicaSets"].clone();
    assert_eq!(
        (&sets[0]["Memory"], &sets[0]["Volume"]),
        (&json!(8192), &json!(256_000))
    );
    assert_eq!(
        (&sets[1]["Memory"], &sets[1]["Volume"]),
        (&json!(32_768), &json!(512_000))
    );

    let r = api.ok(
        "ModifyDBInstanceSpec",
        json!({"InstanceId": SHARDED, "Memory": 16, "Volume": 300}),
    );
    deal_statuses(&api, &r["DealId"]);
    let sets = detail(&api, SHARDED)["ReplicaSets"].clone();
    for s in sets.as_array().unwrap() {
        assert_eq!(
            (&s["Memory"], &s["Volume"]),
            (&json!(16_384), &json!(307_200))
        );
    }
}

#[test]
fn node_lists_add_and_remove_nodes_on_every_shard() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let add = json!({"InstanceId": SHARDED, "AddNodeList": [
        {"Role": "READONLY", "Zone": "ap-guangzhou-3"}, {"Role": "MONGOS", "Zone": "ap-guangzhou-3"}]});
    let r = api.ok("ModifyDBInstanceSpec", add);
    deal_statuses(&api, &r["DealId"]);
    let d = detail(&api, SHARDED);
    assert_eq!(
        (&d["ReadonlyNodeNum"], &d["MongosNodeNum"]),
        (&json!(1), &json!(4))
    );
    let readonly = nodes(&api, SHARDED, json!({"Roles": ["READONLY"]}));
    assert_eq!(
        node_names(&readonly),
        [
            "cmgo-demo0002_0-node-readonly0",
            "cmgo-demo0002_1-node-readonly0"
        ]
    );
    assert_eq!(readonly["ReplicateSets"][0]["Nodes"][0]["Votes"], 0);

    let remove = json!({"InstanceId": SHARDED, "RemoveNodeList": [
        {"Role": "READONLY", "NodeName": "cmgo-demo0002_0-node-readonly0", "Zone": "ap-guangzhou-3"}]});
    let r = api.ok("ModifyDBInstanceSpec", remove);
    deal_statuses(&api, &r["DealId"]);
    assert_eq!(detail(&api, SHARDED)["ReadonlyNodeNum"], 0);
    let all = nodes(&api, SHARDED, json!({}));
    assert!(!node_names(&all).iter().any(|n| n.contains("readonly")));
    assert_eq!(all["Mongos"].as_array().unwrap().len(), 4);
}
