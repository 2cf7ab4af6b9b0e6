//! Instance configuration over the wire, parameters and templates: parameters
//! held to the table of their engine version and cluster type (changed at
//! once or in the maintenance window), parameter templates (the service's
//! defaults and the account's own); each write shows in the reads, each
//! refusal has its documented code. Security groups, SSL and encryption are
//! in `config_security.rs`.

mod common;

use common::{builder, now, Api};
use mongodb_emulator::InstanceSpec;
use serde_json::{json, Value};
use tc_sign::HttpMethod;

const RS: &str = "cmgo-demo0001"; // MONGO_40_WT replica set
const SHARDED: &str = "cmgo-demo0002"; // MONGO_42_WT sharded cluster

/// Every parameter of an answer's four lists (either spelling of their names).
fn all_params(r: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for list in ["Enum", "Integer", "Text", "Multi"] {
        for name in [
            format!("Instance{list}Param"),
            format!("Instance{list}Params"),
        ] {
            if let Some(items) = r[&name].as_array() {
                out.extend(items.iter().cloned());
            }
        }
    }
    out
}

fn param(r: &Value, name: &str) -> Value {
    all_params(r)
        .into_iter()
        .find(|p| p["ParamName"] == name)
        .unwrap_or_else(|| panic!("no {name} in {r}"))
}

fn names(r: &Value) -> Vec<String> {
    all_params(r)
        .iter()
        .map(|p| p["ParamName"].as_str().unwrap().to_owned())
        .collect()
}

fn modify(api: &Api, id: &str, key: &str, value: &str) -> (String, String) {
    api.err(
        "ModifyInstanceParams",
        json!({"InstanceId": id, "InstanceParams": [{"Key": key, "Value": value}]}),
    )
}

#[test]
fn parameters_follow_the_engine_version_and_cluster_type() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let rs = api.ok("DescribeInstanceParams", json!({ "InstanceId": RS }));
    let rs_names = names(&rs);
    assert_eq!(rs["TotalCount"], rs_names.len());
    assert!(rs_names.contains(&"setParameter.failIndexKeyTooLong".to_owned()));
    assert!(rs_names.contains(&"setParameter.internalQueryExecMaxBlockingSortBytes".to_owned()));
    assert!(
        !rs_names.contains(&"balance.window".to_owned()),
        "shards only"
    );
    let slow = param(&rs, "operation.profiling.slowOpThresholdMs");
    assert_eq!(
        (
            &slow["CurrentValue"],
            &slow["DefaultValue"],
            &slow["Min"],
            &slow["Max"]
        ),
        (&json!("100"), &json!("100"), &json!("0"), &json!("65536"))
    );
    assert_eq!(
        (&slow["ValueType"], &slow["Status"]),
        (&json!("integer"), &json!(1))
    );
    let compressor = param(&rs, "storage.wiredTiger.collectionConfig.blockCompressor");
    assert_eq!(compressor["NeedRestart"], "1", "a restart applies it");
    assert!(
        !compressor["EnumValue"]
            .as_array()
            .unwrap()
            .contains(&json!("zstd")),
        "4.0"
    );

    let sharded = api.ok("DescribeInstanceParams", json!({ "InstanceId": SHARDED }));
    let window = param(&sharded, "balance.window");
    assert_eq!(window["ValueType"], "multi");
    let compressor = param(
        &sharded,
        "storage.wiredTiger.collectionConfig.blockCompressor",
    );
    assert!(
        compressor["EnumValue"]
            .as_array()
            .unwrap()
            .contains(&json!("zstd")),
        "4.2"
    );

    h.add_instance(InstanceSpec::replica_set("cmgo-new00050").with_mongo_version("MONGO_50_WT"))
        .unwrap();
    let v50 = api.ok(
        "DescribeInstanceParams",
        json!({ "InstanceId": "cmgo-new00050" }),
    );
    assert_eq!(v50["TotalCount"], 7);
    assert!(names(&v50)
        .contains(&"setParameter.internalQueryMaxBlockingSortMemoryUsageBytes".to_owned()));
    let (code, _) = api.err(
        "DescribeInstanceParams",
        json!({ "InstanceId": "cmgo-none0000" }),
    );
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
}

