//! The `{"Response": …}` envelope every answer comes in.

use mongodb_errors::{Error, ServiceError};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::action::Action;
use crate::typed::decode_named;

/// A decoded successful answer: the typed response object and the envelope's own members.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// The object inside `Response`.
    pub response: T,
    /// The `RequestId` the service gave the request, if the answer carried one.
    pub request_id: Option<String>,
    /// The `DeprecatedWarning` member, when the service flags the call as deprecated.
    pub deprecated_warning: Option<Value>,
}

impl<T> Envelope<T> {
    /// Wraps a response object.
    pub fn new(response: T, request_id: Option<String>, deprecated_warning: Option<Value>) -> Self {
        Envelope {
            response,
            request_id,
            deprecated_warning,
        }
    }
}

#[derive(Deserialize)]
struct Outer<'a> {
    #[serde(rename = "Response", borrow, default)]
    response: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(
        rename = "Code",
        default,
        deserialize_with = "crate::lenient::or_default"
    )]
    code: String,
    #[serde(
        rename = "Message",
        default,
        deserialize_with = "crate::lenient::or_default"
    )]
    message: String,
}

/// The envelope members of the `Response` object; everything else is skipped.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "Error", default)]
    error: Option<ErrorBody>,
    #[serde(
        rename = "RequestId",
        default,
        deserialize_with = "crate::lenient::opt"
    )]
    request_id: Option<String>,
    #[serde(rename = "DeprecatedWarning", default)]
    deprecated_warning: Option<Value>,
}

/// Best effort: a `RequestId` anywhere in the usual place of a body that failed to decode.
fn find_request_id(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "Response")]
        response: ProbeInner,
    }
    #[derive(Deserialize)]
    struct ProbeInner {
        #[serde(
            rename = "RequestId",
            default,
            deserialize_with = "crate::lenient::opt"
        )]
        request_id: Option<String>,
    }
    serde_json::from_slice::<Probe>(body)
        .ok()
        .and_then(|p| p.response.request_id)
}

fn malformed(body: &[u8], reason: String, request_id: Option<String>) -> Error {
    Error::MalformedResponse {
        reason,
        snippet: Error::snippet(body),
        request_id,
    }
}

/// Splits an answer into its `Response` object (raw) and the envelope members, turning an error
/// answer into [`Error::Service`].
fn open(body: &[u8]) -> Result<(&RawValue, Head), Error> {
    let outer: Outer<'_> = serde_json::from_slice(body)
        .map_err(|e| malformed(body, format!("the answer is not a JSON object: {e}"), None))?;
    let raw = outer.response.ok_or_else(|| {
        malformed(
            body,
            "the answer has no `Response` member".to_string(),
            None,
        )
    })?;
    let head: Head = serde_json::from_str(raw.get()).map_err(|e| {
        malformed(
            body,
            format!("the `Response` member is not a well-formed object: {e}"),
            find_request_id(body),
        )
    })?;
    if let Some(err) = head.error {
        return Err(Error::Service(ServiceError::new(
            err.code.as_str(),
            err.message,
            head.request_id,
        )));
    }
    Ok((raw, head))
}

/// Decodes an answer body: `{"Response": {…}}` into the typed `T`.
///
/// - `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` becomes [`Error::Service`] with
///   the code, message and request id.
/// - A body that is not JSON, has no `Response` object, or whose object does not fit `T`,
///   becomes [`Error::MalformedResponse`] with a snippet of the body and the request id when one
///   can be found; when a member does not fit, the reason names it by its path
///   (`InstanceDetails.0.Memory`).
/// - `RequestId` and `DeprecatedWarning` are returned beside the response in the [`Envelope`].
pub fn decode_response<T: DeserializeOwned>(body: &[u8]) -> Result<Envelope<T>, Error> {
    let (raw, head) = open(body)?;
    let response: T = decode_named(raw.get()).map_err(|e| {
        malformed(
            body,
            format!("the `Response` object does not match the expected shape: {e}"),
            head.request_id.clone(),
        )
    })?;
    Ok(Envelope {
        response,
        request_id: head.request_id,
        deprecated_warning: head.deprecated_warning,
    })
}

/// Like [`decode_response`], but keeps the `Response` object as untyped JSON (for actions this
/// version does not model, or tools that print the answer as it came).
pub fn decode_response_value(body: &[u8]) -> Result<Envelope<Value>, Error> {
    let (raw, head) = open(body)?;
    let response: Value = serde_json::from_str(raw.get())
        .map_err(|e| malformed(body, e.to_string(), head.request_id.clone()))?;
    if !response.is_object() {
        return Err(malformed(
            body,
            "the `Response` member is not an object".to_string(),
            head.request_id,
        ));
    }
    Ok(Envelope {
        response,
        request_id: head.request_id,
        deprecated_warning: head.deprecated_warning,
    })
}

/// Encodes a request as the JSON body of a POST.
pub fn encode_request<A: Action>(req: &A) -> Vec<u8> {
    // Serializing these plain data types into a Vec cannot fail.
    serde_json::to_vec(req).unwrap_or_else(|_| b"{}".to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member narrower than any the spec has today (`u8`), to pin the rule for every width.
    #[derive(Debug, Deserialize)]
    struct Narrow {
        #[serde(
            rename = "Percent",
            default,
            deserialize_with = "crate::lenient::opt_answer"
        )]
        percent: Option<u8>,
    }

    #[test]
    fn a_number_out_of_range_fails_the_answer_naming_the_member() {
        let err = decode_response::<Narrow>(br#"{"Response": {"Percent": 300, "RequestId": "r"}}"#)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("member `Percent`"), "{text}");
        assert!(text.contains("300"), "{text}");
        assert_eq!(err.request_id(), Some("r"));
        let ok = decode_response::<Narrow>(br#"{"Response": {"Percent": 255}}"#).unwrap();
        assert_eq!(ok.response.percent, Some(255));
    }
}
