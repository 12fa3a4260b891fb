//! The labelled evaluation sets (tests/fixtures/eval/, see its README): each set is a
//! directory of source declarations and pages in the real formats of the sources, served on
//! loopback, read through the real kinds, normalised and resolved; the clusters are scored
//! pair by pair against the set's labels.
//!
//! * `tuning/`: the set the resolver's thresholds were chosen on;
//! * `holdout/`: written apart from the resolver and not tuned on until 2026-12-07, when its
//!   misses had been read while rules changed: it is retired to a second tuning set, and a
//!   fresh held-out set takes its place. Each set must keep the figures last measured on it
//!   (a floor); the output says whether issue 14's target (0.99 / 0.95) is met.
//!
//! Each set holds `sources/*.toml` (`{{base}}` is the server's URL), `pages/`, `routes.csv`
//! (`path,query_suffix,file`: the page served at a path, the first row whose query suffix
//! ends the request's query), `labels*.csv` (`source_id,record_id,tool[,class]`: the true
//! tool of every record and, optionally, the hard case it belongs to) and optionally
//! `registry.csv` (an earlier run's id registry).
//!
//! `EVAL_SET=holdout cargo test --test integration eval::list -- --ignored --nocapture` prints
//! every record a set yields (for labelling).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::DateTime;

use civicrawl::crawl::{FetchStats, Fetcher};
use civicrawl::kinds::{self, SourceCx};
use civicrawl::normalise;
use civicrawl::resolve::{Input, Known, Resolved, resolve};
use civicrawl::settings::CrawlSettings;

use crate::support::{Reply, Server};

