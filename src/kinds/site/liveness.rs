//! Liveness of a home page from one visit and the URL's check history (SPEC section 4
//! `site`). Pure.
//!
//! * `alive`: the visit ended on a 2xx page (temporary redirects allowed);
//! * `moved`: permanent redirects (301, 308) led to another site (another host, `www.`
//!   ignored, or another port) and a server answered there: the tool stays, its record
//!   says where the page went;
//! * `dead`: 404, 410 or a host name that does not resolve, on [`DEAD_AFTER`] consecutive
//!   checks (this one included); fewer are `unknown` for now;
//! * `unknown`: everything else: 403, 429 and 5xx (a server that refuses or fails today
//!   is not a dead project), no answer, refused by the address guard, disallowed by
//!   robots.txt.
//!
//! No liveness ever removes a tool: it is reported in `source_records` and `report.json`.

use url::Url;

use crate::crawl::{Redirect, VisitEnd};
use crate::model::{HomepageCheck, Liveness};

/// Consecutive "gone" checks after which a home page is dead.
pub const DEAD_AFTER: usize = 3;

/// What a visit found: the check's outcome and status.
pub(crate) fn outcome(end: &VisitEnd) -> (&'static str, Option<u16>) {
    match end {
        VisitEnd::Page(r) => ("ok", Some(r.status)),
        VisitEnd::Status(s @ (404 | 410)) => ("gone", Some(*s)),
        VisitEnd::Status(s) => ("status", Some(*s)),
        VisitEnd::Unresolved(_) => ("unresolved", None),
        VisitEnd::Refused(_) => ("refused", None),
        VisitEnd::Disallowed => ("robots", None),
        VisitEnd::Failed(_) => ("failed", None),
    }
}

fn is_gone(outcome: &str) -> bool {
    matches!(outcome, "gone" | "unresolved")
}

/// The liveness of a visit of `asked` that followed `redirects` and found `outcome`, given
/// the earlier checks of the same home page, newest first.
pub(crate) fn judge(
    asked: &Url,
    redirects: &[Redirect],
    outcome: &str,
    history: &[HomepageCheck],
) -> Liveness {
    if is_gone(outcome) {
        let streak = 1 + history.iter().take_while(|c| is_gone(&c.outcome)).count();
        return if streak >= DEAD_AFTER {
            Liveness::Dead
        } else {
            Liveness::Unknown
        };
    }
    let answered = matches!(outcome, "ok" | "status");
    if answered && moved(asked, redirects) {
        return Liveness::Moved;
    }
    if outcome == "ok" {
        Liveness::Alive
    } else {
        Liveness::Unknown
    }
}

/// True when the redirects end on another site and every redirect that changed site was
/// permanent.
fn moved(asked: &Url, redirects: &[Redirect]) -> bool {
    let Some(last) = redirects.last() else {
        return false;
    };
    site(&last.to) != site(asked)
        && redirects
            .iter()
            .filter(|r| site(&r.from) != site(&r.to))
            .all(|r| matches!(r.status, 301 | 308))
}

/// A site: host without `www.`, and the port when it is not the scheme's default.
fn site(url: &Url) -> (String, Option<u16>) {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host);
    (host, url.port())
}
