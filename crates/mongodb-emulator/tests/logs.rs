//! Logs over the wire (reads): slow logs page, count and aggregate
//! consistently and are the same in every emulator; the error log and the
//! detailed slow logs filter; each documented rule gets its code; client
//! connections, current operations (and `KillOps`) and namespaces agree with
//! each other. Download tasks and audit files are in `log_files.rs`.

mod common;

use std::collections::BTreeMap;

use common::{at_fixed_time, builder, Api};
use mongodb_emulator::InstanceSpec;
use serde_json::{json, Value};

const DEMO: &str = "cmgo-demo0001";

/// `YYYY-MM-DD HH:MM:SS` (UTC+8), `minutes` ago on the emulator's clock (the
/// machine's: no offset is set).
fn ago(minutes: i64) -> String {
    let t = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
        - time::Duration::minutes(minutes);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .unwrap()
}

/// A past hour: its logs no longer change.
fn past_hour(instance: &str) -> Value {
    json!({"InstanceId": instance, "StartTime": ago(180), "EndTime": ago(120), "SlowMS": 100})
}

fn with(mut v: Value, extra: Value) -> Value {
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// `(db.collection.command, duration)` of a native slow log line.
fn parse_line(line: &str) -> (String, u64) {
    let after = line.split(" command ").nth(1).expect("a command line");
    let ns = after.split(' ').next().unwrap();
    let cmd = after
        .split("command: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let ms = line.rsplit(' ').next().unwrap().trim_end_matches("ms");
    (format!("{ns}.{cmd}"), ms.parse().unwrap())
}

#[test]
fn slow_logs_page_count_and_aggregate_consistently() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let window = with(past_hour(DEMO), json!({"Limit": 100}));
    let all = api.ok("DescribeSlowLogs", window.clone());
    let count = all["Count"].as_u64().unwrap();
    let lines = strings(&all["SlowLogs"]);
    assert!(count > 20 && count <= 100, "{count}");
    assert_eq!(lines.len() as u64, count);

    // Pages of 7 give the same lines, in the same order.
    let mut paged = Vec::new();
    for offset in (0..count).step_by(7) {
        let page = api.ok(
            "DescribeSlowLogs",
            with(window.clone(), json!({"Limit": 7, "Offset": offset})),
        );
        assert_eq!(page["Count"], count);
        paged.extend(strings(&page["SlowLogs"]));
    }
    assert_eq!(paged, lines);

    // A higher threshold keeps exactly the slower lines.
    let slower = api.ok(
        "DescribeSlowLogs",
        with(window.clone(), json!({"SlowMS": 400})),
    );
    let kept: Vec<&String> = lines.iter().filter(|l| parse_line(l).1 >= 400).collect();
    assert_eq!(slower["Count"], kept.len());
    assert!(kept.len() < lines.len());

    // The statistics are those of the lines.
    let mut expect: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for l in &lines {
        let (pattern, ms) = parse_line(l);
        let hash = l
            .split("queryHash:")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        let e = expect.entry(format!("{pattern} {hash}")).or_default();
        *e = (e.0 + 1, e.1.max(ms), e.2 + ms);
    }
    let stats = api.ok("DescribeSlowLogPatterns", window.clone());
    assert_eq!(stats["Count"], expect.len());
    for p in stats["SlowLogPatterns"].as_array().unwrap() {
        let key = format!(
            "{} {}",
            p["Pattern"].as_str().unwrap(),
            p["QueryHash"].as_str().unwrap()
        );
        let (n, max, sum) = expect[&key];
        assert_eq!(
            (p["Total"].as_u64().unwrap(), p["MaxTime"].as_u64().unwrap()),
            (n, max)
        );
        assert_eq!(p["AverageTime"], sum / n, "{key}");
    }

    // Another emulator, the same period: the same lines.
    let other = builder().start().unwrap();
    let again = Api::new(&other).ok("DescribeSlowLogs", window);
    assert_eq!(strings(&again["SlowLogs"]), lines);
}

#[test]
fn json_slow_logs_need_mongodb_4_4() {
    let h = builder()
        .instance(InstanceSpec::replica_set("cmgo-new44").with_mongo_version("MONGO_44_WT"))
        .start()
        .unwrap();
    let api = Api::new(&h);
    let r = api.ok(
        "DescribeSlowLogs",
        with(
            past_hour("cmgo-new44"),
            json!({"Format": "json", "Limit": 5}),
        ),
    );
    for line in strings(&r["SlowLogs"]) {
        let v: Value = serde_json::from_str(&line).expect("a JSON line");
        assert_eq!(v["msg"], "Slow query");
        assert!(v["attr"]["durationMillis"].as_u64().unwrap() >= 100);
        assert!(v["attr"]["ns"].as_str().unwrap().contains('.'));
    }
    let (code, msg) = api.err(
        "DescribeSlowLogs",
        with(past_hour(DEMO), json!({"Format": "json"})),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains("Format") && msg.contains("4.4"), "{msg}");
}

#[test]
fn slow_log_rules_have_their_codes() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let cases = [
        (
            json!({"SlowMS": 99}),
            "InvalidParameterValue.SlowMSBelowLimit",
        ),
        (
            json!({"StartTime": ago(60), "EndTime": ago(60)}),
            "InvalidParameterValue.StartTimeNotBeforeThanEndTime",
        ),
        (
            json!({"StartTime": ago(26 * 60), "EndTime": ago(60)}),
            "InvalidParameterValue.QueryTimeRangeBeyondLimit",
        ),
        (
            json!({"StartTime": ago(8 * 24 * 60), "EndTime": ago(8 * 24 * 60 - 60)}),
            "InvalidParameterValue.QueryTimeOutOfRange",
        ),
        (
            json!({"StartTime": "today"}),
            "InvalidParameterValue.TimeFormatErr",
        ),
        (json!({"Offset": 10_001}), "InvalidParameterValue"),
        (json!({"Limit": 101}), "InvalidParameterValue"),
        (
            json!({"InstanceId": "cmgo-nothere"}),
            "InvalidParameterValue.NotFoundInstance",
        ),
    ];
    for (extra, want) in cases {
        for action in ["DescribeSlowLogs", "DescribeSlowLogPatterns"] {
            let (code, msg) = api.err(action, with(past_hour(DEMO), extra.clone()));
            assert_eq!(code, want, "{action} {extra}: {msg}");
        }
    }
    let detailed = json!({"InstanceId": DEMO, "StartTime": ago(180), "EndTime": ago(120)});
    for (extra, want) in [
        (
            json!({"ExecTime": 50}),
            "InvalidParameterValue.SlowMSBelowLimit",
        ),
        (
            json!({"Limit": 10_001}),
            "InvalidParameterValue.LimitParaOutOfRange",
        ),
        (
            json!({"Offset": -1}),
            "InvalidParameterValue.OffsetParaOutOfRange",
        ),
        (
            json!({"EndTime": "2024-13-40 00:00:00"}),
            "InvalidParameterValue.TimeFormatErr",
        ),
        (
            json!({"NodeNames": ["cmgo-demo0001_0"]}),
            "InvalidParameterValue",
        ),
        (json!({"OrderBy": "Size"}), "InvalidParameterValue"),
    ] {
        let (code, msg) = api.err(
            "DescribeDetailedSlowLogs",
            with(detailed.clone(), extra.clone()),
        );
        assert_eq!(code, want, "{extra}: {msg}");
    }
}

