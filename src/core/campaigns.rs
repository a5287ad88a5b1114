//! Lists and campaigns: the town's alerts and flash information per theme
//! (roadworks, school, culture), which people subscribe to by web, by an
//! SMS keyword or at the counter and leave by `STOP` or the link of each
//! e-mail; a campaign is one message sent to a list's subscribers of one
//! channel, each recipient's delivery then its receipt counted. Pure: the
//! settings, the store, the provider and the pages are elsewhere.

use super::catalogue::search_key;
use super::inbound::{is_stop, words};

/// A list of the town (`[[lists]]` of its settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// `travaux`: in addresses and the store.
    pub code: String,
    pub name: String,
    pub description: String,
    /// The word an SMS sends to subscribe (`TRAVAUX`), if any.
    pub keyword: Option<String>,
    /// The department whose handlers send its campaigns (administrators
    /// always may).
    pub department: Option<String>,
    /// Its pre-formatted messages.
    pub messages: Vec<Preformatted>,
}

/// A pre-formatted message: a text an agent starts a campaign from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preformatted {
    pub title: String,
    /// The e-mail's subject.
    pub subject: String,
    pub text: String,
}

/// How a campaign reaches its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Sms,
    Email,
}

impl Medium {
    pub fn parse(s: &str) -> Option<Medium> {
        match s {
            "sms" => Some(Medium::Sms),
            "email" => Some(Medium::Email),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Sms => "sms",
            Medium::Email => "email",
        }
    }
}

/// Where a subscription comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The town's alerts page: an e-mail address, confirmed by the link
    /// sent to it before anything else is sent.
    Web,
    /// An SMS with the list's keyword: the phone proves itself.
    Sms,
    /// An agent at the counter (or on the phone), for the person in front
    /// of them.
    Counter,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::Sms => "sms",
            Source::Counter => "counter",
        }
    }

    /// Whether the subscription waits for its address's confirmation.
    pub fn needs_confirmation(self) -> bool {
        self == Source::Web
    }
}

/// What an SMS received says to the lists, read before it is taken as a
/// message to the town.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsCommand<'a> {
    /// `STOP` and its kin: every list, for this phone.
    Stop,
    /// A list's keyword alone: subscribe.
    Subscribe(&'a List),
    /// `STOP TRAVAUX`: this list only.
    Leave(&'a List),
}

/// The command an SMS's text is, if it is one: the whole text must be the
/// keyword (case and accents do not matter), so that a message merely
/// mentioning "travaux" is still a message.
pub fn sms_command<'a>(lists: &'a [List], text: &str) -> Option<SmsCommand<'a>> {
    if is_stop(text) {
        return Some(SmsCommand::Stop);
    }
    let folded = words(text);
    let keyword_of = |l: &&List| l.keyword.as_deref().map(words);
    if let Some(list) = lists
        .iter()
        .find(|l| keyword_of(l).is_some_and(|k| !k.is_empty() && k == folded))
    {
        return Some(SmsCommand::Subscribe(list));
    }
    let (first, rest) = folded.split_once(' ')?;
    if !is_stop(first) {
        return None;
    }
    lists
        .iter()
        .find(|l| keyword_of(l).is_some_and(|k| k == rest) || l.code == rest)
        .map(SmsCommand::Leave)
}

/// What a provider's delivery receipt says of one SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// On the phone.
    Delivered,
    /// Will never be (unknown number, expired, refused).
    Failed,
    /// Still on its way (accepted, buffered): nothing to record.
    Pending,
}

/// A provider's status word read: the common ones of French and
/// international providers (`DELIVRD`, `delivered`, `UNDELIV`, `expired`…).
pub fn receipt(status: &str) -> Option<Receipt> {
    let s = search_key(status.trim());
    Some(match s.as_str() {
        "delivered" | "delivrd" | "delivre" | "recu" | "received" | "success" | "ok" | "1" => {
            Receipt::Delivered
        }
        "failed" | "undelivered" | "undeliv" | "undeliverable" | "expired" | "rejected"
        | "rejectd" | "error" | "unknown" | "deleted" | "non distribue" | "echec" | "2" => {
            Receipt::Failed
        }
        "accepted" | "buffered" | "enroute" | "sent" | "queued" | "pending" | "submitted" | "0" => {
            Receipt::Pending
        }
        _ => return None,
    })
}

/// A campaign as an agent writes it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub list: String,
    pub medium: String,
    pub subject: String,
    pub text: String,
}

/// A field of a draft that cannot go, and the message key that says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftError {
    pub field: &'static str,
    pub key: &'static str,
}

/// Most parts a campaign's SMS may take.
pub const MOST_SMS_PARTS: usize = 3;
/// Longest e-mail text.
pub const MOST_EMAIL_CHARS: usize = 20_000;

/// A checked campaign, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub list: String,
    pub medium: Medium,
    pub subject: String,
    pub text: String,
    /// SMS: parts each message takes.
    pub parts: u32,
}

