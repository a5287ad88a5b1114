//! Agents' and citizens' credentials: Argon2id password hashes, the
//! strength of a citizen's new password, session tokens, and the
//! throttling of failed logins.
//!
//! Passwords are kept only as PHC strings (`$argon2id$v=19$…`, salt
//! included). A session is a random 256-bit token in a cookie; the store
//! keeps only its SHA-256. Failed logins are counted per tenant, login and
//! client address: after [`FREE_FAILURES`] the next attempt must wait, the
//! wait doubling at each new failure up to [`MAX_WAIT_SECS`].

pub mod api;
pub mod openid;
pub mod token;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// Shortest password accepted for a new agent.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Failed attempts allowed before waits begin.
pub const FREE_FAILURES: u32 = 5;
pub const MAX_WAIT_SECS: i64 = 15 * 60;
/// How long a session lasts without a new login.
pub const SESSION_SECS: i64 = 10 * 3600;

/// A password could not be hashed (the hasher's parameters or the random
/// source failed).
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct PasswordError(String);

/// An agent's login: 2 to 40 lower-case letters, digits, dots or dashes.
pub fn valid_login(login: &str) -> bool {
    (2..=40).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// Why a new citizen's password is refused: shorter than
/// [`MIN_PASSWORD_CHARS`] (`too-short`), or among the passwords guessed
/// first — the most common ones, words, dates, keyboard walks, the
/// person's own address or the town's name (`too-common`: zxcvbn's
/// estimate below 10^10 guesses, its score 3).
pub fn password_problem(password: &str, personal: &[&str]) -> Option<&'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some("too-short");
    }
    (zxcvbn::zxcvbn(password, personal).score() < zxcvbn::Score::Three).then_some("too-common")
}

pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError(e.to_string()))
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A new session token (for the cookie) and its digest (for the store).
pub fn new_session() -> Result<(String, String), getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let token = crate::core::tracking::hex(&bytes);
    let digest = session_digest(&token);
    Ok((token, digest))
}

pub fn session_digest(token: &str) -> String {
    crate::core::tracking::hex(&Sha256::digest(token.as_bytes()))
}

/// Whether two secrets (a token's MAC, a digest, an API key) are equal,
/// in a time that does not depend on where they differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Seconds to wait before trying again after `count` failures, the last
/// at `last` (0: now). The counts are kept in the store
/// (`usecases::throttle`), so every node throttles alike.
pub fn throttle_wait(count: u32, last: i64, now: i64) -> i64 {
    if count < FREE_FAILURES {
        return 0;
    }
    let wait = (30i64 << (count - FREE_FAILURES).min(10)).min(MAX_WAIT_SECS);
    (last + wait - now).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterie", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        assert_eq!(password_problem("court", &[]), Some("too-short"));
        for common in [
            "password1234",
            "azertyuiop123",
            "123456789012",
            "motdepasse2024",
        ] {
            assert_eq!(
                password_problem(common, &[]),
                Some("too-common"),
                "{common}"
            );
        }
        assert_eq!(
            password_problem("zoe.lefevre@example.fr", &["zoe.lefevre@example.fr"]),
            Some("too-common")
        );
        assert_eq!(password_problem("Lune-verte-sous-la-pluie-7", &[]), None);
    }

    #[test]
    fn failures_make_the_next_attempt_wait_longer_each_time() {
        assert_eq!(throttle_wait(FREE_FAILURES - 1, 100, 100), 0);
        assert_eq!(throttle_wait(FREE_FAILURES, 100, 100), 30);
        assert_eq!(throttle_wait(FREE_FAILURES, 100, 130), 0);
        assert_eq!(throttle_wait(FREE_FAILURES + 1, 130, 130), 60);
        assert_eq!(throttle_wait(FREE_FAILURES + 20, 0, 0), MAX_WAIT_SECS);
    }
}