#[test]
fn detailed_slow_logs_filter_and_sort() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let id = "cmgo-demo0002"; // sharded: nodes of two shards and mongos
    let base = json!({"InstanceId": id, "StartTime": ago(180), "EndTime": ago(120), "Limit": 500});
    let plain = api.ok("DescribeSlowLogs", with(past_hour(id), json!({"Limit": 1})));
    let all = api.ok("DescribeDetailedSlowLogs", base.clone());
    let items = all["DetailedSlowLogs"].as_array().unwrap().clone();
    assert_eq!(all["TotalCount"], plain["Count"]);
    assert_eq!(items.len() as u64, plain["Count"].as_u64().unwrap());
    // Newest first by default.
    let times: Vec<&str> = items
        .iter()
        .map(|i| &i["Log"].as_str().unwrap()[..23])
        .collect();
    assert_ne!(times.first(), times.last());

    let node = items[0]["NodeName"].as_str().unwrap();
    let on_node = api.ok(
        "DescribeDetailedSlowLogs",
        with(base.clone(), json!({"NodeNames": [node]})),
    );
    let on_node = on_node["DetailedSlowLogs"].as_array().unwrap();
    assert!(!on_node.is_empty() && on_node.len() < items.len());
    assert!(on_node.iter().all(|i| i["NodeName"] == node));

    let hash = items[0]["QueryHash"].as_str().unwrap();
    let by_hash = api.ok(
        "DescribeDetailedSlowLogs",
        with(base.clone(), json!({"QueryHash": [hash]})),
    );
    let by_hash = by_hash["DetailedSlowLogs"].as_array().unwrap();
    assert!(by_hash.iter().all(|i| i["QueryHash"] == hash));
    assert_eq!(
        by_hash.len(),
        items.iter().filter(|i| i["QueryHash"] == hash).count()
    );

    let (command, _) = parse_line(items[0]["Log"].as_str().unwrap());
    let command = command.rsplit('.').next().unwrap().to_owned();
    let by_command = api.ok(
        "DescribeDetailedSlowLogs",
        with(
            base.clone(),
            json!({"Commands": [command], "OrderBy": "ExecTime", "OrderByType": "desc"}),
        ),
    );
    let by_command = by_command["DetailedSlowLogs"].as_array().unwrap();
    let durations: Vec<u64> = by_command
        .iter()
        .map(|i| parse_line(i["Log"].as_str().unwrap()).1)
        .collect();
    assert!(durations.windows(2).all(|w| w[0] >= w[1]), "{durations:?}");
    assert!(by_command.iter().all(|i| i["Log"]
        .as_str()
        .unwrap()
        .contains(&format!("command: {command} "))));

    let slow = api.ok(
        "DescribeDetailedSlowLogs",
        with(base.clone(), json!({"ExecTime": 1000})),
    );
    let slow = slow["DetailedSlowLogs"].as_array().unwrap();
    assert!(slow
        .iter()
        .all(|i| parse_line(i["Log"].as_str().unwrap()).1 >= 1000));
    let text = api.ok(
        "DescribeDetailedSlowLogs",
        with(base, json!({"Texts": ["COLLSCAN", "nomatch-xyz"]})),
    );
    let text = text["DetailedSlowLogs"].as_array().unwrap();
    assert!(!text.is_empty());
    assert!(text
        .iter()
        .all(|i| i["Log"].as_str().unwrap().contains("COLLSCAN")));
}

