//! Log files over the wire: log download tasks and audit log files go through
//! their states (or fail when a fault says so), end with a pre-signed URL the
//! emulator's file store serves, hold exactly what the matching reads list,
//! and are gone once deleted. Audit logs need the audit switched on.

mod common;

use common::{builder, Api};
use mongodb_emulator::{EmulatorHandle, EndAs, Fault};
use serde_json::{json, Value};

const DEMO: &str = "cmgo-demo0001";

/// `YYYY-MM-DD HH:MM:SS` (UTC+8), `minutes` ago on the emulator's clock.
fn ago(minutes: i64) -> String {
    let t = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
        - time::Duration::minutes(minutes);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .unwrap()
}

fn with(mut v: Value, extra: Value) -> Value {
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// Polls `DescribeLogDownloadTasks` until the newest task ends; returns the
/// statuses seen and the task.
fn wait_task(api: &Api, instance: &str) -> (Vec<i64>, Value) {
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = api.ok(
            "DescribeLogDownloadTasks",
            json!({ "InstanceId": instance }),
        );
        let task = r["Tasks"][0].clone();
        let status = task["Status"].as_i64().unwrap();
        seen.push(status);
        if status >= 2 {
            return (seen, task);
        }
        assert_eq!(task["Url"], "", "no URL before the file is ready");
    }
    panic!("the task never ended: {seen:?}");
}

/// Switches the audit of `instance` on, as from `minutes` ago.
fn audit_on(h: &EmulatorHandle, instance: &str, minutes: i64) {
    let mut state = h.dump_state();
    let instances = state["regions"]["ap-guangzhou"]["instances"]
        .as_array_mut()
        .unwrap();
    let i = instances.iter_mut().find(|i| i["id"] == instance).unwrap();
    let opened = (common::now() - minutes * 60) * 1000;
    i["features"]["audit"] = json!({"enabled": true, "opened_ms": opened, "log_expire_days": 30});
    h.load_state(state).unwrap();
}

fn crc64(bytes: &[u8]) -> u64 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, bytes)
}

#[test]
fn an_error_log_download_is_served_and_deleted() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let filter = json!({"InstanceId": DEMO, "StartTime": ago(12 * 60), "EndTime": ago(60),
                        "LogLevels": ["WARNING"], "NodeNames": ["cmgo-demo0001_0-node-primary"]});
    let r = api.ok("CreateLogDownloadTask", filter.clone());
    assert_eq!(r["Status"], 0);
    let (seen, task) = wait_task(&api, DEMO);
    assert_eq!(seen, [0, 1, 2]);
    assert_eq!(task["TaskType"], 1);
    assert_eq!(task["Percent"], 100);
    assert_eq!(task["TaskId"].as_str().unwrap().len(), 24);

    let url = task["Url"].as_str().unwrap();
    let file = api.download(url, None);
    assert_eq!(file.status, 200);
    assert_eq!(file.body.len() as i64, task["FileSize"].as_i64().unwrap());
    assert_eq!(
        file.header("x-cos-hash-crc64ecma"),
        Some(crc64(&file.body).to_string().as_str())
    );
    let text = String::from_utf8(file.body.clone()).unwrap();
    let listed = api.ok(
        "DescribeMongodbLogs",
        with(filter.clone(), json!({"Limit": 1})),
    );
    assert_eq!(
        text.lines().count() as i64,
        listed["TotalCount"].as_i64().unwrap()
    );
    assert!(text.lines().count() > 10);
    assert!(text
        .lines()
        .all(|l| l.contains(" WARNING ") && l.ends_with("(cmgo-demo0001_0-node-primary)")));

    let part = api.download(url, Some("bytes=10-19"));
    assert_eq!(part.status, 206);
    assert_eq!(part.body, file.body[10..20]);
    let tampered = url.replace("q-url-serial=", "q-url-serial=9");
    assert_eq!(api.download(&tampered, None).status, 403);

    let task_id = task["TaskId"].clone();
    api.ok(
        "DeleteLogDownloadTask",
        json!({"InstanceId": DEMO, "TaskId": task_id}),
    );
    let after = api.ok("DescribeLogDownloadTasks", json!({"InstanceId": DEMO}));
    assert_eq!(after["TotalCount"], 0);
    assert_eq!(api.download(url, None).status, 404);
    let (code, msg) = api.err(
        "DeleteLogDownloadTask",
        json!({"InstanceId": DEMO, "TaskId": task_id}),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(msg.contains(task_id.as_str().unwrap()), "{msg}");
}

