//! Property tests of the encoder/decoder pairs the crates' own suites do not cover (tc-sign has
//! sign→verify on its own, models has form encode→decode on raw JSON):
//!
//! - typed request → JSON → `check_request` gives the same JSON and the same typed value;
//! - typed request → `form::encode` → `form::decode` → `check_request` gives it back too;
//! - `ErrorCode` parse → display is the identity on any string;
//! - an error or success envelope built from any strings decodes to those strings;
//! - sign → verify through the client's own wire path (POST and GET), against the emulator
//!   that checks every signature, with arbitrary parameters and arbitrary credentials.

mod common;

use mongodb_client_blocking::models::{
    self, BackupMethod, CreateBackupDBInstanceRequest, CreateBackupDownloadTaskRequest,
    DescribeAsyncRequestInfoRequest, DescribeDBBackupsRequest, DescribeDBInstancesRequest,
    ReplicaSetInfo,
};
use mongodb_client_blocking::{Client, Credentials, Error, ErrorCode, HttpMethod};
use mongodb_models::Action;
use proptest::prelude::*;
use serde_json::{json, Value};

// ---- strategies ----

/// Any text, control characters and non-ASCII included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,24}",
        "[a-zA-Z0-9_.-]{0,16}",
        "[ -~]{0,24}",
        "[\\x00-\\x1F\\x7F\n\t ]{1,8}",
        Just(String::new()),
        Just("1234".to_string()),
        Just("a=b&c=d?e#f/g%20h+i".to_string()),
    ]
}

fn method() -> impl Strategy<Value = BackupMethod> {
    prop_oneof![
        Just(BackupMethod::Logical),
        Just(BackupMethod::Physical),
        Just(BackupMethod::Snapshot),
    ]
}

fn create_backup() -> impl Strategy<Value = CreateBackupDBInstanceRequest> {
    (
        text(),
        method(),
        proptest::option::of(text()),
        proptest::option::of(-2i64..=7300),
    )
        .prop_map(|(id, m, remark, days)| {
            let mut r = CreateBackupDBInstanceRequest::new(id, m);
            if let Some(remark) = remark {
                r = r.with_backup_remark(remark);
            }
            if let Some(days) = days {
                r = r.with_backup_retention_days(days);
            }
            r
        })
}

fn download_task() -> impl Strategy<Value = CreateBackupDownloadTaskRequest> {
    (text(), text(), proptest::collection::vec(text(), 1..4)).prop_map(|(id, name, sets)| {
        CreateBackupDownloadTaskRequest::new(
            id,
            name,
            sets.into_iter().map(ReplicaSetInfo::new).collect(),
        )
    })
}

fn describe_backups() -> impl Strategy<Value = DescribeDBBackupsRequest> {
    (
        text(),
        proptest::option::of(method()),
        proptest::option::of(0u64..=1_000_000),
        proptest::option::of(0u64..=1_000_000),
    )
        .prop_map(|(id, m, limit, offset)| {
            let mut r = DescribeDBBackupsRequest::new(id);
            if let Some(m) = m {
                r = r.with_backup_method(m);
            }
            if let Some(l) = limit {
                r = r.with_limit(l);
            }
            if let Some(o) = offset {
                r = r.with_offset(o);
            }
            r
        })
}

fn describe_instances() -> impl Strategy<Value = DescribeDBInstancesRequest> {
    (
        proptest::option::of(proptest::collection::vec(text(), 1..4)),
        proptest::option::of(proptest::collection::vec(-1i64..=10, 1..3)),
        proptest::option::of(0i64..=2),
        proptest::option::of(text()),
    )
        .prop_map(|(ids, status, cluster, vpc)| {
            let mut r = DescribeDBInstancesRequest::new();
            if let Some(ids) = ids {
                r = r.with_instance_ids(ids);
            }
            if let Some(s) = status {
                r = r.with_status(s);
            }
            if let Some(c) = cluster {
                r = r.with_cluster_type(c);
            }
            if let Some(v) = vpc {
                r = r.with_vpc_id(v);
            }
            r
        })
}

// ---- round trips ----

