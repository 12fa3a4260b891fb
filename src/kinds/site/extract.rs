//! Reads a home page: sync and pure, owned data out (`scraper::Html` is not `Send`).
//! HTML is parsed, never executed: scripts are only read when they are JSON-LD data.
//!
//! Field by field, the first source found wins for scalars, lists take every value:
//! * `name`: JSON-LD `name`, else `og:title`, else `<title>` (up to a ` | `, ` – `, ` - `
//!   or ` · ` separator);
//! * `description`: JSON-LD `description`, else `og:description`, else meta description;
//! * `license`: JSON-LD `license` (an SPDX licence URL gives its id);
//! * `programming_languages`: JSON-LD `programmingLanguage`;
//! * `organizations`: JSON-LD `author` and `publisher` names;
//! * `languages`: JSON-LD `inLanguage`, `<html lang>`, `hreflang` alternates (not
//!   `x-default`), `og:locale` and `og:locale:alternate`;
//! * `logo`: JSON-LD `logo`, else `og:image`;
//! * `repository`: JSON-LD `codeRepository`; else the code-forge project the page links
//!   to, when it links to one only, or to several of which exactly one is named like the
//!   tool or its host (`decidim.org` → `github.com/decidim/decidim`). Several others: none
//!   is taken (a page linking many projects must not merge unrelated tools) and an issue
//!   says so.
//!
//! JSON-LD nodes are read from every `application/ld+json` script: a node, an array of
//! nodes, or `@graph`; only nodes typed `SoftwareApplication`, `WebApplication`,
//! `MobileApplication` or `SoftwareSourceCode` count.

use std::collections::BTreeMap;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use url::Url;

/// What a page says, as canonical field → values (as the page gave them).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PageFacts {
    pub fields: BTreeMap<String, Vec<String>>,
    /// Problems worth reporting (the visit still counts).
    pub issues: Vec<String>,
    /// (field, value) pairs added, so a value is kept once without scanning the field.
    seen: std::collections::HashSet<(String, String)>,
}

/// The most values one field keeps from a page (a hostile page may repeat a tag a million
/// times).
const MAX_VALUES: usize = 200;

impl PageFacts {
    /// Facts that are only one problem.
    pub(crate) fn with_issue(message: String) -> PageFacts {
        PageFacts {
            issues: vec![message],
            ..PageFacts::default()
        }
    }

    fn add(&mut self, field: &str, value: &str) {
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            return;
        }
        let slot = self.fields.entry(field.to_string()).or_default();
        if slot.len() < MAX_VALUES && self.seen.insert((field.to_string(), value.clone())) {
            slot.push(value);
        }
    }

    /// Adds the first of `values` unless the field has a value already.
    fn add_first(&mut self, field: &str, values: &[String]) {
        if !self.fields.contains_key(field)
            && let Some(v) = values.iter().find(|v| !v.trim().is_empty())
        {
            self.add(field, v);
        }
    }
}

/// JSON-LD types that describe a piece of software.
const SOFTWARE_TYPES: &[&str] = &[
    "SoftwareApplication",
    "WebApplication",
    "MobileApplication",
    "SoftwareSourceCode",
];

/// Reads the page at `page_url` (after redirects), body already decoded.
pub(crate) fn parse_page(page_url: &Url, text: &str) -> PageFacts {
    let doc = Html::parse_document(text);
    let base = base_url(&doc, page_url);
    let mut facts = PageFacts::default();
    let ld = json_ld(&doc, &mut facts.issues);
    let meta = metas(&doc);
    let og = |p: &str| meta.get(p).cloned().unwrap_or_default();

    facts.add_first("name", &ld_texts(&ld, "name"));
    facts.add_first("name", &og("og:title"));
    let title: Vec<String> = first_text(&doc, "title")
        .map(|t| short_title(&t))
        .into_iter()
        .collect();
    facts.add_first("name", &title);
    facts.add_first("description", &ld_texts(&ld, "description"));
    facts.add_first("description", &og("og:description"));
    facts.add_first("description", &og("description"));
    for l in ld_texts(&ld, "license") {
        facts.add("license", &spdx_id(&l));
    }
    for l in ld_texts(&ld, "programmingLanguage") {
        facts.add("programming_languages", &l);
    }
    for key in ["author", "publisher"] {
        for o in ld_texts(&ld, key) {
            facts.add("organizations", &o);
        }
    }
    let mut langs = ld_texts(&ld, "inLanguage");
    langs.extend(doc.root_element().attr("lang").map(str::to_string));
    langs.extend(attrs(&doc, "link[rel~=alternate][hreflang]", "hreflang"));
    langs.extend(og("og:locale"));
    langs.extend(og("og:locale:alternate"));
    for l in langs
        .iter()
        .filter(|l| !l.eq_ignore_ascii_case("x-default"))
    {
        facts.add("languages", l);
    }
    let logos: Vec<String> = ld_texts(&ld, "logo")
        .into_iter()
        .chain(og("og:image"))
        .filter_map(|l| base.join(l.trim()).ok().map(String::from))
        .collect();
    facts.add_first("logo", &logos);

    let declared: Vec<String> = ld_texts(&ld, "codeRepository");
    if declared.is_empty() {
        let hints = name_hints(facts.fields.get("name"), page_url);
        match forge_link(&doc, &base, &hints) {
            Ok(Some(repo)) => facts.add("repository", &repo),
            Ok(None) => {}
            Err(message) => facts.issues.push(message),
        }
    } else {
        for r in declared {
            facts.add(
                "repository",
                base.join(r.trim()).as_ref().map_or(&r, Url::as_str),
            );
        }
    }
    facts
}

