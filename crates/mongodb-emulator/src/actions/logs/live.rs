//! What the running instance answers about itself: its client connections
//! (`DescribeClientConnections`), its operations under way
//! (`DescribeCurrentOp`, without those ended by `KillOps`), and its databases
//! and collections (`DescribeDBInstanceNamespace`).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    ClientConnection, CurrentOp, DescribeClientConnectionsRequest,
    DescribeClientConnectionsResponse, DescribeCurrentOpRequest, DescribeCurrentOpResponse,
    DescribeDBInstanceNamespaceRequest, DescribeDBInstanceNamespaceResponse, KillOpsRequest,
    KillOpsResponse,
};

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::actions::params::{page, paging, signed};
use crate::synth::live::{current_ops, Op};
use crate::synth::view::View;
use crate::util::ApiError;

pub(super) fn describe_client_connections(
    ctx: &mut Ctx<'_>,
    req: DescribeClientConnectionsRequest,
) -> Result<DescribeClientConnectionsResponse, ApiError> {
    let (limit, offset) = paging(signed(req.limit), signed(req.offset), Some(1000), 1000)?;
    let view = View::of(ctx.checked(&req.instance_id, Allow::NotIsolated)?);
    let total = view.clients.len() as u64;
    let clients = page(view.clients, limit, offset)
        .into_iter()
        .map(|c| {
            ClientConnection::default()
                .with_ip(c.ip)
                .with_count(c.count)
                .with_internal_service(c.internal)
        })
        .collect();
    Ok(DescribeClientConnectionsResponse::default()
        .with_total_count(total)
        .with_clients(clients))
}

/// `InvalidParameterValue.QueryOutOfRange` naming the parameter.
fn out_of_range(name: &str, value: u64, max: u64) -> ApiError {
    errors::error(
        ErrorCode::InvalidParameterValueQueryOutOfRange,
        format!("{name} must be between 0 and {max}; got {value}."),
    )
}

const OP_TYPES: &[&str] = &[
    "none",
    "update",
    "insert",
    "query",
    "command",
    "getmore",
    "remove",
    "killcursors",
];

/// The operations under way on the instance, without the killed ones.
fn live_ops(ctx: &Ctx<'_>, instance_id: &str) -> Result<(View, Vec<Op>), ApiError> {
    let instance = ctx.checked(instance_id, Allow::NotIsolated)?;
    let view = View::of(instance);
    let ops = current_ops(&view, ctx.now_ms())
        .into_iter()
        .filter(|o| !instance.logs.is_killed(o.op_id))
        .collect();
    Ok((view, ops))
}

pub(super) fn describe_current_op(
    ctx: &mut Ctx<'_>,
    req: DescribeCurrentOpRequest,
) -> Result<DescribeCurrentOpResponse, ApiError> {
    let limit = match req.limit.unwrap_or(0) {
        0 => 100,
        l if l <= 100 => l,
        l => return Err(out_of_range("Limit", l, 100)),
    };
    let offset = req.offset.unwrap_or(0);
    if offset > 10_000 {
        return Err(out_of_range("Offset", offset, 10_000));
    }
    let running_ms = req.millisecond_running.unwrap_or(0);
    if running_ms > 3_600_000 {
        return Err(out_of_range("MillisecondRunning", running_ms, 3_600_000));
    }
    let op = req.op.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(op) = op {
        errors::one_of(ErrorCode::InvalidParameterValue, "Op", &op, OP_TYPES)?;
    }
    let state = req
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let state = match state.map(str::to_ascii_lowercase) {
        None => None,
        Some(s) if s == "primary" || s == "secondary" => Some(s),
        Some(s) => {
            return Err(errors::invalid(format!(
                "State must be primary or secondary; got `{s}`."
            )))
        }
    };
    match req.order_by.as_deref().map(str::trim) {
        None | Some("") | Some("MicrosecsRunning") => {}
        Some(o) => {
            return Err(errors::invalid(format!(
                "OrderBy can only be MicrosecsRunning; got `{o}`."
            )))
        }
    }
    let desc = match req
        .order_by_type
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
    {
        "" => false,
        o if o.eq_ignore_ascii_case("asc") => false,
        o if o.eq_ignore_ascii_case("desc") => true,
        o => {
            return Err(errors::invalid(format!(
                "OrderByType must be ASC or DESC; got `{o}`."
            )))
        }
    };
    let (view, ops) = live_ops(ctx, &req.instance_id)?;
    let set = req
        .replica_set_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(set) = set {
        if !view
            .nodes
            .iter()
            .any(|n| n.is_data() && n.replica_set == set)
        {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueReplicaNotFound,
                format!(
                    "ReplicaSetName `{set}` is not a replica set or shard of `{}`.",
                    view.id
                ),
            ));
        }
    }
    let ns = req.ns.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut chosen: Vec<Op> = ops
        .into_iter()
        .filter(|o| ns.is_none_or(|ns| o.ns == ns))
        .filter(|o| o.micros_running > running_ms * 1_000)
        .filter(|o| op.is_none_or(|t| o.op == t))
        .filter(|o| set.is_none_or(|s| view.nodes[o.node].replica_set == s))
        .filter(|o| {
            state
                .as_deref()
                .is_none_or(|s| view.nodes[o.node].state() == s)
        })
        .collect();
    chosen.sort_by_key(|o| (o.micros_running, o.op_id));
    if desc {
        chosen.reverse();
    }
    let total = chosen.len() as u64;
    let out = page(chosen, Some(limit), offset)
        .into_iter()
        .map(|o| {
            let node = &view.nodes[o.node];
            CurrentOp::default()
                .with_op_id(o.op_id)
                .with_ns(o.ns)
                .with_query(o.query)
                .with_op(o.op)
                .with_replica_set_name(node.replica_set.as_str())
                .with_node_name(node.host.as_str())
                .with_operation(o.operation)
                .with_state(node.state())
                .with_microsecs_running(o.micros_running)
                .with_exec_node(node.name.as_str())
        })
        .collect();
    Ok(DescribeCurrentOpResponse::default()
        .with_total_count(total)
        .with_current_ops(out))
}

