//! Telling people: the outbox worker and the deadline watch.
//!
//! Every message is written to the outbox by the store in the transaction of
//! the event that causes it (an acknowledgement with its request, news with
//! the step it announces). The worker then, on each run:
//! 1. **expands** each new outbox message into deliveries, one per channel
//!    and address (the citizen's e-mail and, if they asked for it, SMS; the
//!    e-mail of each agent concerned), rendered from the templates, in one
//!    transaction that also forgets the message's secret (tracking code);
//! 2. **sends** the deliveries that are due, and records each result: sent,
//!    or failed with a next attempt after a growing wait (30 s, doubling, at
//!    most an hour), given up after [`MAX_ATTEMPTS`] (agents see it).
//!
//! A delivery is sent once: it is marked sent right after the server
//! accepted it; only a crash in between those two instants sends it again,
//! with the same Message-ID. The deadline watch ([`watch_deadlines`]) records
//! each reminder and escalation with a mark on the request, in the
//! transaction that queues its message, so none fires twice, across restarts.

pub mod calls;
pub mod campaigns;
pub mod mail;
pub mod reports;
pub mod sms;

use crate::core::catalogue::Service;
use crate::core::workflow::Role;
use crate::store::{DeadlineMark, NewDelivery, PendingMessage, StoreError};
use crate::tenant::Site;
use crate::tenant::dates::long_date;
use crate::tenant::templates;
use crate::usecases::App;
use std::sync::Arc;

/// Why a message did not go: the mail server's or the SMS provider's answer, or what is missing to send it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

impl From<String> for SendError {
    fn from(message: String) -> SendError {
        SendError(message)
    }
}

impl From<&str> for SendError {
    fn from(message: &str) -> SendError {
        SendError(message.to_owned())
    }
}

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// A tenant's agents and departments (with their heads), read once per run.
#[derive(Default)]
struct Staff {
    agents: Vec<crate::store::AgentRecord>,
    departments: Vec<crate::store::Department>,
}

/// Sends one message now, outside the outbox, with the tenant's settings
/// as they are: an administrator checks that e-mail (`channel` "email") or
/// SMS ("sms") goes out, and the audit checkpoints leave by it (they must
/// not wait in the database they vouch for). `Err` says why it did not, as
/// the server or the provider answered.
pub async fn send_test(
    app: &App,
    site: &Arc<Site>,
    channel: &'static str,
    address: String,
    subject: &str,
    text: &str,
    lang: &str,
) -> Result<(), SendError> {
    let look = site.look.get();
    let town = site.town_name();
    let brand = brand(&look, &town);
    let delivery = crate::store::Delivery {
        id: 0,
        tenant_id: site.tenant.id,
        channel: channel.to_owned(),
        address,
        subject: (channel == "email").then(|| subject.to_owned()),
        body: text.to_owned(),
        html: (channel == "email").then(|| crate::render::mail::html(subject, text, &brand, lang)),
        attempts: 0,
        enclosure: None,
        reference: None,
    };
    let smtp = app.config.smtp.clone();
    let site = Arc::clone(site);
    let blobs = Arc::clone(&app.blobs);
    tokio::task::spawn_blocking(move || deliver(&site, smtp.as_deref(), &*blobs, &delivery, None))
        .await
        .unwrap_or_else(|e| Err(SendError(format!("sending task failed: {e}"))))
}

/// The town's look for the HTML part of its e-mails.
fn brand<'a>(look: &'a crate::tenant::look::Look, town: &'a str) -> crate::render::mail::Brand<'a> {
    let colours = &look.settings.colours;
    crate::render::mail::Brand {
        town,
        primary: &colours.primary,
        primary_text: &colours.primary_text,
        text: &colours.text,
        site_url: look.settings.site_url.as_deref(),
    }
}

/// Messages expanded into deliveries, and deliveries tried, per run.
const EXPAND_PER_RUN: u32 = 200;
/// Messages expanded per write transaction: one commit for a slice rather
/// than one per message (a backlog of 292 000 messages took minutes, a
/// commit each), and slices small enough that the submits queued behind one
/// wait a few milliseconds at most.
const EXPAND_PER_WRITE: usize = 25;
const SEND_PER_RUN: u32 = 100;
/// Deliveries being sent at the same time.
const SEND_AT_ONCE: usize = 8;

