//! Plain data that crosses pipeline stages. No I/O lives here.
//!
//! `RawRecord` is what a source kind extracts (fields as the source gave them, every value a
//! string); `NormRecord` is one record after `normalise`; `Tool` is one merged row of the
//! `tools` table (SPEC section 6).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod parts;
mod states;

pub use self::parts::{
    NormOrg, NormUseCase, OrgKind, OrgRole, Organisation, ToolOrganisation, UseCase,
};
pub use self::states::{Ended, Role, SourceStatus};

/// The canonical fields a mapping may fill (SPEC section 4), in declaration order.
pub const CANONICAL_FIELDS: &[&str] = &[
    "record_id",
    "name",
    "description",
    "homepage",
    "repository",
    "license",
    "categories",
    "tags",
    "countries",
    "languages",
    "programming_languages",
    "organizations",
    "logo",
    "created_at",
    "updated_at",
    "stars",
    "forks",
    "archived",
    "wikidata",
];

/// Canonical fields that hold a list; all others are scalars (the first match wins).
pub const LIST_FIELDS: &[&str] = &[
    "repository",
    "categories",
    "tags",
    "countries",
    "languages",
    "programming_languages",
    "organizations",
];

/// True when `field` is a canonical field name.
pub fn is_canonical_field(field: &str) -> bool {
    CANONICAL_FIELDS.contains(&field)
}

/// True when `field` holds a list of values.
pub fn is_list_field(field: &str) -> bool {
    LIST_FIELDS.contains(&field)
}

/// One record as a source kind extracted it: canonical field name → the values found, as text.
///
/// Scalar fields keep every match too; `normalise` takes the first. Empty strings are dropped
/// by the kinds before they get here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRecord {
    /// The record's id within its source (mapping `record_id`, else detail URL or content hash).
    pub record_id: String,
    /// The URL of the page or document the record was read from.
    pub source_url: String,
    /// Canonical field → values as given.
    pub fields: BTreeMap<String, Vec<String>>,
    /// The organisations the record names (`[[organisations]]` of the declaration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<RawPart>,
    /// The deployments of the tool the record lists (`[[use_cases]]` of the declaration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub use_cases: Vec<RawPart>,
}

/// One organisation or use case a record names, as the source gave it: part field → values
/// (`kinds::parts::ORGANISATION_FIELDS`, `kinds::parts::USE_CASE_FIELDS`) and, for an
/// organisation, the role its declaration table states.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawPart {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub fields: BTreeMap<String, Vec<String>>,
}

