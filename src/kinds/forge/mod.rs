//! What the forge kinds (`github`, `gitlab`) share: the API seam to `crawl` (a GET that keeps
//! headers, sends the token only to the API's origin, counts as an API call), `Link`
//! pagination, the declaration keys `api_url`, `token_env` and `max_wait`, and publiccode.yml
//! (which the `json` kind's `publiccode` key reads too).

pub(crate) mod api;
pub(crate) mod decl;
pub(crate) mod publiccode;

use crate::crawl::FetchError;
use crate::kinds::SourceError;

/// `Ok(None)` when a step completed, `Ok(Some(reason))` when a rate limit stopped it: the
/// records found so far are kept and the harvest says `rate_limited`.
pub(crate) fn stop_reason(result: Result<(), SourceError>) -> Result<Option<String>, SourceError> {
    match result {
        Ok(()) => Ok(None),
        Err(SourceError::Fetch(e @ FetchError::RateLimited { .. })) => Ok(Some(e.to_string())),
        Err(e) => Err(e),
    }
}
