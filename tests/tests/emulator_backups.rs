//! Backups and audit through the Rust client's typed methods, against an in-process emulator
//! whose work moves one step per poll (no sleeps): a deleted backup is gone from the list, rules
//! set are rules read, a restore is a flow that reaches success with the instance processing
//! meanwhile, an opened audit shows in its configuration, log shipping shows after it is
//! changed, and an isolated instance refuses every change.

mod common;

use mongodb_client_blocking::Client;
use mongodb_emulator::{EmulatorHandle, Progress};
use mongodb_errors::ErrorCode;
use mongodb_models::{
    AsyncRequestStatus, BackupInfo, BackupMethod, CloseAuditServiceRequest, DeleteDBBackupsRequest,
    DescribeAsyncRequestInfoRequest, DescribeAuditConfigRequest, DescribeBackupRulesRequest,
    DescribeDBBackupsRequest, DescribeDBInstanceLogToCLSRequest, DescribeDBInstancesRequest,
    InstanceStatus, ModifyDBInstanceLogToCLSRequest, OpenAuditServiceRequest, RestoreCollection,
    RestoreDBInstanceRequest, RestoreDatabases, SetBackupRulesRequest,
};

const DEMO: &str = "cmgo-demo0001";

fn emulator() -> EmulatorHandle {
    common::emulator_builder()
        .progress(Progress::PerPoll)
        .start()
        .expect("the emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    common::client_for(emu).build().expect("client")
}

fn backups(c: &Client) -> Vec<BackupInfo> {
    c.describe_db_backups(
        &DescribeDBBackupsRequest::new(DEMO).with_backup_method(BackupMethod::Logical),
    )
    .expect("DescribeDBBackups")
    .backup_list
    .unwrap_or_default()
}

fn status(c: &Client) -> Option<InstanceStatus> {
    let req = DescribeDBInstancesRequest::new().with_instance_ids(vec![DEMO.into()]);
    let found = c.describe_db_instances(&req).expect("DescribeDBInstances");
    found.instance_details.unwrap_or_default()[0].status
}

#[test]
fn a_deleted_backup_is_gone_and_rules_set_are_rules_read() {
    let emu = emulator();
    let c = client(&emu);
    let listed = backups(&c);
    assert_eq!(listed.len(), 1, "the seeded backup");
    let id = listed[0].back_id.expect("BackId");
    c.delete_db_backups(&DeleteDBBackupsRequest::new(DEMO, vec![id]))
        .expect("DeleteDBBackups");
    assert!(backups(&c).is_empty());
    let err = c
        .delete_db_backups(&DeleteDBBackupsRequest::new(DEMO, vec![id]))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::InvalidParameterValueBackupFileNotFound)
    );

    let rules = SetBackupRulesRequest::new(DEMO)
        .with_backup_method(BackupMethod::Physical)
        .with_backup_time(5)
        .with_backup_retention_period(14)
        .with_active_weekdays("1,2,3,4,5")
        .with_long_term_interval("weekly")
        .with_long_term_active_days("0")
        .with_long_term_expired_days(60);
    c.set_backup_rules(&rules).expect("SetBackupRules");
    let read = c
        .describe_backup_rules(&DescribeBackupRulesRequest::new(DEMO))
        .expect("DescribeBackupRules");
    assert_eq!(read.backup_method, Some(BackupMethod::Physical));
    assert_eq!(read.backup_time, Some(5));
    assert_eq!(read.backup_save_time, Some(14));
    assert_eq!(read.active_weekdays.as_deref(), Some("1,2,3,4,5"));
    assert_eq!(read.long_term_interval.as_deref(), Some("weekly"));
    assert_eq!(read.long_term_active_days.as_deref(), Some("0"));
    assert_eq!(read.long_term_expired_days, Some(60));
}

