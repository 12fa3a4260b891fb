//! schedule: `schedules/*.toml` (SPEC section 5): 5-field POSIX cron in a time zone (UTC unless
//! `tz` names an IANA zone), the sources each job runs (ids or globs; default all enabled),
//! crontab lines for them, and the in-process daemon loop. The daemon gets its job as a
//! closure, so this module knows nothing of the pipeline.

pub mod export;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use serde::Deserialize;

/// One schedule file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleDecl {
    cron: String,
    #[serde(default = "utc")]
    tz: String,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

fn utc() -> String {
    "UTC".to_string()
}

/// A validated schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The file stem.
    pub name: String,
    pub cron: String,
    pub tz: Tz,
    /// Source ids or globs; empty means every enabled source.
    pub sources: Vec<String>,
    pub description: Option<String>,
    pub path: PathBuf,
    parsed: Cron,
}

/// A schedule file that could not be used, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ScheduleError {
    pub path: String,
    pub message: String,
}

/// Parses a 5-field POSIX cron expression (no seconds, no years).
pub fn parse_cron(expr: &str) -> Result<Cron, String> {
    if expr.split_whitespace().count() != 5 {
        return Err(format!(
            "`{expr}` is not a 5-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 3 * * *`"
        ));
    }
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build()
        .parse(expr)
        .map_err(|e| format!("invalid cron expression `{expr}`: {e}"))
}

impl Schedule {
    /// Parses the text of `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Schedule, ScheduleError> {
        let err = |message: String| ScheduleError {
            path: path.display().to_string(),
            message,
        };
        let decl: ScheduleDecl = toml::from_str(text).map_err(|e| err(e.message().to_string()))?;
        let parsed = parse_cron(&decl.cron).map_err(|m| err(format!("`cron`: {m}")))?;
        let tz = Tz::from_str(&decl.tz).map_err(|_| {
            err(format!(
                "`tz`: unknown time zone `{}` (expected an IANA name such as `UTC` or `Europe/Paris`)",
                decl.tz
            ))
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Schedule {
            name,
            cron: decl.cron,
            tz,
            sources: decl.sources,
            description: decl.description,
            path: path.to_path_buf(),
            parsed,
        })
    }

