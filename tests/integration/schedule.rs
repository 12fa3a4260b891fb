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
