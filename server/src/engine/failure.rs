//! Why a run failed, decided in one place from whatever stopped it: its plan,
//! a page fetch, a crawled page or the crawl itself.

use super::plan::PlanError;
use crate::crawl::{CrawlError, FailedPage, FailureKind};
use crate::net::{ErrorKind, FetchError};
use scraper_common::FailureReason;

/// What went wrong, as the engine met it.
#[derive(Debug, Clone, Copy)]
pub enum Cause<'a> {
    Plan(&'a PlanError),
    Fetch(&'a FetchError),
    Page(&'a FailedPage),
    Crawl(&'a CrawlError),
}

/// The run's `failureReason` for `cause`.
pub fn reason(cause: Cause<'_>) -> FailureReason {
    match cause {
        Cause::Plan(PlanError::Unsupported(_)) => FailureReason::Unsupported,
        Cause::Plan(PlanError::Invalid(_)) => FailureReason::InvalidFlow,
        Cause::Fetch(err) => of_page(FailureKind::Fetch(err.kind()), err.status()),
        Cause::Page(page) => of_page(page.kind, page.status),
        Cause::Crawl(CrawlError::Settings(_)) => FailureReason::InvalidFlow,
        Cause::Crawl(CrawlError::StartUrl { .. }) => FailureReason::Blocked,
        Cause::Crawl(CrawlError::StartDisallowed { .. }) => FailureReason::Robots,
        Cause::Crawl(CrawlError::StartFailed { error, .. }) => reason(Cause::Fetch(error)),
    }
}

/// A refusal, ours (policy) or the site's (the statuses that mean "not for
/// you"), is `blocked`; too slow is `timeout`; anything else `unreachable`.
fn of_page(kind: FailureKind, status: Option<u16>) -> FailureReason {
    match (kind, status) {
        (_, Some(401 | 403 | 407 | 429 | 451)) => FailureReason::Blocked,
        (FailureKind::Fetch(ErrorKind::Policy), _) => FailureReason::Blocked,
        (FailureKind::Fetch(ErrorKind::Timeout), _) => FailureReason::Timeout,
        _ => FailureReason::Unreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use url::Url;

    fn url() -> Url {
        Url::parse("http://example.com/").unwrap()
    }

    #[test]
    fn a_start_page_that_failed_fails_the_crawl_for_its_own_reason() {
        let cases = [
            (
                FetchError::Timeout {
                    url: url(),
                    after: Duration::from_secs(1),
                },
                FailureReason::Timeout,
            ),
            (
                FetchError::HttpStatus {
                    url: url(),
                    status: 403,
                },
                FailureReason::Blocked,
            ),
            (
                FetchError::HttpStatus {
                    url: url(),
                    status: 404,
                },
                FailureReason::Unreachable,
            ),
        ];
        for (error, expected) in cases {
            let err = CrawlError::StartFailed {
                url: url().to_string(),
                error,
            };
            assert_eq!(reason(Cause::Crawl(&err)), expected, "{err}");
        }
    }

    #[test]
    fn a_fetch_and_a_crawled_page_failing_alike_get_one_reason() {
        for status in [401, 403, 404, 429, 500] {
            let err = FetchError::HttpStatus { url: url(), status };
            let page = FailedPage::from_fetch("http://example.com/", 0, &err);
            assert_eq!(reason(Cause::Fetch(&err)), reason(Cause::Page(&page)));
        }
    }
}