    /// The first time strictly after `after` that the schedule fires, in UTC.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.tz);
        self.parsed
            .find_next_occurrence(&local, false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The crontab line running this schedule with `program` in `workdir`.
    pub fn crontab_line(&self, program: &str, workdir: &str) -> String {
        format!(
            "{} cd {} && {} run --schedule {} >> output/cron.log 2>&1",
            self.cron,
            shell_quote(workdir),
            shell_quote(program),
            self.name
        )
    }
}

/// Reads every `*.toml` in `dir`, sorted by name; every bad file is reported.
pub fn load_dir(dir: &Path) -> Result<Vec<Schedule>, Vec<ScheduleError>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![ScheduleError {
            path: dir.display().to_string(),
            message: format!("cannot read the schedules directory: {e}"),
        }]
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => match Schedule::parse(&path, &text) {
                Ok(s) => out.push(s),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(ScheduleError {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `crontab` text for `schedules`: comment lines, then one line per schedule, each under the
/// `CRON_TZ` of its time zone (cronie and systemd-cron honour it; elsewhere set the crontab's
/// time zone to match).
pub fn crontab(schedules: &[Schedule], program: &str, workdir: &str) -> String {
    let mut out = String::from(
        "# civicrawl schedules: install with `civicrawl schedule crontab | crontab -`\n",
    );
    for s in schedules {
        out.push_str(&format!(
            "# {}{}\n",
            s.name,
            s.description
                .as_ref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ));
        out.push_str(&format!("CRON_TZ={}\n", s.tz.name()));
        out.push_str(&s.crontab_line(program, workdir));
        out.push('\n');
    }
    out
}

/// The schedule that fires first after `now`, with its time (ties: by name).
pub fn next_due(schedules: &[Schedule], now: DateTime<Utc>) -> Option<(&Schedule, DateTime<Utc>)> {
    schedules
        .iter()
        .filter_map(|s| s.next_after(now).map(|t| (s, t)))
        .min_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.name.cmp(&b.0.name)))
}

/// Runs the schedules forever (or `max_runs` jobs): sleeps until the next one is due, then
/// calls `job` with it. Jobs run one after another, so runs never overlap.
pub async fn daemon<F, Fut>(schedules: &[Schedule], max_runs: Option<usize>, mut job: F)
where
    F: FnMut(Schedule) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut runs = 0;
    while max_runs.is_none_or(|m| runs < m) {
        let Some((schedule, at)) = next_due(schedules, Utc::now()) else {
            tracing::warn!("no schedule will ever fire; the daemon stops");
            return;
        };
        let wait = (at - Utc::now()).to_std().unwrap_or_default();
        tracing::info!(schedule = %schedule.name, at = %at, "next run");
        tokio::time::sleep(wait).await;
        job(schedule.clone()).await;
        runs += 1;
    }
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn schedule(text: &str) -> Schedule {
        Schedule::parse(Path::new("schedules/nightly.toml"), text).unwrap()
    }

    #[test]
    fn next_run_in_utc_and_in_a_named_zone() {
        let s = schedule("cron = \"0 3 * * *\"\n");
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
        assert_eq!(
            s.next_after(now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 27, 3, 0, 0).unwrap()
        );
        let paris = schedule("cron = \"0 3 * * *\"\ntz = \"Europe/Paris\"\n");
        // 03:00 in Paris is 02:00 UTC in winter.
        assert_eq!(
            paris.next_after(now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap()
        );
    }

    #[test]
    fn weekly_schedule_fires_on_its_day() {
        let s = schedule("cron = \"30 4 * * 0\"\n");
        // 2026-11-26 is a Thursday; the next Sunday is 2026-11-29.
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        assert_eq!(
            s.next_after(now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 29, 4, 30, 0).unwrap()
        );
    }

    #[test]
    fn bad_schedules_name_file_and_field() {
        let err =
            Schedule::parse(Path::new("schedules/x.toml"), "cron = \"0 0 3 * * *\"\n").unwrap_err();
        assert!(
            err.to_string().contains("schedules/x.toml: `cron`"),
            "{err}"
        );
        assert!(err.to_string().contains("5-field"), "{err}");
        let err = Schedule::parse(Path::new("s.toml"), "cron = \"61 * * * *\"\n").unwrap_err();
        assert!(err.to_string().contains("invalid cron expression"), "{err}");
        let err = Schedule::parse(
            Path::new("s.toml"),
            "cron = \"0 3 * * *\"\ntz = \"Mars/Olympus\"\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown time zone `Mars/Olympus`"),
            "{err}"
        );
        let err = Schedule::parse(Path::new("s.toml"), "cron = \"0 3 * * *\"\nsourcez = []\n")
            .unwrap_err();
        assert!(err.to_string().contains("sourcez"), "{err}");
    }

    #[test]
    fn crontab_has_one_line_per_schedule_with_its_zone() {
        let a = schedule("cron = \"0 3 * * *\"\nsources = [\"github-*\"]\n");
        let mut b = schedule("cron = \"0 4 * * 0\"\ntz = \"Europe/Paris\"\n");
        b.name = "weekly".into();
        let text = crontab(&[a, b], "/opt/civicrawl", "/srv/cat alogue");
        assert!(text.contains("CRON_TZ=UTC\n0 3 * * * cd '/srv/cat alogue' && /opt/civicrawl run --schedule nightly"), "{text}");
        assert!(
            text.contains("CRON_TZ=Europe/Paris\n0 4 * * 0 cd"),
            "{text}"
        );
    }

    #[test]
    fn the_earliest_schedule_is_due_first() {
        let a = schedule("cron = \"0 3 * * *\"\n");
        let mut b = schedule("cron = \"0 1 * * *\"\n");
        b.name = "early".into();
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        let list = [a, b];
        let (s, at) = next_due(&list, now).unwrap();
        assert_eq!(s.name, "early");
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap());
    }
}
