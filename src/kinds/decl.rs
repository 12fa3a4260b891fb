//! Shared helpers for compiling the kind-specific keys of a declaration (SPEC section 4).
//!
//! Every helper takes the key out of the table and pushes each problem onto `errs`, so a
//! kind's `build` can report every problem at once. Messages are lowercase and name the key
//! and the value, e.g. "`start_urls[0]`: invalid URL `htp:/x`: relative URL without a base".

use toml::{Table, Value};
use url::Url;

use crate::model::{CANONICAL_FIELDS, is_canonical_field};

/// Takes an optional string key.
pub(crate) fn take_str(table: &mut Table, key: &str, errs: &mut Vec<String>) -> Option<String> {
    match table.remove(key)? {
        Value::String(s) => Some(s),
        other => {
            errs.push(format!(
                "`{key}`: expected a string, found {}",
                other.type_str()
            ));
            None
        }
    }
}

/// Parses an absolute `http`/`https` URL for the key labelled `label`.
pub(crate) fn parse_http_url(label: &str, text: &str) -> Result<Url, String> {
    let url =
        Url::parse(text.trim()).map_err(|e| format!("`{label}`: invalid URL `{text}`: {e}"))?;
    if matches!(url.scheme(), "http" | "https") && url.has_host() {
        Ok(url)
    } else {
        Err(format!(
            "`{label}`: invalid URL `{text}`: expected an http or https URL such as `https://example.org/tools.json`"
        ))
    }
}

/// Takes a required array of URLs under `key` (e.g. `start_urls`).
pub(crate) fn take_url_list(table: &mut Table, key: &str, errs: &mut Vec<String>) -> Vec<Url> {
    let Some(value) = table.remove(key) else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        errs.push(format!(
            "`{key}`: expected an array of URL strings, found {}",
            value.type_str()
        ));
        return Vec::new();
    };
    if items.is_empty() {
        errs.push(format!("`{key}`: must hold at least one URL"));
    }
    let mut urls = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let label = format!("{key}[{i}]");
        match item {
            Value::String(s) => match parse_http_url(&label, s) {
                Ok(url) => urls.push(url),
                Err(e) => errs.push(e),
            },
            other => errs.push(format!(
                "`{label}`: expected a URL string, found {}",
                other.type_str()
            )),
        }
    }
    urls
}

/// Takes `url` or `urls` (json and csv): exactly one of them is required.
pub(crate) fn take_url_or_urls(table: &mut Table, errs: &mut Vec<String>) -> Vec<Url> {
    let has_url = table.contains_key("url");
    let has_urls = table.contains_key("urls");
    if has_url && has_urls {
        errs.push("`url` and `urls` cannot both be given; put every URL in `urls`".into());
    }
    if !has_url && !has_urls {
        errs.push(
            "`url` or `urls` is required (e.g. `url = \"https://example.org/tools.json\"`)".into(),
        );
        return Vec::new();
    }
    let mut urls = take_url_list(table, "urls", errs);
    if let Some(text) = take_str(table, "url", errs) {
        match parse_http_url("url", &text) {
            Ok(url) => urls.insert(0, url),
            Err(e) => errs.push(e),
        }
    }
    urls
}

/// Takes the required `[fields]` table: canonical field → mapping text, in declaration order
/// of [`CANONICAL_FIELDS`]. Unknown fields and non-string values are reported.
pub(crate) fn take_fields(table: &mut Table, errs: &mut Vec<String>) -> Vec<(String, String)> {
    let Some(value) = table.remove("fields") else {
        errs.push("`fields` is required: a table mapping canonical fields, e.g. `[fields]` with `name = ...`".into());
        return Vec::new();
    };
    let Value::Table(fields) = value else {
        errs.push(format!(
            "`fields`: expected a table, found {}",
            value.type_str()
        ));
        return Vec::new();
    };
    if fields.is_empty() {
        errs.push("`fields`: maps no field; map at least one canonical field".into());
    }
    let mut out = Vec::new();
    for (field, value) in fields {
        if !is_canonical_field(&field) {
            errs.push(format!(
                "`fields.{field}`: unknown canonical field (expected one of {})",
                CANONICAL_FIELDS.join(", ")
            ));
            continue;
        }
        match value {
            Value::String(text) if !text.trim().is_empty() => out.push((field, text)),
            Value::String(_) => errs.push(format!("`fields.{field}`: empty mapping")),
            other => errs.push(format!(
                "`fields.{field}`: expected a string, found {}",
                other.type_str()
            )),
        }
    }
    out.sort_by_key(|(field, _)| CANONICAL_FIELDS.iter().position(|f| f == field));
    out
}

