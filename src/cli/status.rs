//! `civicrawl status`: is the catalogue fresh? The latest release's id and age, and per source
//! its status, last success, records and since when it has gone without success, read from
//! `output/latest/report.json` and `output/state.sqlite` (nothing is fetched or written but
//! the optional Prometheus file).
//!
//! Exit codes: 0 fresh and healthy; 3 published but some source stale (its latest run failed
//! or it never ran, or its last success is older than `--max-age`); 1 no release, or the
//! latest is older than `--max-age`; 2 usage error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;

use super::exit;
use crate::model::SourceStatus;
use crate::state::{SourceHealth, Store};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output directory (holds `latest`, `releases/` and `state.sqlite`).
    #[arg(long, default_value = "output", value_name = "DIR")]
    out: PathBuf,
    /// Oldest acceptable release, and oldest acceptable last success of a source: a number
    /// and a unit, combined as needed (`90s`, `30m`, `48h`, `2d`, `1w`, `1d12h`).
    #[arg(long, default_value = "48h", value_name = "DURATION", value_parser = parse_duration)]
    max_age: chrono::Duration,
    /// Print the status as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Also write the status as a node_exporter textfile-collector file (written whole, then
    /// renamed into place).
    #[arg(long, value_name = "FILE")]
    prometheus: Option<PathBuf>,
}

/// What `status` found, as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Status {
    /// When the status was taken.
    pub checked_at: DateTime<Utc>,
    /// The latest release's id, if any.
    pub release_id: Option<String>,
    /// When the latest release was finished (its report's `finished_at`).
    pub release_finished_at: Option<DateTime<Utc>>,
    pub release_age_seconds: Option<i64>,
    pub max_age_seconds: i64,
    /// `fresh`, `stale_sources`, `too_old` or `no_release`.
    pub verdict: &'static str,
    /// The exit code `status` returns.
    pub exit_code: u8,
    /// Counts of the latest release.
    pub tools: Option<u64>,
    pub organisations: Option<u64>,
    pub use_cases: Option<u64>,
    /// Requests and 304 answers of the run that made the latest release.
    pub requests: Option<u64>,
    pub not_modified: Option<u64>,
    pub sources: Vec<SourceStatusRow>,
    /// What kept the check from reading something (a missing state store, an unreadable
    /// report); the check goes on without it.
    pub problems: Vec<String>,
}

/// One source in `status`.
#[derive(Debug, Serialize)]
pub struct SourceStatusRow {
    pub id: String,
    pub status: &'static str,
    /// True when its latest run failed, it never ran, or its last success is older than
    /// `--max-age`.
    pub stale: bool,
    pub last_success_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub records: i64,
    pub requests: i64,
    pub not_modified: i64,
}

pub fn exec(args: StatusArgs) -> u8 {
    let status = check(&args.out, args.max_age, crate::clock::now());
    if args.json {
        match serde_json::to_string_pretty(&status) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FAILURE;
            }
        }
    } else {
        print!("{}", summary(&status));
    }
    if let Some(file) = &args.prometheus
        && let Err(e) = write_prometheus(file, &status)
    {
        eprintln!("error: {}: {e}", file.display());
        return exit::FAILURE;
    }
    status.exit_code
}

/// The status of the catalogue in `out` at `now`.
pub fn check(out: &Path, max_age: chrono::Duration, now: DateTime<Utc>) -> Status {
    let mut status = Status {
        checked_at: now,
        release_id: None,
        release_finished_at: None,
        release_age_seconds: None,
        max_age_seconds: max_age.num_seconds(),
        verdict: "no_release",
        exit_code: exit::FAILURE,
        tools: None,
        organisations: None,
        use_cases: None,
        requests: None,
        not_modified: None,
        sources: Vec::new(),
        problems: Vec::new(),
    };
    if let Some(dir) = crate::publish::latest_release(out) {
        status.release_id = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let report = dir.join("report.json");
        match read_report(&report) {
            Ok(r) => {
                let count = |k: &str| r.get(k).and_then(serde_json::Value::as_u64);
                status.tools = count("tools");
                status.organisations = count("organisations");
                status.use_cases = count("use_cases");
                status.requests = count("requests");
                status.not_modified = count("not_modified");
                status.release_finished_at = r
                    .get("finished_at")
                    .and_then(|t| t.as_str())
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.to_utc());
            }
            Err(e) => status.problems.push(format!("{}: {e}", report.display())),
        }
    }
    let state = out.join("state.sqlite");
    if state.is_file() {
        match Store::open(&state).and_then(|s| s.source_health()) {
            Ok(health) => {
                status.sources = health.iter().map(|h| row(h, max_age, now)).collect();
            }
            Err(e) => status.problems.push(e.to_string()),
        }
    } else {
        status
            .problems
            .push(format!("{}: no state store", state.display()));
    }
    status.release_age_seconds = status
        .release_finished_at
        .map(|t| (now - t).num_seconds().max(0));
    (status.verdict, status.exit_code) = match status.release_age_seconds {
        None => ("no_release", exit::FAILURE),
        Some(age) if age > status.max_age_seconds => ("too_old", exit::FAILURE),
        Some(_) if status.sources.iter().any(|s| s.stale) => ("stale_sources", exit::PARTIAL),
        Some(_) => ("fresh", exit::OK),
    };
    status
}

