//! A tenant's look and wording: settings (name, logo, colours, origins allowed
//! to frame the pages), an optional stylesheet, reworded messages, and
//! stylesheet overrides — all files in `DATA/tenants/SLUG/`, picked up without a
//! restart (checked at most once a second, read without a lock).

use crate::core::agenda::Hours;
use arc_swap::ArcSwap;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

/// Why a tenant's settings were refused: the setting and how to write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

impl From<String> for SettingsError {
    fn from(message: String) -> SettingsError {
        SettingsError(message)
    }
}

impl From<&str> for SettingsError {
    fn from(message: &str) -> SettingsError {
        SettingsError(message.to_owned())
    }
}

/// Built-in message catalogues, French first.
pub const LANGUAGES: [(&str, &str); 2] = [
    ("fr", include_str!("../../i18n/fr.toml")),
    ("en", include_str!("../../i18n/en.toml")),
];

/// `settings.toml` of a tenant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Name shown in the header; the tenant's registered name when absent.
    pub name: Option<String>,
    /// Default language of the pages (`fr` or `en`).
    pub language: String,
    /// The town's own site, linked from the header.
    pub site_url: Option<String>,
    /// Origins (`https://www.example.fr`) allowed to put the pages in an iframe.
    pub frame_ancestors: Vec<String>,
    /// A logo file in the tenant folder (SVG, PNG or JPEG).
    pub logo: Option<String>,
    /// Alternative text of the logo.
    pub logo_alt: Option<String>,
    pub colours: Colours,
    /// E-mail to citizens and agents.
    pub mail: MailSettings,
    /// SMS through a provider's HTTP API (none when absent).
    pub sms: Option<SmsSettings>,
    pub deadlines: DeadlineSettings,
    /// `[agendas.NAME]`: the appointment hours each agenda publishes, over
    /// the services' own.
    pub agendas: BTreeMap<String, AgendaSettings>,
    /// `[openid]`: the identity provider citizens may sign in with.
    pub openid: Option<OpenIdSettings>,
    /// `[calls.NAME]`: the town's software a workflow step calls
    /// (`<call target="NAME">`).
    pub calls: BTreeMap<String, CallSettings>,
    /// `[open311]`: the town's incident services offered to Open311
    /// GeoReport v2 clients (none when absent).
    pub open311: Option<Open311Settings>,
    /// `[satisfaction]`: the questionnaire offered when a request closes
    /// (none when absent).
    pub satisfaction: Option<SatisfactionSettings>,
    /// `[inbound]`: messages the town receives by e-mail (its mailboxes,
    /// polled over IMAP) and by SMS (its provider's callback), and the
    /// rules that route them to departments.
    pub inbound: InboundSettings,
    /// `[[lists]]`: the town's lists of alerts and flash information, which
    /// people subscribe to and campaigns are sent to.
    pub lists: Vec<ListSettings>,
    /// `[map]`: the tile server the back office's map draws over.
    pub map: MapSettings,
    /// `[audit]`: where the checkpoints of the town's audit journal are sent.
    pub audit: AuditSettings,
}

/// `[audit]` of `settings.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// Addresses each checkpoint of the town's journal is mailed to as the
    /// server takes it (through the town's SMTP server): kept away from the
    /// server, they let `guichet audit verify --against` find a journal
    /// rewritten by whoever can write the database.
    pub checkpoints_to: Vec<String>,
}

/// `[map]` of `settings.toml`: without `tiles`, the map is the districts'
/// outlines as SVG; with it, the same requests over the tile server's map
/// (Leaflet, served by Guichet itself), the SVG kept for browsers without
/// JavaScript.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MapSettings {
    /// `https://tile.example.fr/{z}/{x}/{y}.png` (`{s}` for its
    /// subdomains a, b, c).
    pub tiles: Option<String>,
    /// Shown in the map's corner, as the tile server's terms ask
    /// (`© les contributeurs d'OpenStreetMap`).
    pub attribution: String,
    pub max_zoom: u8,
}

impl Default for MapSettings {
    fn default() -> Self {
        MapSettings {
            tiles: None,
            attribution: String::new(),
            max_zoom: 19,
        }
    }
}

impl MapSettings {
    /// The origin the tiles come from, as a CSP source (`{s}` as `*`).
    pub fn tile_origin(&self) -> Option<String> {
        let url = self.tiles.as_deref()?.replace("{s}", "*");
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let host = &rest[..rest.find('/').unwrap_or(rest.len())];
        Some(format!("{}{host}", &url[..url.len() - rest.len()]))
    }
}

/// `[[lists]]` of `settings.toml`: one theme people subscribe to.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ListSettings {
    /// `travaux`: lower-case letters, digits and dashes.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The word an SMS to the town's number sends to subscribe (`TRAVAUX`).
    pub keyword: Option<String>,
    /// The department whose handlers send its campaigns (administrators
    /// always may).
    pub department: Option<String>,
    /// `[[lists.messages]]`: its pre-formatted messages.
    #[serde(default)]
    pub messages: Vec<PreformattedSettings>,
}

/// `[[lists.messages]]`: a text a campaign starts from.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PreformattedSettings {
    pub title: String,
    #[serde(default)]
    pub subject: String,
    pub text: String,
}

impl Settings {
    /// The name of the list `code`, if the town has it.
    pub fn list_name(&self, code: &str) -> Option<&str> {
        self.lists
            .iter()
            .find(|l| l.code == code)
            .map(|l| l.name.as_str())
    }

