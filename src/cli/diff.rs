//! `civicrawl diff OLD_RELEASE_DIR NEW_RELEASE_DIR`: the tools added, removed and changed
//! (with fields) between two releases, and the id aliases of merges (SPEC section 3). A
//! readable summary, or with `--json` the same object as `changes.json`.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::publish::{self, DiffError};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older release directory (e.g. `output/releases/2026-11-25T030000Z`).
    #[arg(value_name = "OLD_RELEASE_DIR")]
    old: PathBuf,
    /// The newer release directory (e.g. `output/latest`).
    #[arg(value_name = "NEW_RELEASE_DIR")]
    new: PathBuf,
    /// Print the changes as JSON, in the shape of `changes.json`.
    #[arg(long)]
    json: bool,
}

pub fn exec(args: DiffArgs) -> u8 {
    let (changes, before, after) = match publish::diff_releases(&args.old, &args.new) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                DiffError::Read { .. } => exit::USAGE,
                DiffError::Parse { .. } => exit::FAILURE,
            };
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&changes) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FAILURE;
            }
        }
        return exit::OK;
    }
    let name = |id: &str| {
        after
            .get(id)
            .or_else(|| before.get(id))
            .and_then(|t| t.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    let label = |dir: &PathBuf| {
        std::fs::canonicalize(dir)
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| dir.display().to_string())
    };
    print!(
        "{}",
        publish::diff::summary(&changes, &label(&args.old), &label(&args.new), name)
    );
    exit::OK
}
