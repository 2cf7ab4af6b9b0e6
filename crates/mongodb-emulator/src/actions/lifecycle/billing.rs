//! Renewing prepaid instances and the price inquiries. Prices are
//! deterministic, from the catalog's formula (`catalog::hourly_price`): an
//! hourly instance pays its hourly price; a prepaid month is 720 hours at 85 %.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DBInstancePrice, InquirePriceCreateDBInstancesRequest, InquirePriceCreateDBInstancesResponse,
    InquirePriceModifyDBInstanceSpecRequest, InquirePriceModifyDBInstanceSpecResponse,
    InquirePriceRenewDBInstancesRequest, InquirePriceRenewDBInstancesResponse,
    InstanceChargePrepaid, RenewDBInstancesRequest, RenewDBInstancesResponse,
};

use super::offer::{check_order, machine, node_spec, priced, priced_instance, Order};
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors::{self, in_range, one_of};
use crate::catalog::{self, round_cents};
use crate::state::instance::{status, PAY_PREPAID};
use crate::util::ApiError;

const DAY_MS: i64 = 86_400_000;
const GB: u64 = 1024;

/// Months and `AutoRenewFlag` of an `InstanceChargePrepaid`.
fn prepaid_terms(p: &InstanceChargePrepaid) -> Result<(u64, Option<i64>), ApiError> {
    let period = p.period.unwrap_or(1);
    let months: Vec<i64> = catalog::PERIODS.iter().map(|m| *m as i64).collect();
    one_of(
        ErrorCode::InvalidParameterValue,
        "InstanceChargePrepaid.Period",
        &period,
        &months,
    )?;
    let flag = match p.renew_flag.as_deref() {
        None | Some("") => None,
        Some("NOTIFY_AND_MANUAL_RENEW") => Some(0),
        Some("NOTIFY_AND_AUTO_RENEW") => Some(1),
        Some("DISABLE_NOTIFY_AND_MANUAL_RENEW") => Some(2),
        Some(other) => {
            return Err(errors::invalid(format!(
                "InstanceChargePrepaid.RenewFlag must be NOTIFY_AND_AUTO_RENEW, NOTIFY_AND_MANUAL_RENEW or DISABLE_NOTIFY_AND_MANUAL_RENEW; got `{other}`."
            )))
        }
    };
    Ok((period as u64, flag))
}

fn price(unit: f64, original: f64, discount: f64) -> DBInstancePrice {
    DBInstancePrice::default()
        .with_unit_price(round_cents(unit))
        .with_original_price(round_cents(original))
        .with_discount_price(round_cents(discount))
}

/// The price of `months` of prepaid time at `hourly` yuan an hour.
fn prepaid(hourly: f64, months: u64) -> DBInstancePrice {
    let (original, discount) = catalog::prepaid_price(hourly, months);
    price(hourly, original, discount)
}

fn check_prepaid(ctx: &Ctx<'_>, ids: &[String]) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Err(errors::invalid(
            "InstanceIds must name at least one instance.",
        ));
    }
    for id in ids {
        if ctx.checked(id, Allow::Any)?.pay_mode != PAY_PREPAID {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueInvalidTradeOperation,
                format!("The instance `{id}` is billed by the hour; only prepaid instances are renewed."),
            ));
        }
    }
    Ok(())
}

/// Adds paid months to prepaid instances; an isolated one runs again.
pub(super) fn renew_db_instances(
    ctx: &mut Ctx<'_>,
    req: RenewDBInstancesRequest,
) -> Result<RenewDBInstancesResponse, ApiError> {
    let (months, flag) = prepaid_terms(&req.instance_charge_prepaid)?;
    check_prepaid(ctx, &req.instance_ids)?;
    let now = ctx.now_ms();
    for id in &req.instance_ids {
        let i = ctx.instance_mut(id, Allow::Any)?;
        i.deadline_ms = i.deadline_ms.max(now) + months as i64 * 30 * DAY_MS;
        if let Some(f) = flag {
            i.auto_renew = f;
        }
        if status::is_isolated(i.status) {
            i.status = status::RUNNING;
            i.isolated_ms = None;
        }
    }
    Ok(RenewDBInstancesResponse::default())
}