#[test]
fn the_slow_log_statistics_file_holds_the_statistics() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let period = json!({"InstanceId": DEMO, "StartTime": ago(180), "EndTime": ago(120)});
    let r = api.ok(
        "CreateSlowLogPatternDownloadTask",
        with(period.clone(), json!({"ThresholdMs": 200})),
    );
    assert_eq!(r["Status"], json!([0]));
    let (_, task) = wait_task(&api, DEMO);
    assert_eq!(
        (task["Status"].as_i64(), task["TaskType"].as_i64()),
        (Some(2), Some(0))
    );
    let csv = String::from_utf8(api.download(task["Url"].as_str().unwrap(), None).body).unwrap();
    let rows: Vec<String> = csv.lines().skip(1).map(str::to_owned).collect();

    let stats = api.ok(
        "DescribeSlowLogPatterns",
        with(period, json!({"SlowMS": 200, "Limit": 100})),
    );
    let expect: Vec<String> = stats["SlowLogPatterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{},{},{},{},{}",
                p["Pattern"].as_str().unwrap(),
                p["QueryHash"].as_str().unwrap(),
                p["Total"],
                p["MaxTime"],
                p["AverageTime"]
            )
        })
        .collect();
    assert!(!expect.is_empty());
    assert_eq!(rows, expect);
    assert!(csv.starts_with("Pattern,QueryHash,Total,"));

    let (code, _) = api.err(
        "CreateSlowLogPatternDownloadTask",
        json!({"InstanceId": DEMO, "StartTime": ago(60), "EndTime": ago(120)}),
    );
    assert_eq!(code, "InvalidParameterValue.StartTimeNotBeforeThanEndTime");
}

#[test]
fn faulted_files_end_failed_without_a_url() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    h.inject("CreateLogDownloadTask", Fault::EndAs(EndAs::Failed));
    api.ok(
        "CreateLogDownloadTask",
        json!({"InstanceId": DEMO, "StartTime": ago(90), "EndTime": ago(60)}),
    );
    let (seen, task) = wait_task(&api, DEMO);
    assert_eq!(seen, [0, 1, 3]);
    assert_eq!(
        (task["Url"].as_str(), task["FileSize"].as_i64()),
        (Some(""), Some(0))
    );

    audit_on(&h, DEMO, 120);
    h.inject("CreateAuditLogFile", Fault::EndAs(EndAs::Failed));
    api.ok(
        "CreateAuditLogFile",
        json!({"InstanceId": DEMO, "StartTime": ago(90), "EndTime": ago(60)}),
    );
    let mut statuses = Vec::new();
    let mut last = Value::Null;
    for _ in 0..4 {
        let r = api.ok("DescribeAuditLogFiles", json!({"InstanceId": DEMO}));
        last = r["Items"][0].clone();
        statuses.push(last["Status"].as_str().unwrap().to_owned());
    }
    assert_eq!(statuses, ["creating", "creating", "failed", "failed"]);
    assert_eq!(last["DownloadUrl"], "");
    assert!(!last["ErrMsg"].as_str().unwrap().is_empty());
}