    /// The lists as the core reads them.
    pub fn lists(&self) -> Vec<crate::core::campaigns::List> {
        self.lists
            .iter()
            .map(|l| crate::core::campaigns::List {
                code: l.code.clone(),
                name: l.name.clone(),
                description: l.description.clone(),
                keyword: l.keyword.clone().filter(|k| !k.trim().is_empty()),
                department: l.department.clone(),
                messages: l
                    .messages
                    .iter()
                    .map(|m| crate::core::campaigns::Preformatted {
                        title: m.title.clone(),
                        subject: m.subject.clone(),
                        text: m.text.clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// `[inbound]` of `settings.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InboundSettings {
    /// The secret of the SMS provider's callback (`POST /T/inbound/sms`):
    /// the provider signs each call with it (`Guichet-Signature`, as the
    /// town's calls are signed) or sends it as `key`; 16 characters at
    /// least. No callback without it.
    pub sms_secret: Option<String>,
    /// The names of the fields the provider posts (form or JSON): the
    /// sender's number, the text, the provider's id of the message.
    pub sms_from: String,
    pub sms_text: String,
    pub sms_id: String,
    /// The fields of the provider's delivery receipts
    /// (`POST /T/inbound/sms/receipts`, proven as the callback is): its id
    /// of the SMS (what its answer to the sending gave, `[sms] id_field`),
    /// or the reference Guichet gave it (`{ref}` of `[sms] body`), and the
    /// status (`delivered`, `DELIVRD`, `failed`, `expired`…).
    pub receipt_id: String,
    pub receipt_ref: String,
    pub receipt_status: String,
    /// The town's number people send SMS to (shown on the alerts page with
    /// the lists' keywords).
    pub sms_number: Option<String>,
    /// `[[inbound.mailboxes]]`: the town's mailboxes Guichet reads.
    pub mailboxes: Vec<MailboxSettings>,
    /// How often the mailboxes are read.
    pub poll_seconds: u64,
    /// `[[inbound.rules]]`: the first that holds routes a message.
    pub rules: Vec<RuleSettings>,
}

impl Default for InboundSettings {
    fn default() -> Self {
        InboundSettings {
            sms_secret: None,
            sms_from: "from".into(),
            sms_text: "text".into(),
            sms_id: "id".into(),
            receipt_id: "id".into(),
            receipt_ref: "ref".into(),
            receipt_status: "status".into(),
            sms_number: None,
            mailboxes: Vec::new(),
            poll_seconds: 60,
            rules: Vec::new(),
        }
    }
}

impl InboundSettings {
    /// The routing rules as the core reads them.
    pub fn rules(&self) -> Vec<crate::core::inbound::Rule> {
        self.rules
            .iter()
            .map(|r| crate::core::inbound::Rule {
                keywords: r.keywords.clone(),
                sender: r.sender.clone(),
                channel: r.channel.clone(),
                department: r.department.clone(),
                service: r.service.clone(),
            })
            .collect()
    }
}

/// `[[inbound.mailboxes]]`: one mailbox of the town, read over IMAP with
/// TLS; each message read is marked seen and never read twice.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MailboxSettings {
    /// Its name in the queue (`mairie`, `voirie`).
    pub name: String,
    /// `imaps://USER:PASSWORD@HOST:993/MAILBOX` (the mailbox `INBOX` when
    /// absent).
    pub url: String,
    /// Certificate authorities to trust besides the system's (a PEM file
    /// in the tenant folder).
    pub ca_file: Option<String>,
}

/// `[[inbound.rules]]`: a rule routing messages to a department.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RuleSettings {
    /// Any of these words in the subject or the text.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The sender's address ends with it, or their phone starts with it.
    pub sender: Option<String>,
    /// `email` or `sms`.
    pub channel: Option<String>,
    pub department: String,
    /// A service to suggest to the agent.
    pub service: Option<String>,
}

/// `[satisfaction]` of `settings.toml`: the closing message of a request
/// ends with a link to a short questionnaire, answered once, without an
/// account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SatisfactionSettings {
    /// The services whose closing message asks, by code; every service
    /// when absent.
    pub services: Option<Vec<String>>,
    /// How many days after closing the questionnaire stays open.
    #[serde(default = "satisfaction_days")]
    pub days: u32,
}

fn satisfaction_days() -> u32 {
    60
}

impl SatisfactionSettings {
    /// Whether a request of `service` is asked.
    pub fn asks(&self, service: &str) -> bool {
        self.services
            .as_ref()
            .is_none_or(|s| s.iter().any(|c| c == service))
    }
}

/// `[open311]` of `settings.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open311Settings {
    /// The keys clients send as `api_key` to file a report (one per app).
    pub api_keys: Vec<String>,
    /// The services offered, by code; by default every online service whose
    /// form has an address field and a `description` (the incident reports).
    pub services: Option<Vec<String>>,
}

/// `[calls.NAME]` of `settings.toml`: where a step's call goes and the
/// secret it is signed with (HMAC-SHA256, header `Guichet-Signature`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSettings {
    /// `https://…` (or `http://` on a private network).
    pub url: String,
    /// Shared with the receiver, 16 characters at least.
    pub secret: String,
}

/// `[openid]` of `settings.toml`: an OpenID Connect provider (FranceConnect,
/// a regional one…) the town registered Guichet with as a confidential
/// client, its redirect URI being `https://GUICHET/T/account/openid/callback`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenIdSettings {
    /// Shown on the button: "Se connecter avec {name}".
    pub name: String,
    /// The provider's issuer (its discovery document is
    /// `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Scopes asked besides `openid`.
    #[serde(default = "default_openid_scopes")]
    pub scopes: Vec<String>,
}

fn default_openid_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into()]
}

