//! Load: one shared client on many threads, many raw clients at once against the emulator, and
//! an emulator stopped in the middle of a burst of backups and restarted from its state file.
//! Every test checks the server's side: request counts, the rate-limit counter, and the backups
//! that exist afterwards.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{client_for, emulator, emulator_builder, fast_retry};
use mongodb_client_blocking::models::{
    BackupMethod, CreateBackupDBInstanceRequest, DescribeAsyncRequestInfoRequest,
    DescribeDBBackupsRequest, DescribeDBInstancesRequest,
};
use mongodb_client_blocking::{Client, Credentials};
use mongodb_emulator::EmulatorHandle;
use serde_json::{json, Value};
use test_support::RawRequest;

const INSTANCES: [&str; 2] = ["cmgo-demo0001", "cmgo-demo0002"];

/// Every logical and physical backup of the demo instances as (instance, remark, name).
/// (A listing that names no method shows logical backups only.)
fn all_backups(client: &Client) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (instance, method) in INSTANCES
        .into_iter()
        .flat_map(|i| [(i, BackupMethod::Logical), (i, BackupMethod::Physical)])
    {
        let req = DescribeDBBackupsRequest::new(instance).with_backup_method(method);
        for b in client.describe_db_backups_iter(req) {
            let b = b.expect("list backups");
            out.push((
                instance.to_string(),
                b.backup_desc.unwrap_or_default(),
                b.backup_name.unwrap_or_default(),
            ));
        }
    }
    out
}

/// How many times each remark occurs among the backups.
fn remark_counts(backups: &[(String, String, String)]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for (_, remark, _) in backups {
        *counts.entry(remark.clone()).or_insert(0) += 1;
    }
    counts
}

// ---- 8 threads × 500 calls through one client ----

/// Client-side limit per action. The emulator counts requests in fixed one-second windows; a
/// token bucket of rate R (burst R) can put up to 2R requests in one such window, so the
/// emulator's limit is set to 2.5 R: any `RequestLimitExceeded` would mean the client's limiter
/// failed, not an artefact of two different counting schemes.
const CLIENT_RATE: f64 = 150.0;
const EMULATOR_LIMIT: u32 = 375;
const THREADS: usize = 8;
const CALLS: usize = 500;

#[test]
fn one_shared_client_8_threads_x_500_calls() {
    let emu = emulator_builder()
        .rate_limit(Some(EMULATOR_LIMIT))
        .rate_limit_window(Duration::from_secs(1))
        .start()
        .unwrap();
    let client = client_for(&emu)
        .rate_limit(Some(CLIENT_RATE))
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let first = client
        .create_backup_db_instance(&CreateBackupDBInstanceRequest::new(
            "cmgo-demo0001",
            BackupMethod::Logical,
        ))
        .unwrap()
        .async_request_id
        .unwrap();

    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = client.clone();
            let first = first.clone();
            std::thread::spawn(move || {
                let mut calls: BTreeMap<&'static str, u64> = BTreeMap::new();
                let mut created = Vec::new();
                let mut last_id = first;
                for i in 0..CALLS {
                    let instance = INSTANCES[(t + i) % 2];
                    let action = if i % 20 == 7 {
                        let remark = format!("load-{t}-{i}");
                        let r = client
                            .create_backup_db_instance(
                                &CreateBackupDBInstanceRequest::new(
                                    instance,
                                    BackupMethod::Physical,
                                )
                                .with_backup_remark(remark.clone()),
                            )
                            .unwrap_or_else(|e| panic!("create {t}/{i}: {e}"));
                        last_id = r.async_request_id.expect("an async request id");
                        created.push((remark, last_id.clone()));
                        "CreateBackupDBInstance"
                    } else {
                        match i % 3 {
                            0 => {
                                let r = client
                                    .describe_db_instances(&DescribeDBInstancesRequest::new())
                                    .unwrap_or_else(|e| panic!("instances {t}/{i}: {e}"));
                                assert_eq!(r.total_count, Some(2));
                                "DescribeDBInstances"
                            }
                            1 => {
                                client
                                    .describe_db_backups(
                                        &DescribeDBBackupsRequest::new(instance).with_limit(5),
                                    )
                                    .unwrap_or_else(|e| panic!("backups {t}/{i}: {e}"));
                                "DescribeDBBackups"
                            }
                            _ => {
                                client
                                    .describe_async_request_info(
                                        &DescribeAsyncRequestInfoRequest::new(last_id.as_str()),
                                    )
                                    .unwrap_or_else(|e| panic!("async {t}/{i}: {e}"));
                                "DescribeAsyncRequestInfo"
                            }
                        }
                    };
                    *calls.entry(action).or_insert(0) += 1;
                }
                (calls, created)
            })
        })
        .collect();
    let mut calls: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut created = Vec::new();
    for w in workers {
        let (c, cr) = w.join().expect("worker");
        for (k, v) in c {
            *calls.entry(k).or_insert(0) += v;
        }
        created.extend(cr);
    }
    let elapsed = started.elapsed();
    eprintln!(
        "load: {} calls on {THREADS} threads in {elapsed:?} ({calls:?})",
        THREADS * CALLS
    );
    assert_eq!(calls.values().sum::<u64>(), (THREADS * CALLS) as u64);
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");

    // The server saw each call exactly once: no retry was needed, nothing throttled.
    let stats = emu.stats();
    assert_eq!(
        stats.rate_limited, 0,
        "the client-side limiter kept us under"
    );
    for (action, n) in &calls {
        let extra = u64::from(*action == "CreateBackupDBInstance");
        assert_eq!(stats.requests.get(*action), Some(&(n + extra)), "{action}");
    }
    assert_eq!(stats.total_requests, (THREADS * CALLS) as u64 + 1);

    // No duplicate creates: one backup per acknowledged create, every async id distinct.
    let ids: BTreeSet<&String> = created.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), created.len(), "async request ids are unique");
    let backups = all_backups(&client);
    let counts = remark_counts(&backups);
    for (remark, _) in &created {
        assert_eq!(counts.get(remark), Some(&1), "backup {remark}");
    }
    // Two seeded backups, the setup's one, and one per acknowledged create.
    assert_eq!(backups.len(), 2 + 1 + created.len());
    let names: BTreeSet<(&String, &String)> = backups.iter().map(|(i, _, n)| (i, n)).collect();
    assert_eq!(names.len(), backups.len(), "backup names are unique");
}

