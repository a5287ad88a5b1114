//! Messages that reach the town by e-mail or SMS, before anyone has read
//! them: which request they answer (a reply token the town's own e-mail
//! carried, or a request's reference written in them), and where the
//! town's rules send the others (a department, a service suggested) for
//! the qualification queue. Pure: the mailboxes, the provider's callback
//! and the store are elsewhere.

use super::catalogue::search_key;
use super::tracking::Reference;

/// What a town's rule looks at and where it sends: the first rule whose
/// every condition holds routes the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// Any of these words or phrases in the subject or the text (folded:
    /// case and accents do not matter).
    pub keywords: Vec<String>,
    /// The sender's address ends with this (`@ecole.example.fr`), or the
    /// sender's phone starts with it (`06`).
    pub sender: Option<String>,
    /// `email` or `sms` only.
    pub channel: Option<String>,
    pub department: String,
    /// The service the message most likely asks for, suggested to the agent.
    pub service: Option<String>,
}

impl Rule {
    pub fn holds(&self, channel: &str, sender: &str, subject: &str, text: &str) -> bool {
        if self.channel.as_deref().is_some_and(|c| c != channel) {
            return false;
        }
        if let Some(s) = &self.sender {
            let s = s.trim().to_lowercase();
            let sender = sender.to_lowercase();
            if !(sender.ends_with(&s) || sender.starts_with(&s)) || s.is_empty() {
                return false;
            }
        }
        if !self.keywords.is_empty() {
            let haystack = format!(" {} ", words(&format!("{subject} {text}")));
            let any = self.keywords.iter().any(|k| {
                let k = words(k);
                !k.is_empty() && haystack.contains(&format!(" {k} "))
            });
            if !any {
                return false;
            }
        }
        true
    }
}

/// Folded text as words separated by one space.
pub(super) fn words(text: &str) -> String {
    search_key(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first rule of `rules` that holds.
pub fn route<'a>(
    rules: &'a [Rule],
    channel: &str,
    sender: &str,
    subject: &str,
    text: &str,
) -> Option<&'a Rule> {
    rules
        .iter()
        .find(|r| r.holds(channel, sender, subject, text))
}

