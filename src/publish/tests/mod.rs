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
use crate::model::{
    NormRecord, OrgKind, OrgRole, Organisation, Release, SourceRecordRow, SourceRow, Tool,
    ToolOrganisation, UseCase,
};

mod formats;
mod layout;
mod page;

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
        country: (id == "dpga").then(|| "FR".to_string()),
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
        organisations: vec![
            Organisation {
                id: "co_bbbbbbbbbbbb".into(),
                name: Some("DINUM".into()),
                kind: OrgKind::PublicBody,
                kind_rule: "website".into(),
                country: Some("FR".into()),
                website: Some("https://numerique.gouv.fr".into()),
                forge_accounts: strings(&["github:numerique-gouv"]),
                identifiers: strings(&["siren:130025265"]),
                names: strings(&["DINUM", "Direction interministérielle du numérique"]),
                sources: strings(&["dpga"]),
                first_seen_at: Some(at("2026-11-26T03:00:00Z")),
                last_seen_at: Some(at("2026-11-26T03:00:00Z")),
                ..Organisation::default()
            },
            Organisation {
                id: "co_aaaaaaaaaaaa".into(),
                name: Some("Ajuntament de Barcelona".into()),
                kind: OrgKind::PublicBody,
                kind_rule: "name".into(),
                names: strings(&["Ajuntament de Barcelona"]),
                sources: strings(&["github-decidim"]),
                stale: true,
                ..Organisation::default()
            },
        ],
        tool_organisations: vec![
            ToolOrganisation {
                tool_id: "ct_aaaaaaaaaaaa".into(),
                organisation_id: "co_bbbbbbbbbbbb".into(),
                role: OrgRole::Uses,
                sources: strings(&["dpga"]),
            },
            ToolOrganisation {
                tool_id: "ct_aaaaaaaaaaaa".into(),
                organisation_id: "co_aaaaaaaaaaaa".into(),
                role: OrgRole::Develops,
                sources: strings(&["github-decidim"]),
            },
        ],
        use_cases: vec![UseCase {
            id: "cu_aaaaaaaaaaaa".into(),
            tool_id: "ct_aaaaaaaaaaaa".into(),
            organisation_id: Some("co_aaaaaaaaaaaa".into()),
            title: Some("Decidim Barcelona".into()),
            url: Some("https://decidim.barcelona".into()),
            country: Some("ES".into()),
            sources: strings(&["dpga"]),
            ..UseCase::default()
        }],
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
    let mut expected: Vec<String> = [
        "tools",
        "source_records",
        "sources",
        "organisations",
        "tool_organisations",
        "use_cases",
    ]
    .into_iter()
    .flat_map(|t| ["csv", "json", "jsonl", "parquet"].map(|f| format!("{t}.{f}")))
    .collect();
    expected.extend(["tools.spreadsheet.csv", "README.md"].map(String::from));
    expected.extend(RUN_FILES.map(String::from));
    expected.sort();
    assert_eq!(expected, RELEASE_FILES);
    let data: Vec<&str> = data_files().collect();
    assert_eq!(data.len(), 26);
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