/// Decodes a page body: the charset of `content_type` or of a `<meta charset>` near the top
/// (UTF-8 when none; Latin-1 and windows-1252 read byte by byte; invalid UTF-8 replaced).
pub(crate) fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    let declared = content_type
        .map(str::to_ascii_lowercase)
        .and_then(|ct| ct.split("charset=").nth(1).map(str::to_string))
        .or_else(|| head.split("charset=").nth(1).map(str::to_string))
        .unwrap_or_default();
    let charset = declared.trim_start_matches(['"', '\'']);
    if ["iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252"]
        .iter()
        .any(|c| charset.starts_with(c))
    {
        body.iter().map(|&b| b as char).collect()
    } else {
        String::from_utf8_lossy(body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body)).into_owned()
    }
}

/// True when a `Content-Type` (if any) is HTML.
pub(crate) fn is_html(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| ct.to_ascii_lowercase().contains("html"))
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selectors parse")
}

fn first_text(doc: &Html, css: &str) -> Option<String> {
    doc.select(&selector(css))
        .next()
        .map(|e| e.text().collect::<String>())
}

fn attrs(doc: &Html, css: &str, attr: &str) -> Vec<String> {
    doc.select(&selector(css))
        .filter_map(|e| e.attr(attr).map(str::to_string))
        .collect()
}

/// `<base href>` resolved against the page URL, else the page URL.
fn base_url(doc: &Html, page_url: &Url) -> Url {
    attrs(doc, "base[href]", "href")
        .first()
        .and_then(|h| page_url.join(h).ok())
        .unwrap_or_else(|| page_url.clone())
}

/// `<meta>` by lowercase `property` or `name` → contents, in page order.
fn metas(doc: &Html) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in doc.select(&selector("meta[content]")) {
        let key = e.attr("property").or_else(|| e.attr("name"));
        if let (Some(key), Some(content)) = (key, e.attr("content")) {
            out.entry(key.trim().to_ascii_lowercase())
                .or_default()
                .push(content.to_string());
        }
    }
    out
}

/// The title up to its first separator (`Decidim | Free participatory democracy`).
fn short_title(title: &str) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    [" | ", " – ", " — ", " - ", " · ", " :: "]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .map_or(title.clone(), |at| title[..at].to_string())
}

/// Every JSON-LD node typed as software, from every JSON-LD script of the page.
fn json_ld(doc: &Html, issues: &mut Vec<String>) -> Vec<Value> {
    let mut nodes = Vec::new();
    for script in doc.select(&selector("script[type]")) {
        let ty = script.attr("type").unwrap_or_default().to_ascii_lowercase();
        if !ty.trim().starts_with("application/ld+json") {
            continue;
        }
        let text: String = script.text().collect();
        match serde_json::from_str::<Value>(text.trim()) {
            Ok(v) => collect_nodes(v, &mut nodes, 0),
            Err(e) => issues.push(format!("JSON-LD script that is not JSON ignored: {e}")),
        }
    }
    nodes.retain(is_software);
    nodes
}

fn collect_nodes(v: Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => items
            .into_iter()
            .for_each(|i| collect_nodes(i, out, depth + 1)),
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                collect_nodes(graph, out, depth + 1);
            }
            out.push(Value::Object(map));
        }
        _ => {}
    }
}

fn is_software(node: &Value) -> bool {
    let short = |t: &str| t.rsplit(['/', ':', '#']).next().unwrap_or(t).to_string();
    match node.get("@type") {
        Some(Value::String(t)) => SOFTWARE_TYPES.contains(&short(t).as_str()),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .any(|t| SOFTWARE_TYPES.contains(&short(t).as_str())),
        _ => false,
    }
}

/// The texts of `key` over the nodes: strings, numbers, and the `name` (else `url`, `@id`,
/// `alternateName`) of objects, arrays flattened.
fn ld_texts(nodes: &[Value], key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for node in nodes {
        if let Some(v) = node.get(key) {
            texts_of(v, &mut out, 0);
        }
    }
    out
}

