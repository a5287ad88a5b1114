//! Business software's credentials on the exchange API: a WS-Security
//! UsernameToken (OASIS WSS 1.1 UsernameToken Profile) with a
//! `PasswordDigest`, checked against the account's password.
//!
//! The digest is `Base64(SHA-1(nonce + created + password))`, so the
//! server must know the password: it is kept sealed (ChaCha20-Poly1305)
//! under a key derived from `secret.key`, bound to the account's tenant and
//! login, never in clear and never logged. A token is accepted only within
//! [`WINDOW_SECS`] of its `Created` time (and [`SKEW_SECS`] ahead of ours),
//! and each nonce once: the caller records the nonce in the store.

use super::token::Secret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use jiff::Timestamp;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};

/// How old a token's `Created` may be.
pub const WINDOW_SECS: i64 = 5 * 60;
/// How far ahead of our clock a client's `Created` may be.
pub const SKEW_SECS: i64 = 60;
/// Shortest password accepted for an API account.
pub const MIN_SECRET_CHARS: usize = 16;

/// A UsernameToken as the envelope carried it.
#[derive(Debug, Clone, Default)]
pub struct UsernameToken {
    pub username: String,
    pub password: String,
    /// The `Type` attribute said `#PasswordDigest`.
    pub digest: bool,
    /// The nonce's bytes (base64-decoded).
    pub nonce: Option<Vec<u8>>,
    /// `wsu:Created` as sent (the digest covers these very characters).
    pub created: Option<String>,
}

/// Why a token is refused. The words say what to fix, never whether the
/// account exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// No UsernameToken in a `wsse:Security` header.
    Missing,
    /// A PasswordText, or no nonce or no `Created`.
    NotDigest,
    /// `Created` is not an `xs:dateTime` with a time zone.
    BadCreated,
    /// Outside the window.
    Stale,
    /// The nonce was used before.
    Replayed,
    /// Unknown account, inactive account, or a digest that does not match.
    Failed,
}

impl TokenProblem {
    /// The fault's machine code.
    pub fn code(self) -> &'static str {
        match self {
            TokenProblem::Missing => "security-token-missing",
            TokenProblem::NotDigest => "security-token-unsupported",
            TokenProblem::BadCreated => "security-token-invalid",
            TokenProblem::Stale => "security-token-expired",
            TokenProblem::Replayed => "security-token-replayed",
            TokenProblem::Failed => "failed-authentication",
        }
    }

    /// In French, for the fault string.
    pub fn words(self) -> String {
        match self {
            TokenProblem::Missing => "Authentification requise : envoyez un en-tête wsse:Security avec un UsernameToken (WS-Security 1.1, PasswordDigest).".to_owned(),
            TokenProblem::NotDigest => "Le UsernameToken doit porter un mot de passe de type PasswordDigest, avec un Nonce et un wsu:Created.".to_owned(),
            TokenProblem::BadCreated => "wsu:Created doit être une date et heure xs:dateTime avec fuseau (ex. 2026-12-02T10:00:00Z).".to_owned(),
            TokenProblem::Stale => format!(
                "Jeton trop ancien ou daté dans le futur : wsu:Created doit dater de moins de {} minutes (vérifiez l'horloge du client).",
                WINDOW_SECS / 60
            ),
            TokenProblem::Replayed => "Ce Nonce a déjà servi : chaque appel doit porter un Nonce nouveau.".to_owned(),
            TokenProblem::Failed => "Identifiant ou mot de passe du compte d'échange incorrect.".to_owned(),
        }
    }
}

/// What the caller needs to look up before [`check`]: the token read and
/// its time judged.
pub fn precheck(token: &UsernameToken, now: Timestamp) -> Result<Timestamp, TokenProblem> {
    if token.username.is_empty() {
        return Err(TokenProblem::Missing);
    }
    let (Some(nonce), Some(created)) = (&token.nonce, &token.created) else {
        return Err(TokenProblem::NotDigest);
    };
    if !token.digest || nonce.is_empty() {
        return Err(TokenProblem::NotDigest);
    }
    let at: Timestamp = created
        .trim()
        .parse()
        .map_err(|_| TokenProblem::BadCreated)?;
    let age = now.as_second() - at.as_second();
    if !(-SKEW_SECS..=WINDOW_SECS).contains(&age) {
        return Err(TokenProblem::Stale);
    }
    Ok(at)
}

/// Whether the token's digest is the password's, in constant time.
pub fn check(token: &UsernameToken, password: &str) -> bool {
    let (Some(nonce), Some(created)) = (&token.nonce, &token.created) else {
        return false;
    };
    let expected = password_digest(nonce, created, password);
    super::same_secret(expected.as_bytes(), token.password.trim().as_bytes())
}

/// `Base64(SHA-1(nonce + created + password))`.
pub fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(nonce);
    ctx.update(created.as_bytes());
    ctx.update(password.as_bytes());
    B64.encode(ctx.finish().as_ref())
}

