//! The one place where error codes are sorted into classes.
//!
//! A code is looked up first in the exact tables, then by prefix (the part up
//! to and including the first dot, or the bare family name). The exact tables
//! win, which is how a known code can sit in a different class than its family
//! (`InvalidParameter.PermissionDenied` is about permissions, not the request;
//! `FailedOperation.KernelResponseTimeout` is a server fault with an unknown
//! outcome). Codes the tables do not mention belong to no class.
//!
//! Classes do not overlap, except that clock skew is a kind of auth failure.

use crate::ErrorCode;

/// The class of an error code. Private: callers use the `is_*` methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Rejected by rate limiting before anything ran.
    Throttling,
    /// The signature's timestamp is too far from the server clock.
    ClockSkew,
    /// Credentials, signature, permissions or caller address were rejected.
    Auth,
    /// A server-side fault; the request may or may not have taken effect.
    Transient,
    /// The caller must change the request (or the resource it targets).
    ClientFault,
    /// None of the above (for example a business-state conflict).
    Other,
}

/// Rate limiting: nothing was executed, resending later is always safe.
const THROTTLING: &[&str] = &[
    "RequestLimitExceeded",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    "RequestLimitExceeded.IPLimitExceeded",
    "RequestLimitExceeded.UinLimitExceeded",
    // The MongoDB service's own "too many requests" limit.
    "LimitExceeded.TooManyRequests",
];

/// Families whose unknown members are rate limiting.
const THROTTLING_PREFIXES: &[&str] = &["RequestLimitExceeded."];

/// The request was signed with a timestamp too far from the server clock.
const CLOCK_SKEW: &[&str] = &["AuthFailure.SignatureExpire"];

/// Identity, signature, permission or network-access refusals.
const AUTH: &[&str] = &[
    "AuthFailure",
    "AuthFailure.InvalidAuthorization",
    "AuthFailure.InvalidSecretId",
    "AuthFailure.MFAFailure",
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.SignatureFailure",
    "AuthFailure.TokenFailure",
    "AuthFailure.UnauthorizedOperation",
    "UnauthorizedOperation",
    "UnauthorizedOperation.NoAccess",
    // A CAM permission refusal filed under the parameter family.
    "InvalidParameter.PermissionDenied",
    // The caller's address is refused by an access list.
    "IpInBlacklist",
    "IpNotInWhitelist",
];

/// Families whose unknown members are auth failures.
const AUTH_PREFIXES: &[&str] = &["AuthFailure.", "UnauthorizedOperation."];

/// Server-side faults where the outcome is unknown, or the service is
/// momentarily unable to serve.
const TRANSIENT: &[&str] = &[
    "InternalError",
    "ServiceUnavailable",
    "ResourceUnavailable",
    // The database kernel did not answer in time; it may still have acted.
    "FailedOperation.KernelResponseTimeout",
];

/// Families whose members (known or not) are transient faults.
const TRANSIENT_PREFIXES: &[&str] = &[
    "InternalError.",
    "ServiceUnavailable.",
    "ResourceUnavailable.",
];

/// The request itself is wrong, or targets something that does not exist or
/// does not allow it; resending it unchanged fails the same way.
const CLIENT_FAULT: &[&str] = &[
    "InvalidAction",
    "InvalidParameter",
    "InvalidParameterValue",
    "InvalidRequest",
    "MissingParameter",
    "UnknownParameter",
    "NoSuchProduct",
    "NoSuchVersion",
    "UnsupportedOperation",
    "UnsupportedProtocol",
    "UnsupportedRegion",
    "RequestSizeLimitExceeded",
    "ResponseSizeLimitExceeded",
    "ResourceNotFound",
    "LimitExceeded",
    "OperationDenied",
    // Operations refused because of a setting the caller controls.
    "FailedOperation.AuditConfigNotExist",
    "FailedOperation.DeletionProtectionEnabled",
    "FailedOperation.FlashbackByKeyNotOpen",
    "FailedOperation.NotAllowModifyAddrAfterOpenWanService",
    "FailedOperation.TransparentDataEncryptionAlreadyOpen",
];

/// Families whose members (known or not) are client faults. `FailedOperation.`
/// is deliberately absent: that family mixes server trouble with state
/// conflicts, so its unknown members stay unclassified.
const CLIENT_FAULT_PREFIXES: &[&str] = &[
    "InvalidParameter.",
    "InvalidParameterValue.",
    "MissingParameter.",
    "UnknownParameter.",
    "InvalidAction.",
    "InvalidRequest.",
    "UnsupportedOperation.",
    "UnsupportedProtocol.",
    "UnsupportedRegion.",
    "ResourceNotFound.",
    "LimitExceeded.",
    "OperationDenied.",
];

/// Exact tables in the order they are consulted.
const EXACT: &[(&[&str], Class)] = &[
    (THROTTLING, Class::Throttling),
    (CLOCK_SKEW, Class::ClockSkew),
    (AUTH, Class::Auth),
    (TRANSIENT, Class::Transient),
    (CLIENT_FAULT, Class::ClientFault),
];

/// Prefix tables in the order they are consulted.
const PREFIXES: &[(&[&str], Class)] = &[
    (THROTTLING_PREFIXES, Class::Throttling),
    (AUTH_PREFIXES, Class::Auth),
    (TRANSIENT_PREFIXES, Class::Transient),
    (CLIENT_FAULT_PREFIXES, Class::ClientFault),
];

