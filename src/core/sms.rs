//! SMS texts: which alphabet a text needs and how many parts it takes.
//!
//! A text written only with the GSM 03.38 default alphabet (and its
//! extension table, whose characters count double) is sent as GSM-7: 160
//! characters in one SMS, 153 per part when concatenated. Any other character
//! (an "œ", an emoji, a typographic apostrophe) makes the whole message UCS-2:
//! 70 characters, 67 per part, counted in UTF-16 units. Pure: sending is
//! [`crate::notify::sms`].

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