/// The digest a nonce is remembered under: per login, so two accounts'
/// clients drawing the same nonce do not refuse each other.
pub fn nonce_digest(login: &str, nonce: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(login.as_bytes());
    h.update(b"\n");
    h.update(nonce);
    crate::core::tracking::hex(&h.finalize())
}

fn key(secret: &Secret) -> LessSafeKey {
    let bytes = secret.subkey("api-account-secrets");
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &bytes).expect("32-byte key"))
}

fn aad(tenant_slug: &str, login: &str) -> String {
    format!("{tenant_slug}\n{login}")
}

/// The password sealed for the store: `base64(nonce ‖ ciphertext ‖ tag)`,
/// bound to the tenant and login.
pub fn seal(
    secret: &Secret,
    tenant_slug: &str,
    login: &str,
    password: &str,
) -> Result<String, getrandom::Error> {
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce)?;
    let mut data = password.as_bytes().to_vec();
    key(secret)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(tenant_slug, login).as_bytes()),
            &mut data,
        )
        .expect("sealing cannot fail for a short secret");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&data);
    Ok(B64.encode(out))
}

/// The password back, or `None` if the sealed value was not made by this
/// server's key for this tenant and login.
pub fn unseal(secret: &Secret, tenant_slug: &str, login: &str, sealed: &str) -> Option<String> {
    let raw = B64.decode(sealed).ok()?;
    if raw.len() < 12 + 16 {
        return None;
    }
    let (nonce, data) = raw.split_at(12);
    let mut data = data.to_vec();
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let clear = key(secret)
        .open_in_place(
            nonce,
            Aad::from(aad(tenant_slug, login).as_bytes()),
            &mut data,
        )
        .ok()?;
    String::from_utf8(clear.to_vec()).ok()
}

/// Why a new API password is refused, in French; `None` if it will do.
/// Software keeps its password in a file, so it can be long and random.
pub fn secret_problem(password: &str) -> Option<String> {
    if password.chars().count() < MIN_SECRET_CHARS {
        return Some(format!(
            "Le mot de passe d'un compte d'échange doit avoir au moins {MIN_SECRET_CHARS} caractères (un logiciel le garde dans sa configuration : tirez-le au hasard)."
        ));
    }
    if password.chars().any(char::is_control) {
        return Some("Le mot de passe ne doit pas contenir de caractère de contrôle.".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_the_oasis_one() {
        // Computed independently (Python's hashlib): SHA-1 over the nonce's
        // bytes, then Created's characters, then the password's.
        let nonce = B64.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        let digest = password_digest(&nonce, "2010-09-16T07:50:45Z", "userPassword");
        assert_eq!(digest, "np3emxBW68l6P2tSt3PDRwSNG+k=");
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_tenant_and_login() {
        let secret = Secret::from_bytes([7; 32]);
        let sealed = seal(&secret, "demoville", "etat-civil", "un mot de passe long").unwrap();
        assert_eq!(
            unseal(&secret, "demoville", "etat-civil", &sealed).as_deref(),
            Some("un mot de passe long")
        );
        assert_eq!(unseal(&secret, "demoville", "other", &sealed), None);
        assert_eq!(unseal(&secret, "autreville", "etat-civil", &sealed), None);
        assert_eq!(
            unseal(
                &Secret::from_bytes([8; 32]),
                "demoville",
                "etat-civil",
                &sealed
            ),
            None
        );
        assert_ne!(
            sealed,
            seal(&secret, "demoville", "etat-civil", "un mot de passe long").unwrap()
        );
    }

    #[test]
    fn tokens_are_judged_on_their_time_then_their_digest() {
        let now: Timestamp = "2026-12-02T10:00:00Z".parse().unwrap();
        let token = |created: &str| UsernameToken {
            username: "logiciel".into(),
            password: password_digest(b"0123456789abcdef", created, "secret-secret-secret"),
            digest: true,
            nonce: Some(b"0123456789abcdef".to_vec()),
            created: Some(created.into()),
        };
        let fresh = token("2026-12-02T09:58:00Z");
        assert!(precheck(&fresh, now).is_ok());
        assert!(check(&fresh, "secret-secret-secret"));
        assert!(!check(&fresh, "secret-secret-secreT"));
        assert_eq!(
            precheck(&token("2026-12-02T09:54:59Z"), now),
            Err(TokenProblem::Stale)
        );
        assert_eq!(
            precheck(&token("2026-12-02T10:01:01Z"), now),
            Err(TokenProblem::Stale)
        );
        assert_eq!(
            precheck(&token("2026-12-02T11:00:00+01:00"), now).map(|t| t.as_second()),
            Ok(now.as_second())
        );
        assert_eq!(precheck(&token("hier"), now), Err(TokenProblem::BadCreated));
        let text = UsernameToken {
            digest: false,
            ..fresh.clone()
        };
        assert_eq!(precheck(&text, now), Err(TokenProblem::NotDigest));
        let bare = UsernameToken {
            nonce: None,
            ..fresh
        };
        assert_eq!(precheck(&bare, now), Err(TokenProblem::NotDigest));
    }
}
