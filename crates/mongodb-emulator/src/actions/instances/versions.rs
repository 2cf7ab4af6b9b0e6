//! Engine versions: `UpgradeDbInstanceVersion` moves an instance one
//! `MongoVersion` up (4.0 → 4.2 → 4.4 → 5.0 → 6.0, never a skip or a step
//! down), `UpgradeDBInstanceKernelVersion` to the newest minor version of the
//! one it runs. Both are flows; the instance is processing until they end,
//! when `DescribeDBInstances` shows the new `MongoVersion`.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    UpgradeDBInstanceKernelVersionRequest, UpgradeDBInstanceKernelVersionResponse,
    UpgradeDbInstanceVersionRequest, UpgradeDbInstanceVersionResponse,
};

use super::guard::{self, in_maintenance, Shows};
use crate::actions::ctx::Ctx;
use crate::actions::errors;
use crate::catalog::{self, VERSIONS};
use crate::state::changes::InstanceChange;
use crate::state::instance::Instance;
use crate::util::ApiError;

/// The newest minor version of each engine version on sale.
const NEWEST: &[(&str, &str)] = &[
    ("MONGO_40_WT", "4.0.28"),
    ("MONGO_42_WT", "4.2.24"),
    ("MONGO_44_WT", "4.4.29"),
    ("MONGO_50_WT", "5.0.26"),
    ("MONGO_60_WT", "6.0.15"),
];

/// The full version the instance runs: the one an upgrade left, else the
/// first build of its `MongoVersion` (`4.4.0`).
fn kernel_version(i: &Instance) -> String {
    if !i.ops.kernel_version.is_empty() {
        return i.ops.kernel_version.clone();
    }
    catalog::version(&i.mongo_version)
        .map(|v| format!("{}.0", v.number))
        .unwrap_or_default()
}

pub(super) fn upgrade_db_instance_kernel_version(
    ctx: &mut Ctx<'_>,
    req: UpgradeDBInstanceKernelVersionRequest,
) -> Result<UpgradeDBInstanceKernelVersionResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    in_maintenance(req.in_maintenance)?;
    let Some((_, newest)) = NEWEST.iter().find(|(code, _)| *code == i.mongo_version) else {
        return Err(errors::error(
            ErrorCode::UnsupportedOperationKernelVersionNotSupport,
            format!(
                "The instance `{id}` runs {}, whose minor versions are not upgraded; upgrade its MongoVersion first (UpgradeDbInstanceVersion).",
                i.mongo_version
            ),
        ));
    };
    let current = kernel_version(i);
    if current == *newest {
        return Err(errors::error(
            ErrorCode::UnsupportedOperationKernelVersionNotSupport,
            format!(
                "The instance `{id}` already runs {current}, the newest minor version of {}.",
                i.mongo_version
            ),
        ));
    }
    let change = InstanceChange::Kernel {
        version: (*newest).to_owned(),
    };
    let flow = guard::start_flow(ctx, &id, change, Shows::Processing);
    Ok(UpgradeDBInstanceKernelVersionResponse::default().with_flow_id(flow))
}

pub(super) fn upgrade_db_instance_version(
    ctx: &mut Ctx<'_>,
    req: UpgradeDbInstanceVersionRequest,
) -> Result<UpgradeDbInstanceVersionResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    in_maintenance(req.in_maintenance)?;
    let wanted = req.mongo_version;
    let codes: Vec<&str> = VERSIONS.iter().map(|v| v.code).collect();
    let Some(to) = codes.iter().position(|c| *c == wanted) else {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueMongoVersionError,
            format!(
                "MongoVersion `{wanted}` is not on sale; use one of {}.",
                codes.join(", ")
            ),
        ));
    };
    let from = codes.iter().position(|c| *c == i.mongo_version);
    let next = from.map(|f| f + 1);
    if next != Some(to) {
        let hint = match next.and_then(|n| codes.get(n)) {
            Some(n) => format!("the next version up is {n}"),
            None => "no newer version is on sale".to_owned(),
        };
        return Err(errors::error(
            ErrorCode::UnsupportedOperationVersionNotSupport,
            format!(
                "The instance `{id}` runs {}; versions go up one step at a time and never down ({hint}).",
                i.mongo_version
            ),
        ));
    }
    let change = InstanceChange::Version { code: wanted };
    let flow = guard::start_flow(ctx, &id, change, Shows::Processing);
    Ok(UpgradeDbInstanceVersionResponse::default().with_flow_id(flow))
}
