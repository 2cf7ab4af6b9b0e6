//! What every action's request is: the [`Action`] trait, and [`PagedAction`] for the actions
//! that answer page by page.

/// A request of one API action: what the client needs to send it and read its answer.
///
/// Every generated `XRequest` implements it. The client sends `NAME` as `X-TC-Action`,
/// encodes the request with [`encode_request`](crate::encode_request) (or
/// [`form::encode`](crate::form::encode) for GET) and decodes the answer into `Response` with
/// [`decode_response`](crate::decode_response).
pub trait Action:
    serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug + Clone + Send + Sync + 'static
{
    /// The action's name, e.g. `CreateBackupDBInstance`.
    const NAME: &'static str;
    /// Whether the action only reads, so resending it after an ambiguous network failure cannot
    /// change anything twice. Retry policies read this. The same rule answers
    /// [`ActionInfo::idempotent`](crate::ActionInfo::idempotent) and
    /// [`is_idempotent`](crate::is_idempotent).
    const IDEMPOTENT: bool;
    /// The type of the action's answer.
    type Response: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug + Send + 'static;
}

/// A request whose action answers page by page: the request chooses the page with `Offset` and
/// `Limit`, the answer carries one list of items and the total count.
///
/// Generated for every action whose request has `Offset` and `Limit` and whose answer has one
/// list and a `TotalCount` (or `Total`, `Count`). A paginator drives any of them through this
/// trait alone, so there is one paging loop for all of them (the client's `Paginator`).
///
/// ```
/// use mongodb_models::{DescribeDBBackupsRequest, DescribeDBBackupsResponse, PagedAction};
///
/// let mut req = DescribeDBBackupsRequest::new("cmgo-demo0001").with_limit(20);
/// assert_eq!((req.page_offset(), req.page_limit()), (None, Some(20)));
/// req.set_page(40, 20);
/// assert_eq!(req.offset, Some(40));
///
/// let answer: DescribeDBBackupsResponse = serde_json::from_str(
///     r#"{"BackupList": [{"BackupName": "b1"}], "TotalCount": 41}"#).unwrap();
/// assert_eq!(DescribeDBBackupsRequest::total_count(&answer), Some(41));
/// assert_eq!(DescribeDBBackupsRequest::into_items(answer).len(), 1);
/// ```
pub trait PagedAction: Action {
    /// One item of a page: the element type of the answer's list.
    type Item: Send + 'static;
    /// The request's `Offset`, when it is set (and not negative).
    fn page_offset(&self) -> Option<u64>;
    /// The request's `Limit`, when it is set (and positive).
    fn page_limit(&self) -> Option<u64>;
    /// Asks for the page of `limit` items starting at `offset`.
    fn set_page(&mut self, offset: u64, limit: u64);
    /// The total number of items the answer reports, when it does.
    fn total_count(response: &Self::Response) -> Option<u64>;
    /// The items of one answer (none when the list is absent).
    fn into_items(response: Self::Response) -> Vec<Self::Item>;
}
