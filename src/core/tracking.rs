//! Public references and secret tracking codes.

use sha2::{Digest, Sha256};
use std::fmt;

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or
/// copied by hand is hard to get wrong.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of random bytes in a tracking code (80 bits).
pub const TRACKING_BYTES: usize = 10;

/// The secret a citizen uses to follow a request: 80 random bits written as
/// 16 Crockford base-32 characters in four groups, `7K3Q-M9XD-2HBT-W4NE`.
/// Only its digest is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TrackingCode(String);

impl TrackingCode {
    /// Builds a code from random bytes supplied by the caller (the core does no I/O).
    pub fn from_random(bytes: [u8; TRACKING_BYTES]) -> TrackingCode {
        let mut bits: u128 = 0;
        for b in bytes {
            bits = (bits << 8) | u128::from(b);
        }
        let chars = (0..16)
            .rev()
            .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
            .collect();
        TrackingCode(chars)
    }

    /// Reads a code typed by a person: case, spaces and hyphens do not matter,
    /// and the look-alikes I, L (for 1) and O (for 0) are accepted.
    pub fn parse(text: &str) -> Option<TrackingCode> {
        let mut code = String::with_capacity(16);
        for c in text.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' | '\u{a0}' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return None,
            };
            code.push(c);
        }
        (code.len() == 16).then_some(TrackingCode(code))
    }

    /// SHA-256 of the canonical code, hex: what the store keeps and looks up.
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

/// Lower-case hexadecimal of some bytes (digests).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
    }
}

impl fmt::Debug for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrackingCode(****)")
    }
}

/// A request's public reference: sequential per tenant and year, `2026-000123`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub year: i16,
    pub number: u32,
}

impl Reference {
    /// `2026-000123` (leading zeros optional, in the number only: the year
    /// is a year of four digits, so that what is read writes back alike).
    pub fn parse(text: &str) -> Option<Reference> {
        let (year, number) = text.trim().split_once('-')?;
        if year.len() != 4 || year.starts_with('0') || number.is_empty() || number.len() > 9 {
            return None;
        }
        if !year
            .bytes()
            .chain(number.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(Reference {
            year: year.parse().ok()?,
            number: number.parse().ok()?,
        })
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_reads_back_as_it_writes() {
        let r = Reference::parse(" 2026-123 ").unwrap();
        assert_eq!(r.to_string(), "2026-000123");
        assert_eq!(Reference::parse(&r.to_string()), Some(r));
        // Found by the `codes` fuzz target: a year written with a leading
        // zero was read as 226 and written "226-000202", which reads as nothing.
        assert_eq!(Reference::parse("0226-202"), None);
        assert_eq!(Reference::parse("2026-"), None);
        assert_eq!(Reference::parse("2026-1234567890"), None);
    }

    #[test]
    fn codes_are_16_readable_characters_in_groups() {
        let code = TrackingCode::from_random([0xff; 10]);
        assert_eq!(code.to_string(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        let code = TrackingCode::from_random([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(code.to_string().len(), 19);
        assert_eq!(TrackingCode::parse(&code.to_string()), Some(code.clone()));
    }

    #[test]
    fn typed_codes_are_forgiving_but_exact_in_length() {
        let code = TrackingCode::parse("7k3q m9xd 2hbt w4ne").unwrap();
        assert_eq!(code.to_string(), "7K3Q-M9XD-2HBT-W4NE");
        assert_eq!(
            TrackingCode::parse("ILO0-0000-0000-0000")
                .unwrap()
                .to_string(),
            "1100-0000-0000-0000"
        );
        assert_eq!(TrackingCode::parse("7K3Q-M9XD-2HBT"), None);
        assert_eq!(TrackingCode::parse("7K3Q-M9XD-2HBT-W4NU"), None);
        assert_eq!(code.digest().len(), 64);
        assert_ne!(code.digest(), TrackingCode::from_random([0; 10]).digest());
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(
            Reference {
                year: 2026,
                number: 1
            }
            .to_string(),
            "2026-000001"
        );
        assert_eq!(
            Reference {
                year: 2026,
                number: 1_234_567
            }
            .to_string(),
            "2026-1234567"
        );
    }
}
