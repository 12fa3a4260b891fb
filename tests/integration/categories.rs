//! Functional categories measured on hand-labelled real tools (tests/fixtures/categories/).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use civicrawl::model::NormRecord;
use civicrawl::normalise::category;
use civicrawl::resolve::Input;

use crate::eval::{extract, serve, set_dir, shared_samples};

/// `../shared/data` when present; absent under CI is a failure.
fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing under CI",
        dir.display()
    );
    None
}

/// Every record the labels may name: (origin, input), origin `tuning`, `holdout`,
/// `holdout-2`, `holdout-8`, `holdout-9`, `holdout-10`, `holdout-11`, `holdout-12` or
/// `holdout-13` (the evaluation sets of tests/fixtures/eval/) or `shared` (the samples of
/// `../shared/data`).
async fn records() -> Vec<(&'static str, Input)> {
    let mut out = Vec::new();
    for set in [
        "tuning",
        "holdout",
        "holdout-2",
        "holdout-8",
        "holdout-9",
        "holdout-10",
        "holdout-11",
        "holdout-12",
        "holdout-13",
    ] {
        let dir = set_dir(set);
        let (_server, base) = serve(dir.clone()).await;
        out.extend(extract(&dir, &base).await.into_iter().map(|i| (set, i)));
    }
    if let Some(shared) = shared_dir() {
        out.extend(
            shared_samples(&shared)
                .await
                .into_iter()
                .map(|i| ("shared", i)),
        );
    }
    out
}

/// Prints every record's text as JSON lines (for labelling):
/// `cargo test --test integration categories::list -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn list() {
    for (origin, i) in records().await {
        let r = &i.record;
        println!(
            "{}",
            serde_json::json!({
                "origin": origin,
                "source": r.source_id,
                "record": r.record_id,
                "name": r.name,
                "description": r.description,
                "tags": r.tags,
            })
        );
    }
}

/// One labelled record of `tests/fixtures/categories/labels.csv`.
struct Label {
    part: String,
    key: (String, String, String),
    name: String,
    categories: BTreeSet<String>,
}

fn labels() -> Vec<Label> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/categories/labels.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let categories: BTreeSet<String> = r[5].split(';').map(str::to_string).collect();
            for c in &categories {
                assert!(category::is_category(c), "{}: `{c}` is no category", &r[4]);
            }
            Label {
                part: r[0].to_string(),
                key: (r[1].to_string(), r[2].to_string(), r[3].to_string()),
                name: r[4].to_string(),
                categories,
            }
        })
        .collect()
}

/// Counts of one part (or one category of a part).
#[derive(Default, Clone, Copy)]
struct Counts {
    records: usize,
    covered: usize,
    /// (tool, category) pairs assigned / assigned and labelled / labelled.
    assigned: usize,
    right: usize,
    labelled: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        self.right as f64 / self.assigned.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.right as f64 / self.labelled.max(1) as f64
    }
    fn coverage(&self) -> f64 {
        self.covered as f64 / self.records.max(1) as f64
    }
}

/// Issue 21's target over the whole sample: (coverage, precision).
const TARGET: (f64, f64) = (0.80, 0.90);
/// What each part must keep: the figures measured when the phrases were last changed, rounded
/// down (docs/normalisation.md): (coverage, precision). The `heldout` part was retired to
/// tuning on 2026-12-07 (its errors were read to choose rules; first measured 0.866 / 0.858).
const TUNE_FLOOR: (f64, f64) = (0.87, 0.95);
const HELDOUT_FLOOR: (f64, f64) = (0.85, 0.90);
/// `heldout-2`: records of `tests/fixtures/eval/holdout-2` labelled by a session that never
/// read the classifier; first measured 2026-12-07: 0.611 / 0.874, below the target (the
/// honest figure on records never seen). Its errors were read that night: retired to tuning;
/// after the phrases chosen on them 0.808 / 0.923.
const HELDOUT_2_FLOOR: (f64, f64) = (0.80, 0.92);
/// The whole sample, every part: 0.793 / 0.925 when `heldout-2` joined it; 0.850 / 0.934
/// after the phrases chosen on its errors; 0.696 / 0.920 when `heldout-3` joined it (121 of
/// its rows are in Korean and Polish, which the vocabulary does not read); 0.743 / 0.930
/// after the phrases chosen on its errors; 0.554 / 0.883 when `heldout-4` (1,111 rows of
/// package registries, directories and yearly lists) joined it; 0.568 / 0.886 after the
/// phrases chosen on its errors; 0.508 / 0.879 when `heldout-5` (829 rows of holdout-12/13,
/// 144 of them name-only) joined it; 0.519 / 0.880 after the phrases chosen on its errors.
const ALL_FLOOR: (f64, f64) = (0.51, 0.87);
/// `heldout-3`: records of `tests/fixtures/eval/holdout-8` labelled by a session that never
/// read the classifier; first measured 2026-12-07 (night): 0.319 / 0.830 (the honest figure;
/// on its 158 rows in the vocabulary's languages the coverage was 0.52). Its errors were
/// read then: retired to tuning; after the phrases chosen on them 0.484 / 0.912 (0.778 on
/// the 158 rows; 12 of the 121 Korean and Polish rows covered, by their Latin-script words).
const HELDOUT_3_FLOOR: (f64, f64) = (0.48, 0.91);

