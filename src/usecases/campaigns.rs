//! Subscribing to the town's lists and leaving them, by whichever way it
//! comes (the alerts page, an SMS keyword or `STOP`, an agent at the
//! counter, the link of an e-mail), and writing a campaign to a list. The
//! sending itself is [`crate::notify::campaigns`].

use super::App;
use crate::core::campaigns::{self, Draft, DraftError, List, Medium, SmsCommand, Source};
use crate::core::people::phone_key;
use crate::core::workflow::{Agent, Role};
use crate::store::{NewCampaign, NewSubscription, Notice, StoreError, Subscribed, Subscriber};
use crate::tenant::Site;

/// Why a subscription was not taken.
#[derive(Debug)]
pub enum SubscribeError {
    /// No such list.
    List,
    /// Not an e-mail address, or not a mobile number.
    Address,
    /// Asked too often for this address: wait.
    Wait,
    Unavailable(StoreError),
}

impl From<StoreError> for SubscribeError {
    fn from(e: StoreError) -> Self {
        SubscribeError::Unavailable(e)
    }
}

fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Invalid(format!("randomness: {e}")))?;
    Ok(crate::core::tracking::hex(&bytes))
}

/// The public address of the town's alerts pages, up to a token.
fn link_prefix(app: &App, site: &Site, what: &str) -> String {
    format!(
        "{}/{}/alerts/{what}/",
        app.message_url.trim_end_matches('/'),
        site.tenant.slug
    )
}

/// The list `code` of the town.
pub fn list(site: &Site, code: &str) -> Option<List> {
    site.look
        .get()
        .settings
        .lists()
        .into_iter()
        .find(|l| l.code == code)
}

/// An address as stored for its channel: an e-mail in lower case, a mobile
/// phone in national digits.
pub fn address(medium: Medium, raw: &str) -> Option<String> {
    let raw = raw.trim();
    match medium {
        Medium::Email => {
            let a = raw.to_lowercase();
            crate::notify::mail::is_address(&a).then_some(a)
        }
        Medium::Sms => crate::notify::sms::mobile_number(raw).and_then(|m| phone_key(&m)),
    }
}

/// The alerts page's subscription: an e-mail address, pending until the
/// link sent to it is followed (the same link again when asked again, a few
/// times an hour at most).
pub async fn subscribe_by_web(
    app: &App,
    site: &Site,
    list_code: &str,
    email: &str,
) -> Result<Subscribed, SubscribeError> {
    let list = list(site, list_code).ok_or(SubscribeError::List)?;
    let address = address(Medium::Email, email).ok_or(SubscribeError::Address)?;
    let key = format!("alerts:{}:{address}", site.tenant.slug);
    let now = app.now().as_second();
    if super::throttle::wait(app, &key, now).await? > 0 {
        return Err(SubscribeError::Wait);
    }
    let done = app
        .store
        .subscribe_to_list(
            site.tenant.id,
            NewSubscription {
                list: list.code.clone(),
                channel: "email",
                address,
                source: Source::Web.as_str(),
                pending: true,
                token: new_token()?,
                actor: None,
                notice: Some(Notice {
                    template: "alerts-confirm",
                    link_prefix: Some(link_prefix(app, site, "confirm")),
                }),
            },
            app.now(),
        )
        .await?;
    if done == Subscribed::Pending {
        super::throttle::failed(app, &key, now).await?;
    }
    crate::metrics::subscription("web", subscribed_word(done));
    Ok(done)
}

fn subscribed_word(s: Subscribed) -> &'static str {
    match s {
        Subscribed::Active => "active",
        Subscribed::Pending => "pending",
        Subscribed::Already => "already",
    }
}

/// An agent subscribes the person in front of them (or on the phone):
/// active at once, told so, audited.
pub async fn subscribe_at_counter(
    app: &App,
    site: &Site,
    agent: &Agent,
    list_code: &str,
    medium: Medium,
    raw: &str,
) -> Result<Subscribed, SubscribeError> {
    let list = list(site, list_code).ok_or(SubscribeError::List)?;
    let address = address(medium, raw).ok_or(SubscribeError::Address)?;
    let done = app
        .store
        .subscribe_to_list(
            site.tenant.id,
            NewSubscription {
                list: list.code.clone(),
                channel: medium.as_str(),
                address,
                source: Source::Counter.as_str(),
                pending: false,
                token: new_token()?,
                actor: Some(agent.actor()),
                notice: Some(Notice {
                    template: "alerts-subscribed",
                    link_prefix: (medium == Medium::Email).then(|| link_prefix(app, site, "leave")),
                }),
            },
            app.now(),
        )
        .await?;
    crate::metrics::subscription("counter", subscribed_word(done));
    Ok(done)
}

/// What an SMS did to the lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsDone {
    /// Subscribed to this list (or was).
    Subscribed(String),
    /// Left this many lists.
    Stopped(u64),
}

