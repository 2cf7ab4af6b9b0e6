//! Backups beyond taking and downloading them, over the wire: rules set are
//! rules read, and the emulator's automatic backups follow them (hour,
//! frequency, weekdays, retention, long-term retention); deleting a backup
//! removes it from every listing with its download tasks; expiry times show
//! and take effect; restores and flashbacks are flows during which the
//! instance is processing.

mod common;

use common::{builder, make_backup, now, ready_tasks, wait_async, Api};
use mongodb_emulator::{EmulatorHandle, EndAs, Fault};
use serde_json::{json, Value};
use tc_sign::HttpMethod;

const DEMO: &str = "cmgo-demo0001";
const DAY: i64 = 86_400;

/// Requests signed by the emulator's clock, which the tests move.
struct Clocked<'a> {
    h: &'a EmulatorHandle,
    api: Api,
    offset: i64,
}

impl<'a> Clocked<'a> {
    fn new(h: &'a EmulatorHandle) -> Self {
        Clocked {
            h,
            api: Api::new(h),
            offset: 0,
        }
    }

    /// Moves the emulator's clock (and this client's) `secs` on.
    fn advance(&mut self, secs: i64) {
        self.offset = self.h.advance_clock_secs(secs);
    }

    fn post(&self, action: &str, params: Value) -> common::Answer {
        let body = serde_json::to_vec(&params).unwrap();
        let mut r = self.api.req(HttpMethod::Post, action, body);
        r.timestamp = now() + self.offset;
        self.api.send(&r)
    }

    fn ok(&self, action: &str, params: Value) -> Value {
        let r = self.post(action, params).response();
        assert!(r.get("Error").is_none(), "{action} failed: {r}");
        r
    }

    fn err(&self, action: &str, params: Value) -> (String, String) {
        let a = self.post(action, params);
        let code = a
            .code()
            .unwrap_or_else(|| panic!("{action} succeeded: {}", a.response()));
        (code, a.message())
    }

    fn backups(&self, method: i64) -> Vec<Value> {
        let r = self.ok(
            "DescribeDBBackups",
            json!({"InstanceId": DEMO, "BackupMethod": method, "Limit": 100}),
        );
        r["BackupList"].as_array().unwrap().clone()
    }
}

