//! Rules every kind shares once it has found values (SPEC section 4, "canonical fields"):
//! text cleaning, relative links, the record id fallback and duplicate ids.
//!
//! A kind collects [`Fields`] for one record with [`add_value`], then [`finish_record`] turns
//! them into a [`RawRecord`] and a [`Collector`] keeps the first record of each id. Scalar
//! fields keep every value too: `normalise` takes the first.

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};
use url::Url;

use super::Harvest;
use crate::model::RawRecord;
use crate::report::Issue;

/// Canonical field → values found, in document order.
pub(crate) type Fields = BTreeMap<String, Vec<String>>;

/// Canonical fields whose values are links (resolved against the page URL when relative).
const URL_FIELDS: &[&str] = &["homepage", "repository", "logo"];

/// True when values of `field` are links.
pub(crate) fn is_url_field(field: &str) -> bool {
    URL_FIELDS.contains(&field)
}

/// Trims `text` and collapses every run of whitespace to one space.
pub(crate) fn clean_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Adds one value to `field`: cleaned, dropped when empty, and for link fields resolved
/// against `base` when it is plainly a relative link (see [`resolve_link_value`]).
pub(crate) fn add_value(fields: &mut Fields, field: &str, raw: &str, base: &Url) {
    let mut value = clean_text(raw);
    if value.is_empty() {
        return;
    }
    if is_url_field(field) {
        value = resolve_link_value(&value, base);
    }
    fields.entry(field.to_owned()).or_default().push(value);
}

/// Resolves a link field's value against `base` when it is plainly relative: it starts with
/// `/`, `./`, `../`, `?` or `#` (`//host/...` is protocol-relative). Absolute URLs, bare
/// domains such as `www.example.org` (normalise adds the scheme) and prose are kept as given.
pub(crate) fn resolve_link_value(value: &str, base: &Url) -> String {
    let relative = ["/", "./", "../", "?", "#"]
        .iter()
        .any(|p| value.starts_with(p));
    if !relative || value.contains(char::is_whitespace) {
        return value.to_owned();
    }
    match base.join(value) {
        Ok(url) => url.to_string(),
        Err(_) => value.to_owned(),
    }
}

/// The content hash of a record: sha256 (hex, first 16 characters) of its fields serialised
/// as JSON with sorted keys and values in document order.
pub(crate) fn content_hash(fields: &Fields) -> String {
    let json = serde_json::to_string(fields).expect("a map of strings always serialises");
    let digest = Sha256::digest(json.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Turns the fields found for one record into a [`RawRecord`].
///
/// The id is the first `record_id` value, else `fallback_id` (the detail page URL of an
/// `html` source), else the [`content_hash`]. A record with no value outside `record_id` is
/// skipped with an issue. `pending` are issues found while extracting this record; they get
/// the record id and move to `issues`.
pub(crate) fn finish_record(
    mut fields: Fields,
    source_url: &Url,
    fallback_id: Option<&str>,
    pending: Vec<Issue>,
    issues: &mut Vec<Issue>,
) -> Option<RawRecord> {
    let mapped_id = fields
        .remove("record_id")
        .and_then(|ids| ids.into_iter().next());
    let record_id = mapped_id
        .clone()
        .or_else(|| fallback_id.map(str::to_owned))
        .unwrap_or_else(|| content_hash(&fields));
    issues.extend(pending.into_iter().map(|i| i.record(&record_id)));
    if fields.is_empty() {
        issues.push(
            Issue::new(
                source_url.as_str(),
                "no mapped field has a value; record skipped",
            )
            .record(&record_id),
        );
        return None;
    }
    Some(RawRecord {
        record_id,
        source_url: source_url.to_string(),
        fields,
        ..RawRecord::default()
    })
}

/// Gathers a source run's records, keeping the first record of each id.
#[derive(Default)]
pub(crate) struct Collector {
    harvest: Harvest,
    ids: HashSet<String>,
}

impl Collector {
    /// Keeps `record` unless its id was already seen in this run (then an issue).
    pub(crate) fn push(&mut self, record: RawRecord) {
        if self.ids.insert(record.record_id.clone()) {
            super::tap(&record);
            self.harvest.records.push(record);
        } else {
            let message = format!(
                "duplicate record id `{}`; kept the first record with this id",
                record.record_id
            );
            self.issue(Issue::new(record.source_url, message).record(record.record_id));
        }
    }

    /// Keeps every record of a page.
    pub(crate) fn extend(&mut self, records: Vec<RawRecord>, issues: Vec<Issue>) {
        for issue in issues {
            self.issue(issue);
        }
        for record in records {
            self.push(record);
        }
    }

    /// Reports a problem that did not fail the source.
    pub(crate) fn issue(&mut self, issue: Issue) {
        tracing::debug!(url = %issue.url, message = %issue.message, "record issue");
        self.harvest.issues.push(issue);
    }

    /// Notes a URL not requested because robots.txt disallows it.
    pub(crate) fn robots_skipped(&mut self, url: &Url) {
        tracing::info!(url = %url, "disallowed by robots.txt; skipped");
        self.harvest.robots_skipped.push(url.to_string());
    }

    /// The run's harvest.
    pub(crate) fn finish(self) -> Harvest {
        self.harvest
    }
}

/// Decodes a text body: strips a UTF-8 BOM and replaces invalid UTF-8 (with an issue naming
/// the line of the first bad byte) instead of failing.
pub(crate) fn decode_text(url: &Url, body: &[u8], issues: &mut Vec<Issue>) -> String {
    let body = strip_bom(body);
    match std::str::from_utf8(body) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            let at = e.valid_up_to();
            let line = 1 + body[..at].iter().filter(|&&b| b == b'\n').count();
            issues.push(Issue::new(
                url.as_str(),
                format!(
                    "invalid UTF-8 at line {line} (byte {at}); undecodable bytes replaced with U+FFFD"
                ),
            ));
            String::from_utf8_lossy(body).into_owned()
        }
    }
}

