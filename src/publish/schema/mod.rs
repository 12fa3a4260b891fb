//! The release tables' columns, declared once: name, type, whether a value is always present,
//! a description, and how to read the cell from a row (SPEC section 6).
//!
//! Every writer (CSV header, JSON keys, Arrow schema, and later the Table Schema in
//! `datapackage.json`) is driven by these lists, so a column is renamed or added here only.
//! Other modules may read the names (`names(TOOLS)`); they never build rows by position.

use super::cell::Cell;
use crate::model::{Liveness, Role, SourceRecordRow, SourceRow, SourceStatus, Tool};

/// Version of the release tables' layout, written into Parquet metadata. Bump the major part
/// when a column is removed, renamed or changes type; the minor part when one is added; the
/// patch part when only descriptions or documented constraints change (1.2.1: closed value
/// lists; 1.3.0: the `organisations`, `tool_organisations` and `use_cases` tables; 1.4.0:
/// `sources.country`; 1.5.0: `source_records.category_scores`).
pub const SCHEMA_VERSION: &str = "1.5.0";

/// The logical type of a column, as the user sees it in every format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// Text: CSV cell, JSON string, Parquet `utf8`.
    String,
    /// `true`/`false`: JSON boolean, Parquet `boolean`.
    Boolean,
    /// A whole number: JSON number, Parquet `int64`.
    Integer,
    /// An instant in UTC, whole seconds: RFC 3339 text `2026-11-26T03:00:00Z`, Parquet
    /// `timestamp(us, "UTC")`.
    Datetime,
    /// A list of text: CSV cell joined with `;`, JSON array, Parquet `list<utf8>`.
    List,
    /// A JSON object with text values: JSON object, CSV and Parquet its compact JSON text.
    Object,
}

/// One column of a release table.
pub struct Column<R> {
    /// The column name, identical in every format.
    pub name: &'static str,
    /// The column's logical type.
    pub kind: ColumnType,
    /// True when every row has a value (lists are always present, possibly empty).
    pub required: bool,
    /// One line for people reading the data package.
    pub description: &'static str,
    /// The only values a text column may hold (empty: any text). Listed in the data
    /// dictionary and as the Table Schema `enum` constraint.
    pub values: &'static [&'static str],
    pub(crate) get: for<'a> fn(&'a R) -> Cell<'a>,
}

/// The delimiter that joins a list cell in CSV.
pub const LIST_DELIMITER: &str = ";";

/// The names of `columns`, in order.
pub fn names<R>(columns: &[Column<R>]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

const fn col<R>(
    name: &'static str,
    kind: ColumnType,
    required: bool,
    description: &'static str,
    get: for<'a> fn(&'a R) -> Cell<'a>,
) -> Column<R> {
    Column {
        name,
        kind,
        required,
        description,
        values: &[],
        get,
    }
}

/// A text column holding one of `values`.
const fn enum_col<R>(
    name: &'static str,
    required: bool,
    description: &'static str,
    values: &'static [&'static str],
    get: for<'a> fn(&'a R) -> Cell<'a>,
) -> Column<R> {
    Column {
        name,
        kind: ColumnType::String,
        required,
        description,
        values,
        get,
    }
}

use ColumnType::{Boolean, Datetime, Integer, List, Object, String as Text};

/// A column's name, type, presence and description, without its reader.
struct Meta {
    name: &'static str,
    kind: ColumnType,
    required: bool,
    description: &'static str,
}

const fn meta(
    name: &'static str,
    kind: ColumnType,
    required: bool,
    description: &'static str,
) -> Meta {
    Meta {
        name,
        kind,
        required,
        description,
    }
}

/// A column `tools` and `source_records` share: one name, type and description, read from a
/// tool or from a source record.
const fn shared<R>(m: Meta, get: for<'a> fn(&'a R) -> Cell<'a>) -> Column<R> {
    col(m.name, m.kind, m.required, m.description, get)
}

// The columns both `tools` and `source_records` have, declared once.
const NAME: Meta = meta("name", Text, false, "display name");
const DESCRIPTION: Meta = meta("description", Text, false, "plain text, no HTML");
const HOMEPAGE_URL: Meta = meta("homepage_url", Text, false, "canonical home page URL");
const REPOSITORY_URL: Meta = meta("repository_url", Text, false, "canonical forge URL");
const WIKIDATA_ID: Meta = meta("wikidata_id", Text, false, "Wikidata item (`Q…`)");
const LICENSE: Meta = meta(
    "license",
    Text,
    false,
    "SPDX expression; empty when unknown",
);
const CATEGORIES: Meta = meta("categories", List, true, "functional categories");
const TAGS: Meta = meta("tags", List, true, "normalised keywords and topics");
const COUNTRIES: Meta = meta("countries", List, true, "ISO 3166-1 alpha-2 codes");
const LANGUAGES: Meta = meta("languages", List, true, "ISO 639-1 interface languages");
const PROGRAMMING_LANGUAGES: Meta =
    meta("programming_languages", List, true, "programming languages");
