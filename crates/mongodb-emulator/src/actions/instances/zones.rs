//! Where an instance runs and what it is: `ModifyInstanceAz` spreads its
//! nodes over other zones of its region (a deal; the instance is processing
//! until it is delivered, then `DescribeDBInstances` shows the zones and
//! `DescribeDBInstanceNodeProperty` each node's zone);
//! `PromoteDBInstanceToActive` makes a read-only or disaster-recovery copy a
//! regular instance.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    ModifyInstanceAzRequest, ModifyInstanceAzResponse, PromoteDBInstanceToActiveRequest,
    PromoteDBInstanceToActiveResponse,
};

use super::guard::{self, in_maintenance, Shows};
use crate::actions::ctx::Ctx;
use crate::actions::errors;
use crate::catalog;
use crate::state::changes::InstanceChange;
use crate::state::effects::Effect;
use crate::util::ApiError;

/// `InvalidParameterValue.ZoneError` unless `zone` is on sale in `region`.
fn check_zone(region: &str, zone: &str, name: &str) -> Result<(), ApiError> {
    if catalog::zones(region).contains(&zone) {
        return Ok(());
    }
    Err(errors::error(
        ErrorCode::InvalidParameterValueZoneError,
        format!(
            "{name} `{zone}` is not a zone of {region}; its zones are: {}.",
            catalog::zones(region).join(", ")
        ),
    ))
}

pub(super) fn modify_instance_az(
    ctx: &mut Ctx<'_>,
    req: ModifyInstanceAzRequest,
) -> Result<ModifyInstanceAzResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    in_maintenance(req.in_maintenance.map(|v| v.min(i64::MAX as u64) as i64))?;
    let region = ctx.region_name();
    let primary = req.primary_node_zone;
    check_zone(region, &primary, "PrimaryNodeZone")?;
    let hidden = req.hidden_node_zone.filter(|z| !z.is_empty());
    if let Some(h) = &hidden {
        check_zone(region, h, "HiddenNodeZone")?;
    }
    if req.secondary_node_zone.is_empty() {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueZoneError,
            "SecondaryNodeZone must name the zones of the secondary nodes.",
        ));
    }
    let mut zones = vec![primary.clone()];
    for (n, z) in req.secondary_node_zone.iter().enumerate() {
        let name = format!("SecondaryNodeZone.{n}");
        check_zone(region, z, &name)?;
        if *z == primary || hidden.as_ref() == Some(z) {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueZoneError,
                format!("{name} `{z}` holds the primary or hidden node; secondaries go to the other zones."),
            ));
        }
        if !zones.contains(z) {
            zones.push(z.clone());
        }
    }
    let readonly = req.readonly_node_zone.unwrap_or_default();
    if i.spec.readonly_node_num > 0 && readonly.is_empty() {
        return Err(errors::invalid(format!(
            "ReadonlyNodeZone is required: `{id}` has {} read-only node(s) per replica set.",
            i.spec.readonly_node_num
        )));
    }
    for (n, z) in readonly.iter().enumerate() {
        check_zone(region, z, &format!("ReadonlyNodeZone.{n}"))?;
    }
    for z in hidden.iter().chain(&readonly) {
        if !zones.contains(z) {
            zones.push(z.clone());
        }
    }
    let current = if i.zones.is_empty() {
        vec![i.zone.clone()]
    } else {
        i.zones.clone()
    };
    if zones == current {
        return Err(errors::invalid(format!(
            "The nodes of `{id}` are already in {}; name other zones.",
            zones.join(", ")
        )));
    }
    guard::mark_processing(ctx, &id);
    let change = InstanceChange::Zones { zones };
    let deal = ctx.start_deal(
        vec![id],
        Some(Effect::Change(change)),
        "upgrade",
        (0.0, 0.0),
    );
    Ok(ModifyInstanceAzResponse::default().with_deal_id(deal))
}

pub(super) fn promote_db_instance_to_active(
    ctx: &mut Ctx<'_>,
    req: PromoteDBInstanceToActiveRequest,
) -> Result<PromoteDBInstanceToActiveResponse, ApiError> {
    let id = req.instance_id;
    let master = req.master_id;
    ctx.instance(&master)?;
    let i = guard::ready(ctx, &id)?;
    if i.ops.standby_of.as_deref() != Some(master.as_str()) {
        return Err(errors::invalid(format!(
            "The instance `{id}` is not a read-only or disaster-recovery instance of `{master}`; only such an instance is promoted (the emulator sells regular instances only)."
        )));
    }
    let flow = guard::start_flow(ctx, &id, InstanceChange::Standalone, Shows::Processing);
    Ok(PromoteDBInstanceToActiveResponse::default().with_flow_id(guard::signed(flow)))
}
