//! The classification tables, for known codes and for unknown codes by prefix.

use mongodb_errors::ErrorCode;

fn code(s: &str) -> ErrorCode {
    s.parse().unwrap()
}

#[test]
fn throttling() {
    for s in [
        "RequestLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "LimitExceeded.TooManyRequests",
        "RequestLimitExceeded.SomethingNew",
    ] {
        let c = code(s);
        assert!(c.is_throttling(), "{s}");
        assert!(c.is_retryable(), "{s}");
        assert!(c.should_retry(false), "{s}");
        assert!(
            !c.is_transient() && !c.is_auth() && !c.is_client_fault(),
            "{s}"
        );
    }
    // Similar names that are not rate limiting.
    for s in [
        "RequestSizeLimitExceeded",
        "LimitExceeded",
        "RequestLimitExceededX",
    ] {
        assert!(!code(s).is_throttling(), "{s}");
    }
}

#[test]
fn clock_skew_is_auth_and_retryable() {
    let c = ErrorCode::AuthFailureSignatureExpire;
    assert!(c.is_clock_skew());
    assert!(c.is_auth());
    assert!(c.is_retryable());
    assert!(c.should_retry(false));
    assert!(!c.is_transient() && !c.is_client_fault() && !c.is_throttling());
    assert!(!ErrorCode::AuthFailureSignatureFailure.is_clock_skew());
    assert!(!code("AuthFailure.SignatureExpired").is_clock_skew());
}

#[test]
fn auth() {
    for s in [
        "AuthFailure",
        "AuthFailure.SignatureFailure",
        "AuthFailure.SecretIdNotFound",
        "AuthFailure.TokenFailure",
        "AuthFailure.InvalidSecretId",
        "UnauthorizedOperation",
        "UnauthorizedOperation.NoAccess",
        "InvalidParameter.PermissionDenied",
        "IpNotInWhitelist",
        "IpInBlacklist",
        "AuthFailure.SomethingNew",
        "UnauthorizedOperation.SomethingNew",
    ] {
        let c = code(s);
        assert!(c.is_auth(), "{s}");
        assert!(!c.is_retryable() && !c.should_retry(true), "{s}");
        assert!(!c.is_client_fault() && !c.is_transient(), "{s}");
    }
}

#[test]
fn transient() {
    for s in [
        "InternalError",
        "InternalError.DBError",
        "InternalError.CosError",
        "InternalError.UnknownError",
        "ServiceUnavailable",
        "ResourceUnavailable",
        "FailedOperation.KernelResponseTimeout",
        "InternalError.SomethingNew",
        "ServiceUnavailable.SomethingNew",
    ] {
        let c = code(s);
        assert!(c.is_transient(), "{s}");
        assert!(
            !c.is_retryable(),
            "{s}: transient is not unconditionally retryable"
        );
        assert!(c.should_retry(true), "{s}");
        assert!(!c.should_retry(false), "{s}");
        assert!(!c.is_client_fault() && !c.is_auth(), "{s}");
    }
}

#[test]
fn client_fault() {
    for s in [
        "InvalidParameter",
        "InvalidParameter.ActionNotFound",
        "InvalidParameterValue",
        "InvalidParameterValue.NotFoundInstance",
        "InvalidParameterValue.LimitParaOutOfRange",
        "MissingParameter",
        "UnknownParameter",
        "InvalidAction",
        "NoSuchVersion",
        "NoSuchProduct",
        "UnsupportedRegion",
        "UnsupportedOperation.VersionNotSupport",
        "RequestSizeLimitExceeded",
        "ResourceNotFound.InstanceNotFundError",
        "OperationDenied.AuditStatusError",
        "FailedOperation.DeletionProtectionEnabled",
        "InvalidParameter.SomethingNew",
        "InvalidParameterValue.SomethingNew",
        "MissingParameter.SomethingNew",
        "UnsupportedOperation.SomethingNew",
    ] {
        let c = code(s);
        assert!(c.is_client_fault(), "{s}");
        assert!(!c.is_retryable() && !c.should_retry(true), "{s}");
        assert!(
            !c.is_transient() && !c.is_auth() && !c.is_throttling(),
            "{s}"
        );
    }
}

#[test]
fn unclassified() {
    for s in [
        "DryRunOperation",
        "FailedOperation",
        "FailedOperation.SomethingNew",
        "ResourceInUse",
        "ResourceInsufficient",
        "",
        "Whatever",
        "internalerror.dberror",
    ] {
        let c = code(s);
        assert!(
            !c.is_throttling()
                && !c.is_auth()
                && !c.is_clock_skew()
                && !c.is_transient()
                && !c.is_retryable()
                && !c.is_client_fault()
                && !c.should_retry(true),
            "{s}"
        );
    }
}

#[test]
fn retryable_is_throttling_or_clock_skew_for_every_known_code() {
    for s in ErrorCode::known() {
        let c = code(s);
        assert_eq!(
            c.is_retryable(),
            c.is_throttling() || c.is_clock_skew(),
            "{s}"
        );
        assert_eq!(c.should_retry(false), c.is_retryable(), "{s}");
        assert_eq!(
            c.should_retry(true),
            c.is_retryable() || c.is_transient(),
            "{s}"
        );
        let classes = [
            c.is_throttling(),
            c.is_auth(),
            c.is_transient(),
            c.is_client_fault(),
        ];
        assert!(
            classes.iter().filter(|b| **b).count() <= 1,
            "{s} is in two classes"
        );
    }
}
