//! Buying instances: `CreateDBInstance` (prepaid) and `CreateDBInstanceHour`
//! (hourly). Both check the order against the catalog, add the instances in
//! status 0 (creating), with their replica sets or shards and nodes, and start
//! a deal whose delivery makes them running (its `DealId` is queried with
//! `DescribeDBInstanceDeal`; reading the instances polls it too). A deal that
//! a fault makes fail removes the instances again.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    CreateDBInstanceHourRequest, CreateDBInstanceHourResponse, CreateDBInstanceRequest,
    CreateDBInstanceResponse, TagInfo,
};

use super::offer::{check_order, Checked, Order};
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, in_range, one_of};
use crate::catalog;
use crate::state::effects::Effect;
use crate::state::features::InstanceFeatures;
use crate::state::instance::{status, Blueprint, Instance, Network, Tag, PAY_HOURLY, PAY_PREPAID};
use crate::util::{fnv1a, splitmix64, ApiError};

const DAY_MS: i64 = 86_400_000;

/// What both purchase actions carry besides the order.
struct Extras {
    project_id: Option<i64>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
    password: Option<String>,
    tags: Option<Vec<TagInfo>>,
    clone: Option<i64>,
    security_group: Option<Vec<String>>,
    instance_name: Option<String>,
    data_encryption: Option<String>,
    key_id: Option<String>,
    kms_region: Option<String>,
}

/// Billing of a purchase.
struct Billing {
    pay_mode: u64,
    /// Months bought (prepaid).
    period: u64,
    auto_renew: i64,
}

/// The order and the extras of a purchase request: `CreateDBInstance` and
/// `CreateDBInstanceHour` are two generated types with the same members, so one macro reads
/// both (a trait over two structs would only restate each member).
macro_rules! order_and_extras {
    ($r:ident) => {
        (
            Order {
                zone: $r.zone,
                zones: $r.availability_zone_list.unwrap_or_default(),
                cluster_type: $r.cluster_type,
                mongo_version: $r.mongo_version,
                machine_code: $r.machine_code,
                memory_gb: $r.memory,
                cpu: $r.cpu_core.map(|c| c.max(0) as u64),
                volume_gb: $r.volume,
                node_num: $r.node_num,
                replicate_set_num: $r.replicate_set_num,
                readonly_node_num: $r.readonly_node_num.unwrap_or(0),
                mongos_node_num: $r.mongos_node_num,
                mongos_cpu: $r.mongos_cpu,
                mongos_memory_gb: $r.mongos_memory,
                goods_num: $r.goods_num,
            },
            Extras {
                project_id: $r.project_id,
                vpc_id: $r.vpc_id,
                subnet_id: $r.subnet_id,
                password: $r.password,
                tags: $r.tags,
                clone: $r.clone,
                security_group: $r.security_group,
                instance_name: $r.instance_name,
                data_encryption: $r.data_encryption,
                key_id: $r.key_id,
                kms_region: $r.kms_region,
            },
        )
    };
}

pub(super) fn create_db_instance(
    ctx: &mut Ctx<'_>,
    r: CreateDBInstanceRequest,
) -> Result<CreateDBInstanceResponse, ApiError> {
    one_of(
        ErrorCode::InvalidParameterValue,
        "Period",
        &r.period,
        catalog::PERIODS,
    )?;
    let auto_renew = r.auto_renew_flag.unwrap_or(0);
    one_of(
        ErrorCode::InvalidParameterValue,
        "AutoRenewFlag",
        &auto_renew,
        &[0, 1],
    )?;
    let (order, extras) = order_and_extras!(r);
    let billing = Billing {
        pay_mode: PAY_PREPAID,
        period: r.period,
        auto_renew: auto_renew as i64,
    };
    let (deal_id, ids) = purchase(ctx, &order, extras, billing)?;
    Ok(CreateDBInstanceResponse::default()
        .with_deal_id(deal_id)
        .with_instance_ids(ids))
}

