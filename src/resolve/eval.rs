//! The labelled evaluation set (tests/fixtures/eval/, written by its `generate.py`): source
//! pages in four formats are served on loopback, read through the real declarations and
//! kinds, normalised and resolved; the clusters are scored pair by pair against
//! `labels.csv`. `registry.csv` is the id registry of an earlier run (renamed repositories).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use axum::http::{StatusCode, header};
use chrono::DateTime;

use super::{Input, Known, Resolved, resolve};
use crate::crawl::{FetchStats, Fetcher};
use crate::kinds::{self, SourceCx};
use crate::normalise;
use crate::settings::CrawlSettings;

const PRECISION: f64 = 0.99;
const RECALL: f64 = 0.95;

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval")
}

/// The page served at `path?query`: (file, content type).
fn page(path: &str, query: &str) -> Option<(&'static str, &'static str)> {
    let json = "application/json";
    Some(match (path, query) {
        ("/api/dpgs", "") => ("dpg-1.json", json),
        ("/api/dpgs", "page=2") => ("dpg-2.json", json),
        ("/code.json", _) => ("code.json", json),
        ("/search/repositories", q) if q.ends_with("page=1") => ("github-1.json", json),
        ("/search/repositories", q) if q.ends_with("page=2") => ("github-2.json", json),
        ("/directory/", _) => ("directory-1.html", "text/html; charset=utf-8"),
        ("/directory/page/2/", _) => ("directory-2.html", "text/html; charset=utf-8"),
        ("/directory/page/3/", _) => ("directory-3.html", "text/html; charset=utf-8"),
        _ => return None,
    })
}

/// Serves the pages on a loopback port; returns the base URL.
async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let b = base.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let base = b.clone();
        async move {
            let uri = req.uri();
            let Some((file, ct)) = page(uri.path(), uri.query().unwrap_or("")) else {
                return (
                    StatusCode::NOT_FOUND,
                    [(header::CONTENT_TYPE, "text/plain")],
                    String::new(),
                );
            };
            let text = std::fs::read_to_string(eval_dir().join("pages").join(file)).unwrap();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, ct)],
                text.replace("{{base}}", &base),
            )
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// Every record of the declared sources, read through their kinds and normalised.
async fn extract(base: &str) -> Vec<Input> {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(eval_dir().join("sources")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            tmp.path().join(path.file_name().unwrap()),
            text.replace("{{base}}", base),
        )
        .unwrap();
    }
    let decls = crate::declare::load_dir(tmp.path()).unwrap_or_else(|e| {
        panic!(
            "eval declarations: {:?}",
            e.iter().map(|e| e.to_string()).collect::<Vec<_>>()
        )
    });
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
        };
        let harvest = kinds::run(&d.source, &cx)
            .await
            .unwrap_or_else(|e| panic!("source `{}`: {e}", d.id));
        for mut raw in harvest.records {
            // Directory permalinks resolve against the page: label them by path.
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
            });
        }
    }
    inputs
}

/// `registry.csv`: key, tool_id, registered_at.
fn registry() -> Known {
    let text = std::fs::read_to_string(eval_dir().join("registry.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let at = DateTime::parse_from_rfc3339(f[2]).unwrap().to_utc();
            (f[0].to_string(), (f[1].to_string(), at))
        })
        .collect()
}

/// `labels.csv`: (source, record) → true tool.
fn labels() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(eval_dir().join("labels.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.splitn(3, ',').collect();
            ((f[0].to_string(), f[1].to_string()), f[2].to_string())
        })
        .collect()
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
    let f1 = 2.0 * precision * recall / (precision + recall);
    (precision, recall, f1)
}

/// What went wrong, for the failure message: tools split apart and tools wrongly merged.
fn mistakes(out: &Resolved, labels: &BTreeMap<(String, String), String>) -> String {
    let mut by_truth: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut by_tool: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in &out.rows {
        let key = (row.record.source_id.clone(), row.record.record_id.clone());
        let truth = labels.get(&key).map(String::as_str).unwrap_or("?");
        by_truth
            .entry(truth)
            .or_default()
            .push(format!("{}/{} → {}", key.0, key.1, row.tool_id));
        by_tool.entry(&row.tool_id).or_default().push(truth);
    }
    let mut text = String::new();
    for (truth, rows) in &by_truth {
        let mut ids: Vec<&str> = rows.iter().map(|r| r.rsplit(' ').next().unwrap()).collect();
        ids.sort();
        ids.dedup();
        if ids.len() > 1 {
            text.push_str(&format!("split: {truth}: {rows:?}\n"));
        }
    }
    for (tool, truths) in &mut by_tool {
        truths.sort();
        truths.dedup();
        if truths.len() > 1 {
            text.push_str(&format!("merged: {tool}: {truths:?}\n"));
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolution_meets_its_precision_and_recall_on_the_labelled_set() {
    let base = serve().await;
    let inputs = extract(&base).await;
    let labels = labels();
    let mut formats: Vec<&str> = inputs.iter().map(|i| i.record.source_id.as_str()).collect();
    formats.dedup();
    assert!(inputs.len() >= 300, "{} records", inputs.len());
    let out = resolve(inputs, &registry());
    let predicted: Vec<(&str, &str)> = out
        .rows
        .iter()
        .map(|row| {
            let key = (row.record.source_id.clone(), row.record.record_id.clone());
            let truth = labels
                .get(&key)
                .unwrap_or_else(|| panic!("record {key:?} has no label"));
            (row.tool_id.as_str(), truth.as_str())
        })
        .collect();
    assert_eq!(
        predicted.len(),
        labels.len(),
        "every labelled record extracted"
    );
    let (p, r, f1) = pairwise(&predicted);
    let true_tools = labels
        .values()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!(
        "eval: {} records, {} true tools, {} resolved tools: precision {p:.4}, recall {r:.4}, F1 {f1:.4}",
        predicted.len(),
        true_tools,
        out.tools.len()
    );
    let why = mistakes(&out, &labels);
    if !why.is_empty() {
        println!("{why}");
    }
    assert!(
        p >= PRECISION && r >= RECALL,
        "precision {p:.4}, recall {r:.4}\n{why}"
    );
}

#[test]
fn pairwise_scores_count_pairs() {
    // Truth: {a, b, c}, {d}; predicted: {a, b}, {c, d}.
    let (p, r, _) = pairwise(&[("1", "x"), ("1", "x"), ("2", "x"), ("2", "y")]);
    assert_eq!(p, 0.5);
    assert!((r - 1.0 / 3.0).abs() < 1e-9);
}
