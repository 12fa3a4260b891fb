//! Records normalised while the crawl still runs: the release's heaviest step (language
//! detection, stemming) moved onto the core the crawl leaves idle while it waits on the
//! network.
//!
//! Each record a source's walk keeps (`kinds::mapping::Collector`) is handed to one
//! background thread through the source task's [`kinds::RecordTap`]; the thread normalises it
//! and keeps the result under (source, record id) with the raw record it was made from.
//! The release ([`Resolution::of`](super::release::Resolution)) takes a result only for a
//! stored record equal to that raw record (the normalisation is a pure function of the source
//! id and the raw record; `fetched_at` is set from the store); any other record (one
//! changed after it was collected, kept from an earlier run, or not reached before the crawl
//! ended) is normalised there as before. So the release is the same with or without it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};

use crate::kinds::RecordTap;
use crate::model::{NormRecord, RawRecord};
use crate::normalise;
use crate::report::Issue;

/// The background normaliser of a run.
pub(super) struct Ahead {
    tx: Option<mpsc::Sender<(Arc<str>, RawRecord)>>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<Memo>>,
}

/// What [`Ahead`] normalised: (source id, record id) → the raw record and its normalisation
/// (without `fetched_at`).
#[derive(Default)]
pub(super) struct Memo(HashMap<(Arc<str>, String), (RawRecord, NormRecord, Vec<Issue>)>);

impl Ahead {
    /// Starts the thread (none if it cannot be started: the release normalises everything).
    pub(super) fn start() -> Self {
        let (tx, rx) = mpsc::channel::<(Arc<str>, RawRecord)>();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let worker = std::thread::Builder::new()
            .name("normalise-ahead".into())
            .spawn(move || {
                let mut memo = Memo::default();
                while let Ok((source, raw)) = rx.recv() {
                    if stopping.load(Ordering::Relaxed) {
                        break;
                    }
                    let (record, issues) = normalise::normalise(&source, &raw, None);
                    memo.0
                        .insert((source, raw.record_id.clone()), (raw, record, issues));
                }
                memo
            })
            .ok();
        Ahead {
            tx: worker.as_ref().map(|_| tx),
            stop,
            worker,
        }
    }

    /// The tap a source's task hands its records to.
    pub(super) fn tap(&self, source_id: &str) -> Option<RecordTap> {
        let tx = self.tx.clone()?;
        let source: Arc<str> = Arc::from(source_id);
        Some(Arc::new(move |raw: &RawRecord| {
            // The thread gone (it only ends when told): the release normalises the record.
            let _ = tx.send((Arc::clone(&source), raw.clone()));
        }))
    }

    /// Stops the thread where it is (what it did not reach, the release normalises on every
    /// core) and gives back what it normalised.
    pub(super) fn finish(mut self) -> Memo {
        self.stop.store(true, Ordering::Relaxed);
        self.tx = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(memo)) => memo,
            _ => Memo::default(),
        }
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        // A run that ends early (an error) does not wait for the backlog.
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Memo {
    /// Records normalised ahead.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    /// `raw` of `source_id` normalised, fetched at `fetched_at`: from the memo when it holds
    /// this very record, else normalised now.
    pub(super) fn normalise(
        &self,
        source_id: &str,
        raw: &RawRecord,
        fetched_at: Option<DateTime<Utc>>,
    ) -> (NormRecord, Vec<Issue>) {
        let key = (Arc::<str>::from(source_id), raw.record_id.clone());
        match self.0.get(&key) {
            Some((seen, record, issues)) if seen == raw => {
                let mut record = record.clone();
                record.fetched_at = fetched_at;
                (record, issues.clone())
            }
            _ => normalise::normalise(source_id, raw, fetched_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(id: &str, description: &str) -> RawRecord {
        RawRecord {
            record_id: id.into(),
            source_url: format!("https://dir.test/{id}"),
            fields: [
                ("name".to_string(), vec![format!("Tool {id}")]),
                ("description".to_string(), vec![description.to_string()]),
                ("license".to_string(), vec!["not a licence".to_string()]),
            ]
            .into_iter()
            .collect(),
            ..RawRecord::default()
        }
    }

    #[test]
    fn records_normalised_ahead_equal_the_release_s_own() {
        let ahead = Ahead::start();
        let tap = ahead.tap("s").expect("a thread");
        let fr = "Outil libre de gestion des demandes citoyennes pour les mairies de France";
        let a = raw("1", fr);
        let b = raw(
            "2",
            "An open source platform for participatory budgeting in cities",
        );
        tap(&a);
        tap(&b);
        drop(tap);
        // Let the thread take both before it is stopped.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let memo = ahead.finish();
        assert_eq!(memo.len(), 2);
        let at = Some(crate::clock::now());
        for r in [&a, &b] {
            assert_eq!(memo.normalise("s", r, at), normalise::normalise("s", r, at));
        }
        // A record changed since it was tapped, another source's, one never tapped: normalised
        // from what is stored.
        let changed = raw(
            "1",
            "Une autre description, assez longue pour en lire la langue",
        );
        assert_eq!(
            memo.normalise("s", &changed, at),
            normalise::normalise("s", &changed, at)
        );
        assert_eq!(
            memo.normalise("t", &a, at),
            normalise::normalise("t", &a, at)
        );
        let other = raw("3", fr);
        assert_eq!(
            memo.normalise("s", &other, at),
            normalise::normalise("s", &other, at)
        );
    }

    #[test]
    fn a_stopped_thread_leaves_the_rest_to_the_release() {
        let ahead = Ahead::start();
        let tap = ahead.tap("s").expect("a thread");
        let memo = ahead.finish();
        tap(&raw(
            "1",
            "Too late: the thread has stopped and dropped its receiver",
        ));
        assert_eq!(memo.len(), 0);
    }
}