impl RawPart {
    /// The first value of a field, if any.
    pub fn first(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

impl RawRecord {
    /// The first value of a field, if any.
    pub fn first(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// Every value of a field (empty when absent).
    pub fn all(&self, field: &str) -> &[String] {
        self.fields.get(field).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// One source record after normalisation: typed, canonical values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NormRecord {
    pub source_id: String,
    pub record_id: String,
    pub source_url: String,
    pub fetched_at: Option<DateTime<Utc>>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub homepage_url: Option<String>,
    pub repository_url: Option<String>,
    pub wikidata_id: Option<String>,
    pub license: Option<String>,
    /// The licence text exactly as the source gave it (kept when it could not be mapped).
    pub license_raw: Option<String>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub countries: Vec<String>,
    pub languages: Vec<String>,
    pub programming_languages: Vec<String>,
    pub organizations: Vec<String>,
    pub logo_url: Option<String>,
    pub stars: Option<i64>,
    pub forks: Option<i64>,
    pub archived: Option<bool>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Every repository URL the record gave, canonical (the first is `repository_url`).
    pub repositories: Vec<String>,
    /// `languages` was detected from the description (no language was stated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub languages_inferred: bool,
    /// `categories` were inferred from the name, description and tags (the source declared
    /// none that maps to the vocabulary).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub categories_inferred: bool,
    /// The inferred categories with their scores, `id:score` (empty when declared).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_scores: Vec<String>,
    /// The organisations the record names, with their roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<NormOrg>,
    /// The deployments of the tool the record lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub use_cases: Vec<NormUseCase>,
    /// `site` records: the HTTP status of the last visit of the home page (after redirects).
    pub homepage_status: Option<i64>,
    /// `site` records: the URL the last visit ended at, after redirects.
    pub homepage_final_url: Option<String>,
    /// `site` records: when the home page was last visited.
    pub homepage_checked_at: Option<DateTime<Utc>>,
    /// `site` records: [`Liveness`] of the home page.
    pub liveness: Option<Liveness>,
}

/// One merged tool: a row of `tools` (SPEC section 6, in column order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub homepage_url: Option<String>,
    pub repository_url: Option<String>,
    pub wikidata_id: Option<String>,
    pub license: Option<String>,
    pub open_source: Option<bool>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub countries: Vec<String>,
    pub languages: Vec<String>,
    pub programming_languages: Vec<String>,
    pub organizations: Vec<String>,
    pub stars: Option<i64>,
    pub forks: Option<i64>,
    pub archived: Option<bool>,
    pub created_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub first_seen_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub sources: Vec<String>,
    pub stale: bool,
}

/// One row of `source_records`: a normalised record, the tool it went into, and which of the
/// tool's fields it supplied (`provenance`, published as field → the record's source id).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceRecordRow {
    pub tool_id: String,
    pub record: NormRecord,
    pub stale: bool,
    pub provenance: Provenance,
}

/// The tool fields one source record supplied: a set over [`Provenance::FIELDS`] held in one
/// integer (a million rows carry one each). The value a field came from is always the
/// record's own source, so the set is all a row needs to print `{"field": "source id"}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Provenance(u32);

impl Provenance {
    /// The tool fields a record can supply, in alphabetical order (the order they print in).
    pub const FIELDS: [&'static str; 19] = [
        "archived",
        "categories",
        "categories (inferred)",
        "countries",
        "created_at",
        "description",
        "forks",
        "homepage_url",
        "languages",
        "languages (inferred)",
        "last_activity_at",
        "license",
        "name",
        "organizations",
        "programming_languages",
        "repository_url",
        "stars",
        "tags",
        "wikidata_id",
    ];

    /// Adds `field`; a name outside [`Provenance::FIELDS`] is a programming error.
    pub fn insert(&mut self, field: &str) {
        match Self::FIELDS.iter().position(|f| *f == field) {
            Some(i) => self.0 |= 1 << i,
            None => debug_assert!(false, "not a provenance field: {field}"),
        }
    }

    /// True when the record supplied `field`.
    pub fn contains(self, field: &str) -> bool {
        Self::FIELDS
            .iter()
            .position(|f| *f == field)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The fields supplied, in alphabetical order.
    pub fn fields(self) -> impl Iterator<Item = &'static str> {
        Self::FIELDS
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, f)| f)
    }
}

impl<'a> FromIterator<&'a str> for Provenance {
    fn from_iter<I: IntoIterator<Item = &'a str>>(fields: I) -> Self {
        let mut p = Provenance::default();
        fields.into_iter().for_each(|f| p.insert(f));
        p
    }
}

/// One row of `sources`: a declared source and how it did in this run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub role: Role,
    pub priority: i64,
    pub license: Option<String>,
    /// The id space its record ids belong to (`id_space` of the declaration).
    pub id_space: Option<String>,
    /// The country of a national catalogue (`country` of the declaration).
    pub country: Option<String>,
    pub urls: Vec<String>,
    pub status: SourceStatus,
    pub records: i64,
    pub error: Option<String>,
}