/// Seconds since the epoch of a service time (`YYYY-MM-DD HH:MM:SS`, UTC+8).
fn secs(text: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| text[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from the civil date (proleptic Gregorian calendar).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * DAY + n(11..13) * 3600 + n(14..16) * 60 + n(17..19) - 8 * 3600
}

/// The service time of `secs` since the epoch.
fn text(secs: i64) -> String {
    let local = secs + 8 * 3600;
    let (z, rest) = (local.div_euclid(DAY) + 719_468, local.rem_euclid(DAY));
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (hh, mm, ss) = (rest / 3600, rest % 3600 / 60, rest % 60);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
}

/// The emulator's clock, read from a backup it starts (left running).
fn emulator_now(c: &Clocked<'_>) -> i64 {
    c.ok(
        "CreateBackupDBInstance",
        json!({"InstanceId": "cmgo-demo0002", "BackupMethod": 0}),
    );
    let r = c.ok("DescribeDBBackups", json!({"InstanceId": "cmgo-demo0002"}));
    secs(r["BackupList"][0]["StartTime"].as_str().unwrap())
}

#[test]
fn the_time_helpers_agree() {
    assert_eq!(secs("1970-01-01 08:00:00"), 0);
    assert_eq!(text(0), "1970-01-01 08:00:00");
    for t in [951_782_400, 1_700_000_000, 4_102_444_800 - 1] {
        assert_eq!(secs(&text(t)), t);
    }
}

#[test]
fn rules_that_are_set_are_the_rules_read() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let read = || api.ok("DescribeBackupRules", json!({ "InstanceId": DEMO }));
    let before = read();
    assert_eq!(
        (
            &before["BackupSaveTime"],
            &before["BackupTime"],
            &before["BackupMethod"]
        ),
        (&json!(7), &json!(2), &json!(0))
    );
    assert_eq!(before["BackupFrequency"], 24);
    assert_eq!(before["ActiveWeekdays"], "0,1,2,3,4,5,6");
    assert_eq!(before["LongTermInterval"], "");
    let total = &before["BackupTotalSize"];
    assert!(total["SnapshotSize"].as_i64().unwrap() > 0, "{total}");
    assert!(total["FreeQuota"].as_i64().unwrap() > 0, "{total}");

    api.ok(
        "SetBackupRules",
        json!({"InstanceId": DEMO, "BackupMethod": 1, "BackupTime": 23, "BackupFrequency": 12,
               "BackupRetentionPeriod": 30, "ActiveWeekdays": "5,1,3,1",
               "LongTermInterval": "weekly", "LongTermActiveDays": "0", "LongTermExpiredDays": 90,
               "OplogExpiredDays": 14, "BackupVersion": 0, "AlertThreshold": 150, "Notify": true}),
    );
    let after = read();
    let want = json!({"BackupSaveTime": 30, "BackupFrequency": 12, "BackupTime": 23,
        "BackupMethod": 1, "ActiveWeekdays": "1,3,5", "LongTermInterval": "weekly",
        "LongTermActiveDays": "0", "LongTermExpiredDays": 90, "OplogExpiredDays": 14,
        "BackupVersion": 0, "AlertThreshold": 150});
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&after[k], v, "{k} in {after}");
    }

    // What is left out keeps its value; the older names still work.
    api.ok(
        "SetBackupRules",
        json!({"InstanceId": DEMO, "BackupTime": 4, "LongTermUnit": "monthly",
               "LongTermActiveDays": "1,15", "AlarmWaterLevel": 60}),
    );
    let third = read();
    assert_eq!(third["BackupTime"], 4);
    assert_eq!(third["BackupSaveTime"], 30);
    assert_eq!(third["LongTermInterval"], "monthly");
    assert_eq!(third["LongTermActiveDays"], "1,15");
    assert_eq!(third["AlertThreshold"], 60);
    // No long-term retention: its days go.
    api.ok(
        "SetBackupRules",
        json!({"InstanceId": DEMO, "LongTermInterval": ""}),
    );
    assert_eq!(read()["LongTermActiveDays"], "");

    // The retention shows in the backups' delete times.
    let b = &api.ok("DescribeDBBackups", json!({ "InstanceId": DEMO }))["BackupList"][0];
    let kept = secs(b["DeleteTime"].as_str().unwrap()) - secs(b["StartTime"].as_str().unwrap());
    assert_eq!(kept, 30 * DAY, "{b}");
}