/// Classifies a wire code.
pub(crate) fn classify(code: &str) -> Class {
    for (table, class) in EXACT {
        if table.contains(&code) {
            return *class;
        }
    }
    for (table, class) in PREFIXES {
        if table.iter().any(|p| code.starts_with(p)) {
            return *class;
        }
    }
    Class::Other
}

impl ErrorCode {
    fn class(&self) -> Class {
        classify(self.as_str())
    }

    /// The call was rejected by rate limiting (`RequestLimitExceeded` and its
    /// sub-codes, known or not, and `LimitExceeded.TooManyRequests`).
    ///
    /// Nothing ran; resending after a pause is always safe.
    pub fn is_throttling(&self) -> bool {
        self.class() == Class::Throttling
    }

    /// The service did not accept who the caller is or what the caller may do:
    /// bad or unknown credentials, a bad signature or token, an expired
    /// signature ([`is_clock_skew`](Self::is_clock_skew) is a subset of this),
    /// missing CAM permissions, or a caller address refused by an access list.
    ///
    /// Every `AuthFailure.*` and `UnauthorizedOperation.*` code counts, known or not.
    pub fn is_auth(&self) -> bool {
        matches!(self.class(), Class::Auth | Class::ClockSkew)
    }

    /// The request's signature timestamp was too far from the server's clock
    /// (`AuthFailure.SignatureExpire`).
    ///
    /// Resending is safe and useful only once the timestamp has been corrected,
    /// for instance from the server's `Date` header.
    pub fn is_clock_skew(&self) -> bool {
        self.class() == Class::ClockSkew
    }

    /// A fault on the service's side whose outcome is unknown, or a service
    /// that is momentarily unable to serve: `InternalError` and every
    /// `InternalError.*`, `ServiceUnavailable`, `ResourceUnavailable`, and
    /// `FailedOperation.KernelResponseTimeout`.
    ///
    /// The request may have taken effect, so resend it only if the action is
    /// idempotent (see [`should_retry`](Self::should_retry)).
    pub fn is_transient(&self) -> bool {
        self.class() == Class::Transient
    }

    /// Resending the same request is safe whatever the action does, because
    /// the service rejected it before running it: rate limiting
    /// ([`is_throttling`](Self::is_throttling)) and clock skew
    /// ([`is_clock_skew`](Self::is_clock_skew), which needs the timestamp fixed
    /// before the resend).
    ///
    /// Transient faults are *not* included here because they may have been
    /// applied; [`should_retry`](Self::should_retry) combines both with the
    /// action's idempotency.
    pub fn is_retryable(&self) -> bool {
        matches!(self.class(), Class::Throttling | Class::ClockSkew)
    }

    /// Whether a retry loop may resend a request that failed with this code:
    /// always for [`is_retryable`](Self::is_retryable) codes, and for
    /// [`is_transient`](Self::is_transient) codes only when `idempotent` is
    /// `true` (resending a non-idempotent action after an unknown outcome could
    /// apply it twice).
    pub fn should_retry(&self, idempotent: bool) -> bool {
        match self.class() {
            Class::Throttling | Class::ClockSkew => true,
            Class::Transient => idempotent,
            _ => false,
        }
    }

    /// The caller has to change something before trying again: a malformed,
    /// missing, unknown or out-of-range parameter, an unknown action, version
    /// or product, an unsupported operation/region/protocol, a request or
    /// answer that is too big, a resource that does not exist, a quota that is
    /// used up, or an operation the resource's current state refuses.
    ///
    /// Every `InvalidParameter.*`, `InvalidParameterValue.*`,
    /// `UnsupportedOperation.*`, `ResourceNotFound.*`, `LimitExceeded.*` and
    /// `OperationDenied.*` code counts, known or not, except the few the exact
    /// tables place elsewhere.
    pub fn is_client_fault(&self) -> bool {
        self.class() == Class::ClientFault
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_tables_only_list_known_codes_once() {
        let mut seen = std::collections::HashSet::new();
        for (table, _) in EXACT {
            for code in *table {
                assert!(
                    ErrorCode::known().contains(code),
                    "{code} is not a known code"
                );
                assert!(seen.insert(*code), "{code} is in two tables");
            }
        }
    }

    #[test]
    fn prefixes_end_with_a_dot() {
        for (table, _) in PREFIXES {
            for p in *table {
                assert!(p.ends_with('.'), "{p}");
            }
        }
    }

    #[test]
    fn every_known_code_gets_a_deliberate_class() {
        // Codes left unclassified on purpose: business-state conflicts and
        // results that are neither a fault of the caller nor of the service.
        let other = [
            "DryRunOperation",
            "FailedOperation",
            "FailedOperation.ConnectionUpdateError",
            "FailedOperation.ConnectionUpdateUsedOff",
            "FailedOperation.OperationNotAllowedInInstanceLocking",
            "FailedOperation.QueryAuditTaskFailError",
            "ResourceInUse",
            "ResourceInsufficient",
        ];
        for code in ErrorCode::known() {
            if !other.contains(code) {
                assert_ne!(classify(code), Class::Other, "{code} has no class");
            }
        }
        for code in other {
            assert_eq!(classify(code), Class::Other, "{code}");
        }
    }
}
