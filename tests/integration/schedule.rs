//! Schedules (SPEC section 5): the shipped schedules print as crontab lines; `run --schedule`
//! runs only that schedule's sources.

use std::path::Path;

use crate::support::{Reply, Server, Workdir};

fn feed_source(base: &str, tag: &str) -> String {
    format!(
        "kind = \"json\"\nurl = \"{base}/{tag}.json\"\nrecords = \"$.items[*]\"\nrate = {{ per_second = 50.0 }}\n[fields]\nrecord_id = \"$.id\"\nname = \"$.name\"\nhomepage = \"$.homepage\"\n"
    )
}

#[tokio::test]
async fn the_shipped_schedules_print_as_crontab_lines() {
    let w = Workdir::new();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules");
    let dir = shipped.to_str().unwrap();
    let run = w
        .civicrawl(&["schedule", "crontab", "--schedules", dir])
        .await;
    run.expect_code(0);
    let out = run.stdout();
    let jobs: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" run --schedule "))
        .collect();
    assert_eq!(jobs.len(), 2, "{out}");
    assert!(
        jobs[0].starts_with("15 2 * * * cd ")
            && jobs[0].ends_with("run --schedule nightly >> output/cron.log 2>&1"),
        "{out}"
    );
    assert!(
        jobs[1].starts_with("30 4 * * 0 cd ") && jobs[1].contains("run --schedule weekly"),
        "{out}"
    );
    assert!(out.contains("CRON_TZ=UTC"), "{out}");
    let list = w.civicrawl(&["schedule", "list", "--schedules", dir]).await;
    list.expect_code(0);
    assert!(
        list.stdout().contains("nightly") && list.stdout().contains("weekly"),
        "{}",
        list.stdout()
    );
}

#[tokio::test]
async fn run_with_a_schedule_runs_only_its_sources() {
    let s = Server::start().await;
    s.always("/robots.txt", Reply::status(404));
    for tag in ["api", "dir"] {
        s.always(
            &format!("/{tag}.json"),
            Reply::json(format!(
                r#"{{"items": [{{"id": "1", "name": "{tag} tool", "homepage": "https://{tag}.example.org"}}]}}"#
            )),
        );
    }
    let w = Workdir::new();
    w.source("registry-api", &feed_source(&s.base(), "api"));
    w.source("tools-directory", &feed_source(&s.base(), "dir"));
    std::fs::create_dir(w.path().join("schedules")).unwrap();
    std::fs::write(
        w.path().join("schedules/nightly.toml"),
        "cron = \"0 3 * * *\"\nsources = [\"registry-*\", \"gitlab-*\"]\n",
    )
    .unwrap();
    w.civicrawl(&["run", "--schedule", "nightly"])
        .await
        .expect_code(0);
    assert_eq!(s.hits("/api.json"), 1);
    assert_eq!(s.hits("/dir.json"), 0, "not in the schedule");
    let bad = w.civicrawl(&["run", "--schedule", "hourly"]).await;
    bad.expect_code(2);
    assert!(
        bad.stderr().contains("no schedule `hourly`"),
        "{}",
        bad.stderr()
    );
    let bad = w
        .civicrawl(&["schedule", "list", "--schedules", "nowhere"])
        .await;
    bad.expect_code(2);
}