/// Runs the outbox until it has nothing more to do now: a backlog (a storm
/// of reports, a mail server back after an outage) goes out at once rather
/// than one run per tick. Returns what [`run_outbox`] did in all.
pub async fn drain_outbox(app: &App) -> Result<(usize, usize), StoreError> {
    // The calls to the town's software go in the same run.
    let mut sent = calls::run_calls(app).await?;
    let mut expanded = 0;
    loop {
        let (e, s) = run_outbox(app).await?;
        expanded += e;
        sent += s;
        // A run below its limits found everything there was; a run that
        // sent nothing (all failed, or all waiting) would only spin.
        if (e < EXPAND_PER_RUN as usize && s < SEND_PER_RUN as usize) || (e == 0 && s == 0) {
            return Ok((expanded, sent));
        }
    }
}

/// Expands new messages and sends what is due, once. Returns (expanded,
/// sent).
pub async fn run_outbox(app: &App) -> Result<(usize, usize), StoreError> {
    let mut expanded = 0;
    let mut slice = Vec::with_capacity(EXPAND_PER_WRITE);
    // Each tenant's agents, read once per run.
    let mut staff: std::collections::HashMap<i64, Staff> = std::collections::HashMap::new();
    for message in app.store.pending_messages(EXPAND_PER_RUN).await? {
        let Some(site) = app.site_by_id(message.tenant_id) else {
            continue;
        };
        if message.recipient_kind != "citizen" && !staff.contains_key(&site.tenant.id) {
            let known = Staff {
                agents: app.store.agents(site.tenant.id).await?,
                departments: app.store.departments(site.tenant.id).await?,
            };
            staff.insert(site.tenant.id, known);
        }
        let no_one = Staff::default();
        let known = staff.get(&site.tenant.id).unwrap_or(&no_one);
        slice.push((message.id, expand(app, &site, &message, known)?));
        if slice.len() == EXPAND_PER_WRITE {
            expanded += slice.len();
            app.store
                .expand_messages(std::mem::take(&mut slice))
                .await?;
        }
        // Live requests first: rendering a backlog's e-mails gives the
        // worker thread back between two messages.
        tokio::task::yield_now().await;
    }
    if !slice.is_empty() {
        expanded += slice.len();
        app.store.expand_messages(slice).await?;
    }
    let now = (app.clock)();
    let mut sent = 0;
    let sites = app.all_sites();
    let idle: Vec<(i64, &'static str)> = sites
        .iter()
        .flat_map(|site| {
            idle_channels(app, site)
                .into_iter()
                .map(|channel| (site.tenant.id, channel))
        })
        .collect();
    // Nowhere to send anything (no mail server, no SMS provider): the
    // deliveries wait, and looking through all of them at every run, to
    // find none to send, grew with the backlog (a tenth of the CPU under a
    // submit load).
    if idle.len() == sites.len() * CHANNELS {
        return Ok((expanded, sent));
    }
    // Several deliveries at once (each its own SMTP connection or HTTP
    // request, in the blocking pool): one slow server does not hold the rest.
    let mut sending = tokio::task::JoinSet::new();
    let due = app
        .store
        .due_deliveries(now.as_second(), SEND_PER_RUN, idle)
        .await?;
    // Taken by this node (another one may be sending at the same time):
    // each delivery is sent by the one node that claimed it.
    let claimed = app
        .store
        .claim_deliveries(
            due.iter().map(|d| d.id).collect(),
            now.as_second(),
            claim_until(app, now),
        )
        .await?;
    let mut due = due.into_iter().filter(|d| claimed.contains(&d.id));
    loop {
        while sending.len() < SEND_AT_ONCE {
            let Some(delivery) = due.next() else { break };
            let Some(site) = app.site_by_id(delivery.tenant_id) else {
                continue;
            };
            let smtp = app.config.smtp.clone();
            let blobs = std::sync::Arc::clone(&app.blobs);
            let seal = delivery.reference.map(|r| {
                app.secret
                    .seal(&crate::core::inbound::reply_purpose(&site.tenant.slug, r))
            });
            sending.spawn_blocking(move || {
                let result = deliver(&site, smtp.as_deref(), &*blobs, &delivery, seal.as_deref());
                (delivery, result)
            });
        }
        let Some(done) = sending.join_next().await else {
            break;
        };
        let Ok((delivery, result)) = done else {
            // A panic while sending: the delivery stays due and is tried again.
            tracing::error!("a sending task failed");
            continue;
        };
        let recorded = match result {
            Ok(()) => {
                sent += 1;
                crate::metrics::delivery(&delivery.channel, "sent");
                Ok(())
            }
            Err(error) => {
                let attempts = delivery.attempts + 1;
                tracing::warn!(delivery = delivery.id, channel = %delivery.channel, attempts, %error, "delivery failed");
                let next = (attempts < MAX_ATTEMPTS)
                    .then(|| now.as_second() + (30i64 << (attempts - 1).min(7)).min(3600));
                let outcome = if next.is_some() {
                    "retried"
                } else {
                    "given-up"
                };
                crate::metrics::delivery(&delivery.channel, outcome);
                Err((error.0, next))
            }
        };
        app.store
            .delivery_result(delivery.id, recorded, (app.clock)())
            .await?;
    }
    Ok((expanded, sent))
}

/// Until when a node holds what it claims now (Unix seconds).
pub(crate) fn claim_until(app: &App, now: jiff::Timestamp) -> i64 {
    let hold = i64::try_from(app.config.claim_period.as_secs()).unwrap_or(i64::MAX / 4);
    now.as_second().saturating_add(hold)
}

/// The channels deliveries go by (`email`, `sms`): what
/// [`idle_channels`] can name.
const CHANNELS: usize = 2;

/// The channels of a tenant with nowhere to send to: no SMTP server (its own
/// or the server's `--smtp`), no SMS provider. Their deliveries wait, without
/// counting attempts, until the settings name one.
pub fn idle_channels(app: &App, site: &Site) -> Vec<&'static str> {
    let look = site.look.get();
    let mut idle = Vec::new();
    if look.settings.mail.smtp.is_none() && app.config.smtp.is_none() {
        idle.push("email");
    }
    if look.settings.sms.is_none() {
        idle.push("sms");
    }
    idle
}