#[test]
fn a_changed_parameter_shows_in_reads_and_bad_values_are_refused() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let r = api.ok(
        "ModifyInstanceParams",
        json!({"InstanceId": RS, "InstanceParams": [
            {"Key": "operation.profiling.slowOpThresholdMs", "Value": "250"},
            {"Key": "operationProfiling.mode", "Value": "slowOp"}]}),
    );
    assert_eq!(r["Changed"], true);
    let task = r["TaskId"].as_u64().unwrap();
    assert!(task > 0);
    assert_eq!(
        common::wait_async(&api, &task.to_string()).last().unwrap(),
        "success"
    );
    let read = api.ok("DescribeInstanceParams", json!({ "InstanceId": RS }));
    let slow = param(&read, "operation.profiling.slowOpThresholdMs");
    assert_eq!(
        (&slow["CurrentValue"], &slow["Status"]),
        (&json!("250"), &json!(1))
    );
    assert_eq!(
        param(&read, "operationProfiling.mode")["CurrentValue"],
        "slowOp"
    );
    let other = api.ok("DescribeInstanceParams", json!({ "InstanceId": SHARDED }));
    assert_eq!(
        param(&other, "operationProfiling.mode")["CurrentValue"],
        "off"
    );

    let (code, msg) = modify(&api, RS, "operation.profiling.slowOpThresholdMs", "70000");
    assert_eq!(code, "InvalidParameterValue.ModifyMongodbParams");
    assert!(msg.contains("0 to 65536") && msg.contains("70000"), "{msg}");
    let (code, msg) = modify(&api, RS, "operationProfiling.mode", "sometimes");
    assert_eq!(code, "InvalidParameterValue.ModifyMongodbParams");
    assert!(msg.contains("off, slowOp, all"), "{msg}");
    let (code, _) = modify(
        &api,
        RS,
        "storage.wiredTiger.collectionConfig.blockCompressor",
        "zstd",
    );
    assert_eq!(
        code, "InvalidParameterValue.ModifyMongodbParams",
        "no zstd on 4.0"
    );
    let (code, msg) = modify(&api, RS, "balance.window", "01:00-03:00");
    assert_eq!(
        code,
        "InvalidParameter.CurrentInstanceNotSupportModifyParams"
    );
    assert!(msg.contains(RS) && msg.contains("replica set"), "{msg}");
    let (code, msg) = modify(&api, RS, "net.notAParameter", "1");
    assert_eq!(code, "InvalidParameter.ModifyMongodbParams");
    assert!(msg.contains("net.notAParameter"), "{msg}");
    let (code, _) = modify(&api, "cmgo-none0000", "operationProfiling.mode", "all");
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
    let (code, msg) = api.err(
        "ModifyInstanceParams",
        json!({"InstanceId": RS, "ModifyType": "SOMEDAY",
               "InstanceParams": [{"Key": "operationProfiling.mode", "Value": "all"}]}),
    );
    assert_eq!(code, "InvalidParameterValue.ModifyModeError");
    assert!(msg.contains("SOMEDAY"));
    let (code, _) = api.err(
        "ModifyInstanceParams",
        json!({"InstanceId": RS, "InstanceParams": []}),
    );
    assert_eq!(code, "InvalidParameterValue");

    // A request with one bad value changes nothing.
    let (code, _) = api.err(
        "ModifyInstanceParams",
        json!({"InstanceId": RS, "InstanceParams": [
            {"Key": "operationProfiling.mode", "Value": "all"},
            {"Key": "setParameter.transactionLifetimeLimitSeconds", "Value": "4"}]}),
    );
    assert_eq!(code, "InvalidParameterValue.ModifyMongodbParams");
    let read = api.ok("DescribeInstanceParams", json!({ "InstanceId": RS }));
    assert_eq!(
        param(&read, "operationProfiling.mode")["CurrentValue"],
        "slowOp"
    );

    // An isolated instance takes no change, but can still be read.
    assert!(h.set_instance_status(RS, -3));
    let (code, msg) = modify(&api, RS, "operationProfiling.mode", "all");
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
    assert!(msg.contains(RS), "{msg}");
    api.ok("DescribeInstanceParams", json!({ "InstanceId": RS }));
}

/// POSTs with a signature made on the emulator's clock, `offset` seconds ahead.
fn ok_at(api: &Api, offset: i64, action: &str, params: Value) -> Value {
    let mut r = api.req(
        HttpMethod::Post,
        action,
        serde_json::to_vec(&params).unwrap(),
    );
    r.timestamp = now() + offset;
    let a = api.send(&r);
    let resp = a.response();
    assert!(resp.get("Error").is_none(), "{action}: {resp}");
    resp
}