#[test]
fn rule_values_outside_their_ranges_are_refused() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let cases = [
        (json!({"BackupTime": 24}), "BackupTime"),
        (json!({"BackupFrequency": 2}), "BackupFrequency"),
        (json!({"BackupRetentionPeriod": 6}), "BackupRetentionPeriod"),
        (json!({"ActiveWeekdays": "1,7"}), "ActiveWeekdays"),
        (json!({"LongTermInterval": "daily"}), "LongTermInterval"),
        (json!({"LongTermInterval": "weekly"}), "LongTermActiveDays"),
        (
            json!({"LongTermInterval": "weekly", "LongTermActiveDays": "9"}),
            "LongTermActiveDays",
        ),
        (
            json!({"LongTermInterval": "monthly", "LongTermActiveDays": "0"}),
            "LongTermActiveDays",
        ),
        (json!({"LongTermExpiredDays": 29}), "LongTermExpiredDays"),
        (json!({"OplogExpiredDays": 366}), "OplogExpiredDays"),
        (json!({"BackupVersion": 2}), "BackupVersion"),
        (json!({"AlertThreshold": 301}), "AlertThreshold"),
        (json!({"BackupMethod": 2}), "BackupMethod"),
        (json!({"BackupMethod": 3}), "local disks"),
    ];
    for (extra, named) in cases {
        let mut params = extra.clone();
        params["InstanceId"] = json!(DEMO);
        let (code, msg) = api.err("SetBackupRules", params);
        assert_eq!(code, "InvalidParameterValue", "{extra}: {msg}");
        assert!(msg.contains(named), "{extra}: {msg}");
    }
    let rules = api.ok("DescribeBackupRules", json!({ "InstanceId": DEMO }));
    assert_eq!(rules["BackupTime"], 2, "nothing was changed");

    // Cloud disks take no logical backups; storage encryption rules out physical ones.
    let mut state = h.dump_state();
    let demo = &mut state["regions"]["ap-guangzhou"]["instances"][0];
    demo["spec"]["machine_type"] = json!("HCD");
    demo["features"]["tde"]["enabled"] = json!(true);
    h.load_state(state).unwrap();
    for (method, named) in [(0, "cloud disks"), (1, "encryption")] {
        let (code, msg) = api.err(
            "SetBackupRules",
            json!({"InstanceId": DEMO, "BackupMethod": method}),
        );
        assert_eq!(code, "InvalidParameterValue", "{msg}");
        assert!(msg.contains(named), "{msg}");
    }
    api.ok(
        "SetBackupRules",
        json!({"InstanceId": DEMO, "BackupMethod": 3}),
    );

    let (code, _) = api.err("SetBackupRules", json!({"InstanceId": "cmgo-nope0000"}));
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
    assert!(h.set_instance_status(DEMO, -2));
    let (code, msg) = api.err(
        "SetBackupRules",
        json!({"InstanceId": DEMO, "BackupTime": 3}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus", "{msg}");
    // Reading still works on an isolated instance.
    api.ok("DescribeBackupRules", json!({ "InstanceId": DEMO }));
}

#[test]
fn automatic_backups_follow_the_rules_and_go_after_the_retention() {
    let h = builder().start().unwrap();
    let mut c = Clocked::new(&h);
    let now = emulator_now(&c);
    // Twelve hours away from the clock's time of day: no backup is ever due
    // within minutes of a read.
    let hour = ((now + 8 * 3600).rem_euclid(DAY) / 3600 + 12) % 24;
    c.ok(
        "SetBackupRules",
        json!({"InstanceId": DEMO, "BackupMethod": 1, "BackupTime": hour,
               "BackupRetentionPeriod": 7}),
    );
    assert!(c.backups(1).is_empty(), "none due yet");

    c.advance(3 * DAY);
    let taken = c.backups(1);
    assert_eq!(taken.len(), 3, "one a day: {taken:?}");
    for b in &taken {
        assert_eq!(
            (b["BackupType"].clone(), b["Status"].clone()),
            (json!(0), json!(2))
        );
        let start = b["StartTime"].as_str().unwrap();
        assert_eq!(&start[11..], format!("{hour:02}:00:00"), "{b}");
        let kept = secs(b["DeleteTime"].as_str().unwrap()) - secs(start);
        assert_eq!(kept, 7 * DAY, "{b}");
    }

    // Eight days later: a week of backups is kept, and the seeded logical
    // backup (two days older than the retention) is gone.
    c.advance(8 * DAY);
    assert_eq!(c.backups(1).len(), 7);
    assert!(c.backups(0).is_empty(), "{:?}", c.backups(0));

    // Twice a day, six days of seven: twelve backups in a week, all kept a
    // month as long-term backups (every day of the month is a long-term day).
    let days: Vec<String> = (1..=31).map(|d| d.to_string()).collect();
    c.ok(
        "SetBackupRules",
        json!({"InstanceId": DEMO, "BackupFrequency": 12, "BackupTime": (hour + 6) % 24,
               "ActiveWeekdays": "0,1,2,3,4,5", "LongTermInterval": "monthly",
               "LongTermActiveDays": days.join(","), "LongTermExpiredDays": 30}),
    );
    let before: Vec<Value> = c.backups(1);
    c.advance(7 * DAY);
    let all = c.backups(1);
    let fresh: Vec<&Value> = all.iter().filter(|b| !before.contains(b)).collect();
    assert_eq!(fresh.len(), 12, "{fresh:?}");
    for b in fresh {
        let start = b["StartTime"].as_str().unwrap();
        let kept = secs(b["DeleteTime"].as_str().unwrap()) - secs(start);
        assert_eq!(kept, 30 * DAY, "{b}");
    }
}

#[test]
fn a_deleted_backup_is_gone_from_every_listing_and_its_downloads() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let name = make_backup(&api, DEMO);
    ready_tasks(&api, DEMO, &name, &["cmgo-demo0001_0"]);
    let physical = {
        let r = api.ok(
            "CreateBackupDBInstance",
            json!({"InstanceId": DEMO, "BackupMethod": 1}),
        );
        wait_async(&api, r["AsyncRequestId"].as_str().unwrap());
        api.ok(
            "DescribeDBBackups",
            json!({"InstanceId": DEMO, "BackupMethod": 1}),
        )["BackupList"][0]
            .clone()
    };
    let listed = api.ok("DescribeDBBackups", json!({ "InstanceId": DEMO }));
    let logical = listed["BackupList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["BackupName"] == name.as_str())
        .unwrap()
        .clone();

    api.ok(
        "DeleteDBBackups",
        json!({"InstanceId": DEMO, "BackupIds": [logical["BackId"], physical["BackId"]]}),
    );
    for method in [0, 1, 3] {
        let r = api.ok(
            "DescribeDBBackups",
            json!({"InstanceId": DEMO, "BackupMethod": method}),
        );
        let names: Vec<&Value> = r["BackupList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| &b["BackupName"])
            .collect();
        assert!(!names.contains(&&json!(name)), "method {method}: {names:?}");
        assert!(!names.contains(&&physical["BackupName"]), "{names:?}");
    }
    assert_eq!(
        common::backup_names(&api, DEMO).len(),
        1,
        "the seeded one stays"
    );
    let tasks = api.ok(
        "DescribeBackupDownloadTask",
        json!({"InstanceId": DEMO, "BackupName": name}),
    );
    assert_eq!(tasks["TotalCount"], 0, "{tasks}");
    let (code, _) = api.err(
        "CreateBackupDownloadTask",
        json!({"InstanceId": DEMO, "BackupName": name,
               "BackupSets": [{"ReplicaSetId": "cmgo-demo0001_0"}]}),
    );
    assert_eq!(code, "InvalidParameterValue.BackupFileNotFound");
    // A second deletion finds nothing.
    let (code, msg) = api.err(
        "DeleteDBBackups",
        json!({"InstanceId": DEMO, "BackupIds": [logical["BackId"]]}),
    );
    assert_eq!(code, "InvalidParameterValue.BackupFileNotFound", "{msg}");
}

#[test]
fn running_backups_and_unknown_ids_are_refused_and_nothing_is_deleted() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let seeded = api.ok("DescribeDBBackups", json!({ "InstanceId": DEMO }))["BackupList"][0]
        ["BackId"]
        .clone();
    api.ok(
        "CreateBackupDBInstance",
        json!({"InstanceId": DEMO, "BackupMethod": 0}),
    );
    let running =
        api.ok("DescribeDBBackups", json!({ "InstanceId": DEMO }))["BackupList"][0].clone();
    assert_eq!(running["Status"], 1);
    let (code, msg) = api.err(
        "DeleteDBBackups",
        json!({"InstanceId": DEMO, "BackupIds": [seeded, running["BackId"]]}),
    );
    assert_eq!(code, "ResourceInUse", "{msg}");
    let (code, msg) = api.err(
        "DeleteDBBackups",
        json!({"InstanceId": DEMO, "BackupIds": [seeded, 999_999]}),
    );
    assert_eq!(code, "InvalidParameterValue.BackupFileNotFound", "{msg}");
    assert!(msg.contains("999999"), "{msg}");
    let (code, _) = api.err(
        "DeleteDBBackups",
        json!({"InstanceId": DEMO, "BackupIds": []}),
    );
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(common::backup_names(&api, DEMO).len(), 2, "nothing deleted");

    assert!(h.set_instance_status(DEMO, -3));
    let (code, _) = api.err(
        "DeleteDBBackups",
        json!({"InstanceId": DEMO, "BackupIds": [seeded]}),
    );
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}

#[test]
fn expiry_times_show_and_take_effect() {
    let h = builder().start().unwrap();
    let mut c = Clocked::new(&h);
    let now = emulator_now(&c);
    let seeded = c.backups(0).last().unwrap().clone();
    let at = text(now + 2 * DAY);
    let r = c.ok(
        "ModifyBackupExpireTime",
        json!({"InstanceId": DEMO, "ExpireTime": at, "BackupIds": [seeded["BackId"], 424242]}),
    );
    assert_eq!(r["FailedBackups"], json!([424242]));
    let listed = c.backups(0).last().unwrap().clone();
    assert_eq!(listed["DeleteTime"], json!(at));

    for (time, code) in [
        ("2026/06/06 04:02:00", "InvalidParameterValue.TimeFormatErr"),
        ("2001-01-01 00:00:00", "InvalidParameterValue"),
    ] {
        let (got, msg) = c.err(
            "ModifyBackupExpireTime",
            json!({"InstanceId": DEMO, "ExpireTime": time, "BackupIds": [seeded["BackId"]]}),
        );
        assert_eq!(got, code, "{msg}");
        assert!(msg.contains("ExpireTime"), "{msg}");
    }

    c.advance(DAY);
    assert_eq!(c.backups(0).len(), 1, "not yet");
    c.advance(DAY + 60);
    assert!(c.backups(0).is_empty(), "expired: {:?}", c.backups(0));
}

fn status_of(api: &Api, id: &str) -> i64 {
    let r = api.ok("DescribeDBInstances", json!({ "InstanceIds": [id] }));
    r["InstanceDetails"][0]["Status"].as_i64().unwrap()
}

fn restore_params(time: &Value) -> Value {
    json!({"InstanceId": DEMO, "RestoreTime": time,
           "Databases": [{"Db": "shop", "Collections": [{"OldCollection": "orders", "NewCollection": "orders_0101"}]}]})
}

#[test]
fn a_restore_is_a_flow_while_which_the_instance_is_processing() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let seeded =
        api.ok("DescribeDBBackups", json!({ "InstanceId": DEMO }))["BackupList"][0].clone();
    let r = api.ok("RestoreDBInstance", restore_params(&seeded["EndTime"]));
    let flow = r["FlowId"].as_i64().expect("a numeric FlowId").to_string();
    assert_eq!(status_of(&api, DEMO), 1, "processing");
    let (code, _) = api.err("RestoreDBInstance", restore_params(&seeded["EndTime"]));
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
    let seen = wait_async(&api, &flow);
    assert_eq!(seen.last().unwrap(), "success", "{seen:?}");
    assert_eq!(status_of(&api, DEMO), 2, "running again");

    // A restore that fails still leaves the instance running.
    h.inject("RestoreDBInstance", Fault::EndAs(EndAs::Failed));
    let r = api.ok("RestoreDBInstance", restore_params(&seeded["EndTime"]));
    let flow = r["FlowId"].as_i64().unwrap().to_string();
    let mut last = Value::Null;
    for _ in 0..5 {
        last = api.ok(
            "DescribeAsyncRequestInfo",
            json!({ "AsyncRequestId": flow }),
        )["Status"]
            .clone();
    }
    assert_eq!(last, "failed");
    assert_eq!(status_of(&api, DEMO), 2);
}

