//! A message reaching the town by e-mail (a mailbox read over IMAP) or SMS
//! (the provider's callback), whichever brought it: a reply written on its
//! request when it proves which one it answers — the reply token of the
//! town's own e-mail in `In-Reply-To`/`References`, or a request's reference
//! written in it by that request's own requester (never the sender alone) —
//! else an item of the qualification queue, routed by the town's rules and
//! acknowledged to its sender. Each message is kept once: read again, it
//! does nothing.

use super::App;
use crate::core::files::{self, FileRule, RawFile};
use crate::core::inbound;
use crate::core::intake::Channel;
use crate::core::people::{Contact, phone_key};
use crate::core::tracking::Reference;
use crate::store::{InboundDecision, NewInbound, Received, StoreError};
use crate::tenant::Site;

/// A message as a channel received it.
#[derive(Debug, Clone)]
pub struct Message {
    /// [`Channel::Email`] or [`Channel::Sms`].
    pub channel: Channel,
    /// The mailbox's name, `sms`.
    pub source: String,
    /// The Message-ID, the provider's id.
    pub external_id: Option<String>,
    /// The address or the phone number, as given.
    pub sender: String,
    pub sender_name: String,
    pub subject: String,
    pub text: String,
    /// The Message-IDs of `In-Reply-To` and `References`.
    pub replying_to: Vec<String>,
    pub files: Vec<RawFile>,
}

/// What became of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written on this request as its requester's reply.
    Replied(Reference),
    /// In the qualification queue under this id.
    Queued(i64),
    /// Kept already.
    Duplicate,
    /// No sender to answer or nothing said: not kept.
    Empty,
}

/// Files a message brings at most.
const MOST_FILES: usize = 10;

pub async fn receive(app: &App, site: &Site, m: Message) -> Result<Outcome, StoreError> {
    let channel = match m.channel {
        Channel::Sms => "sms",
        _ => "email",
    };
    let sender = match m.channel {
        Channel::Sms => phone_key(&m.sender).unwrap_or_default(),
        _ => m.sender.trim().to_lowercase(),
    };
    if sender.is_empty()
        || (m.text.trim().is_empty() && m.subject.trim().is_empty() && m.files.is_empty())
    {
        tracing::warn!(tenant = %site.tenant.slug, channel, "inbound message without a sender or a text: dropped");
        return Ok(Outcome::Empty);
    }
    let answered = answered(app, site, &m, &sender).await?;
    // Its files, checked as a form's are (kinds, size, metadata removed),
    // kept before the message; those refused are said in its text.
    let rule = FileRule::default();
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for raw in m.files.iter().take(MOST_FILES) {
        match files::accept(&rule, raw) {
            Ok(file) => {
                super::files::keep_one(app, &file)
                    .await
                    .map_err(StoreError::Invalid)?;
                kept.push(file);
            }
            Err(_) => refused.push(files::base_name(&raw.file_name).to_owned()),
        }
    }
    let mut body = m.text.trim().to_owned();
    if !refused.is_empty() {
        body.push_str(&format!(
            "\n\n[Pièce(s) jointe(s) non acceptée(s) : {}]",
            refused.join(", ")
        ));
    }
    let look = site.look.get();
    let rules = look.settings.inbound.rules();
    let route = inbound::route(&rules, channel, &sender, &m.subject, &m.text);
    let message = NewInbound {
        channel,
        source: m.source.clone(),
        external_id: m.external_id.clone(),
        sender: sender.clone(),
        sender_name: m.sender_name.trim().chars().take(200).collect(),
        subject: m.subject.trim().chars().take(500).collect(),
        body,
        department: route
            .map(|r| r.department.clone())
            .filter(|d| site.departments.iter().any(|known| known.code == *d)),
        service_code: route
            .and_then(|r| r.service.clone())
            .filter(|s| site.tenant.service(s).is_some()),
        reply_to: answered,
        files: kept,
        acknowledge: answered.is_none().then_some("inbound-received"),
    };
    let id = match app
        .store
        .receive_inbound(site.tenant.id, message, app.now())
        .await?
    {
        Received::Duplicate => return Ok(Outcome::Duplicate),
        Received::Kept(id) => id,
    };
    crate::metrics::inbound_received(channel);
    let Some(reference) = answered else {
        tracing::info!(tenant = %site.tenant.slug, channel, id, "inbound message queued");
        return Ok(Outcome::Queued(id));
    };
    let text = match inbound::fresh_text(&m.text) {
        t if t.is_empty() => m.subject.trim().to_owned(),
        t => t,
    };
    let actor = format!("system:inbound-{channel}");
    match super::reply::reply(app, site, reference, &text, channel).await {
        Ok(()) => {
            app.store
                .decide_inbound(
                    site.tenant.id,
                    id,
                    InboundDecision::Replied(reference),
                    actor,
                    app.now(),
                )
                .await?;
            tracing::info!(tenant = %site.tenant.slug, channel, %reference, "inbound message written on its request");
            Ok(Outcome::Replied(reference))
        }
        Err(e) => {
            tracing::info!(tenant = %site.tenant.slug, channel, %reference, error = ?e, "the request takes no reply: queued");
            app.store
                .decide_inbound(
                    site.tenant.id,
                    id,
                    InboundDecision::Queued,
                    actor,
                    app.now(),
                )
                .await?;
            Ok(Outcome::Queued(id))
        }
    }
}

