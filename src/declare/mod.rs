//! Source declarations: `sources/*.toml` → validated [`Declaration`]s (SPEC section 4).
//!
//! Every problem of every file is collected before anything runs (exit 2): unknown keys with a
//! "did you mean", an unknown kind, bad selectors or JSONPaths (from the kind's `build`),
//! duplicate ids, each printed with `path:line:col`, the line and a help where one is clear.

mod diagnostic;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use diagnostic::DeclError;

use crate::kinds::{self, Source};
use crate::model::Rate;

/// Keys every declaration may have, whatever its kind.
pub const COMMON_KEYS: &[&str] = &[
    "id", "name", "kind", "enabled", "role", "priority", "license", "rate", "id_space", "country",
];

pub use crate::model::Role;

/// One validated source declaration, ready to run.
#[derive(Debug)]
pub struct Declaration {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub enabled: bool,
    pub role: Role,
    pub priority: i64,
    pub license: Option<String>,
    pub rate: Rate,
    /// The id space its record ids belong to (`id_space`): records of sources sharing one
    /// and the same record id are the same tool.
    pub id_space: Option<String>,
    /// The country of a national catalogue (`country`, ISO 3166-1 alpha-2): its records'
    /// country unless a record names its own.
    pub country: Option<String>,
    /// The file it was read from.
    pub path: PathBuf,
    /// The kind-specific part, compiled.
    pub source: Source,
}

/// Reads every `*.toml` in `dir` (sorted by name) and validates them all.
pub fn load_dir(dir: &Path) -> Result<Vec<Declaration>, Vec<DeclError>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return Err(vec![DeclError::new(
                dir,
                format!("cannot read the sources directory: {e}"),
            )]);
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut decls = Vec::new();
    let mut errors = Vec::new();
    for path in &paths {
        match std::fs::read_to_string(path) {
            Ok(text) => match parse_declaration(path, &text) {
                Ok(d) => decls.push(d),
                Err(mut e) => errors.append(&mut e),
            },
            Err(e) => errors.push(DeclError::new(path, format!("cannot read file: {e}"))),
        }
    }
    check_duplicates(&decls, &mut errors);
    if errors.is_empty() {
        Ok(decls)
    } else {
        Err(errors)
    }
}

fn check_duplicates(decls: &[Declaration], errors: &mut Vec<DeclError>) {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for d in decls {
        if let Some(first) = seen.insert(&d.id, &d.path) {
            errors.push(
                DeclError::new(&d.path, format!("duplicate source id `{}`", d.id))
                    .with_help(format!("`{}` already declares it", first.display())),
            );
        }
    }
}