/// `[agendas.NAME]` of `settings.toml`: an appointment agenda (by default a
/// department's code) — when it receives, how many at once, days closed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaSettings {
    /// Days then ranges: `"mon tue wed thu fri 08:30-12:00 13:30-17:00"`.
    pub hours: Vec<String>,
    /// Appointments at the same time (counters, readers' seats).
    #[serde(default = "one")]
    pub desks: u32,
    /// Days without appointments besides public holidays (`"2026-12-24"`).
    #[serde(default)]
    pub closed: Vec<String>,
}

fn one() -> u32 {
    1
}

impl AgendaSettings {
    pub fn hours(&self) -> Result<Hours, String> {
        let mut hours = Hours::closed();
        for line in &self.hours {
            hours.open_line(line)?;
        }
        if !(1..=50).contains(&self.desks) {
            return Err("desks: between 1 and 50".into());
        }
        hours.desks = self.desks;
        for day in &self.closed {
            hours.closed.push(
                day.parse()
                    .map_err(|_| format!("closed: {day:?} is not a date like 2026-12-24"))?,
            );
        }
        Ok(hours)
    }
}

/// `[mail]` of `settings.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    /// Sender, e.g. `Mairie de Démoville <ne-pas-repondre@demoville.fr>`.
    pub from: Option<String>,
    pub reply_to: Option<String>,
    /// The tenant's own SMTP server (`smtp://`, `smtps://`, with
    /// `?tls=required` for STARTTLS, `user:password@`); the server's
    /// `--smtp` otherwise.
    pub smtp: Option<String>,
    /// A PEM file of certificate authorities to trust for that server
    /// (absolute, or in the tenant folder), besides the usual public ones: a
    /// town's mail server with its own CA.
    pub ca_file: Option<String>,
}

/// `[sms]` of `settings.toml`: the HTTP API of an SMS provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// e.g. `https://api.provider.example/v1/sms`
    pub url: String,
    #[serde(default = "default_method")]
    pub method: String,
    /// `bearer TOKEN` or `basic USER:PASSWORD`.
    pub auth: Option<String>,
    /// `application/json` or `application/x-www-form-urlencoded`.
    #[serde(default = "default_sms_content_type")]
    pub content_type: String,
    /// The request body, with `{to}`, `{from}` and `{text}` (escaped for the
    /// content type), and `{ref}`: Guichet's reference of the SMS, which
    /// providers that take one send back in their delivery receipts.
    #[serde(default = "default_sms_body")]
    pub body: String,
    /// The field of the provider's JSON answer that holds its id of the SMS
    /// (`id`, `message_id`, `messages.0.id`), which its delivery receipts
    /// name; without it, receipts are matched by `{ref}`.
    pub id_field: Option<String>,
    /// Sender name shown on phones (11 characters at most).
    pub sender: String,
}

fn default_method() -> String {
    "POST".into()
}

fn default_sms_content_type() -> String {
    "application/json".into()
}

fn default_sms_body() -> String {
    r#"{"to": "{to}", "from": "{from}", "text": "{text}"}"#.into()
}