#[test]
fn delayed_changes_take_effect_in_the_maintenance_window() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    api.ok(
        "ModifyInstanceParams",
        json!({"InstanceId": RS, "ModifyType": "DELAY", "InstanceParams": [
            {"Key": "setParameter.cursorTimeoutMillis", "Value": "300000"}]}),
    );
    let read = api.ok("DescribeInstanceParams", json!({ "InstanceId": RS }));
    let cursor = param(&read, "setParameter.cursorTimeoutMillis");
    assert_eq!(
        (&cursor["CurrentValue"], &cursor["Status"]),
        (&json!("300000"), &json!(0))
    );
    // The window (04:00 every day, UTC+8) comes within a day.
    let offset = h.advance_clock_secs(86_400 + 60);
    let read = ok_at(
        &api,
        offset,
        "DescribeInstanceParams",
        json!({ "InstanceId": RS }),
    );
    let cursor = param(&read, "setParameter.cursorTimeoutMillis");
    assert_eq!(
        (&cursor["CurrentValue"], &cursor["Status"]),
        (&json!("300000"), &json!(1))
    );
}

fn templates(api: &Api, filter: Value) -> Vec<Value> {
    let r = api.ok("DescribeDBInstanceParamTpl", filter);
    let list = r["ParamTpls"].as_array().unwrap().clone();
    assert_eq!(r["TotalCount"], list.len());
    list
}

#[test]
fn templates_default_and_custom() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let defaults = templates(&api, json!({ "TplType": "DEFAULT" }));
    assert_eq!(
        defaults.len(),
        10,
        "5 versions on sale, replica sets and shards"
    );
    assert!(defaults.iter().all(|t| t["TplType"] == "DEFAULT"));
    assert_eq!(templates(&api, json!({ "TplType": "CUSTOMIZE" })).len(), 0);
    let default_42_shard = defaults
        .iter()
        .find(|t| t["MongoVersion"] == "MONGO_42_WT" && t["ClusterType"] == "SHARD")
        .unwrap()["TplId"]
        .clone();
    let detail = api.ok(
        "DescribeDBInstanceParamTplDetail",
        json!({ "TplId": default_42_shard }),
    );
    assert_eq!(detail["TotalCount"], all_params(&detail).len());
    assert!(names(&detail).contains(&"balance.window".to_owned()));
    let one = api.ok(
        "DescribeDBInstanceParamTplDetail",
        json!({"TplId": default_42_shard, "ParamName": "operationProfiling.mode"}),
    );
    assert_eq!(
        (one["TotalCount"].as_i64(), one["TplName"].as_str()),
        (Some(1), Some("default parameter template"))
    );
    let (code, _) = api.err(
        "DescribeDBInstanceParamTplDetail",
        json!({"TplId": default_42_shard, "ParamName": "net.nothing"}),
    );
    assert_eq!(code, "InvalidParameterValue");

    // A copy of the default template, changed.
    let copy = api.ok(
        "CreateDBInstanceParamTpl",
        json!({"TplName": "busy shards", "MirrorTplId": default_42_shard, "TplDesc": "for busy days",
               "Params": [{"Key": "balance.window", "Value": "01:00-05:00"}]}),
    )["TplId"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = templates(&api, json!({ "TplIds": [copy] }));
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            &listed[0]["TplType"],
            &listed[0]["MongoVersion"],
            &listed[0]["ClusterType"],
            &listed[0]["TplDesc"]
        ),
        (
            &json!("CUSTOMIZE"),
            &json!("MONGO_42_WT"),
            &json!("SHARD"),
            &json!("for busy days")
        )
    );
    let detail = api.ok("DescribeDBInstanceParamTplDetail", json!({ "TplId": copy }));
    assert_eq!(
        param(&detail, "balance.window")["CurrentValue"],
        "01:00-05:00"
    );
    assert_eq!(detail["TplName"], "busy shards");

    // Changed and renamed; a name is used once.
    api.ok(
        "ModifyDBInstanceParamTpl",
        json!({"TplId": copy, "TplName": "quiet shards",
               "Params": [{"Key": "operationProfiling.mode", "Value": "all"}]}),
    );
    let detail = api.ok("DescribeDBInstanceParamTplDetail", json!({ "TplId": copy }));
    assert_eq!(detail["TplName"], "quiet shards");
    assert_eq!(
        param(&detail, "operationProfiling.mode")["CurrentValue"],
        "all"
    );
    assert_eq!(
        param(&detail, "balance.window")["CurrentValue"],
        "01:00-05:00",
        "kept"
    );
    assert_eq!(
        templates(&api, json!({ "TplNames": ["quiet shards"] })).len(),
        1
    );
    let (code, msg) = api.err(
        "CreateDBInstanceParamTpl",
        json!({"TplName": "quiet shards", "MongoVersion": "MONGO_44_WT", "ClusterType": "REPLSET"}),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("quiet shards"));
    let (code, _) = api.err(
        "ModifyDBInstanceParamTpl",
        json!({"TplId": copy, "Params": [{"Key": "operationProfiling.mode", "Value": "most"}]}),
    );
    assert_eq!(code, "InvalidParameterValue.ModifyMongodbParams");

    // The service's templates can't be changed or dropped.
    for action in ["ModifyDBInstanceParamTpl", "DropDBInstanceParamTpl"] {
        let (code, msg) = api.err(action, json!({ "TplId": default_42_shard }));
        assert_eq!(code, "InvalidParameter", "{action}");
        assert!(msg.contains("MirrorTplId"), "{msg}");
    }

    // Templates are kept per region; the defaults are everywhere.
    let shanghai = Api::in_region(&h, "ap-shanghai");
    assert_eq!(templates(&shanghai, json!({ "TplIds": [copy] })).len(), 0);
    assert_eq!(
        templates(&shanghai, json!({ "TplIds": [default_42_shard] })).len(),
        1
    );

    // Dropped: gone from the list and from every read.
    api.ok("DropDBInstanceParamTpl", json!({ "TplId": copy }));
    assert_eq!(templates(&api, json!({ "TplType": "CUSTOMIZE" })).len(), 0);
    for action in ["DescribeDBInstanceParamTplDetail", "DropDBInstanceParamTpl"] {
        let (code, msg) = api.err(action, json!({ "TplId": copy }));
        assert_eq!(code, "InvalidParameterValue", "{action}");
        assert!(msg.contains(&copy));
    }
}