/// Everything `publish` needs to write one release directory.
#[derive(Clone, Debug, Default)]
pub struct Release {
    /// The release id and directory name, e.g. `2026-11-26T030000Z`.
    pub id: String,
    /// When the release was built (written to report.json, never to data files).
    pub created_at: DateTime<Utc>,
    /// The crawl snapshot the data comes from: the id of the release first published from
    /// this state. Written into the Parquet metadata (`civicrawl.release_id`); a `build` from
    /// the same state carries the same value, so its data files are byte-identical.
    pub snapshot_id: String,
    pub tools: Vec<Tool>,
    pub source_records: Vec<SourceRecordRow>,
    pub sources: Vec<SourceRow>,
    /// The run report, written as `report.json`.
    pub report: serde_json::Value,
    /// Ids retired by a merge since the previous release: (old id, id it now points to).
    pub aliases: Vec<(String, String)>,
    /// The organisations the records name, resolved, sorted by id.
    pub organisations: Vec<Organisation>,
    /// Each organisation's roles for each tool, sorted.
    pub tool_organisations: Vec<ToolOrganisation>,
    /// The tools' deployments, sorted by id.
    pub use_cases: Vec<UseCase>,
}

/// A string that never prints: tokens and other credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

/// Politeness for one source's hosts: requests per second and burst.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub per_second: f64,
    #[serde(default = "default_burst")]
    pub burst: u32,
}

fn default_burst() -> u32 {
    1
}

impl Default for Rate {
    fn default() -> Self {
        Rate {
            per_second: 1.0,
            burst: 1,
        }
    }
}

/// HTTP validators of one URL fetched with one credential (conditional requests, SPEC
/// section 2): sent back as `If-None-Match` / `If-Modified-Since`; a 304 reuses the archived
/// body named by `body_sha256`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 (hex) of the body in the archive.
    pub body_sha256: String,
    pub final_url: String,
    pub fetched_at: DateTime<Utc>,
    /// The body's `Content-Type`, given to a page answered from the archive.
    pub content_type: Option<String>,
    /// The revisit policy's memory (`crawl::revisit`): how many runs in a row the page
    /// answered unchanged (a 304, or the same body) when last asked under the policy.
    pub unchanged: u32,
    /// When the page was last asked under the revisit policy; `None` when never, or when
    /// that ask failed (it is then asked next run).
    pub asked_at: Option<DateTime<Utc>>,
}

/// Keys under which a `site` record carries its home page check in [`RawRecord::fields`].
/// They are not canonical fields (no mapping may fill them); the pipeline copies them into
/// the [`NormRecord`] columns of the same names.
pub const CHECK_KEYS: [&str; 4] = [
    "homepage_status",
    "homepage_final_url",
    "homepage_checked_at",
    "liveness",
];

/// Whether a tool's home page still answers (SPEC section 4 `site`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Liveness {
    /// It answered 2xx.
    Alive,
    /// A permanent redirect (301, 308) leads to another site.
    Moved,
    /// 404, 410 or a name that does not resolve, on the last consecutive checks.
    Dead,
    /// Anything else: 403, 429, 5xx, no answer, refused, not checked.
    Unknown,
}

impl Liveness {
    /// `alive`, `moved`, `dead` or `unknown`.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Every liveness, in the order the data dictionary lists them.
    pub const ALL: [Liveness; 4] = [
        Liveness::Alive,
        Liveness::Moved,
        Liveness::Dead,
        Liveness::Unknown,
    ];
    /// Their names, as the state store and releases write them.
    pub const NAMES: [&'static str; 4] = ["alive", "moved", "dead", "unknown"];

    /// The liveness named `text`.
    pub fn parse(text: &str) -> Option<Liveness> {
        Self::ALL.into_iter().find(|l| l.as_str() == text)
    }
}

/// One visit of a home page by a `site` source: the check history liveness is judged from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomepageCheck {
    /// The home page, canonical (the `site` record's id).
    pub url: String,
    pub checked_at: DateTime<Utc>,
    /// The final HTTP status, when a server answered.
    pub status: Option<u16>,
    /// The URL the visit ended at, after redirects.
    pub final_url: Option<String>,
    /// `ok` (2xx), `gone` (404, 410), `unresolved` (DNS), `status` (another HTTP status),
    /// `refused`, `robots` or `failed`: what the visit found.
    pub outcome: String,
    pub liveness: Liveness,
}
