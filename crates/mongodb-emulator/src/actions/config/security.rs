//! Security groups bound to an instance. The emulator stands in for the VPC
//! service too: every well-formed id (`sg-` and eight lower-case letters or
//! digits) names a group of the account whose name, creation time and rules
//! derive from the id, so reads agree with each other and across restarts.
//! `ModifyDBInstanceSecurityGroup` replaces the whole set.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeSecurityGroupRequest, DescribeSecurityGroupResponse,
    ModifyDBInstanceSecurityGroupRequest, ModifyDBInstanceSecurityGroupResponse, SecurityGroup,
    SecurityGroupBound,
};

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::util::{fnv1a, format_time, splitmix64, ApiError};

/// 2021-01-01 00:00:00 UTC+8: the derived groups were made after this.
const EPOCH_MS: i64 = 1_609_430_400_000;
/// They were made within three years of it.
const SPAN_SECS: u64 = 3 * 365 * 86_400;

/// Whether `id` is a well-formed security group id.
fn well_formed(id: &str) -> bool {
    id.strip_prefix("sg-").is_some_and(|tail| {
        tail.len() == 8
            && tail
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

fn bound(
    action: &str,
    protocol: &str,
    ports: &str,
    cidr: &str,
    group: &str,
    desc: &str,
) -> SecurityGroupBound {
    SecurityGroupBound::default()
        .with_action(action)
        .with_cidr_ip(cidr)
        .with_port_range(ports)
        .with_ip_protocol(protocol)
        .with_id(group)
        .with_address_module("")
        .with_service_module("")
        .with_desc(desc)
}

/// The group `id` as the VPC service would describe it.
fn group(id: &str) -> SecurityGroup {
    let h = splitmix64(fnv1a(&["security group", id]));
    let created = EPOCH_MS + ((h % SPAN_SECS) * 1000) as i64;
    let tail = id.strip_prefix("sg-").unwrap_or(id);
    let subnet = format!("10.{}.0.0/16", (h >> 32) % 256);
    let inbound = vec![
        bound(
            "ACCEPT",
            "tcp",
            "27017",
            &subnet,
            id,
            "MongoDB from the application subnet",
        ),
        bound(
            "ACCEPT",
            "tcp",
            "27017,7001",
            "172.16.0.0/12",
            id,
            "MongoDB from the VPC",
        ),
        bound("DROP", "ALL", "ALL", "0.0.0.0/0", id, "everything else"),
    ];
    let outbound = vec![bound(
        "ACCEPT",
        "ALL",
        "ALL",
        "0.0.0.0/0",
        id,
        "all outbound traffic",
    )];
    SecurityGroup::default()
        .with_project_id(0)
        .with_create_time(format_time(created))
        .with_inbound(inbound)
        .with_outbound(outbound)
        .with_security_group_id(id)
        .with_security_group_name(format!("mongodb-access-{tail}"))
        .with_security_group_remark(format!(
            "Lets the application subnet {subnet} and the VPC reach MongoDB; drops other inbound traffic."
        ))
}

pub(super) fn describe_security_group(
    ctx: &mut Ctx<'_>,
    req: DescribeSecurityGroupRequest,
) -> Result<DescribeSecurityGroupResponse, ApiError> {
    let i = ctx.instance(&req.instance_id)?;
    let groups = i
        .features
        .security_groups
        .iter()
        .map(|id| group(id))
        .collect();
    Ok(DescribeSecurityGroupResponse::default().with_groups(groups))
}

pub(super) fn modify_db_instance_security_group(
    ctx: &mut Ctx<'_>,
    req: ModifyDBInstanceSecurityGroupRequest,
) -> Result<ModifyDBInstanceSecurityGroupResponse, ApiError> {
    ctx.checked(&req.instance_id, Allow::Running)?;
    if req.security_group_ids.is_empty() {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueSecurityGroupId,
            "SecurityGroupIds must name at least one security group (it replaces the whole set).",
        ));
    }
    let mut ids: Vec<String> = Vec::new();
    for id in &req.security_group_ids {
        let id = id.trim();
        if !well_formed(id) {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueSecurityGroupId,
                format!(
                    "`{id}` is not a security group id; ids are `sg-` and eight lower-case letters or digits, as the VPC console shows them."
                ),
            ));
        }
        if !ids.iter().any(|x| x == id) {
            ids.push(id.to_owned());
        }
    }
    ctx.instance_mut(&req.instance_id, Allow::Running)?
        .features
        .security_groups = ids;
    Ok(ModifyDBInstanceSecurityGroupResponse::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_derived_groups() {
        assert!(well_formed("sg-ab12cd34"));
        for bad in [
            "sg-a",
            "sg-AB12CD34",
            "ab12cd34",
            "sg-ab12cd345",
            "sg-ab12-d34",
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
        let g = group("sg-ab12cd34");
        assert_eq!(g, group("sg-ab12cd34"), "the same every time");
        assert_ne!(g.create_time, group("sg-ab12cd35").create_time);
        assert_eq!(
            g.security_group_name.as_deref(),
            Some("mongodb-access-ab12cd34")
        );
        let inbound = g.inbound.unwrap();
        assert_eq!(inbound.len(), 3);
        assert!(inbound
            .iter()
            .all(|b| b.id.as_deref() == Some("sg-ab12cd34")));
        assert_eq!(inbound[2].action.as_deref(), Some("DROP"));
    }
}
