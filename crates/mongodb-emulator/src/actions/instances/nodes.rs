//! The nodes of an instance: `DescribeDBInstanceNodeProperty` lists them from
//! the instance's replica sets (or shards) and mongos, the same ids
//! `DescribeDBInstances` and the spec change use; `RestartNodes` restarts
//! some (they show `STARTUP` until the flow ends); `FlushInstanceRouterConfig`
//! has the mongos of a sharded cluster reload their routing table.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeDBInstanceNodePropertyRequest, DescribeDBInstanceNodePropertyResponse,
    FlushInstanceRouterConfigRequest, FlushInstanceRouterConfigResponse, NodeProperty,
    ReplicateSetInfo, RestartNodesRequest, RestartNodesResponse,
};

use super::guard::{self, Shows};
use super::network::wan_address;
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::state::changes::InstanceChange;
use crate::state::effects::Effect;
use crate::state::instance::{status, Instance, Node, NodeRole};
use crate::state::region::Region;
use crate::util::ApiError;

/// `Role` as the service names it.
fn role_name(role: NodeRole) -> &'static str {
    match role {
        NodeRole::Primary => "PRIMARY",
        NodeRole::Secondary | NodeRole::Hidden => "SECONDARY",
        NodeRole::Readonly => "READONLY",
        NodeRole::Mongos => "MONGOS",
    }
}

/// Every node of the instance with its replica set (none for mongos).
fn all_nodes(i: &Instance) -> impl Iterator<Item = (&Node, Option<&str>)> {
    i.replica_sets
        .iter()
        .flat_map(|rs| rs.nodes.iter().map(move |n| (n, Some(rs.id.as_str()))))
        .chain(i.mongos.iter().map(|n| (n, None)))
}

/// `InvalidParameterValue.NodeNotFoundInReplica` unless every id names a node.
fn check_nodes(i: &Instance, ids: &[String], name: &str) -> Result<(), ApiError> {
    if let Some(missing) = ids
        .iter()
        .find(|id| !all_nodes(i).any(|(n, _)| &n.id == *id))
    {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueNodeNotFoundInReplica,
            format!(
                "{name}: `{missing}` is not a node of `{}`; list its nodes with DescribeDBInstanceNodeProperty.",
                i.id
            ),
        ));
    }
    Ok(())
}

