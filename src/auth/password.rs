//! Password hashing with argon2id (the `argon2` crate's defaults, RFC 9106's second
//! recommended option). Hashing takes tens of milliseconds of CPU on purpose, so async callers
//! run it on the blocking pool instead of stalling a runtime worker.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// A password that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadPassword {
    /// Too short to resist guessing.
    #[error("the password has {0} characters; use at least {MIN_LEN}")]
    TooShort(usize),
    /// Hashing failed (a library error, not the user's fault).
    #[error("the password could not be hashed")]
    Hash,
}

/// Shortest accepted password.
pub const MIN_LEN: usize = 10;

/// Hashes a new password into a PHC string (algorithm, parameters and salt included).
pub fn hash(password: &str) -> Result<String, BadPassword> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(BadPassword::TooShort(n));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| BadPassword::Hash)
}

/// Whether `password` matches a stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, for checking a password against when the user does not exist,
/// so the answer takes as long for unknown names as for wrong passwords.
pub fn decoy() -> String {
    hash(&super::token::random_secret()).unwrap_or_default()
}

/// `hash` on the blocking pool.
pub async fn hash_blocking(password: String) -> Result<String, BadPassword> {
    let span = tracing::info_span!("argon2_hash");
    tokio::task::spawn_blocking(move || span.in_scope(|| hash(&password))).await.unwrap_or(Err(BadPassword::Hash))
}

/// `verify` on the blocking pool.
pub async fn verify_blocking(password: String, stored: String) -> bool {
    let span = tracing::info_span!("argon2_verify");
    tokio::task::spawn_blocking(move || span.in_scope(|| verify(&password, &stored))).await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("anything", "not a phc string"));
        assert_eq!(hash("short"), Err(BadPassword::TooShort(5)));
    }
}
