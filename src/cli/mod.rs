//! The command line (SPEC section 3): clap, logging, error printing and exit codes. The only
//! module that reads argv or the environment, or prints.

mod build;
mod diff;
mod outcome;
mod run;
mod schedule;
mod sources;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::settings::Settings;

/// Exit codes (SPEC section 3).
pub mod exit {
    /// Every source succeeded and a release was published.
    pub const OK: u8 = 0;
    /// Any other failure: no release published, the previous release untouched.
    pub const FAILURE: u8 = 1;
    /// Usage or configuration error: nothing fetched.
    pub const USAGE: u8 = 2;
    /// A release was published but at least one source failed or was kept stale.
    pub const PARTIAL: u8 = 3;
    /// Another run holds the lock.
    pub const LOCKED: u8 = 4;
}

/// civicrawl keeps an open catalogue of civic-tech and open-government tools alive: it crawls
/// the declared sources politely, normalises and deduplicates the tool records and publishes a
/// dated open-data release (CSV, JSON, JSONL, Parquet).
///
/// Exit codes: 0 all sources succeeded and a release was published; 3 a release was published
/// but at least one source failed; 2 usage or configuration error (nothing fetched); 4 another
/// run holds the lock; 1 any other failure (nothing published, previous release untouched).
#[derive(Debug, Parser)]
#[command(name = "civicrawl", version, max_term_width = 100)]
pub struct Cli {
    /// More log output (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Less log output (-q: warnings and errors only, -qq: errors only).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    quiet: u8,
    /// Log line format on stderr.
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Settings file (default: `civicrawl.toml` in the working directory, if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Crawl the declared sources, then normalise, resolve and publish a release.
    Run(run::RunArgs),
    /// Rebuild a release from the state store and the archive, with no network.
    Build(build::BuildArgs),
    /// List or check the source declarations (no network).
    Sources(sources::SourcesArgs),
    /// Compare two release directories: tools added, removed, changed; id aliases.
    Diff(diff::DiffArgs),
    /// List the schedules, print crontab lines for them, or run them in-process.
    Schedule(schedule::ScheduleArgs),
    /// Is the catalogue fresh? The latest release's age and each source's health, for people
    /// and for alarms (exit 0 fresh, 3 some source stale, 1 no release or too old).
    Status(status::StatusArgs),
}

/// Whether this process draws progress bars (set once the flags are read).
static SHOW_PROGRESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The run's progress bars: on stderr when a person is watching, else none.
fn progress() -> crate::pipeline::progress::Progress {
    if SHOW_PROGRESS.load(std::sync::atomic::Ordering::Relaxed) {
        crate::pipeline::progress::Progress::on_stderr()
    } else {
        crate::pipeline::progress::Progress::hidden()
    }
}

/// Parses argv, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging(cli.verbose, cli.quiet, cli.log_format);
    // Bars only for a person at a terminal: not under -q, not with JSON logs, not when
    // stderr is a pipe or a file (cron mail), never with CIVICRAWL_NO_PROGRESS set.
    SHOW_PROGRESS.store(
        cli.quiet == 0
            && matches!(cli.log_format, LogFormat::Text)
            && std::io::IsTerminal::is_terminal(&std::io::stderr())
            && std::env::var_os("CIVICRAWL_NO_PROGRESS").is_none(),
        std::sync::atomic::Ordering::Relaxed,
    );
    let settings = match load_settings(cli.config.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let code = match cli.command {
        Command::Run(args) => run::exec(args, settings),
        Command::Build(args) => build::exec(args, settings),
        Command::Sources(args) => sources::exec(args),
        Command::Diff(args) => diff::exec(args),
        Command::Schedule(args) => schedule::exec(args, settings),
        Command::Status(args) => status::exec(args),
    };
    ExitCode::from(code)
}

fn load_settings(path: Option<&PathBuf>) -> Result<Settings, crate::settings::SettingsError> {
    match path {
        Some(p) => Settings::load(p, true),
        None => Settings::load(std::path::Path::new("civicrawl.toml"), false),
    }
}

fn init_logging(verbose: u8, quiet: u8, format: LogFormat) {
    let level = match (verbose, quiet) {
        (0, 0) => "info",
        (1, _) => "debug",
        (v, _) if v >= 2 => "trace",
        (_, 1) => "warn",
        _ => "error",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CIVICRAWL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("civicrawl={level},warn")));
    // Colours only on a terminal (cron mails and log files get plain text), never with NO_COLOR.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::pipeline::progress::LogWriter)
        .with_ansi(ansi)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// A tokio runtime for one command.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}