/// How a tenant's e-mail leaves: its SMTP server (its own, else the
/// server's `--smtp`), its sender, the extra authorities it trusts.
pub(crate) struct MailRoute {
    pub smtp: String,
    pub from: String,
    pub ca: Option<Vec<u8>>,
}

pub(crate) fn mail_route(
    site: &Site,
    look: &crate::tenant::look::Look,
    smtp: Option<&str>,
) -> Result<MailRoute, SendError> {
    let smtp = look
        .settings
        .mail
        .smtp
        .as_deref()
        .or(smtp)
        .ok_or("aucun serveur SMTP configuré (--smtp ou [mail] smtp)")?;
    let default_from = format!(
        "{} <ne-pas-repondre@{}.invalid>",
        look.settings.name.as_deref().unwrap_or(&site.tenant.name),
        site.tenant.slug
    );
    let ca = match &look.settings.mail.ca_file {
        Some(path) => Some(
            std::fs::read(site.look.dir().join(path))
                .map_err(|e| format!("[mail] ca_file {path}: {e}"))?,
        ),
        None => None,
    };
    Ok(MailRoute {
        smtp: smtp.to_owned(),
        from: look.settings.mail.from.clone().unwrap_or(default_from),
        ca,
    })
}

fn deliver(
    site: &Site,
    smtp: Option<&str>,
    blobs: &dyn crate::store::blobs::BlobStore,
    d: &crate::store::Delivery,
    seal: Option<&str>,
) -> Result<(), SendError> {
    let look = site.look.get();
    match d.channel.as_str() {
        "email" => {
            let route = mail_route(site, &look, smtp)?;
            let message_id = if d.id > 0 {
                // A message to a requester carries its request's reply token.
                crate::core::inbound::message_id(d.id, &site.tenant.slug, d.reference.zip(seal))
            } else {
                // An administrator's test message (see `send_test`).
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                format!("<test-{}.{}@guichet>", now.as_nanos(), site.tenant.slug)
            };
            // The document it carries, read from the blob store.
            let enclosure = match &d.enclosure {
                Some(e) => {
                    let bytes = blobs
                        .get(&e.sha256)
                        .map_err(|err| format!("document {}: {err}", e.name))?
                        .ok_or_else(|| {
                            format!("document {} missing from the blob store", e.name)
                        })?;
                    Some((e.name.as_str(), e.media_type.as_str(), bytes))
                }
                None => None,
            };
            mail::send(
                &route.smtp,
                route.ca.as_deref(),
                &mail::Email {
                    from: &route.from,
                    reply_to: look.settings.mail.reply_to.as_deref(),
                    to: &d.address,
                    subject: d.subject.as_deref().unwrap_or(""),
                    text: &d.body,
                    html: d.html.as_deref(),
                    message_id: &message_id,
                    enclosure,
                    list_unsubscribe: None,
                },
            )
        }
        "sms" => {
            let settings = look
                .settings
                .sms
                .as_ref()
                .ok_or("aucun fournisseur SMS configuré ([sms])")?;
            sms::send(settings, &d.address, &d.body)
        }
        other => Err(SendError(format!("unknown channel {other}"))),
    }
}