pub(super) fn inquire_price_create_db_instances(
    ctx: &mut Ctx<'_>,
    r: InquirePriceCreateDBInstancesRequest,
) -> Result<InquirePriceCreateDBInstancesResponse, ApiError> {
    let count = |name: &str, v: i64| -> Result<u64, ApiError> {
        u64::try_from(v)
            .map_err(|_| errors::invalid(format!("{name} must not be negative; got {v}.")))
    };
    let order = Order {
        zone: r.zone,
        zones: Vec::new(),
        cluster_type: r.cluster_type,
        mongo_version: r.mongo_version,
        machine_code: r.machine_code,
        memory_gb: count("Memory", r.memory)?,
        cpu: r.cpu.map(|c| count("Cpu", c)).transpose()?,
        volume_gb: count("Volume", r.volume)?,
        node_num: count("NodeNum", r.node_num)?,
        replicate_set_num: count("ReplicateSetNum", r.replicate_set_num)?,
        readonly_node_num: count("ReadonlyNodeNum", r.readonly_node_num.unwrap_or(0))?,
        mongos_node_num: r.mongos_num,
        mongos_cpu: r.mongos_cpu,
        mongos_memory_gb: r.mongos_memory,
        goods_num: count("GoodsNum", r.goods_num)?,
    };
    let checked = check_order(ctx.region_name(), &order)?;
    let hourly = catalog::hourly_price(&checked.priced()) * order.goods_num as f64;
    let answer = match r.instance_charge_type.as_deref() {
        None | Some("") | Some("PREPAID") => {
            let months = r.period.unwrap_or(1);
            let allowed: Vec<i64> = catalog::PERIODS.iter().map(|m| *m as i64).collect();
            one_of(
                ErrorCode::InvalidParameterValue,
                "Period",
                &months,
                &allowed,
            )?;
            prepaid(hourly, months as u64)
        }
        Some("POSTPAID_BY_HOUR") => price(hourly, hourly, hourly),
        Some(other) => {
            return Err(errors::invalid(format!(
                "InstanceChargeType must be PREPAID or POSTPAID_BY_HOUR; got `{other}`."
            )))
        }
    };
    Ok(InquirePriceCreateDBInstancesResponse::default().with_price(answer))
}

pub(super) fn inquire_price_renew_db_instances(
    ctx: &mut Ctx<'_>,
    req: InquirePriceRenewDBInstancesRequest,
) -> Result<InquirePriceRenewDBInstancesResponse, ApiError> {
    let (months, _) = prepaid_terms(&req.instance_charge_prepaid)?;
    check_prepaid(ctx, &req.instance_ids)?;
    let mut hourly = 0.0;
    for id in &req.instance_ids {
        hourly += catalog::hourly_price(&priced_instance(ctx.instance(id)?));
    }
    Ok(InquirePriceRenewDBInstancesResponse::default().with_price(prepaid(hourly, months)))
}

/// The price of a new size: for an hourly instance its new hourly price; for a
/// prepaid one the difference for the paid time left (nothing when smaller).
pub(super) fn inquire_price_modify_db_instance_spec(
    ctx: &mut Ctx<'_>,
    req: InquirePriceModifyDBInstanceSpecRequest,
) -> Result<InquirePriceModifyDBInstanceSpecResponse, ApiError> {
    let instance = ctx.checked(&req.instance_id, Allow::Running)?;
    let now = ctx.now_ms();
    let nonneg = |name: &str, v: i64| -> Result<u64, ApiError> {
        u64::try_from(v)
            .map_err(|_| errors::invalid(format!("{name} must not be negative; got {v}.")))
    };
    let memory_gb = nonneg("Memory", req.memory)?;
    let volume_gb = nonneg("Volume", req.volume)?;
    let cpu = req.cpu.map(|c| nonneg("Cpu", c)).transpose()?;
    let node = node_spec(
        machine(&instance.spec.machine_type)?,
        memory_gb,
        cpu,
        volume_gb,
    )?;
    let mut spec = instance.spec.clone();
    spec.cpu = node.cpu;
    spec.memory_mb = memory_gb * GB;
    spec.volume_mb = volume_gb * GB;
    if let Some(n) = req.node_num {
        let n = nonneg("NodeNum", n)?;
        in_range(
            ErrorCode::InvalidParameterValueSecondaryNumError,
            "NodeNum",
            n,
            catalog::NODES,
        )?;
        spec.node_num = n;
    }
    if let Some(s) = req.replicate_set_num {
        let s = nonneg("ReplicateSetNum", s)?;
        if !instance.is_sharded() && s != 1 {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueReplicaSetNumError,
                format!("ReplicateSetNum of a replica set instance must stay 1; got {s}."),
            ));
        }
        if instance.is_sharded() && (s < spec.shard_num || s > catalog::SHARDS.1) {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueReplicaSetNumError,
                format!(
                    "ReplicateSetNum must be between the current {} and {}; got {s}.",
                    spec.shard_num,
                    catalog::SHARDS.1
                ),
            ));
        }
        spec.shard_num = s;
    }
    let old = catalog::hourly_price(&priced_instance(instance));
    let new = catalog::hourly_price(&priced(&spec));
    let (original, discount) = catalog::resize_price(old, new, instance.prepaid_hours_left(now));
    let answer = price(new, original, discount);
    Ok(InquirePriceModifyDBInstanceSpecResponse::default().with_price(answer))
}
