//! Tests of `publish`: every format read back, determinism, the atomic switch of `latest`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::schema::{self, names};
use super::{
    LATEST, PublishError, RELEASE_FILES, RUN_FILES, SHA256SUMS, data_files, latest_release, publish,
};
use crate::model::{NormRecord, Release, SourceRecordRow, SourceRow, Tool};

const TRICKY: &str = "Participation, \"quoted\"\nsecond line: Décidé, 参加, ünïcødé";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Three tools, given out of id order; one full, one almost empty, one in between.
fn sample(id: &str) -> Release {
    let full = Tool {
        id: "ct_aaaaaaaaaaaa".into(),
        name: Some("Decidim".into()),
        description: Some(TRICKY.into()),
        homepage_url: Some("https://decidim.org/".into()),
        repository_url: Some("https://github.com/decidim/decidim".into()),
        wikidata_id: Some("Q28145725".into()),
        license: Some("AGPL-3.0-only".into()),
        open_source: Some(true),
        categories: strings(&["participation", "consultation"]),
        tags: strings(&["civic-tech"]),
        countries: strings(&["ES", "FR"]),
        languages: strings(&["ca", "es"]),
        programming_languages: strings(&["Ruby"]),
        organizations: strings(&["Ajuntament de Barcelona"]),
        stars: Some(1500),
        forks: Some(0),
        archived: Some(false),
        created_at: Some(at("2016-05-04T10:20:30.999999Z")),
        last_activity_at: Some(at("2026-11-25T23:59:59.5Z")),
        first_seen_at: Some(at("2026-11-26T03:00:00Z")),
        last_seen_at: Some(at("2026-11-26T03:00:00.123Z")),
        sources: strings(&["dpga", "github-decidim"]),
        stale: false,
    };
    let empty = Tool {
        id: "ct_cccccccccccc".into(),
        stale: true,
        ..Tool::default()
    };
    let some = Tool {
        id: "ct_bbbbbbbbbbbb".into(),
        name: Some("Alaveteli".into()),
        tags: strings(&["foi"]),
        stars: Some(-1),
        archived: Some(true),
        sources: strings(&["dpga"]),
        ..Tool::default()
    };
    let record = |source: &str, record_id: &str, tool: &str| SourceRecordRow {
        tool_id: tool.into(),
        record: NormRecord {
            source_id: source.into(),
            record_id: record_id.into(),
            source_url: format!("https://{source}.example/{record_id}"),
            fetched_at: Some(at("2026-11-26T03:01:02.345Z")),
            name: Some(format!("{record_id} name")),
            description: Some(TRICKY.into()),
            tags: strings(&["a;b", "c"]),
            stars: Some(7),
            ..NormRecord::default()
        },
        stale: false,
        provenance: ["name", "description"].into_iter().collect(),
    };
    let source = |id: &str, status: &str, error: Option<&str>| SourceRow {
        id: id.into(),
        name: format!("{id} registry"),
        kind: "json".into(),
        role: crate::model::Role::Create,
        priority: 50,
        license: None,
        id_space: (id == "dpga").then(|| "dpg".to_string()),
        urls: strings(&["https://example.org/a.json", "https://example.org/b.json"]),
        status: crate::model::SourceStatus::parse(status).expect("a status name"),
        records: 2,
        error: error.map(str::to_string),
    };
    Release {
        id: id.into(),
        created_at: at("2026-11-26T03:05:00Z"),
        snapshot_id: String::new(),
        tools: vec![empty, full, some],
        source_records: vec![
            record("github-decidim", "decidim/decidim", "ct_aaaaaaaaaaaa"),
            record("dpga", "z", "ct_bbbbbbbbbbbb"),
            record("dpga", "a", "ct_aaaaaaaaaaaa"),
        ],
        sources: vec![
            source("github-decidim", "ok", None),
            source(
                "dpga",
                "stale",
                Some("GET https://example.org/a.json: HTTP 503"),
            ),
        ],
        report: json!({"release_id": id, "sources": {"dpga": {"status": "failed"}}}),
        aliases: Vec::new(),
    }
}

