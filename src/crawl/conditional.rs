//! Conditional requests (SPEC section 2): `If-None-Match` / `If-Modified-Since` from the
//! validators of the last fetch of the same URL with the same credential; a 304 is answered
//! with the archived body. Validators live in the state store, reached through
//! [`ValidatorStore`] so that this module runs no SQL.

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
}

/// The archive and the validator store of a run.
pub struct Cache {
    pub archive: Archive,
    pub store: Box<dyn ValidatorStore>,
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
    /// The validators usable for `req`: known, and with their body still in the archive.
    pub fn usable(&self, req: &Request) -> Option<Validators> {
        let v = self.store.get(req.url.as_str(), &credential_hash(req))?;
        (v.etag.is_some() || v.last_modified.is_some())
            .then_some(())
            .filter(|_| self.archive.contains(&v.body_sha256))
            .map(|_| v)
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
