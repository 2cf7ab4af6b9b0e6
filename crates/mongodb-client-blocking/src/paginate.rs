//! Lazy iteration over `Offset`/`Limit` paged actions: one generic [`Paginator`], driven for
//! any action through the models' [`PagedAction`] (generated for every action that pages), and
//! [`Client::paginate`]. The `…_iter` methods are generated (`generated/paginators.rs`).

use std::collections::VecDeque;
use std::fmt;

use mongodb_errors::Error;
use mongodb_models::PagedAction;

use crate::Client;

/// Page size used when the request does not set `Limit` (or sets it to 0).
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// One page: the items and the total the service reported, if it did.
type Page<T> = (Vec<T>, Option<u64>);
type FetchFn<T> = Box<dyn FnMut(u64, u64) -> Result<Page<T>, Error> + Send>;

/// An iterator over the items of a paged action. Pages are fetched one at a time, only when
/// the items already fetched run out.
///
/// Iteration stops after the last page: once the offset reaches the total the service reported
/// (`TotalCount`), or, when it reports none, after a short page. A page shorter than the `Limit`
/// asked for does not end a listing whose total is known (the service may cap its pages below
/// the `Limit`), and an empty page always ends it (so a service that reports more than it lists
/// can't make the iteration loop). An error is yielded once and ends the iteration.
///
/// ```no_run
/// # fn main() -> Result<(), mongodb_client_blocking::Error> {
/// use mongodb_client_blocking::{models::DescribeDBBackupsRequest, Client};
///
/// let client = Client::from_env()?;
/// for backup in client.describe_db_backups_iter(DescribeDBBackupsRequest::new("cmgo-demo0001")) {
///     let backup = backup?;
///     println!("{:?} {:?}", backup.backup_name, backup.backup_size);
/// }
/// # Ok(()) }
/// ```
pub struct Paginator<T> {
    fetch: FetchFn<T>,
    offset: u64,
    limit: u64,
    buffer: VecDeque<T>,
    done: bool,
    pages: u32,
    total: Option<u64>,
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("offset", &self.offset)
            .field("limit", &self.limit)
            .field("pages", &self.pages)
            .field("total", &self.total)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> Paginator<T> {
    /// A paginator over any paged call: `fetch(offset, limit)` returns one page and the total
    /// count when the service reports it.
    pub fn new(
        offset: u64,
        limit: u64,
        fetch: impl FnMut(u64, u64) -> Result<(Vec<T>, Option<u64>), Error> + Send + 'static,
    ) -> Self {
        Paginator {
            fetch: Box::new(fetch),
            offset,
            limit: limit.max(1),
            buffer: VecDeque::new(),
            done: false,
            pages: 0,
            total: None,
        }
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u32 {
        self.pages
    }

    /// The total number of items the service reported with the last page, if any.
    pub fn total_count(&self) -> Option<u64> {
        self.total
    }
}

impl<T> Iterator for Paginator<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            match (self.fetch)(self.offset, self.limit) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok((items, total)) => {
                    self.pages += 1;
                    let n = items.len() as u64;
                    self.offset += n;
                    if total.is_some() {
                        self.total = total;
                    }
                    self.done = n == 0
                        || match self.total {
                            Some(t) => self.offset >= t,
                            None => n < self.limit,
                        };
                    self.buffer.extend(items);
                }
            }
        }
    }
}

impl Client {
    /// Every item of a paged action, fetched page by page as the iterator is consumed: the one
    /// paging loop behind every generated `…_iter` method
    /// ([`describe_db_backups_iter`](Client::describe_db_backups_iter), …).
    ///
    /// The request's `Offset` is where iteration starts and its `Limit` the page size
    /// (default [`DEFAULT_PAGE_SIZE`]); each page is the request with `Offset` and `Limit` set,
    /// sent with [`call`](Client::call) (so retries and rate limiting apply per page). Works for
    /// any request implementing [`PagedAction`](mongodb_models::PagedAction).
    pub fn paginate<R: PagedAction>(&self, req: R) -> Paginator<R::Item> {
        let client = self.clone();
        let start = req.page_offset().unwrap_or(0);
        let limit = req.page_limit().unwrap_or(DEFAULT_PAGE_SIZE);
        Paginator::new(start, limit, move |offset, limit| {
            let mut page = req.clone();
            page.set_page(offset, limit);
            let resp = client.call(&page)?;
            let total = R::total_count(&resp);
            Ok((R::into_items(resp), total))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_on_total_and_short_pages() {
        let data: Vec<u32> = (0..25).collect();
        let d = data.clone();
        let mut p = Paginator::new(0, 10, move |off, lim| {
            let page: Vec<u32> = d
                .iter()
                .skip(off as usize)
                .take(lim as usize)
                .copied()
                .collect();
            Ok((page, Some(25)))
        });
        let got: Vec<u32> = p.by_ref().map(Result::unwrap).collect();
        assert_eq!(got, data);
        assert_eq!(p.pages_fetched(), 3);
        assert_eq!(p.total_count(), Some(25));
    }

    /// A service that answers at most `cap` items whatever the `Limit`, reporting `total`,
    /// listing `have` items.
    fn capped(cap: u64, total: u64, have: u64) -> Paginator<u64> {
        Paginator::new(0, 10, move |off, lim| {
            let end = (off + lim.min(cap)).min(have);
            Ok(((off.min(end)..end).collect(), Some(total)))
        })
    }

    #[test]
    fn short_pages_do_not_end_a_listing_whose_total_is_known() {
        let mut p = capped(3, 25, 25);
        let got: Vec<u64> = p.by_ref().map(Result::unwrap).collect();
        assert_eq!(got, (0..25).collect::<Vec<_>>());
        assert_eq!(p.pages_fetched(), 9, "ceil(25 / 3) pages, no extra one");
    }

    #[test]
    fn a_total_never_reached_ends_at_the_first_empty_page() {
        let mut p = capped(3, 30, 25);
        assert_eq!(p.by_ref().count(), 25);
        assert_eq!(
            p.pages_fetched(),
            10,
            "9 pages of items, then one empty page"
        );
        assert!(p.next().is_none());
    }

    #[test]
    fn exact_multiple_without_total_needs_one_empty_page() {
        let mut p = Paginator::new(0, 5, move |off, _| {
            Ok(((off..(off + 5).min(10)).collect::<Vec<u64>>(), None))
        });
        assert_eq!(p.by_ref().count(), 10);
        assert_eq!(p.pages_fetched(), 3);
    }

    #[test]
    fn error_ends_iteration() {
        let mut calls = 0;
        let mut p: Paginator<u8> = Paginator::new(0, 5, move |_, _| {
            calls += 1;
            if calls == 1 {
                Ok((vec![1, 2, 3, 4, 5], None))
            } else {
                Err(Error::Config {
                    message: "x".into(),
                })
            }
        });
        assert_eq!(p.by_ref().take(5).count(), 5);
        assert!(p.next().unwrap().is_err());
        assert!(p.next().is_none());
    }
}
