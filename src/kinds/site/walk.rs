//! Drives the visits of a `site` source: the first `max_sites` targets, a few in flight
//! (the `Fetcher`'s per-host limiters and global permits pace them), none started after
//! `time_budget`. The only file of `site/` that awaits.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt;

use super::decl::SiteSource;
use super::extract::{self, PageFacts};
use super::{SiteTarget, liveness};
use crate::crawl::{Visit, VisitEnd};
use crate::kinds::{Harvest, SourceCx, SourceError};
use crate::model::{CHECK_KEYS, HomepageCheck, RawRecord};
use crate::report::Issue;

/// Visits started at once (hosts differ; each host keeps its own pace).
const IN_FLIGHT: usize = 8;

/// The longest one page's reading may take on its blocking thread; past it the page counts
/// as not read (the thread finishes on its own, the run goes on).
const READ_LIMIT: Duration = Duration::from_secs(30);

/// One visit, read.
struct Visited {
    record: RawRecord,
    check: HomepageCheck,
    issues: Vec<Issue>,
    robots_skipped: Option<String>,
}

/// Visits the run's targets and reads each page.
pub(crate) async fn run(src: &SiteSource, cx: &SourceCx<'_>) -> Result<Harvest, SourceError> {
    // A budget too large for the clock has no deadline.
    let deadline = Instant::now().checked_add(src.time_budget);
    let targets = cx.site_targets;
    let chosen = &targets[..targets.len().min(src.max_sites)];
    // Owned targets: a stream of futures borrowing the slice is not `Send` enough for the
    // pipeline's task (a higher-ranked lifetime limitation of rustc).
    let visits: Vec<Option<Visited>> = futures::stream::iter(chosen.to_vec())
        .map(|t| async move {
            let visit_and_read = async {
                let visit = cx.fetcher.visit(&t.url, cx.stats, Some(src.revisit)).await;
                crate::crawl::FetchStats::bump(&cx.stats.visits, 1);
                read(&t, visit).await
            };
            match deadline {
                // None started after the budget, none finished past it.
                Some(d) if Instant::now() >= d => None,
                Some(d) => tokio::time::timeout_at(d.into(), visit_and_read).await.ok(),
                None => Some(visit_and_read.await),
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let mut harvest = Harvest::default();
    let skipped = visits.iter().filter(|v| v.is_none()).count();
    if skipped > 0 {
        tracing::info!(
            source_id = cx.source_id,
            skipped,
            "time budget spent; the remaining home pages wait for the next run"
        );
    }
    if targets.len() > chosen.len() {
        tracing::info!(
            source_id = cx.source_id,
            due = targets.len(),
            max_sites = src.max_sites,
            "more home pages due than `max_sites`; the least recently checked went first"
        );
    }
    for v in visits.into_iter().flatten() {
        harvest.records.push(v.record);
        harvest.checks.push(v.check);
        harvest.issues.extend(v.issues);
        harvest.robots_skipped.extend(v.robots_skipped);
    }
    Ok(harvest)
}

/// Reads a visit: the page's facts (parsed on a blocking thread) and its liveness.
async fn read(t: &SiteTarget, visit: Visit) -> Visited {
    let (outcome, status) = liveness::outcome(&visit.end);
    let alive = liveness::judge(&visit.asked, &visit.redirects, outcome, &t.history);
    let mut issues = Vec::new();
    let page = t.url.as_str();
    let facts = match visit.end {
        VisitEnd::Page(resp) => {
            let final_url = visit.final_url.clone();
            let content_type = resp.header("content-type").map(str::to_string);
            let body = resp.body;
            let reading = tokio::task::spawn_blocking(move || {
                if !extract::is_html(content_type.as_deref()) {
                    return PageFacts::default();
                }
                let text = extract::decode(&body, content_type.as_deref());
                extract::parse_page(&final_url, &text)
            });
            match tokio::time::timeout(READ_LIMIT, reading).await {
                Ok(Ok(facts)) => facts,
                Ok(Err(e)) => PageFacts::with_issue(format!("page not read: {e}")),
                Err(_) => PageFacts::with_issue(format!(
                    "page not read: reading it took more than {} s",
                    READ_LIMIT.as_secs()
                )),
            }
        }
        VisitEnd::Refused(ref m) | VisitEnd::Failed(ref m) | VisitEnd::Unresolved(ref m) => {
            issues.push(Issue::new(page, m.clone()).record(&t.key));
            PageFacts::default()
        }
        VisitEnd::Status(_) | VisitEnd::Disallowed => PageFacts::default(),
    };
    issues.extend(
        facts
            .issues
            .iter()
            .map(|m| Issue::new(visit.final_url.as_str(), m.clone()).record(&t.key)),
    );
    let check = HomepageCheck {
        url: t.key.clone(),
        checked_at: visit.checked_at,
        status,
        final_url: Some(visit.final_url.to_string()),
        outcome: outcome.to_string(),
        liveness: alive,
    };
    Visited {
        record: record(t, facts.fields, &check),
        robots_skipped: (outcome == "robots").then(|| visit.final_url.to_string()),
        check,
        issues,
    }
}

/// The site record: the page's facts, the home page visited, and the check.
fn record(
    t: &SiteTarget,
    mut fields: BTreeMap<String, Vec<String>>,
    c: &HomepageCheck,
) -> RawRecord {
    fields.insert("homepage".into(), vec![t.url.to_string()]);
    let values = [
        c.status.map(|s| s.to_string()),
        c.final_url.clone(),
        Some(
            c.checked_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        Some(c.liveness.as_str().to_string()),
    ];
    for (key, value) in CHECK_KEYS.iter().zip(values) {
        if let Some(v) = value {
            fields.insert(key.to_string(), vec![v]);
        }
    }
    RawRecord {
        record_id: t.key.clone(),
        source_url: t.url.to_string(),
        fields,
        ..RawRecord::default()
    }
}
