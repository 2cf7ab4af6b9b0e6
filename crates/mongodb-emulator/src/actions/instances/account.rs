//! Actions the published record gives no parameters, so they concern the
//! account in the request's region: `EnablePasswordRotation` switches
//! password rotation on (once on, it stays on; enabling again changes
//! nothing), `DescribePasswordRotation` reads it (its answer carries only a
//! `RequestId`), `IncreaseDBInstanceConnectionLimit` raises the connection
//! limit (counted in the state).

use mongodb_models::{
    DescribePasswordRotationRequest, DescribePasswordRotationResponse,
    EnablePasswordRotationRequest, EnablePasswordRotationResponse,
    IncreaseDBInstanceConnectionLimitRequest, IncreaseDBInstanceConnectionLimitResponse,
};

use crate::actions::ctx::Ctx;
use crate::util::ApiError;

pub(super) fn enable_password_rotation(
    ctx: &mut Ctx<'_>,
    _req: EnablePasswordRotationRequest,
) -> Result<EnablePasswordRotationResponse, ApiError> {
    if ctx.region().ops.password_rotation_ms.is_none() {
        let now = ctx.now_ms();
        ctx.region_mut().ops.password_rotation_ms = Some(now);
    }
    Ok(EnablePasswordRotationResponse::default())
}

pub(super) fn describe_password_rotation(
    _ctx: &mut Ctx<'_>,
    _req: DescribePasswordRotationRequest,
) -> Result<DescribePasswordRotationResponse, ApiError> {
    Ok(DescribePasswordRotationResponse::default())
}

pub(super) fn increase_db_instance_connection_limit(
    ctx: &mut Ctx<'_>,
    _req: IncreaseDBInstanceConnectionLimitRequest,
) -> Result<IncreaseDBInstanceConnectionLimitResponse, ApiError> {
    let ops = &mut ctx.region_mut().ops;
    ops.connection_limit_raises = ops.connection_limit_raises.saturating_add(1);
    Ok(IncreaseDBInstanceConnectionLimitResponse::default())
}