/// The target of issue 14 on both sets: pairwise precision and recall.
const TARGET: (f64, f64) = (0.99, 0.95);
/// What each set must keep: the figures measured when the rules were last changed, rounded
/// down (BENCHMARKS.md, "resolution quality"). Both meet the target; the misses left are
/// mostly renames with nothing in common but a description (`Mes Aides` → `aides-jeunes`,
/// `Riot` → `Element` under another site), homonyms a spreadsheet row cannot tell apart, and
/// repositories named otherwise than their tool (`WindowsAgent`).
const TUNING_FLOOR: (f64, f64) = (0.99, 0.96);
const HOLDOUT_FLOOR: (f64, f64) = (0.995, 0.963);
/// `holdout-2/`, the second held-out set, retired to tuning on 2026-12-07: first run
/// 0.9868 / 0.8922; after four rules chosen on its misses 0.9877 / 0.9641. What is left:
/// renames and moved repositories with no former name stated (Garradin → Paheko, Framaforms
/// → Yakforms, SGA Livre → Novo SGA, matrix-org → element-hq), `Pod` for `Esup-Pod`, and one
/// false merge (two software named `Amadeus`). Edition words (2026-12-07, night) cost it
/// `Grafana Enterprise`, which this set labels a product of its own where holdout-5, -6 and
/// -7 label licence tiers one tool with their edition: 0.9699 / 0.9641.
const HOLDOUT_2_FLOOR: (f64, f64) = (0.969, 0.964);
/// `holdout-3/`, the third held-out set (written apart from the resolver, in other catalogue
/// formats: the GitLab API, Wikidata SPARQL results, Joinup, Canada's Open Resource Exchange,
/// Spain's CTT, a city's yearly CSV inventory, a schools' yearly software list,
/// developer.overheid.nl, Developers Italia). First run, 2026-12-07, after the rules chosen on
/// `holdout-2/`: 0.9560 / 0.7399 — the honest figure of the resolver on records it never saw.
/// Its mistakes were printed by that run, so it is retired to tuning from then on; after the
/// rules chosen on them (forge teams, the project's own account, `@`, variant words at one
/// homepage, organisation fields naming two): 0.9790 / 0.8669.
const HOLDOUT_3_FLOOR: (f64, f64) = (0.979, 0.869);
/// `holdout-4/`, the fourth held-out set (written apart from the resolver: F-Droid, Flathub,
/// Codeberg, GitHub organisations, the OSM wiki, Framalibre, SILL, a university's and a
/// council's yearly lists). First run, 2026-12-07, after the rules chosen on `holdout-3/`:
/// 0.9668 / 0.9151 — the honest figure on records never seen. Its mistakes were printed by
/// that run: retired to tuning; after the rules chosen on them (release words, an acquirer in
/// brackets, `on …` in brackets, licence families weighing more, a name's extension):
/// 1.0000 / 0.9214.
const HOLDOUT_4_FLOOR: (f64, f64) = (0.999, 0.924);
/// `holdout-5/`, the fifth held-out set (written apart from the resolver: Homebrew casks,
/// NASA's code.json of two years, the Civic Tech Field Guide, an awesome list, a French
/// hospital's yearly application map, a Colombian asset register, the DPG API, openCoDE).
/// First run, 2026-12-07, after the rules chosen on `holdout-4/`: 0.9598 / 0.8761 — the
/// honest figure on records never seen. Its mistakes were printed by that run: retired to
/// tuning; after the rules chosen on them (a company against a project's own account, a
/// vendor alone is no name): 0.9845 / 0.8761; with edition words: 0.9848 / 0.8945.
const HOLDOUT_5_FLOOR: (f64, f64) = (0.984, 0.894);
/// `holdout-6/`, the sixth held-out set (written apart from the resolver: Scoop, winget, PyPI,
/// npm, GitHub search, Gitee, NIC India, awesome-sysadmin, a state's yearly application
/// portfolio, a ministry's yearly intranet list). First run, 2026-12-07, after the rules chosen
/// on `holdout-5/`: 1.0000 / 0.7584 — the honest figure on records never seen (recall far
/// below the target: package names, function suffixes, yearly lists without ids). Its
/// mistakes were printed by that run: retired to tuning; after the rules chosen on them (a
/// hub repository's owner is no organisation, `suite` a descriptor): 1.0000 / 0.7953. Most
/// of what was left was editions (`Checkmk Enterprise`, `TreeSize Professional`); with
/// edition words as descriptors (2026-12-07, night): 1.0000 / 0.8591.
const HOLDOUT_6_FLOOR: (f64, f64) = (0.999, 0.862);
/// `holdout-7/`, the seventh held-out set (written apart from the resolver: the Snap Store,
/// Docker Hub, Maven Central, CRAN, Arch packages, awesome-gis, a Swiss city's yearly CSV
/// inventory, a Japanese city's yearly HTML tables). First run, 2026-12-07, after every rule
/// of the day: 0.9521 / 0.6303 — the honest figure on records never seen: package registries
/// name software by artefact (`poi-ooxml`, `python-fiona`, `org/name`), which the name match
/// does not read. Its mistakes were printed by that run: retired to tuning; after the rules
/// chosen on them (other scripts' letters kept, `namespace/name` packages, `core` a
/// descriptor): 0.9556 / 0.7570; with edition words and a package's namespace as an
/// organisation in common: 0.9587 / 0.8169.
const HOLDOUT_7_FLOOR: (f64, f64) = (0.958, 0.823);
/// `holdout-8/`, the eighth held-out set (written apart from the resolver: Code for America's
/// projects API, Code for Germany, the UK Digital Marketplace, Repology's project API,
/// Chocolatey, a Wikipedia list of quantum chemistry software, a Korean city's yearly CSV and
/// a Polish university's yearly HTML lists). First run, 2026-12-07 (night), after the edition
/// words, package namespaces, a parent body's website: **0.9321 / 0.5598** — the honest
/// figure on records never seen, far below the target: a per-project API whose every
/// distribution package is a record (`gromacs`, `science/gromacs`, `gromacs` in one source),
/// names in Korean script for software other catalogues spell in Latin letters, suppliers'
/// services naming the software they host (`Wagtail CMS - Managed Hosting`). Its mistakes
/// were printed by that run: retired to tuning; after the rules chosen on them (one source's
/// duplicates under one licence family, language prefixes of packages, reverse-DNS ids, a
/// version glued to a name): 0.9202 / 0.6576; on 2026-12-08, after one source's entries
/// without a licence joining by name and a word of description, winget's `Publisher.Product`
/// ids, a service's product, FreeBSD's licence names: 0.9360 / 0.8342.
const HOLDOUT_8_FLOOR: (f64, f64) = (0.936, 0.836);
/// `holdout-9/`, the ninth held-out set (written apart from the resolver: crates.io, anaconda.org,
/// Packagist, Open Hub, g0v's project index, OS2's products, a Czech city's yearly CSV register
/// and a Greek school directorate's yearly HTML lists). First run, 2026-12-07 (night), after
/// the rules chosen on `holdout-8/`: **0.9550 / 0.8304** — the honest figure on records
/// never seen. Its mistakes were printed by that run: retired to tuning; after the rules
/// chosen on them (an acronym and its expansion in brackets, the head before a spaced dash
/// as another name, central European letters folded): 0.9565 / 0.8609.
const HOLDOUT_9_FLOOR: (f64, f64) = (0.956, 0.865);
/// `holdout-10/`, the tenth held-out set (written apart from the resolver: NuGet, SourceForge,
/// the OECD OPSI case library, Sweden's Offentlig kod, Helsinki's developer page, a nonprofit
/// network's Airtable directory, a Finnish city's yearly CKAN lists and a Turkish university's
/// yearly HTML lists). First run, 2026-12-07 (late night), after the rules chosen on
/// `holdout-9/`: **0.9211 / 0.7910** — the honest figure on records never seen. Its mistakes
/// were printed by that run: retired to tuning; after the rule chosen on them (a subtitle's
/// colon as a dash): 0.9231 / 0.8136.
const HOLDOUT_10_FLOOR: (f64, f64) = (0.923, 0.819);
/// `holdout-11/`, the eleventh held-out set (written apart from the resolver: RubyGems,
/// AlternativeTo, an Australian open-source register, the Open Contracting tools directory, an
/// Italian comune's yearly Opendatasoft inventory and a Portuguese health unit's yearly CSV).
/// First run, 2026-12-07 (late night), after every rule of the session: **0.9703 / 0.8167**
/// — the honest figure on records never seen. Its mistakes were printed by that run: retired
/// to tuning; after the rules chosen on them (a maker's word before a two-word product, a
/// homepage on the site another is under) and a successor named by a major version kept
/// apart (`govCMS8`, labelled GovCMS here): 0.9725 / 0.8833.
const HOLDOUT_11_FLOOR: (f64, f64) = (0.972, 0.883);

