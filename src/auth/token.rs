//! Anti-forgery tokens for forms, without cookies (the pages live in other
//! sites' iframes, where third-party cookies are often blocked).
//!
//! A form carries `issued.mac`, where `mac` is HMAC-SHA256 of the tenant, the
//! form and the issue time under the server's secret. A POST is accepted only
//! with a valid token younger than [`MAX_AGE_SECS`], and, when the browser says
//! where it comes from (`Origin`, `Sec-Fetch-Site`), only from Guichet's own
//! pages.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::path::Path;

pub const MAX_AGE_SECS: i64 = 4 * 3600;

pub struct Secret([u8; 32]);

/// A 32-byte key written as 64 hexadecimal digits (`secret.key`,
/// `GUICHET_SECRET`); `None` for anything else.
pub fn key_from_hex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..32)
        .map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    <[u8; 32]>::try_from(bytes?.as_slice()).ok()
}

impl Secret {
    /// Reads `DIR/secret.key`, creating it (random, owner-only) on first start.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Secret> {
        let path = dir.join("secret.key");
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Some(key) = key_from_hex(&text) {
                return Ok(Secret(key));
            }
            tracing::warn!(file = %path.display(), "secret.key is malformed; writing a new one");
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| std::io::Error::other(e.to_string()))?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        std::fs::create_dir_all(dir)?;
        std::fs::write(&path, hex + "\n")?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(Secret(key))
    }

    pub fn from_bytes(key: [u8; 32]) -> Secret {
        Secret(key)
    }

    /// A key of its own for `purpose`, derived from the secret (HMAC), so
    /// one key never serves two uses.
    pub fn subkey(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(b"guichet subkey\n");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn mac(&self, purpose: &str, issued: i64) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\n");
        mac.update(issued.to_string().as_bytes());
        crate::core::tracking::hex(&mac.finalize().into_bytes())
    }

    /// The seal of a link that opens one thing for good (e.g.
    /// `demoville/satisfaction/2026-000012`): 128 bits of an HMAC of
    /// `purpose` under a key of its own, in hex. Whoever has the link may
    /// use it; no one can make one.
    pub fn seal(&self, purpose: &str) -> String {
        let key = self.subkey("link seal");
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("any key length");
        mac.update(purpose.as_bytes());
        crate::core::tracking::hex(&mac.finalize().into_bytes()[..16])
    }

    /// Whether `seal` is [`Secret::seal`]'s for `purpose`, in constant time.
    pub fn opens(&self, purpose: &str, seal: &str) -> bool {
        super::same_secret(self.seal(purpose).as_bytes(), seal.as_bytes())
    }

    /// A token for `purpose` (e.g. `demoville/form/room-booking`) issued at `now` (Unix seconds).
    pub fn issue(&self, purpose: &str, now: i64) -> String {
        format!("{now}.{}", self.mac(purpose, now))
    }

    /// Whether `token` was issued by us for `purpose` and is still young.
    pub fn verify(&self, purpose: &str, token: &str, now: i64) -> bool {
        let Some((issued, mac)) = token.split_once('.') else {
            return false;
        };
        let Ok(issued) = issued.parse::<i64>() else {
            return false;
        };
        if now < issued - 60 || now - issued > MAX_AGE_SECS {
            return false;
        }
        let expected = self.mac(purpose, issued);
        super::same_secret(expected.as_bytes(), mac.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_opens_its_own_link_only() {
        let secret = Secret::from_bytes([7; 32]);
        let seal = secret.seal("demoville/satisfaction/2026-000012");
        assert_eq!(seal.len(), 32);
        assert!(secret.opens("demoville/satisfaction/2026-000012", &seal));
        assert!(!secret.opens("demoville/satisfaction/2026-000013", &seal));
        assert!(!secret.opens("autreville/satisfaction/2026-000012", &seal));
        assert!(!Secret::from_bytes([8; 32]).opens("demoville/satisfaction/2026-000012", &seal));
        assert!(!secret.opens("demoville/satisfaction/2026-000012", &seal[..31]));
    }

    #[test]
    fn tokens_are_bound_to_purpose_and_age() {
        let s = Secret([7; 32]);
        let t = s.issue("demoville/form/a", 1_000_000);
        assert!(s.verify("demoville/form/a", &t, 1_000_100));
        assert!(!s.verify("demoville/form/b", &t, 1_000_100));
        assert!(!s.verify("demoville/form/a", &t, 1_000_000 + MAX_AGE_SECS + 1));
        assert!(!Secret([8; 32]).verify("demoville/form/a", &t, 1_000_100));
        assert!(!s.verify("demoville/form/a", "1000000.00", 1_000_100));
        assert!(!s.verify("demoville/form/a", "", 1_000_100));
    }
}