/// Nodes a running restart flow of instance `id` is restarting.
fn restarting(region: &Region, id: &str) -> Vec<String> {
    region
        .pending_for(id)
        .filter_map(|t| match &region.tasks[t].effect {
            Some(Effect::Change(InstanceChange::Restart { node_ids })) => Some(node_ids.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

pub(super) fn restart_nodes(
    ctx: &mut Ctx<'_>,
    req: RestartNodesRequest,
) -> Result<RestartNodesResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    if req.node_ids.is_empty() {
        return Err(errors::invalid(
            "NodeIds must name at least one node (see DescribeDBInstanceNodeProperty).",
        ));
    }
    check_nodes(i, &req.node_ids, "NodeIds")?;
    let mut node_ids: Vec<String> = Vec::new();
    for n in req.node_ids {
        if !node_ids.contains(&n) {
            node_ids.push(n);
        }
    }
    let change = InstanceChange::Restart { node_ids };
    let flow = guard::start_flow(ctx, &id, change, Shows::Running);
    Ok(RestartNodesResponse::default().with_flow_id(guard::signed(flow)))
}

/// The filters of a node query.
struct Filter {
    ids: Vec<String>,
    roles: Vec<String>,
    only_hidden: bool,
    priority: Option<i64>,
    votes: Option<i64>,
    tagged: bool,
}

impl Filter {
    fn keeps(&self, p: &NodeProperty) -> bool {
        let name = p.node_name.clone().unwrap_or_default();
        (self.ids.is_empty() || self.ids.contains(&name))
            && (self.roles.is_empty() || p.role.as_ref().is_some_and(|r| self.roles.contains(r)))
            && (!self.only_hidden || p.hidden == Some(true))
            && self.priority.is_none_or(|v| p.priority == Some(v))
            && self.votes.is_none_or(|v| p.votes == Some(v))
            // Nodes carry no tags: a tag filter matches none.
            && !self.tagged
    }
}

/// Reading the instance polls the work that changes it, as
/// `DescribeDBInstances` does.
pub(super) fn describe_db_instance_node_property(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstanceNodePropertyRequest,
) -> Result<DescribeDBInstanceNodePropertyResponse, ApiError> {
    let id = req.instance_id;
    let ids = req.node_ids.unwrap_or_default();
    check_nodes(ctx.instance(&id)?, &ids, "NodeIds")?;
    let roles = req.roles.unwrap_or_default();
    let known = ["PRIMARY", "SECONDARY", "READONLY", "ARBITER", "MONGOS"];
    if let Some(r) = roles.iter().find(|r| !known.contains(&r.as_str())) {
        return Err(errors::invalid(format!(
            "Roles may hold PRIMARY, SECONDARY, READONLY, ARBITER and MONGOS; got `{r}`."
        )));
    }
    let filter = Filter {
        ids,
        roles,
        only_hidden: req.only_hidden.unwrap_or(false),
        priority: req.priority,
        votes: req.votes,
        tagged: req.tags.is_some_and(|t| !t.is_empty()),
    };
    ctx.poll_instances(std::slice::from_ref(&id));
    let restarting = restarting(ctx.region(), &id);
    let i = ctx.instance(&id)?;
    let starting = i.status == status::CREATING;
    let property = |n: &Node, set: Option<&str>| {
        let restarts = starting || restarting.contains(&n.id);
        let votes = i64::from(!matches!(n.role, NodeRole::Readonly | NodeRole::Mongos));
        let priority = match n.role {
            NodeRole::Primary => 2,
            NodeRole::Secondary => 1,
            _ => 0,
        };
        let mut p = NodeProperty::default()
            .with_zone(n.zone.as_str())
            .with_node_name(n.id.as_str())
            .with_address(n.address.as_str())
            .with_role(role_name(n.role))
            .with_hidden(n.role == NodeRole::Hidden)
            .with_status(if restarts { "STARTUP" } else { "NORMAL" })
            .with_slave_delay(0)
            .with_priority(priority)
            .with_votes(votes)
            .with_tags(Vec::new());
        if let Some(set) = set {
            p = p.with_replicate_set_id(set);
        }
        if let Some(public) = wan_address(i, n.role, &n.address) {
            p = p.with_wan_service_address(public);
        }
        p
    };
    let sets: Vec<ReplicateSetInfo> = i
        .replica_sets
        .iter()
        .filter_map(|rs| {
            let nodes: Vec<NodeProperty> = rs
                .nodes
                .iter()
                .map(|n| property(n, Some(rs.id.as_str())))
                .filter(|p| filter.keeps(p))
                .collect();
            (!nodes.is_empty()).then(|| ReplicateSetInfo::default().with_nodes(nodes))
        })
        .collect();
    let mongos: Vec<NodeProperty> = i
        .mongos
        .iter()
        .map(|n| property(n, None))
        .filter(|p| filter.keeps(p))
        .collect();
    Ok(DescribeDBInstanceNodePropertyResponse::default()
        .with_mongos(mongos)
        .with_replicate_sets(sets)
        .with_dynamo_proxies(Vec::new()))
}

pub(super) fn flush_instance_router_config(
    ctx: &mut Ctx<'_>,
    req: FlushInstanceRouterConfigRequest,
) -> Result<FlushInstanceRouterConfigResponse, ApiError> {
    let id = req.instance_id;
    if !ctx.checked(&id, Allow::Running)?.is_sharded() {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueClusterTypeError,
            format!("The instance `{id}` is a replica set and has no mongos routers to flush; name a sharded cluster."),
        ));
    }
    let now = ctx.now_ms();
    ctx.instance_mut(&id, Allow::Running)?.ops.router_flushed_ms = Some(now);
    Ok(FlushInstanceRouterConfigResponse::default())
}
