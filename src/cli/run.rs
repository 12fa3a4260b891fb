//! `civicrawl run`: crawl, normalise, resolve, publish.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::pipeline::{self, RunError, RunOptions};
use crate::settings::Settings;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directory of source declarations.
    #[arg(long, default_value = "sources", value_name = "DIR")]
    sources: PathBuf,
    /// Run only these sources (ids or globs, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    only: Vec<String>,
    /// Data directory: releases, archive, state.
    #[arg(long, default_value = "output", value_name = "DIR")]
    out: PathBuf,
}

pub fn exec(args: RunArgs, settings: Settings) -> u8 {
    let opts = RunOptions {
        sources_dir: args.sources,
        only: args.only,
        out_dir: args.out,
        settings,
    };
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    match rt.block_on(pipeline::run(&opts)) {
        Ok(outcome) => {
            let failed = outcome.failed();
            eprintln!(
                "published {} ({} tools from {} sources)",
                outcome.release_dir.display(),
                outcome.tools,
                outcome.sources.len() - failed.len()
            );
            if failed.is_empty() {
                exit::OK
            } else {
                eprintln!("warning: {} source(s) failed:", failed.len());
                for s in failed {
                    eprintln!("  {}: {}", s.id, s.error.as_deref().unwrap_or("failed"));
                }
                exit::PARTIAL
            }
        }
        Err(RunError::Declarations(errors)) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!(
                "error: {} problem(s) in the source declarations in `{}`; nothing was fetched",
                errors.len(),
                opts.sources_dir.display()
            );
            exit::USAGE
        }
        Err(RunError::Usage(msg)) => {
            eprintln!("error: {msg}");
            exit::USAGE
        }
        Err(RunError::NothingSucceeded(outcomes)) => {
            eprintln!("error: every source failed; nothing was published and the previous release stays");
            for s in &outcomes {
                eprintln!("  {}: {}", s.id, s.error.as_deref().unwrap_or("failed"));
            }
            eprintln!("help: check the network connection and the URLs above, then run again");
            exit::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILURE
        }
    }
}
