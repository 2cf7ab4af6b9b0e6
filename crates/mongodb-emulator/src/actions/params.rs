//! Paging and sorting, shared by every list action.

use crate::util::ApiError;

/// `Limit` within `1..=max` (default `default`, `None` for no limit) and
/// `Offset` (default 0), as the request gave them.
pub(crate) fn paging(
    limit: Option<i64>,
    offset: Option<i64>,
    default: Option<u64>,
    max: u64,
) -> Result<(Option<u64>, u64), ApiError> {
    let limit = match limit {
        None => default,
        Some(l) if l >= 1 && l as u64 <= max => Some(l as u64),
        Some(l) => {
            return Err(ApiError::invalid_value(format!(
                "Limit must be between 1 and {max}; got {l}."
            )))
        }
    };
    let offset = match offset {
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

/// A `u64` parameter as the `i64` [`paging`] takes.
pub(crate) fn signed(v: Option<u64>) -> Option<i64> {
    v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
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

/// Whether an `OrderByType`-like value asks for descending order; `None`
/// when it is neither `asc` nor `desc` (any case).
pub(crate) fn descending(order_type: Option<&str>, default_desc: bool) -> Option<bool> {
    match order_type.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Some(default_desc),
        Some("asc") => Some(false),
        Some("desc") => Some(true),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_checks_and_pages() {
        assert_eq!(paging(None, None, Some(20), 100).unwrap(), (Some(20), 0));
        assert!(paging(Some(0), None, None, 100).is_err());
        assert!(paging(Some(101), None, None, 100).is_err());
        assert!(paging(None, Some(-1), None, 100).is_err());
        assert_eq!(page(vec![1, 2, 3, 4], Some(2), 1), [2, 3]);
        assert_eq!(page(vec![1, 2], None, 5), Vec::<i32>::new());
        assert_eq!(descending(Some("DESC"), false), Some(true));
        assert_eq!(descending(None, true), Some(true));
        assert_eq!(descending(Some("up"), true), None);
        assert_eq!(signed(Some(u64::MAX)), Some(i64::MAX));
    }
}
