//! Business errors with the service's documented codes (every one is typed in
//! `mongodb_errors::ErrorCode`). Messages name the parameter or the instance
//! and say what would work. The status guard is `ctx::check_status`.

use std::fmt::Display;

use mongodb_errors::ErrorCode;

use crate::util::ApiError;

/// `InvalidParameterValue.NotFoundInstance`: no such instance in the region.
pub(crate) fn not_found_instance(id: &str) -> ApiError {
    ApiError::not_found_instance(id)
}

/// Any documented code with a message.
pub(crate) fn error(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// `InvalidParameterValue` with a message.
pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid_value(message)
}

/// `FailedOperation.DeletionProtectionEnabled`.
pub(crate) fn deletion_protected(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::FailedOperationDeletionProtectionEnabled,
        format!(
            "The instance `{id}` has deletion protection on; turn it off first (SetDBInstanceDeletionProtection with EnableDeletionProtection 0)."
        ),
    )
}

/// `code` when `value` is outside `min..=max`, naming the parameter.
pub(crate) fn in_range<T: PartialOrd + Display + Copy>(
    code: ErrorCode,
    name: &str,
    value: T,
    (min, max): (T, T),
) -> Result<(), ApiError> {
    if value < min || value > max {
        return Err(ApiError::new(
            code,
            format!("{name} must be between {min} and {max}; got {value}."),
        ));
    }
    Ok(())
}

/// `code` when `value` is not one of `allowed`, naming the parameter.
pub(crate) fn one_of<T: PartialEq + Display>(
    code: ErrorCode,
    name: &str,
    value: &T,
    allowed: &[T],
) -> Result<(), ApiError> {
    if allowed.contains(value) {
        return Ok(());
    }
    let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
    Err(ApiError::new(
        code,
        format!("{name} must be one of {}; got {value}.", list.join(", ")),
    ))
}

/// `UnsupportedOperation` for an action the emulator does not model.
pub(crate) fn unsupported(action: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnsupportedOperation,
        format!(
            "The emulator does not model `{action}` yet; its request was well-formed but nothing was done."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_and_choice_checks_name_the_parameter() {
        let e = in_range(ErrorCode::InvalidParameterValue, "NodeNum", 9u64, (3, 7)).unwrap_err();
        assert!(e.message.contains("NodeNum") && e.message.contains('9'));
        assert!(in_range(ErrorCode::InvalidParameterValue, "NodeNum", 3u64, (3, 7)).is_ok());
        let e = one_of(ErrorCode::InvalidParameterValue, "Period", &5u64, &[1, 2]).unwrap_err();
        assert_eq!(e.message, "Period must be one of 1, 2; got 5.");
        assert_eq!(
            deletion_protected("cmgo-a").code,
            ErrorCode::FailedOperationDeletionProtectionEnabled
        );
    }
}
