//! The HMAC primitives the schemes sign with.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

type HmacSha1 = Hmac<Sha1>;
/// HMAC-SHA256, the MAC of the V4 schemes.
pub(super) type HmacSha256 = Hmac<Sha256>;

/// A MAC keyed with `key`.
pub(super) fn new_mac<M: KeyInit + Mac>(key: &[u8]) -> M {
    // HMAC accepts keys of every length, so this never fails.
    match <M as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// HMAC-SHA1 of `msg` under `key`.
pub(super) fn hmac_sha1(key: &[u8], msg: &str) -> [u8; 20] {
    let mut mac = new_mac::<HmacSha1>(key);
    mac.update(msg.as_bytes());
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256 of `msg` under `key`.
pub(super) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = new_mac::<HmacSha256>(key);
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Whether `provided` is the HMAC-SHA1 of `msg` under `key` (constant-time compare).
pub(super) fn verify_sha1(key: &[u8], msg: &[u8], provided: &[u8]) -> bool {
    let mut mac = new_mac::<HmacSha1>(key);
    mac.update(msg);
    mac.verify_slice(provided).is_ok()
}
