//! Organisations and use cases a record names: the `[[organisations]]` and `[[use_cases]]`
//! tables of a declaration (docs/sources.md, "Organisations and use cases"), shared by the
//! kinds that read them.
//!
//! Each table maps part fields to the kind's mapping text (a JSONPath for `json`, a column
//! for `csv`, a CSS selector for `html`); `each` (where the kind has one) selects the nodes
//! that are one part each, with the field paths relative to each node (`$` = the node in
//! JSONPath); without it the record itself is the one node. An organisation table states the
//! `role` every organisation it maps plays for the tool. A part with none of its identifying
//! fields (an organisation without name, website, forge account or Wikidata item; a use case
//! without title, URL or organisation) is left out. [`finish`], [`add_value`] and
//! [`push_unique`] also build the organisations the forge kinds and publiccode.yml read from
//! fields that mean them.

use std::collections::BTreeMap;

use toml::{Table, Value};
use url::Url;

use super::mapping;
use crate::model::{OrgRole, RawPart};

/// The fields an `[[organisations]]` table may map.
pub const ORGANISATION_FIELDS: &[&str] = &[
    "name",
    "website",
    "country",
    "kind",
    "forge_account",
    "wikidata",
    "siren",
    "pso_id",
    "ipa",
];
/// The fields a `[[use_cases]]` table may map.
pub const USE_CASE_FIELDS: &[&str] = &["title", "url", "organisation", "country", "audience"];
/// The roles an organisation may play for a tool (`OrgRole`'s names).
const ROLES: [&str; 4] = OrgRole::NAMES;
/// Part fields whose values are links (resolved against the page when relative).
const LINK_FIELDS: &[&str] = &["website", "forge_account", "url"];
/// Fields of which a part needs one to be kept.
const ORGANISATION_KEYS: &[&str] = &["name", "website", "forge_account", "wikidata"];
const USE_CASE_KEYS: &[&str] = &["title", "url", "organisation"];

/// Which of the two tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartKind {
    Organisations,
    UseCases,
}

impl PartKind {
    /// The declaration key.
    pub(crate) fn key(self) -> &'static str {
        match self {
            PartKind::Organisations => "organisations",
            PartKind::UseCases => "use_cases",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            PartKind::Organisations => ORGANISATION_FIELDS,
            PartKind::UseCases => USE_CASE_FIELDS,
        }
    }

    fn identifying(self) -> &'static [&'static str] {
        match self {
            PartKind::Organisations => ORGANISATION_KEYS,
            PartKind::UseCases => USE_CASE_KEYS,
        }
    }
}

/// One table of a declaration, its mapping texts compiled by the kind into `P`.
#[derive(Clone, Debug)]
pub(crate) struct PartDecl<P> {
    pub role: Option<String>,
    pub each: Option<P>,
    /// Part field → mapping, in the order of the kind's field list.
    pub fields: Vec<(String, P)>,
}