/// The request the message answers, if it proves it: the reply token of a
/// message the town sent about it, or its reference written by its own
/// requester (the same address or phone).
async fn answered(
    app: &App,
    site: &Site,
    m: &Message,
    sender: &str,
) -> Result<Option<Reference>, StoreError> {
    let slug = &site.tenant.slug;
    for id in &m.replying_to {
        if let Some((reference, seal)) = inbound::reply_token(id, slug)
            && app
                .secret
                .opens(&inbound::reply_purpose(slug, reference), seal)
        {
            return Ok(Some(reference));
        }
    }
    let written = inbound::references(&format!("{}\n{}", m.subject, m.text));
    for reference in written.into_iter().take(5) {
        let Some(item) = app.store.work_item(site.tenant.id, reference).await? else {
            continue;
        };
        if item.record.test {
            continue;
        }
        let requester = Contact::of_stored(&item.rows);
        let same = requester.is_some_and(|c| match m.channel {
            Channel::Sms => c.phone.as_deref() == Some(sender),
            _ => c.email.as_deref() == Some(sender),
        });
        if same {
            return Ok(Some(reference));
        }
    }
    Ok(None)
}

/// Why an agent could not write a message on a request.
#[derive(Debug)]
pub enum WriteError {
    /// No such request the agent reads.
    Unknown,
    /// The request takes no reply now (closed long ago…).
    Refused,
    Unavailable(StoreError),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> WriteError {
        WriteError::Unavailable(e)
    }
}

/// An agent writes the queue's message `item` on the request `reference`
/// (one of their departments') as its requester's reply, its files with
/// it; false when the message left the queue meanwhile.
pub async fn write_on(
    app: &App,
    site: &Site,
    agent: &crate::core::workflow::Agent,
    item: &crate::store::InboundItem,
    reference: Reference,
) -> Result<bool, WriteError> {
    if item.state != "new" {
        return Ok(false);
    }
    let work = app
        .store
        .work_item(site.tenant.id, reference)
        .await?
        .filter(|w| !w.record.test)
        .ok_or(WriteError::Unknown)?;
    if !agent
        .request_departments()
        .is_none_or(|d| d.contains(&work.state.department))
    {
        return Err(WriteError::Unknown);
    }
    let text = match inbound::fresh_text(&item.body) {
        t if t.is_empty() => item.subject.clone(),
        t => t,
    };
    match super::reply::reply(app, site, reference, &text, &item.channel).await {
        Ok(()) => {}
        Err(super::reply::ReplyError::Unknown) => return Err(WriteError::Unknown),
        Err(super::reply::ReplyError::Refused(_)) => return Err(WriteError::Refused),
        Err(super::reply::ReplyError::Unavailable(e)) => {
            return Err(WriteError::Unavailable(StoreError::Invalid(e)));
        }
    }
    Ok(app
        .store
        .decide_inbound(
            site.tenant.id,
            item.id,
            InboundDecision::Replied(reference),
            format!("agent:{}", agent.login),
            app.now(),
        )
        .await?)
}