#[test]
fn the_error_log_filters_and_pages() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let base =
        json!({"InstanceId": DEMO, "StartTime": ago(12 * 60), "EndTime": ago(60), "Limit": 100});
    let first = api.ok("DescribeMongodbLogs", base.clone());
    let total = first["TotalCount"].as_u64().unwrap();
    assert!(total > 100, "{total}");
    let mut seen = Vec::new();
    for offset in (0..total).step_by(100) {
        let page = api.ok(
            "DescribeMongodbLogs",
            with(base.clone(), json!({"Offset": offset})),
        );
        seen.extend(page["LogList"].as_array().unwrap().clone());
    }
    assert_eq!(seen.len() as u64, total);
    let errors = seen.iter().filter(|l| l["LogLevel"] == "ERROR").count();
    let only = api.ok(
        "DescribeMongodbLogs",
        with(
            base.clone(),
            json!({"LogLevels": ["ERROR"], "LogComponents": ["REPL", "QUERY", "NETWORK"]}),
        ),
    );
    let only_list = only["LogList"].as_array().unwrap();
    assert!(only_list.iter().all(|l| l["LogLevel"] == "ERROR"));
    assert!(only["TotalCount"].as_u64().unwrap() <= errors as u64);
    let conn = seen
        .iter()
        .find(|l| l["LogConnection"].as_str().unwrap().starts_with("conn"))
        .unwrap();
    let by_conn = api.ok(
        "DescribeMongodbLogs",
        with(
            base.clone(),
            json!({"LogConnections": [conn["LogConnection"]], "LogIds": [conn["LogId"]]}),
        ),
    );
    assert!(by_conn["LogList"].as_array().unwrap().contains(conn));
    let (code, _) = api.err(
        "DescribeMongodbLogs",
        with(base, json!({"StartTime": ago(8 * 24 * 60)})),
    );
    assert_eq!(code, "InvalidParameterValue.QueryTimeOutOfRange");
}