fn expand(
    app: &App,
    site: &Site,
    message: &PendingMessage,
    staff: &Staff,
) -> Result<Vec<NewDelivery>, StoreError> {
    let look = site.look.get();
    if message.recipient_kind == "account" {
        return Ok(account_mail(site, &look, message).into_iter().collect());
    }
    if message.recipient_kind == "inbound" {
        return Ok(inbound_ack(site, &look, message).into_iter().collect());
    }
    if message.recipient_kind == "alerts" {
        return Ok(alerts_notice(site, &look, message).into_iter().collect());
    }
    let Some(request) = &message.request else {
        return Ok(Vec::new());
    };
    let w = Wording::of(app, site, &look, message, request);
    let brand = brand(&look, &w.town);
    let Some(rendered) = templates::render(
        &look.templates,
        Some(&request.service_code),
        Some(&w.step_id),
        &w.template,
        &w.variables(),
        &brand,
        w.lang,
    ) else {
        tracing::error!(tenant = %site.tenant.slug, template = %w.template, "no such message template: message dropped");
        return Ok(Vec::new());
    };
    let has_secret = message.secret.is_some();
    if message.recipient_kind == "citizen" {
        let rendered = ask_satisfaction(app, site, &look, &w, request, rendered, &brand);
        return Ok(citizen_deliveries(request, &rendered, &look, has_secret));
    }
    Ok(concerned_agents(staff, &w.template, &w.department)
        .into_iter()
        .filter_map(|a| a.email.as_deref())
        .map(|address| email(address, &rendered, has_secret))
        .collect())
}

/// The citizen's e-mail, with the satisfaction questionnaire's link after
/// its text when the message tells of the request's closing and the town
/// asks for its service (the `satisfaction` template's words; the SMS is
/// left as it is).
fn ask_satisfaction(
    app: &App,
    site: &Site,
    look: &crate::tenant::look::Look,
    w: &Wording,
    request: &crate::store::MessageRequest,
    mut rendered: templates::Rendered,
    brand: &crate::render::mail::Brand,
) -> templates::Rendered {
    let closing = site
        .tenant
        .service_version(&request.service_code, request.service_version)
        .and_then(|s| s.step(&w.step_id))
        .is_some_and(|step| step.kind.is_final());
    if !closing || !crate::usecases::satisfaction::asks(site, &request.service_code) {
        return rendered;
    }
    let public = app.message_url.trim_end_matches('/');
    let mut link = format!(
        "{public}/{}{}",
        site.tenant.slug,
        crate::usecases::satisfaction::path(app, site, request.reference)
    );
    if w.lang != look.settings.language {
        link.push_str(&format!("?lang={}", w.lang));
    }
    let vars = [("town", w.town.as_str()), ("link", link.as_str())];
    let Some(ask) = templates::render(
        &look.templates,
        Some(&request.service_code),
        None,
        "satisfaction",
        &vars,
        brand,
        w.lang,
    ) else {
        return rendered;
    };
    rendered.text = format!("{}\n\n{}", rendered.text, ask.text);
    rendered.html = crate::render::mail::html(&rendered.subject, &rendered.text, brand, w.lang);
    rendered
}

