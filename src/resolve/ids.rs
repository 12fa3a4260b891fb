//! Tool ids: `ct_` + 12 characters (lowercase base32) of the SHA-256 of a canonical key.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The id derived from `key` (e.g. `repo:https://github.com/decidim/decidim`).
pub fn tool_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut bits: u64 = 0;
    for b in &digest[..8] {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut id = String::from("ct_");
    for i in 0..12 {
        let idx = (bits >> (59 - 5 * i)) & 31;
        id.push(ALPHABET[idx as usize] as char);
    }
    id
}
