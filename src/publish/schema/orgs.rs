//! The columns of the organisation tables: `organisations`, `tool_organisations`,
//! `use_cases` (issue 15; docs/normalisation.md, "Organisations").

use super::ColumnType::{Boolean, Datetime, List, String as Text};
use super::{Column, col, enum_col};
use crate::model::{Liveness, OrgKind, OrgRole, Organisation, ToolOrganisation, UseCase};
use crate::publish::cell::Cell;

/// `organisations`: the organisations the records name, resolved (docs/normalisation.md,
/// "Organisations").
pub const ORGANISATIONS: &[Column<Organisation>] = &[
    col(
        "id",
        Text,
        true,
        "stable id, `co_` + 12 characters; never reused",
        |o| Cell::text(&o.id),
    ),
    col("name", Text, false, "the name most sources give", |o| {
        Cell::opt(&o.name)
    }),
    enum_col(
        "kind",
        true,
        "`public-body`, `non-profit`, `company`, `community`, `academic` or `unknown`",
        &OrgKind::NAMES,
        |o| Cell::text(o.kind.as_str()),
    ),
    enum_col(
        "kind_rule",
        true,
        "the rule that decided `kind`: what a source calls it, an IPA code, a government or academic web domain, words of its name, or none",
        &["source-kind", "ipa-code", "website", "name", "none"],
        |o| Cell::text(&o.kind_rule),
    ),
    col(
        "country",
        Text,
        false,
        "ISO 3166-1 alpha-2, the one most sources give",
        |o| Cell::opt(&o.country),
    ),
    col("website", Text, false, "canonical URL of its site", |o| {
        Cell::opt(&o.website)
    }),
    col(
        "forge_accounts",
        List,
        true,
        "`github:<login>`, `gitlab:<host>/<group>`",
        |o| Cell::List(&o.forge_accounts),
    ),
    col("wikidata_id", Text, false, "Wikidata item (`Q…`)", |o| {
        Cell::opt(&o.wikidata_id)
    }),
    col(
        "identifiers",
        List,
        true,
        "official identifiers: `siren:<9 digits>` and `pso:<id>` (France: SIREN, service-public.fr directory), `ipa:<code>` (Italy)",
        |o| Cell::List(&o.identifiers),
    ),
    col("names", List, true, "every name the sources give it", |o| {
        Cell::List(&o.names)
    }),
    col(
        "sources",
        List,
        true,
        "ids of the sources that name it",
        |o| Cell::List(&o.sources),
    ),
    col(
        "provenance",
        List,
        true,
        "`field:source`: the source of the value kept for `name`, `country`, `website`, `wikidata_id`",
        |o| Cell::List(&o.provenance),
    ),
    col(
        "first_seen_at",
        Datetime,
        false,
        "when civicrawl first saw a tool that names it",
        |o| Cell::time(o.first_seen_at),
    ),
    col(
        "last_seen_at",
        Datetime,
        false,
        "when civicrawl last saw a tool that names it",
        |o| Cell::time(o.last_seen_at),
    ),
    col(
        "stale",
        Boolean,
        true,
        "every record naming it was kept from an earlier run",
        |o| Cell::Bool(Some(o.stale)),
    ),
];

/// `tool_organisations`: what each organisation does for each tool, as sources state it.
pub const TOOL_ORGANISATIONS: &[Column<ToolOrganisation>] = &[
    col("tool_id", Text, true, "the tool", |r| {
        Cell::text(&r.tool_id)
    }),
    col("organisation_id", Text, true, "the organisation", |r| {
        Cell::text(&r.organisation_id)
    }),
    enum_col(
        "role",
        true,
        "`develops`, `maintains`, `funds` or `uses`, from a source field",
        &OrgRole::NAMES,
        |r| Cell::text(r.role.as_str()),
    ),
    col(
        "sources",
        List,
        true,
        "ids of the sources that state it",
        |r| Cell::List(&r.sources),
    ),
];

/// `use_cases`: the tools' deployments.
pub const USE_CASES: &[Column<UseCase>] = &[
    col(
        "id",
        Text,
        true,
        "`cu_` + 12 characters, from the tool and the deployment's URL (else its organisation and title)",
        |u| Cell::text(&u.id),
    ),
    col("tool_id", Text, true, "the tool deployed", |u| {
        Cell::text(&u.tool_id)
    }),
    col(
        "organisation_id",
        Text,
        false,
        "the organisation that runs it, when known",
        |u| Cell::opt(&u.organisation_id),
    ),
    col("title", Text, false, "the deployment's name", |u| {
        Cell::opt(&u.title)
    }),
    col(
        "url",
        Text,
        false,
        "canonical public URL of the deployment",
        |u| Cell::opt(&u.url),
    ),
    col("country", Text, false, "ISO 3166-1 alpha-2", |u| {
        Cell::opt(&u.country)
    }),
    col(
        "audience",
        Text,
        false,
        "who it serves, as the source says",
        |u| Cell::opt(&u.audience),
    ),
    col(
        "first_seen_at",
        Datetime,
        false,
        "when civicrawl first saw its tool",
        |u| Cell::time(u.first_seen_at),
    ),
    col(
        "last_seen_at",
        Datetime,
        false,
        "when civicrawl last saw its tool",
        |u| Cell::time(u.last_seen_at),
    ),
    col(
        "sources",
        List,
        true,
        "ids of the sources that list it",
        |u| Cell::List(&u.sources),
    ),
    enum_col(
        "liveness",
        false,
        "from the last visit of `url` by a `site` source: `alive`, `moved` (permanent redirect to another site), `dead` (404, 410 or no DNS on 3 consecutive runs) or `unknown`; empty when never visited",
        &Liveness::NAMES,
        |u| Cell::Str(u.liveness.map(Liveness::as_str)),
    ),
    col(
        "checked_at",
        Datetime,
        false,
        "when `url` was last visited",
        |u| Cell::time(u.checked_at),
    ),
];
