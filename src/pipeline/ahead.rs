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
use std::sync::{Arc, Mutex, mpsc};

use chrono::{DateTime, Utc};

use crate::kinds::RecordTap;
use crate::model::{NormRecord, RawRecord};
use crate::normalise;
use crate::report::Issue;

/// The background normaliser of a run.
pub(super) struct Ahead {
    tx: Option<mpsc::Sender<(Arc<str>, RawRecord)>>,
    /// What the thread normalised so far; `None` once [`finish`](Self::finish) took it (the
    /// thread then stops at its next record, and ends when the last tap is dropped).
    done: Arc<Mutex<Option<Memo>>>,
}

/// What [`Ahead`] normalised: (source id, record id) → the raw record and its normalisation
/// (without `fetched_at`).
#[derive(Default)]
pub(super) struct Memo(HashMap<(Arc<str>, String), Normalised>);

/// A raw record and what it normalised to.
type Normalised = (RawRecord, NormRecord, Vec<Issue>);

impl Ahead {
    /// Starts the thread (none if it cannot be started: the release normalises everything).
    pub(super) fn start() -> Self {
        let (tx, rx) = mpsc::channel::<(Arc<str>, RawRecord)>();
        let done = Arc::new(Mutex::new(Some(Memo::default())));
        let shared = Arc::clone(&done);
        let started = std::thread::Builder::new()
            .name("normalise-ahead".into())
            .spawn(move || {
                while let Ok((source, raw)) = rx.recv() {
                    if lock(&shared).is_none() {
                        break;
                    }
                    let (record, issues) = normalise::normalise(&source, &raw, None);
                    match lock(&shared).as_mut() {
                        Some(memo) => {
                            memo.0
                                .insert((source, raw.record_id.clone()), (raw, record, issues));
                        }
                        None => break,
                    }
                }
            })
            .is_ok();
        Ahead {
            tx: started.then_some(tx),
            done,
        }
    }

    /// The tap a source's task hands its records to.
    pub(super) fn tap(&self, source_id: &str) -> Option<RecordTap> {
        let tx = self.tx.clone()?;
        let source: Arc<str> = Arc::from(source_id);
        Some(Arc::new(move |raw: &RawRecord| {
            // The thread gone: the release normalises the record.
            let _ = tx.send((Arc::clone(&source), raw.clone()));
        }))
    }

    /// Takes what the thread normalised so far (waiting at most for the record under way):
    /// what it did not reach, the release normalises on every core. The thread stops.
    pub(super) fn finish(self) -> Memo {
        lock(&self.done).take().unwrap_or_default()
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        // A run that ends early (an error) stops the thread too.
        lock(&self.done).take();
    }
}

fn lock(m: &Mutex<Option<Memo>>) -> std::sync::MutexGuard<'_, Option<Memo>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
        // Let the thread take both before it is stopped (however loaded the machine).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while lock(&ahead.done).as_ref().map_or(0, Memo::len) < 2
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
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
