//! `civicrawl sources list|check`: the declarations, validated without any request.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::exit;
use crate::kinds;
use crate::pipeline;

#[derive(Debug, Args)]
pub struct SourcesArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// List the declared sources: id, kind, role, priority, enabled, start URLs.
    List {
        /// Directory of source declarations.
        #[arg(long, default_value = "sources", value_name = "DIR")]
        sources: PathBuf,
    },
    /// Validate every declaration (keys, kinds, selectors, JSONPaths, ids); no network.
    Check {
        /// Directory of source declarations.
        #[arg(long, default_value = "sources", value_name = "DIR")]
        sources: PathBuf,
    },
}

pub fn exec(args: SourcesArgs) -> u8 {
    let (dir, list) = match args.action {
        Action::List { sources } => (sources, true),
        Action::Check { sources } => (sources, false),
    };
    match pipeline::check_sources(&dir) {
        Ok(decls) => {
            if list {
                println!(
                    "{:<28} {:<7} {:<7} {:>8} {:<8} urls",
                    "id", "kind", "role", "priority", "enabled"
                );
                for d in &decls {
                    let urls: Vec<String> = kinds::start_urls(&d.source)
                        .iter()
                        .map(|u| u.to_string())
                        .collect();
                    println!(
                        "{:<28} {:<7} {:<7} {:>8} {:<8} {}",
                        d.id,
                        d.kind,
                        d.role.as_str(),
                        d.priority,
                        d.enabled,
                        urls.join(" ")
                    );
                }
            } else {
                println!(
                    "{} source declaration(s) in `{}` are valid",
                    decls.len(),
                    dir.display()
                );
            }
            exit::OK
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!(
                "error: {} problem(s) in the source declarations in `{}`",
                errors.len(),
                dir.display()
            );
            exit::USAGE
        }
    }
}
