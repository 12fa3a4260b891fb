//! The `html` declaration: keys, and compiling selectors (`selector` or `selector@attr`),
//! those of the `[[organisations]]` and `[[use_cases]]` tables too.

use scraper::Selector;
use scraper::error::SelectorErrorKind;
use toml::Table;
use url::Url;

use crate::kinds::decl::{self, lower_first};
use crate::kinds::parts::{self, PartDecl, PartKind};

/// Declaration keys of an `html` source besides the common keys:
///
/// * `start_urls` (array of strings): the first listing page of each directory;
/// * `item` (CSS selector): one record on a listing page;
/// * `next_page` (CSS selector, optional): the link (`href`) to the next listing page;
/// * `detail` (CSS selector, optional): inside an item, the link (`href`) to its detail page;
/// * `fields` (table): canonical field = `selector`, `selector@attribute`, or `@attribute`
///   (an attribute of the item element, or of `<html>` on a detail page);
/// * `organisations`, `use_cases` (arrays of tables, optional): the organisations and
///   deployments a record names ([`crate::kinds::parts`]): `each` a CSS selector inside the
///   record's scope (the item, or its detail page), fields written as in `fields` relative to
///   each element it matches (`@attribute` of that element itself);
/// * `revisit_max_days` (whole number, default 7): the longest interval between two asks of
///   a detail page that does not change (`crawl::revisit`; 0 asks every run).
pub const KEYS: &[&str] = &[
    "start_urls",
    "item",
    "next_page",
    "detail",
    "fields",
    "organisations",
    "use_cases",
    "revisit_max_days",
];

/// A compiled CSS selector and the text it came from (for messages).
#[derive(Clone, Debug)]
pub(crate) struct Sel {
    pub text: String,
    pub selector: Selector,
}

/// Where one value is read, relative to a scope element.
#[derive(Clone, Debug)]
pub(crate) struct ValueSel {
    /// `None`: the scope element itself (the item, the document root, an `each` element).
    pub selector: Option<Sel>,
    /// `None`: the element's text content.
    pub attr: Option<String>,
}

/// How one canonical field is read.
#[derive(Clone, Debug)]
pub(crate) struct FieldSel {
    pub field: String,
    pub value: ValueSel,
}

/// An `html` declaration, compiled.
#[derive(Clone, Debug)]
pub struct HtmlSource {
    pub(crate) start_urls: Vec<Url>,
    pub(crate) item: Sel,
    pub(crate) next_page: Option<Sel>,
    pub(crate) detail: Option<Sel>,
    pub(crate) fields: Vec<FieldSel>,
    pub(crate) organisations: Vec<PartDecl<ValueSel>>,
    pub(crate) use_cases: Vec<PartDecl<ValueSel>>,
    /// The revisit policy of its detail pages (listing pages are always asked).
    pub(crate) revisit: crate::crawl::Revisit,
}

impl HtmlSource {
    /// The first listing page of each directory.
    pub fn urls(&self) -> &[Url] {
        &self.start_urls
    }
}

/// Compiles an `html` declaration; returns every problem.
pub fn build(mut table: Table) -> Result<HtmlSource, Vec<String>> {
    let mut errs = Vec::new();
    if !table.contains_key("start_urls") {
        errs.push(
            "`start_urls` is required (e.g. `start_urls = [\"https://example.org/directory/\"]`)"
                .into(),
        );
    }
    let start_urls = decl::take_url_list(&mut table, "start_urls", &mut errs);
    let mut selector = |key: &str, required: bool, errs: &mut Vec<String>| {
        let text = decl::take_str(&mut table, key, errs);
        if text.is_none() && required {
            errs.push(format!(
                "`{key}` is required: the CSS selector of one record, e.g. `article.tool`"
            ));
        }
        text.and_then(|t| compile(key, &t, errs))
    };
    let item = selector("item", true, &mut errs);
    let next_page = selector("next_page", false, &mut errs);
    let detail = selector("detail", false, &mut errs);
    let mut fields = Vec::new();
    for (field, text) in decl::take_fields(&mut table, &mut errs) {
        if let Some(f) = compile_field(&field, &text, &mut errs) {
            fields.push(f);
        }
    }
    let organisations = take_parts(&mut table, PartKind::Organisations, &mut errs);
    let use_cases = take_parts(&mut table, PartKind::UseCases, &mut errs);
    let revisit = decl::take_revisit(&mut table, &mut errs);
    decl::reject_rest(table, "html", &mut errs);
    match item {
        Some(item) if errs.is_empty() => Ok(HtmlSource {
            start_urls,
            item,
            next_page,
            detail,
            fields,
            organisations,
            use_cases,
            revisit,
        }),
        _ => Err(errs),
    }
}

