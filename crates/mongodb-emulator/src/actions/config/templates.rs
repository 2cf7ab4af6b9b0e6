//! Parameter templates. The service provides one default template per
//! engine version on sale and cluster type (`TplType` `DEFAULT`: the table's
//! defaults, never changed or dropped, the same ids in every region); the
//! account adds its own (`CUSTOMIZE`), kept per region: created from scratch
//! (the defaults plus the values given, e.g. the values read from an
//! instance) or as a copy of another template (`MirrorTplId`), then renamed,
//! changed and dropped.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    CreateDBInstanceParamTplRequest, CreateDBInstanceParamTplResponse,
    DescribeDBInstanceParamTplDetailRequest, DescribeDBInstanceParamTplDetailResponse,
    DescribeDBInstanceParamTplRequest, DescribeDBInstanceParamTplResponse,
    DropDBInstanceParamTplRequest, DropDBInstanceParamTplResponse, ModifyDBInstanceParamTplRequest,
    ModifyDBInstanceParamTplResponse, ParamTpl, ParamType,
};

use super::table;
use crate::actions::ctx::Ctx;
use crate::actions::errors::{self, one_of};
use crate::catalog;
use crate::state::features::ParamTemplate;
use crate::util::{fnv1a, splitmix64, ApiError};

const REPLSET: &str = "REPLSET";
const SHARD: &str = "SHARD";
const DEFAULT: &str = "DEFAULT";
const CUSTOMIZE: &str = "CUSTOMIZE";
/// The longest template name accepted (characters).
const NAME_MAX: usize = 64;

/// `tpl-` and nine lower-case letters and digits drawn from `seed`.
fn tpl_id(seed: u64) -> String {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut h = splitmix64(seed);
    let tail: String = (0..9)
        .map(|_| {
            let c = ALPHABET[(h % 36) as usize] as char;
            h /= 36;
            c
        })
        .collect();
    format!("tpl-{tail}")
}

/// The service's default templates, one per version on sale and cluster type.
fn default_templates() -> Vec<ParamTemplate> {
    catalog::VERSIONS
        .iter()
        .flat_map(|v| {
            [REPLSET, SHARD].map(|cluster| ParamTemplate {
                id: tpl_id(fnv1a(&["default template", v.code, cluster])),
                name: "default parameter template".to_owned(),
                description: format!(
                    "Provided by the service for MongoDB {} ({cluster}); it can be copied but not changed or dropped.",
                    v.number
                ),
                mongo_version: v.code.to_owned(),
                cluster_type: cluster.to_owned(),
                built_in: true,
                ..ParamTemplate::default()
            })
        })
        .collect()
}

/// Every template of the request's region: the defaults, then the account's.
fn all_templates(ctx: &Ctx<'_>) -> Vec<ParamTemplate> {
    let mut all = default_templates();
    all.extend(ctx.region().features.templates.iter().cloned());
    all
}

fn not_found(id: &str) -> ApiError {
    errors::invalid(format!(
        "TplId `{id}` names no parameter template of this region; DescribeDBInstanceParamTpl lists them."
    ))
}

/// The template `id` (a default one or the account's).
fn find(ctx: &Ctx<'_>, id: &str) -> Result<ParamTemplate, ApiError> {
    all_templates(ctx)
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| not_found(id))
}

/// The position of the account's template `id` in the region's list.
fn custom_index(ctx: &Ctx<'_>, id: &str, doing: &str) -> Result<usize, ApiError> {
    if let Some(at) = ctx
        .region()
        .features
        .templates
        .iter()
        .position(|t| t.id == id)
    {
        return Ok(at);
    }
    if default_templates().iter().any(|t| t.id == id) {
        return Err(errors::error(
            ErrorCode::InvalidParameter,
            format!(
                "TplId `{id}` is a default template of the service, which can't be {doing}; copy it (CreateDBInstanceParamTpl with MirrorTplId) and change the copy."
            ),
        ));
    }
    Err(not_found(id))
}