/// `holdout-12/`, the twelfth held-out set (written apart from the resolver: NixOS search,
/// MetaCPAN, Zenodo software records, Apps for GNOME, the DIAL catalogue, a Dutch gemeente's
/// yearly ArcGIS REST overviews and a Norwegian kommune's yearly HTML tables). First run,
/// 2026-12-08, after every rule of that morning: **0.9802 / 0.8462** — the honest figure on
/// records never seen. Its mistakes were printed by that run: retired to tuning; after the
/// rules chosen on them (NixOS's `perl5.38.2-` prefixes, `Dancer2` not a moved `Dancer`):
/// 0.9854 / 0.8632.
const HOLDOUT_12_FLOOR: (f64, f64) = (0.985, 0.863);
/// `holdout-13/`, the thirteenth held-out set (written apart from the resolver: Alpine's
/// package index, KDE's applications, pkg.go.dev, Hackage, Libraries.io, the Sovereign Tech
/// Agency's investments, a Chilean municipality's yearly Junar inventories and a Romanian
/// town hall's yearly HTML lists). First run, 2026-12-08, after every rule of that morning:
/// **0.9511 / 0.7839** — the honest figure on records never seen: distributions' component
/// packages (`libreoffice-calc`, `samba-client`, `hledger-lib`), Go packages named by their
/// last path segment (`api`, `clientv3`, `prometheus`), homonyms among them. Its mistakes
/// were printed by that run: retired to tuning; after a distribution's component packages
/// (`lib`, `devel`, `doc`, `common`, `ctl`) became descriptors: 0.9520 / 0.7985; with
/// `php83` a version, `drupal/core` the project and Maven's `group:artifact`: 0.9524 / 0.8059.
const HOLDOUT_13_FLOOR: (f64, f64) = (0.952, 0.805);
/// `holdout-14/`, the fourteenth held-out set (written apart from the resolver: Homebrew's
/// formulae, MacPorts, pub.dev, Hex.pm, an Ecuadorian ministry's free-software catalogue, a
/// university library's research-software guide and a health ministry's yearly digital-health
/// inventories). First run, 2026-12-08, after every rule of the session so far: **0.9569 /
/// 0.8547** — the honest figure on records never seen: ports split by version and server
/// (`postgresql16-server`, `mysql8-server`), Dart packages split per platform
/// (`url_launcher_ios`), homonyms among packages (`markdown`, `mime`, `sqlite3`). Its mistakes
/// were printed by that run: retired to tuning; after a version glued to a word only
/// descriptors follow was read as a version (`mysql8-server`): 0.9585 / 0.8889; with a
/// directory's index page read as the directory: 0.9587 / 0.8932.
const HOLDOUT_14_FLOOR: (f64, f64) = (0.958, 0.893);