fn compile(label: &str, text: &str, errs: &mut Vec<String>) -> Option<Sel> {
    match Selector::parse(text) {
        Ok(selector) => Some(Sel {
            text: text.to_owned(),
            selector,
        }),
        Err(e) => {
            let reason = describe(&e);
            errs.push(format!(
                "`{label}`: invalid CSS selector `{text}`: {reason}"
            ));
            None
        }
    }
}

/// A selector error in words: scraper prints some as a "please report" debug dump.
fn describe(err: &SelectorErrorKind) -> String {
    match err {
        SelectorErrorKind::UnexpectedSelectorParseError(kind) => {
            let debug = format!("{kind:?}");
            let (name, rest) = debug.split_once('(').unwrap_or((&debug, ""));
            let mut words = String::new();
            for c in name.chars() {
                if c.is_uppercase() && !words.is_empty() {
                    words.push(' ');
                }
                words.extend(c.to_lowercase());
            }
            match rest.strip_suffix(')') {
                Some(at) if !at.is_empty() => format!("{words} at {at}"),
                _ => words,
            }
        }
        other => lower_first(&other.to_string()),
    }
}

/// Compiles a canonical field's `selector`, `selector@attr` or `@attr`.
fn compile_field(field: &str, text: &str, errs: &mut Vec<String>) -> Option<FieldSel> {
    let value = compile_value(&format!("fields.{field}"), text, errs)?;
    Some(FieldSel {
        field: field.to_owned(),
        value,
    })
}

/// Compiles `selector`, `selector@attr` or `@attr` (named `label` in messages).
fn compile_value(label: &str, text: &str, errs: &mut Vec<String>) -> Option<ValueSel> {
    let (sel_text, attr) = split_attr(text);
    let selector = if sel_text.trim().is_empty() {
        if attr.is_none() {
            errs.push(format!("`{label}`: empty selector"));
            return None;
        }
        None
    } else {
        Some(compile(label, sel_text.trim(), errs)?)
    };
    Some(ValueSel {
        selector,
        attr: attr.map(str::to_ascii_lowercase),
    })
}

/// The `[[organisations]]` or `[[use_cases]]` tables, compiled; an `each` must select
/// elements (no `@attribute`).
fn take_parts(
    table: &mut Table,
    kind: PartKind,
    errs: &mut Vec<String>,
) -> Vec<PartDecl<ValueSel>> {
    let decls = parts::take_parts(table, kind, true, errs, compile_value);
    for (i, d) in decls.iter().enumerate() {
        if let Some(each) = &d.each
            && (each.selector.is_none() || each.attr.is_some())
        {
            errs.push(format!(
                "`{}[{i}].each`: expected a CSS selector of elements, without `@attribute` (e.g. `tr.installation`)",
                kind.key()
            ));
        }
    }
    decls
}

/// Splits `selector@attr` at its last `@` when what follows is an attribute name; an `@`
/// inside an attribute selector (`a[href^="mailto:x@y"]`) stays part of the selector.
fn split_attr(text: &str) -> (&str, Option<&str>) {
    match text.rsplit_once('@') {
        Some((sel, attr)) if is_attr_name(attr.trim()) => (sel, Some(attr.trim())),
        _ => (text, None),
    }
}

fn is_attr_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_attr_takes_a_trailing_attribute_only() {
        assert_eq!(split_attr("a.website@href"), ("a.website", Some("href")));
        assert_eq!(split_attr("@data-id"), ("", Some("data-id")));
        assert_eq!(split_attr("h2"), ("h2", None));
        let mailto = r#"a[href^="mailto:x@y.org"]"#;
        assert_eq!(split_attr(mailto), (mailto, None));
    }
}
