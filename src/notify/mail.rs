//! E-mail through SMTP with `lettre`: a plain-text and an HTML part, a stable
//! Message-ID per delivery (a message sent again after a crash is the same
//! message), STARTTLS or TLS and authentication as the server's URL says
//! (`smtp://user:password@host:587?tls=required`, `smtps://host:465`).

use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

pub struct Email<'a> {
    pub from: &'a str,
    pub reply_to: Option<&'a str>,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
    pub message_id: &'a str,
}

pub fn send(smtp_url: &str, email: &Email) -> Result<(), String> {
    let mailbox = |what: &str, value: &str| {
        value
            .parse::<Mailbox>()
            .map_err(|e| format!("{what} {value:?}: {e}"))
    };
    let mut builder = Message::builder()
        .from(mailbox("sender", email.from)?)
        .to(mailbox("recipient", email.to)?)
        .subject(email.subject)
        .message_id(Some(email.message_id.to_owned()));
    if let Some(r) = email.reply_to {
        builder = builder.reply_to(mailbox("reply-to", r)?);
    }
    let message = match email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            email.text.to_owned(),
            html.to_owned(),
        )),
        None => builder.body(email.text.to_owned()),
    }
    .map_err(|e| format!("message: {e}"))?;
    let transport = SmtpTransport::from_url(smtp_url)
        .map_err(|e| format!("SMTP address {}: {e}", redact(smtp_url)))?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    transport
        .send(&message)
        .map(|_| ())
        .map_err(|e| format!("SMTP {}: {e}", redact(smtp_url)))
}

/// An SMTP URL without its password, for logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            super::redact("smtp://mairie:s3cret@mail.example:587?tls=required"),
            "smtp://mairie:***@mail.example:587?tls=required"
        );
        assert_eq!(
            super::redact("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
    }
}