/// `[deadlines]` of `settings.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlineSettings {
    /// Share of the delay after which the department is reminded.
    pub reminder_percent: u32,
    /// Days after the due date when the administrators are told (the
    /// department head is told on the first late day).
    pub admin_after_days: u32,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings {
            reminder_percent: 66,
            admin_after_days: 3,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Colours {
    pub primary: String,
    pub primary_text: String,
    pub accent: String,
    pub background: String,
    pub text: String,
    pub error: String,
}

impl Default for Colours {
    fn default() -> Self {
        // Contrast ratios (WCAG AA): primary on white 14.8:1, text 16:1, error 6.4:1.
        Colours {
            primary: "#000091".into(),
            primary_text: "#ffffff".into(),
            accent: "#e1000f".into(),
            background: "#ffffff".into(),
            text: "#1e1e1e".into(),
            error: "#ce0500".into(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name: None,
            language: "fr".into(),
            site_url: None,
            frame_ancestors: Vec::new(),
            logo: None,
            logo_alt: None,
            colours: Colours::default(),
            mail: MailSettings::default(),
            sms: None,
            deadlines: DeadlineSettings::default(),
            agendas: BTreeMap::new(),
            openid: None,
            calls: BTreeMap::new(),
            open311: None,
            satisfaction: None,
            inbound: InboundSettings::default(),
            lists: Vec::new(),
            map: MapSettings::default(),
            audit: AuditSettings::default(),
        }
    }
}

/// What the settings file of the demo tenant says on first start.
pub const DEMO_SETTINGS: &str = r##"# Look of the demo town's pages. Edit and reload the page: no restart needed.
name = "Ville de Démoville"
language = "fr"
site_url = "https://www.demoville.example"
# Sites allowed to show the pages in an <iframe> (scheme://host[:port]).
frame_ancestors = ["http://127.0.0.1:8081", "http://localhost:8081"]
# logo = "logo.svg"        # a file beside this one
# logo_alt = "Ville de Démoville"

[colours]
primary = "#000091"
primary_text = "#ffffff"
accent = "#e1000f"
background = "#ffffff"
text = "#1e1e1e"
error = "#ce0500"

# Open311 GeoReport v2 (/demoville/open311/v2/): the incident reports offered
# to reporting apps; each app files reports with its own api_key.
[open311]
api_keys = ["demoville-open311-demo-key"]

# When a request closes, its message asks the requester a short
# questionnaire (overall, delay, clarity, a comment) by a link, for 60 days;
# `services = ["road-incident"]` asks for those services only.
[satisfaction]
days = 60

# Lists of alerts and flash information (/demoville/alerts): people
# subscribe by e-mail on that page, by sending the keyword by SMS to the
# town's number, or at the counter; STOP leaves. Campaigns are sent to a
# list from the back office (Campagnes).
[[lists]]
code = "travaux"
name = "Travaux et circulation"
description = "Chantiers, rues fermées, déviations et stationnement interdit."
keyword = "TRAVAUX"
department = "voirie"

[[lists.messages]]
title = "Rue fermée"
subject = "Travaux : rue fermée"
text = "Démoville - Travaux : la rue ... sera fermée à la circulation du ... au .... Déviation par ...."

[[lists]]
code = "culture"
name = "Culture et loisirs"
description = "Spectacles, expositions et animations de la ville."
keyword = "CULTURE"

# Citizens may sign in with an OpenID Connect provider (FranceConnect, …)
# that registered Guichet with the redirect URI
# http(s)://GUICHET/demoville/account/openid/callback:
# [openid]
# name = "FranceConnect"
# issuer = "https://fcp.integ01.dev-franceconnect.fr/api/v1"
# client_id = "…"
# client_secret = "…"
# scopes = ["email", "given_name", "family_name"]

# Also in this folder, all optional:
#   tenant.css        extra CSS served after the default styles
#   xslt/NAME.xsl     replaces the default stylesheet of the same name
#   i18n/fr.toml      rewords messages ("key" = "text", keys as in i18n/fr.toml)
"##;

impl Settings {
    /// Refuses values that would break out of CSS or of the CSP header.
    pub fn check(&self) -> Result<(), SettingsError> {
        let c = &self.colours;
        for (name, value) in [
            ("primary", &c.primary),
            ("primary_text", &c.primary_text),
            ("accent", &c.accent),
            ("background", &c.background),
            ("text", &c.text),
            ("error", &c.error),
        ] {
            if !crate::core::catalogue::is_hex_colour(value) {
                return Err(SettingsError::from(format!(
                    "colours.{name} = {value:?}: write a colour as #rgb or #rrggbb"
                )));
            }
        }
        for origin in &self.frame_ancestors {
            if !is_origin(origin) {
                return Err(SettingsError::from(format!(
                    "frame_ancestors: {origin:?} is not an origin like https://www.example.fr"
                )));
            }
        }
        if let Some(open311) = &self.open311
            && open311.api_keys.iter().any(|k| k.chars().count() < 16)
        {
            return Err(SettingsError::from(
                "open311.api_keys: each key has 16 characters at least",
            ));
        }
        for (name, call) in &self.calls {
            let url = call.url.trim();
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .unwrap_or("");
            if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(SettingsError::from(format!(
                    "calls.{name}.url = {:?}: write an http(s) address like https://logiciel.example.fr/guichet",
                    call.url
                )));
            }
            if call.secret.chars().count() < 16 {
                return Err(SettingsError::from(format!(
                    "calls.{name}.secret: 16 characters at least, shared with the receiver"
                )));
            }
        }
        let inbound = &self.inbound;
        if inbound
            .sms_secret
            .as_ref()
            .is_some_and(|s| s.chars().count() < 16)
        {
            return Err(SettingsError::from(
                "inbound.sms_secret: 16 characters at least, shared with the SMS provider",
            ));
        }
        for m in &inbound.mailboxes {
            if m.name.trim().is_empty() || crate::inbound::imap::Mailbox::parse(&m.url).is_err() {
                return Err(SettingsError::from(format!(
                    "inbound.mailboxes {:?}: a name, and a url like imaps://user:password@imap.example.fr:993/INBOX",
                    m.name
                )));
            }
        }
        for address in &self.audit.checkpoints_to {
            if !crate::notify::mail::is_address(address) {
                return Err(SettingsError::from(format!(
                    "audit.checkpoints_to: {address:?} is not an e-mail address"
                )));
            }
        }
        if !(10..=86_400).contains(&inbound.poll_seconds) {
            return Err(SettingsError::from(
                "inbound.poll_seconds: between 10 and 86400",
            ));
        }
        for r in &inbound.rules {
            if r.department.trim().is_empty()
                || r.channel
                    .as_deref()
                    .is_some_and(|c| c != "email" && c != "sms")
                || (r.keywords.is_empty() && r.sender.is_none() && r.channel.is_none())
            {
                return Err(SettingsError::from(format!(
                    "inbound.rules (department {:?}): a department, and keywords, a sender or a channel (email or sms)",
                    r.department
                )));
            }
        }
        if let Some(tiles) = &self.map.tiles {
            let plain = tiles
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~:/?&=%{}@".contains(c));
            let placed = ["{z}", "{x}", "{y}"].iter().all(|p| tiles.contains(p));
            let host_ok = self
                .map
                .tile_origin()
                .is_some_and(|o| o.len() > "https://".len() && !o.ends_with('*'));
            if !plain || !placed || !host_ok || !(1..=22).contains(&self.map.max_zoom) {
                return Err(SettingsError::from(format!(
                    "map.tiles = {tiles:?}: an http(s) address with {{z}}, {{x}} and {{y}} (and {{s}} for subdomains), like https://tile.example.fr/{{z}}/{{x}}/{{y}}.png; max_zoom between 1 and 22"
                )));
            }
        }
        let mut codes = std::collections::BTreeSet::new();
        let mut keywords = std::collections::BTreeSet::new();
        for l in &self.lists {
            let code_ok = !l.code.is_empty()
                && l.code.len() <= 40
                && l.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !code_ok || l.name.trim().is_empty() || !codes.insert(l.code.as_str()) {
                return Err(SettingsError::from(format!(
                    "lists (code {:?}): each list a code of its own (lower-case letters, digits, dashes) and a name",
                    l.code
                )));
            }
            if let Some(k) = &l.keyword {
                let folded = crate::core::catalogue::search_key(k.trim());
                let word = !folded.is_empty()
                    && folded.chars().all(|c| c.is_alphanumeric())
                    && !crate::core::inbound::is_stop(&folded);
                if !word || !keywords.insert(folded) {
                    return Err(SettingsError::from(format!(
                        "lists.{}.keyword = {k:?}: one word, not STOP, used by no other list",
                        l.code
                    )));
                }
            }
            if l.messages
                .iter()
                .any(|m| m.title.trim().is_empty() || m.text.trim().is_empty())
            {
                return Err(SettingsError::from(format!(
                    "lists.{}.messages: each pre-formatted message a title and a text",
                    l.code
                )));
            }
        }
        if let Some(url) = &self.site_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            // It becomes a link on every page: no javascript: or data: URL.
            return Err(SettingsError::from(format!(
                "site_url = {url:?}: an http(s) address"
            )));
        }
        if !LANGUAGES.iter().any(|(l, _)| *l == self.language) {
            return Err(SettingsError::from(format!(
                "language = {:?}: fr or en",
                self.language
            )));
        }
        if !(1..=100).contains(&self.deadlines.reminder_percent) {
            return Err(SettingsError::from(
                "deadlines.reminder_percent: between 1 and 100",
            ));
        }
        if let Some(sms) = &self.sms {
            if sms.sender.is_empty() || sms.sender.chars().count() > 11 {
                return Err(SettingsError::from("sms.sender: 1 to 11 characters"));
            }
            if !sms.url.starts_with("https://") && !sms.url.starts_with("http://") {
                return Err(SettingsError::from("sms.url: an http(s) URL"));
            }
        }
        if let Some(openid) = &self.openid {
            if openid.name.trim().is_empty() || openid.name.chars().count() > 60 {
                return Err(SettingsError::from("openid.name: 1 to 60 characters"));
            }
            if !(openid.issuer.starts_with("https://") || openid.issuer.starts_with("http://")) {
                return Err(SettingsError::from(format!(
                    "openid.issuer = {:?}: an http(s) address",
                    openid.issuer
                )));
            }
            if openid.client_id.is_empty() || openid.client_secret.is_empty() {
                return Err(SettingsError::from(
                    "openid.client_id and openid.client_secret: as the provider registered them",
                ));
            }
            if let Some(bad) = openid
                .scopes
                .iter()
                .find(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic() && b != b'"'))
            {
                return Err(SettingsError::from(format!(
                    "openid.scopes: {bad:?} is not a scope"
                )));
            }
        }
        for (name, agenda) in &self.agendas {
            if !crate::core::catalogue::is_code(name) {
                return Err(SettingsError::from(format!(
                    "[agendas.{name}]: an agenda is named like a department code (lowercase letters, digits, hyphens)"
                )));
            }
            agenda
                .hours()
                .map_err(|e| SettingsError::from(format!("[agendas.{name}] {e}")))?;
        }
        if let Some(logo) = &self.logo
            && !is_plain_file_name(logo)
        {
            return Err(SettingsError::from(format!(
                "logo = {logo:?}: give a file name in the tenant folder"
            )));
        }
        Ok(())
    }
}