/// A message about a citizen's account (a link to confirm the address, to
/// choose a new password; a change made): an e-mail to its address, in the
/// citizen's language (the message's text), its link the message's secret.
fn account_mail(
    site: &Site,
    look: &crate::tenant::look::Look,
    message: &PendingMessage,
) -> Option<NewDelivery> {
    let to = message.recipient.as_deref()?;
    let template = message.template.as_deref()?;
    let lang = match message.text.as_deref() {
        Some("en") => "en",
        _ => "fr",
    };
    let town = site.town_name();
    let link = message.secret.clone().unwrap_or_default();
    let vars = [
        ("town", town.as_str()),
        ("link", link.as_str()),
        ("email", to),
    ];
    let Some(rendered) = templates::render(
        &look.templates,
        None,
        None,
        template,
        &vars,
        &brand(look, &town),
        lang,
    ) else {
        tracing::error!(tenant = %site.tenant.slug, %template, "no such message template: message dropped");
        return None;
    };
    Some(email(to, &rendered, true))
}

/// The acknowledgement of a message received by e-mail or SMS that
/// answers no request, by the way it came (`text` says which).
fn inbound_ack(
    site: &Site,
    look: &crate::tenant::look::Look,
    message: &PendingMessage,
) -> Option<NewDelivery> {
    let to = message.recipient.as_deref()?;
    let template = message.template.as_deref()?;
    let town = site.town_name();
    let lang = look.settings.language.as_str();
    let rendered = templates::render(
        &look.templates,
        None,
        None,
        template,
        &[("town", town.as_str())],
        &brand(look, &town),
        lang,
    )?;
    if message.text.as_deref() == Some("sms") {
        return sms_to(look, to, &rendered, false);
    }
    Some(email(to, &rendered, false))
}

/// A message about a subscription to one of the town's lists (confirm it,
/// subscribed, left), by the channel of the subscription: `text` is
/// `CHANNEL:LIST` (`*` for every list), the secret its link.
fn alerts_notice(
    site: &Site,
    look: &crate::tenant::look::Look,
    message: &PendingMessage,
) -> Option<NewDelivery> {
    let to = message.recipient.as_deref()?;
    let template = message.template.as_deref()?;
    let (channel, list) = message.text.as_deref()?.split_once(':')?;
    let town = site.town_name();
    let name = look.settings.list_name(list).unwrap_or_default();
    let link = message.secret.clone().unwrap_or_default();
    let rendered = templates::render(
        &look.templates,
        None,
        None,
        template,
        &[
            ("town", town.as_str()),
            ("list", name),
            ("link", link.as_str()),
        ],
        &brand(look, &town),
        look.settings.language.as_str(),
    )?;
    if channel == "sms" {
        return sms_to(look, to, &rendered, false);
    }
    Some(email(to, &rendered, message.secret.is_some()))
}

/// What fills a message's template: its variables, and which template and
/// step's wording to take, in which language.
struct Wording {
    template: String,
    /// The step whose wording applies: for a template, the step the request
    /// had reached when the message was written.
    step_id: String,
    answer: String,
    department: String,
    department_name: String,
    lang: &'static str,
    town: String,
    name: String,
    reference: String,
    service_title: String,
    due: String,
    step_label: String,
    code: String,
    tracking_link: String,
    backoffice: String,
}

