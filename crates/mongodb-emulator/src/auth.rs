//! Request authentication, as the service does it for every official SDK: a TC3-HMAC-SHA256
//! signature ([`tc3`], checked with `tc_sign::verify`) or, when a request carries a `Signature`
//! parameter and no `Authorization` header, a legacy HmacSHA1/HmacSHA256 signature
//! ([`legacy`]); then the account's session token, if it has one ([`checks`]).

mod checks;
mod legacy;
mod tc3;

use crate::http::HttpRequest;
use crate::shared::Shared;
use crate::util::ApiError;

/// Checks the signature and session token of `req`.
pub(crate) fn authenticate(shared: &Shared, req: &HttpRequest) -> Result<(), ApiError> {
    if req.header("authorization").is_none() && req.param("Signature").is_some() {
        legacy::authenticate(shared, req)
    } else {
        tc3::authenticate(shared, req)
    }
}