/// A `#rgb` or `#rrggbb` colour as `#rrggbb` in lower case (what
/// `<input type="color">` takes); `None` for anything else.
pub fn full_hex(colour: &str) -> Option<String> {
    if !crate::core::catalogue::is_hex_colour(colour) {
        return None;
    }
    let hex = colour[1..].to_ascii_lowercase();
    Some(match hex.len() {
        3 => format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>()),
        _ => format!("#{hex}"),
    })
}

/// The WCAG contrast ratio of two `#rgb` / `#rrggbb` colours (1 to 21);
/// `None` if either is not a colour.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    fn luminance(colour: &str) -> Option<f64> {
        let full = full_hex(colour)?;
        let channel = |i: usize| -> Option<f64> {
            let v = f64::from(u8::from_str_radix(full.get(i..i + 2)?, 16).ok()?) / 255.0;
            Some(if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            })
        };
        Some(0.2126 * channel(1)? + 0.7152 * channel(3)? + 0.0722 * channel(5)?)
    }
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

fn is_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = rest.split_once(':').unwrap_or((rest, "1"));
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
}

fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
}

/// Everything derived from the tenant folder at one moment.
pub struct Look {
    pub settings: Settings,
    /// language → key → text, tenant rewording merged over the defaults.
    pub messages: HashMap<String, HashMap<String, String>>,
    /// `:root { --g-…: … }` from the colours.
    pub theme_css: String,
    pub tenant_css: Option<String>,
    /// (file name, bytes, content type) of the logo.
    pub logo: Option<(String, Vec<u8>, &'static str)>,
    /// Changes whenever any file changes, for cache-busting asset URLs.
    pub version: u64,
    /// The tenant's message templates (`templates.toml`), over the built-in ones.
    pub templates: toml::Table,
    /// The appointment hours it publishes, by agenda (`[agendas.NAME]`).
    pub agendas: HashMap<String, Hours>,
    /// Its districts, sectors and streets (`places.toml`; none without it).
    pub places: Arc<crate::core::places::Places>,
    /// The `<messages>` block of page views, by (language, back office,
    /// account page): the same on every page of a kind, made once.
    messages_views: std::sync::RwLock<HashMap<(String, bool, bool), Arc<str>>>,
}

impl Look {
    /// The `<messages>` block for pages of this (language, back office,
    /// account) kind, made by `make` the first time. Every page's view used
    /// to sort, filter and escape the whole catalogue again (a fifth of a
    /// tracking page's time).
    pub fn messages_view(
        &self,
        lang: &str,
        backoffice: bool,
        account: bool,
        make: impl FnOnce() -> String,
    ) -> Arc<str> {
        let key = (lang.to_owned(), backoffice, account);
        if let Some(block) = self
            .messages_views
            .read()
            .expect("messages views lock")
            .get(&key)
        {
            return Arc::clone(block);
        }
        let block: Arc<str> = make().into();
        self.messages_views
            .write()
            .expect("messages views lock")
            .insert(key, Arc::clone(&block));
        block
    }