/// `body` without a leading UTF-8 byte order mark.
pub(crate) fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://dir.example/tools/page/2?x=1").unwrap()
    }

    #[test]
    fn clean_text_trims_and_collapses_whitespace() {
        assert_eq!(clean_text("  a\n\t b   c "), "a b c");
        assert_eq!(clean_text(" \n "), "");
    }

    #[test]
    fn add_value_drops_empty_values_and_keeps_all_others() {
        let mut f = Fields::new();
        add_value(&mut f, "tags", " ", &base());
        assert!(f.is_empty());
        add_value(&mut f, "tags", "a", &base());
        add_value(&mut f, "tags", "b ", &base());
        assert_eq!(f["tags"], ["a", "b"]);
    }

    #[test]
    fn link_values_resolve_only_when_plainly_relative() {
        let b = base();
        assert_eq!(
            resolve_link_value("/decidim", &b),
            "https://dir.example/decidim"
        );
        assert_eq!(
            resolve_link_value("../x/", &b),
            "https://dir.example/tools/x/"
        );
        assert_eq!(
            resolve_link_value("//cdn.example/a.png", &b),
            "https://cdn.example/a.png"
        );
        assert_eq!(resolve_link_value("www.decidim.org", &b), "www.decidim.org");
        assert_eq!(
            resolve_link_value("https://a.example/", &b),
            "https://a.example/"
        );
        assert_eq!(
            resolve_link_value("/a and /b", &b),
            "/a and /b",
            "prose stays prose"
        );
        let mut f = Fields::new();
        add_value(&mut f, "description", "/not-a-link", &b);
        assert_eq!(f["description"], ["/not-a-link"]);
    }

    #[test]
    fn content_hash_is_16_hex_chars_and_deterministic() {
        let mut a = Fields::new();
        a.insert("name".into(), vec!["Decidim".into()]);
        a.insert("tags".into(), vec!["x".into(), "y".into()]);
        let mut b = Fields::new();
        b.insert("tags".into(), vec!["x".into(), "y".into()]);
        b.insert("name".into(), vec!["Decidim".into()]);
        let h = content_hash(&a);
        assert_eq!(h.len(), 16);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(h, content_hash(&b));
        b.insert("tags".into(), vec!["y".into(), "x".into()]);
        assert_ne!(h, content_hash(&b));
    }

    #[test]
    fn record_id_prefers_mapping_then_fallback_then_hash() {
        let url = base();
        let mut issues = Vec::new();
        let mut f = Fields::new();
        f.insert("name".into(), vec!["A".into()]);
        let hashed = finish_record(f.clone(), &url, None, vec![], &mut issues).unwrap();
        assert_eq!(hashed.record_id, content_hash(&f));
        let detail = finish_record(f.clone(), &url, Some("https://d/1"), vec![], &mut issues);
        assert_eq!(detail.unwrap().record_id, "https://d/1");
        f.insert("record_id".into(), vec!["id-1".into(), "id-2".into()]);
        let mapped = finish_record(f, &url, Some("https://d/1"), vec![], &mut issues).unwrap();
        assert_eq!(mapped.record_id, "id-1");
        assert!(!mapped.fields.contains_key("record_id"));
        assert!(issues.is_empty());
    }

    #[test]
    fn record_without_values_is_skipped_with_an_issue() {
        let mut issues = Vec::new();
        let mut f = Fields::new();
        f.insert("record_id".into(), vec!["x".into()]);
        assert!(finish_record(f, &base(), None, vec![], &mut issues).is_none());
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].record_id.as_deref(), Some("x"));
    }

    #[test]
    fn duplicate_ids_keep_the_first_record_and_report_the_second() {
        let mut c = Collector::default();
        let rec = |name: &str| RawRecord {
            record_id: "same".into(),
            source_url: "https://a/".into(),
            fields: [("name".to_owned(), vec![name.to_owned()])].into(),
            ..RawRecord::default()
        };
        c.push(rec("first"));
        c.push(rec("second"));
        let h = c.finish();
        assert_eq!(h.records.len(), 1);
        assert_eq!(h.records[0].first("name"), Some("first"));
        assert_eq!(h.issues.len(), 1);
        assert!(h.issues[0].message.contains("duplicate record id `same`"));
    }

    #[test]
    fn decode_text_strips_bom_and_reports_invalid_utf8_line() {
        let mut issues = Vec::new();
        assert_eq!(decode_text(&base(), b"\xEF\xBB\xBFa,b", &mut issues), "a,b");
        assert!(issues.is_empty());
        let text = decode_text(&base(), b"a\nb\xE9c\n", &mut issues);
        assert_eq!(text, "a\nb\u{FFFD}c\n");
        assert!(issues[0].message.contains("line 2"), "{:?}", issues);
    }
}