/// A template name: 1 to 64 characters, unused by the account's other
/// templates.
fn check_name(ctx: &Ctx<'_>, name: &str, except: Option<&str>) -> Result<String, ApiError> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX {
        return Err(errors::invalid(format!(
            "TplName must be 1 to {NAME_MAX} characters long; got {chars}."
        )));
    }
    let taken = ctx
        .region()
        .features
        .templates
        .iter()
        .any(|t| t.name == name && Some(t.id.as_str()) != except);
    if taken {
        return Err(errors::invalid(format!(
            "A parameter template named `{name}` already exists; choose another TplName."
        )));
    }
    Ok(name.to_owned())
}

/// Sets `params` on `t`, each checked against its version and cluster type.
fn set_params(t: &mut ParamTemplate, params: &[ParamType]) -> Result<(), ApiError> {
    let place = format!("{} {} templates", t.mongo_version, t.cluster_type);
    let sharded = t.cluster_type == SHARD;
    let mut checked = Vec::new();
    for p in params {
        let entry = table::check(&t.mongo_version, sharded, &place, &p.key, &p.value)?;
        checked.push((entry.name, p.value.trim().to_owned()));
    }
    for (name, value) in checked {
        t.params.insert(name.to_owned(), value);
    }
    Ok(())
}

fn param_tpl(t: &ParamTemplate) -> ParamTpl {
    ParamTpl::default()
        .with_tpl_name(t.name.as_str())
        .with_tpl_id(t.id.as_str())
        .with_mongo_version(t.mongo_version.as_str())
        .with_cluster_type(t.cluster_type.as_str())
        .with_tpl_desc(t.description.as_str())
        .with_tpl_type(if t.built_in { DEFAULT } else { CUSTOMIZE })
}

/// Whether a list filter (absent or empty: no filter) lets `value` through.
fn passes(filter: Option<&Vec<String>>, value: &str) -> bool {
    filter.is_none_or(|f| f.is_empty() || f.iter().any(|x| x == value))
}

pub(super) fn describe_db_instance_param_tpl(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstanceParamTplRequest,
) -> Result<DescribeDBInstanceParamTplResponse, ApiError> {
    let tpl_type = req
        .tpl_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(t) = tpl_type {
        one_of(
            ErrorCode::InvalidParameterValue,
            "TplType",
            &t,
            &[DEFAULT, CUSTOMIZE],
        )?;
    }
    let found: Vec<ParamTpl> = all_templates(ctx)
        .iter()
        .filter(|t| passes(req.tpl_ids.as_ref(), &t.id))
        .filter(|t| passes(req.tpl_names.as_ref(), &t.name))
        .filter(|t| passes(req.mongo_version.as_ref(), &t.mongo_version))
        .filter(|t| tpl_type.is_none_or(|want| (want == DEFAULT) == t.built_in))
        .map(param_tpl)
        .collect();
    Ok(DescribeDBInstanceParamTplResponse::default()
        .with_total_count(found.len() as u64)
        .with_param_tpls(found))
}

pub(super) fn describe_db_instance_param_tpl_detail(
    ctx: &mut Ctx<'_>,
    req: DescribeDBInstanceParamTplDetailRequest,
) -> Result<DescribeDBInstanceParamTplDetailResponse, ApiError> {
    let t = find(ctx, &req.tpl_id)?;
    let mut params = table::params_for(&t.mongo_version, t.cluster_type == SHARD);
    if let Some(name) = req
        .param_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        params.retain(|p| p.name == name);
        if params.is_empty() {
            return Err(errors::invalid(format!(
                "ParamName `{name}` is not a parameter of template `{}` ({} {}); leave ParamName out to list them all.",
                t.id, t.mongo_version, t.cluster_type
            )));
        }
    }
    let lists = table::lists(params, |p| {
        let value = t.params.get(p.name).map_or(p.default, String::as_str);
        (value.to_owned(), true)
    });
    Ok(DescribeDBInstanceParamTplDetailResponse::default()
        .with_total_count(lists.len() as i64)
        .with_instance_enum_params(lists.enums)
        .with_instance_integer_params(lists.integers)
        .with_instance_text_params(lists.texts)
        .with_instance_multi_params(lists.multis)
        .with_mongo_version(t.mongo_version.as_str())
        .with_cluster_type(t.cluster_type.as_str())
        .with_tpl_name(t.name.as_str()))
}

