//! Encryption of an instance's connections and data.
//!
//! SSL (`InstanceEnableSSL`, `DescribeInstanceSSL`) switches on and off at
//! once; switching it on issues a certificate valid for three years (kept
//! while it is valid), whose download URL and expiry both reads show. The
//! change is also a flow whose id is answered.
//!
//! Transparent data encryption (`EnableTransparentDataEncryption`,
//! `DescribeTransparentDataEncryptionStatus`) goes on through a flow and
//! shows once the flow succeeds; it never goes off, and asking again (while
//! it is on, or while the flow runs) is refused. Reading the status polls
//! the instance's work, as `DescribeDBInstances` does.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    DescribeInstanceSSLRequest, DescribeInstanceSSLResponse,
    DescribeTransparentDataEncryptionStatusRequest,
    DescribeTransparentDataEncryptionStatusResponse, EnableTransparentDataEncryptionRequest,
    EnableTransparentDataEncryptionResponse, InstanceEnableSSLRequest, InstanceEnableSSLResponse,
    KMSInfoDetail,
};

use super::table::version_number;
use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::catalog;
use crate::state::effects::Effect;
use crate::state::features::FeatureChange;
use crate::state::instance::Instance;
use crate::state::tasks::TaskKind;
use crate::util::{fnv1a, format_time, splitmix64, ApiError};

/// How long a certificate is valid.
const CERT_VALID_MS: i64 = 3 * 365 * 86_400_000;
/// The first engine version with transparent data encryption (4.4).
const TDE_SINCE: u32 = 44;

/// Where the instance's CA certificate is downloaded from.
fn cert_url(host: &str, instance_id: &str) -> String {
    format!("http://{host}/ssl/{instance_id}/mongodb-ca.pem")
}

pub(super) fn instance_enable_ssl(
    ctx: &mut Ctx<'_>,
    req: InstanceEnableSSLRequest,
) -> Result<InstanceEnableSSLResponse, ApiError> {
    let id = req.instance_id;
    let now = ctx.now_ms();
    ctx.checked(&id, Allow::Running)?;
    let flow = ctx.start_task(TaskKind::Flow, vec![id.clone()], None);
    let ssl = &mut ctx.instance_mut(&id, Allow::Running)?.features.ssl;
    if req.enable && ssl.expires_ms <= now {
        ssl.expires_ms = now + CERT_VALID_MS;
    }
    ssl.enabled = req.enable;
    let expires = ssl.expires_ms;
    let answer = InstanceEnableSSLResponse::default()
        .with_status(i64::from(req.enable))
        .with_flow_id(flow as i64);
    Ok(if req.enable {
        answer
            .with_expired_time(format_time(expires))
            .with_cert_url(cert_url(&ctx.host, &id))
    } else {
        answer
    })
}

pub(super) fn describe_instance_ssl(
    ctx: &mut Ctx<'_>,
    req: DescribeInstanceSSLRequest,
) -> Result<DescribeInstanceSSLResponse, ApiError> {
    let ssl = &ctx.instance(&req.instance_id)?.features.ssl;
    let answer = DescribeInstanceSSLResponse::default().with_status(i64::from(ssl.enabled));
    Ok(if ssl.enabled {
        answer
            .with_expired_time(format_time(ssl.expires_ms))
            .with_cert_url(cert_url(&ctx.host, &req.instance_id))
    } else {
        answer.with_expired_time("").with_cert_url("")
    })
}