#[test]
fn connections_operations_and_namespaces_agree() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let all = api.ok("DescribeClientConnections", json!({"InstanceId": DEMO}));
    let clients = all["Clients"].as_array().unwrap().clone();
    assert_eq!(all["TotalCount"], clients.len());
    assert!(clients.iter().any(|c| c["InternalService"] == true));
    let page = api.ok(
        "DescribeClientConnections",
        json!({"InstanceId": DEMO, "Limit": 2, "Offset": 1}),
    );
    assert_eq!(page["Clients"].as_array().unwrap()[..], clients[1..3]);
    assert_eq!(page["TotalCount"], clients.len());
    let (code, _) = api.err(
        "DescribeClientConnections",
        json!({"InstanceId": DEMO, "Limit": 1001}),
    );
    assert_eq!(code, "InvalidParameterValue");

    let dbs = api.ok("DescribeDBInstanceNamespace", json!({"InstanceId": DEMO}));
    let databases = strings(&dbs["Databases"]);
    assert!(databases.len() >= 2 && dbs.get("Collections").is_none());
    let mut namespaces = Vec::new();
    for db in &databases {
        let r = api.ok(
            "DescribeDBInstanceNamespace",
            json!({"InstanceId": DEMO, "DbName": db}),
        );
        namespaces.extend(
            strings(&r["Collections"])
                .into_iter()
                .map(|c| format!("{db}.{c}")),
        );
    }
    let (code, msg) = api.err(
        "DescribeDBInstanceNamespace",
        json!({"InstanceId": DEMO, "DbName": "nope"}),
    );
    assert_eq!(code, "InvalidParameter");
    assert!(msg.contains(&databases[0]), "{msg}");

    // Operations and slow logs run on those collections, from those clients.
    let ops = api.ok("DescribeCurrentOp", json!({"InstanceId": DEMO}));
    let list = ops["CurrentOps"].as_array().unwrap();
    assert_eq!(ops["TotalCount"], list.len());
    for op in list.iter().filter(|o| o["Op"] != "none") {
        assert!(
            namespaces.contains(&op["Ns"].as_str().unwrap().to_owned()),
            "{op}"
        );
        let detail: Value = serde_json::from_str(op["Operation"].as_str().unwrap()).unwrap();
        let client = detail["client"]
            .as_str()
            .unwrap()
            .split(':')
            .next()
            .unwrap();
        assert!(clients.iter().any(|c| c["IP"] == client));
    }
    let slow = api.ok("DescribeSlowLogs", past_hour(DEMO));
    for line in strings(&slow["SlowLogs"]) {
        let (pattern, _) = parse_line(&line);
        let ns = pattern.rsplit_once('.').unwrap().0;
        assert!(namespaces.contains(&ns.to_owned()), "{line}");
    }
}