/// `heldout-4`: records of `tests/fixtures/eval/holdout-9`, `-10` and `-11` labelled by a
/// session that never read the classifier; first measured 2026-12-08: 0.390 / 0.806 (the
/// honest figure: libraries and packages, whose `software-development` recall was 0.13,
/// school and hospital systems, Czech, Greek, Finnish, Turkish and Portuguese rows). Its
/// errors were printed by that run: retired to tuning; after the phrases chosen on them
/// 0.416 / 0.818; 0.425 / 0.819 after those chosen on `heldout-5`.
const HELDOUT_4_FLOOR: (f64, f64) = (0.42, 0.81);
/// `heldout-5`: records of `tests/fixtures/eval/holdout-12` and `-13` labelled by a session
/// that never read the classifier; first measured 2026-12-08, after the phrases chosen on
/// `heldout-4`: 0.361 / 0.851 (the honest figure; 144 of its 829 rows are name-only: Alpine's
/// index gives no description). Its errors were printed by that run: retired to tuning; after
/// the municipal words of the other languages chosen on them 0.385 / 0.859.
const HELDOUT_5_FLOOR: (f64, f64) = (0.38, 0.85);

/// Coverage, precision and recall of the categories civicrawl gives the hand-labelled real
/// tools (tests/fixtures/categories/), per part and per category. The records are read through
/// the real kinds and `normalise`, so declared categories count beside inferred ones. Without
/// `../shared/data` only the evaluation sets' records are scored (skipped records are
/// counted and the floors not checked), except under CI, where it fails. Issue 21's target
/// is printed (met or not); the floors are asserted.
/// `CATEGORY_MISSES=tune cargo test --test integration categories::labelled -- --nocapture`
/// prints the tune part's wrong and missed categories with their evidence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labelled_tools_are_covered_and_precise() {
    let records: HashMap<(String, String, String), NormRecord> = records()
        .await
        .into_iter()
        .map(|(origin, i)| {
            let r = i.record;
            (
                (origin.to_string(), r.source_id.clone(), r.record_id.clone()),
                r,
            )
        })
        .collect();
    let show = std::env::var("CATEGORY_MISSES").ok();
    let labels = labels();
    let mut parts: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut per: BTreeMap<(&str, String), Counts> = BTreeMap::new();
    let mut skipped = 0;
    let mut inferred_only = 0;
    for l in &labels {
        let Some(r) = records.get(&l.key) else {
            assert!(
                l.key.0 != "shared" || shared_dir().is_none(),
                "{:?} not found",
                l.key
            );
            skipped += 1;
            continue;
        };
        let got: BTreeSet<String> = r.categories.iter().cloned().collect();
        inferred_only += usize::from(r.categories_inferred);
        for part in [l.part.as_str(), "all"] {
            let c = parts.entry(part).or_default();
            c.records += 1;
            c.covered += usize::from(!got.is_empty());
            c.assigned += got.len();
            c.right += got.intersection(&l.categories).count();
            c.labelled += l.categories.len();
            for cat in got.union(&l.categories) {
                let c = per.entry((part, cat.clone())).or_default();
                c.assigned += usize::from(got.contains(cat));
                c.labelled += usize::from(l.categories.contains(cat));
                c.right += usize::from(got.contains(cat) && l.categories.contains(cat));
            }
        }
        if show.as_deref() == Some(l.part.as_str()) && got != l.categories {
            let texts: Vec<&str> = r
                .name
                .iter()
                .chain(&r.description)
                .map(String::as_str)
                .collect();
            let evidence = category::score(&texts, &r.tags);
            println!(
                "{} ({}/{}): got {:?} want {:?} | {} | tags {:?} | {:?}",
                l.name,
                l.key.1,
                l.key.2,
                got,
                l.categories,
                r.description.as_deref().unwrap_or(""),
                r.tags,
                evidence
                    .iter()
                    .map(|e| format!("{} {:.1} {:?}", e.category, e.score, e.phrases))
                    .collect::<Vec<_>>()
            );
        }
    }
    println!(
        "labelled records scored: {} (skipped {skipped}); categories inferred on {inferred_only}",
        labels.len() - skipped
    );
    println!("| part | records | coverage | precision | recall |");
    for (part, c) in &parts {
        println!(
            "| {part} | {} | {:.3} ({}/{}) | {:.3} ({}/{}) | {:.3} ({}/{}) |",
            c.records,
            c.coverage(),
            c.covered,
            c.records,
            c.precision(),
            c.right,
            c.assigned,
            c.recall(),
            c.right,
            c.labelled
        );
    }
    println!(
        "| category | tune precision | tune recall | held-out precision | held-out recall | held-out-2 precision | held-out-2 recall | held-out-3 precision | held-out-3 recall | held-out-4 precision | held-out-4 recall | held-out-5 precision | held-out-5 recall |"
    );
    for cat in category::VOCABULARY {
        let f = |part: &str| {
            let c = per
                .get(&(part, cat.id.to_string()))
                .copied()
                .unwrap_or_default();
            (
                format!("{:.2} ({}/{})", c.precision(), c.right, c.assigned),
                format!("{:.2} ({}/{})", c.recall(), c.right, c.labelled),
            )
        };
        let (tp, tr) = f("tune");
        let (hp, hr) = f("heldout");
        let (h2p, h2r) = f("heldout-2");
        let (h3p, h3r) = f("heldout-3");
        let (h4p, h4r) = f("heldout-4");
        let (h5p, h5r) = f("heldout-5");
        println!(
            "| `{}` | {tp} | {tr} | {hp} | {hr} | {h2p} | {h2r} | {h3p} | {h3r} | {h4p} | {h4r} | {h5p} | {h5r} |",
            cat.id
        );
    }
    if skipped > 0 {
        // The floors are figures of the whole sample; without ../shared/data it is another.
        eprintln!("../shared/data absent: {skipped} labelled records skipped, floors not checked");
        return;
    }
    for (part, floor) in [
        ("tune", TUNE_FLOOR),
        ("heldout", HELDOUT_FLOOR),
        ("heldout-2", HELDOUT_2_FLOOR),
        ("heldout-3", HELDOUT_3_FLOOR),
        ("heldout-4", HELDOUT_4_FLOOR),
        ("heldout-5", HELDOUT_5_FLOOR),
        ("all", ALL_FLOOR),
    ] {
        let Some(c) = parts.get(part) else { continue };
        assert!(
            c.coverage() >= floor.0,
            "{part}: coverage {:.3} below {}",
            c.coverage(),
            floor.0
        );
        assert!(
            c.precision() >= floor.1,
            "{part}: precision {:.3} below {}",
            c.precision(),
            floor.1
        );
    }
    let all = parts["all"];
    let met = all.coverage() >= TARGET.0 && all.precision() >= TARGET.1;
    println!(
        "issue 21's target over the whole sample ({} coverage, {} precision): {}",
        TARGET.0,
        TARGET.1,
        if met { "met" } else { "not met" }
    );
}

/// Issue 21, part 4: of the licence values the real-format records give that are licences
/// (`license::read`: mapped or unmapped; not the no-assertion markers nor text that is no
/// licence statement), at least 98% map to SPDX. Over every record of the evaluation sets
/// and the shared samples; a record's values are read back from `license_raw` (joined with
/// `; `).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn licence_values_that_are_licences_map() {
    use civicrawl::normalise::license::{Reading, read};
    let (mut mapped, mut not_licence, mut unmapped) = (0, 0, Vec::new());
    for (_, i) in records().await {
        let Some(raw) = &i.record.license_raw else {
            continue;
        };
        for value in raw.split("; ") {
            match read(value) {
                Reading::Mapped(_) => mapped += 1,
                Reading::NotALicence => not_licence += 1,
                Reading::Unmapped => unmapped.push(value.to_string()),
            }
        }
    }
    let share = mapped as f64 / (mapped + unmapped.len()) as f64;
    println!(
        "licence values: {mapped} mapped, {} unmapped ({share:.4} of licences), {not_licence} not a licence; unmapped: {unmapped:?}",
        unmapped.len()
    );
    assert!(share >= 0.98, "{share:.4} of licence values mapped");
}
