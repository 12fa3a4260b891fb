//! Organisations and use cases a record names, after `normalise` (the `[[organisations]]` and
//! `[[use_cases]]` tables of a declaration; docs/sources.md).

use serde::{Deserialize, Serialize};

/// The role an organisation plays for a tool, as a source field states it (never guessed
/// from text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgRole {
    /// Builds it (an owner, an author, a publishing agency).
    Develops,
    /// Maintains it (a maintainer, a contractor).
    Maintains,
    /// Pays for it.
    Funds,
    /// Runs it.
    Uses,
}

impl OrgRole {
    /// Every role, in the order declarations and the data dictionary list them.
    pub const ALL: [OrgRole; 4] = [
        OrgRole::Develops,
        OrgRole::Maintains,
        OrgRole::Funds,
        OrgRole::Uses,
    ];
    /// Their names, as declarations and releases write them.
    pub const NAMES: [&'static str; 4] = ["develops", "maintains", "funds", "uses"];

    /// The word used in declarations and outputs.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The role named `text`.
    pub fn parse(text: &str) -> Option<OrgRole> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One organisation a record names, normalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormOrg {
    pub role: OrgRole,
    pub name: Option<String>,
    /// Canonical URL of its site.
    pub website: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// What the source calls its kind (`Government / public sector`, `Company`), as given.
    pub kind: Option<String>,
    /// `github:<login>` or `gitlab:<host>/<group path>`.
    pub forge_account: Option<String>,
    pub wikidata_id: Option<String>,
    /// French SIREN (9 digits).
    pub siren: Option<String>,
    /// Italian IPA code (Indice delle Pubbliche Amministrazioni).
    pub ipa: Option<String>,
    /// French `pso_id`: the body's id in the service-public.fr directory (as code.gouv.fr
    /// gives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pso_id: Option<String>,
}

impl NormOrg {
    /// An organisation in `role` known by its name only.
    pub fn named(role: OrgRole, name: &str) -> NormOrg {
        NormOrg {
            role,
            name: Some(name.to_string()),
            website: None,
            country: None,
            kind: None,
            forge_account: None,
            wikidata_id: None,
            siren: None,
            ipa: None,
            pso_id: None,
        }
    }
}

/// One deployment of a tool a record lists, normalised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormUseCase {
    pub title: Option<String>,
    /// Canonical public URL of the deployment.
    pub url: Option<String>,
    /// The name of the organisation that runs it.
    pub organisation: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub audience: Option<String>,
}

/// What kind of body an organisation is (rules in docs/normalisation.md, "Organisations").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    PublicBody,
    NonProfit,
    Company,
    Community,
    Academic,
    #[default]
    Unknown,
}

impl OrgKind {
    /// Every kind, in the order the data dictionary lists them.
    pub const ALL: [OrgKind; 6] = [
        OrgKind::PublicBody,
        OrgKind::NonProfit,
        OrgKind::Company,
        OrgKind::Community,
        OrgKind::Academic,
        OrgKind::Unknown,
    ];
    /// Their names, as releases write them.
    pub const NAMES: [&'static str; 6] = [
        "public-body",
        "non-profit",
        "company",
        "community",
        "academic",
        "unknown",
    ];

    /// The word used in outputs.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// One row of the `organisations` table: the organisations the records name, resolved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// `co_` + 12 characters, stable through the id registry.
    pub id: String,
    pub name: Option<String>,
    pub kind: OrgKind,
    /// The rule that decided `kind` (docs/normalisation.md).
    pub kind_rule: String,
    pub country: Option<String>,
    pub website: Option<String>,
    /// `github:<login>`, `gitlab:<host>/<path>`, sorted.
    pub forge_accounts: Vec<String>,
    pub wikidata_id: Option<String>,
    /// Official identifiers: `siren:<9 digits>`, `pso:<id>`, `ipa:<code>`, sorted.
    pub identifiers: Vec<String>,
    /// Every name the sources gave it, sorted.
    pub names: Vec<String>,
    pub sources: Vec<String>,
    /// `field:source` for the fields one value was chosen for (`name`, `country`,
    /// `website`, `wikidata_id`): the source that gave the value kept, sorted.
    pub provenance: Vec<String>,
    pub first_seen_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_seen_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Every record naming it was kept from an earlier run.
    pub stale: bool,
}

/// One row of `tool_organisations`: an organisation's role for a tool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolOrganisation {
    pub tool_id: String,
    pub organisation_id: String,
    pub role: OrgRole,
    pub sources: Vec<String>,
}

/// One row of `use_cases`: a deployment of a tool.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UseCase {
    /// `cu_` + 12 characters, derived from the tool id and the deployment's URL (else its
    /// organisation and title).
    pub id: String,
    pub tool_id: String,
    pub organisation_id: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub country: Option<String>,
    pub audience: Option<String>,
    pub first_seen_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_seen_at: Option<chrono::DateTime<chrono::Utc>>,
    pub sources: Vec<String>,
    /// From the last visit of `url` by a `site` source: alive, moved, dead or unknown.
    pub liveness: Option<super::Liveness>,
    /// When `url` was last visited.
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
}