pub(super) fn create_db_instance_hour(
    ctx: &mut Ctx<'_>,
    r: CreateDBInstanceHourRequest,
) -> Result<CreateDBInstanceHourResponse, ApiError> {
    let (order, extras) = order_and_extras!(r);
    let billing = Billing {
        pay_mode: PAY_HOURLY,
        period: 0,
        auto_renew: 0,
    };
    let (deal_id, ids) = purchase(ctx, &order, extras, billing)?;
    Ok(CreateDBInstanceHourResponse::default()
        .with_deal_id(deal_id)
        .with_instance_ids(ids))
}

/// Checks and carries out a purchase; returns the deal id and the new ids.
fn purchase(
    ctx: &mut Ctx<'_>,
    order: &Order,
    x: Extras,
    billing: Billing,
) -> Result<(String, Vec<String>), ApiError> {
    let checked = check_order(ctx.region_name(), order)?;
    if let Some(clone) = x.clone.filter(|c| *c != 1) {
        return Err(errors::error(
            ErrorCode::UnsupportedOperation,
            format!("The emulator creates regular instances only (Clone 1); read-only, disaster-recovery and clone instances (Clone {clone}) are not modelled."),
        ));
    }
    if let Some(p) = &x.password {
        check_password(p)?;
    }
    let project_id = match x.project_id {
        Some(p) if p < 0 => {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueProjectNotFound,
                format!("ProjectId {p} does not name a project."),
            ))
        }
        p => p.unwrap_or(0) as u64,
    };
    let names = instance_names(x.instance_name.as_deref(), order.goods_num)?;
    let network = |id: &str| {
        let h = splitmix64(fnv1a(&[id]));
        Network {
            net_type: 1,
            vpc_id: x
                .vpc_id
                .clone()
                .unwrap_or_else(|| "vpc-emulator1".to_owned()),
            subnet_id: x
                .subnet_id
                .clone()
                .unwrap_or_else(|| "subnet-emulator1".to_owned()),
            vip: format!(
                "10.{}.{}.{}",
                1 + h % 250,
                (h >> 8) % 256,
                2 + (h >> 16) % 250
            ),
            ..Network::default()
        }
    };
    let tags: Vec<Tag> = x
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| Tag {
            key: t.tag_key.unwrap_or_default(),
            value: t.tag_value.unwrap_or_default(),
        })
        .collect();
    let features = InstanceFeatures {
        security_groups: x.security_group.unwrap_or_default(),
        tde: crate::state::features::Tde {
            enabled: x.data_encryption.as_deref() == Some("TDE"),
            kms_region: x.kms_region.unwrap_or_default(),
            key_id: x.key_id.unwrap_or_default(),
        },
        ..InstanceFeatures::default()
    };
    let now = ctx.now_ms();
    let deadline = if billing.pay_mode == PAY_PREPAID {
        now + billing.period as i64 * 30 * DAY_MS
    } else {
        now + 365 * DAY_MS
    };
    let mut ids = Vec::new();
    for name in names {
        let id = ctx.state_mut().new_instance_id();
        let mut instance = Instance::new(Blueprint {
            name: name.unwrap_or_else(|| id.clone()),
            network: network(&id),
            id: id.clone(),
            region: ctx.region_name().to_owned(),
            zones: checked.zones.clone(),
            status: status::CREATING,
            pay_mode: billing.pay_mode,
            auto_renew: billing.auto_renew,
            create_ms: now,
            deadline_ms: deadline,
            cluster_type: checked.cluster_type,
            mongo_version: checked.version.code.to_owned(),
            spec: checked.spec.clone(),
            project_id,
            tags: tags.clone(),
            password: x.password.clone(),
        });
        instance.features = features.clone();
        ctx.region_mut().instances.push(instance);
        ids.push(id);
    }
    let prices = deal_prices(&checked, &billing, order.goods_num);
    let deal_id = ctx.start_deal(ids.clone(), Some(Effect::Start), "purchase", prices);
    log::debug!("deal {deal_id} buys {ids:?}");
    Ok((deal_id, ids))
}

