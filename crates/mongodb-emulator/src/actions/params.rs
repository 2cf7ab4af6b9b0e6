//! Reading already checked parameters, and paging.

use serde_json::Value;

use crate::util::ApiError;

pub(crate) fn str_param<'v>(p: &'v Value, name: &str) -> Option<&'v str> {
    p.get(name).and_then(Value::as_str)
}

pub(crate) fn int_param(p: &Value, name: &str) -> Option<i64> {
    match p.get(name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_u64().map(|u| u as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn int_list(p: &Value, name: &str) -> Option<Vec<i64>> {
    let list = p.get(name)?.as_array()?;
    Some(
        list.iter()
            .filter_map(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
            .collect(),
    )
}

pub(crate) fn str_list(p: &Value, name: &str) -> Option<Vec<String>> {
    let list = p.get(name)?.as_array()?;
    Some(
        list.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    )
}

/// `Limit` within `1..=max` (default `default`), and `Offset` (default 0).
pub(crate) fn paging(
    p: &Value,
    default: Option<u64>,
    max: u64,
) -> Result<(Option<u64>, u64), ApiError> {
    let limit = match int_param(p, "Limit") {
        None => default,
        Some(l) if l >= 1 && l as u64 <= max => Some(l as u64),
        Some(l) => {
            return Err(ApiError::invalid_value(format!(
                "Limit must be between 1 and {max}; got {l}."
            )))
        }
    };
    let offset = match int_param(p, "Offset") {
        None => 0,
        Some(o) if o >= 0 => o as u64,
        Some(o) => {
            return Err(ApiError::invalid_value(format!(
                "Offset must not be negative; got {o}."
            )))
        }
    };
    Ok((limit, offset))
}

/// Applies paging to an already filtered and sorted list.
pub(crate) fn page<T>(items: Vec<T>, limit: Option<u64>, offset: u64) -> Vec<T> {
    let it = items
        .into_iter()
        .skip(offset.min(usize::MAX as u64) as usize);
    match limit {
        Some(l) => it.take(l as usize).collect(),
        None => it.collect(),
    }
}
