//! `civicrawl schedule list|crontab|export|daemon`: the jobs of `schedules/` (SPEC section 5).

use std::path::PathBuf;

use chrono::{SecondsFormat, Utc};
use clap::{Args, Subcommand};

use super::exit;
use crate::pipeline::{self, RunOptions};
use crate::schedule::{self, Schedule};
use crate::settings::Settings;

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    action: Action,
    /// Directory of schedule declarations.
    #[arg(long, global = true, default_value = "schedules", value_name = "DIR")]
    schedules: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// List the schedules with their next run time.
    List,
    /// Print crontab lines that run each schedule from this directory.
    Crontab,
    /// Write the schedules for another scheduler: crontab lines, systemd service and timer
    /// units, a GitHub Actions workflow or Kubernetes CronJobs (with the output volume claim).
    Export {
        /// The scheduler to write for.
        #[arg(long, value_enum)]
        format: schedule::export::Format,
        /// Write the files into this directory (created if needed) instead of printing them.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The civicrawl executable the jobs run (crontab, systemd; default: this one).
        #[arg(long, value_name = "PATH")]
        program: Option<String>,
        /// The directory the jobs run in, holding sources/, schedules/ and output/ (crontab,
        /// systemd; default: the current directory).
        #[arg(long, value_name = "DIR")]
        workdir: Option<String>,
        /// The container image (kubernetes).
        #[arg(long, default_value = "civicrawl:latest", value_name = "IMAGE")]
        image: String,
    },
    /// Run the schedules in this process, one job at a time, until stopped.
    Daemon {
        /// Directory of source declarations.
        #[arg(long, default_value = "sources", value_name = "DIR")]
        sources: PathBuf,
        /// Data directory: releases, archive, state.
        #[arg(long, default_value = "output", value_name = "DIR")]
        out: PathBuf,
        /// Stop after this many jobs (for tests and one-off catch-up).
        #[arg(long, hide = true)]
        max_runs: Option<usize>,
    },
}

/// Loads the schedules, printing every problem.
pub fn load(dir: &std::path::Path) -> Result<Vec<Schedule>, u8> {
    schedule::load_dir(dir).map_err(|errors| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        exit::USAGE
    })
}

pub fn exec(args: ScheduleArgs, settings: Settings) -> u8 {
    let schedules = match load(&args.schedules) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match args.action {
        Action::List => {
            let now = Utc::now();
            println!(
                "{:<12} {:<14} {:<16} {:<21} sources",
                "name", "cron", "tz", "next run (UTC)"
            );
            for s in &schedules {
                let next = s
                    .next_after(now)
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                    .unwrap_or_else(|| "never".into());
                let sources = if s.sources.is_empty() {
                    "(all enabled)".to_string()
                } else {
                    s.sources.join(",")
                };
                println!(
                    "{:<12} {:<14} {:<16} {:<21} {sources}",
                    s.name,
                    s.cron,
                    s.tz.name(),
                    next
                );
            }
            exit::OK
        }
        Action::Crontab => {
            print!(
                "{}",
                schedule::crontab(&schedules, &current_program(), &current_dir())
            );
            exit::OK
        }
        Action::Export {
            format,
            out,
            program,
            workdir,
            image,
        } => {
            let target = schedule::export::Target {
                program: program.unwrap_or_else(current_program),
                workdir: workdir.unwrap_or_else(current_dir),
                image,
            };
            match schedule::export::export(&schedules, format, &target) {
                Ok(files) => write_files(&files, out.as_deref()),
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::USAGE
                }
            }
        }
        Action::Daemon {
            sources,
            out,
            max_runs,
        } => daemon(&schedules, sources, out, max_runs, settings),
    }
}

/// This executable's path.
fn current_program() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "civicrawl".into())
}

/// The current directory.
fn current_dir() -> String {
    std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| ".".into())
}

/// Prints the files (a `# ==> name <==` line before each when there are several), or writes
/// them into `dir` and prints their paths.
fn write_files(files: &[(String, String)], dir: Option<&std::path::Path>) -> u8 {
    let Some(dir) = dir else {
        for (name, text) in files {
            if files.len() > 1 {
                println!("# ==> {name} <==");
            }
            print!("{text}");
        }
        return exit::OK;
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: {}: {e}", dir.display());
        return exit::FAILURE;
    }
    for (name, text) in files {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: {}: {e}", path.display());
            return exit::FAILURE;
        }
        println!("{}", path.display());
    }
    exit::OK
}

fn daemon(
    schedules: &[Schedule],
    sources: PathBuf,
    out: PathBuf,
    max_runs: Option<usize>,
    settings: Settings,
) -> u8 {
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    rt.block_on(schedule::daemon(schedules, max_runs, |s| {
        let opts = RunOptions {
            sources_dir: sources.clone(),
            only: s.sources.clone(),
            out_dir: out.clone(),
            settings: settings.clone(),
            accept_drop: false,
            wait: true,
            full: false,
            progress: pipeline::progress::Progress::hidden(),
        };
        async move {
            tracing::info!(schedule = %s.name, "scheduled run starts");
            let code = super::outcome::report(pipeline::run(&opts).await);
            tracing::info!(schedule = %s.name, exit_code = code, "scheduled run ended");
        }
    }));
    exit::OK
}