/// An SMS received read as a command to the lists (`TRAVAUX`, `STOP`,
/// `STOP TRAVAUX`) before it is taken as a message: `None` when it is not
/// one. The phone proves itself: a keyword subscribes at once.
pub async fn sms_command(
    app: &App,
    site: &Site,
    from: &str,
    text: &str,
) -> Result<Option<SmsDone>, StoreError> {
    let lists = site.look.get().settings.lists();
    let Some(command) = campaigns::sms_command(&lists, text) else {
        return Ok(None);
    };
    let Some(phone) = phone_key(from) else {
        return Ok(None);
    };
    let notice = |template| {
        Some(Notice {
            template,
            link_prefix: None,
        })
    };
    Ok(Some(match command {
        SmsCommand::Subscribe(list) => {
            let done = app
                .store
                .subscribe_to_list(
                    site.tenant.id,
                    NewSubscription {
                        list: list.code.clone(),
                        channel: "sms",
                        address: phone,
                        source: Source::Sms.as_str(),
                        pending: false,
                        token: new_token()?,
                        actor: None,
                        notice: notice("alerts-subscribed"),
                    },
                    app.now(),
                )
                .await?;
            crate::metrics::subscription("sms", subscribed_word(done));
            SmsDone::Subscribed(list.code.clone())
        }
        SmsCommand::Stop | SmsCommand::Leave(_) => {
            let list = match command {
                SmsCommand::Leave(l) => Some(l.code.clone()),
                _ => None,
            };
            let left = app
                .store
                .stop_phone(
                    site.tenant.id,
                    phone,
                    list,
                    notice("alerts-stopped"),
                    app.now(),
                )
                .await?;
            crate::metrics::subscription("sms", "stopped");
            SmsDone::Stopped(left)
        }
    }))
}

/// The confirmation link of a web subscription followed.
pub async fn confirm(
    app: &App,
    site: &Site,
    token: &str,
) -> Result<Option<Subscriber>, StoreError> {
    if !plausible(token) {
        return Ok(None);
    }
    app.store
        .confirm_subscriber(site.tenant.id, token.to_owned(), app.now())
        .await
}

/// The subscriber of a link's token, as it is.
pub async fn subscriber(
    app: &App,
    site: &Site,
    token: &str,
) -> Result<Option<Subscriber>, StoreError> {
    if !plausible(token) {
        return Ok(None);
    }
    app.store.subscriber(site.tenant.id, token.to_owned()).await
}

/// The link of an e-mail to leave its list, confirmed.
pub async fn leave(app: &App, site: &Site, token: &str) -> Result<Option<Subscriber>, StoreError> {
    if !plausible(token) {
        return Ok(None);
    }
    let left = app
        .store
        .leave(site.tenant.id, token.to_owned(), app.now())
        .await?;
    if left.is_some() {
        crate::metrics::subscription("link", "stopped");
    }
    Ok(left)
}

fn plausible(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The lists an agent may send campaigns to: all for an administrator,
/// else those of a department where they handle requests.
pub fn sendable_lists(site: &Site, agent: &Agent) -> Vec<List> {
    site.look
        .get()
        .settings
        .lists()
        .into_iter()
        .filter(|l| {
            agent.admin
                || l.department
                    .as_deref()
                    .is_some_and(|d| agent.can(d, Role::Handler))
        })
        .collect()
}

/// Why a campaign was not stored.
#[derive(Debug)]
pub enum ComposeError {
    Invalid(Vec<DraftError>),
    Unavailable(StoreError),
}

/// A campaign written by an agent, checked, stored with its recipients
/// (the list's active subscribers of its channel now): its id and how many
/// they are. The sender takes it from there.
pub async fn compose(
    app: &App,
    site: &Site,
    agent: &Agent,
    draft: &Draft,
) -> Result<(i64, u64), ComposeError> {
    let lists = sendable_lists(site, agent);
    let allowed: Vec<&List> = lists.iter().collect();
    let checked = draft.check(&allowed).map_err(ComposeError::Invalid)?;
    if checked.medium == Medium::Sms && site.look.get().settings.sms.is_none() {
        return Err(ComposeError::Invalid(vec![DraftError {
            field: "channel",
            key: "bo.campaigns.error.no-sms",
        }]));
    }
    let stored = app
        .store
        .create_campaign(
            site.tenant.id,
            NewCampaign {
                list: checked.list.clone(),
                channel: checked.medium.as_str(),
                subject: checked.subject.clone(),
                text: checked.text.clone(),
                parts: checked.parts,
                actor: agent.actor(),
            },
            app.now(),
        )
        .await
        .map_err(ComposeError::Unavailable)?;
    tracing::info!(tenant = %site.tenant.slug, campaign = stored.0, recipients = stored.1, list = %checked.list, channel = checked.medium.as_str(), "campaign written");
    app.campaigns_due.notify_one();
    Ok(stored)
}
