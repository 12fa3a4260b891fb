//! The closed value sets that travel between stages as enums and are stored and published
//! by name: a source's role, its status in the catalogue, how its run ended.

use serde::{Deserialize, Serialize};

/// What a source may do to the catalogue (`role`, SPEC section 4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May add tools.
    #[default]
    Create,
    /// Only adds fields to tools other sources created.
    Enrich,
}

impl Role {
    /// Every role, in the order the data dictionary lists them.
    pub const ALL: [Role; 2] = [Role::Create, Role::Enrich];
    /// Their names, as declarations, the state store and releases write them.
    pub const NAMES: [&'static str; 2] = ["create", "enrich"];

    /// The word used in declarations and outputs.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The role named `text`.
    pub fn parse(text: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Where a source stands after its latest run: `sources.status` of a release.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceStatus {
    /// Its latest run succeeded.
    Ok,
    /// Its latest run was stopped by an API rate limit; what it found is saved with its
    /// earlier records.
    RateLimited,
    /// Its latest run failed (or was held back: its record count fell by more than half): its
    /// earlier records are kept, flagged stale.
    Stale,
    /// It has not run yet.
    #[default]
    NeverRun,
}

impl SourceStatus {
    /// Every status, in the order the data dictionary lists them.
    pub const ALL: [SourceStatus; 4] = [
        SourceStatus::Ok,
        SourceStatus::RateLimited,
        SourceStatus::Stale,
        SourceStatus::NeverRun,
    ];
    /// Their names, as the state store and releases write them.
    pub const NAMES: [&'static str; 4] = ["ok", "rate-limited", "stale", "never-run"];

    /// The name written for it.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The status named `text`.
    pub fn parse(text: &str) -> Option<SourceStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How a source ended this run (`report.json`, the run's summary on stderr).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It ran to the end; its records replace the earlier ones.
    Ok,
    /// An API rate limit stopped it: what it found is saved together with its earlier
    /// records not found this time; the next run starts again.
    RateLimited,
    /// It failed (network, HTTP, an unreadable body, the run's deadline…): its earlier
    /// records are kept, flagged stale.
    Failed,
    /// Its record count fell by more than half: held back like a failure (earlier records
    /// kept stale) unless `--accept-drop`.
    Held,
}

impl Ended {
    /// The name written in `report.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Ok => "ok",
            Ended::RateLimited => "rate-limited",
            Ended::Failed => "failed",
            Ended::Held => "held",
        }
    }

    /// True when the source's earlier records are kept instead of this run's.
    pub fn kept_stale(self) -> bool {
        matches!(self, Ended::Failed | Ended::Held)
    }

    /// What the source's status becomes.
    pub fn status(self) -> SourceStatus {
        match self {
            Ended::Ok => SourceStatus::Ok,
            Ended::RateLimited => SourceStatus::RateLimited,
            Ended::Failed | Ended::Held => SourceStatus::Stale,
        }
    }
}