impl Wording {
    fn of(
        app: &App,
        site: &Site,
        look: &crate::tenant::look::Look,
        message: &PendingMessage,
        request: &crate::store::MessageRequest,
    ) -> Wording {
        let service: Option<&Arc<Service>> = site
            .tenant
            .service_version(&request.service_code, request.service_version);
        let template = message
            .template
            .clone()
            .unwrap_or_else(|| "answer".to_owned());
        // For a template, `text` is the step the request had reached; for an
        // answer, its text.
        let (step_id, answer) = match &message.template {
            Some(_) => (
                message.text.clone().unwrap_or_else(|| request.step.clone()),
                String::new(),
            ),
            None => (
                request.step.clone(),
                message.text.clone().unwrap_or_default(),
            ),
        };
        let department = message
            .recipient
            .clone()
            .unwrap_or_else(|| request.department.clone());
        let department_name = site
            .department(&department)
            .map_or(department.clone(), |d| d.name.clone());
        // Citizens read their messages in the language they used; agents in
        // French.
        let lang = if message.recipient_kind == "citizen" && request.lang == "en" {
            "en"
        } else {
            "fr"
        };
        let step_label = service
            .and_then(|s| s.step(&step_id))
            .map(|s| {
                s.citizen_label_in(lang)
                    .map_or_else(|| s.label.clone(), str::to_owned)
            })
            .unwrap_or_default();
        let public = app.message_url.trim_end_matches('/');
        let mut tracking_link = match &message.secret {
            Some(code) => format!("{public}/{}/track/{code}", site.tenant.slug),
            None => format!("{public}/{}/track", site.tenant.slug),
        };
        if lang != look.settings.language {
            tracking_link.push_str(&format!("?lang={lang}"));
        }
        let reference = request.reference.to_string();
        let service_title = service.map_or(request.service_code.clone(), |s| match lang {
            "en" => s.title_en.clone().unwrap_or_else(|| s.title.clone()),
            _ => s.title.clone(),
        });
        Wording {
            backoffice: format!(
                "{public}/{}/backoffice/requests/{reference}",
                site.tenant.slug
            ),
            template,
            step_id,
            answer,
            department,
            department_name,
            lang,
            town: site.town_name(),
            name: request.requester_name.clone(),
            reference,
            service_title,
            due: long_date(request.due_date, lang),
            step_label,
            code: message.secret.clone().unwrap_or_default(),
            tracking_link,
        }
    }

    /// The template variables (`templates::VARIABLES`) and their values.
    fn variables(&self) -> Vec<(&str, &str)> {
        vec![
            ("town", &self.town),
            ("name", &self.name),
            ("reference", &self.reference),
            ("service", &self.service_title),
            ("due_date", &self.due),
            ("step", &self.step_label),
            ("answer", &self.answer),
            ("tracking_code", &self.code),
            ("tracking_link", &self.tracking_link),
            ("department", &self.department_name),
            ("backoffice_link", &self.backoffice),
        ]
    }
}

fn email(address: &str, rendered: &templates::Rendered, has_secret: bool) -> NewDelivery {
    NewDelivery {
        channel: "email",
        address: address.to_owned(),
        subject: Some(rendered.subject.clone()),
        body: rendered.text.clone(),
        html: Some(rendered.html.clone()),
        has_secret,
        parts: None,
    }
}

/// The citizen's e-mail, and SMS if they asked for it, the message has an
/// SMS wording and the town an SMS provider.
fn citizen_deliveries(
    request: &crate::store::MessageRequest,
    rendered: &templates::Rendered,
    look: &crate::tenant::look::Look,
    has_secret: bool,
) -> Vec<NewDelivery> {
    let mut out = Vec::new();
    if let Some(address) = &request.email {
        out.push(email(address, rendered, has_secret));
    }
    if request.sms
        && let Some(phone) = request.phone.as_deref()
    {
        out.extend(sms_to(look, phone, rendered, has_secret));
    }
    out
}