/// Takes the tables of `kind` (`[[organisations]]`, or one `[organisations]` table),
/// compiling each mapping text with `compile(label, text, errs)`. `each` is refused when the
/// kind has none (`each_allowed` false). Every problem goes to `errs`.
pub(crate) fn take_parts<P>(
    table: &mut Table,
    kind: PartKind,
    each_allowed: bool,
    errs: &mut Vec<String>,
    mut compile: impl FnMut(&str, &str, &mut Vec<String>) -> Option<P>,
) -> Vec<PartDecl<P>> {
    let key = kind.key();
    let tables: Vec<Table> = match table.remove(key) {
        None => return Vec::new(),
        Some(Value::Table(t)) => vec![t],
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Table(t) => out.push(t),
                    other => errs.push(format!(
                        "`{key}[{i}]`: expected a table, found {}",
                        other.type_str()
                    )),
                }
            }
            out
        }
        Some(other) => {
            errs.push(format!(
                "`{key}`: expected `[[{key}]]` tables, found {}",
                other.type_str()
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, mut t) in tables.into_iter().enumerate() {
        let at = format!("{key}[{i}]");
        let role = match (kind, t.remove("role")) {
            (PartKind::Organisations, Some(Value::String(r))) if OrgRole::parse(&r).is_some() => {
                Some(r)
            }
            (PartKind::Organisations, Some(other)) => {
                errs.push(format!(
                    "`{at}.role`: `{}` is not a role (expected one of {})",
                    other.as_str().unwrap_or(&other.to_string()),
                    ROLES.join(", ")
                ));
                None
            }
            (PartKind::Organisations, None) => {
                errs.push(format!(
                    "`{at}.role` is required: the role its organisations play ({})",
                    ROLES.join(", ")
                ));
                None
            }
            (PartKind::UseCases, Some(_)) => {
                errs.push(format!("`{at}.role`: use cases have no role"));
                None
            }
            (PartKind::UseCases, None) => None,
        };
        let each = match t.remove("each") {
            None => None,
            Some(_) if !each_allowed => {
                errs.push(format!(
                    "`{at}.each`: this kind has no `each` (one {} per record)",
                    if kind == PartKind::Organisations {
                        "organisation"
                    } else {
                        "use case"
                    }
                ));
                None
            }
            Some(Value::String(text)) => compile(&format!("{at}.each"), &text, errs),
            Some(other) => {
                errs.push(format!(
                    "`{at}.each`: expected a string, found {}",
                    other.type_str()
                ));
                None
            }
        };
        let fields = take_part_fields(&mut t, kind, &at, errs, &mut compile);
        for rest in t.keys() {
            errs.push(format!(
                "`{at}.{rest}`: unknown key (expected `role`, `each`, `fields`)"
            ));
        }
        out.push(PartDecl { role, each, fields });
    }
    out
}

fn take_part_fields<P>(
    t: &mut Table,
    kind: PartKind,
    at: &str,
    errs: &mut Vec<String>,
    compile: &mut impl FnMut(&str, &str, &mut Vec<String>) -> Option<P>,
) -> Vec<(String, P)> {
    let allowed = kind.fields();
    let Some(Value::Table(fields)) = t.remove("fields") else {
        errs.push(format!(
            "`{at}.fields` is required: a table mapping {}",
            allowed.join(", ")
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (field, value) in fields {
        let label = format!("{at}.fields.{field}");
        if !allowed.contains(&field.as_str()) {
            errs.push(format!(
                "`{label}`: unknown field (expected one of {})",
                allowed.join(", ")
            ));
            continue;
        }
        match value {
            Value::String(text) if !text.trim().is_empty() => {
                if let Some(p) = compile(&label, &text, errs) {
                    out.push((field, p));
                }
            }
            other => errs.push(format!(
                "`{label}`: expected a non-empty string, found {}",
                other.type_str()
            )),
        }
    }
    if out.is_empty() && !errs.iter().any(|e| e.contains(at)) {
        errs.push(format!("`{at}.fields`: maps no field"));
    }
    out.sort_by_key(|(f, _)| allowed.iter().position(|a| a == f));
    out
}

/// Adds one value of a part field: cleaned, dropped when empty, links resolved against
/// `base` when plainly relative.
pub(crate) fn add_value(
    fields: &mut BTreeMap<String, Vec<String>>,
    field: &str,
    raw: &str,
    base: &Url,
) {
    let mut value = mapping::clean_text(raw);
    if value.is_empty() {
        return;
    }
    if LINK_FIELDS.contains(&field) {
        value = mapping::resolve_link_value(&value, base);
    }
    let values = fields.entry(field.to_owned()).or_default();
    if !values.contains(&value) {
        values.push(value);
    }
}

/// The part the values found make, or `None` when none of its identifying fields has one.
pub(crate) fn finish(
    kind: PartKind,
    role: Option<&str>,
    fields: BTreeMap<String, Vec<String>>,
) -> Option<RawPart> {
    let identified = kind.identifying().iter().any(|f| fields.contains_key(*f));
    identified.then(|| RawPart {
        role: role.map(str::to_owned),
        fields,
    })
}

/// Adds `part` to `parts` unless an equal one is there (a source naming one organisation
/// twice in one role).
pub(crate) fn push_unique(parts: &mut Vec<RawPart>, part: RawPart) {
    if !parts.contains(&part) {
        parts.push(part);
    }
}