pub(super) fn kill_ops(
    ctx: &mut Ctx<'_>,
    req: KillOpsRequest,
) -> Result<KillOpsResponse, ApiError> {
    if req.operations.is_empty() {
        return Err(errors::invalid(
            "Operations must name at least one operation (ReplicaSetName, NodeName, OpId from DescribeCurrentOp).",
        ));
    }
    ctx.checked(&req.instance_id, Allow::Running)?;
    let (view, ops) = live_ops(ctx, &req.instance_id)?;
    let mut kills = Vec::new();
    for (n, o) in req.operations.iter().enumerate() {
        let node = view.nodes.iter().position(|x| {
            x.is_data()
                && x.replica_set == o.replica_set_name
                && [&x.host, &x.address, &x.name].contains(&&o.node_name)
        });
        let Some(node) = node else {
            return Err(errors::error(
                ErrorCode::InvalidParameterValueNodeNotFoundInReplica,
                format!(
                    "Operations.{n}: `{}` is not a node of replica set `{}` of `{}`; use the NodeName and ReplicaSetName DescribeCurrentOp gives.",
                    o.node_name, o.replica_set_name, view.id
                ),
            ));
        };
        let Some(op) = ops.iter().find(|x| x.op_id == o.op_id && x.node == node) else {
            return Err(errors::error(
                ErrorCode::FailedOperation,
                format!(
                    "Operations.{n}: no operation {} is running on `{}` (it may have ended); DescribeCurrentOp lists those that are.",
                    o.op_id, o.node_name
                ),
            ));
        };
        kills.push((op.op_id, op.ends_ms));
    }
    let now = ctx.now_ms();
    let logs = &mut ctx.instance_mut(&req.instance_id, Allow::Running)?.logs;
    for (op_id, until) in kills {
        logs.kill(op_id, until, now);
    }
    Ok(KillOpsResponse::default())
}

pub(super) fn describe_db_instance_namespace(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstanceNamespaceRequest,
) -> Result<DescribeDBInstanceNamespaceResponse, ApiError> {
    let view = View::of(ctx.checked(&req.instance_id, Allow::NotIsolated)?);
    let databases: Vec<String> = view.namespaces.iter().map(|(db, _)| db.clone()).collect();
    let Some(db) = req
        .db_name
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
    else {
        return Ok(DescribeDBInstanceNamespaceResponse::default().with_databases(databases));
    };
    let Some((_, collections)) = view.namespaces.iter().find(|(d, _)| *d == db) else {
        return Err(errors::error(
            ErrorCode::InvalidParameter,
            format!(
                "DbName `{db}` is not a database of `{}`; its databases are {}.",
                view.id,
                databases.join(", ")
            ),
        ));
    };
    Ok(DescribeDBInstanceNamespaceResponse::default().with_collections(collections.clone()))
}
