//! Progress on a terminal: one line per running source (pages fetched, 304s, rate-limit waits
//! shown as waits, then its records), a bar for the home-page visits of `site` sources and
//! spinners for resolve and publish. Drawn only when the run asks for it (stderr a terminal,
//! no `-q`, text logs: see `cli`), so cron mail and JSON logs stay clean; log lines are then
//! written above the bars ([`LogWriter`]).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::crawl::FetchStats;

/// The bars of a run, or nothing.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Inner>>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(shown)"
        } else {
            "Progress(hidden)"
        })
    }
}

struct Inner {
    multi: MultiProgress,
    /// The lines of running sources.
    lines: Mutex<Vec<Line>>,
    stop: AtomicBool,
}

/// A running source's line: its bar, its counters, and whether it counts home-page visits
/// (`site` sources) rather than spinning.
type Line = (ProgressBar, Arc<FetchStats>, bool);

/// The bars every log line is written above, once a run draws some.
static BARS: OnceLock<MultiProgress> = OnceLock::new();

/// How often the counters are read into the lines.
const REFRESH: Duration = Duration::from_millis(120);

impl Progress {
    /// No bars.
    pub fn hidden() -> Progress {
        Progress(None)
    }

    /// Bars on stderr (indicatif draws nothing when stderr is not a terminal either).
    pub fn on_stderr() -> Progress {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let _ = BARS.set(multi.clone());
        let inner = Arc::new(Inner {
            multi,
            lines: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let weak = Arc::downgrade(&inner);
        std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                while let Some(inner) = weak.upgrade() {
                    if inner.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    inner.refresh();
                    drop(inner);
                    std::thread::sleep(REFRESH);
                }
            })
            .ok();
        Progress(Some(inner))
    }

    /// The line of a source starting now, reading `stats`; `site_visits` is the number of
    /// home pages a `site` source will visit (a bar instead of a counter).
    pub fn source(&self, id: &str, stats: &Arc<FetchStats>, site_visits: Option<u64>) {
        let Some(inner) = &self.0 else { return };
        let bar = match site_visits {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{prefix:<24.bold} [{bar:30}] {pos}/{len} home pages  {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {prefix:<22.bold} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        let bar = inner.multi.add(bar.with_prefix(id.to_string()));
        bar.enable_steady_tick(REFRESH);
        if let Ok(mut lines) = inner.lines.lock() {
            lines.push((bar, Arc::clone(stats), site_visits.is_some()));
        }
        inner.refresh();
    }

    /// A source ended: its line keeps its last figures and `how` (`412 records`, `failed`).
    pub fn source_done(&self, stats: &Arc<FetchStats>, how: &str) {
        let Some(inner) = &self.0 else { return };
        let Ok(mut lines) = inner.lines.lock() else {
            return;
        };
        if let Some(at) = lines.iter().position(|(_, s, _)| Arc::ptr_eq(s, stats)) {
            let (bar, stats, _) = lines.remove(at);
            bar.finish_with_message(format!("{}  {how}", counters(&stats)));
        }
    }

    /// A spinner for a stage (`resolving`, `publishing`), cleared when the guard drops.
    pub fn stage(&self, what: &str) -> Stage {
        let Some(inner) = &self.0 else {
            return Stage(None);
        };
        let bar = inner.multi.add(
            ProgressBar::new_spinner()
                .with_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                )
                .with_message(what.to_string()),
        );
        bar.enable_steady_tick(REFRESH);
        Stage(Some(bar))
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(lines) = self.lines.lock() {
            for (bar, _, _) in lines.iter() {
                bar.abandon();
            }
        }
    }
}

impl Inner {
    fn refresh(&self) {
        let Ok(lines) = self.lines.lock() else { return };
        for (bar, stats, visits) in lines.iter() {
            if *visits {
                bar.set_position(FetchStats::get(&stats.visits));
            }
            bar.set_message(counters(stats));
        }
    }
}

/// `12 pages · 3 × 304`, and `waiting 42 s (rate limit)` during a wait.
fn counters(stats: &FetchStats) -> String {
    let mut out = format!(
        "{} pages · {} × 304",
        FetchStats::get(&stats.requests),
        FetchStats::get(&stats.not_modified)
    );
    let waits = FetchStats::get(&stats.rate_limit_waits);
    if waits > 0 {
        out.push_str(&format!(" · {waits} rate-limit waits"));
    }
    let waiting = FetchStats::get(&stats.waiting_ms);
    if waiting > 0 {
        out.push_str(&format!(
            " · waiting {} s (rate limit)",
            waiting.div_ceil(1000)
        ));
    }
    out
}

/// A stage's spinner; cleared on drop.
pub struct Stage(Option<ProgressBar>);

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Where log lines go: stderr, above the bars when a run draws some.
#[derive(Clone, Copy, Default)]
pub struct LogWriter;

/// One log line on its way to stderr: written whole when dropped.
pub struct LogLine(Vec<u8>);

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let write = || {
            let _ = std::io::stderr().lock().write_all(&self.0);
        };
        match BARS.get() {
            Some(bars) => bars.suspend(write),
            None => write(),
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogLine;
    fn make_writer(&'a self) -> LogLine {
        LogLine(Vec::with_capacity(256))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_wait_under_way_reads_as_a_wait() {
        let stats = FetchStats::default();
        FetchStats::bump(&stats.requests, 12);
        FetchStats::bump(&stats.not_modified, 3);
        assert_eq!(counters(&stats), "12 pages · 3 × 304");
        FetchStats::bump(&stats.rate_limit_waits, 1);
        FetchStats::set(&stats.waiting_ms, 41_200);
        assert_eq!(
            counters(&stats),
            "12 pages · 3 × 304 · 1 rate-limit waits · waiting 42 s (rate limit)"
        );
        FetchStats::set(&stats.waiting_ms, 0);
        assert!(!counters(&stats).contains("waiting"));
    }
}