fn read_report(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn row(h: &SourceHealth, max_age: chrono::Duration, now: DateTime<Utc>) -> SourceStatusRow {
    let old = h.last_success_at.is_none_or(|t| now - t > max_age);
    let stale = match h.status {
        SourceStatus::Ok => false,
        SourceStatus::RateLimited => old,
        SourceStatus::Stale | SourceStatus::NeverRun => true,
    };
    SourceStatusRow {
        id: h.source_id.clone(),
        status: h.status.as_str(),
        stale,
        last_success_at: h.last_success_at,
        failing_since: h.failing_since,
        records: h.records,
        requests: h.requests,
        not_modified: h.not_modified,
    }
}

/// `90s`, `30m`, `48h`, `2d`, `1w`, `1d12h`: numbers each followed by a unit.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let bad = || format!("`{text}` is not a duration (e.g. 90s, 30m, 48h, 2d, 1w, 1d12h)");
    let mut total = chrono::Duration::zero();
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total += match c {
            's' => chrono::Duration::seconds(n),
            'm' => chrono::Duration::minutes(n),
            'h' => chrono::Duration::hours(n),
            'd' => chrono::Duration::days(n),
            'w' => chrono::Duration::weeks(n),
            _ => return Err(bad()),
        };
    }
    if !digits.is_empty() || total <= chrono::Duration::zero() {
        return Err(bad());
    }
    Ok(total)
}

