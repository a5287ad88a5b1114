//! E-mail through SMTP with `lettre`: a plain-text and an HTML part, a stable
//! Message-ID per delivery (a message sent again after a crash is the same
//! message), STARTTLS or TLS and authentication as the server's URL says
//! (`smtp://user:password@host:587?tls=required`, `smtps://host:465`).

use super::SendError;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

pub struct Email<'a> {
    pub from: &'a str,
    pub reply_to: Option<&'a str>,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
    pub message_id: &'a str,
    /// A file sent with it: name, media type, bytes.
    pub enclosure: Option<(&'a str, &'a str, bytes::Bytes)>,
    /// A list's message: the link that leaves the list, in
    /// `List-Unsubscribe` with one-click unsubscription (RFC 8058), which
    /// mail clients show as their own "unsubscribe" button.
    pub list_unsubscribe: Option<&'a str>,
}

/// Whether `mailbox` is a sender SMTP will take (`Name <name@domain>` or
/// `name@domain`).
pub fn is_mailbox(mailbox: &str) -> bool {
    mailbox.parse::<Mailbox>().is_ok()
}

/// Whether `address` is an e-mail address SMTP will take (`name@domain`).
pub fn is_address(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

/// Sends through `smtp_url`; `ca_pem` adds certificate authorities to trust.
pub fn send(smtp_url: &str, ca_pem: Option<&[u8]>, email: &Email) -> Result<(), SendError> {
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
    if let Some(link) = email.list_unsubscribe {
        use lettre::message::header::{HeaderName, HeaderValue};
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{link}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let body = match email.html {
        Some(html) => MultiPart::alternative_plain_html(email.text.to_owned(), html.to_owned()),
        None => MultiPart::alternative().singlepart(SinglePart::plain(email.text.to_owned())),
    };
    let message = match &email.enclosure {
        // multipart/mixed: the text (and HTML), then the file.
        Some((name, media_type, bytes)) => {
            let kind = ContentType::parse(media_type)
                .map_err(|e| format!("document {name}: media type {media_type:?}: {e}"))?;
            builder.multipart(
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new((*name).to_owned()).body(bytes.to_vec(), kind)),
            )
        }
        None if email.html.is_some() => builder.multipart(body),
        None => builder.body(email.text.to_owned()),
    }
    .map_err(|e| format!("message: {e}"))?;
    transport(smtp_url, ca_pem)?
        .send(&message)
        .map(|_| ())
        .map_err(|e| SendError(format!("SMTP {}: {e}", redact(smtp_url))))
}

/// Transports by server and trusted authorities, kept so that their pooled
/// connections carry the next messages: without them each message paid a
/// connection, a TLS handshake and an authentication. A pooled connection is
/// checked (NOOP) before it is used again, and closed after a minute idle.
type Transports = HashMap<(String, Vec<u8>), SmtpTransport>;
static TRANSPORTS: LazyLock<Mutex<Transports>> = LazyLock::new(Mutex::default);

/// Servers kept at most (each pool has its own thread); past that, they
/// start again from none.
const MAX_TRANSPORTS: usize = 64;

fn transport(smtp_url: &str, ca_pem: Option<&[u8]>) -> Result<SmtpTransport, SendError> {
    let key = (
        smtp_url.to_owned(),
        ca_pem.map(<[u8]>::to_vec).unwrap_or_default(),
    );
    let mut kept = TRANSPORTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = kept.get(&key) {
        return Ok(t.clone());
    }
    let mut builder = SmtpTransport::from_url(smtp_url)
        .map_err(|e| format!("SMTP address {}: {e}", redact(smtp_url)))?
        .timeout(Some(Duration::from_secs(20)))
        .pool_config(PoolConfig::new().max_size(8));
    if let Some(pem) = ca_pem {
        builder = builder.tls(tls_with_ca(smtp_url, pem)?);
    }
    let transport = builder.build();
    if kept.len() >= MAX_TRANSPORTS {
        kept.clear();
    }
    kept.insert(key, transport.clone());
    Ok(transport)
}

/// The TLS mode the URL asks for, trusting the extra authorities too.
fn tls_with_ca(smtp_url: &str, pem: &[u8]) -> Result<Tls, SendError> {
    let (scheme, rest) = smtp_url
        .split_once("://")
        .ok_or_else(|| format!("SMTP address {}: no scheme", redact(smtp_url)))?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = host_port
        .rsplit_once(':')
        .map_or(host_port, |(h, _)| h)
        .trim_start_matches('[')
        .trim_end_matches(']');
    let mut params = TlsParameters::builder(host.to_owned());
    for block in pem_blocks(pem) {
        let cert = Certificate::from_pem(block.as_bytes())
            .map_err(|e| format!("certificate authority file: {e}"))?;
        params = params.add_root_certificate(cert);
    }
    let params = params.build().map_err(|e| format!("TLS parameters: {e}"))?;
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    Ok(match (scheme, query.contains("tls=required")) {
        ("smtps", _) => Tls::Wrapper(params),
        (_, true) => Tls::Required(params),
        _ => Tls::Opportunistic(params),
    })
}

/// The certificates of a PEM file, one by one.
fn pem_blocks(pem: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pem);
    let mut blocks = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.starts_with("-----BEGIN CERTIFICATE") {
            current.clear();
        }
        current.push_str(line);
        current.push('\n');
        if line.starts_with("-----END CERTIFICATE") {
            blocks.push(std::mem::take(&mut current));
        }
    }
    blocks
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