const ORGANIZATIONS: Meta = meta(
    "organizations",
    List,
    true,
    "developing or maintaining organisations",
);
const STARS: Meta = meta("stars", Integer, false, "stars on the forge");
const FORKS: Meta = meta("forks", Integer, false, "forks on the forge");
const ARCHIVED: Meta = meta("archived", Boolean, false, "archived on its forge");
const STALE: Meta = meta(
    "stale",
    Boolean,
    true,
    "kept from an earlier run: its source failed",
);

/// `tools`: one row per merged tool, in SPEC section 6 order.
pub const TOOLS: &[Column<Tool>] = &[
    col(
        "id",
        Text,
        true,
        "stable id, `ct_` + 12 characters; never reused",
        |t| Cell::text(&t.id),
    ),
    shared(NAME, |t| Cell::opt(&t.name)),
    shared(DESCRIPTION, |t| Cell::opt(&t.description)),
    shared(HOMEPAGE_URL, |t| Cell::opt(&t.homepage_url)),
    shared(REPOSITORY_URL, |t| Cell::opt(&t.repository_url)),
    shared(WIKIDATA_ID, |t| Cell::opt(&t.wikidata_id)),
    shared(LICENSE, |t| Cell::opt(&t.license)),
    col(
        "open_source",
        Boolean,
        false,
        "licence is OSI- or FSF-approved",
        |t| Cell::Bool(t.open_source),
    ),
    shared(CATEGORIES, |t| Cell::List(&t.categories)),
    shared(TAGS, |t| Cell::List(&t.tags)),
    shared(COUNTRIES, |t| Cell::List(&t.countries)),
    shared(LANGUAGES, |t| Cell::List(&t.languages)),
    shared(PROGRAMMING_LANGUAGES, |t| {
        Cell::List(&t.programming_languages)
    }),
    shared(ORGANIZATIONS, |t| Cell::List(&t.organizations)),
    shared(STARS, |t| Cell::Int(t.stars)),
    shared(FORKS, |t| Cell::Int(t.forks)),
    shared(ARCHIVED, |t| Cell::Bool(t.archived)),
    col(
        "created_at",
        Datetime,
        false,
        "creation, from the forge or source",
        |t| Cell::time(t.created_at),
    ),
    col(
        "last_activity_at",
        Datetime,
        false,
        "last activity, from the forge or source",
        |t| Cell::time(t.last_activity_at),
    ),
    col(
        "first_seen_at",
        Datetime,
        false,
        "when civicrawl first saw the tool",
        |t| Cell::time(t.first_seen_at),
    ),
    col(
        "last_seen_at",
        Datetime,
        false,
        "when civicrawl last saw the tool",
        |t| Cell::time(t.last_seen_at),
    ),
    col(
        "sources",
        List,
        true,
        "ids of the contributing sources",
        |t| Cell::List(&t.sources),
    ),
    shared(STALE, |t| Cell::Bool(Some(t.stale))),
];