fn published(id: &str) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let dir = publish(&sample(id), out.path()).unwrap();
    (out, dir)
}

fn sorted_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn the_release_files_are_each_table_in_each_format_the_dictionary_and_the_run_files() {
    let mut expected: Vec<String> = ["tools", "source_records", "sources"]
        .into_iter()
        .flat_map(|t| ["csv", "json", "jsonl", "parquet"].map(|f| format!("{t}.{f}")))
        .collect();
    expected.extend(["tools.spreadsheet.csv", "README.md"].map(String::from));
    expected.extend(RUN_FILES.map(String::from));
    expected.sort();
    assert_eq!(expected, RELEASE_FILES);
    let data: Vec<&str> = data_files().collect();
    assert_eq!(data.len(), 14);
    assert!(!data.contains(&"report.json") && data.contains(&"tools.parquet"));
}

#[test]
fn release_directory_holds_every_file() {
    let (out, dir) = published("2026-11-26T030000Z");
    assert_eq!(dir, out.path().join("releases").join("2026-11-26T030000Z"));
    assert_eq!(sorted_files(&dir), RELEASE_FILES);
    assert_eq!(
        sorted_files(&out.path().join("releases")),
        ["2026-11-26T030000Z"]
    );
}

#[test]
fn tools_csv_reads_back_with_schema_header_and_crlf() {
    let (_out, dir) = published("r1");
    let bytes = fs::read(dir.join("tools.csv")).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("id,name,description,homepage_url,"));
    assert!(text.contains("\r\n"));
    assert!(text.ends_with("\r\n"));
    // A bare `\n` only inside the quoted description.
    assert_eq!(text.matches('\n').count(), 4 + 1);

    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, names(schema::TOOLS));
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let cell = |row: usize, column: &str| {
        let i = header.iter().position(|h| h == column).unwrap();
        rows[row][i].to_string()
    };
    assert_eq!(cell(0, "id"), "ct_aaaaaaaaaaaa");
    assert_eq!(cell(1, "id"), "ct_bbbbbbbbbbbb");
    assert_eq!(cell(2, "id"), "ct_cccccccccccc");
    assert_eq!(cell(0, "description"), TRICKY);
    assert_eq!(cell(0, "categories"), "participation;consultation");
    assert_eq!(cell(0, "open_source"), "true");
    assert_eq!(cell(0, "stars"), "1500");
    assert_eq!(cell(0, "forks"), "0");
    assert_eq!(cell(1, "stars"), "-1");
    assert_eq!(cell(0, "created_at"), "2016-05-04T10:20:30Z");
    assert_eq!(cell(0, "last_seen_at"), "2026-11-26T03:00:00Z");
    assert_eq!(cell(2, "name"), "");
    assert_eq!(cell(2, "tags"), "");
    assert_eq!(cell(2, "open_source"), "");
    assert_eq!(cell(2, "stale"), "true");
    assert_eq!(cell(1, "stale"), "false");
    // Quoted only when needed.
    assert!(text.contains("\r\nct_bbbbbbbbbbbb,Alaveteli,,"));
}

