//! `civicrawl run`: crawl, normalise, resolve, publish.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::pipeline::{self, RunOptions};
use crate::settings::Settings;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directory of source declarations.
    #[arg(long, default_value = "sources", value_name = "DIR")]
    sources: PathBuf,
    /// Run only these sources (ids or globs, comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID,...",
        conflicts_with = "schedule"
    )]
    only: Vec<String>,
    /// Run the sources of this schedule (a file stem in --schedules).
    #[arg(long, value_name = "NAME")]
    schedule: Option<String>,
    /// Directory of schedule declarations (with --schedule).
    #[arg(long, default_value = "schedules", value_name = "DIR")]
    schedules: PathBuf,
    /// Data directory: releases, archive, state.
    #[arg(long, default_value = "output", value_name = "DIR")]
    out: PathBuf,
    /// Accept a source whose record count fell by more than half since its last success
    /// (without it, such a source keeps its earlier records, flagged stale).
    #[arg(long)]
    accept_drop: bool,
    /// When another run holds the lock, wait for it instead of exiting 4.
    #[arg(long)]
    wait: bool,
    /// Ask every page: detail and home pages too, even those the revisit policy would read
    /// from the archive this run (docs/sources.md, "Revisiting pages").
    #[arg(long)]
    full: bool,
}

pub fn exec(args: RunArgs, settings: Settings) -> u8 {
    let mut only = args.only;
    if let Some(name) = &args.schedule {
        let schedules = match super::schedule::load(&args.schedules) {
            Ok(s) => s,
            Err(code) => return code,
        };
        let Some(s) = schedules.iter().find(|s| &s.name == name) else {
            let names: Vec<&str> = schedules.iter().map(|s| s.name.as_str()).collect();
            eprintln!(
                "error: no schedule `{name}` in `{}` (declared: {})",
                args.schedules.display(),
                names.join(", ")
            );
            return exit::USAGE;
        };
        only = s.sources.clone();
    }
    let opts = RunOptions {
        sources_dir: args.sources,
        only,
        out_dir: args.out,
        settings,
        accept_drop: args.accept_drop,
        wait: args.wait,
        full: args.full,
        progress: super::progress(),
    };
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    let result = rt.block_on(pipeline::run(&opts));
    super::outcome::report(result)
}