#[test]
fn the_shipped_sources_check_and_every_shipped_schedule_selects_declared_sources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let decls = civicrawl::declare::load_dir(&root.join("sources")).unwrap_or_else(|e| {
        panic!(
            "shipped sources invalid: {}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(decls.len() >= 5, "{} sources", decls.len());
    let schedules = civicrawl::schedule::load_dir(&root.join("schedules")).unwrap();
    for s in &schedules {
        let decls = civicrawl::declare::load_dir(&root.join("sources")).unwrap();
        let picked = civicrawl::declare::select(decls, &s.sources)
            .unwrap_or_else(|e| panic!("schedule {}: {e}", s.name));
        if s.name == "nightly" {
            assert!(picked.len() >= 5, "nightly runs {} sources", picked.len());
        }
    }
}

/// The schedules of `tests/fixtures/schedule-export/schedules`, exported to `format` in `out`.
async fn export(w: &Workdir, format: &str, schedules: &Path, out: &Path) -> crate::support::Run {
    w.civicrawl(&[
        "schedule",
        "export",
        "--format",
        format,
        "--schedules",
        schedules.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--program",
        "/usr/local/bin/civicrawl",
        "--workdir",
        "/var/lib/civicrawl",
        "--image",
        "civicrawl:1.0",
    ])
    .await
}

/// A tool that must be present under CI and may be missing elsewhere (the test then skips).
fn tool(name: &str) -> bool {
    let found = std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "{name} is required under CI"
    );
    found
}

/// Every format's files equal the golden files (`UPDATE_GOLDEN=1` rewrites them); GitHub
/// Actions refuses a schedule in local time, naming its file.
#[tokio::test]
async fn schedules_export_to_every_scheduler_as_the_golden_files_say() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schedule-export");
    let schedules = fixtures.join("schedules");
    let utc_only = tempfile::tempdir().unwrap();
    std::fs::copy(
        schedules.join("nightly.toml"),
        utc_only.path().join("nightly.toml"),
    )
    .unwrap();
    let w = Workdir::new();
    for format in ["crontab", "systemd", "github-actions", "kubernetes"] {
        let out = w.path().join(format);
        let from = if format == "github-actions" {
            let refused = export(&w, format, &schedules, &out).await;
            refused.expect_code(2);
            assert!(
                refused.stderr().contains("office-hours.toml")
                    && refused.stderr().contains("UTC only"),
                "{}",
                refused.stderr()
            );
            utc_only.path()
        } else {
            &schedules
        };
        export(&w, format, from, &out).await.expect_code(0);
        let golden = fixtures.join("golden").join(format);
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in &names {
            // The files name the schedule file they come from: the path given, made stable.
            let text = std::fs::read_to_string(out.join(name))
                .unwrap()
                .replace(&format!("{}/", from.display()), "schedules/");
            if std::env::var_os("UPDATE_GOLDEN").is_some() {
                std::fs::create_dir_all(&golden).unwrap();
                std::fs::write(golden.join(name), &text).unwrap();
            }
            let want = std::fs::read_to_string(golden.join(name))
                .unwrap_or_else(|e| panic!("{}: {e}", golden.join(name).display()));
            assert_eq!(text, want, "{format}/{name} differs from its golden file");
        }
        let mut want: Vec<String> = std::fs::read_dir(&golden)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        want.sort();
        assert_eq!(names, want, "{format}: the files written");
    }
}

/// The exported systemd units pass `systemd-analyze verify`, and each timer fires when the
/// cron line does: the next elapses systemd computes equal civicrawl's own schedule's.
#[tokio::test]
async fn exported_systemd_timers_pass_systemd_and_fire_when_cron_would() {
    if !tool("systemd-analyze") {
        eprintln!("skipped: no systemd-analyze");
        return;
    }
    let schedules =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schedule-export/schedules");
    let w = Workdir::new();
    let out = w.path().join("units");
    let program = env!("CARGO_BIN_EXE_civicrawl");
    w.civicrawl(&[
        "schedule",
        "export",
        "--format",
        "systemd",
        "--schedules",
        schedules.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--program",
        program,
        "--workdir",
        w.path().to_str().unwrap(),
    ])
    .await
    .expect_code(0);
    let units: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    assert_eq!(units.len(), 4);
    let verify = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .output()
        .unwrap();
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );

    let base: chrono::DateTime<chrono::Utc> = "2026-03-27T00:00:00Z".parse().unwrap();
    let loaded = civicrawl::schedule::load_dir(&schedules).unwrap();
    for s in &loaded {
        let timer =
            std::fs::read_to_string(out.join(format!("civicrawl-{}.timer", s.name))).unwrap();
        // The first 40 firings of the union of the timer's calendars…
        let mut fired: Vec<String> = Vec::new();
        for line in timer.lines().filter_map(|l| l.strip_prefix("OnCalendar=")) {
            let cal = std::process::Command::new("systemd-analyze")
                .args([
                    "calendar",
                    "--iterations=40",
                    "--base-time=2026-03-27 00:00:00 UTC",
                    line,
                ])
                .env("TZ", "UTC")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&cal.stdout).into_owned();
            assert!(
                cal.status.success(),
                "{line}: {}",
                String::from_utf8_lossy(&cal.stderr)
            );
            fired.extend(
                text.lines()
                    .filter_map(|l| l.trim().split_once(": "))
                    .filter(|(k, _)| *k == "Next elapse" || k.starts_with("Iter."))
                    .map(|(_, v)| {
                        v.split_once(' ')
                            .unwrap()
                            .1
                            .trim_end_matches(" UTC")
                            .to_string()
                    }),
            );
        }
        fired.sort();
        fired.dedup();
        fired.truncate(40);
        // …are the first 40 of the cron line's.
        let mut want = Vec::new();
        let mut t = base - chrono::Duration::seconds(1);
        for _ in 0..40 {
            t = s.next_after(t).unwrap();
            want.push(t.format("%Y-%m-%d %H:%M:%S").to_string());
        }
        assert_eq!(fired, want, "{}: systemd's firings against cron's", s.name);
    }
}