// ---- 16 raw clients: valid, invalid and unsigned requests ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Valid,
    Create,
    BadParams,
    BadJson,
    Unsigned,
    WrongKey,
}

/// Sends a raw POST of `body` for `action` on a fresh connection, signed with `creds` unless
/// `None`; returns the status and the body's JSON `Response`.
fn exchange(
    addr: SocketAddr,
    creds: Option<&Credentials>,
    action: &str,
    body: &[u8],
) -> (u16, Value) {
    let mut request = RawRequest::post_bytes(action, body);
    if let Some(c) = creds {
        request = request.signed(c);
    }
    let answer = request.send(addr);
    (answer.status, answer.response())
}

#[test]
fn sixteen_raw_clients_mixed_traffic_state_stays_consistent() {
    const CLIENTS: usize = 16;
    const EACH: usize = 48;
    let emu = emulator();
    let addr = emu.addr();
    let creds = emu.credentials();
    let wrong = Credentials::new(emu.secret_id(), "not-the-key").unwrap();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|t| {
            let (creds, wrong) = (creds.clone(), wrong.clone());
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                for i in 0..EACH {
                    let kind = [
                        Kind::Valid,
                        Kind::Create,
                        Kind::BadParams,
                        Kind::BadJson,
                        Kind::Unsigned,
                        Kind::WrongKey,
                    ][(t + i) % 6];
                    let instance = INSTANCES[i % 2];
                    let remark = format!("raw-{t}-{i}");
                    let (action, body) = match kind {
                        Kind::Valid => ("DescribeDBInstances", json!({"Limit": 10})),
                        Kind::Create | Kind::Unsigned | Kind::WrongKey => (
                            "CreateBackupDBInstance",
                            json!({"InstanceId": instance, "BackupMethod": 0, "BackupRemark": remark}),
                        ),
                        Kind::BadParams => (
                            "CreateBackupDBInstance",
                            json!({"InstanceId": instance, "BackupMethod": 9, "BackupRemark": remark}),
                        ),
                        Kind::BadJson => ("DescribeDBBackups", json!(null)),
                    };
                    let bytes = match kind {
                        Kind::BadJson => b"{\"InstanceId\": \"cmgo-".to_vec(),
                        _ => serde_json::to_vec(&body).unwrap(),
                    };
                    let signer = match kind {
                        Kind::Unsigned => None,
                        Kind::WrongKey => Some(&wrong),
                        _ => Some(&creds),
                    };
                    let (status, resp) = exchange(addr, signer, action, &bytes);
                    assert_eq!(status, 200, "{kind:?}: {resp}");
                    assert!(resp["RequestId"].is_string(), "{kind:?}: {resp}");
                    let code = resp["Error"]["Code"].as_str().map(str::to_owned);
                    match kind {
                        Kind::Valid => assert_eq!(code, None, "{resp}"),
                        Kind::Create => {
                            assert_eq!(code, None, "{resp}");
                            let id = resp["AsyncRequestId"].as_str().expect("id").to_owned();
                            acked.push((remark, id));
                        }
                        Kind::BadParams | Kind::BadJson => {
                            let c = code.expect("an error");
                            assert!(c.starts_with("InvalidParameter"), "{kind:?}: {c}");
                        }
                        Kind::Unsigned | Kind::WrongKey => {
                            let c = code.expect("an error");
                            assert!(c.starts_with("AuthFailure"), "{kind:?}: {c}");
                        }
                    }
                    *seen.entry(format!("{kind:?}")).or_insert(0) += 1;
                }
                (acked, seen)
            })
        })
        .collect();
    let mut acked = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for w in workers {
        let (a, s) = w.join().expect("every request answered");
        acked.extend(a);
        for (k, v) in s {
            *seen.entry(k).or_insert(0) += v;
        }
    }
    assert_eq!(seen.values().sum::<usize>(), CLIENTS * EACH);
    assert_eq!(emu.stats().total_requests, (CLIENTS * EACH) as u64);
    let create_requests =
        (seen["Create"] + seen["BadParams"] + seen["Unsigned"] + seen["WrongKey"]) as u64;
    assert_eq!(emu.request_count("CreateBackupDBInstance"), create_requests);

    // Every acknowledged backup exists exactly once; nothing refused left a trace.
    let client = client_for(&emu).build().unwrap();
    let backups = all_backups(&client);
    let counts = remark_counts(&backups);
    for (remark, _) in &acked {
        assert_eq!(counts.get(remark), Some(&1), "{remark}");
    }
    assert_eq!(acked.len(), seen["Create"]);
    assert_eq!(
        backups.len(),
        2 + acked.len(),
        "only the seeded and acknowledged"
    );
    for (remark, id) in &acked {
        let info = client
            .describe_async_request_info(&DescribeAsyncRequestInfoRequest::new(id.as_str()))
            .unwrap_or_else(|e| panic!("{remark} ({id}): {e}"));
        assert!(info.status.is_some(), "{remark}");
    }
}