    pub fn message<'a>(&'a self, lang: &str, key: &'a str) -> &'a str {
        self.messages
            .get(lang)
            .and_then(|m| m.get(key))
            .or_else(|| self.messages.get("fr").and_then(|m| m.get(key)))
            .map(String::as_str)
            .unwrap_or(key)
    }

    pub fn has_language(&self, lang: &str) -> bool {
        self.messages.contains_key(lang)
    }
}

/// A tenant's look, reloaded when its files change.
pub struct TenantLook {
    dir: PathBuf,
    slug: String,
    current: ArcSwap<Look>,
    started: Instant,
    last_check_ms: AtomicU64,
    fingerprint: Mutex<Vec<(PathBuf, Option<SystemTime>)>>,
    /// Held while one of the tenant's files is rewritten from the admin
    /// pages (see [`TenantLook::rewrite`]).
    rewriting: Mutex<()>,
}

impl TenantLook {
    /// Opens `dir` (the tenant folder; it need not exist).
    pub fn open(dir: PathBuf, slug: &str) -> TenantLook {
        let fingerprint = fingerprint(&dir);
        let look = load(&dir, slug, None);
        TenantLook {
            dir,
            slug: slug.to_owned(),
            current: ArcSwap::from_pointee(look),
            started: Instant::now(),
            last_check_ms: AtomicU64::new(0),
            fingerprint: Mutex::new(fingerprint),
            rewriting: Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current look; at most once a second, checks the files first.
    pub fn get(&self) -> Arc<Look> {
        let now = self.started.elapsed().as_millis() as u64 + 1;
        let last = self.last_check_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 1000
            && self
                .last_check_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.refresh();
        }
        self.current.load_full()
    }

    /// Rewrites one of the tenant's files (`templates.toml`,
    /// `settings.toml`) with `edit`, which gets the file's text (empty if
    /// there is none), then reloads the look at once. One rewrite at a time;
    /// the new file replaces the old by a rename, so that neither a reader
    /// nor a crash ever sees half a file.
    pub fn rewrite<E: From<std::io::Error>>(
        &self,
        file: &str,
        edit: impl FnOnce(&str) -> Result<String, E>,
    ) -> Result<(), E> {
        let _one_at_a_time = self.rewriting.lock().expect("rewriting lock");
        let path = self.dir.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e.into()),
        };
        let new = edit(&text)?;
        self.replace(file, new.as_bytes())?;
        tracing::info!(tenant = %self.slug, file, version = self.current.load().version, "rewritten from the admin pages");
        Ok(())
    }

    /// The bytes of one of the tenant's files (`None`: there is none).
    pub fn file(&self, file: &str) -> std::io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.dir.join(checked_path(file)?)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Puts `content` as the tenant's `file` (a file another node wrote from
    /// its admin pages, copied from the store), then reloads the look;
    /// `false` when the file already held it.
    pub fn install(&self, file: &str, content: &[u8]) -> std::io::Result<bool> {
        let file = checked_path(file)?;
        let _one_at_a_time = self.rewriting.lock().expect("rewriting lock");
        if std::fs::read(self.dir.join(file)).is_ok_and(|held| held == content) {
            return Ok(false);
        }
        self.replace(file, content)?;
        tracing::info!(tenant = %self.slug, file, version = self.current.load().version, "copied from the store");
        Ok(true)
    }

    /// Replaces `file` whole (a new file renamed over the old, so that
    /// neither a reader nor a crash ever sees half a file) and reloads the
    /// look. The caller holds the rewriting lock.
    fn replace(&self, file: &str, content: &[u8]) -> std::io::Result<()> {
        let path = self.dir.join(file);
        let dir = path.parent().unwrap_or(&self.dir).to_owned();
        std::fs::create_dir_all(&dir)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let temporary = dir.join(format!(".{name}.new"));
        {
            let mut f = std::fs::File::create(&temporary)?;
            std::io::Write::write_all(&mut f, content)?;
            f.sync_all()?;
        }
        std::fs::rename(&temporary, &path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            // The rename itself is durable once the folder is synced.
            let _ = d.sync_all();
        }
        let mut known = self.fingerprint.lock().expect("fingerprint lock");
        *known = fingerprint(&self.dir);
        let previous = self.current.load_full();
        let look = load(&self.dir, &self.slug, Some(&previous));
        self.current.store(Arc::new(look));
        Ok(())
    }

    /// Reloads now if any file changed.
    pub fn refresh(&self) {
        let fresh = fingerprint(&self.dir);
        let mut known = self.fingerprint.lock().expect("fingerprint lock");
        if *known != fresh {
            *known = fresh;
            let previous = self.current.load_full();
            let look = load(&self.dir, &self.slug, Some(&previous));
            tracing::info!(tenant = %self.slug, version = look.version, "tenant look reloaded");
            self.current.store(Arc::new(look));
        }
    }
}