#[test]
fn restore_points_need_a_backup_before_them_and_the_oplog() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let seeded =
        api.ok("DescribeDBBackups", json!({ "InstanceId": DEMO }))["BackupList"][0].clone();
    let cases = [
        (
            seeded["StartTime"].clone(),
            "InvalidParameterValue.BackupFileNotFound",
            "earliest",
        ),
        (
            json!("2021-09-28 14:25:38"),
            "InvalidParameterValue",
            "OplogExpiredDays",
        ),
        (
            json!("2999-01-01 00:00:00"),
            "InvalidParameterValue",
            "future",
        ),
        (
            json!("yesterday"),
            "InvalidParameterValue.TimeFormatErr",
            "RestoreTime",
        ),
    ];
    for (time, want, words) in cases {
        let (code, msg) = api.err("RestoreDBInstance", restore_params(&time));
        assert_eq!(code, want, "{time}: {msg}");
        assert!(msg.contains(words), "{time}: {msg}");
    }
    let mut same = restore_params(&seeded["EndTime"]);
    same["Databases"][0]["Collections"][0]["NewCollection"] = json!("orders");
    let (code, msg) = api.err("RestoreDBInstance", same);
    assert_eq!(code, "InvalidParameterValue");
    assert!(
        msg.contains("Databases.0.Collections.0.NewCollection"),
        "{msg}"
    );

    // Without any backup, nothing can be restored.
    let id = seeded["BackId"].clone();
    api.ok(
        "DeleteDBBackups",
        json!({"InstanceId": DEMO, "BackupIds": [id]}),
    );
    let (code, msg) = api.err("RestoreDBInstance", restore_params(&seeded["EndTime"]));
    assert_eq!(code, "InvalidParameterValue.BackupFileNotFound");
    assert!(msg.contains("CreateBackupDBInstance"), "{msg}");
    assert_eq!(status_of(&api, DEMO), 2, "no restore started");

    assert!(h.set_instance_status(DEMO, -2));
    let (code, _) = api.err("RestoreDBInstance", restore_params(&seeded["EndTime"]));
    assert_eq!(code, "InvalidParameterValue.IllegalInstanceStatus");
}