/// The requests' references written in `text` (`2026-000123`), each once,
/// in order.
pub fn references(text: &str) -> Vec<Reference> {
    let mut found: Vec<Reference> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 11 <= bytes.len() {
        let starts = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let year = &bytes[i..i + 4];
        if starts
            && year.starts_with(b"20")
            && year.iter().all(u8::is_ascii_digit)
            && bytes[i + 4] == b'-'
        {
            let digits = bytes[i + 5..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let ends = bytes
                .get(i + 5 + digits)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
            if digits == 6
                && ends
                && let Some(r) = Reference::parse(&text[i..i + 11])
            {
                if !found.contains(&r) {
                    found.push(r);
                }
                i += 11;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The Message-ID of an e-mail the town sends about a request: its
/// delivery, town, reference and a seal of the reference that only the
/// town can make (see [`reply_token`]), so that an answer's `In-Reply-To`
/// or `References` says which request it answers.
pub fn message_id(delivery: i64, slug: &str, reply: Option<(Reference, &str)>) -> String {
    match reply {
        Some((reference, seal)) => {
            format!("<delivery-{delivery}.{slug}.{reference}.{seal}@guichet>")
        }
        None => format!("<delivery-{delivery}.{slug}@guichet>"),
    }
}

/// What a request's reply token seals (the server's secret makes it).
pub fn reply_purpose(slug: &str, reference: Reference) -> String {
    format!("{slug}/reply/{reference}")
}

/// The reference and seal in a Message-ID that [`message_id`] wrote for
/// the town `slug` (the seal still to be checked).
pub fn reply_token<'a>(id: &'a str, slug: &str) -> Option<(Reference, &'a str)> {
    let inner = id.trim().strip_prefix('<')?.strip_suffix("@guichet>")?;
    let rest = inner.strip_prefix("delivery-")?;
    let mut parts = rest.splitn(4, '.');
    let (_delivery, town, reference, seal) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if town != slug || seal.is_empty() || !seal.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((Reference::parse(reference)?, seal))
}

/// The Message-IDs of an `In-Reply-To` or `References` header.
pub fn message_ids(header: &str) -> Vec<&str> {
    let mut ids = Vec::new();
    let mut rest = header;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        ids.push(&rest[start..start + len + 1]);
        rest = &rest[start + len + 1..];
    }
    ids
}

/// What an answer adds: its text without the quoted message below it
/// (lines starting with `>`, and all after an "On … wrote:" line or a
/// forwarded-message separator).
pub fn fresh_text(body: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let folded = search_key(t);
        let header = (folded.starts_with("le ") && folded.ends_with("a ecrit :"))
            || (folded.starts_with("le ") && folded.ends_with("a ecrit:"))
            || (folded.starts_with("on ") && folded.ends_with("wrote:"))
            || folded.starts_with("-----original message")
            || folded.starts_with("    message d origine")
            || folded.starts_with("----- message d origine")
            || folded.starts_with("de : ") && kept.iter().any(|l| l.trim().is_empty());
        if header {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_owned()
}

/// An SMS's text as a reply: `STOP` and its kin are not replies.
pub fn is_stop(text: &str) -> bool {
    matches!(
        search_key(text.trim()).as_str(),
        "stop" | "arret" | "arreter" | "desabonner" | "unsubscribe"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn references_are_found_whole_and_once() {
        assert_eq!(
            references("Re: votre demande 2026-000012 (rappel 2026-000012), et 2025-000400."),
            vec![r("2026-000012"), r("2025-000400")]
        );
        assert!(references("tel 0612-345678 ou 12026-0000123 ou 2026-0001").is_empty());
        assert!(references("").is_empty());
        assert_eq!(references("2026-000001"), vec![r("2026-000001")]);
    }

    #[test]
    fn a_reply_token_is_read_back_for_its_town_only() {
        let id = message_id(42, "demoville", Some((r("2026-000007"), "0a1b2c")));
        assert_eq!(id, "<delivery-42.demoville.2026-000007.0a1b2c@guichet>");
        assert_eq!(
            reply_token(&id, "demoville"),
            Some((r("2026-000007"), "0a1b2c"))
        );
        assert_eq!(reply_token(&id, "autreville"), None);
        assert_eq!(
            reply_token(&message_id(42, "demoville", None), "demoville"),
            None
        );
        assert_eq!(
            reply_token("<delivery-1.demoville.2026-000007.zz@guichet>", "demoville"),
            None
        );
        assert_eq!(
            message_ids("<a@x> <delivery-1.d@guichet>\r\n <b@y>"),
            vec!["<a@x>", "<delivery-1.d@guichet>", "<b@y>"]
        );
    }

    #[test]
    fn an_answer_keeps_its_own_text_not_the_quote() {
        let body = "Voici la photo demandée.\nMerci.\n\nLe 22 nov. 2026 à 10:00, Mairie <m@x.fr> a écrit :\n> Bonjour,\n> envoyez une photo";
        assert_eq!(fresh_text(body), "Voici la photo demandée.\nMerci.");
        assert_eq!(fresh_text("> cité\nma réponse\n> encore"), "ma réponse");
        assert_eq!(fresh_text("On Mon, Nov 23, 2026, Town wrote:\n> hi"), "");
    }

    #[test]
    fn the_first_rule_that_holds_routes() {
        let rules = vec![
            Rule {
                keywords: vec!["nid de poule".into(), "trottoir".into()],
                department: "voirie".into(),
                service: Some("road-incident".into()),
                ..Rule::default()
            },
            Rule {
                sender: Some("@ecole.example.fr".into()),
                department: "education".into(),
                ..Rule::default()
            },
            Rule {
                channel: Some("sms".into()),
                sender: Some("07".into()),
                department: "accueil".into(),
                ..Rule::default()
            },
        ];
        let to = |channel: &str, sender: &str, subject: &str, text: &str| {
            route(&rules, channel, sender, subject, text).map(|r| r.department.as_str())
        };
        assert_eq!(
            to("email", "a@b.fr", "Un NID-DE-POULE", "rue des Lilas"),
            Some("voirie")
        );
        assert_eq!(
            to("email", "a@b.fr", "", "le trottoir est cassé"),
            Some("voirie")
        );
        assert_eq!(
            to("email", "a@b.fr", "", "les trottoirs"),
            None,
            "whole words"
        );
        assert_eq!(
            to("email", "directrice@ecole.example.fr", "Cantine", ""),
            Some("education")
        );
        assert_eq!(to("sms", "0712345678", "", "bonjour"), Some("accueil"));
        assert_eq!(to("email", "0712345678", "", "bonjour"), None);
        assert!(is_stop(" Stop ") && is_stop("ARRÊT") && !is_stop("stop au bruit"));
    }
}