#[test]
fn a_restore_reaches_success_with_the_instance_processing_meanwhile() {
    let emu = emulator();
    let c = client(&emu);
    let point = backups(&c)[0].end_time.clone().expect("EndTime");
    let databases = vec![RestoreDatabases::new(
        "shop",
        vec![RestoreCollection::new("orders", "orders_restored")],
    )];
    let flow = c
        .restore_db_instance(&RestoreDBInstanceRequest::new(DEMO, point, databases))
        .expect("RestoreDBInstance")
        .flow_id
        .expect("FlowId");
    assert_eq!(status(&c), Some(InstanceStatus::Processing), "processing");
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = c
            .describe_async_request_info(&DescribeAsyncRequestInfoRequest::new(flow.to_string()))
            .expect("DescribeAsyncRequestInfo");
        seen.push(r.status.expect("Status"));
        if seen.last() == Some(&AsyncRequestStatus::Success) {
            break;
        }
    }
    assert_eq!(seen.last(), Some(&AsyncRequestStatus::Success), "{seen:?}");
    assert_eq!(status(&c), Some(InstanceStatus::Running), "running again");
}

#[test]
fn audit_and_log_shipping_show_in_their_reads() {
    let emu = emulator();
    let c = client(&emu);
    let err = c
        .describe_audit_config(&DescribeAuditConfigRequest::new(DEMO))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&ErrorCode::FailedOperationAuditConfigNotExist)
    );
    c.open_audit_service(&OpenAuditServiceRequest::new(DEMO, 90))
        .expect("OpenAuditService");
    let config = c
        .describe_audit_config(&DescribeAuditConfigRequest::new(DEMO))
        .expect("DescribeAuditConfig");
    assert_eq!(config.log_expire_day, Some(90));
    assert_eq!(config.audit_all, Some(true));
    assert_eq!(config.instance_id.as_deref(), Some(DEMO));

    let on = ModifyDBInstanceLogToCLSRequest::new(DEMO, "MongoDB-OperationLog", "ON")
        .with_create_logset(true)
        .with_logset("mongo_logs");
    c.modify_db_instance_log_to_cls(&on)
        .expect("ModifyDBInstanceLogToCLS");
    let shipped = c
        .describe_db_instance_log_to_cls(&DescribeDBInstanceLogToCLSRequest::new(DEMO))
        .expect("DescribeDBInstanceLogToCLS");
    let op = shipped.operation_log.expect("OperationLog");
    assert_eq!(op.status.as_deref(), Some("ON"));
    assert!(op.log_set_id.is_some_and(|id| id.len() == 36));
    assert_eq!(
        shipped.slow_log.and_then(|s| s.status).as_deref(),
        Some("OFF")
    );
}

#[test]
fn an_isolated_instance_refuses_every_change() {
    let emu = emulator();
    let c = client(&emu);
    let id = backups(&c)[0].back_id.expect("BackId");
    assert!(emu.set_instance_status(DEMO, -3));
    let errors = [
        c.set_backup_rules(&SetBackupRulesRequest::new(DEMO).with_backup_time(3))
            .err(),
        c.delete_db_backups(&DeleteDBBackupsRequest::new(DEMO, vec![id]))
            .err(),
        c.restore_db_instance(&RestoreDBInstanceRequest::new(
            DEMO,
            "2030-01-01 00:00:00",
            vec![],
        ))
        .err(),
        c.open_audit_service(&OpenAuditServiceRequest::new(DEMO, 7))
            .err(),
        c.close_audit_service(&CloseAuditServiceRequest::new(DEMO))
            .err(),
        c.modify_db_instance_log_to_cls(&ModifyDBInstanceLogToCLSRequest::new(
            DEMO,
            "MongoDB-SlowLog",
            "OFF",
        ))
        .err(),
    ];
    for (n, e) in errors.iter().enumerate() {
        let e = e
            .as_ref()
            .unwrap_or_else(|| panic!("change {n} went through"));
        assert_eq!(
            e.code(),
            Some(&ErrorCode::InvalidParameterValueIllegalInstanceStatus),
            "change {n}: {e}"
        );
    }
    assert_eq!(backups(&c).len(), 1, "nothing deleted");
}