#[test]
fn tools_json_and_jsonl_hold_the_same_objects_in_column_order() {
    let (_out, dir) = published("r1");
    let json_text = fs::read_to_string(dir.join("tools.json")).unwrap();
    assert!(json_text.starts_with("[\n{\"id\":\"ct_aaaaaaaaaaaa\""));
    assert!(json_text.ends_with("}\n]\n"));
    assert_eq!(json_text.lines().count(), 3 + 2, "one object per line");
    let array: Vec<Value> = serde_json::from_str(&json_text).unwrap();

    let jsonl_text = fs::read_to_string(dir.join("tools.jsonl")).unwrap();
    let lines: Vec<Value> = jsonl_text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(array, lines);
    assert_eq!(array.len(), 3);

    for object in &array {
        let keys: Vec<&str> = object
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, names(schema::TOOLS));
    }
    let full = &array[0];
    assert_eq!(full["description"], TRICKY);
    assert_eq!(full["categories"], json!(["participation", "consultation"]));
    assert_eq!(full["stars"], 1500);
    assert_eq!(full["open_source"], true);
    assert_eq!(full["created_at"], "2016-05-04T10:20:30Z");
    let empty = &array[2];
    assert_eq!(empty["id"], "ct_cccccccccccc");
    assert_eq!(empty["name"], Value::Null);
    assert_eq!(empty["stars"], Value::Null);
    assert_eq!(empty["created_at"], Value::Null);
    assert_eq!(empty["tags"], json!([]));
    assert_eq!(empty["stale"], true);
}

fn read_parquet(path: &Path) -> (::parquet::file::metadata::ParquetMetaData, Vec<RecordBatch>) {
    use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let builder = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap();
    let metadata = builder.metadata().as_ref().clone();
    let batches = builder.build().unwrap().map(Result::unwrap).collect();
    (metadata, batches)
}

#[test]
fn tools_parquet_has_the_declared_types_metadata_and_zstd() {
    let (_out, dir) = published("2026-11-26T030000Z");
    let (metadata, batches) = read_parquet(&dir.join("tools.parquet"));
    assert_eq!(batches.len(), 1);
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), 3);

    let arrow = batch.schema();
    let field = |name: &str| arrow.field_with_name(name).unwrap().clone();
    assert_eq!(field("id").data_type(), &DataType::Utf8);
    assert!(!field("id").is_nullable());
    assert_eq!(field("name").data_type(), &DataType::Utf8);
    assert_eq!(field("open_source").data_type(), &DataType::Boolean);
    assert_eq!(field("stars").data_type(), &DataType::Int64);
    assert_eq!(
        field("created_at").data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    let DataType::List(item) = field("tags").data_type().clone() else {
        panic!("tags is {:?}", field("tags").data_type())
    };
    assert_eq!(item.name(), "element");
    assert_eq!(item.data_type(), &DataType::Utf8);
    assert!(item.is_nullable());
    assert!(!field("tags").is_nullable());
    assert_eq!(
        arrow
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>(),
        names(schema::TOOLS)
    );

    let ids = batch.column_by_name("id").unwrap().as_string::<i32>();
    assert_eq!(ids.value(0), "ct_aaaaaaaaaaaa");
    assert_eq!(ids.value(2), "ct_cccccccccccc");
    let description = batch
        .column_by_name("description")
        .unwrap()
        .as_string::<i32>();
    assert_eq!(description.value(0), TRICKY);
    assert!(description.is_null(2));
    let stars = batch
        .column_by_name("stars")
        .unwrap()
        .as_primitive::<Int64Type>();
    assert_eq!(stars.value(1), -1);
    assert!(stars.is_null(2));
    let created = batch
        .column_by_name("created_at")
        .unwrap()
        .as_primitive::<TimestampMicrosecondType>();
    let whole = Utc.with_ymd_and_hms(2016, 5, 4, 10, 20, 30).unwrap();
    assert_eq!(created.value(0), whole.timestamp_micros());
    let categories = batch.column_by_name("categories").unwrap().as_list::<i32>();
    let first = categories.value(0);
    let first = first.as_string::<i32>();
    assert_eq!(
        (first.value(0), first.value(1)),
        ("participation", "consultation")
    );
    assert!(!categories.is_null(2));
    assert_eq!(categories.value(2).len(), 0);

    let kv: BTreeMap<&str, &str> = metadata
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .iter()
        .filter_map(|kv| Some((kv.key.as_str(), kv.value.as_deref()?)))
        .collect();
    assert_eq!(kv["civicrawl.release_id"], "2026-11-26T030000Z");
    assert_eq!(kv["civicrawl.schema_version"], schema::SCHEMA_VERSION);
    assert_eq!(
        kv["civicrawl.generator"],
        format!("civicrawl {}", env!("CARGO_PKG_VERSION"))
    );
    let physical = metadata.file_metadata().schema_descr();
    let paths: Vec<String> = physical
        .columns()
        .iter()
        .map(|c| c.path().string())
        .collect();
    assert!(
        paths.contains(&"tags.list.element".to_string()),
        "{paths:?}"
    );
    let row_group = metadata.row_group(0);
    for column in row_group.columns() {
        assert!(
            matches!(column.compression(), ::parquet::basic::Compression::ZSTD(_)),
            "{:?} is {:?}",
            column.column_path(),
            column.compression()
        );
    }
}