pub(super) fn create_db_instance_param_tpl(
    ctx: &mut Ctx<'_>,
    req: CreateDBInstanceParamTplRequest,
) -> Result<CreateDBInstanceParamTplResponse, ApiError> {
    let name = check_name(ctx, &req.tpl_name, None)?;
    let mirror = req
        .mirror_tpl_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let (mongo_version, cluster_type, params) = match mirror {
        Some(id) => {
            let source = find(ctx, id)?;
            (source.mongo_version, source.cluster_type, source.params)
        }
        None => {
            let version = required(req.mongo_version.as_deref(), "MongoVersion")?;
            if catalog::version(version).is_none() {
                let codes: Vec<&str> = catalog::VERSIONS.iter().map(|v| v.code).collect();
                return Err(errors::error(
                    ErrorCode::InvalidParameterValueMongoVersionError,
                    format!(
                        "MongoVersion must be one of {}; got `{version}`.",
                        codes.join(", ")
                    ),
                ));
            }
            let cluster = required(req.cluster_type.as_deref(), "ClusterType")?;
            one_of(
                ErrorCode::InvalidParameterValueClusterTypeError,
                "ClusterType",
                &cluster,
                &[REPLSET, SHARD],
            )?;
            (version.to_owned(), cluster.to_owned(), Default::default())
        }
    };
    let mut t = ParamTemplate {
        id: String::new(),
        name,
        description: req.tpl_desc.unwrap_or_default().trim().to_owned(),
        mongo_version,
        cluster_type,
        built_in: false,
        params,
        created_ms: ctx.now_ms(),
    };
    set_params(&mut t, req.params.as_deref().unwrap_or_default())?;
    let taken: Vec<String> = all_templates(ctx).into_iter().map(|t| t.id).collect();
    t.id = loop {
        let id = tpl_id(ctx.take_id() ^ 0x7470_6c00);
        if !taken.contains(&id) {
            break id;
        }
    };
    let id = t.id.clone();
    ctx.region_mut().features.templates.push(t);
    Ok(CreateDBInstanceParamTplResponse::default().with_tpl_id(id))
}

/// A member the request needs when `MirrorTplId` is not given.
fn required<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(v),
        None => Err(errors::error(
            ErrorCode::MissingParameter,
            format!("{name} is required when MirrorTplId is not given."),
        )),
    }
}

pub(super) fn modify_db_instance_param_tpl(
    ctx: &mut Ctx<'_>,
    req: ModifyDBInstanceParamTplRequest,
) -> Result<ModifyDBInstanceParamTplResponse, ApiError> {
    let at = custom_index(ctx, &req.tpl_id, "changed")?;
    let mut t = ctx.region().features.templates[at].clone();
    if let Some(name) = req.tpl_name.as_deref().filter(|n| !n.trim().is_empty()) {
        t.name = check_name(ctx, name, Some(&t.id))?;
    }
    if let Some(desc) = req.tpl_desc.as_deref().filter(|d| !d.trim().is_empty()) {
        desc.trim().clone_into(&mut t.description);
    }
    set_params(&mut t, req.params.as_deref().unwrap_or_default())?;
    ctx.region_mut().features.templates[at] = t;
    Ok(ModifyDBInstanceParamTplResponse::default())
}

pub(super) fn drop_db_instance_param_tpl(
    ctx: &mut Ctx<'_>,
    req: DropDBInstanceParamTplRequest,
) -> Result<DropDBInstanceParamTplResponse, ApiError> {
    let at = custom_index(ctx, &req.tpl_id, "dropped")?;
    ctx.region_mut().features.templates.remove(at);
    Ok(DropDBInstanceParamTplResponse::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_templates_have_stable_distinct_ids() {
        let a = default_templates();
        assert_eq!(a.len(), catalog::VERSIONS.len() * 2);
        assert_eq!(a, default_templates());
        let mut ids: Vec<&str> = a.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), a.len());
        assert!(ids
            .iter()
            .all(|id| id.len() == 13 && id.starts_with("tpl-")));
        assert!(passes(None, "x") && passes(Some(&vec![]), "x"));
        assert!(!passes(Some(&vec!["y".to_owned()]), "x"));
    }
}