/// `source_records`: every normalised source record, the tool it went into, and provenance.
pub const SOURCE_RECORDS: &[Column<SourceRecordRow>] = &[
    col(
        "tool_id",
        Text,
        true,
        "the tool this record was merged into",
        |r| Cell::text(&r.tool_id),
    ),
    col(
        "source_id",
        Text,
        true,
        "the source that gave the record",
        |r| Cell::text(&r.record.source_id),
    ),
    col(
        "record_id",
        Text,
        true,
        "the record's id within its source",
        |r| Cell::text(&r.record.record_id),
    ),
    col("source_url", Text, true, "where the record was read", |r| {
        Cell::text(&r.record.source_url)
    }),
    col(
        "fetched_at",
        Datetime,
        false,
        "when the record was fetched",
        |r| Cell::time(r.record.fetched_at),
    ),
    shared(NAME, |r| Cell::opt(&r.record.name)),
    shared(DESCRIPTION, |r| Cell::opt(&r.record.description)),
    shared(HOMEPAGE_URL, |r| Cell::opt(&r.record.homepage_url)),
    shared(REPOSITORY_URL, |r| Cell::opt(&r.record.repository_url)),
    shared(WIKIDATA_ID, |r| Cell::opt(&r.record.wikidata_id)),
    shared(LICENSE, |r| Cell::opt(&r.record.license)),
    col(
        "license_raw",
        Text,
        false,
        "the licence as the source gave it",
        |r| Cell::opt(&r.record.license_raw),
    ),
    shared(CATEGORIES, |r| Cell::List(&r.record.categories)),
    col(
        "category_scores",
        List,
        true,
        "the categories civicrawl inferred (the source declared none that maps to the vocabulary) from the record's name, description and tags, each with its score (`health:2.00`, threshold 1.00; docs/normalisation.md); empty when declared or none inferred",
        |r| Cell::List(&r.record.category_scores),
    ),
    shared(TAGS, |r| Cell::List(&r.record.tags)),
    shared(COUNTRIES, |r| Cell::List(&r.record.countries)),
    shared(LANGUAGES, |r| Cell::List(&r.record.languages)),
    shared(PROGRAMMING_LANGUAGES, |r| {
        Cell::List(&r.record.programming_languages)
    }),
    shared(ORGANIZATIONS, |r| Cell::List(&r.record.organizations)),
    col("logo_url", Text, false, "logo image URL", |r| {
        Cell::opt(&r.record.logo_url)
    }),
    shared(STARS, |r| Cell::Int(r.record.stars)),
    shared(FORKS, |r| Cell::Int(r.record.forks)),
    shared(ARCHIVED, |r| Cell::Bool(r.record.archived)),
    col(
        "created_at",
        Datetime,
        false,
        "creation, as the source gave it",
        |r| Cell::time(r.record.created_at),
    ),
    col(
        "updated_at",
        Datetime,
        false,
        "last update, as the source gave it",
        |r| Cell::time(r.record.updated_at),
    ),
    col(
        "homepage_status",
        Integer,
        false,
        "`site` records: HTTP status of the last visit of the home page, after redirects",
        |r| Cell::Int(r.record.homepage_status),
    ),
    col(
        "homepage_final_url",
        Text,
        false,
        "`site` records: the URL the last visit ended at, after redirects",
        |r| Cell::opt(&r.record.homepage_final_url),
    ),
    col(
        "homepage_checked_at",
        Datetime,
        false,
        "`site` records: when the home page was last visited",
        |r| Cell::time(r.record.homepage_checked_at),
    ),
    enum_col(
        "liveness",
        false,
        "`site` records: `alive`, `moved` (permanent redirect to another site), `dead` (404, 410 or no DNS on 3 consecutive runs) or `unknown`",
        &Liveness::NAMES,
        |r| Cell::Str(r.record.liveness.map(Liveness::as_str)),
    ),
    shared(STALE, |r| Cell::Bool(Some(r.stale))),
    col(
        "provenance",
        Object,
        true,
        "tool field → id of the source that supplied it; `languages (inferred)`: languages civicrawl detected in the record's description (no source stated any); `categories (inferred)`: categories civicrawl inferred from the record's name, description and tags (no source declared any), their scores in `category_scores`",
        |r| Cell::Object(r.provenance, &r.record.source_id),
    ),
];

/// `sources`: every declared source and how it did in this run.
pub const SOURCES: &[Column<SourceRow>] = &[
    col(
        "id",
        Text,
        true,
        "source id (file stem of its declaration)",
        |s| Cell::text(&s.id),
    ),
    col("name", Text, true, "source name", |s| Cell::text(&s.name)),
    enum_col(
        "kind",
        true,
        "the source kind (SPEC section 4)",
        &crate::kinds::KINDS,
        |s| Cell::text(&s.kind),
    ),
    enum_col("role", true, "`create` or `enrich`", &Role::NAMES, |s| {
        Cell::text(s.role.as_str())
    }),
    col(
        "priority",
        Integer,
        true,
        "survivorship: higher wins",
        |s| Cell::Int(Some(s.priority)),
    ),
    col(
        "license",
        Text,
        false,
        "licence of the source's data",
        |s| Cell::opt(&s.license),
    ),
    col(
        "id_space",
        Text,
        false,
        "the id space its record ids belong to: records of sources sharing one and the same `record_id` are one tool",
        |s| Cell::opt(&s.id_space),
    ),
    col(
        "country",
        Text,
        false,
        "the country of a national catalogue (ISO 3166-1 alpha-2): its records' country unless a record names its own",
        |s| Cell::opt(&s.country),
    ),
    col("urls", List, true, "the URLs the source starts from", |s| {
        Cell::List(&s.urls)
    }),
    enum_col(
        "status",
        true,
        "`ok` (answered this run), `rate-limited` (stopped by its rate limit; earlier records kept), `stale` (failed; earlier records kept) or `never-run`",
        &SourceStatus::NAMES,
        |s| Cell::text(s.status.as_str()),
    ),
    col(
        "records",
        Integer,
        true,
        "records published for the source",
        |s| Cell::Int(Some(s.records)),
    ),
    col(
        "error",
        Text,
        false,
        "why the source failed, if it did",
        |s| Cell::opt(&s.error),
    ),
];

mod orgs;
pub use orgs::{ORGANISATIONS, TOOL_ORGANISATIONS, USE_CASES};

#[cfg(test)]
mod tests;
