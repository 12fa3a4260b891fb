//! Determinism, checksums, the atomic switch of `latest`, changes, the data package and the dictionary.

use super::formats::read_parquet;
use super::*;

#[test]
fn same_release_gives_byte_identical_files() {
    let (_a, first) = published("2026-11-26T030000Z");
    let (_b, second) = published("2026-11-26T030000Z");
    let files = sorted_files(&first);
    assert_eq!(files, sorted_files(&second));
    for name in files {
        let (x, y) = (
            fs::read(first.join(&name)).unwrap(),
            fs::read(second.join(&name)).unwrap(),
        );
        assert!(x == y, "{name} differs between two publishes");
    }
}

#[test]
fn input_order_does_not_change_the_files() {
    let mut shuffled = sample("r1");
    shuffled.tools.reverse();
    shuffled.source_records.reverse();
    shuffled.sources.reverse();
    let out = tempfile::tempdir().unwrap();
    let dir = publish(&shuffled, out.path()).unwrap();
    let (_a, reference) = published("r1");
    for name in sorted_files(&reference) {
        assert_eq!(
            fs::read(dir.join(&name)).unwrap(),
            fs::read(reference.join(&name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn sha256sums_lists_every_other_file_with_its_hash() {
    use sha2::{Digest, Sha256};
    let (_out, dir) = published("r1");
    let sums = fs::read_to_string(dir.join(SHA256SUMS)).unwrap();
    let listed: Vec<(String, String)> = sums
        .lines()
        .map(|l| {
            let (hash, name) = l.split_once("  ").unwrap();
            (name.to_string(), hash.to_string())
        })
        .collect();
    let expected: Vec<(String, String)> = sorted_files(&dir)
        .into_iter()
        .filter(|n| n != SHA256SUMS)
        .map(|n| {
            let digest = Sha256::digest(fs::read(dir.join(&n)).unwrap());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            (n, hex)
        })
        .collect();
    assert_eq!(expected.len(), 30);
    assert_eq!(listed, expected);
}

#[test]
fn latest_is_a_relative_symlink_switched_by_each_publish() {
    let out = tempfile::tempdir().unwrap();
    assert_eq!(latest_release(out.path()), None);
    let first = publish(&sample("2026-11-25T030000Z"), out.path()).unwrap();
    let link = out.path().join(LATEST);
    assert_eq!(
        fs::read_link(&link).unwrap(),
        Path::new("releases/2026-11-25T030000Z")
    );
    assert_eq!(latest_release(out.path()), Some(first.clone()));

    let second = publish(&sample("2026-11-26T030000Z"), out.path()).unwrap();
    assert_eq!(
        fs::read_link(&link).unwrap(),
        Path::new("releases/2026-11-26T030000Z")
    );
    assert_eq!(latest_release(out.path()), Some(second));
    assert!(first.join("tools.csv").is_file(), "older releases stay");
    // No temporary link, page or directory is left behind; the overview is rewritten.
    assert_eq!(
        sorted_files(out.path()),
        ["index.html", "latest", "releases"]
    );
}

#[test]
fn publishing_an_existing_id_fails_and_changes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let existing = publish(&sample("r1"), out.path()).unwrap();
    publish(&sample("r2"), out.path()).unwrap();
    let before = fs::read(existing.join("tools.csv")).unwrap();

    let mut changed = sample("r1");
    changed.tools.truncate(1);
    let err = publish(&changed, out.path()).unwrap_err();
    assert!(matches!(err, PublishError::AlreadyExists { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("release `r1` already exists at `"),
        "{message}"
    );
    assert!(message.contains("releases/r1"), "{message}");

    assert_eq!(fs::read(existing.join("tools.csv")).unwrap(), before);
    assert_eq!(
        fs::read_link(out.path().join(LATEST)).unwrap(),
        Path::new("releases/r2")
    );
    assert_eq!(sorted_files(&out.path().join("releases")), ["r1", "r2"]);
}

#[test]
fn leftovers_of_killed_runs_are_removed() {
    let out = tempfile::tempdir().unwrap();
    let releases = out.path().join("releases");
    let leftover = releases.join(".tmp-r0-99999");
    fs::create_dir_all(&leftover).unwrap();
    fs::write(leftover.join("tools.csv"), "half").unwrap();
    std::os::unix::fs::symlink("releases/r0", out.path().join("latest.tmp-99999")).unwrap();
    fs::write(out.path().join("index.html.tmp-99999"), "<p>half").unwrap();

    publish(&sample("r1"), out.path()).unwrap();
    assert_eq!(sorted_files(&releases), ["r1"]);
    assert_eq!(
        sorted_files(out.path()),
        ["index.html", "latest", "releases"]
    );
}

#[test]
fn ids_that_are_not_one_plain_directory_name_are_refused() {
    let out = tempfile::tempdir().unwrap();
    for id in ["", ".", "..", "../escape", "a/b", ".tmp-x", "a b"] {
        let err = publish(&sample(id), out.path()).unwrap_err();
        assert!(
            matches!(err, PublishError::InvalidId { .. }),
            "{id:?}: {err:?}"
        );
    }
    assert!(!out.path().join(LATEST).exists());
}

#[test]
fn an_empty_release_is_still_complete() {
    let out = tempfile::tempdir().unwrap();
    let release = Release {
        id: "empty".into(),
        ..Release::default()
    };
    let dir = publish(&release, out.path()).unwrap();
    assert_eq!(fs::read_to_string(dir.join("tools.json")).unwrap(), "[]\n");
    assert_eq!(fs::read_to_string(dir.join("tools.jsonl")).unwrap(), "");
    let csv = fs::read_to_string(dir.join("tools.csv")).unwrap();
    assert_eq!(csv, names(schema::TOOLS).join(",") + "\r\n");
    let (_, batches) = read_parquet(&dir.join("tools.parquet"));
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 0);
}

#[test]
fn changes_json_lists_added_removed_and_changed_tools_against_latest() {
    let out = tempfile::tempdir().unwrap();
    let mut first = sample("2026-11-26T030000Z");
    publish(&first, out.path()).unwrap();
    let c: serde_json::Value = serde_json::from_slice(
        &fs::read(out.path().join("releases/2026-11-26T030000Z/changes.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(c["previous_release"], serde_json::Value::Null);
    assert_eq!(c["counts"]["added"], first.tools.len());

    first.id = "2026-11-27T030000Z".into();
    let removed = first.tools.remove(0).id;
    first.tools[0].name = Some("Renamed".into());
    let changed = first.tools[0].id.clone();
    publish(&first, out.path()).unwrap();
    let c: serde_json::Value = serde_json::from_slice(
        &fs::read(out.path().join("releases/2026-11-27T030000Z/changes.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(c["previous_release"], "2026-11-26T030000Z");
    assert_eq!(c["added"], serde_json::json!([]));
    assert_eq!(c["removed"], serde_json::json!([removed]));
    assert_eq!(
        c["changed"],
        serde_json::json!([{"id": changed, "fields": ["name"]}])
    );
}

#[test]
fn changes_json_and_diff_cover_organisations_roles_and_use_cases() {
    use crate::model::OrgRole;
    let out = tempfile::tempdir().unwrap();
    let mut release = sample("2026-11-26T030000Z");
    publish(&release, out.path()).unwrap();
    let first = out.path().join("releases/2026-11-26T030000Z");
    let c: Value = serde_json::from_slice(&fs::read(first.join("changes.json")).unwrap()).unwrap();
    assert_eq!(c["tables"]["organisations"]["counts"]["added"], 2);
    assert_eq!(
        c["tables"]["use_cases"]["added"],
        serde_json::json!(["cu_aaaaaaaaaaaa"])
    );

    release.id = "2026-11-27T030000Z".into();
    release.organisations[0].kind_rule = "name".into();
    release.use_cases.clear();
    release.tool_organisations[0].role = OrgRole::Funds;
    publish(&release, out.path()).unwrap();
    let second = out.path().join("releases/2026-11-27T030000Z");
    let c: Value = serde_json::from_slice(&fs::read(second.join("changes.json")).unwrap()).unwrap();
    let t = &c["tables"];
    assert_eq!(
        t["organisations"]["changed"],
        serde_json::json!([{"id": "co_bbbbbbbbbbbb", "fields": ["kind_rule"]}])
    );
    assert_eq!(
        t["use_cases"]["removed"],
        serde_json::json!(["cu_aaaaaaaaaaaa"])
    );
    assert_eq!(
        t["tool_organisations"]["added"],
        serde_json::json!(["ct_aaaaaaaaaaaa/co_bbbbbbbbbbbb/funds"])
    );
    assert_eq!(
        t["tool_organisations"]["removed"],
        serde_json::json!(["ct_aaaaaaaaaaaa/co_bbbbbbbbbbbb/uses"])
    );
    // `civicrawl diff` between the two directories says the same.
    let (diff, _, _) = crate::publish::diff_releases(&first, &second).unwrap();
    assert_eq!(serde_json::to_value(&diff).unwrap(), c);
    let text = crate::publish::diff::summary(&diff, "r1", "r2", |_| None);
    assert!(
        text.contains("use_cases: 0 added, 1 removed, 0 changed"),
        "{text}"
    );
}

#[test]
fn datapackage_describes_every_table_file_with_schema_size_and_hash() {
    let (_out, dir) = published("r1");
    let package: Value =
        serde_json::from_slice(&fs::read(dir.join("datapackage.json")).unwrap()).unwrap();
    assert_eq!(
        package["$schema"],
        "https://datapackage.org/profiles/2.0/datapackage.json"
    );
    assert_eq!(package["version"], schema::SCHEMA_VERSION);
    assert_eq!(package["created"], "2026-11-26T03:05:00Z");
    assert_eq!(package["licenses"][0]["name"], crate::publish::DATA_LICENSE);
    let digests = crate::publish::checksums::digests(&dir);
    let resources = package["resources"].as_array().unwrap();
    let paths: Vec<&str> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 26);
    let page = resources
        .iter()
        .find(|r| r["path"] == "index.html")
        .unwrap();
    assert_eq!(
        (&page["type"], &page["mediatype"]),
        (&json!("file"), &json!("text/html"))
    );
    for r in resources {
        let d = &digests[r["path"].as_str().unwrap()];
        assert_eq!(r["bytes"], d.bytes);
        assert_eq!(r["hash"], format!("sha256:{}", d.sha256));
    }
    let tools = resources.iter().find(|r| r["name"] == "tools").unwrap();
    assert_eq!(tools["type"], "table");
    assert_eq!(tools["mediatype"], "text/csv");
    assert_eq!(tools["schema"]["primaryKey"], json!(["id"]));
    let fields = tools["schema"]["fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, schema::names(schema::TOOLS));
    let field = |n: &str| fields.iter().find(|f| f["name"] == n).unwrap();
    assert_eq!(field("tags")["type"], "list");
    assert_eq!(field("tags")["delimiter"], ";");
    assert_eq!(field("tags")["itemType"], "string");
    assert_eq!(field("open_source")["trueValues"], json!(["true"]));
    assert_eq!(field("created_at")["type"], "datetime");
    assert!(field("stars")["description"].is_string());
    let records = resources
        .iter()
        .find(|r| r["name"] == "source_records")
        .unwrap();
    assert_eq!(
        records["schema"]["foreignKeys"],
        json!([{"fields": ["tool_id"], "reference": {"resource": "tools", "fields": ["id"]}}])
    );
    let parquet = resources
        .iter()
        .find(|r| r["name"] == "tools-parquet")
        .unwrap();
    assert_eq!(parquet["type"], "file");
    assert_eq!(parquet["mediatype"], "application/vnd.apache.parquet");
}

#[test]
fn readme_is_a_data_dictionary_from_the_data() {
    let (_out, dir) = published("r1");
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let line = |column: &str| {
        readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{column}` |")))
            .unwrap_or_else(|| panic!("{column} in {readme}"))
            .to_string()
    };
    assert_eq!(
        line("stars"),
        "| `stars` | integer | stars on the forge | `1500` | no source in this release |"
    );
    assert!(
        line("name").ends_with("| `Decidim` | `dpga`, `github-decidim` |"),
        "{}",
        line("name")
    );
    assert!(
        line("tags").ends_with("| `dpga`, `github-decidim` |"),
        "{}",
        line("tags")
    );
    assert!(line("description").contains("Participation, \"quoted\" second line"));
    for c in schema::names(schema::SOURCE_RECORDS) {
        assert!(readme.contains(&format!("| `{c}` |")), "{c}");
    }
    assert!(readme.contains("| tools | 3 |"));
}

#[test]
fn spreadsheet_copy_differs_only_in_escaped_text() {
    let mut release = sample("r1");
    release.tools[1].name = Some("=1+1".into());
    let out = tempfile::tempdir().unwrap();
    let dir = publish(&release, out.path()).unwrap();
    let faithful = fs::read_to_string(dir.join("tools.csv")).unwrap();
    let safe = fs::read_to_string(dir.join("tools.spreadsheet.csv")).unwrap();
    assert!(faithful.contains(",=1+1,"));
    assert_eq!(safe, faithful.replace(",=1+1,", ",'=1+1,"));
    assert!(safe.contains(",-1,"), "a negative number stays a number");
}