fn texts_of(v: &Value, out: &mut Vec<String>, depth: usize) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) if depth < 4 => items.iter().for_each(|i| texts_of(i, out, depth + 1)),
        Value::Object(map) => {
            if let Some(s) = ["name", "url", "@id", "alternateName"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
            {
                out.push(s.to_string());
            }
        }
        _ => {}
    }
}

/// `https://spdx.org/licenses/MIT.html` → `MIT`; other values unchanged.
fn spdx_id(value: &str) -> String {
    let v = value.trim();
    for prefix in ["spdx.org/licenses/", "opensource.org/licenses/"] {
        if let Some(at) = v.find(prefix) {
            let id = &v[at + prefix.len()..];
            let id = id.trim_end_matches('/');
            let id = id
                .strip_suffix(".html")
                .or_else(|| id.strip_suffix(".json"))
                .unwrap_or(id);
            if !id.is_empty() && !id.contains('/') {
                return id.to_string();
            }
        }
    }
    v.to_string()
}

/// Lowercase alphanumerics of the tool's name and of its host's main label.
fn name_hints(names: Option<&Vec<String>>, page_url: &Url) -> Vec<String> {
    let compact = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let mut hints: Vec<String> = names.into_iter().flatten().map(|n| compact(n)).collect();
    if let Some(host) = page_url.host_str() {
        let labels: Vec<&str> = host.trim_start_matches("www.").split('.').collect();
        if labels.len() >= 2 {
            hints.push(compact(labels[labels.len() - 2]));
        }
    }
    hints.retain(|h| h.len() >= 3);
    hints
}

/// The one forge project the page links to (see the module docs), `Err` when ambiguous.
fn forge_link(doc: &Html, base: &Url, hints: &[String]) -> Result<Option<String>, String> {
    let mut projects: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for e in doc.select(&selector("a[href], link[href]")) {
        if let Some(p) = link_target(e, base).as_ref().and_then(forge_project)
            && seen.insert(p.clone())
        {
            projects.push(p);
        }
    }
    if projects.len() <= 1 {
        return Ok(projects.pop());
    }
    let named: Vec<&String> = projects
        .iter()
        .filter(|p| {
            let repo = p
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let repo: String = repo.chars().filter(char::is_ascii_alphanumeric).collect();
            hints.contains(&repo)
        })
        .collect();
    match named.as_slice() {
        [one] => Ok(Some((*one).clone())),
        _ => Err(format!(
            "the page links to {} code-forge projects and none is named like the tool: none taken as its repository ({})",
            projects.len(),
            projects.join(", ")
        )),
    }
}

fn link_target(e: ElementRef<'_>, base: &Url) -> Option<Url> {
    base.join(e.attr("href")?.trim()).ok()
}

/// GitHub paths that are not owners.
const GITHUB_RESERVED: &[&str] = &[
    "about",
    "apps",
    "collections",
    "contact",
    "customer-stories",
    "enterprise",
    "explore",
    "features",
    "issues",
    "join",
    "login",
    "marketplace",
    "new",
    "notifications",
    "orgs",
    "pricing",
    "pulls",
    "readme",
    "search",
    "security",
    "settings",
    "site",
    "sponsors",
    "team",
    "topics",
    "trending",
];

/// `https://host/owner/repo` of a link into a code-forge project, else `None`.
pub(crate) fn forge_project(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let strip = |s: &str| s.strip_suffix(".git").unwrap_or(s).to_string();
    let parts: Vec<String> = match host {
        "github.com" | "codeberg.org" | "bitbucket.org" | "gitee.com" => {
            if segments.len() < 2
                || (host == "github.com" && GITHUB_RESERVED.contains(&segments[0]))
            {
                return None;
            }
            vec![segments[0].to_string(), strip(segments[1])]
        }
        "git.sr.ht" if segments.len() >= 2 && segments[0].starts_with('~') => {
            vec![segments[0].to_string(), strip(segments[1])]
        }
        h if h == "gitlab.com"
            || h == "framagit.org"
            || h == "salsa.debian.org"
            || h.starts_with("gitlab.") =>
        {
            let path: Vec<&str> = segments
                .iter()
                .take_while(|s| **s != "-")
                .copied()
                .collect();
            if path.len() < 2 || path[0] == "explore" || path[0] == "users" {
                return None;
            }
            let mut parts: Vec<String> = path.iter().map(|s| s.to_string()).collect();
            let last = parts.len() - 1;
            parts[last] = strip(&parts[last]);
            parts
        }
        _ => return None,
    };
    Some(format!("https://{host}/{}", parts.join("/")))
}
