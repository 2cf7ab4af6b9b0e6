//! The [`ErrorCode`] open enum: one variant per documented code, plus
//! [`ErrorCode::Unknown`] for anything else.
//!
//! The variant list below was produced mechanically from the published list of
//! error codes (common platform codes plus the MongoDB service's own codes) and
//! is kept in sync by the `known_codes` integration test, which compares it
//! with `tests/data/error-codes.json`. Each entry names the variant and its wire
//! string once, so the two cannot drift apart.
//!
//! Naming scheme: the variant is the wire code with its dots removed, keeping
//! the service's capitalisation (`RequestLimitExceeded.IPLimitExceeded` →
//! `RequestLimitExceededIPLimitExceeded`).

use std::convert::Infallible;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, )*) => {
        /// An error code returned by the TencentDB for MongoDB API.
        ///
        /// Every code the service documents has its own variant; any other code
        /// is kept verbatim in [`ErrorCode::Unknown`], so a code added by the
        /// service after this crate was released still round-trips and is still
        /// classified by its prefix (see [`ErrorCode::is_throttling`] and friends).
        ///
        /// Parse with [`str::parse`] or [`From<&str>`](ErrorCode#impl-From%3C%26str%3E-for-ErrorCode);
        /// parsing never fails. [`ErrorCode::as_str`] and [`Display`](fmt::Display)
        /// give back exactly the text that was parsed.
        ///
        /// Equality and hashing compare the wire text, so
        /// `ErrorCode::Unknown("InternalError".into()) == ErrorCode::InternalError`.
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("Wire code: `", $code, "`.")]
                $variant,
            )*
            /// A code this version of the crate does not know, kept exactly as the
            /// service sent it.
            Unknown(String),
        }

        /// Every known wire code, sorted, without duplicates.
        const KNOWN_CODES: &[&str] = &[$($code),*];

        impl ErrorCode {
            /// The code exactly as it appears on the wire, e.g. `"AuthFailure.SignatureExpire"`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                    ErrorCode::Unknown(s) => s,
                }
            }

            /// Parses a wire code; text that is not a known code becomes [`ErrorCode::Unknown`].
            fn parse(s: &str) -> Self {
                match s {
                    $($code => ErrorCode::$variant,)*
                    other => ErrorCode::Unknown(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    /// Authentication failed for a reason the service did not narrow down.
    AuthFailure = "AuthFailure",
    /// Authentication failed: invalid authorization.
    AuthFailureInvalidAuthorization = "AuthFailure.InvalidAuthorization",
    /// Authentication failed: invalid secret id.
    AuthFailureInvalidSecretId = "AuthFailure.InvalidSecretId",
    /// Authentication failed: MFA failure.
    AuthFailureMFAFailure = "AuthFailure.MFAFailure",
    /// Authentication failed: secret id not found.
    AuthFailureSecretIdNotFound = "AuthFailure.SecretIdNotFound",
    /// Authentication failed: signature expire.
    AuthFailureSignatureExpire = "AuthFailure.SignatureExpire",
    /// Authentication failed: signature failure.
    AuthFailureSignatureFailure = "AuthFailure.SignatureFailure",
    /// Authentication failed: token failure.
    AuthFailureTokenFailure = "AuthFailure.TokenFailure",
    /// Authentication failed: unauthorized operation.
    AuthFailureUnauthorizedOperation = "AuthFailure.UnauthorizedOperation",
    /// The request was a dry run and would have succeeded; nothing was changed.
    DryRunOperation = "DryRunOperation",
    /// The service could not carry out the operation.
    FailedOperation = "FailedOperation",
    /// The operation failed: audit config not exist.
    FailedOperationAuditConfigNotExist = "FailedOperation.AuditConfigNotExist",
    /// The operation failed: connection update error.
    FailedOperationConnectionUpdateError = "FailedOperation.ConnectionUpdateError",
    /// The operation failed: connection update used off.
    FailedOperationConnectionUpdateUsedOff = "FailedOperation.ConnectionUpdateUsedOff",
    /// The operation failed: deletion protection enabled.
    FailedOperationDeletionProtectionEnabled = "FailedOperation.DeletionProtectionEnabled",
    /// The operation failed: flashback by key not open.
    FailedOperationFlashbackByKeyNotOpen = "FailedOperation.FlashbackByKeyNotOpen",
    /// The operation failed: kernel response timeout.
    FailedOperationKernelResponseTimeout = "FailedOperation.KernelResponseTimeout",
    /// The operation failed: not allow modify addr after open wan service.
    FailedOperationNotAllowModifyAddrAfterOpenWanService = "FailedOperation.NotAllowModifyAddrAfterOpenWanService",
    /// The operation failed: operation not allowed in instance locking.
    FailedOperationOperationNotAllowedInInstanceLocking = "FailedOperation.OperationNotAllowedInInstanceLocking",
    /// The operation failed: query audit task fail error.
    FailedOperationQueryAuditTaskFailError = "FailedOperation.QueryAuditTaskFailError",
    /// The operation failed: transparent data encryption already open.
    FailedOperationTransparentDataEncryptionAlreadyOpen = "FailedOperation.TransparentDataEncryptionAlreadyOpen",
    /// Something failed inside the service; the outcome of the call is unknown.
    InternalError = "InternalError",
    /// Internal service fault: audit create log file error.
    InternalErrorAuditCreateLogFileError = "InternalError.AuditCreateLogFileError",
    /// Internal service fault: audit delete log file error.
    InternalErrorAuditDeleteLogFileError = "InternalError.AuditDeleteLogFileError",
    /// Internal service fault: audit describe log error.
    InternalErrorAuditDescribeLogError = "InternalError.AuditDescribeLogError",
    /// Internal service fault: audit error.
    InternalErrorAuditError = "InternalError.AuditError",
    /// Internal service fault: audit modify status error.
    InternalErrorAuditModifyStatusError = "InternalError.AuditModifyStatusError",
    /// Internal service fault: check app id failed.
    InternalErrorCheckAppIdFailed = "InternalError.CheckAppIdFailed",
    /// Internal service fault: cos error.
    InternalErrorCosError = "InternalError.CosError",
    /// Internal service fault: DB error.
    InternalErrorDBError = "InternalError.DBError",
    /// Internal service fault: DB operate error.
    InternalErrorDBOperateError = "InternalError.DBOperateError",
    /// Internal service fault: DB operation error.
    InternalErrorDBOperationError = "InternalError.DBOperationError",
    /// Internal service fault: database access error.
    InternalErrorDatabaseAccessError = "InternalError.DatabaseAccessError",
    /// Internal service fault: find instance failed.
    InternalErrorFindInstanceFailed = "InternalError.FindInstanceFailed",
    /// Internal service fault: http error.
    InternalErrorHttpError = "InternalError.HttpError",
    /// Internal service fault: inner common error.
    InternalErrorInnerCommonError = "InternalError.InnerCommonError",
    /// Internal service fault: JSON error.
    InternalErrorJSONError = "InternalError.JSONError",
    /// Internal service fault: json unmarshal error.
    InternalErrorJsonUnmarshalError = "InternalError.JsonUnmarshalError",
    /// Internal service fault: password error.
    InternalErrorPasswordError = "InternalError.PasswordError",
    /// Internal service fault: trade error.
    InternalErrorTradeError = "InternalError.TradeError",
    /// Internal service fault: unknown error.
    InternalErrorUnknownError = "InternalError.UnknownError",
    /// The action name is not one the service knows.
    InvalidAction = "InvalidAction",
    /// A parameter is malformed or not allowed here.
    InvalidParameter = "InvalidParameter",
    /// Invalid parameter: action not found.
    InvalidParameterActionNotFound = "InvalidParameter.ActionNotFound",
    /// Invalid parameter: current instance not support modify params.
    InvalidParameterCurrentInstanceNotSupportModifyParams = "InvalidParameter.CurrentInstanceNotSupportModifyParams",
    /// Invalid parameter: exception param.
    InvalidParameterExceptionParam = "InvalidParameter.ExceptionParam",
    /// Invalid parameter: invalid parameter.
    InvalidParameterInvalidParameter = "InvalidParameter.InvalidParameter",
    /// Invalid parameter: invalid parameter error.
    InvalidParameterInvalidParameterError = "InvalidParameter.InvalidParameterError",
    /// Invalid parameter: invalid vip.
    InvalidParameterInvalidVip = "InvalidParameter.InvalidVip",
    /// Invalid parameter: modify mongodb params.
    InvalidParameterModifyMongodbParams = "InvalidParameter.ModifyMongodbParams",
    /// Invalid parameter: parameters nil.
    InvalidParameterParametersNil = "InvalidParameter.ParametersNil",
    /// Invalid parameter: permission denied.
    InvalidParameterPermissionDenied = "InvalidParameter.PermissionDenied",
    /// Invalid parameter: zone closed.
    InvalidParameterZoneClosed = "InvalidParameter.ZoneClosed",
    /// A parameter has a value the service does not accept.
    InvalidParameterValue = "InvalidParameterValue",
    /// Rejected parameter value: backup file not found.
    InvalidParameterValueBackupFileNotFound = "InvalidParameterValue.BackupFileNotFound",
    /// Rejected parameter value: check app id failed.
    InvalidParameterValueCheckAppIdFailed = "InvalidParameterValue.CheckAppIdFailed",
    /// Rejected parameter value: cluster type error.
    InvalidParameterValueClusterTypeError = "InvalidParameterValue.ClusterTypeError",
    /// Rejected parameter value: data convert error.
    InvalidParameterValueDataConvertError = "InvalidParameterValue.DataConvertError",
    /// Rejected parameter value: illegal instance name.
    InvalidParameterValueIllegalInstanceName = "InvalidParameterValue.IllegalInstanceName",
    /// Rejected parameter value: illegal instance status.
    InvalidParameterValueIllegalInstanceStatus = "InvalidParameterValue.IllegalInstanceStatus",
    /// Rejected parameter value: illegal status to offline.
    InvalidParameterValueIllegalStatusToOffline = "InvalidParameterValue.IllegalStatusToOffline",
    /// Rejected parameter value: instance has been deleted.
    InvalidParameterValueInstanceHasBeenDeleted = "InvalidParameterValue.InstanceHasBeenDeleted",
    /// Rejected parameter value: instance has been isolated.
    InvalidParameterValueInstanceHasBeenIsolated = "InvalidParameterValue.InstanceHasBeenIsolated",
    /// Rejected parameter value: invalid parameter value error.
    InvalidParameterValueInvalidParameterValueError = "InvalidParameterValue.InvalidParameterValueError",
    /// Rejected parameter value: invalid trade operation.
    InvalidParameterValueInvalidTradeOperation = "InvalidParameterValue.InvalidTradeOperation",
    /// Rejected parameter value: limit para out of range.
    InvalidParameterValueLimitParaOutOfRange = "InvalidParameterValue.LimitParaOutOfRange",
    /// Rejected parameter value: lock failed.
    InvalidParameterValueLockFailed = "InvalidParameterValue.LockFailed",
    /// Rejected parameter value: machine type error.
    InvalidParameterValueMachineTypeError = "InvalidParameterValue.MachineTypeError",
    /// Rejected parameter value: modify mode error.
    InvalidParameterValueModifyModeError = "InvalidParameterValue.ModifyModeError",
    /// Rejected parameter value: modify mongodb params.
    InvalidParameterValueModifyMongodbParams = "InvalidParameterValue.ModifyMongodbParams",
    /// Rejected parameter value: mongo version error.
    InvalidParameterValueMongoVersionError = "InvalidParameterValue.MongoVersionError",
    /// Rejected parameter value: mongo version not support query client.
    InvalidParameterValueMongoVersionNotSupportQueryClient = "InvalidParameterValue.MongoVersionNotSupportQueryClient",
    /// Rejected parameter value: node not found in replica.
    InvalidParameterValueNodeNotFoundInReplica = "InvalidParameterValue.NodeNotFoundInReplica",
    /// Rejected parameter value: not found instance.
    InvalidParameterValueNotFoundInstance = "InvalidParameterValue.NotFoundInstance",
    /// Rejected parameter value: offset para out of range.
    InvalidParameterValueOffsetParaOutOfRange = "InvalidParameterValue.OffsetParaOutOfRange",
    /// Rejected parameter value: oplog size out of range.
    InvalidParameterValueOplogSizeOutOfRange = "InvalidParameterValue.OplogSizeOutOfRange",
    /// Rejected parameter value: password rule failed.
    InvalidParameterValuePasswordRuleFailed = "InvalidParameterValue.PasswordRuleFailed",
    /// Rejected parameter value: post paid instance beyond limit.
    InvalidParameterValuePostPaidInstanceBeyondLimit = "InvalidParameterValue.PostPaidInstanceBeyondLimit",
    /// Rejected parameter value: pre paid instance unable to isolate.
    InvalidParameterValuePrePaidInstanceUnableToIsolate = "InvalidParameterValue.PrePaidInstanceUnableToIsolate",
    /// Rejected parameter value: project not found.
    InvalidParameterValueProjectNotFound = "InvalidParameterValue.ProjectNotFound",
    /// Rejected parameter value: proxy not support query client.
    InvalidParameterValueProxyNotSupportQueryClient = "InvalidParameterValue.ProxyNotSupportQueryClient",
    /// Rejected parameter value: query out of range.
    InvalidParameterValueQueryOutOfRange = "InvalidParameterValue.QueryOutOfRange",
    /// Rejected parameter value: query time out of range.
    InvalidParameterValueQueryTimeOutOfRange = "InvalidParameterValue.QueryTimeOutOfRange",
    /// Rejected parameter value: query time range beyond limit.
    InvalidParameterValueQueryTimeRangeBeyondLimit = "InvalidParameterValue.QueryTimeRangeBeyondLimit",
    /// Rejected parameter value: region error.
    InvalidParameterValueRegionError = "InvalidParameterValue.RegionError",
    /// Rejected parameter value: region not support operation.
    InvalidParameterValueRegionNotSupportOperation = "InvalidParameterValue.RegionNotSupportOperation",
    /// Rejected parameter value: region not support query client.
    InvalidParameterValueRegionNotSupportQueryClient = "InvalidParameterValue.RegionNotSupportQueryClient",
    /// Rejected parameter value: replica not found.
    InvalidParameterValueReplicaNotFound = "InvalidParameterValue.ReplicaNotFound",
    /// Rejected parameter value: replica set num error.
    InvalidParameterValueReplicaSetNumError = "InvalidParameterValue.ReplicaSetNumError",
    /// Rejected parameter value: secondary num error.
    InvalidParameterValueSecondaryNumError = "InvalidParameterValue.SecondaryNumError",
    /// Rejected parameter value: security group id.
    InvalidParameterValueSecurityGroupId = "InvalidParameterValue.SecurityGroupId",
    /// Rejected parameter value: security level not allow open wan service.
    InvalidParameterValueSecurityLevelNotAllowOpenWanService = "InvalidParameterValue.SecurityLevelNotAllowOpenWanService",
    /// Rejected parameter value: set disk less than used.
    InvalidParameterValueSetDiskLessThanUsed = "InvalidParameterValue.SetDiskLessThanUsed",
    /// Rejected parameter value: slow MS below limit.
    InvalidParameterValueSlowMSBelowLimit = "InvalidParameterValue.SlowMSBelowLimit",
    /// Rejected parameter value: spec not on sale.
    InvalidParameterValueSpecNotOnSale = "InvalidParameterValue.SpecNotOnSale",
    /// Rejected parameter value: start time not before than end time.
    InvalidParameterValueStartTimeNotBeforeThanEndTime = "InvalidParameterValue.StartTimeNotBeforeThanEndTime",
    /// Rejected parameter value: status abnormal.
    InvalidParameterValueStatusAbnormal = "InvalidParameterValue.StatusAbnormal",
    /// Rejected parameter value: tag not found.
    InvalidParameterValueTagNotFound = "InvalidParameterValue.TagNotFound",
    /// Rejected parameter value: time format err.
    InvalidParameterValueTimeFormatErr = "InvalidParameterValue.TimeFormatErr",
    /// Rejected parameter value: user not found.
    InvalidParameterValueUserNotFound = "InvalidParameterValue.UserNotFound",
    /// Rejected parameter value: vpc id or subnet id not found.
    InvalidParameterValueVpcIdOrSubnetIdNotFound = "InvalidParameterValue.VpcIdOrSubnetIdNotFound",
    /// Rejected parameter value: zone closed.
    InvalidParameterValueZoneClosed = "InvalidParameterValue.ZoneClosed",
    /// Rejected parameter value: zone error.
    InvalidParameterValueZoneError = "InvalidParameterValue.ZoneError",
    /// The request as a whole is malformed (for example its body or encoding).
    InvalidRequest = "InvalidRequest",
    /// The caller's IP address is on a deny list.
    IpInBlacklist = "IpInBlacklist",
    /// The caller's IP address is not on the allow list.
    IpNotInWhitelist = "IpNotInWhitelist",
    /// A quota or limit on the account or resource was reached.
    LimitExceeded = "LimitExceeded",
    /// Limit reached: too many requests.
    LimitExceededTooManyRequests = "LimitExceeded.TooManyRequests",
    /// A required parameter was not sent.
    MissingParameter = "MissingParameter",
    /// The service named in the request does not exist.
    NoSuchProduct = "NoSuchProduct",
    /// The API version named in the request does not exist.
    NoSuchVersion = "NoSuchVersion",
    /// The service refused to carry out the operation in the current state.
    OperationDenied = "OperationDenied",
    /// Operation refused: account operation denied.
    OperationDeniedAccountOperationDenied = "OperationDenied.AccountOperationDenied",
    /// Operation refused: audit policy conflict error.
    OperationDeniedAuditPolicyConflictError = "OperationDenied.AuditPolicyConflictError",
    /// Operation refused: audit policy exist error.
    OperationDeniedAuditPolicyExistError = "OperationDenied.AuditPolicyExistError",
    /// Operation refused: audit policy not exist error.
    OperationDeniedAuditPolicyNotExistError = "OperationDenied.AuditPolicyNotExistError",
    /// Operation refused: audit policy over quota error.
    OperationDeniedAuditPolicyOverQuotaError = "OperationDenied.AuditPolicyOverQuotaError",
    /// Operation refused: audit status error.
    OperationDeniedAuditStatusError = "OperationDenied.AuditStatusError",
    /// Operation refused: audit task conflict error.
    OperationDeniedAuditTaskConflictError = "OperationDenied.AuditTaskConflictError",
    /// Operation refused: operation denied error.
    OperationDeniedOperationDeniedError = "OperationDenied.OperationDeniedError",
    /// Operation refused: resource not fund error.
    OperationDeniedResourceNotFundError = "OperationDenied.ResourceNotFundError",
    /// Operation refused: unsupport open audit error.
    OperationDeniedUnsupportOpenAuditError = "OperationDenied.UnsupportOpenAuditError",
    /// Too many requests: the call was rejected by rate limiting.
    RequestLimitExceeded = "RequestLimitExceeded",
    /// Rate limited: global region uin limit exceeded.
    RequestLimitExceededGlobalRegionUinLimitExceeded = "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    /// Rate limited: IP limit exceeded.
    RequestLimitExceededIPLimitExceeded = "RequestLimitExceeded.IPLimitExceeded",
    /// Rate limited: uin limit exceeded.
    RequestLimitExceededUinLimitExceeded = "RequestLimitExceeded.UinLimitExceeded",
    /// The request body is larger than the service accepts.
    RequestSizeLimitExceeded = "RequestSizeLimitExceeded",
    /// The target resource is busy or already taken.
    ResourceInUse = "ResourceInUse",
    /// The service does not have enough capacity to fulfil the request.
    ResourceInsufficient = "ResourceInsufficient",
    /// The target resource does not exist.
    ResourceNotFound = "ResourceNotFound",
    /// Resource missing: instance not fund error.
    ResourceNotFoundInstanceNotFundError = "ResourceNotFound.InstanceNotFundError",
    /// The target resource exists but cannot be used right now.
    ResourceUnavailable = "ResourceUnavailable",
    /// The answer would be larger than the service is willing to send.
    ResponseSizeLimitExceeded = "ResponseSizeLimitExceeded",
    /// The service is temporarily unable to handle requests.
    ServiceUnavailable = "ServiceUnavailable",
    /// The caller is not allowed to perform this action.
    UnauthorizedOperation = "UnauthorizedOperation",
    /// Not permitted: no access.
    UnauthorizedOperationNoAccess = "UnauthorizedOperation.NoAccess",
    /// The request carries a parameter the action does not define.
    UnknownParameter = "UnknownParameter",
    /// The operation is not supported for this resource or configuration.
    UnsupportedOperation = "UnsupportedOperation",
    /// Not supported: kernel version not support.
    UnsupportedOperationKernelVersionNotSupport = "UnsupportedOperation.KernelVersionNotSupport",
    /// Not supported: secondary version not support audit.
    UnsupportedOperationSecondaryVersionNotSupportAudit = "UnsupportedOperation.SecondaryVersionNotSupportAudit",
    /// Not supported: version not support.
    UnsupportedOperationVersionNotSupport = "UnsupportedOperation.VersionNotSupport",
    /// The request used a protocol or HTTP method the service does not accept.
    UnsupportedProtocol = "UnsupportedProtocol",
    /// The action is not available in the requested region.
    UnsupportedRegion = "UnsupportedRegion",
}

impl ErrorCode {
    /// Every code this crate has a variant for, as wire strings, sorted.
    ///
    /// Useful for completion in command-line tools and for checking that a
    /// code seen in the wild is new.
    pub fn known() -> &'static [&'static str] {
        KNOWN_CODES
    }

    /// `true` for [`ErrorCode::Unknown`], i.e. a code this crate has no variant for.
    pub fn is_unknown(&self) -> bool {
        matches!(self, ErrorCode::Unknown(_))
    }
}

impl FromStr for ErrorCode {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ErrorCode::parse(s))
    }
}

impl From<&str> for ErrorCode {
    fn from(s: &str) -> Self {
        ErrorCode::parse(s)
    }
}

impl From<String> for ErrorCode {
    fn from(s: String) -> Self {
        match ErrorCode::parse(&s) {
            ErrorCode::Unknown(_) => ErrorCode::Unknown(s),
            known => known,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for ErrorCode {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ErrorCode {}

impl Hash for ErrorCode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_are_sorted_and_unique() {
        assert!(KNOWN_CODES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn unknown_holding_known_text_equals_the_variant() {
        let a = ErrorCode::Unknown("InternalError".to_owned());
        assert_eq!(a, ErrorCode::InternalError);
        assert_eq!(
            ErrorCode::from("InternalError".to_owned()),
            ErrorCode::InternalError
        );
        assert!(!ErrorCode::from("InternalError".to_owned()).is_unknown());
    }
}
