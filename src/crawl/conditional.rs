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
    /// Records an ask under the revisit policy that brought no new body (see
    /// [`Validators::unchanged`] and [`Validators::asked_at`]); the validators stay.
    fn put_revisit(
        &self,
        url: &str,
        cred: &str,
        unchanged: u32,
        asked_at: Option<chrono::DateTime<chrono::Utc>>,
    );
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
    /// True when `v` can make a request conditional: it has a validator and its body is
    /// still in the archive.
    pub fn conditional(&self, v: &Validators) -> bool {
        (v.etag.is_some() || v.last_modified.is_some()) && self.archive.contains(&v.body_sha256)
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