/// A KMS-style key id (`8-4-4-4-12` hex) drawn from `parts`.
fn key_id(parts: &[&str]) -> String {
    let a = splitmix64(fnv1a(parts));
    let b = splitmix64(a);
    format!(
        "{:08x}-{:04x}-11ef-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// Whether `i` can have transparent data encryption at all.
fn check_tde_support(i: &Instance) -> Result<(), ApiError> {
    if version_number(&i.mongo_version) < TDE_SINCE {
        return Err(errors::error(
            ErrorCode::UnsupportedOperationVersionNotSupport,
            format!(
                "Transparent data encryption needs MongoDB 4.4 or later; `{}` runs {}. Upgrade it first (UpgradeDbInstanceVersion).",
                i.id, i.mongo_version
            ),
        ));
    }
    if catalog::machine(&i.spec.machine_type).is_some_and(|m| m.cloud_disk) {
        return Err(errors::error(
            ErrorCode::UnsupportedOperationVersionNotSupport,
            format!(
                "Transparent data encryption is not offered on cloud-disk instances; `{}` is a {} instance. Use a local-disk machine type such as HIO10G.",
                i.id, i.spec.machine_type
            ),
        ));
    }
    Ok(())
}

pub(super) fn enable_transparent_data_encryption(
    ctx: &mut Ctx<'_>,
    req: EnableTransparentDataEncryptionRequest,
) -> Result<EnableTransparentDataEncryptionResponse, ApiError> {
    let id = req.instance_id;
    let i = ctx.checked(&id, Allow::Running)?;
    if i.features.tde.enabled {
        return Err(errors::error(
            ErrorCode::FailedOperationTransparentDataEncryptionAlreadyOpen,
            format!(
                "Transparent data encryption is already on for `{id}` and can't be switched on again (nor off); DescribeTransparentDataEncryptionStatus shows its key."
            ),
        ));
    }
    let region = ctx.region();
    let opening = region.pending_for(&id).find(|&at| {
        matches!(
            region.tasks[at].effect,
            Some(Effect::Features(FeatureChange::OpenTde { .. }))
        )
    });
    if let Some(at) = opening {
        return Err(errors::error(
            ErrorCode::FailedOperationTransparentDataEncryptionAlreadyOpen,
            format!(
                "Transparent data encryption is being switched on for `{id}` (flow {}); wait for it with DescribeAsyncRequestInfo.",
                region.tasks[at].id
            ),
        ));
    }
    check_tde_support(i)?;
    let kms_region = req.kms_region.trim();
    if !catalog::has_region(kms_region) {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueRegionError,
            format!("KmsRegion must be a region such as ap-guangzhou or ap-shanghai; got `{kms_region}`."),
        ));
    }
    let now = ctx.now_ms().to_string();
    let key = match req.key_id.as_deref().map(str::trim) {
        Some(k) if !k.is_empty() => k.to_owned(),
        _ => key_id(&["generated key", &id, &now]),
    };
    let change = FeatureChange::OpenTde {
        kms_region: kms_region.to_owned(),
        key_id: key,
    };
    let flow = ctx.start_task(TaskKind::Flow, vec![id], Some(Effect::Features(change)));
    Ok(EnableTransparentDataEncryptionResponse::default().with_flow_id(flow as i64))
}

pub(super) fn describe_transparent_data_encryption_status(
    ctx: &mut Ctx<'_>,
    req: DescribeTransparentDataEncryptionStatusRequest,
) -> Result<DescribeTransparentDataEncryptionStatusResponse, ApiError> {
    let id = req.instance_id;
    ctx.instance(&id)?;
    ctx.poll_instances(std::slice::from_ref(&id));
    let i = ctx.instance(&id)?;
    let tde = &i.features.tde;
    if !tde.enabled {
        return Ok(DescribeTransparentDataEncryptionStatusResponse::default()
            .with_transparent_data_encryption_status("close"));
    }
    // Bought with encryption on: the key was chosen at purchase.
    let key = if tde.key_id.is_empty() {
        key_id(&["generated key", &id, "purchase"])
    } else {
        tde.key_id.clone()
    };
    let since = match i.features.tde_opened_ms {
        0 => i.create_ms,
        at => at,
    };
    let kms_region = if tde.kms_region.is_empty() {
        i.region.as_str()
    } else {
        tde.kms_region.as_str()
    };
    let info = KMSInfoDetail::default()
        .with_key_name(format!("mongodb-tde-{id}"))
        .with_key_id(key)
        .with_create_time(format_time(since))
        .with_status("Enabled")
        .with_key_usage("ENCRYPT_DECRYPT")
        .with_key_origin("TENCENT_KMS")
        .with_kms_region(kms_region);
    Ok(DescribeTransparentDataEncryptionStatusResponse::default()
        .with_transparent_data_encryption_status("open")
        .with_key_info_list(vec![info]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_ids_look_like_kms_ones() {
        let k = key_id(&["a", "b"]);
        assert_eq!(k, key_id(&["a", "b"]));
        assert_ne!(k, key_id(&["a", "c"]));
        let parts: Vec<usize> = k.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
    }
}
