//! The keys of a `site` declaration (SPEC section 4 `site`, docs/sources.md `## site`).

use std::time::Duration;

use toml::{Table, Value};

use crate::kinds::decl::finish;

/// The keys a `site` declaration may have beside the common keys.
pub const KEYS: &[&str] = &["max_sites", "time_budget", "revisit_max_days"];

/// Home pages visited per run, by default.
pub const DEFAULT_MAX_SITES: usize = 500;

/// No visit starts after this much time in one run, by default.
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(30 * 60);

/// A compiled `site` declaration (its targets come with each run's `SourceCx`).
#[derive(Clone, Debug)]
pub struct SiteSource {
    pub(crate) max_sites: usize,
    pub(crate) time_budget: Duration,
    /// The revisit policy of the home pages (`revisit_max_days`).
    pub(crate) revisit: crate::crawl::Revisit,
}

impl SiteSource {
    /// The most home pages one run visits.
    pub fn max_sites(&self) -> usize {
        self.max_sites
    }
}

/// Compiles the `site` keys; every problem is reported.
pub fn build(mut table: Table) -> Result<SiteSource, Vec<String>> {
    let mut errs = Vec::new();
    let max_sites = match table.remove("max_sites") {
        None => DEFAULT_MAX_SITES,
        Some(Value::Integer(n)) if n >= 1 => n as usize,
        Some(other) => {
            errs.push(format!(
                "`max_sites`: expected a whole number of at least 1, such as `200`, found `{other}`"
            ));
            DEFAULT_MAX_SITES
        }
    };
    let time_budget = match table.remove("time_budget") {
        None => DEFAULT_TIME_BUDGET,
        Some(value) => crate::kinds::decl::parse_duration(&value, false).unwrap_or_else(|| {
            errs.push(format!(
                "`time_budget`: expected seconds or a duration such as `\"90s\"`, `\"20m\"`, `\"1h\"`, found `{value}`"
            ));
            DEFAULT_TIME_BUDGET
        }),
    };
    let revisit = crate::kinds::decl::take_revisit(&mut table, &mut errs);
    crate::kinds::decl::reject_rest(table, "site", &mut errs);
    finish(
        SiteSource {
            max_sites,
            time_budget,
            revisit,
        },
        errs,
    )
}
