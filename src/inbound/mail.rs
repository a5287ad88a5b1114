//! An e-mail as the town received it (RFC 5322 and MIME, parsed by
//! `mail-parser`): its sender, subject, text, the Message-IDs it answers,
//! its attached files.

use crate::core::files::RawFile;
use crate::core::intake::Channel;
use crate::usecases::inbound::Message;
use mail_parser::{MessageParser, MimeHeaders};

/// The message read from `bytes` out of the mailbox `source`; `fallback_id`
/// names it when it has no Message-ID. `None` when it cannot be read as a
/// message.
pub fn parse(bytes: &[u8], source: &str, fallback_id: &str) -> Option<Message> {
    let m = MessageParser::default().parse(bytes)?;
    let from = m.from().and_then(|a| a.first());
    let sender = from.and_then(|a| a.address()).unwrap_or("").to_owned();
    let sender_name = from.and_then(|a| a.name()).unwrap_or("").to_owned();
    let bracketed = |id: &str| {
        if id.starts_with('<') {
            id.to_owned()
        } else {
            format!("<{id}>")
        }
    };
    let mut replying_to: Vec<String> = Vec::new();
    for header in [m.in_reply_to(), m.references()] {
        if let Some(list) = header.as_text_list() {
            replying_to.extend(list.iter().map(|id| bracketed(id)));
        } else if let Some(id) = header.as_text() {
            replying_to.push(bracketed(id));
        }
    }
    let text = m.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let files = m
        .attachments()
        .filter(|p| !p.is_message())
        .map(|p| RawFile {
            file_name: p.attachment_name().unwrap_or("piece-jointe").to_owned(),
            bytes: bytes::Bytes::copy_from_slice(p.contents()),
        })
        .collect();
    Some(Message {
        channel: Channel::Email,
        source: source.to_owned(),
        external_id: Some(
            m.message_id()
                .map(bracketed)
                .unwrap_or_else(|| fallback_id.to_owned()),
        ),
        sender,
        sender_name,
        subject: m.subject().unwrap_or("").to_owned(),
        text,
        replying_to,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_with_a_file_is_read_whole() {
        let raw = concat!(
            "From: =?utf-8?q?Zo=C3=A9_Lef=C3=A8vre?= <Zoe@Example.fr>\r\n",
            "To: mairie@demoville.example\r\n",
            "Subject: Re: Votre demande 2026-000012\r\n",
            "Message-ID: <abc@mail.example.fr>\r\n",
            "In-Reply-To: <delivery-7.demoville.2026-000012.00ff@guichet>\r\n",
            "References: <x@y> <delivery-7.demoville.2026-000012.00ff@guichet>\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
            "\r\n",
            "--b\r\n",
            "Content-Type: text/plain; charset=utf-8\r\n",
            "Content-Transfer-Encoding: 8bit\r\n",
            "\r\n",
            "Voici la photo.\r\n",
            "--b\r\n",
            "Content-Type: application/pdf; name=\"plan.pdf\"\r\n",
            "Content-Disposition: attachment; filename=\"plan.pdf\"\r\n",
            "Content-Transfer-Encoding: base64\r\n",
            "\r\n",
            "JVBERi0xLjQK\r\n",
            "--b--\r\n"
        );
        let m = parse(raw.as_bytes(), "mairie", "imap:x").unwrap();
        assert_eq!(m.sender, "Zoe@Example.fr");
        assert_eq!(m.sender_name, "Zoé Lefèvre");
        assert_eq!(m.subject, "Re: Votre demande 2026-000012");
        assert_eq!(m.text.trim(), "Voici la photo.");
        assert_eq!(m.external_id.as_deref(), Some("<abc@mail.example.fr>"));
        assert!(
            m.replying_to
                .contains(&"<delivery-7.demoville.2026-000012.00ff@guichet>".to_owned()),
            "{:?}",
            m.replying_to
        );
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].file_name, "plan.pdf");
        assert!(m.files[0].bytes.starts_with(b"%PDF"));
        let bare = parse(
            b"From: a@b.fr\r\nSubject: x\r\n\r\nbonjour\r\n",
            "m",
            "imap:m:1:2",
        )
        .unwrap();
        assert_eq!(bare.external_id.as_deref(), Some("imap:m:1:2"));
    }
}
