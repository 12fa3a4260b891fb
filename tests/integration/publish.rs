//! Issue 5: the release as a product. A real `civicrawl run` against the loopback fixtures
//! gives a complete release (every table in every format, datapackage.json, README.md,
//! SHA256SUMS); a rebuild gives byte-identical data files; `civicrawl diff` agrees with
//! changes.json; `keep_releases` prunes the oldest releases.
//!
//! With `CIVICRAWL_SAMPLE_RELEASE=<dir>` the release of the first run is also copied to
//! `<dir>`, for `scripts/check_readers.py` (run by `.ci/run`).

use std::path::Path;

use crate::spine::{directory_decl, directory_server, feed_decl, registry_decl, registry_server};
use crate::support::Workdir;

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn copy_release(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in files(from) {
        std::fs::copy(from.join(&name), to.join(&name)).unwrap();
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn a_real_run_publishes_a_complete_verifiable_release() {
    let reg = registry_server().await;
    let dir = directory_server().await;
    let w = Workdir::new();
    w.source("registry", &registry_decl(&reg.base()));
    w.source("feed", &feed_decl(&reg.base()));
    w.source("directory", &directory_decl(&dir.base()));
    w.civicrawl(&["run"]).await.expect_code(0);
    let first = w.latest();
    if let Ok(target) = std::env::var("CIVICRAWL_SAMPLE_RELEASE") {
        let target = Path::new(&target);
        let _ = std::fs::remove_dir_all(target);
        copy_release(&first, target);
    }

    let expected: Vec<String> = civicrawl::publish::RELEASE_FILES.map(String::from).to_vec();
    assert_eq!(files(&first), expected);

    // SHA256SUMS covers every other file, with the right digests.
    let sums = std::fs::read_to_string(first.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), expected.len() - 1);
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        use sha2::Digest;
        let digest = sha2::Sha256::digest(std::fs::read(first.join(name)).unwrap());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, hex, "{name}");
    }

    // datapackage.json describes every table file with its size and hash.
    let package = json(&first.join("datapackage.json"));
    assert_eq!(
        package["$schema"],
        "https://datapackage.org/profiles/2.0/datapackage.json"
    );
    assert_eq!(package["licenses"][0]["name"], "ODbL-1.0");
    let resources = package["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 26);
    for r in resources {
        let path = first.join(r["path"].as_str().unwrap());
        let bytes = std::fs::metadata(&path).unwrap().len();
        assert_eq!(r["bytes"], bytes, "{}", r["path"]);
        assert!(sums.contains(&format!(
            "{}  {}",
            &r["hash"].as_str().unwrap()[7..],
            r["path"].as_str().unwrap()
        )));
    }
    let sources = package["sources"].as_array().unwrap();
    let registry = sources.iter().find(|s| s["name"] == "registry").unwrap();
    assert_eq!(registry["licenses"][0]["name"], "CC0-1.0");

    // The registry's owners: an organisations table, and the roles pointing at it.
    let orgs = std::fs::read_to_string(first.join("organisations.jsonl")).unwrap();
    let orgs: Vec<serde_json::Value> = orgs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<&str> = orgs.iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"mySociety") && names.contains(&"Decidim Association"),
        "{names:?}"
    );
    let my_society = orgs.iter().find(|o| o["name"] == "mySociety").unwrap();
    let roles = std::fs::read_to_string(first.join("tool_organisations.csv")).unwrap();
    let developed = roles
        .lines()
        .filter(|l| l.contains(my_society["id"].as_str().unwrap()) && l.contains(",develops,"))
        .count();
    assert_eq!(developed, 2, "Alaveteli and FixMyStreet: {roles}");

    // The data dictionary names the sources that fill a column.
    let readme = std::fs::read_to_string(first.join("README.md")).unwrap();
    assert!(readme.contains("| `stars` | integer |"), "{readme}");
    let stars = readme.lines().find(|l| l.starts_with("| `stars`")).unwrap();
    assert!(stars.contains("`feed`"), "{stars}");

    // A rebuild from the same state: the same data files, byte for byte.
    w.civicrawl(&["build"]).await.expect_code(0);
    let second = w.latest();
    assert_ne!(first, second);
    for name in civicrawl::publish::data_files() {
        assert!(
            std::fs::read(first.join(name)).unwrap() == std::fs::read(second.join(name)).unwrap(),
            "{name} differs between a run and a rebuild of the same state"
        );
    }

    // `civicrawl diff` between the two: nothing changed, and the same shape as changes.json.
    let run = w
        .civicrawl(&[
            "diff",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
            "--json",
        ])
        .await;
    run.expect_code(0);
    let diff: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let changes = json(&second.join("changes.json"));
    assert_eq!(diff, changes);
    assert_eq!(diff["counts"]["changed"], 0);
    let run = w
        .civicrawl(&["diff", second.to_str().unwrap(), first.to_str().unwrap()])
        .await;
    run.expect_code(0);
    assert!(
        run.stdout().contains("0 added, 0 removed, 0 changed"),
        "{}",
        run.stdout()
    );
    let run = w
        .civicrawl(&["diff", "nowhere", first.to_str().unwrap()])
        .await;
    run.expect_code(2);
    assert!(
        run.stderr().contains("nowhere/tools.jsonl"),
        "{}",
        run.stderr()
    );
}