// ---- kill and restart with a state file ----

#[test]
fn stop_mid_burst_and_restart_from_the_state_file_loses_nothing_acknowledged() {
    const WRITERS: usize = 4;
    const STOP_AFTER: usize = 24;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let emu: EmulatorHandle = emulator_builder().state_file(&state).start().unwrap();
    let client = client_for(&emu)
        .retry(fast_retry(1))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let acked_count = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let attempted = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|t| {
            let (client, acked_count, acked, attempted) = (
                client.clone(),
                Arc::clone(&acked_count),
                Arc::clone(&acked),
                Arc::clone(&attempted),
            );
            std::thread::spawn(move || {
                // Until the server goes away (bounded, in case it never does).
                for i in 0..2_000 {
                    let remark = format!("kill-{t}-{i}");
                    attempted.fetch_add(1, Ordering::SeqCst);
                    let req = CreateBackupDBInstanceRequest::new(
                        INSTANCES[(t + i) % 2],
                        BackupMethod::Logical,
                    )
                    .with_backup_remark(remark.clone());
                    match client.create_backup_db_instance(&req) {
                        Ok(r) => {
                            let id = r.async_request_id.expect("id");
                            acked.lock().unwrap().push((remark, id));
                            acked_count.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    assert!(
        common::eventually(Duration::from_secs(60), || acked_count
            .load(Ordering::SeqCst)
            >= STOP_AFTER),
        "backups were acknowledged"
    );
    drop(emu); // the "kill": listener and connections closed mid-burst
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let attempted = attempted.load(Ordering::SeqCst);
    assert!(acked.len() >= STOP_AFTER);
    assert!(
        acked.len() < attempted,
        "some requests were cut off by the stop"
    );

    let emu = emulator_builder().state_file(&state).start().unwrap();
    let client = client_for(&emu).build().unwrap();
    for (remark, id) in &acked {
        client
            .describe_async_request_info(&DescribeAsyncRequestInfoRequest::new(id.as_str()))
            .unwrap_or_else(|e| panic!("async request {id} ({remark}) lost: {e}"));
    }
    let backups = all_backups(&client);
    let counts = remark_counts(&backups);
    for (remark, _) in &acked {
        assert_eq!(
            counts.get(remark),
            Some(&1),
            "backup {remark} after restart"
        );
    }
    // Nothing beyond what was sent: the seeded two plus at most one per create attempted.
    assert!(backups.len() <= 2 + attempted, "{} backups", backups.len());
    eprintln!(
        "kill/restart: {} acknowledged of {attempted} attempted creates, {} backups after restart",
        acked.len(),
        backups.len()
    );
}
