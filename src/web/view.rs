//! XML views: the data of each page, in the documented vocabulary
//! (`xsd/view.xsd`, namespace [`VIEW_NS`]) that stylesheets turn into HTML.
//! Sites that run their own XSLT get these documents with `?format=xml`.

use crate::core::catalogue::Service;
use crate::core::intake::Channel;
use crate::core::tenant::{Audience, Tenant};
use crate::tenant::dates::long_date;
use crate::tenant::look::{Look, StepColours};
use crate::xml::{escape, escape_text};
use jiff::civil::Date;
use std::fmt::Write;

pub const VIEW_NS: &str = "urn:guichet:view:1";

/// A small writer for view documents; every text and attribute is escaped.
pub struct Xml {
    out: String,
}

impl Xml {
    pub fn new() -> Xml {
        Xml {
            out: String::with_capacity(8 * 1024),
        }
    }

    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.start(name, attrs);
        self.out.push('>');
        self
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.out, r#" {k}="{}""#, escape(v));
        }
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.start(name, attrs);
        self.out.push_str("/>");
        self
    }

    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.start(name, attrs);
        self.out.push('>');
        self.out.push_str(&escape_text(text));
        self.close(name)
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.out, "</{name}>");
        self
    }

    /// Appends what another `Xml` wrote (so escaped already), whole.
    pub fn fragment(&mut self, written: &str) -> &mut Self {
        self.out.push_str(written);
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

impl Default for Xml {
    fn default() -> Self {
        Xml::new()
    }
}

/// What every page shares: who serves it, in which language, with which styles.
pub struct Frame<'a> {
    pub tenant: &'a Tenant,
    /// The tenant's step colours (back-office pages link their stylesheet).
    pub step_colours: &'a StepColours,
    pub look: &'a Look,
    pub lang: &'a str,
    /// `/SLUG`
    pub base: String,
    /// A back-office page: its own stylesheet and the `bo.*` messages.
    pub backoffice: bool,
    /// Whom the citizen pages serve here: the public, or the town's agents
    /// trying services in test.
    pub desk: Desk,
    /// At the intake desk of e-mail or SMS, the item of the qualification
    /// queue the agent is making a request of (`?inbound=ID`, kept in the
    /// form's address).
    pub inbound: Option<i64>,
}

/// The citizen pages are served at three desks: the public one (`/T/…`:
/// online services, public requests), the testers' one
/// (`/T/backoffice/test/…`, behind an agent's session: services in test as
/// well, and their test requests), and the agents' intake
/// (`/T/backoffice/intake/CHANNEL/…`, behind an agent's session: the online
/// services' forms filled in by an agent for a request received by phone,
/// at the counter, by letter or by fax). Same handlers, same views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desk {
    Public,
    Testers,
    /// An agent records a request received through this channel.
    Intake(Channel),
}

/// The channels an agent records requests from.
pub const INTAKE_CHANNELS: [Channel; 4] = [
    Channel::Phone,
    Channel::Counter,
    Channel::Letter,
    Channel::Fax,
];

impl Desk {
    /// The desk's path under the tenant.
    pub fn prefix(self) -> &'static str {
        match self {
            Desk::Intake(Channel::Phone) => "/backoffice/intake/phone",
            Desk::Intake(Channel::Counter) => "/backoffice/intake/counter",
            Desk::Intake(Channel::Letter) => "/backoffice/intake/letter",
            Desk::Intake(Channel::Email) => "/backoffice/intake/email",
            Desk::Intake(Channel::Sms) => "/backoffice/intake/sms",
            Desk::Intake(_) => "/backoffice/intake/fax",
            other => crate::tenant::desk_prefix(other.audience()),
        }
    }

    /// The SOAP endpoint this desk's services are reached at, under the tenant.
    pub fn soap_path(self) -> &'static str {
        crate::tenant::soap_path(self.audience())
    }

    /// Whom this desk serves: the intake records the public's requests.
    pub fn audience(self) -> Audience {
        match self {
            Desk::Public | Desk::Intake(_) => Audience::Public,
            Desk::Testers => Audience::Agents,
        }
    }

    /// The intake desk of a channel named in its path: those an agent
    /// picks, and e-mail and SMS, where the qualification queue's items
    /// become requests.
    pub fn intake(name: &str) -> Option<Desk> {
        INTAKE_CHANNELS
            .into_iter()
            .chain([Channel::Email, Channel::Sms])
            .find(|c| c.as_str() == name)
            .map(Desk::Intake)
    }
}

