//! civicrawl keeps an open catalogue of civic-tech and open-government tools alive.
//!
//! ```text
//! sources/*.toml ─► crawl ─► extract (kinds) ─► normalise ─► resolve ─► publish
//! ```
//!
//! * [`declare`] reads and validates `sources/*.toml`;
//! * [`crawl`] is the only module that sends requests (politeness, robots.txt, retries);
//! * [`kinds`] turns responses into source records, one module per `kind`;
//! * [`normalise`] gives URLs, text and codes their canonical form;
//! * [`resolve`] merges records of one tool and gives it a stable id;
//! * [`publish`] writes an immutable release directory and switches `latest`;
//! * [`pipeline`] wires the stages; [`cli`] is the command line.

pub mod cli;
pub mod clock;
pub mod crawl;
pub mod declare;
pub mod failpoint;
pub mod kinds;
pub mod model;
pub mod normalise;
pub mod pipeline;
#[cfg(test)]
mod proptests;
pub mod publish;
pub mod report;
pub mod resolve;
pub mod schedule;
pub mod settings;
pub mod state;

/// mimalloc instead of the system allocator: a catalogue is millions of short strings, and
/// glibc's malloc spends a growing share of the time consolidating its free lists as the heap
/// grows (BENCHMARKS.md, "resolve"), and rounds each of them up to 32 bytes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
