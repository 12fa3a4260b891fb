//! Each table read back in each format: CSV, JSON, JSONL, Parquet, report.json.

use super::*;

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

pub(super) fn read_parquet(
    path: &Path,
) -> (::parquet::file::metadata::ParquetMetaData, Vec<RecordBatch>) {
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
    assert!(csv.starts_with(
        "id,name,kind,role,priority,license,id_space,country,urls,status,records,error\r\n"
    ));
    assert_eq!(array[0]["country"], "FR");
    assert_eq!(array[1]["country"], Value::Null);
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
fn organisations_roles_and_use_cases_read_back_in_every_format() {
    let (_out, dir) = published("2026-11-26T030000Z");
    // Parquet: sorted by id, typed, lists as lists.
    let (_, batches) = read_parquet(&dir.join("organisations.parquet"));
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), 2);
    let ids = batch.column_by_name("id").unwrap().as_string::<i32>();
    assert_eq!(ids.value(0), "co_aaaaaaaaaaaa");
    let kinds = batch.column_by_name("kind").unwrap().as_string::<i32>();
    assert_eq!(kinds.value(1), "public-body");
    let stale = batch.column_by_name("stale").unwrap().as_boolean();
    assert!(stale.value(0) && !stale.value(1));
    let names_col = batch.column_by_name("names").unwrap().as_list::<i32>();
    assert_eq!(names_col.value(1).len(), 2);
    // CSV: roles sorted by (tool, organisation, role), lists joined.
    let csv = fs::read_to_string(dir.join("tool_organisations.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], names(schema::TOOL_ORGANISATIONS).join(","));
    assert_eq!(
        lines[1..],
        [
            "ct_aaaaaaaaaaaa,co_aaaaaaaaaaaa,develops,github-decidim",
            "ct_aaaaaaaaaaaa,co_bbbbbbbbbbbb,uses,dpga"
        ]
    );
    // JSON and JSONL: the same objects.
    let json: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("use_cases.json")).unwrap()).unwrap();
    let jsonl: Vec<Value> = fs::read_to_string(dir.join("use_cases.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json.as_array().unwrap(), &jsonl);
    assert_eq!(jsonl[0]["organisation_id"], "co_aaaaaaaaaaaa");
    assert_eq!(jsonl[0]["audience"], Value::Null);
    assert_eq!(jsonl[0]["sources"], json!(["dpga"]));
    // datapackage.json: the foreign keys to tools and organisations.
    let package: Value =
        serde_json::from_slice(&fs::read(dir.join("datapackage.json")).unwrap()).unwrap();
    let resource = |name: &str| {
        package["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no resource {name}"))
            .clone()
    };
    let fks = resource("tool_organisations")["schema"]["foreignKeys"].clone();
    assert_eq!(fks.as_array().unwrap().len(), 2, "{fks}");
    assert_eq!(fks[1]["reference"]["resource"], "organisations");
    assert_eq!(resource("use_cases")["schema"]["primaryKey"], json!(["id"]));
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("| organisations | 2 |"), "{readme}");
    assert!(readme.contains("## use_cases"));
}