/// The SMS of a rendered message to `phone`, when the message has an SMS
/// wording, the phone is a mobile and the town an SMS provider: made GSM-7
/// where it can be and cut to [`sms::MAX_PARTS`].
fn sms_to(
    look: &crate::tenant::look::Look,
    phone: &str,
    rendered: &templates::Rendered,
    has_secret: bool,
) -> Option<NewDelivery> {
    let (Some(text), Some(phone), Some(_)) =
        (&rendered.sms, sms::mobile_number(phone), &look.settings.sms)
    else {
        return None;
    };
    let (body, segments) = sms::prepare(text, sms::MAX_PARTS);
    Some(NewDelivery {
        channel: "sms",
        address: phone,
        subject: None,
        body,
        html: None,
        has_secret,
        parts: u32::try_from(segments.parts).ok(),
    })
}

/// The agents a notice reaches, as they are now: the department's agents;
/// its validators for a validation; its head (else its validators, else the
/// administrators) for a first escalation; the administrators for the
/// second. Only active agents with an e-mail address.
fn concerned_agents<'a>(
    staff: &'a Staff,
    template: &str,
    department: &str,
) -> Vec<&'a crate::store::AgentRecord> {
    let agents = &staff.agents;
    let in_department = |a: &crate::store::AgentRecord, role: Option<Role>| {
        a.agent.roles.iter().any(|(d, r)| {
            *d == department && r.sees_requests() && role.is_none_or(|want| *r == want)
        })
    };
    // The department's head, when an administrator named one.
    let head = staff
        .departments
        .iter()
        .find(|d| d.code == department)
        .and_then(|d| d.head.as_deref());
    let reachable = |a: &&crate::store::AgentRecord| a.active && a.email.is_some();
    let mut chosen: Vec<&crate::store::AgentRecord> = match (template, head) {
        ("escalation-head", Some(head)) => agents
            .iter()
            .filter(reachable)
            .filter(|a| a.agent.login == head)
            .collect(),
        _ => Vec::new(),
    };
    if chosen.is_empty() {
        chosen = agents
            .iter()
            .filter(reachable)
            .filter(|a| match template {
                "validation-asked" | "escalation-head" => in_department(a, Some(Role::Validator)),
                "escalation-admin" => a.agent.admin,
                _ => in_department(a, None),
            })
            .collect();
    }
    if chosen.is_empty() && template.starts_with("escalation") {
        // No head and no validator to reach: the administrators are told.
        chosen = agents
            .iter()
            .filter(|a| a.active && a.email.is_some() && a.agent.admin)
            .collect();
    }
    chosen
}

/// Reminders and escalations due at the clock's "now": a reminder to the
/// department once `reminder_percent` of the delay has gone, the department
/// head (or, without one, its validators) told on the first late day, the administrators `admin_after_days`
/// later. Requests waiting for the citizen are left alone. Returns how many
/// notices were recorded.
pub async fn watch_deadlines(app: &App) -> Result<usize, StoreError> {
    let now = (app.clock)();
    let mut recorded = 0;
    // A disabled town is left as it is: no reminder, no escalation.
    for site in app.all_sites().iter().filter(|s| s.enabled) {
        let settings = site.look.get().settings.deadlines.clone();
        let today = now.to_zoned(site.tenant.time_zone.clone()).date();
        for open in app.store.open_requests(site.tenant.id).await? {
            let submitted = open
                .state
                .created_at
                .to_zoned(site.tenant.time_zone.clone())
                .date();
            let total = (open.due_date - submitted).get_days().max(1);
            let gone = (today - submitted).get_days();
            let mut marks = Vec::new();
            if !open.reminded
                && gone * 100 >= total * i32::try_from(settings.reminder_percent).unwrap_or(66)
            {
                marks.push(DeadlineMark::Reminder);
            }
            let late_days = (today - open.due_date).get_days();
            if late_days >= 1 && open.escalation == 0 {
                marks.push(DeadlineMark::Escalation(1));
            }
            if late_days > i32::try_from(settings.admin_after_days).unwrap_or(3)
                && open.escalation <= 1
            {
                marks.push(DeadlineMark::Escalation(2));
            }
            for mark in marks {
                if app
                    .store
                    .deadline_mark(
                        site.tenant.id,
                        open.reference,
                        mark,
                        open.state.department.clone(),
                        now,
                    )
                    .await?
                {
                    recorded += 1;
                }
            }
        }
    }
    Ok(recorded)
}
