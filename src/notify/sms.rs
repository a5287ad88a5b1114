//! SMS texts: which alphabet a text needs and how many parts it takes.
//!
//! A text written only with the GSM 03.38 default alphabet (and its
//! extension table, whose characters count double) is sent as GSM-7: 160
//! characters in one SMS, 153 per part when concatenated. Any other character
//! (an "œ", an emoji, a typographic apostrophe) makes the whole message UCS-2:
//! 70 characters, 67 per part, counted in UTF-16 units.

use super::SendError;

/// The GSM 03.38 default alphabet.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Characters of the extension table (sent as escape + character).
const GSM7_EXTENDED: &str = "^{}\\[~]|€\u{c}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// How a text travels as SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Length in the encoding's units (septets for GSM-7, UTF-16 units for UCS-2).
    pub units: usize,
    /// Number of SMS the text takes (1 if it fits in one).
    pub parts: usize,
}

fn gsm7_units(text: &str) -> Option<usize> {
    text.chars().try_fold(0usize, |n, c| {
        if GSM7_BASIC.contains(c) {
            Some(n + 1)
        } else if GSM7_EXTENDED.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    })
}

pub fn segments(text: &str) -> Segments {
    let (encoding, units, single, part) = match gsm7_units(text) {
        Some(units) => (Encoding::Gsm7, units, 160, 153),
        None => (Encoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let parts = if units <= single {
        1
    } else {
        units.div_ceil(part)
    };
    Segments {
        encoding,
        units,
        parts,
    }
}

/// Most parts a citizen's SMS may take; longer texts are cut.
pub const MAX_PARTS: usize = 3;

/// The text made GSM-7 where it can be, and cut (with "...") to fit in
/// `max_parts` parts; with how many parts it takes.
pub fn prepare(text: &str, max_parts: usize) -> (String, Segments) {
    let mut text = to_gsm7_friendly(text.trim());
    let mut s = segments(&text);
    if s.parts > max_parts {
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate: String = chars.iter().collect::<String>() + "...";
            let cs = segments(&candidate);
            if cs.parts <= max_parts {
                text = candidate;
                s = cs;
                break;
            }
        }
    }
    (text, s)
}

/// Typographic characters replaced by GSM-7 ones, so that a French text
/// written with ’ « » … stays in 160-character parts.
pub fn to_gsm7_friendly(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '’' | '‘' | 'ʼ' => "'".to_owned(),
            '«' | '»' | '“' | '”' => "\"".to_owned(),
            '…' => "...".to_owned(),
            '–' | '—' => "-".to_owned(),
            '\u{a0}' | '\u{202f}' => " ".to_owned(),
            'ê' | 'ë' => "e".to_owned(),
            'â' => "a".to_owned(),
            'î' | 'ï' => "i".to_owned(),
            'ô' => "o".to_owned(),
            'û' => "u".to_owned(),
            'ç' => "c".to_owned(),
            'œ' => "oe".to_owned(),
            'Œ' => "OE".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_texts_take_160_then_153_per_part() {
        let s = segments("Votre demande 2026-000001 est enregistrée. Réponse avant le 2 décembre.");
        assert_eq!(s.encoding, Encoding::Gsm7);
        assert_eq!(s.parts, 1);
        assert_eq!(segments(&"a".repeat(160)).parts, 1);
        assert_eq!(segments(&"a".repeat(161)).parts, 2);
        assert_eq!(segments(&"a".repeat(306)).parts, 2);
        assert_eq!(segments(&"a".repeat(307)).parts, 3);
        // The euro sign counts double.
        let euro = segments(&format!("{}€", "a".repeat(158)));
        assert_eq!((euro.units, euro.parts), (160, 1));
    }

    #[test]
    fn one_other_character_makes_it_ucs2() {
        let s = segments("Démarche terminée ✅");
        assert_eq!(s.encoding, Encoding::Ucs2);
        assert_eq!(segments(&"œ".repeat(70)).parts, 1);
        assert_eq!(segments(&"œ".repeat(71)).parts, 2);
        assert_eq!(segments(&"œ".repeat(135)).parts, 3);
        // Outside the BMP a character is two UTF-16 units.
        assert_eq!(segments("😀").units, 2);
    }

    #[test]
    fn long_texts_are_cut_to_the_parts_allowed() {
        let (text, s) = prepare(&"Votre demande avance. ".repeat(40), 3);
        assert_eq!((s.encoding, s.parts), (Encoding::Gsm7, 3));
        assert!(text.ends_with("..."));
        assert!(s.units <= 3 * 153);
        let (text, s) = prepare(&"Démarche ✅ ".repeat(40), 2);
        assert_eq!((s.encoding, s.parts), (Encoding::Ucs2, 2));
        assert!(text.encode_utf16().count() <= 2 * 67);
        let (short, s) = prepare("Demande reçue.", 3);
        assert_eq!((short.as_str(), s.parts), ("Demande recue.", 1));
    }

    #[test]
    fn typographic_french_is_made_gsm7() {
        let text = to_gsm7_friendly("L’acte est prêt : « retrait » à l’accueil…");
        assert_eq!(text, "L'acte est pret : \" retrait \" à l'accueil...");
        assert_eq!(segments(&text).encoding, Encoding::Gsm7);
    }
}

/// A French mobile number in international form (`+33612345678`), or
/// `None` for a number that cannot receive SMS (landlines, foreign numbers
/// in national form, nonsense).
pub fn mobile_number(phone: &str) -> Option<String> {
    let digits: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let national = if let Some(rest) = digits.strip_prefix("+33") {
        format!("0{rest}")
    } else if let Some(rest) = digits.strip_prefix("0033") {
        format!("0{rest}")
    } else {
        digits
    };
    let mobile = national.len() == 10
        && (national.starts_with("06") || national.starts_with("07"))
        && national.bytes().all(|b| b.is_ascii_digit());
    mobile.then(|| format!("+33{}", &national[1..]))
}

/// Sends an SMS through the tenant's provider: the configured body with
/// `{to}`, `{from}` and `{text}` escaped for its content type.
pub fn send(
    settings: &crate::tenant::look::SmsSettings,
    to: &str,
    text: &str,
) -> Result<(), SendError> {
    let json = settings.content_type.contains("json");
    let escape = |v: &str| -> String {
        if json {
            let mut out = String::new();
            for c in v.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out
        } else {
            form_urlencoded::byte_serialize(v.as_bytes()).collect()
        }
    };
    let body = crate::tenant::templates::fill(
        &settings.body,
        &[
            ("to", &escape(to)),
            ("from", &escape(&settings.sender)),
            ("text", &escape(text)),
        ],
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(15)))
        .http_status_as_error(false)
        .build()
        .into();
    let auth = settings.auth.as_deref().map(|a| {
        if let Some(token) = a.strip_prefix("bearer ") {
            format!("Bearer {token}")
        } else if let Some(credentials) = a.strip_prefix("basic ") {
            format!("Basic {}", base64(credentials.as_bytes()))
        } else {
            a.to_owned()
        }
    });
    let response = match settings.method.to_ascii_uppercase().as_str() {
        "PUT" => {
            let mut r = agent
                .put(&settings.url)
                .header("Content-Type", &settings.content_type);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.send(body.as_str())
        }
        _ => {
            let mut r = agent
                .post(&settings.url)
                .header("Content-Type", &settings.content_type);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.send(body.as_str())
        }
    }
    .map_err(|e| format!("SMS provider {}: {e}", settings.url))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        let text = response
            .into_body()
            .read_to_string()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
        Err(SendError(format!(
            "SMS provider answered HTTP {status}: {text}"
        )))
    }
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = match chunk.len() {
            3 => u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]),
            2 => u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8,
            _ => u32::from(chunk[0]) << 16,
        };
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod gateway_tests {
    use super::*;

    #[test]
    fn french_mobiles_only() {
        assert_eq!(
            mobile_number("06 12 34 56 78").as_deref(),
            Some("+33612345678")
        );
        assert_eq!(
            mobile_number("+33 7 12 34 56 78").as_deref(),
            Some("+33712345678")
        );
        assert_eq!(mobile_number("01 23 45 67 89"), None);
        assert_eq!(mobile_number("12"), None);
    }

    #[test]
    fn basic_credentials() {
        assert_eq!(base64(b"mairie:secret"), "bWFpcmllOnNlY3JldA==");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