#[tokio::test]
async fn diff_prints_added_removed_and_changed_tools() {
    let w = Workdir::new();
    let old = w.path().join("old");
    let new = w.path().join("new");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    std::fs::write(
        old.join("tools.jsonl"),
        "{\"id\":\"ct_a\",\"name\":\"A\",\"tags\":[]}\n{\"id\":\"ct_b\",\"name\":\"B\",\"tags\":[]}\n",
    )
    .unwrap();
    std::fs::write(
        new.join("tools.jsonl"),
        "{\"id\":\"ct_a\",\"name\":\"A\",\"tags\":[\"x\"]}\n{\"id\":\"ct_c\",\"name\":\"C\",\"tags\":[]}\n",
    )
    .unwrap();
    std::fs::write(
        new.join("changes.json"),
        r#"{"aliases": [{"id": "ct_b", "now": "ct_a"}], "added": [], "removed": [], "changed": [], "previous_release": null, "counts": {"added": 0, "removed": 0, "changed": 0}}"#,
    )
    .unwrap();
    let run = w.civicrawl(&["diff", "old", "new"]).await;
    run.expect_code(0);
    assert_eq!(
        run.stdout(),
        "old → new: 1 added, 1 removed, 1 changed, 1 aliases\n\
         \nadded (1):\n  + ct_c  C\n\
         \nremoved (1):\n  - ct_b  B\n\
         \nchanged (1):\n  ~ ct_a  A: tags\n\
         \naliases (1):\n  ct_b → ct_a\n"
    );
    let run = w.civicrawl(&["diff", "--json", "old", "new"]).await;
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(v["previous_release"], "old");
    assert_eq!(v["added"], serde_json::json!(["ct_c"]));
    assert_eq!(
        v["changed"],
        serde_json::json!([{"id": "ct_a", "fields": ["tags"]}])
    );
}

#[tokio::test]
async fn keep_releases_prunes_the_oldest_after_a_successful_run() {
    let reg = registry_server().await;
    let w = Workdir::new();
    w.settings("[output]\nkeep_releases = 2");
    w.source("registry", &registry_decl(&reg.base()));
    let mut published = Vec::new();
    for _ in 0..3 {
        w.civicrawl(&["run"]).await.expect_code(0);
        published.push(
            w.latest()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        );
    }
    let left = files(&w.out().join("releases"));
    assert_eq!(left, published[1..], "the two newest stay");
    assert_eq!(
        std::fs::read_link(w.out().join("latest")).unwrap(),
        Path::new("releases").join(&published[2])
    );
    // A rebuild publishes too, so it prunes too.
    w.civicrawl(&["build"]).await.expect_code(0);
    let rebuilt = w
        .latest()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let left = files(&w.out().join("releases"));
    assert_eq!(
        left,
        [published[2].clone(), rebuilt],
        "build keeps the two newest"
    );
}

/// Every kind of source but `site` (its visits are planned from the catalogue), run twice
/// from empty output directories with the clock pinned: every data file is the same, byte
/// for byte. With `CIVICRAWL_FINGERPRINT_DIR` set the release is also copied there, for
/// `scripts/release_fingerprint.sh` to compare the releases of two revisions.
#[tokio::test]
async fn the_same_inputs_publish_the_same_bytes() {
    use crate::forges::{FAST, Fake, add_gitlab_group, github_source, org_repos};
    let reg = registry_server().await;
    let dir = directory_server().await;
    let fake = Fake::start().await;
    fake.add_org("decidim", "Decidim", org_repos("decidim", 120, 1000));
    add_gitlab_group(&fake, 30);
    let pinned = [("CIVICRAWL_TEST_NOW", "2026-06-01T03:00:00Z")];
    let mut releases = Vec::new();
    let mut workdirs = Vec::new();
    for _ in 0..2 {
        let w = Workdir::new();
        w.source("registry", &registry_decl(&reg.base()));
        w.source("feed", &feed_decl(&reg.base()));
        w.source("directory", &directory_decl(&dir.base()));
        w.source("gh", &github_source(&fake, "orgs = [\"decidim\"]"));
        w.source(
            "gl",
            &format!(
                "kind = \"gitlab\"\napi_url = \"{}/api/v4\"\n{FAST}\ngroups = [\"adullact\"]\nprojects = [\"elsewhere/tool\"]\n",
                fake.base()
            ),
        );
        w.civicrawl_env(&["run"], &pinned).await.expect_code(0);
        releases.push(w.latest());
        workdirs.push(w);
    }
    let tools = std::fs::read_to_string(releases[0].join("tools.csv")).unwrap();
    assert!(tools.lines().count() > 150, "every source contributed");
    for name in civicrawl::publish::data_files() {
        let [a, b] = [0, 1].map(|i| std::fs::read(releases[i].join(name)).unwrap());
        assert!(a == b, "{name} differs between two runs of the same inputs");
    }
    if let Ok(target) = std::env::var("CIVICRAWL_FINGERPRINT_DIR") {
        copy_release(&releases[0], Path::new(&target));
    }
}