pub(super) fn set_dir(set: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eval")
        .join(set)
}

/// One row of `routes.csv`.
#[derive(Clone, Debug)]
struct Route {
    path: String,
    query_suffix: String,
    file: String,
}

fn routes(dir: &Path) -> Vec<Route> {
    let text = std::fs::read_to_string(dir.join("routes.csv"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("routes.csv").display()));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{}/routes.csv: {e}", dir.display()));
            Route {
                path: r[0].to_string(),
                query_suffix: r[1].to_string(),
                file: r[2].to_string(),
            }
        })
        .collect()
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("yml" | "yaml") => "application/yaml",
        _ => "text/plain; charset=utf-8",
    }
}

/// Serves the set's pages on a loopback server; returns its base URL.
pub(super) async fn serve(dir: PathBuf) -> (Server, String) {
    let server = Server::start().await;
    let base = server.base();
    let routes = routes(&dir);
    let b = base.clone();
    server.answer_with(move |asked| {
        let route = routes
            .iter()
            .find(|r| r.path == asked.path && asked.query.ends_with(r.query_suffix.as_str()))?;
        let file = dir.join("pages").join(&route.file);
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // `{{base}}` is replaced in text pages; other bytes (a Latin-1 CSV) go as they are.
        let body = match String::from_utf8(bytes) {
            Ok(text) => text.replace("{{base}}", &b).into_bytes(),
            Err(e) => e.into_bytes(),
        };
        Some(Reply::ok(content_type(&route.file), body))
    });
    (server, base)
}

/// The set's declarations, `{{base}}` replaced by the server's URL.
pub(super) fn declarations(dir: &Path, base: &str) -> Vec<civicrawl::declare::Declaration> {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir.join("sources")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            tmp.path().join(path.file_name().unwrap()),
            text.replace("{{base}}", base),
        )
        .unwrap();
    }
    civicrawl::declare::load_dir(tmp.path()).unwrap_or_else(|e| {
        panic!(
            "{}: declarations: {:?}",
            dir.display(),
            e.iter().map(|e| e.to_string()).collect::<Vec<_>>()
        )
    })
}

/// Every record of the set's declared sources, read through their kinds and normalised.
pub(super) async fn extract(dir: &Path, base: &str) -> Vec<Input> {
    let decls = declarations(dir, base);
    let settings = CrawlSettings {
        allow_private_networks: true,
        max_attempts: 1,
        ..CrawlSettings::default()
    };
    let fetcher = Fetcher::new(&settings).unwrap();
    for d in &decls {
        for url in kinds::start_urls(&d.source) {
            fetcher.register_host(&url, d.rate);
        }
    }
    let mut inputs = Vec::new();
    for d in &decls {
        let stats = FetchStats::default();
        let cx = SourceCx {
            source_id: &d.id,
            fetcher: &fetcher,
            stats: &stats,
            secret: |_| None,
            site_targets: &[],
        };
        let harvest = kinds::run(&d.source, &cx)
            .await
            .unwrap_or_else(|e| panic!("source `{}`: {e}", d.id));
        for mut raw in harvest.records {
            // Record ids that are URLs on the test server (directory permalinks) are
            // labelled by path.
            if let Some(path) = raw.record_id.strip_prefix(base) {
                raw.record_id = path.to_string();
            }
            let (record, _) = normalise::normalise(&d.id, &raw, None);
            inputs.push(Input {
                record,
                priority: d.priority,
                create: d.role.as_str() == "create",
                stale: false,
                first_seen_at: None,
                last_seen_at: None,
                id_space: d.id_space.as_deref().map(Arc::from),
            });
        }
    }
    inputs
}

