//! Conditional requests (SPEC section 2): `If-None-Match` / `If-Modified-Since` from the
//! validators of the last fetch of the same URL with the same credential; a 304 is answered
//! with the archived body. Validators live in the state store, reached through
//! [`ValidatorStore`] so that this module runs no SQL.
//!
//! A fetch's validators name its body in the archive, so they are committed only once that
//! body is durable: they wait in the cache ([`Cache::remember`]) and [`Cache::flush`] syncs
//! the archive's batch, then commits them in one write. A flush happens every
//! [`FLUSH_EVERY`] bodies and when a source's crawl ends (before its records are saved); a
//! process killed in between loses the waiting validators, and the next run fetches those
//! pages in full.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::Request;
use super::archive::Archive;
use crate::model::Validators;

/// Where validators are kept between runs (the state store, in practice).
pub trait ValidatorStore: Send + Sync {
    /// The validators of `url` fetched with credential hash `cred`.
    fn get(&self, url: &str, cred: &str) -> Option<Validators>;
    /// Records the validators of a fetch whose body is archived.
    fn put(&self, url: &str, cred: &str, validators: &Validators);
    /// Records an ask under the revisit policy that brought no new body (see
    /// [`Validators::unchanged`] and [`Validators::asked_at`]); the validators stay.
    fn put_revisit(
        &self,
        url: &str,
        cred: &str,
        unchanged: u32,
        asked_at: Option<chrono::DateTime<chrono::Utc>>,
    );
    /// Records many at once (one transaction, where the store has them).
    fn put_many(&self, batch: &[(String, String, Validators)]) {
        for (url, cred, v) in batch {
            self.put(url, cred, v);
        }
    }
}

/// Bodies archived between two flushes at most.
pub const FLUSH_EVERY: usize = 1_000;

/// The archive and the validator store of a run.
pub struct Cache {
    archive: Archive,
    store: Box<dyn ValidatorStore>,
    /// Validators of bodies archived since the last flush, by (URL, credential hash).
    waiting: Mutex<HashMap<(String, String), Validators>>,
}

/// A short hash of the credential a request carries (`""` when anonymous): GitHub's ETags
/// are per token, so validators are kept per credential, without keeping the credential.
pub fn credential_hash(req: &Request) -> String {
    match &req.bearer {
        None => String::new(),
        Some(token) => {
            let digest = Sha256::digest(token.expose().as_bytes());
            digest[..8].iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

impl Cache {
    /// The cache of a run over `archive` and `store`.
    pub fn new(archive: Archive, store: Box<dyn ValidatorStore>) -> Cache {
        Cache {
            archive,
            store,
            waiting: Mutex::default(),
        }
    }

    /// The archive.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Validators>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The validators known for `req`: this run's not yet flushed first, else the store's.
    pub fn known(&self, req: &Request) -> Option<Validators> {
        let url = req.url.as_str();
        let cred = credential_hash(req);
        let waiting = self
            .waiting()
            .get(&(url.to_string(), cred.clone()))
            .cloned();
        waiting.or_else(|| self.store.get(url, &cred))
    }

    /// True when `v` can make a request conditional: it has a validator and its body is
    /// still in the archive.
    pub fn conditional(&self, v: &Validators) -> bool {
        (v.etag.is_some() || v.last_modified.is_some()) && self.archive.contains(&v.body_sha256)
    }

    /// Records an ask under the revisit policy that brought no new body (the validators
    /// stay): see [`ValidatorStore::put_revisit`].
    pub fn put_revisit(
        &self,
        url: &str,
        cred: &str,
        unchanged: u32,
        asked_at: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        self.store.put_revisit(url, cred, unchanged, asked_at);
    }

    /// Archives `body` and keeps the validators of `req`'s fetch until the next flush;
    /// flushes when [`FLUSH_EVERY`] are waiting. Returns the body's SHA-256.
    pub fn remember(
        &self,
        req: &Request,
        body: &[u8],
        validators: impl FnOnce(String) -> Validators,
    ) -> std::io::Result<String> {
        let sha = self.archive.put(body)?;
        let key = (req.url.to_string(), credential_hash(req));
        let full = {
            let mut waiting = self.waiting();
            waiting.insert(key, validators(sha.clone()));
            waiting.len() >= FLUSH_EVERY
        };
        if full {
            self.flush()?;
        }
        Ok(sha)
    }

    /// Makes the bodies archived so far durable, then commits their validators. Call before
    /// saving records that were read from those bodies. When the archive cannot be synced,
    /// the validators are dropped (the next run fetches those pages in full).
    pub fn flush(&self) -> std::io::Result<()> {
        // Taken before the sync: every body they name was put before, so the sync covers it.
        let batch: Vec<(String, String, Validators)> = std::mem::take(&mut *self.waiting())
            .into_iter()
            .map(|((url, cred), v)| (url, cred, v))
            .collect();
        self.archive.sync()?;
        if !batch.is_empty() {
            self.store.put_many(&batch);
            crate::failpoint::hit("crawl-after-archive");
        }
        Ok(())
    }
}

/// `req` with the conditional headers of `v` added.
pub fn conditional_request(req: &Request, v: &Validators) -> Request {
    let mut req = req.clone();
    if let Some(etag) = &v.etag {
        req.headers.push(("if-none-match".into(), etag.clone()));
    }
    if let Some(lm) = &v.last_modified {
        req.headers.push(("if-modified-since".into(), lm.clone()));
    }
    req
}
