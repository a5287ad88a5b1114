//! A town's mailbox read over IMAP with TLS (`async-imap` over
//! `tokio-rustls`): the unseen messages fetched without marking them
//! (`BODY.PEEK[]`), each handed to the inbound use case, then marked seen
//! once kept (or found kept already). A message that could not be kept
//! stays unseen and is read again at the next poll.

use crate::tenant::Site;
use crate::tenant::look::MailboxSettings;
use crate::usecases::App;
use crate::usecases::inbound::{self, Outcome};
use futures_util::StreamExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::sync::Arc;
use std::time::Duration;

/// Messages read per poll at most (the next poll takes the others).
const PER_POLL: usize = 50;
/// Connecting, logging in, each command: at most this long.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where a mailbox is and whose it is: `imaps://USER:PASSWORD@HOST[:PORT][/MAILBOX]`
/// (user and password percent-encoded, port 993 and `INBOX` by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub mailbox: String,
}

impl Mailbox {
    pub fn parse(url: &str) -> Result<Mailbox, String> {
        let rest = url
            .trim()
            .strip_prefix("imaps://")
            .ok_or("the address starts with imaps:// (IMAP over TLS)")?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (credentials, host_port) = authority
            .rsplit_once('@')
            .ok_or("the address names its user and password: imaps://user:password@host")?;
        let (user, password) = credentials
            .split_once(':')
            .ok_or("the address names its user and password: imaps://user:password@host")?;
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| format!("{s:?} is not percent-encoded properly"))
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("port {p:?} is not a number"))?,
            ),
            None => (host_port, 993),
        };
        if host.is_empty() || user.is_empty() {
            return Err("the address names its host and user".into());
        }
        let mailbox = decode(path)?;
        Ok(Mailbox {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            user: decode(user)?,
            password: decode(password)?,
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                mailbox
            },
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Reads the new messages of `settings`' mailbox for `site`; how many were
/// handled.
pub async fn read(app: &App, site: &Site, settings: &MailboxSettings) -> Result<usize, String> {
    let mailbox = Mailbox::parse(&settings.url)?;
    let ca = match &settings.ca_file {
        Some(path) => Some(
            std::fs::read(site.look.dir().join(path))
                .map_err(|e| format!("[[inbound.mailboxes]] ca_file {path}: {e}"))?,
        ),
        None => None,
    };
    let stream = connect(&mailbox, ca.as_deref()).await?;
    let mut client = async_imap::Client::new(stream);
    timed(client.read_response())
        .await?
        .map_err(|e| format!("greeting: {e}"))?
        .ok_or("the server closed the connection before its greeting")?;
    let mut session = timed(client.login(&mailbox.user, &mailbox.password))
        .await?
        .map_err(|(e, _)| format!("login as {}: {e}", mailbox.user))?;
    let selected = timed(session.select(&mailbox.mailbox))
        .await?
        .map_err(|e| format!("select {}: {e}", mailbox.mailbox))?;
    let validity = selected.uid_validity.unwrap_or(0);
    let mut uids: Vec<u32> = timed(session.uid_search("UNSEEN"))
        .await?
        .map_err(|e| format!("search: {e}"))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids.truncate(PER_POLL);
    let mut handled = 0;
    for uid in uids {
        let bytes = {
            let mut fetched = timed(session.uid_fetch(uid.to_string(), "(UID BODY.PEEK[])"))
                .await?
                .map_err(|e| format!("fetch {uid}: {e}"))?;
            let mut body = None;
            while let Some(f) = timed(fetched.next()).await? {
                let f = f.map_err(|e| format!("fetch {uid}: {e}"))?;
                if let Some(b) = f.body() {
                    body = Some(b.to_vec());
                }
            }
            body
        };
        let Some(bytes) = bytes else {
            continue;
        };
        let fallback = format!("imap:{}:{validity}:{uid}", settings.name);
        let kept = match super::mail::parse(&bytes, &settings.name, &fallback) {
            Some(message) => match inbound::receive(app, site, message).await {
                Ok(outcome) => {
                    if outcome != Outcome::Duplicate {
                        handled += 1;
                    }
                    true
                }
                Err(e) => {
                    tracing::error!(tenant = %site.tenant.slug, mailbox = %settings.name, uid, error = %e, "message not kept; read again later");
                    false
                }
            },
            None => {
                tracing::warn!(tenant = %site.tenant.slug, mailbox = %settings.name, uid, "not a message: left aside");
                true
            }
        };
        if kept {
            let mut stored = timed(session.uid_store(uid.to_string(), "+FLAGS (\\Seen)"))
                .await?
                .map_err(|e| format!("store {uid}: {e}"))?;
            while timed(stored.next()).await?.is_some() {}
        }
    }
    let _ = timed(session.logout()).await;
    Ok(handled)
}

async fn timed<T>(f: impl std::future::Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(TIMEOUT, f)
        .await
        .map_err(|_| format!("no answer within {} s", TIMEOUT.as_secs()))
}

async fn connect(
    mailbox: &Mailbox,
    ca_pem: Option<&[u8]>,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("ca_file: {e}"))?;
            roots.add(cert).map_err(|e| format!("ca_file: {e}"))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from(mailbox.host.clone())
        .map_err(|e| format!("host {}: {e}", mailbox.host))?;
    let tcp = timed(tokio::net::TcpStream::connect((
        mailbox.host.as_str(),
        mailbox.port,
    )))
    .await?
    .map_err(|e| format!("{}:{}: {e}", mailbox.host, mailbox.port))?;
    timed(tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp))
        .await?
        .map_err(|e| format!("TLS with {}: {e}", mailbox.host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_address_names_its_server_user_and_folder() {
        assert_eq!(
            Mailbox::parse("imaps://mairie%40demoville.fr:p%3Ass@imap.example.fr/Demandes")
                .unwrap(),
            Mailbox {
                host: "imap.example.fr".into(),
                port: 993,
                user: "mairie@demoville.fr".into(),
                password: "p:ss".into(),
                mailbox: "Demandes".into(),
            }
        );
        let m = Mailbox::parse("imaps://u:p@127.0.0.1:10993").unwrap();
        assert_eq!((m.port, m.mailbox.as_str()), (10993, "INBOX"));
        for bad in [
            "imap://u:p@host",
            "imaps://host",
            "imaps://u@host",
            "imaps://u:p@host:x",
            "imaps://:p@host",
        ] {
            assert!(Mailbox::parse(bad).is_err(), "{bad}");
        }
    }
}