/// `registry.csv` (key, tool_id, registered_at), when the set has one.
fn registry(dir: &Path) -> Known {
    let Ok(text) = std::fs::read_to_string(dir.join("registry.csv")) else {
        return Known::default();
    };
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let at = DateTime::parse_from_rfc3339(f[2]).unwrap().to_utc();
            (f[0].to_string(), (f[1].to_string(), at))
        })
        .collect()
}

/// The true tool of a record and the hard case it belongs to (`-` when none is named).
#[derive(Clone, Debug)]
struct Label {
    tool: String,
    class: String,
}

/// Every `labels*.csv` of the set: (source, record) → label. A record labelled twice is an
/// error of the set.
fn labels(dir: &Path) -> BTreeMap<(String, String), Label> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("labels") && name.ends_with(".csv")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no labels*.csv", dir.display());
    let mut out = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        for (line, row) in reader.records().enumerate() {
            let row = row.unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let key = (row[0].to_string(), row[1].to_string());
            let label = Label {
                tool: row[2].to_string(),
                class: row
                    .get(3)
                    .filter(|c| !c.is_empty())
                    .unwrap_or("-")
                    .to_string(),
            };
            if out.insert(key.clone(), label).is_some() {
                panic!("{}:{}: {key:?} labelled twice", file.display(), line + 2);
            }
        }
    }
    out
}

/// Pairwise precision, recall and F1 of `predicted` against `truth` (both record → cluster).
pub(super) fn pairwise(predicted: &[(&str, &str)]) -> (f64, f64, f64) {
    let pairs = |counts: HashMap<(&str, &str), usize>| -> usize {
        counts.values().map(|n| n * (n - 1) / 2).sum()
    };
    let mut both: HashMap<(&str, &str), usize> = HashMap::new();
    let mut pred: HashMap<(&str, &str), usize> = HashMap::new();
    let mut truth: HashMap<(&str, &str), usize> = HashMap::new();
    for &(p, t) in predicted {
        *both.entry((p, t)).or_default() += 1;
        *pred.entry((p, "")).or_default() += 1;
        *truth.entry((t, "")).or_default() += 1;
    }
    let (tp, pp, tt) = (pairs(both) as f64, pairs(pred) as f64, pairs(truth) as f64);
    let precision = if pp == 0.0 { 1.0 } else { tp / pp };
    let recall = if tt == 0.0 { 1.0 } else { tp / tt };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

/// Pair counts of one hard case: pairs with at least one record of the class.
#[derive(Debug, Default)]
struct ClassCounts {
    records: usize,
    /// True pairs found and missed.
    found: usize,
    missed: usize,
    /// Predicted pairs that are wrong.
    false_pairs: usize,
}

/// The pairs of every group of `members` (indices into the records).
fn pairs_of(groups: &BTreeMap<&str, Vec<usize>>) -> BTreeSet<(usize, usize)> {
    let mut out = BTreeSet::new();
    for members in groups.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                out.insert((a.min(b), a.max(b)));
            }
        }
    }
    out
}

/// Per-class pair counts of a resolution: (tool id, label) per record.
fn by_class(records: &[(&str, &Label)]) -> BTreeMap<String, ClassCounts> {
    let mut predicted: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut truth: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut out: BTreeMap<String, ClassCounts> = BTreeMap::new();
    for (i, (tool, label)) in records.iter().enumerate() {
        predicted.entry(tool).or_default().push(i);
        truth.entry(&label.tool).or_default().push(i);
        out.entry(label.class.clone()).or_default().records += 1;
    }
    let (predicted, truth) = (pairs_of(&predicted), pairs_of(&truth));
    let classes = |(a, b): (usize, usize)| -> BTreeSet<&str> {
        [records[a].1.class.as_str(), records[b].1.class.as_str()].into()
    };
    for &pair in &truth {
        for class in classes(pair) {
            let c = out.get_mut(class).expect("every class counted");
            if predicted.contains(&pair) {
                c.found += 1;
            } else {
                c.missed += 1;
            }
        }
    }
    for &pair in predicted.difference(&truth) {
        for class in classes(pair) {
            out.get_mut(class).expect("every class counted").false_pairs += 1;
        }
    }
    out
}

