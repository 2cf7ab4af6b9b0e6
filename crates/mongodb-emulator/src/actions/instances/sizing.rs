//! Rules every change of size follows, whole instance or single shards: how
//! it is priced (the rule `InquirePriceModifyDBInstanceSpec` answers with) and
//! how far a disk may shrink.

use mongodb_errors::ErrorCode;

use crate::actions::errors;
use crate::catalog::{round_cents, PREPAID_DISCOUNT};
use crate::state::instance::{Instance, PAY_PREPAID};
use crate::util::ApiError;

const GB: u64 = 1024;

/// The action and prices of a change from `old` to `new` yuan an hour.
pub(super) fn terms(i: &Instance, old: f64, new: f64, now_ms: i64) -> (&'static str, (f64, f64)) {
    let action = if new > old { "upgrade" } else { "downgrade" };
    let prices = if i.pay_mode == PAY_PREPAID {
        let hours_left = (i.deadline_ms - now_ms).max(0) as f64 / 3_600_000.0;
        let original = (new - old).max(0.0) * hours_left;
        (
            round_cents(original),
            round_cents(original * PREPAID_DISCOUNT),
        )
    } else {
        (round_cents(new), round_cents(new))
    };
    (action, prices)
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