#[test]
fn a_flashback_writes_to_its_target_instance() {
    let h = builder().start().unwrap();
    let api = Api::new(&h);
    let time = api.ok("DescribeDBBackups", json!({ "InstanceId": DEMO }))["BackupList"][0]
        ["EndTime"]
        .clone();
    let params = |target: &str| {
        json!({"InstanceId": DEMO, "TargetFlashbackTime": time, "TargetInstanceId": target,
               "TargetDatabases": [{"DBName": "shop", "Collections": [{"CollectionName": "orders",
                   "TargetResultCollectionName": "orders_fb", "FilterKey": "_id",
                   "KeyValues": [{"Key": "_id", "Value": "42"}]}]}]})
    };
    let (code, _) = api.err("FlashBackDBInstance", params("cmgo-nope0000"));
    assert_eq!(code, "InvalidParameterValue.NotFoundInstance");
    let mut empty = params("cmgo-demo0002");
    empty["TargetDatabases"][0]["Collections"][0]["FilterKey"] = json!("");
    let (code, msg) = api.err("FlashBackDBInstance", empty);
    assert_eq!(code, "InvalidParameterValue");
    assert!(
        msg.contains("TargetDatabases.0.Collections.0.FilterKey"),
        "{msg}"
    );

    let r = api.ok("FlashBackDBInstance", params("cmgo-demo0002"));
    let flow = r["FlowId"].as_i64().unwrap().to_string();
    assert_eq!(status_of(&api, "cmgo-demo0002"), 1);
    assert_eq!(status_of(&api, DEMO), 2, "the source is only read");
    wait_async(&api, &flow);
    assert_eq!(status_of(&api, "cmgo-demo0002"), 2);

    let old = builder().start().unwrap();
    old.add_instance(
        mongodb_emulator::InstanceSpec::replica_set("cmgo-old00036")
            .with_mongo_version("MONGO_36_WT"),
    )
    .unwrap();
    let api = Api::new(&old);
    let mut p = params(DEMO);
    p["InstanceId"] = json!("cmgo-old00036");
    let (code, msg) = api.err("FlashBackDBInstance", p);
    assert_eq!(
        code, "UnsupportedOperation.KernelVersionNotSupport",
        "{msg}"
    );
}