impl Draft {
    /// The draft checked against the lists it may go to: every error at
    /// once. An SMS's text is made GSM-7 where it can be and must fit in
    /// [`MOST_SMS_PARTS`] parts (it is not cut: the agent shortens it).
    pub fn check(&self, lists: &[&List]) -> Result<Checked, Vec<DraftError>> {
        let mut errors = Vec::new();
        if !lists.iter().any(|l| l.code == self.list) {
            errors.push(DraftError {
                field: "list",
                key: "bo.campaigns.error.list",
            });
        }
        let medium = Medium::parse(&self.medium);
        if medium.is_none() {
            errors.push(DraftError {
                field: "channel",
                key: "bo.campaigns.error.channel",
            });
        }
        let mut text = self.text.trim().replace("\r\n", "\n");
        let subject = self.subject.trim().to_owned();
        let mut parts = 0;
        if text.is_empty() {
            errors.push(DraftError {
                field: "text",
                key: "bo.campaigns.error.text",
            });
        }
        match medium {
            Some(Medium::Sms) if !text.is_empty() => {
                text = super::sms::to_gsm7_friendly(&text);
                let s = super::sms::segments(&text);
                parts = s.parts as u32;
                if s.parts > MOST_SMS_PARTS {
                    errors.push(DraftError {
                        field: "text",
                        key: "bo.campaigns.error.long-sms",
                    });
                }
            }
            Some(Medium::Email) => {
                if subject.is_empty() || subject.chars().count() > 200 {
                    errors.push(DraftError {
                        field: "subject",
                        key: "bo.campaigns.error.subject",
                    });
                }
                if text.chars().count() > MOST_EMAIL_CHARS {
                    errors.push(DraftError {
                        field: "text",
                        key: "bo.campaigns.error.long-email",
                    });
                }
            }
            _ => {}
        }
        match medium {
            Some(medium) if errors.is_empty() => Ok(Checked {
                list: self.list.clone(),
                medium,
                subject,
                text,
                parts,
            }),
            _ => Err(errors),
        }
    }
}

/// A campaign's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub recipients: u64,
    /// Still to send (or to try again).
    pub queued: u64,
    /// Handed to the provider or the mail server, no receipt yet.
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
}

impl Figures {
    /// Delivered out of those whose fate is known, in whole percent.
    pub fn delivered_percent(&self) -> Option<u64> {
        let known = self.delivered + self.failed;
        (known > 0).then(|| (self.delivered * 100 + known / 2) / known)
    }
}

/// The purpose a subscription's token is sealed for (its links: confirm,
/// leave).
pub fn token_purpose(tenant: &str) -> String {
    format!("{tenant}/alerts")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> Vec<List> {
        vec![
            List {
                code: "travaux".into(),
                name: "Travaux".into(),
                description: String::new(),
                keyword: Some("TRAVAUX".into()),
                department: Some("voirie".into()),
                messages: Vec::new(),
            },
            List {
                code: "ecole".into(),
                name: "École".into(),
                description: String::new(),
                keyword: Some("École".into()),
                department: None,
                messages: Vec::new(),
            },
        ]
    }

    #[test]
    fn an_sms_is_a_command_only_when_it_is_the_keyword_alone() {
        let lists = lists();
        assert_eq!(
            sms_command(&lists, " travaux "),
            Some(SmsCommand::Subscribe(&lists[0]))
        );
        assert_eq!(
            sms_command(&lists, "ECOLE"),
            Some(SmsCommand::Subscribe(&lists[1]))
        );
        assert_eq!(sms_command(&lists, "STOP"), Some(SmsCommand::Stop));
        assert_eq!(sms_command(&lists, "Arrêt"), Some(SmsCommand::Stop));
        assert_eq!(
            sms_command(&lists, "stop travaux"),
            Some(SmsCommand::Leave(&lists[0]))
        );
        assert_eq!(sms_command(&lists, "des travaux rue des Lilas"), None);
        assert_eq!(sms_command(&lists, "stop au bruit"), None);
        assert_eq!(sms_command(&[], "travaux"), None);
    }

    #[test]
    fn receipts_read_the_providers_words() {
        assert_eq!(receipt("DELIVRD"), Some(Receipt::Delivered));
        assert_eq!(receipt("delivered"), Some(Receipt::Delivered));
        assert_eq!(receipt("UNDELIV"), Some(Receipt::Failed));
        assert_eq!(receipt("expired"), Some(Receipt::Failed));
        assert_eq!(receipt("buffered"), Some(Receipt::Pending));
        assert_eq!(receipt("what"), None);
    }

    #[test]
    fn a_draft_names_each_bad_field() {
        let lists = lists();
        let all: Vec<&List> = lists.iter().collect();
        let errors = Draft {
            list: "nope".into(),
            medium: "fax".into(),
            subject: String::new(),
            text: " ".into(),
        }
        .check(&all)
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["list", "channel", "text"]);
        let errors = Draft {
            list: "travaux".into(),
            medium: "email".into(),
            subject: String::new(),
            text: "Route barrée".into(),
        }
        .check(&all)
        .unwrap_err();
        assert_eq!(errors[0].field, "subject");
        let long = Draft {
            list: "travaux".into(),
            medium: "sms".into(),
            subject: String::new(),
            text: "Route barrée. ".repeat(40),
        };
        assert_eq!(
            long.check(&all).unwrap_err()[0].key,
            "bo.campaigns.error.long-sms"
        );
        let ok = Draft {
            list: "travaux".into(),
            medium: "sms".into(),
            subject: String::new(),
            text: "Rue des Lilas fermée lundi – déviation par l’avenue.".into(),
        }
        .check(&all)
        .unwrap();
        assert_eq!(ok.parts, 1);
        assert_eq!(
            ok.text,
            "Rue des Lilas fermée lundi - déviation par l'avenue."
        );
        // Only the lists the agent may send to.
        assert!(
            Draft {
                list: "travaux".into(),
                medium: "sms".into(),
                subject: String::new(),
                text: "x".into(),
            }
            .check(&all[1..])
            .is_err()
        );
    }

    #[test]
    fn the_delivered_share_counts_known_fates_only() {
        let f = Figures {
            recipients: 10,
            queued: 2,
            sent: 3,
            delivered: 4,
            failed: 1,
        };
        assert_eq!(f.delivered_percent(), Some(80));
        assert_eq!(Figures::default().delivered_percent(), None);
    }
}