/// What went wrong, for the failure message: tools split apart and tools wrongly merged.
fn mistakes(out: &Resolved, labels: &BTreeMap<(String, String), Label>) -> String {
    let mut by_truth: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut by_tool: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for row in &out.rows {
        let key = (row.record.source_id.clone(), row.record.record_id.clone());
        let truth = labels.get(&key).map(|l| l.tool.as_str()).unwrap_or("?");
        let name = row.record.name.as_deref().unwrap_or("");
        by_truth
            .entry(truth)
            .or_default()
            .push(format!("{}/{} {name:?} → {}", key.0, key.1, row.tool_id));
        by_tool
            .entry(&row.tool_id)
            .or_default()
            .push(format!("{truth} ({}/{} {name:?})", key.0, key.1));
    }
    let mut text = String::new();
    for (truth, rows) in &by_truth {
        let ids: BTreeSet<&str> = rows.iter().map(|r| r.rsplit(' ').next().unwrap()).collect();
        if ids.len() > 1 {
            text.push_str(&format!("split: {truth}: {rows:?}\n"));
        }
    }
    for (tool, members) in &by_tool {
        let truths: BTreeSet<&str> = members
            .iter()
            .map(|m| m.split(' ').next().unwrap())
            .collect();
        if truths.len() > 1 {
            text.push_str(&format!("merged: {tool}: {members:?}\n"));
        }
    }
    text
}

