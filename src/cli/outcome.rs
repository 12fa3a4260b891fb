//! How a run or build ended, told to the person or cron job that started it: one line per
//! problem on stderr, and the exit code (`civicrawl run`, `run --schedule`, `schedule run`,
//! `build`).

use super::exit;
use crate::pipeline::{RunError, RunOutcome};

/// Prints the outcome of a run or build and maps it to an exit code.
pub fn report(result: Result<RunOutcome, RunError>) -> u8 {
    match result {
        Ok(outcome) => {
            let failed = outcome.failed();
            eprintln!(
                "published {} ({} tools)",
                outcome.release_dir.display(),
                outcome.tools,
            );
            for s in &failed {
                eprintln!(
                    "warning: source `{}` failed; its earlier records are kept, flagged stale: {}",
                    s.id,
                    s.error.as_deref().unwrap_or("failed")
                );
            }
            let limited = outcome.rate_limited();
            for s in &limited {
                eprintln!(
                    "warning: source `{}` was stopped by an API rate limit; what it found is saved with its earlier records, and the next run goes on: {}",
                    s.id,
                    s.error.as_deref().unwrap_or("rate limited")
                );
            }
            let stale_only: Vec<&String> = outcome
                .stale_sources
                .iter()
                .filter(|id| !failed.iter().any(|f| &f.id == *id))
                .collect();
            for id in &stale_only {
                eprintln!("warning: source `{id}` is stale (its last run failed)");
            }
            if failed.is_empty() && stale_only.is_empty() && limited.is_empty() {
                exit::OK
            } else {
                exit::PARTIAL
            }
        }
        Err(RunError::Locked(e)) => {
            eprintln!("error: {e}");
            eprintln!("help: wait for it to finish, or pass --wait to queue behind it");
            exit::LOCKED
        }
        Err(RunError::Declarations { dir, errors }) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!(
                "error: {} problem(s) in the source declarations in `{}`; nothing was fetched",
                errors.len(),
                dir.display()
            );
            exit::USAGE
        }
        Err(RunError::Usage(msg)) => {
            eprintln!("error: {msg}");
            exit::USAGE
        }
        Err(RunError::NothingSucceeded(outcomes)) => {
            eprintln!(
                "error: no source that had work to do succeeded; nothing was published and the previous release stays"
            );
            let reasons: Vec<String> = outcomes
                .iter()
                .map(|s| match &s.error {
                    Some(e) => short_reason(e),
                    None => "had nothing to do (no request made)".to_string(),
                })
                .collect();
            for (s, reason) in outcomes.iter().zip(&reasons) {
                eprintln!("  {}: {reason}", s.id);
            }
            let failures = || {
                outcomes
                    .iter()
                    .zip(&reasons)
                    .filter(|(o, _)| o.error.is_some())
            };
            if failures().count() > 0 && failures().all(|(_, r)| r.starts_with(CONNECT)) {
                eprintln!(
                    "help: no source could be reached: check the network connection (DNS, proxy, firewall), then run again"
                );
            } else {
                eprintln!("help: check the network connection and the URLs above, then run again");
            }
            exit::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILURE
        }
    }
}

const CONNECT: &str = "could not connect to ";

/// One short line for a source's failure: `could not connect to HOST (cause, N attempts)`
/// for connection failures (the usual case offline), else the error cut to 160 characters.
fn short_reason(error: &str) -> String {
    let lower = error.to_ascii_lowercase();
    let cause = [
        ("dns error", "dns error: name not resolved"),
        ("connection refused", "connection refused"),
        ("connection reset", "connection reset"),
        ("network is unreachable", "network unreachable"),
        ("timed out", "timed out"),
        ("certificate", "TLS certificate error"),
        ("(connect)", "connect error"),
    ]
    .iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, cause)| *cause);
    let host = error
        .split_whitespace()
        .find_map(|w| url::Url::parse(w.trim_end_matches(':')).ok())
        .and_then(|u| {
            let host = u.host_str()?.to_owned();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        });
    match (cause, host) {
        (Some(cause), Some(host)) => {
            let attempts = lower
                .rsplit_once("after ")
                .and_then(|(_, rest)| rest.split_once(" attempt"))
                .and_then(|(n, _)| n.trim().parse::<u32>().ok())
                .filter(|n| *n > 1)
                .map(|n| format!(", {n} attempts"))
                .unwrap_or_default();
            format!("{CONNECT}{host} ({cause}{attempts})")
        }
        _ if error.chars().count() > 160 => {
            format!("{}…", error.chars().take(159).collect::<String>())
        }
        _ => error.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::short_reason;

    #[test]
    fn connection_failures_become_one_short_line() {
        let dns = "GET https://civictech.guide/api/v1/projects/export?limit=500&offset=0: host skipped this run: robots.txt unavailable: GET https://civictech.guide/robots.txt: error sending request: client error (Connect): dns error: error resolving DNS: failed to lookup address information: Name or service not known after 4 attempt(s)";
        assert_eq!(
            short_reason(dns),
            "could not connect to civictech.guide (dns error: name not resolved, 4 attempts)"
        );
        let refused = "GET http://127.0.0.1:4711/feed: error sending request: client error (Connect): tcp connect error: Connection refused (os error 111) after 4 attempt(s)";
        assert_eq!(
            short_reason(refused),
            "could not connect to 127.0.0.1:4711 (connection refused, 4 attempts)"
        );
        assert_eq!(
            short_reason("http://a.test/x.json: invalid JSON: expected value at line 1 column 1"),
            "http://a.test/x.json: invalid JSON: expected value at line 1 column 1"
        );
        let long = format!("https://a.test/: {}", "x".repeat(300));
        assert_eq!(short_reason(&long).chars().count(), 160);
    }
}