/// A path inside a tenant's folder: one or two plain names (`settings.toml`,
/// `i18n/fr.toml`), never absolute, never `..`.
fn checked_path(file: &str) -> std::io::Result<&str> {
    let parts: Vec<&str> = file.split('/').collect();
    let plain = |p: &&str| {
        !p.is_empty()
            && !p.starts_with('.')
            && p.len() <= 100
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    };
    if parts.len() <= 2 && parts.iter().all(plain) {
        Ok(file)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a tenant file: {file:?}"),
        ))
    }
}

fn fingerprint(dir: &Path) -> Vec<(PathBuf, Option<SystemTime>)> {
    let mut files = vec![
        dir.join("settings.toml"),
        dir.join("tenant.css"),
        dir.join("templates.toml"),
        dir.join("places.toml"),
    ];
    for sub in ["i18n", "xslt"] {
        files.push(dir.join(sub));
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            let mut names: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            names.sort();
            files.extend(names);
        }
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("settings.toml"))
        && let Ok(settings) = toml::from_str::<Settings>(&text)
        && let Some(logo) = settings.logo
    {
        files.push(dir.join(logo));
    }
    files
        .into_iter()
        .map(|p| {
            let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok();
            (p, modified)
        })
        .collect()
}

/// Reads the tenant folder. A broken file is reported in the log and the
/// previous (or default) value is kept: a typo never blanks the pages.
fn load(dir: &Path, slug: &str, previous: Option<&Look>) -> Look {
    let settings = match std::fs::read_to_string(dir.join("settings.toml")) {
        Err(_) => Settings::default(),
        Ok(text) => match toml::from_str::<Settings>(&text)
            .map_err(|e| SettingsError(e.to_string()))
            .and_then(|s| s.check().map(|()| s))
        {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(tenant = %slug, file = %dir.join("settings.toml").display(), error = %e, "tenant settings refused; keeping the previous ones");
                previous.map(|p| p.settings.clone()).unwrap_or_default()
            }
        },
    };
    let mut messages = HashMap::new();
    for (lang, builtin) in LANGUAGES {
        let mut map: HashMap<String, String> = toml::from_str(builtin).expect("built-in catalogue");
        let path = dir.join("i18n").join(format!("{lang}.toml"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            match toml::from_str::<HashMap<String, String>>(&text) {
                Ok(reworded) => map.extend(reworded),
                Err(e) => {
                    tracing::error!(tenant = %slug, file = %path.display(), error = %e, "tenant messages refused")
                }
            }
        }
        messages.insert(lang.to_owned(), map);
    }
    let c = &settings.colours;
    let theme_css = format!(
        ":root {{\n  --g-primary: {};\n  --g-primary-text: {};\n  --g-accent: {};\n  --g-background: {};\n  --g-text: {};\n  --g-error: {};\n}}\n",
        c.primary, c.primary_text, c.accent, c.background, c.text, c.error
    );
    let tenant_css = std::fs::read_to_string(dir.join("tenant.css")).ok();
    let logo = settings.logo.as_ref().and_then(|name| {
        let content_type = match name.rsplit('.').next()?.to_ascii_lowercase().as_str() {
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            _ => {
                tracing::error!(tenant = %slug, logo = %name, "logo must be .svg, .png or .jpg");
                return None;
            }
        };
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => Some((name.clone(), bytes, content_type)),
            Err(e) => {
                tracing::error!(tenant = %slug, logo = %name, error = %e, "logo unreadable");
                None
            }
        }
    });
    let version = previous.map_or(1, |p| p.version + 1);
    let templates = match std::fs::read_to_string(dir.join("templates.toml")) {
        Err(_) => toml::Table::new(),
        Ok(text) => match text.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(tenant = %slug, error = %e, "templates.toml refused; keeping the previous templates");
                previous.map(|p| p.templates.clone()).unwrap_or_default()
            }
        },
    };
    let places = match std::fs::read_to_string(dir.join("places.toml")) {
        Err(_) => Arc::default(),
        Ok(text) => match super::places::parse(&text) {
            Ok(places) => Arc::new(places),
            Err(e) => {
                tracing::error!(tenant = %slug, error = %e, "places.toml refused; keeping the previous places");
                previous.map(|p| p.places.clone()).unwrap_or_default()
            }
        },
    };
    let agendas = settings
        .agendas
        .iter()
        .filter_map(|(name, a)| Some((name.clone(), a.hours().ok()?)))
        .collect();
    Look {
        places,
        agendas,
        templates,
        settings,
        messages,
        theme_css,
        tenant_css,
        logo,
        version,
        messages_views: Default::default(),
    }
}

/// The stylesheet of the colours service definitions give their steps
/// (`/T/assets/steps.css`), made once per tenant when it loads, with the
/// version its URL carries.
pub struct StepColours {
    pub css: String,
    pub version: String,
}

impl StepColours {
    pub fn of(tenant: &crate::core::tenant::Tenant) -> StepColours {
        let css = step_colours_css(tenant);
        let mut h = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&css, &mut h);
        StepColours {
            version: format!("{:x}", std::hash::Hasher::finish(&h)),
            css,
        }
    }
}

