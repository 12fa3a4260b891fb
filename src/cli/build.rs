//! `civicrawl build`: normalise, resolve and publish from the state store, no network.

use std::path::PathBuf;

use clap::Args;

use crate::pipeline;
use crate::settings::Settings;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Data directory holding `state.sqlite` and `archive/`.
    #[arg(long, default_value = "output", value_name = "DIR")]
    out: PathBuf,
    /// When a run holds the lock, wait for it instead of exiting 4.
    #[arg(long)]
    wait: bool,
    /// Publish even when the release has fewer than half the tools of the previous one.
    #[arg(long)]
    accept_drop: bool,
}

pub fn exec(args: BuildArgs, settings: Settings) -> u8 {
    let result = pipeline::build(
        &args.out,
        args.wait,
        settings.output.keep_releases,
        args.accept_drop,
    );
    super::outcome::report(result)
}