/// The scores of one set; fails below the thresholds.
async fn evaluate(set: &str, (precision, recall): (f64, f64)) {
    let dir = set_dir(set);
    let (_server, base) = serve(dir.clone()).await;
    let inputs = extract(&dir, &base).await;
    let labels = labels(&dir);
    let sources: BTreeSet<String> = inputs.iter().map(|i| i.record.source_id.clone()).collect();
    let out = resolve(inputs, &registry(&dir));
    let records: Vec<(&str, &Label)> = out
        .rows
        .iter()
        .map(|row| {
            let key = (row.record.source_id.clone(), row.record.record_id.clone());
            let label = labels
                .get(&key)
                .unwrap_or_else(|| panic!("{set}: record {key:?} has no label"));
            (row.tool_id.as_str(), label)
        })
        .collect();
    assert_eq!(
        records.len(),
        labels.len(),
        "{set}: every labelled record extracted"
    );
    let pairs: Vec<(&str, &str)> = records.iter().map(|(t, l)| (*t, l.tool.as_str())).collect();
    let (p, r, f1) = pairwise(&pairs);
    let true_tools: BTreeSet<&str> = labels.values().map(|l| l.tool.as_str()).collect();
    println!(
        "eval {set}: {} records from {} sources, {} true tools, {} resolved tools: \
         precision {p:.4}, recall {r:.4}, F1 {f1:.4}",
        records.len(),
        sources.len(),
        true_tools.len(),
        out.tools.len()
    );
    println!("  class                records  pairs found  missed  false");
    for (class, c) in by_class(&records) {
        println!(
            "  {class:<20} {:>7}  {:>11}  {:>6}  {:>5}",
            c.records, c.found, c.missed, c.false_pairs
        );
    }
    let why = mistakes(&out, &labels);
    if !why.is_empty() {
        println!("{why}");
    }
    let target = if p >= TARGET.0 && r >= TARGET.1 {
        "met"
    } else {
        "not met"
    };
    println!(
        "  target precision {:.2} / recall {:.2}: {target}; floor {precision:.3} / {recall:.3}",
        TARGET.0, TARGET.1
    );
    assert!(
        p >= precision && r >= recall,
        "{set}: precision {p:.4}, recall {r:.4} below the floor {precision} / {recall}\n{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tuning_set_keeps_its_precision_and_recall() {
    evaluate("tuning", TUNING_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout", HOLDOUT_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-2", HOLDOUT_2_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_third_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-3", HOLDOUT_3_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fourth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-4", HOLDOUT_4_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fifth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-5", HOLDOUT_5_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sixth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-6", HOLDOUT_6_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seventh_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-7", HOLDOUT_7_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eighth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-8", HOLDOUT_8_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ninth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-9", HOLDOUT_9_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tenth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-10", HOLDOUT_10_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eleventh_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-11", HOLDOUT_11_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_twelfth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-12", HOLDOUT_12_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_thirteenth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-13", HOLDOUT_13_FLOOR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fourteenth_held_out_set_keeps_its_precision_and_recall() {
    evaluate("holdout-14", HOLDOUT_14_FLOOR).await;
}

/// Prints every record a set yields, for labelling: `EVAL_SET=<set>` (default `tuning`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a listing for labelling, not a check"]
async fn list() {
    let set = std::env::var("EVAL_SET").unwrap_or_else(|_| "tuning".to_string());
    let dir = set_dir(&set);
    let (_server, base) = serve(dir.clone()).await;
    let inputs = extract(&dir, &base).await;
    let mut w = csv::Writer::from_writer(std::io::stdout());
    w.write_record([
        "source_id",
        "record_id",
        "name",
        "homepage",
        "repositories",
        "wikidata",
        "license",
        "organizations",
    ])
    .unwrap();
    for i in &inputs {
        let r = &i.record;
        w.write_record([
            r.source_id.as_str(),
            &r.record_id,
            r.name.as_deref().unwrap_or(""),
            r.homepage_url.as_deref().unwrap_or(""),
            &r.repositories.join(" "),
            r.wikidata_id.as_deref().unwrap_or(""),
            r.license.as_deref().unwrap_or(""),
            &r.organizations.join("; "),
        ])
        .unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn pairwise_scores_count_pairs() {
    // Truth: {a, b, c}, {d}; predicted: {a, b}, {c, d}.
    let (p, r, _) = pairwise(&[("1", "x"), ("1", "x"), ("2", "x"), ("2", "y")]);
    assert_eq!(p, 0.5);
    assert!((r - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn class_counts_split_pairs_by_hard_case() {
    let l = |tool: &str, class: &str| Label {
        tool: tool.to_string(),
        class: class.to_string(),
    };
    let (x, xn, y) = (l("x", "-"), l("x", "name-only"), l("y", "hub-url"));
    // Truth {0, 1}, {2}; predicted {0}, {1, 2}: the x pair is missed, (1, 2) is false.
    let counts = by_class(&[("a", &x), ("b", &xn), ("b", &y)]);
    assert_eq!(counts["name-only"].missed, 1);
    assert_eq!(counts["name-only"].false_pairs, 1);
    assert_eq!(counts["hub-url"].false_pairs, 1);
    assert_eq!(counts["-"].missed, 1);
    assert_eq!(counts["-"].found, 0);
}

/// The records of SILL's 2019 spreadsheet and the DPG registry's nominees in `shared` (the
/// `../shared/data` directory), read through the kinds as a user would declare them.
pub(super) async fn shared_samples(shared: &Path) -> Vec<Input> {
    let dir = tempfile::tempdir().unwrap();
    let (pages, sources) = (dir.path().join("pages"), dir.path().join("sources"));
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::create_dir_all(&sources).unwrap();
    std::fs::copy(
        shared.join("sill/sill-2019.csv"),
        pages.join("sill-2019.csv"),
    )
    .unwrap();
    std::fs::copy(
        shared.join("dpga/nominees-index.json"),
        pages.join("nominees.json"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("routes.csv"),
        "path,query_suffix,file\n/sill-2019.csv,,sill-2019.csv\n/nominees/,,nominees.json\n",
    )
    .unwrap();
    std::fs::write(
        sources.join("sill-2019.toml"),
        r#"kind = "csv"
url = "{{base}}/sill-2019.csv"
list_separator = ""
[fields]
name = "LOGICIEL"
license = "LICENCE"
description = "FONCTIONNALITÉ"
"#,
    )
    .unwrap();
    std::fs::write(
        sources.join("dpga-nominees.toml"),
        r#"kind = "json"
url = "{{base}}/nominees/"
records = "$[*]"
[fields]
record_id = "$.id"
name = "$.name"
description = "$.description"
homepage = "$.website"
repository = "$.repositories[*].url"
license = "$.license[*].spdx"
organizations = "$.organizations[*].name"
"#,
    )
    .unwrap();
    let (_server, base) = serve(dir.path().to_path_buf()).await;
    extract(dir.path(), &base).await
}

/// The real third-party samples in `../shared/data` (SILL's 2019 spreadsheet, the DPG
/// registry's nominees), read through the kinds as a user would declare them and resolved
/// together: the duplicates their publishers wrote are one tool each, and the different
/// products with close names stay apart. Skipped when `../shared` is absent, except under CI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_samples_keep_close_names_apart_and_duplicates_together() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if !shared.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing under CI",
            shared.display()
        );
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let inputs = shared_samples(&shared).await;
    // The two `/Grammalecte/` rows map to the same fields: one record (one content hash).
    assert_eq!(inputs.len(), 160 + 63, "every row and nominee extracted");
    let out = resolve(inputs, &Known::default());
    let tool = |source: &str, name: &str| -> BTreeSet<&str> {
        out.rows
            .iter()
            .filter(|r| r.record.source_id == source && r.record.name.as_deref() == Some(name))
            .map(|r| r.tool_id.as_str())
            .collect()
    };
    let one = |source: &str, names: &[&str]| {
        let ids: BTreeSet<&str> = names.iter().flat_map(|n| tool(source, n)).collect();
        assert_eq!(ids.len(), 1, "{names:?} should be one tool: {ids:?}");
    };
    let apart = |source: &str, a: &str, b: &str| {
        let (ta, tb) = (tool(source, a), tool(source, b));
        assert!(!ta.is_empty() && !tb.is_empty(), "{a} or {b} missing");
        assert!(ta.is_disjoint(&tb), "{a} and {b} should be two tools");
    };
    // The spreadsheet's own duplicates.
    one("sill-2019", &["Jitsi", "JITSI"]);
    one("sill-2019", &["OpenLdap"]);
    // Close names of different products.
    apart("sill-2019", "LibreOffice", "LibreOffice en ligne");
    apart("sill-2019", "Selenium Server", "Selenium IDE");
    apart("sill-2019", "Squash TA", "Squash TM");
    apart("sill-2019", "OpenStack", "Swift (OpenStack)");
    apart("sill-2019", "OCS Inventory NG serveur", "/Agent OCS/");
    // Plugins of GLPI, named after what they connect to: the spreadsheet describes them
    // apart from the products.
    apart("sill-2019", "GLPI", "/GLPI/");
    apart(
        "sill-2019",
        "OCS Inventory NG serveur",
        "/OCS Inventory ng/",
    );
    apart("dpga-nominees", "OpenFisca", "OpenFisca France");
    apart("dpga-nominees", "CommCare Android", "CommCare Cloud");
    // Every other nominee is its own tool, and none joins a spreadsheet row.
    let mut nominees: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in &out.rows {
        let name = row.record.name.as_deref().unwrap_or("");
        nominees.entry(&row.tool_id).or_default().insert(name);
    }
    let identity = civicrawl::resolve::name_identity;
    let shared_tools: Vec<_> = nominees
        .values()
        .filter(|names| {
            let ids: BTreeSet<_> = names.iter().map(|n| identity(n)).collect();
            ids.len() > 1
        })
        .collect();
    assert!(
        shared_tools.is_empty(),
        "records with unrelated names merged: {shared_tools:?}"
    );
    println!(
        "real samples: {} records, {} tools, {} non-identifying URLs; merged: {:?}",
        out.rows.len(),
        out.tools.len(),
        out.non_identifying.len(),
        nominees
            .values()
            .filter(|n| n.len() > 1)
            .collect::<Vec<_>>()
    );
}
