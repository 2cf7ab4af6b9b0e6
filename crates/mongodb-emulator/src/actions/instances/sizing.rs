//! Rules every change of size follows, whole instance or single shards: how
//! it is priced (the rule `InquirePriceModifyDBInstanceSpec` answers with) and
//! how far a disk may shrink.

use mongodb_errors::ErrorCode;

use crate::actions::errors;
use crate::catalog::resize_price;
use crate::state::instance::Instance;
use crate::util::ApiError;

const GB: u64 = 1024;

/// The action and prices of a change from `old` to `new` yuan an hour.
pub(super) fn terms(i: &Instance, old: f64, new: f64, now_ms: i64) -> (&'static str, (f64, f64)) {
    let action = if new > old { "upgrade" } else { "downgrade" };
    (action, resize_price(old, new, i.prepaid_hours_left(now_ms)))
}

/// Volume may shrink only while it stays above 1.2 times what is used
/// (`UsedVolume` is a tenth of the volume).
pub(super) fn check_used_disk(old_mb: u64, new_mb: u64, name: &str) -> Result<(), ApiError> {
    let used_mb = old_mb / 10;
    if new_mb < old_mb && new_mb * 10 < used_mb * 12 {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueSetDiskLessThanUsed,
            format!(
                "{name} {} GB is less than 1.2 times the {} MB in use; choose at least {} GB.",
                new_mb / GB,
                used_mb,
                (used_mb * 12).div_ceil(10 * GB)
            ),
        ));
    }
    Ok(())
}