/// The colours service definitions give their steps, as CSS classes
/// (`step-colour-0063cb`) the back office's step labels take: pages carry
/// no inline style (the CSP forbids it). Colours are checked `#rgb` or
/// `#rrggbb` when definitions load.
fn step_colours_css(tenant: &crate::core::tenant::Tenant) -> String {
    let mut colours: Vec<&str> = tenant
        .all_services()
        .flat_map(|s| s.steps.iter())
        .filter_map(|st| st.rules.colour.as_deref())
        .filter(|c| crate::core::catalogue::is_hex_colour(c))
        .collect();
    colours.sort_unstable();
    colours.dedup();
    let mut css = String::from("/* Step colours from the service definitions. */\n");
    for c in colours {
        css.push_str(&format!(
            ".step-label.step-colour-{} {{ border-left-color: {c}; }}\n",
            &c[1..]
        ));
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_ratios_are_the_wcag_ones() {
        let r = |a, b| (contrast(a, b).unwrap() * 100.0).round() / 100.0;
        assert_eq!(r("#000", "#ffffff"), 21.0);
        assert_eq!(r("#ffffff", "#ffffff"), 1.0);
        assert_eq!(r("#767676", "#fff"), 4.54);
        assert_eq!(r("#fff", "#767676"), 4.54, "either order");
        let c = Colours::default();
        assert!(contrast(&c.primary_text, &c.primary).unwrap() >= 4.5);
        assert!(contrast(&c.error, &c.background).unwrap() >= 4.5);
        assert_eq!(contrast("red", "#fff"), None);
    }

    #[test]
    fn a_tile_server_is_an_http_address_with_its_places_and_its_origin_goes_to_the_csp() {
        let mut s: Settings = toml::from_str(DEMO_SETTINGS).unwrap();
        s.map.tiles = Some("https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png".into());
        assert!(s.check().is_ok());
        assert_eq!(
            s.map.tile_origin().as_deref(),
            Some("https://*.tile.openstreetmap.fr")
        );
        for bad in [
            "https://tiles.example.fr/{z}/{x}.png",
            "javascript:alert(1)//{z}/{x}/{y}",
            "https://a.fr; script-src *//{z}/{x}/{y}",
            "https://{s}/{z}/{x}/{y}.png",
        ] {
            s.map.tiles = Some(bad.into());
            assert!(s.check().unwrap_err().0.contains("map.tiles"), "{bad}");
        }
    }

    #[test]
    fn lists_have_codes_and_keywords_of_their_own() {
        let mut s: Settings = toml::from_str(DEMO_SETTINGS).unwrap();
        assert_eq!(s.lists().len(), 2);
        s.lists[1].keyword = Some("travaux".into());
        assert!(s.check().unwrap_err().0.contains("keyword"));
        s.lists[1].keyword = Some("STOP".into());
        assert!(s.check().unwrap_err().0.contains("keyword"));
        s.lists[1].keyword = None;
        s.lists[1].code = "Travaux ".into();
        assert!(s.check().unwrap_err().0.contains("lists"));
    }

    #[test]
    fn audit_checkpoints_go_to_e_mail_addresses_only() {
        let mut s: Settings = toml::from_str(&format!(
            "{DEMO_SETTINGS}\n[audit]\ncheckpoints_to = [\"archives@demoville.example\"]\n"
        ))
        .unwrap();
        assert!(s.check().is_ok());
        s.audit.checkpoints_to.push("Archives <a@b>, c@d".into());
        assert!(s.check().unwrap_err().0.contains("audit.checkpoints_to"));
    }

    #[test]
    fn a_site_url_that_is_not_http_is_refused() {
        let mut s: Settings = toml::from_str(DEMO_SETTINGS).unwrap();
        s.site_url = Some("javascript:alert(1)".into());
        assert!(s.check().unwrap_err().0.contains("site_url"));
        s.site_url = Some("https://www.example.fr/mairie".into());
        assert!(s.check().is_ok());
    }

    #[test]
    fn an_identity_provider_needs_an_http_issuer_and_its_client_credentials() {
        let with = |extra: &str| -> Result<(), SettingsError> {
            let s: Settings = toml::from_str(&format!("{DEMO_SETTINGS}\n[openid]\n{extra}"))
                .map_err(|e| SettingsError(e.to_string()))?;
            s.check()
        };
        let good = "name = \"FranceConnect\"\nissuer = \"https://fc.example/api/v1\"\nclient_id = \"c\"\nclient_secret = \"s\"\n";
        with(good).unwrap();
        let s: Settings = toml::from_str(&format!("{DEMO_SETTINGS}\n[openid]\n{good}")).unwrap();
        assert_eq!(s.openid.unwrap().scopes, ["email", "profile"], "by default");
        assert!(
            with(&good.replace("https://fc.example/api/v1", "javascript:alert(1)"))
                .unwrap_err()
                .0
                .contains("openid.issuer")
        );
        assert!(
            with(&good.replace("client_secret = \"s\"", "client_secret = \"\""))
                .unwrap_err()
                .0
                .contains("client_secret")
        );
        assert!(
            with(&format!("{good}scopes = [\"a b\"]")).is_err(),
            "one scope per item"
        );
        assert!(
            with("name = \"x\"").is_err(),
            "the issuer and client are needed"
        );
    }

    #[test]
    fn demo_settings_are_valid_and_catalogues_have_the_same_keys() {
        let s: Settings = toml::from_str(DEMO_SETTINGS).unwrap();
        s.check().unwrap();
        let fr: HashMap<String, String> = toml::from_str(LANGUAGES[0].1).unwrap();
        let en: HashMap<String, String> = toml::from_str(LANGUAGES[1].1).unwrap();
        // French validation messages come from the core; other languages
        // word them in their catalogue ("error.CODE").
        let mut a: Vec<_> = fr.keys().collect();
        let mut b: Vec<_> = en.keys().filter(|k| !k.starts_with("error.")).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn values_that_could_inject_css_or_headers_are_refused() {
        let mut s = Settings::default();
        s.colours.primary = "red;} body{display:none".into();
        assert!(s.check().is_err());
        let s = Settings {
            frame_ancestors: vec!["https://a.fr; script-src *".into()],
            ..Settings::default()
        };
        assert!(s.check().is_err());
        let s = Settings {
            logo: Some("../../secret.key".into()),
            ..Settings::default()
        };
        assert!(s.check().is_err());
    }
}