/// JSON and form round trips of one typed request.
fn round_trips<A: Action + PartialEq>(req: &A) -> Result<(), TestCaseError> {
    let json: Value = serde_json::from_slice(&models::encode_request(req)).unwrap();
    let checked = models::check_request(A::NAME, &json)
        .map_err(|e| TestCaseError::fail(format!("JSON {json} refused: {}", e.message)))?;
    prop_assert_eq!(&checked, &json);
    let typed: A = serde_json::from_value(checked).unwrap();
    prop_assert_eq!(&typed, req);

    let query = models::form::encode(req);
    let decoded = models::form::decode(&query)
        .map_err(|e| TestCaseError::fail(format!("form {query:?} does not decode: {e:?}")))?;
    let checked = models::check_request(A::NAME, &decoded).map_err(|e| {
        TestCaseError::fail(format!("form {query:?} → {decoded} refused: {}", e.message))
    })?;
    prop_assert_eq!(&checked, &json, "via the form {}", query);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn create_backup_round_trips(req in create_backup()) {
        round_trips(&req)?;
    }

    #[test]
    fn create_download_task_round_trips(req in download_task()) {
        round_trips(&req)?;
    }

    #[test]
    fn describe_backups_round_trips(req in describe_backups()) {
        round_trips(&req)?;
    }

    #[test]
    fn describe_instances_round_trips(req in describe_instances()) {
        round_trips(&req)?;
    }

    #[test]
    fn describe_async_round_trips(id in text()) {
        round_trips(&DescribeAsyncRequestInfoRequest::new(id))?;
    }

    #[test]
    fn error_code_text_round_trips(s in ".{0,40}") {
        let code: ErrorCode = s.parse().unwrap();
        prop_assert_eq!(code.to_string(), s.clone());
        let from = ErrorCode::from(s.as_str());
        prop_assert_eq!(from.as_str(), s.as_str());
        let again: ErrorCode = code.to_string().parse().unwrap();
        prop_assert_eq!(again, code);
    }

    #[test]
    fn known_error_codes_round_trip(i in 0usize..10_000) {
        let known = ErrorCode::known();
        let s = known[i % known.len()];
        let code: ErrorCode = s.parse().unwrap();
        prop_assert!(!matches!(code, ErrorCode::Unknown(_)), "{} is known", s);
        prop_assert_eq!(code.as_str(), s);
    }

    #[test]
    fn error_envelopes_decode_to_what_was_encoded(
        code in ".{0,30}", message in ".{0,60}", rid in proptest::option::of(".{0,36}"),
    ) {
        let mut inner = json!({"Error": {"Code": code, "Message": message}});
        if let Some(r) = &rid {
            inner["RequestId"] = json!(r);
        }
        let body = serde_json::to_vec(&json!({"Response": inner})).unwrap();
        match models::decode_response::<Value>(&body) {
            Err(Error::Service(svc)) => {
                prop_assert_eq!(svc.code.as_str(), code.as_str());
                prop_assert_eq!(&svc.message, &message);
                prop_assert_eq!(&svc.request_id, &rid);
            }
            other => prop_assert!(false, "expected a service error, got {:?}", other),
        }
    }

    #[test]
    fn success_envelopes_decode_to_what_was_encoded(
        id in text(), status in "initial|running|success", rid in ".{0,36}",
    ) {
        let body = serde_json::to_vec(&json!({"Response": {
            "Status": status, "StartTime": id, "RequestId": rid,
        }}))
        .unwrap();
        let env = models::decode_response::<models::DescribeAsyncRequestInfoResponse>(&body)
            .unwrap();
        prop_assert_eq!(env.request_id.as_deref(), Some(rid.as_str()));
        let back = serde_json::to_value(&env.response).unwrap();
        prop_assert_eq!(back["Status"].as_str(), Some(status.as_str()));
        prop_assert_eq!(back["StartTime"].as_str(), Some(id.as_str()));
    }
}

// ---- sign → verify through the client's wire path ----

/// The call went through when the emulator did not reject its signature.
fn accepted(result: Result<(), Error>) -> Result<(), TestCaseError> {
    match result {
        Ok(()) => Ok(()),
        Err(Error::Service(svc)) if !svc.code.is_auth() => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("refused: {e:?}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn client_signatures_verify_for_any_parameters(
        get in any::<bool>(),
        instance in text(),
        ids in proptest::collection::vec(text(), 1..4),
        remark in text(),
    ) {
        thread_local! {
            static EMU: mongodb_emulator::EmulatorHandle = common::emulator();
        }
        EMU.with(|emu| {
            let client: Client = common::client_for(emu)
                .http_method(if get { HttpMethod::Get } else { HttpMethod::Post })
                .retry(common::fast_retry(1))
                .rate_limit(None)
                .build()
                .unwrap();
            let before = emu.stats().total_requests;
            accepted(
                client
                    .describe_db_backups(&DescribeDBBackupsRequest::new(instance.as_str()))
                    .map(|_| ()),
            )?;
            accepted(
                client
                    .describe_db_instances(&DescribeDBInstancesRequest::new().with_instance_ids(ids))
                    .map(|_| ()),
            )?;
            let create = CreateBackupDBInstanceRequest::new("cmgo-demo0002", BackupMethod::Physical)
                .with_backup_remark(remark);
            client.create_backup_db_instance(&create).map_err(|e| {
                TestCaseError::fail(format!("create refused: {e:?}"))
            })?;
            prop_assert_eq!(emu.stats().total_requests - before, 3, "one request per call");
            Ok(())
        })?;
    }

    #[test]
    fn client_signatures_verify_for_any_credentials(
        id in "[A-Za-z0-9]{1,40}",
        key in "[!-~]{1,64}",
        token in proptest::option::of("[!-~]{1,80}"),
        get in any::<bool>(),
    ) {
        let emu = common::emulator_builder()
            .credentials(id.as_str(), key.as_str())
            .token(token.clone())
            .start()
            .unwrap();
        let mut creds = Credentials::new(id, key).unwrap();
        if let Some(t) = token {
            creds = creds.with_token(t).unwrap();
        }
        let client = common::client_for(&emu)
            .credentials(creds)
            .http_method(if get { HttpMethod::Get } else { HttpMethod::Post })
            .retry(common::fast_retry(1))
            .build()
            .unwrap();
        let r = client.describe_db_instances(&DescribeDBInstancesRequest::new());
        prop_assert!(r.is_ok(), "{:?}", r.err());
        prop_assert_eq!(emu.request_count("DescribeDBInstances"), 1);
    }
}