/// Parses and validates one declaration file's text.
pub fn parse_declaration(path: &Path, text: &str) -> Result<Declaration, Vec<DeclError>> {
    let mut table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let e: toml::de::Error = e;
            let mut err = DeclError::new(path, e.message().to_string());
            if let Some(span) = e.span() {
                err = err.at_offset(text, span.start);
            }
            return Err(vec![err]);
        }
    };
    let mut errors = Vec::new();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = take_string(&mut table, "id", path, text, &mut errors).unwrap_or(stem);
    if !valid_id(&id) {
        errors.push(
            DeclError::new(path, format!("invalid source id `{id}`"))
                .at_key(text, "id")
                .with_help("ids use lowercase letters, digits and `-`, e.g. `code-gouv-fr`"),
        );
    }
    let kind = take_string(&mut table, "kind", path, text, &mut errors);
    let name = take_string(&mut table, "name", path, text, &mut errors).unwrap_or(id.clone());
    let license = take_string(&mut table, "license", path, text, &mut errors);
    let id_space = take_string(&mut table, "id_space", path, text, &mut errors);
    if let Some(space) = &id_space
        && !valid_id(space)
    {
        errors.push(
            DeclError::new(path, format!("invalid id space `{space}`"))
                .at_key(text, "id_space")
                .with_help(
                    "id spaces use lowercase letters, digits and `-`, e.g. `sill` or `github`",
                ),
        );
    }
    let country = take_string(&mut table, "country", path, text, &mut errors).and_then(|c| {
        let code = crate::normalise::country::normalise(&c).filter(|code| *code == c);
        if code.is_none() {
            errors.push(
                DeclError::new(path, format!("invalid country `{c}`"))
                    .at_key(text, "country")
                    .with_help("an ISO 3166-1 alpha-2 code, e.g. `FR`, `IT`, `US`"),
            );
        }
        code
    });
    let enabled = match table.remove("enabled") {
        None => true,
        Some(toml::Value::Boolean(b)) => b,
        Some(v) => {
            errors.push(type_error(
                path,
                text,
                "enabled",
                "a boolean (`true` or `false`)",
                &v,
            ));
            true
        }
    };
    let role = match take_string(&mut table, "role", path, text, &mut errors).as_deref() {
        None | Some("create") => Role::Create,
        Some("enrich") => Role::Enrich,
        Some(other) => {
            errors.push(
                DeclError::new(path, format!("unknown role `{other}`"))
                    .at_key(text, "role")
                    .with_help("expected `create` or `enrich`"),
            );
            Role::Create
        }
    };
    let priority = match table.remove("priority") {
        None => 50,
        Some(toml::Value::Integer(i)) => i,
        Some(v) => {
            errors.push(type_error(
                path,
                text,
                "priority",
                "an integer, e.g. `50`",
                &v,
            ));
            50
        }
    };
    let rate = match table.remove("rate") {
        None => Rate::default(),
        Some(v) => match parse_rate(v) {
            Ok(r) => r,
            Err(msg) => {
                errors.push(
                    DeclError::new(path, format!("`rate`: {msg}"))
                        .at_key(text, "rate")
                        .with_help("expected e.g. `rate = { per_second = 2.0, burst = 2 }`"),
                );
                Rate::default()
            }
        },
    };
    let Some(kind) = kind else {
        errors.push(
            DeclError::new(path, "missing key `kind`").with_help(format!(
                "add e.g. `kind = \"json\"` (one of {})",
                known_kinds().join(", ")
            )),
        );
        return Err(errors);
    };
    let Some(allowed) = kinds::kind_keys(&kind) else {
        errors.push(
            DeclError::new(path, format!("unknown kind `{kind}`"))
                .at_key(text, "kind")
                .with_help(format!("expected one of {}", known_kinds().join(", "))),
        );
        return Err(errors);
    };
    for key in table.keys() {
        if !allowed.contains(&key.as_str()) {
            let candidates: Vec<&str> = allowed.iter().chain(COMMON_KEYS).copied().collect();
            let mut err = DeclError::new(
                path,
                format!("unknown key `{key}` for a source of kind `{kind}`"),
            )
            .at_key(text, key);
            if let Some(best) = diagnostic::did_you_mean(key, &candidates) {
                err = err.with_help(format!("did you mean `{best}`?"));
            }
            errors.push(err);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match kinds::build(&kind, table) {
        Ok(source) if errors.is_empty() => Ok(Declaration {
            id,
            name,
            kind,
            enabled,
            role,
            priority,
            license,
            rate,
            id_space,
            country,
            path: path.to_path_buf(),
            source,
        }),
        Ok(_) => Err(errors),
        Err(messages) => {
            errors.extend(
                messages
                    .into_iter()
                    .map(|m| DeclError::from_kind_message(path, text, m)),
            );
            Err(errors)
        }
    }
}

fn parse_rate(v: toml::Value) -> Result<Rate, String> {
    let rate: Rate = v
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    if !(rate.per_second > 0.0 && rate.per_second.is_finite()) {
        return Err(format!(
            "`per_second` must be above 0, got {}",
            rate.per_second
        ));
    }
    if rate.burst == 0 {
        return Err("`burst` must be at least 1".to_string());
    }
    Ok(rate)
}

fn take_string(
    table: &mut toml::Table,
    key: &str,
    path: &Path,
    text: &str,
    errors: &mut Vec<DeclError>,
) -> Option<String> {
    match table.remove(key)? {
        toml::Value::String(s) => Some(s),
        v => {
            errors.push(type_error(path, text, key, "a string", &v));
            None
        }
    }
}

fn type_error(path: &Path, text: &str, key: &str, expected: &str, got: &toml::Value) -> DeclError {
    DeclError::new(
        path,
        format!("`{key}` must be {expected}, found {}", got.type_str()),
    )
    .at_key(text, key)
}

/// Every `kind` value SPEC section 4 names that this build can run.
pub fn known_kinds() -> Vec<&'static str> {
    kinds::KINDS
        .into_iter()
        .filter(|k| kinds::kind_keys(k).is_some())
        .collect()
}

/// Ids are `[a-z0-9-]+`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Keeps the enabled declarations named by `--only` (ids or globs with `*`); an exact id that
/// matches no declaration is an error, a glob that matches none is not (a schedule may name a
/// family of sources not declared yet). Without `only`, keeps every enabled one.
pub fn select(decls: Vec<Declaration>, only: &[String]) -> Result<Vec<Declaration>, String> {
    if only.is_empty() {
        return Ok(decls.into_iter().filter(|d| d.enabled).collect());
    }
    for pat in only.iter().filter(|p| !p.contains('*')) {
        if !decls.iter().any(|d| glob_match(pat, &d.id)) {
            let ids: Vec<&str> = decls.iter().map(|d| d.id.as_str()).collect();
            return Err(format!(
                "`--only {pat}` matches no declared source (declared: {})",
                ids.join(", ")
            ));
        }
    }
    Ok(decls
        .into_iter()
        .filter(|d| d.enabled && only.iter().any(|p| glob_match(p, &d.id)))
        .collect())
}

/// Matches `*` wildcards (any run of characters) against an id.
pub fn glob_match(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == id,
        Some((head, tail)) => {
            let Some(rest) = id.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len()).any(|i| rest.is_char_boundary(i) && glob_match(tail, &rest[i..]))
        }
    }
}

#[cfg(test)]
mod tests;
