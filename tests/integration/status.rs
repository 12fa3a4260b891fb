//! Issue 18 part 1: `civicrawl status` tells an operator whether the catalogue is fresh, from
//! an empty output directory, a healthy run, a run with a failed source and an old release.

use crate::spine::{directory_decl, directory_server, registry_decl, registry_server};
use crate::support::Workdir;

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// Every sample line of a textfile-collector file: `name{labels} value`, with `# HELP` and
/// `# TYPE` lines before each metric's samples.
fn samples(text: &str) -> Vec<(String, f64)> {
    let mut typed = Vec::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert_eq!(kind, "gauge", "{line}");
            typed.push(name.to_string());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
        let name = series.split('{').next().unwrap();
        assert!(
            name.starts_with("civicrawl_")
                && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "metric name: {line}"
        );
        assert!(
            typed.iter().any(|t| t == name),
            "sample before its # TYPE: {line}"
        );
        if let Some(labels) = series.strip_prefix(name) {
            assert!(
                labels.is_empty() || labels.starts_with('{') && labels.ends_with('}'),
                "labels: {line}"
            );
        }
        out.push((series.to_string(), value.parse().expect("a number")));
    }
    out
}

fn sample(all: &[(String, f64)], series: &str) -> f64 {
    all.iter()
        .find(|(s, _)| s == series)
        .unwrap_or_else(|| panic!("no {series} in {all:?}"))
        .1
}

#[tokio::test]
async fn status_says_whether_the_catalogue_is_fresh_and_which_source_is_stale() {
    let w = Workdir::new();
    // An empty output directory: no release.
    let run = w.civicrawl(&["status"]).await;
    run.expect_code(1);
    assert!(run.stdout().contains("NO RELEASE"), "{}", run.stdout());
    let empty = json(&w.civicrawl(&["status", "--json"]).await.stdout());
    assert_eq!(empty["verdict"], "no_release");

    // A healthy run.
    let reg = registry_server().await;
    let dir = directory_server().await;
    w.source("registry", &registry_decl(&reg.base()));
    w.source("directory", &directory_decl(&dir.base()));
    let day1 = [("CIVICRAWL_TEST_NOW", "2026-06-01T03:00:00Z")];
    w.civicrawl_env(&["run"], &day1).await.expect_code(0);
    let later = [("CIVICRAWL_TEST_NOW", "2026-06-01T05:30:00Z")];
    let run = w.civicrawl_env(&["status"], &later).await;
    run.expect_code(0);
    assert!(run.stdout().contains("2h 30m old"), "{}", run.stdout());
    let s = json(
        &w.civicrawl_env(&["status", "--json"], &later)
            .await
            .stdout(),
    );
    assert_eq!(s["verdict"], "fresh");
    assert_eq!(s["release_age_seconds"], 9_000);
    assert!(s["tools"].as_u64().unwrap() >= 3, "{s}");
    let sources = s["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    for src in sources {
        assert_eq!(src["status"], "ok", "{src}");
        assert_eq!(src["last_success_at"], "2026-06-01T03:00:00Z", "{src}");
        assert!(src["failing_since"].is_null());
        assert!(src["records"].as_i64().unwrap() >= 3, "{src}");
    }

    // The directory goes away: the next run publishes with it stale.
    dir.stop().await;
    let day2 = [("CIVICRAWL_TEST_NOW", "2026-06-02T03:00:00Z")];
    w.civicrawl_env(&["run"], &day2).await.expect_code(3);
    let prom = w.path().join("civicrawl.prom");
    let prom_arg = prom.to_str().unwrap();
    let after = [("CIVICRAWL_TEST_NOW", "2026-06-02T04:00:00Z")];
    let run = w
        .civicrawl_env(&["status", "--json", "--prometheus", prom_arg], &after)
        .await;
    run.expect_code(3);
    let s = json(&run.stdout());
    assert_eq!(s["verdict"], "stale_sources");
    let directory = s["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "directory")
        .unwrap();
    assert_eq!(directory["status"], "stale");
    assert_eq!(directory["stale"], true);
    assert_eq!(directory["last_success_at"], "2026-06-01T03:00:00Z");
    assert_eq!(directory["failing_since"], "2026-06-02T03:00:00Z");
    let metrics = samples(&std::fs::read_to_string(&prom).unwrap());
    assert_eq!(sample(&metrics, "civicrawl_up"), 0.0);
    assert_eq!(sample(&metrics, "civicrawl_status_exit_code"), 3.0);
    assert_eq!(sample(&metrics, "civicrawl_release_age_seconds"), 3_600.0);
    assert_eq!(
        sample(
            &metrics,
            "civicrawl_source_status{source=\"directory\",status=\"stale\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &metrics,
            "civicrawl_source_status{source=\"registry\",status=\"ok\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &metrics,
            "civicrawl_source_last_success_timestamp_seconds{source=\"directory\"}"
        ),
        1_780_282_800.0,
        "2026-06-01T03:00:00Z"
    );
    assert!(sample(&metrics, "civicrawl_last_run_requests") > 0.0);
    let leftovers: Vec<_> = std::fs::read_dir(w.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "the textfile is renamed into place");

    // Three days on, the release is too old, whatever the sources.
    let old = [("CIVICRAWL_TEST_NOW", "2026-06-05T04:00:00Z")];
    let run = w.civicrawl_env(&["status"], &old).await;
    run.expect_code(1);
    assert!(run.stdout().contains("TOO OLD"), "{}", run.stdout());
    w.civicrawl_env(&["status", "--max-age", "1w"], &old)
        .await
        .expect_code(3);
    // A usage error is a usage error.
    w.civicrawl(&["status", "--max-age", "soon"])
        .await
        .expect_code(2);
}