#[test]
fn new_templates_are_checked_against_their_version_and_cluster_type() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let create = |extra: Value| {
        let mut p =
            json!({"TplName": "t", "MongoVersion": "MONGO_50_WT", "ClusterType": "REPLSET"});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let cases = [
        (json!({"MongoVersion": null}), "MissingParameter"),
        (json!({"ClusterType": null}), "MissingParameter"),
        (
            json!({"MongoVersion": "MONGO_26_MMAP"}),
            "InvalidParameterValue.MongoVersionError",
        ),
        (
            json!({"ClusterType": "STANDALONE"}),
            "InvalidParameterValue.ClusterTypeError",
        ),
        (
            json!({"MirrorTplId": "tpl-nothing00"}),
            "InvalidParameterValue",
        ),
        (json!({"TplName": " "}), "InvalidParameterValue"),
        (
            json!({"Params": [{"Key": "setParameter.failIndexKeyTooLong", "Value": "true"}]}),
            "InvalidParameter.CurrentInstanceNotSupportModifyParams",
        ),
        (
            json!({"Params": [{"Key": "setParameter.transactionLifetimeLimitSeconds", "Value": "301"}]}),
            "InvalidParameterValue.ModifyMongodbParams",
        ),
    ];
    for (extra, want) in cases {
        let mut params = create(extra.clone());
        params.as_object_mut().unwrap().retain(|_, v| !v.is_null());
        let (code, msg) = api.err("CreateDBInstanceParamTpl", params);
        assert_eq!(code, want, "{extra}: {msg}");
    }
    let (code, _) = api.err("DescribeDBInstanceParamTpl", json!({ "TplType": "MINE" }));
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(
        templates(&api, json!({ "TplType": "CUSTOMIZE" })).len(),
        0,
        "nothing made"
    );
    // With no Params the new template holds the defaults.
    let id = api.ok("CreateDBInstanceParamTpl", create(json!({})))["TplId"].clone();
    let detail = api.ok("DescribeDBInstanceParamTplDetail", json!({ "TplId": id }));
    assert_eq!(detail["TotalCount"], 7);
    assert!(all_params(&detail)
        .iter()
        .all(|p| p["CurrentValue"] == p["DefaultValue"]));
}
