//! Unit tests of `schema`.

use super::*;
use crate::publish::cell::cell;

fn assert_consistent<R>(table: &str, columns: &[Column<R>], row: &R) {
    let mut seen = std::collections::BTreeSet::new();
    for c in columns {
        assert!(
            seen.insert(c.name),
            "{table}: duplicate column `{}`",
            c.name
        );
        let cell = cell(c, row);
        assert_eq!(cell.kind(), c.kind, "{table}.{}: cell type", c.name);
        if c.kind == ColumnType::List || c.kind == ColumnType::Object {
            assert!(c.required, "{table}.{}: lists are never null", c.name);
        }
    }
}

#[test]
fn every_cell_has_its_columns_type() {
    assert_consistent("tools", TOOLS, &Tool::default());
    assert_consistent(
        "source_records",
        SOURCE_RECORDS,
        &SourceRecordRow::default(),
    );
    assert_consistent("sources", SOURCES, &SourceRow::default());
}

/// The value a row's cell holds for `column`, as text.
fn written<R>(columns: &[Column<R>], column: &str, row: &R) -> Option<String> {
    let c = columns.iter().find(|c| c.name == column).unwrap();
    match cell(c, row) {
        Cell::Str(v) => v.map(str::to_string),
        other => panic!("{column}: not text: {other:?}"),
    }
}

#[test]
fn every_value_written_is_one_the_schema_lists() {
    let listed = |columns: &[&'static str], value: Option<String>, what: &str| {
        let value = value.unwrap_or_else(|| panic!("{what}: nothing written"));
        assert!(
            columns.contains(&value.as_str()),
            "{what}: `{value}` not listed"
        );
    };
    let values = |table: &str, name: &str| -> &'static [&'static str] {
        let v = match table {
            "sources" => SOURCES.iter().find(|c| c.name == name).map(|c| c.values),
            _ => SOURCE_RECORDS
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.values),
        };
        v.unwrap()
    };
    for status in SourceStatus::ALL {
        let row = SourceRow {
            status,
            ..Default::default()
        };
        listed(
            values("sources", "status"),
            written(SOURCES, "status", &row),
            "status",
        );
    }
    for role in Role::ALL {
        let row = SourceRow {
            role,
            ..Default::default()
        };
        listed(
            values("sources", "role"),
            written(SOURCES, "role", &row),
            "role",
        );
    }
    for kind in crate::kinds::KINDS {
        let row = SourceRow {
            kind: kind.into(),
            ..Default::default()
        };
        listed(
            values("sources", "kind"),
            written(SOURCES, "kind", &row),
            "kind",
        );
    }
    for liveness in Liveness::ALL {
        let mut row = SourceRecordRow::default();
        row.record.liveness = Some(liveness);
        let value = written(SOURCE_RECORDS, "liveness", &row);
        listed(
            values("source_records", "liveness"),
            value.clone(),
            "liveness",
        );
        // What is written reads back as the same value.
        assert_eq!(Liveness::parse(&value.unwrap()), Some(liveness));
    }
    for status in SourceStatus::ALL {
        assert_eq!(SourceStatus::parse(status.as_str()), Some(status));
    }
    for role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    // Only these columns are closed lists.
    let closed: Vec<&str> = SOURCES
        .iter()
        .filter(|c| !c.values.is_empty())
        .map(|c| c.name)
        .chain(
            SOURCE_RECORDS
                .iter()
                .filter(|c| !c.values.is_empty())
                .map(|c| c.name),
        )
        .chain(
            TOOLS
                .iter()
                .filter(|c| !c.values.is_empty())
                .map(|c| c.name),
        )
        .collect();
    assert_eq!(closed, ["kind", "role", "status", "liveness"]);
}

#[test]
fn tools_columns_follow_the_spec_order() {
    assert_eq!(
        names(TOOLS),
        [
            "id",
            "name",
            "description",
            "homepage_url",
            "repository_url",
            "wikidata_id",
            "license",
            "open_source",
            "categories",
            "tags",
            "countries",
            "languages",
            "programming_languages",
            "organizations",
            "stars",
            "forks",
            "archived",
            "created_at",
            "last_activity_at",
            "first_seen_at",
            "last_seen_at",
            "sources",
            "stale",
        ]
    );
}
