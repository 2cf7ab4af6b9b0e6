//! How an instance is reached: `ModifyDBInstanceNetworkAddress` moves it to
//! another VPC, subnet and address (the old address answers for the minutes
//! asked), `EnableWanService` opens public access through a load balancer,
//! and `DescribeDBInstanceURL` gives the connection strings of the current
//! address. Both changes are flows and show when they succeed, in
//! `DescribeDBInstances` (`VpcId`, `SubnetId`, `Vip`), in the URLs and in
//! `DescribeDBInstanceNodeProperty` (`WanServiceAddress`).

use std::net::Ipv4Addr;

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DbURL, DescribeDBInstanceURLRequest, DescribeDBInstanceURLResponse, EnableWanServiceRequest,
    EnableWanServiceResponse, ModifyDBInstanceNetworkAddressRequest,
    ModifyDBInstanceNetworkAddressResponse,
};

use super::guard::{self, Shows};
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, in_range};
use crate::state::changes::InstanceChange;
use crate::state::instance::{Instance, NodeRole};
use crate::state::operations::{RetiredAddress, WanService};
use crate::util::{fnv1a, splitmix64, ApiError};

/// The longest an old address may be kept: 7 days, in minutes.
const MAX_KEEP_MINUTES: u64 = 7 * 24 * 60;

/// `ip:port` of the instance's own address.
fn endpoint(i: &Instance) -> String {
    format!("{}:{}", i.network.vip, i.network.vport)
}

fn invalid_vip(message: String) -> ApiError {
    errors::error(ErrorCode::InvalidParameterInvalidVip, message)
}

pub(super) fn modify_db_instance_network_address(
    ctx: &mut Ctx<'_>,
    req: ModifyDBInstanceNetworkAddressRequest,
) -> Result<ModifyDBInstanceNetworkAddressResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    if i.ops.wan.is_some() {
        return Err(errors::error(
            ErrorCode::FailedOperationNotAllowModifyAddrAfterOpenWanService,
            format!("The instance `{id}` has public access on; its address cannot change while a load balancer forwards to it."),
        ));
    }
    let (vpc, subnet) = (req.new_uniq_vpc_id, req.new_uniq_subnet_id);
    let named = |id: &str, prefix: &str| id.len() > prefix.len() && id.starts_with(prefix);
    if !named(&vpc, "vpc-") || !named(&subnet, "subnet-") {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueVpcIdOrSubnetIdNotFound,
            format!("NewUniqVpcId `{vpc}` / NewUniqSubnetId `{subnet}` do not name a VPC (`vpc-…`) and a subnet (`subnet-…`)."),
        ));
    }
    in_range(
        ErrorCode::InvalidParameterValue,
        "OldIpExpiredTime (minutes)",
        req.old_ip_expired_time,
        (0, MAX_KEEP_MINUTES),
    )?;
    let mut vip = None;
    for (n, a) in req.network_addresses.unwrap_or_default().iter().enumerate() {
        if a.new_ip_address.parse::<Ipv4Addr>().is_err() {
            return Err(invalid_vip(format!(
                "NetworkAddresses.{n}.NewIPAddress `{}` is not an IPv4 address.",
                a.new_ip_address
            )));
        }
        if a.old_ip_address != i.network.vip {
            return Err(invalid_vip(format!(
                "NetworkAddresses.{n}.OldIpAddress `{}` is not the address of `{id}` ({}).",
                a.old_ip_address, i.network.vip
            )));
        }
        match a.node_type.as_deref().filter(|t| !t.is_empty()) {
            None | Some("PRIMARY") => vip = Some(a.new_ip_address.clone()),
            Some("HIDDEN") => {
                return Err(errors::invalid(format!(
                    "NetworkAddresses.{n}.NodeType HIDDEN: `{id}` has no hidden node; use PRIMARY."
                )))
            }
            Some(other) => {
                return Err(errors::invalid(format!(
                    "NetworkAddresses.{n}.NodeType must be PRIMARY or HIDDEN; got `{other}`."
                )))
            }
        }
    }
    let vip = vip.unwrap_or_else(|| {
        let h = splitmix64(fnv1a(&[&id, &vpc, &subnet]));
        format!(
            "10.{}.{}.{}",
            1 + h % 250,
            (h >> 8) % 256,
            2 + (h >> 16) % 250
        )
    });
    let n = &i.network;
    if n.vpc_id == vpc && n.subnet_id == subnet && n.vip == vip {
        return Err(errors::invalid(format!(
            "The instance `{id}` already has address {vip} in {vpc}/{subnet}."
        )));
    }
    let retired = RetiredAddress {
        vpc_id: n.vpc_id.clone(),
        subnet_id: n.subnet_id.clone(),
        vip: n.vip.clone(),
        until_ms: ctx.now_ms() + req.old_ip_expired_time as i64 * 60_000,
    };
    let change = InstanceChange::Network {
        vpc_id: vpc,
        subnet_id: subnet,
        vip,
        retired,
    };
    let flow = guard::start_flow(ctx, &id, change, Shows::Running);
    Ok(ModifyDBInstanceNetworkAddressResponse::default().with_flow_id(flow))
}