#[test]
fn audit_logs_need_the_audit_and_their_file_holds_them() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let period = json!({"InstanceId": DEMO, "StartTime": ago(240), "EndTime": ago(30)});
    for action in ["DescribeAuditLogs", "CreateAuditLogFile"] {
        let (code, msg) = api.err(action, period.clone());
        assert_eq!(code, "OperationDenied.AuditStatusError");
        assert!(msg.contains("OpenAuditService"), "{msg}");
    }
    let files = api.ok("DescribeAuditLogFiles", json!({"InstanceId": DEMO}));
    assert_eq!(files["TotalCount"], 0);

    // Switched on two hours ago: nothing before that.
    audit_on(&h, DEMO, 120);
    let asc = api.ok(
        "DescribeAuditLogs",
        with(period.clone(), json!({"Order": "ASC", "Limit": 1})),
    );
    let total = asc["TotalCount"].as_u64().unwrap();
    assert!(total > 100, "{total}");
    assert!(asc["Items"][0]["Timestamp"].as_str().unwrap() >= ago(121).as_str());
    let too_long = json!({"InstanceId": DEMO, "StartTime": ago(31 * 24 * 60), "EndTime": ago(0)});
    for action in ["DescribeAuditLogs", "CreateAuditLogFile"] {
        let (code, msg) = api.err(action, too_long.clone());
        assert_eq!(code, "InvalidParameterValue.QueryTimeRangeBeyondLimit");
        assert!(msg.contains("30 days"), "{msg}");
    }

    let filter = json!({"Atype": ["insert", "update"], "User": ["mongouser"], "AffectRows": 0});
    let query = with(
        period.clone(),
        json!({"Filter": filter, "OrderBy": "execTime"}),
    );
    let mut items = Vec::new();
    let first = api.ok("DescribeAuditLogs", query.clone());
    let matching = first["TotalCount"].as_u64().unwrap();
    for offset in (0..matching).step_by(100) {
        let page = api.ok(
            "DescribeAuditLogs",
            with(query.clone(), json!({"Offset": offset})),
        );
        items.extend(page["Items"].as_array().unwrap().clone());
    }
    assert_eq!(items.len() as u64, matching);
    assert!(matching > 0 && matching < total);
    assert!(items.iter().all(
        |i| ["insert", "update"].contains(&i["Atype"].as_str().unwrap())
            && i["AffectRows"].as_u64().unwrap() > 0
            && i["User"] == "mongouser@admin"
    ));
    let exec: Vec<u64> = items
        .iter()
        .map(|i| i["ExecTime"].as_u64().unwrap())
        .collect();
    assert!(exec.windows(2).all(|w| w[0] >= w[1]), "DESC by default");

    let name = api.ok("CreateAuditLogFile", query)["FileName"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut states = Vec::new();
    let mut item = Value::Null;
    for _ in 0..3 {
        let r = api.ok(
            "DescribeAuditLogFiles",
            json!({"InstanceId": DEMO, "FileName": name}),
        );
        item = r["Items"][0].clone();
        states.push(item["Status"].as_str().unwrap().to_owned());
    }
    assert_eq!(states, ["creating", "creating", "success"]);
    assert_eq!(item["FileName"], name);
    let file = api.download(item["DownloadUrl"].as_str().unwrap(), None);
    assert_eq!(file.status, 200);
    assert_eq!(
        item["FileSize"].as_u64().unwrap(),
        (file.body.len() as u64).div_ceil(1024)
    );
    let csv = String::from_utf8(file.body).unwrap();
    assert_eq!(
        csv.lines().count() as u64,
        matching + 1,
        "a header and the rows"
    );
    let first_row = csv.lines().nth(1).unwrap();
    assert!(first_row.contains(
        items[0]["Param"]
            .as_str()
            .unwrap()
            .split(',')
            .next()
            .unwrap()
    ));

    api.ok(
        "DeleteAuditLogFile",
        json!({"InstanceId": DEMO, "FileName": name}),
    );
    let files = api.ok("DescribeAuditLogFiles", json!({"InstanceId": DEMO}));
    assert_eq!(files["TotalCount"], 0);
    assert_eq!(
        api.download(item["DownloadUrl"].as_str().unwrap(), None)
            .status,
        404
    );
    let (code, _) = api.err(
        "DeleteAuditLogFile",
        json!({"InstanceId": DEMO, "FileName": name}),
    );
    assert_eq!(code, "OperationDenied.ResourceNotFundError");
}

#[test]
fn tasks_outlive_a_restart_and_move_with_the_control_plane() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let h = builder().state_file(&path).start().unwrap();
    let api = Api::new(&h);
    api.ok(
        "CreateLogDownloadTask",
        json!({"InstanceId": DEMO, "StartTime": ago(90), "EndTime": ago(60)}),
    );
    assert!(h.advance_work(2) >= 1);
    let r = api.ok("DescribeLogDownloadTasks", json!({"InstanceId": DEMO}));
    assert_eq!(r["Tasks"][0]["Status"], 2, "moved on without polls");
    let task_id = r["Tasks"][0]["TaskId"].clone();
    h.stop();

    let h = builder().state_file(&path).start().unwrap();
    let api = Api::new(&h);
    let r = api.ok("DescribeLogDownloadTasks", json!({"InstanceId": DEMO}));
    assert_eq!(r["Tasks"][0]["TaskId"], task_id);
    let file = api.download(r["Tasks"][0]["Url"].as_str().unwrap(), None);
    assert_eq!(file.status, 200);

    assert!(h.set_instance_status(DEMO, -2));
    let (code, _) = api.err(
        "CreateLogDownloadTask",
        json!({"InstanceId": DEMO, "StartTime": ago(90), "EndTime": ago(60)}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}