#[test]
fn current_ops_filter_and_killed_ones_are_gone() {
    // What runs depends on the emulator's clock: fix it at a moment when seven operations
    // run on cmgo-demo0002, none of them starting or ending within half a minute.
    let offset = at_fixed_time(1_750_000_000);
    let h = builder().clock_offset_secs(offset).start().unwrap();
    let api = Api::with_clock_offset(&h, offset);
    let id = "cmgo-demo0002";
    let list = |extra: Value| {
        let r = api.ok("DescribeCurrentOp", with(json!({"InstanceId": id}), extra));
        r["CurrentOps"].as_array().unwrap().clone()
    };
    let all = list(json!({}));
    assert_eq!(all.len(), 7, "{all:?}");
    let running: Vec<u64> = all
        .iter()
        .map(|o| o["MicrosecsRunning"].as_u64().unwrap())
        .collect();
    assert!(
        running.windows(2).all(|w| w[0] <= w[1]),
        "ascending by default"
    );
    for op in list(json!({"ReplicaSetName": "cmgo-demo0002_1", "State": "secondary"})) {
        assert_eq!(
            (op["ReplicaSetName"].as_str(), op["State"].as_str()),
            (Some("cmgo-demo0002_1"), Some("secondary"))
        );
        assert!(op["ExecNode"]
            .as_str()
            .unwrap()
            .starts_with("cmgo-demo0002_1-node-slave"));
    }
    let long = list(json!({"MillisecondRunning": 60_000}));
    assert!(long
        .iter()
        .all(|o| o["MicrosecsRunning"].as_u64().unwrap() > 60_000_000));
    let op_type = all[0]["Op"].as_str().unwrap();
    assert!(list(json!({"Op": op_type}))
        .iter()
        .all(|o| o["Op"] == op_type));

    for (extra, want) in [
        (
            json!({"ReplicaSetName": "cmgo-demo0002_9"}),
            "InvalidParameterValue.ReplicaNotFound",
        ),
        (
            json!({"Limit": 101}),
            "InvalidParameterValue.QueryOutOfRange",
        ),
        (
            json!({"MillisecondRunning": 3_600_001}),
            "InvalidParameterValue.QueryOutOfRange",
        ),
        (json!({"Op": "dance"}), "InvalidParameterValue"),
    ] {
        let (code, _) = api.err("DescribeCurrentOp", with(json!({"InstanceId": id}), extra));
        assert_eq!(code, want);
    }

    // Kill one (an operation may end on its own between two requests: then
    // the next one is tried).
    let mut killed = None;
    for op in list(json!({"OrderByType": "DESC"})) {
        let target = json!({"ReplicaSetName": op["ReplicaSetName"], "NodeName": op["NodeName"], "OpId": op["OpId"]});
        let a = api.post(
            "KillOps",
            json!({"InstanceId": id, "Operations": [target.clone()]}),
        );
        if a.code().is_none() {
            killed = Some(target);
            break;
        }
        assert_eq!(a.code().as_deref(), Some("FailedOperation"));
    }
    let target = killed.expect("an operation was killed");
    assert!(!list(json!({})).iter().any(|o| o["OpId"] == target["OpId"]));
    let (code, msg) = api.err(
        "KillOps",
        json!({"InstanceId": id, "Operations": [target.clone()]}),
    );
    assert_eq!(code, "FailedOperation");
    assert!(msg.contains(&target["OpId"].to_string()), "{msg}");
    let mut elsewhere = target.clone();
    elsewhere["NodeName"] = json!("10.9.9.9:7001:1234567");
    let (code, _) = api.err(
        "KillOps",
        json!({"InstanceId": id, "Operations": [elsewhere]}),
    );
    assert_eq!(code, "InvalidParameterValue.NodeNotFoundInReplica");

    // Killing changes the instance: an isolated one refuses.
    assert!(h.set_instance_status(id, -2));
    let (code, _) = api.err("KillOps", json!({"InstanceId": id, "Operations": [target]}));
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}