/// (original, discounted) price of a purchase.
fn deal_prices(checked: &Checked, billing: &Billing, goods: u64) -> (f64, f64) {
    let hourly = catalog::hourly_price(&checked.priced()) * goods as f64;
    if billing.pay_mode == PAY_PREPAID {
        catalog::prepaid_price(hourly, billing.period)
    } else {
        (hourly, hourly)
    }
}

/// The names of `count` new instances: `None` (the id) without a name; the
/// name itself for one instance; `prefix1`, `prefix2`, … for several; and
/// `prefix{R:x}` numbers them from `x`.
fn instance_names(name: Option<&str>, count: u64) -> Result<Vec<Option<String>>, ApiError> {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Ok(vec![None; count as usize]);
    };
    if name.chars().count() > 128 {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueIllegalInstanceName,
            "InstanceName must be at most 128 characters long.",
        ));
    }
    let (prefix, start, suffix) = match (name.find("{R:"), name.find('}')) {
        (Some(open), Some(close)) if close > open => {
            let start: u64 = name[open + 3..close].parse().map_err(|_| {
                errors::error(
                    ErrorCode::InvalidParameterValueIllegalInstanceName,
                    format!("InstanceName `{name}`: {{R:x}} needs a number x."),
                )
            })?;
            (&name[..open], Some(start), &name[close + 1..])
        }
        _ => (name, None, ""),
    };
    Ok((0..count)
        .map(|n| match (start, count) {
            (None, 1) => Some(name.to_owned()),
            (None, _) => Some(format!("{prefix}{}", n + 1)),
            (Some(s), _) => Some(format!("{prefix}{}{suffix}", s + n)),
        })
        .collect())
}

/// The service's password rule: 8 to 32 characters of letters, digits and
/// `!@#%^*()_`, not only letters nor only digits.
fn check_password(p: &str) -> Result<(), ApiError> {
    let fail = |why: &str| {
        errors::error(
            ErrorCode::InvalidParameterValuePasswordRuleFailed,
            format!("Password {why}: use 8 to 32 letters, digits and !@#%^*()_, not only letters or only digits."),
        )
    };
    in_range(
        ErrorCode::InvalidParameterValuePasswordRuleFailed,
        "The password's length",
        p.chars().count(),
        (8, 32),
    )?;
    if let Some(c) = p
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !"!@#%^*()_".contains(*c))
    {
        return Err(fail(&format!("contains `{c}`")));
    }
    if p.chars().all(|c| c.is_ascii_alphabetic()) || p.chars().all(|c| c.is_ascii_digit()) {
        return Err(fail("is only letters or only digits"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_patterns() {
        assert_eq!(instance_names(None, 2).unwrap(), [None, None]);
        assert_eq!(
            instance_names(Some("db"), 1).unwrap(),
            [Some("db".to_owned())]
        );
        let many: Vec<String> = instance_names(Some("cmgo"), 3)
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(many, ["cmgo1", "cmgo2", "cmgo3"]);
        let from: Vec<String> = instance_names(Some("db{R:3}-x"), 2)
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(from, ["db3-x", "db4-x"]);
        assert!(instance_names(Some("db{R:x}"), 2).is_err());
        assert!(instance_names(Some(&"n".repeat(129)), 1).is_err());
    }

    #[test]
    fn passwords_follow_the_rule() {
        assert!(check_password("Secret_123").is_ok());
        assert!(check_password("********").is_ok());
        for bad in [
            "short1",
            "onlyletters",
            "1234567890",
            "has space 1",
            &"a1".repeat(17),
        ] {
            let e = check_password(bad).unwrap_err();
            assert_eq!(
                e.code,
                ErrorCode::InvalidParameterValuePasswordRuleFailed,
                "{bad}"
            );
        }
    }
}
