//! The SRV connection URL (`mongodb+srv://…`): `EnableSRVConnectionUrl`,
//! `DisableSRVConnectionUrl` and `ModifySRVConnectionUrl` (a custom domain)
//! are flows whose change shows when they succeed;
//! `DescribeSRVConnectionDomain` answers the domain in use (empty while the
//! URL is off).

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeSRVConnectionDomainRequest, DescribeSRVConnectionDomainResponse,
    DisableSRVConnectionUrlRequest, DisableSRVConnectionUrlResponse, EnableSRVConnectionUrlRequest,
    EnableSRVConnectionUrlResponse, ModifySRVConnectionUrlRequest, ModifySRVConnectionUrlResponse,
};

use super::guard::{self, Shows};
use crate::actions::ctx::Ctx;
use crate::actions::errors;
use crate::state::changes::InstanceChange;
use crate::state::instance::Instance;
use crate::util::ApiError;

/// The domain of the instance's SRV record: its custom name, else its id,
/// under the service's zone.
fn domain(i: &Instance) -> String {
    let label = i.features.srv.custom_domain.as_deref().unwrap_or(&i.id);
    format!("{label}.tencentcdb.com")
}

fn srv_flow(ctx: &mut Ctx<'_>, id: &str, enabled: bool, custom_domain: Option<String>) -> u64 {
    let change = InstanceChange::Srv {
        enabled,
        custom_domain,
    };
    guard::start_flow(ctx, id, change, Shows::Running)
}

fn failed(message: String) -> ApiError {
    errors::error(ErrorCode::FailedOperation, message)
}

/// Reading the instance polls the work that changes it, as
/// `DescribeDBInstances` does.
pub(super) fn describe_srv_connection_domain(
    ctx: &mut Ctx<'_>,
    req: DescribeSRVConnectionDomainRequest,
) -> Result<DescribeSRVConnectionDomainResponse, ApiError> {
    let id = req.instance_id;
    ctx.instance(&id)?;
    ctx.poll_instances(std::slice::from_ref(&id));
    let i = ctx.instance(&id)?;
    let answer = if i.features.srv.enabled {
        domain(i)
    } else {
        String::new()
    };
    Ok(DescribeSRVConnectionDomainResponse::default().with_domain(answer))
}

pub(super) fn enable_srv_connection_url(
    ctx: &mut Ctx<'_>,
    req: EnableSRVConnectionUrlRequest,
) -> Result<EnableSRVConnectionUrlResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    if i.features.srv.enabled {
        return Err(failed(format!(
            "The SRV connection URL of `{id}` is already on ({}).",
            domain(i)
        )));
    }
    let custom = i.features.srv.custom_domain.clone();
    let flow = srv_flow(ctx, &id, true, custom);
    Ok(EnableSRVConnectionUrlResponse::default().with_flow_id(flow))
}

pub(super) fn disable_srv_connection_url(
    ctx: &mut Ctx<'_>,
    req: DisableSRVConnectionUrlRequest,
) -> Result<DisableSRVConnectionUrlResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    if !i.features.srv.enabled {
        return Err(failed(format!(
            "The SRV connection URL of `{id}` is already off."
        )));
    }
    let custom = i.features.srv.custom_domain.clone();
    let flow = srv_flow(ctx, &id, false, custom);
    Ok(DisableSRVConnectionUrlResponse::default().with_flow_id(flow))
}

pub(super) fn modify_srv_connection_url(
    ctx: &mut Ctx<'_>,
    req: ModifySRVConnectionUrlRequest,
) -> Result<ModifySRVConnectionUrlResponse, ApiError> {
    let id = req.instance_id;
    let i = guard::ready(ctx, &id)?;
    if !i.features.srv.enabled {
        return Err(failed(format!(
            "The SRV connection URL of `{id}` is off; turn it on first (EnableSRVConnectionUrl)."
        )));
    }
    let name = req.custom_domain;
    let label_ok = (1..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !label_ok {
        return Err(errors::invalid(format!(
            "CustomDomain `{name}` must be 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen."
        )));
    }
    let taken = ctx.region().instances.iter().any(|other| {
        other.id != id
            && (other.features.srv.custom_domain.as_deref() == Some(name.as_str())
                || other.id == name)
    });
    if taken {
        return Err(errors::invalid(format!(
            "CustomDomain `{name}` is used by another instance of {}; choose another name.",
            ctx.region_name()
        )));
    }
    let flow = srv_flow(ctx, &id, true, Some(name));
    Ok(ModifySRVConnectionUrlResponse::default().with_flow_id(flow))
}
