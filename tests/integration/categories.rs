//! Functional categories measured on hand-labelled real tools (tests/fixtures/categories/).

use std::path::PathBuf;

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

/// Every record the labels may name: (origin, input), origin `tuning` or `holdout` (the
/// evaluation sets of tests/fixtures/eval/) or `shared` (the samples of `../shared/data`).
async fn records() -> Vec<(&'static str, Input)> {
    let mut out = Vec::new();
    for set in ["tuning", "holdout"] {
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