/// Reading the instance polls the work that changes it, as
/// `DescribeDBInstances` does.
pub(super) fn describe_db_instance_url(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstanceURLRequest,
) -> Result<DescribeDBInstanceURLResponse, ApiError> {
    let id = req.instance_id;
    ctx.instance(&id)?;
    ctx.poll_instances(std::slice::from_ref(&id));
    let i = ctx.instance(&id)?;
    let set = if i.is_sharded() {
        String::new()
    } else {
        format!("replicaSet={}&", i.replica_set_ids().join(","))
    };
    let url = |read: &str| {
        format!(
            "mongodb://mongouser:******@{}/test?{set}authSource=admin{read}",
            endpoint(i)
        )
    };
    let kinds: &[(&str, &str)] = if i.is_sharded() {
        &[
            ("MONGOS_ALL", ""),
            ("MONGOS_READ_SECONDARY", "&readPreference=secondary"),
            (
                "MONGOS_READ_PRIMARY_AND_SECONDARY",
                "&readPreference=secondaryPreferred",
            ),
            (
                "MONGOS_READ_READONLY",
                "&readPreference=secondary&readPreferenceTags=role:readonly",
            ),
            (
                "MONGOS_READ_SECONDARY_AND_READONLY",
                "&readPreference=nearest",
            ),
        ]
    } else {
        &[
            ("CLUSTER_ALL", ""),
            ("CLUSTER_READ_SECONDARY", "&readPreference=secondary"),
            (
                "CLUSTER_PRIMARY_AND_SECONDARY",
                "&readPreference=secondaryPreferred",
            ),
            (
                "CLUSTER_READ_READONLY",
                "&readPreference=secondary&readPreferenceTags=role:readonly",
            ),
            (
                "CLUSTER_READ_SECONDARY_AND_READONLY",
                "&readPreference=nearest",
            ),
        ]
    };
    // The read-only kinds only where there are read-only nodes.
    let shown = if i.spec.readonly_node_num > 0 { 5 } else { 3 };
    let urls = kinds[..shown]
        .iter()
        .map(|(kind, read)| {
            DbURL::default()
                .with_url_type(*kind)
                .with_address(url(read))
        })
        .collect();
    Ok(DescribeDBInstanceURLResponse::default().with_urls(urls))
}

pub(super) fn enable_wan_service(
    ctx: &mut Ctx<'_>,
    req: EnableWanServiceRequest,
) -> Result<EnableWanServiceResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    let lb = req.load_balancer_id;
    if !(lb.len() > 3 && lb.starts_with("lb-")) {
        return Err(errors::invalid(format!(
            "LoadBalancerId `{lb}` does not name a load balancer (`lb-…`)."
        )));
    }
    if req.node_list.is_empty() {
        return Err(errors::invalid(
            "NodeList must name at least one address (VipVport) and its listener port.",
        ));
    }
    let own = endpoint(i);
    let mut listeners: Vec<(String, u16)> = Vec::new();
    for (n, node) in req.node_list.iter().enumerate() {
        let addr = node.vip_vport.clone().unwrap_or_default();
        let known = addr == own
            || i.replica_sets
                .iter()
                .flat_map(|rs| &rs.nodes)
                .chain(&i.mongos)
                .any(|x| x.address == addr);
        if !known {
            return Err(invalid_vip(format!(
                "NodeList.{n}.VipVport `{addr}` is neither the address of `{id}` ({own}) nor one of its nodes' (DescribeDBInstanceNodeProperty)."
            )));
        }
        let text = node.listener_port.clone().unwrap_or_default();
        let port = text
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| {
                errors::invalid(format!(
                    "NodeList.{n}.ListenerPort must be a port between 1 and 65535; got `{text}`."
                ))
            })?;
        if listeners.iter().any(|(a, p)| *a == addr || *p == port) {
            return Err(errors::invalid(format!(
                "NodeList.{n} repeats an address or a listener port; each address gets its own port."
            )));
        }
        listeners.push((addr, port));
    }
    let h = splitmix64(fnv1a(&[&lb]));
    let wan = WanService {
        public_ip: format!("111.230.{}.{}", h % 256, 1 + (h >> 8) % 254),
        load_balancer_id: lb,
        listeners,
    };
    let flow = guard::start_flow(ctx, &id, InstanceChange::Wan(wan), Shows::Running);
    Ok(EnableWanServiceResponse::default().with_flow_id(flow))
}

/// The public address of node `role` at `address`, when public access
/// forwards to it: a listener on the node itself, or on the instance's
/// address for the node behind it (a replica set's primary, every mongos).
pub(super) fn wan_address(i: &Instance, role: NodeRole, address: &str) -> Option<String> {
    let wan = i.ops.wan.as_ref()?;
    let behind_vip = match role {
        NodeRole::Mongos => true,
        NodeRole::Primary => !i.is_sharded(),
        _ => false,
    };
    let own = endpoint(i);
    wan.listeners
        .iter()
        .find(|(a, _)| a == address)
        .or_else(|| wan.listeners.iter().find(|(a, _)| behind_vip && *a == own))
        .map(|(_, port)| format!("{}:{port}", wan.public_ip))
}