#[test]
fn source_records_are_sorted_and_carry_provenance() {
    let (_out, dir) = published("r1");
    let expected = json!({"description": "dpga", "name": "dpga"});

    let lines: Vec<Value> = fs::read_to_string(dir.join("source_records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let keys: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["source_id"].as_str().unwrap(),
                l["record_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("dpga", "a"),
            ("dpga", "z"),
            ("github-decidim", "decidim/decidim")
        ]
    );
    assert_eq!(lines[0]["provenance"], expected);
    assert_eq!(lines[0]["fetched_at"], "2026-11-26T03:01:02Z");
    assert_eq!(lines[0]["tags"], json!(["a;b", "c"]));

    let mut reader = ::csv::Reader::from_path(dir.join("source_records.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        names(schema::SOURCE_RECORDS)
    );
    let first = reader.records().next().unwrap().unwrap();
    let provenance = first.get(first.len() - 1).unwrap();
    assert_eq!(provenance, r#"{"description":"dpga","name":"dpga"}"#);

    let (_, batches) = read_parquet(&dir.join("source_records.parquet"));
    let column = batches[0].column_by_name("provenance").unwrap();
    assert_eq!(column.data_type(), &DataType::Utf8);
    assert_eq!(column.as_string::<i32>().value(0), provenance);
}

#[test]
fn sources_are_sorted_with_lists_and_nulls() {
    let (_out, dir) = published("r1");
    let text = fs::read_to_string(dir.join("sources.json")).unwrap();
    let array: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(array[0]["id"], "dpga");
    assert_eq!(array[0]["urls"].as_array().unwrap().len(), 2);
    assert_eq!(array[1]["error"], Value::Null);
    assert_eq!(array[1]["priority"], 50);
    let csv = fs::read_to_string(dir.join("sources.csv")).unwrap();
    assert!(
        csv.starts_with(
            "id,name,kind,role,priority,license,id_space,urls,status,records,error\r\n"
        )
    );
    assert!(csv.contains("https://example.org/a.json;https://example.org/b.json"));
}

#[test]
fn report_json_is_the_report_pretty_printed() {
    let (_out, dir) = published("r1");
    let text = fs::read_to_string(dir.join("report.json")).unwrap();
    let release = sample("r1");
    assert_eq!(
        text,
        serde_json::to_string_pretty(&release.report).unwrap() + "\n"
    );
}

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
    assert_eq!(expected.len(), 17);
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
    // No temporary link or directory is left behind.
    assert_eq!(sorted_files(out.path()), ["latest", "releases"]);
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

    publish(&sample("r1"), out.path()).unwrap();
    assert_eq!(sorted_files(&releases), ["r1"]);
    assert_eq!(sorted_files(out.path()), ["latest", "releases"]);
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
    assert_eq!(package["licenses"][0]["name"], super::DATA_LICENSE);
    let digests = super::checksums::digests(&dir);
    let resources = package["resources"].as_array().unwrap();
    let paths: Vec<&str> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 13);
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
