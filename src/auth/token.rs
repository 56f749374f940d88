//! Session and API tokens: 32 random bytes, URL-safe base64, looked up by their SHA-256.
//!
//! The random value goes to the client once (cookie or printed token); the store keeps only the
//! digest. SHA-256 without a salt is enough here because the input is 256 random bits, not
//! something a person chose.

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of API tokens, so a leaked one is recognisable in logs and secret scanners.
pub const API_TOKEN_PREFIX: &str = "pm_";

/// 32 random bytes from the OS generator, URL-safe base64 without padding (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex digits of a digest that name a token in lists and `revoke` (48 bits: no two of one
/// user's tokens share them in practice, and they say nothing about the token).
pub const ID_LEN: usize = 12;

/// Whether `s` could be a token id ([`ID_LEN`] lower-case hex digits).
pub fn is_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new API token.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_secret())
}

/// The lower-case hex SHA-256 the store keys tokens by.
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_are_stable() {
        let a = random_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_secret());
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(new_api_token().starts_with("pm_"));
    }
}