/// `2d 3h`, `5h 2m`, `42s`: an age for people.
fn human(seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

fn summary(s: &Status) -> String {
    let mut out = String::new();
    let max = human(s.max_age_seconds);
    match (&s.release_id, s.release_age_seconds) {
        (Some(id), Some(age)) => {
            let _ = writeln!(out, "release {id}, {} old (max {max})", human(age));
        }
        (Some(id), None) => {
            let _ = writeln!(out, "release {id}, age unknown");
        }
        _ => {
            let _ = writeln!(out, "no release");
        }
    }
    if let Some(tools) = s.tools {
        let _ = writeln!(
            out,
            "{tools} tools, {} organisations, {} use cases",
            s.organisations.unwrap_or(0),
            s.use_cases.unwrap_or(0)
        );
    }
    if !s.sources.is_empty() {
        let width = s
            .sources
            .iter()
            .map(|r| r.id.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let _ = writeln!(
            out,
            "{:width$}  {:12}  {:20}  {:>8}  failing since",
            "source", "status", "last success", "records"
        );
        let time = |t: Option<DateTime<Utc>>| {
            t.map_or("-".to_string(), |t| {
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
        };
        for r in &s.sources {
            let _ = writeln!(
                out,
                "{:width$}  {:12}  {:20}  {:>8}  {}{}",
                r.id,
                r.status,
                time(r.last_success_at),
                r.records,
                time(r.failing_since),
                if r.stale { "  STALE" } else { "" }
            );
        }
    }
    for p in &s.problems {
        let _ = writeln!(out, "note: {p}");
    }
    let stale: Vec<&str> = s
        .sources
        .iter()
        .filter(|r| r.stale)
        .map(|r| r.id.as_str())
        .collect();
    let _ = match s.verdict {
        "fresh" => writeln!(out, "fresh"),
        "stale_sources" => writeln!(out, "published, stale sources: {}", stale.join(", ")),
        "too_old" => writeln!(out, "TOO OLD: the latest release is older than {max}"),
        _ => writeln!(out, "NO RELEASE in this output directory"),
    };
    out
}

/// The status as a node_exporter textfile-collector file.
pub fn prometheus(s: &Status) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, help: &str, samples: &[(String, f64)]| {
        let _ = writeln!(out, "# HELP civicrawl_{name} {help}");
        let _ = writeln!(out, "# TYPE civicrawl_{name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "civicrawl_{name}{labels} {value}");
        }
    };
    let one = |v: Option<f64>| v.map(|v| vec![(String::new(), v)]).unwrap_or_default();
    let label = |id: &str| format!("{{source=\"{}\"}}", escape(id));
    metric(
        "up",
        "1 when the latest release is fresh and every source healthy, else 0.",
        &[(String::new(), f64::from(u8::from(s.exit_code == exit::OK)))],
    );
    metric(
        "status_exit_code",
        "The exit code of civicrawl status (0 fresh, 3 stale sources, 1 no or too old a release).",
        &[(String::new(), f64::from(s.exit_code))],
    );
    metric(
        "release_age_seconds",
        "Age of the latest release.",
        &one(s.release_age_seconds.map(|a| a as f64)),
    );
    metric(
        "release_timestamp_seconds",
        "When the latest release was finished, Unix time.",
        &one(s.release_finished_at.map(|t| t.timestamp() as f64)),
    );
    metric(
        "tools",
        "Tools in the latest release.",
        &one(s.tools.map(|n| n as f64)),
    );
    metric(
        "last_run_requests",
        "HTTP requests of the run that made the latest release.",
        &one(s.requests.map(|n| n as f64)),
    );
    metric(
        "last_run_not_modified",
        "304 answers in the run that made the latest release.",
        &one(s.not_modified.map(|n| n as f64)),
    );
    let per = |f: &dyn Fn(&SourceStatusRow) -> Option<f64>| -> Vec<(String, f64)> {
        s.sources
            .iter()
            .filter_map(|r| f(r).map(|v| (label(&r.id), v)))
            .collect()
    };
    let statuses: Vec<(String, f64)> = s
        .sources
        .iter()
        .flat_map(|r| {
            SourceStatus::ALL.iter().map(move |st| {
                (
                    format!(
                        "{{source=\"{}\",status=\"{}\"}}",
                        escape(&r.id),
                        st.as_str()
                    ),
                    f64::from(u8::from(r.status == st.as_str())),
                )
            })
        })
        .collect();
    metric(
        "source_status",
        "1 for the status of each source's latest run.",
        &statuses,
    );
    metric(
        "source_stale",
        "1 when a source's latest run failed, it never ran, or its last success is too old.",
        &per(&|r| Some(f64::from(u8::from(r.stale)))),
    );
    metric(
        "source_last_success_timestamp_seconds",
        "When each source last succeeded, Unix time.",
        &per(&|r| r.last_success_at.map(|t| t.timestamp() as f64)),
    );
    metric(
        "source_records",
        "Records each source holds.",
        &per(&|r| Some(r.records as f64)),
    );
    metric(
        "source_requests",
        "HTTP requests of each source's latest run.",
        &per(&|r| Some(r.requests as f64)),
    );
    metric(
        "source_not_modified",
        "304 answers in each source's latest run.",
        &per(&|r| Some(r.not_modified as f64)),
    );
    out
}

/// A label value with `\`, `"` and newlines escaped (Prometheus text format).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Writes the file beside its final name, then renames it: node_exporter never reads half.
fn write_prometheus(file: &Path, s: &Status) -> std::io::Result<()> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = file.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, prometheus(s))?;
    std::fs::rename(&tmp, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_combine_units_and_refuse_nonsense() {
        assert_eq!(parse_duration("48h"), Ok(chrono::Duration::hours(48)));
        assert_eq!(
            parse_duration("1d12h"),
            Ok(chrono::Duration::hours(36)),
            "units combine"
        );
        assert_eq!(parse_duration("90s"), Ok(chrono::Duration::seconds(90)));
        assert_eq!(parse_duration("1w"), Ok(chrono::Duration::days(7)));
        for bad in ["", "48", "h", "3x", "0s", "-1h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_rate_limited_source_is_stale_only_once_its_last_success_is_too_old() {
        let now: DateTime<Utc> = "2026-06-10T00:00:00Z".parse().unwrap();
        let health = |status, days_ago: Option<i64>| SourceHealth {
            source_id: "gh".into(),
            status,
            last_success_at: days_ago.map(|d| now - chrono::Duration::days(d)),
            failing_since: None,
            records: 1,
            requests: 1,
            not_modified: 0,
        };
        let max = chrono::Duration::hours(48);
        assert!(!row(&health(SourceStatus::RateLimited, Some(1)), max, now).stale);
        assert!(row(&health(SourceStatus::RateLimited, Some(3)), max, now).stale);
        assert!(row(&health(SourceStatus::RateLimited, None), max, now).stale);
        assert!(!row(&health(SourceStatus::Ok, Some(30)), max, now).stale);
        assert!(row(&health(SourceStatus::Stale, Some(0)), max, now).stale);
        assert!(row(&health(SourceStatus::NeverRun, None), max, now).stale);
    }

    #[test]
    fn ages_read_like_ages() {
        assert_eq!(human(42), "42s");
        assert_eq!(human(3_720), "1h 2m");
        assert_eq!(human(2 * 86_400 + 3 * 3_600 + 5), "2d 3h");
    }
}