impl Frame<'_> {
    pub fn message(&self, key: &str) -> String {
        self.look.message(self.lang, key).to_owned()
    }

    /// A message with `{name}` placeholders filled in.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.fill(&self.message(key), args)
    }

    /// Fills `{name}` placeholders of a text.
    pub fn fill(&self, template: &str, args: &[(&str, &str)]) -> String {
        let mut text = template.to_owned();
        for (k, v) in args {
            text = text.replace(&format!("{{{k}}}"), v);
        }
        text
    }

    /// A URL of the citizen pages at this frame's desk (`/T/services/x`, or
    /// `/T/backoffice/test/services/x` for testers).
    pub fn desk_url(&self, path: &str) -> String {
        self.url(&format!("{}{path}", self.desk.prefix()))
    }

    /// A URL under the tenant, keeping a non-default language.
    pub fn url(&self, path: &str) -> String {
        let mut url = format!("{}{path}", self.base);
        if self.lang != self.look.settings.language {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("lang=");
            url.push_str(self.lang);
        }
        url
    }

    /// `[("lang", "fr")]` when the page is not in French: service definitions
    /// and validation messages are written in French, and must say so
    /// (WCAG 3.1.2) inside a page in another language.
    pub fn french_text(&self) -> Vec<(&'static str, &'static str)> {
        if self.lang == "fr" {
            Vec::new()
        } else {
            vec![("lang", "fr")]
        }
    }

    /// A message of the catalogue when it has one for `key`.
    pub fn message_opt(&self, key: &str) -> Option<String> {
        let text = self.look.message(self.lang, key);
        (text != key).then(|| text.to_owned())
    }

    pub fn date(&self, date: Date) -> String {
        long_date(date, self.lang)
    }

    /// The town's messages in the page's language, for what is written
    /// outside pages too (the statistics' tables).
    pub fn wording(&self) -> crate::render::stats::Wording<'_> {
        crate::render::stats::Wording {
            look: self.look,
            lang: self.lang,
        }
    }

    /// Opens `<page>` and writes the site block, messages and title.
    pub fn begin(&self, x: &mut Xml, kind: &str, title: &str) {
        let name = self
            .look
            .settings
            .name
            .clone()
            .unwrap_or_else(|| self.tenant.name.clone());
        x.open(
            "page",
            &[("xmlns", VIEW_NS), ("kind", kind), ("lang", self.lang)],
        );
        x.open("site", &[]);
        x.text("name", &[], &name);
        x.text("tenant", &[], &self.tenant.slug);
        x.text("home", &[], &self.desk_url("/"));
        x.text("track", &[], &self.desk_url("/track"));
        // The citizen's account, on the public pages.
        if self.desk == Desk::Public && !self.backoffice {
            x.text("account", &[], &self.url("/account/"));
        }
        if self.desk == Desk::Testers {
            x.text("testing", &[], &self.message("test.banner"));
        }
        if let Desk::Intake(channel) = self.desk {
            let how = self.message(&format!("intake.how.{}", channel.as_str()));
            x.text(
                "intake",
                &[("back", &self.url("/backoffice/intake"))],
                &self.format("intake.banner", &[("how", &how)]),
            );
        }
        if let Some(site) = &self.look.settings.site_url {
            x.text("site-url", &[], site);
        }
        if let Some((file, _, _)) = &self.look.logo {
            let alt = self
                .look
                .settings
                .logo_alt
                .clone()
                .unwrap_or_else(|| name.clone());
            x.text(
                "logo",
                &[(
                    "src",
                    &format!("{}/assets/{file}?v={}", self.base, self.look.version),
                )],
                &alt,
            );
        }
        let v = self.look.version;
        x.text(
            "stylesheet",
            &[],
            &format!("{}/assets/guichet.css?v={}", self.base, crate::VERSION),
        );
        x.text(
            "stylesheet",
            &[],
            &format!("{}/assets/theme.css?v={v}", self.base),
        );
        if self.backoffice {
            x.text(
                "stylesheet",
                &[],
                &format!("{}/assets/backoffice.css?v={}", self.base, crate::VERSION),
            );
            x.text(
                "stylesheet",
                &[],
                &format!(
                    "{}/assets/steps.css?v={}",
                    self.base, self.step_colours.version
                ),
            );
        }
        if self.look.tenant_css.is_some() {
            x.text(
                "stylesheet",
                &[],
                &format!("{}/assets/tenant.css?v={v}", self.base),
            );
        }
        x.text(
            "script",
            &[],
            &format!("{}/assets/frame.js?v={}", self.base, crate::VERSION),
        );
        let other = if self.lang == "fr" { "en" } else { "fr" };
        if self.look.has_language(other) {
            x.text(
                "language",
                &[("lang", other), ("href", &format!("?lang={other}"))],
                &self.message("language.other"),
            );
        }
        x.text("footer", &[], &self.format("footer", &[("tenant", &name)]));
        x.close("site");
        let account = kind == "account";
        let messages = self
            .look
            .messages_view(self.lang, self.backoffice, account, || {
                let mut m = Xml::new();
                m.open("messages", &[]);
                let mut keys: Vec<(&String, &String)> = self
                    .look
                    .messages
                    .get(self.lang)
                    .map(|m| m.iter().collect())
                    .unwrap_or_default();
                keys.sort();
                for (key, text) in keys {
                    // Each surface's own wording: the back office's for
                    // agents, the account's on its pages (and its link
                    // everywhere).
                    let wanted = (self.backoffice || !key.starts_with("bo."))
                        && (account || !key.starts_with("account.") || key == "account.nav.label");
                    if !text.contains('{') && wanted {
                        m.text("m", &[("key", key)], text);
                    }
                }
                m.close("messages");
                m.finish()
            });
        x.fragment(&messages);
        x.text("title", &[], title);
    }
}

/// The wording of a delay: `KEY` in calendar days, `KEY-working` in working days.
pub(crate) fn deadline_key(key: &'static str, service: &Service) -> &'static str {
    use crate::core::calendar::DayCount;
    match (service.deadline_count, key) {
        (DayCount::Working, "catalogue.deadline") => "catalogue.deadline-working",
        (DayCount::Working, "form.deadline") => "form.deadline-working",
        _ => key,
    }
}

pub fn service_title<'a>(service: &'a Service, lang: &str) -> &'a str {
    service.title_in(lang)
}

/// An error page (404…).
pub fn error(frame: &Frame, status: u16, title: &str, text: &str) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "error", title);
    x.text("error", &[("status", &status.to_string())], text);
    x.close("page");
    x.finish()
}