/// Reports keys nobody took (the caller normally rejects them first).
pub(crate) fn reject_rest(table: Table, kind: &str, errs: &mut Vec<String>) {
    for key in table.keys() {
        errs.push(format!(
            "`{key}`: unknown key for a source of kind `{kind}`"
        ));
    }
}

/// Lowercases the first letter of a library's error text (our messages are lowercase).
pub(crate) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Returns `value` when no problem was found, else every problem.
pub(crate) fn finish<T>(value: T, errs: Vec<String>) -> Result<T, Vec<String>> {
    if errs.is_empty() {
        Ok(value)
    } else {
        Err(errs)
    }
}

/// Takes an optional array of non-empty strings.
pub(crate) fn take_names(table: &mut Table, key: &str, errs: &mut Vec<String>) -> Vec<String> {
    let Some(value) = table.remove(key) else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        errs.push(format!(
            "`{key}`: expected an array of strings, found {}",
            value.type_str()
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
            Value::String(_) => errs.push(format!("`{key}[{i}]`: empty string")),
            other => errs.push(format!(
                "`{key}[{i}]`: expected a string, found {}",
                other.type_str()
            )),
        }
    }
    out
}

/// Takes an optional boolean.
pub(crate) fn take_bool(
    table: &mut Table,
    key: &str,
    default: bool,
    errs: &mut Vec<String>,
) -> bool {
    match table.remove(key) {
        None => default,
        Some(Value::Boolean(b)) => b,
        Some(other) => {
            errs.push(format!(
                "`{key}`: expected `true` or `false`, found {}",
                other.type_str()
            ));
            default
        }
    }
}

/// Seconds (an integer), or text `<n>s`, `<n>m` (or `<n>min`), `<n>h`; zero only when
/// `zero_ok`. `None` for anything else, an overflow included.
pub(crate) fn parse_duration(value: &Value, zero_ok: bool) -> Option<std::time::Duration> {
    let secs = match value {
        Value::Integer(n) if *n >= 0 => *n as u64,
        Value::String(s) => {
            let s = s.trim();
            let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
            let n: u64 = digits.parse().ok()?;
            let unit = match unit.trim() {
                "s" => 1,
                "m" | "min" => 60,
                "h" => 3600,
                _ => return None,
            };
            n.checked_mul(unit)?
        }
        _ => return None,
    };
    (zero_ok || secs > 0).then_some(std::time::Duration::from_secs(secs))
}

/// Takes `revisit_max_days` (`html` and `site` sources): a whole number of days from 0 (ask
/// every run) to [`MAX_MAX_DAYS`](crate::crawl::revisit::MAX_MAX_DAYS); absent, the default.
pub(crate) fn take_revisit(table: &mut Table, errs: &mut Vec<String>) -> crate::crawl::Revisit {
    use crate::crawl::revisit::{MAX_MAX_DAYS, Revisit};
    match table.remove("revisit_max_days") {
        None => Revisit::default(),
        Some(Value::Integer(n)) if (0..=i64::from(MAX_MAX_DAYS)).contains(&n) => {
            Revisit { max_days: n as u32 }
        }
        Some(other) => {
            errs.push(format!(
                "`revisit_max_days`: expected a whole number of days from 0 (ask every page every run) to {MAX_MAX_DAYS}, such as `7`, found `{other}`"
            ));
            Revisit::default()
        }
    }
}
