//! XML views: the data of each page, in the documented vocabulary
//! (`xsd/view.xsd`, namespace [`VIEW_NS`]) that stylesheets turn into HTML.
//! Sites that run their own XSLT get these documents with `?format=xml`.

use crate::core::catalogue::{
    ADDRESS_PARTS, Field, FieldType, LONG_TEXT_MAX, REQUESTER_FIELDS, Service, TEXT_MAX,
};
use crate::core::forms::{FieldError, REQUESTER, RawValue};
use crate::core::status::CitizenStatus;
use crate::core::tenant::Tenant;
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
        x.text("home", &[], &self.url("/"));
        x.text("track", &[], &self.url("/track"));
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
        x.open("messages", &[]);
        let mut keys: Vec<(&String, &String)> = self
            .look
            .messages
            .get(self.lang)
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        keys.sort();
        for (key, text) in keys {
            if !text.contains('{') && (self.backoffice || !key.starts_with("bo.")) {
                x.text("m", &[("key", key)], text);
            }
        }
        x.close("messages");
        x.text("title", &[], title);
    }
}

/// The wording of a delay: `KEY` in calendar days, `KEY-working` in working days.
fn deadline_key(key: &'static str, service: &Service) -> &'static str {
    use crate::core::calendar::DayCount;
    match (service.deadline_count, key) {
        (DayCount::Working, "catalogue.deadline") => "catalogue.deadline-working",
        (DayCount::Working, "form.deadline") => "form.deadline-working",
        _ => key,
    }
}

/// The catalogue grouped by theme, in catalogue order.
pub fn catalogue(frame: &Frame) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "catalogue", &frame.message("catalogue.title"));
    x.open("catalogue", &[]);
    let mut themes: Vec<(&str, &str)> = Vec::new();
    for s in &frame.tenant.services {
        if !themes.iter().any(|(c, _)| *c == s.theme.code) {
            themes.push((&s.theme.code, &s.theme.label));
        }
    }
    for (code, label) in themes {
        x.open("theme", &[("code", code)]);
        x.text("label", &frame.french_text(), label);
        for s in frame
            .tenant
            .services
            .iter()
            .filter(|s| s.theme.code == code)
        {
            x.open(
                "service",
                &[
                    ("code", &s.code),
                    ("href", &frame.url(&format!("/services/{}", s.code))),
                ],
            );
            let title = service_title(s, frame.lang);
            let title_lang = if title == s.title {
                frame.french_text()
            } else {
                Vec::new()
            };
            x.text("title", &title_lang, title);
            x.text("description", &frame.french_text(), &s.description);
            x.text(
                "deadline",
                &[],
                &frame.format(
                    deadline_key("catalogue.deadline", s),
                    &[("days", &s.deadline_days.to_string())],
                ),
            );
            x.close("service");
        }
        x.close("theme");
    }
    x.close("catalogue");
    x.close("page");
    x.finish()
}

pub fn service_title<'a>(service: &'a Service, lang: &str) -> &'a str {
    match (&service.title_en, lang) {
        (Some(en), "en") => en,
        _ => &service.title,
    }
}

/// What the citizen typed, to put back in the form after an error.
pub struct Entered<'a> {
    pub entries: &'a [(String, RawValue)],
}

impl Entered<'_> {
    /// Every value given at `path` (`requester/address/street`).
    fn values(&self, path: &str) -> Vec<&str> {
        let mut parts = path.split('/');
        let first = parts.next().unwrap_or_default();
        let mut current: Vec<&RawValue> = self
            .entries
            .iter()
            .filter(|(n, _)| n == first)
            .map(|(_, v)| v)
            .collect();
        for part in parts {
            current = current
                .into_iter()
                .filter_map(|v| match v {
                    RawValue::Group(items) => {
                        Some(items.iter().filter(|(n, _)| n == part).map(|(_, v)| v))
                    }
                    RawValue::Text(_) => None,
                })
                .flatten()
                .collect();
        }
        current
            .into_iter()
            .filter_map(|v| match v {
                RawValue::Text(t) => Some(t.as_str()),
                RawValue::Group(_) => None,
            })
            .collect()
    }
}

pub fn field_id(path: &str) -> String {
    format!("f-{}", path.replace('/', "-"))
}

/// The form of a service, with the values and errors of a refused attempt.
pub fn form(
    frame: &Frame,
    service: &Service,
    entered: &Entered,
    errors: &[FieldError],
    token: &str,
    notice: Option<&str>,
) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "form", service_title(service, frame.lang));
    let action = frame.url(&format!("/services/{}", service.code));
    x.open(
        "form",
        &[
            ("action", &action),
            ("service", &service.code),
            ("token", token),
        ],
    );
    if !service.description.is_empty() {
        x.text("description", &frame.french_text(), &service.description);
    }
    x.text(
        "deadline",
        &[],
        &frame.format(
            deadline_key("form.deadline", service),
            &[("days", &service.deadline_days.to_string())],
        ),
    );
    if let Some(notice) = notice {
        x.text("notice", &[], notice);
    }
    let errors: Vec<Shown> = errors.iter().map(|e| localize(frame, service, e)).collect();
    let errors = errors.as_slice();
    if !errors.is_empty() {
        x.open("errors", &[]);
        for e in errors {
            let target = error_target(e, service);
            let id = field_id(&target);
            let mut attrs = vec![
                ("for", id.as_str()),
                ("path", e.path.as_str()),
                ("code", e.code.as_str()),
            ];
            attrs.extend(error_lang(frame, e));
            x.text("error", &attrs, &e.message);
        }
        x.close("errors");
    }
    x.open("group", &[("name", REQUESTER)]);
    x.text("legend", &[], &frame.message("form.requester"));
    for field in REQUESTER_FIELDS.iter() {
        field_view(
            &mut x,
            frame,
            field,
            &format!("{REQUESTER}/{}", field.name),
            entered,
            errors,
        );
    }
    x.close("group");
    let mut details = vec![("name", "details")];
    details.extend(frame.french_text());
    x.open("group", &details);
    x.text("legend", &[], &frame.message("form.details"));
    for field in &service.fields {
        field_view(&mut x, frame, field, &field.name, entered, errors);
    }
    x.close("group");
    x.close("form");
    x.close("page");
    x.finish()
}

/// The input an error points at: a group's error goes to its first input.
fn error_target(error: &Shown, service: &Service) -> String {
    let path = &error.path;
    if path.is_empty() {
        return "form".into();
    }
    let field = if let Some(rest) = path.strip_prefix("requester/") {
        REQUESTER_FIELDS.iter().find(|f| f.name == rest)
    } else {
        service.field(path)
    };
    match field.map(|f| f.kind) {
        Some(FieldType::Address) => format!("{path}/street"),
        Some(FieldType::MultipleChoice) | Some(FieldType::Choice) => {
            let f = field.expect("matched");
            if f.kind == FieldType::MultipleChoice || f.options.len() <= 4 {
                format!("{path}/{}", f.options[0].value)
            } else {
                path.clone()
            }
        }
        _ if path == "requester" => "requester/firstName".into(),
        _ => path.clone(),
    }
}

/// An error as shown on the page.
pub struct Shown {
    pub path: String,
    pub code: String,
    pub message: String,
    /// The message stayed in French on a page in another language.
    pub french: bool,
}

fn error_lang(frame: &Frame, e: &Shown) -> Vec<(&'static str, &'static str)> {
    if e.french {
        frame.french_text()
    } else {
        Vec::new()
    }
}

/// An error in the page's language: the catalogue's `error.CODE` wording (a
/// tenant may reword any of them, in French too) filled with the field's
/// label and limits; otherwise the core's French message, marked as French
/// when the page is not (rule messages of the town's definitions, say).
fn localize(frame: &Frame, service: &Service, e: &FieldError) -> Shown {
    let mut out = Shown {
        path: e.path.clone(),
        code: e.code.clone(),
        message: e.message.clone(),
        french: frame.lang != "fr",
    };
    let Some(template) = frame.message_opt(&format!("error.{}", e.code)) else {
        return out;
    };
    out.french = false;
    let (field, rest) = match e.path.strip_prefix("requester/") {
        Some(rest) => (
            REQUESTER_FIELDS
                .iter()
                .find(|f| rest.starts_with(f.name.as_str())),
            rest,
        ),
        None => (
            service
                .fields
                .iter()
                .find(|f| e.path.split('/').next() == Some(f.name.as_str())),
            e.path.as_str(),
        ),
    };
    let requester = e.path.starts_with("requester/");
    let field_label = field.map(|f| {
        requester
            .then(|| frame.message_opt(&format!("field.requester.{}", f.name)))
            .flatten()
            .unwrap_or_else(|| f.label.clone())
    });
    let part = rest
        .split_once('/')
        .and_then(|(_, p)| ADDRESS_PARTS.iter().find(|(n, ..)| *n == p));
    let label = match (field_label, part) {
        (Some(l), Some((name, part_label, _, _))) => {
            let part_label = requester
                .then(|| frame.message_opt(&format!("field.address.{name}")))
                .flatten()
                .unwrap_or_else(|| part_label.to_string());
            format!(
                "{l}{} {}",
                if frame.lang == "fr" { " :" } else { ":" },
                part_label.to_lowercase()
            )
        }
        (Some(l), None) => l,
        (None, _) if e.path == REQUESTER => frame.message("form.requester"),
        (None, _) => String::new(),
    };
    let facets = field.map(|f| &f.facets);
    let default_max = match field.map(|f| f.kind) {
        Some(FieldType::LongText) => LONG_TEXT_MAX,
        Some(FieldType::Email) => 254,
        _ => TEXT_MAX,
    };
    let max = match (e.code.as_str(), part) {
        (_, Some((_, _, _, max))) => max.to_string(),
        ("too-long", _) => facets
            .and_then(|f| f.max_length)
            .unwrap_or(default_max)
            .to_string(),
        ("too-many-choices", _) => facets
            .and_then(|f| f.max_items)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        _ => facets.and_then(|f| f.max.clone()).unwrap_or_default(),
    };
    let min = match e.code.as_str() {
        "too-short" => facets
            .and_then(|f| f.min_length)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        "too-few-choices" => facets
            .and_then(|f| f.min_items)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        _ => facets.and_then(|f| f.min.clone()).unwrap_or_default(),
    };
    let length = facets
        .and_then(|f| f.length)
        .map(|l| l.to_string())
        .unwrap_or_default();
    let digits = facets
        .and_then(|f| f.fraction_digits)
        .map(|d| d.to_string())
        .unwrap_or_default();
    out.message = frame.fill(
        &template,
        &[
            ("label", &label),
            ("min", &min),
            ("max", &max),
            ("length", &length),
            ("digits", &digits),
        ],
    );
    out
}

fn errors_at<'a>(errors: &'a [Shown], path: &str) -> Vec<&'a Shown> {
    errors.iter().filter(|e| e.path == path).collect()
}

fn field_view(
    x: &mut Xml,
    frame: &Frame,
    field: &Field,
    path: &str,
    entered: &Entered,
    errors: &[Shown],
) {
    let id = field_id(path);
    let input_name = path.replace('/', ".");
    let widget = match field.kind {
        FieldType::Choice if field.options.len() <= 4 => "radio",
        FieldType::Choice => "select",
        FieldType::MultipleChoice => "checkboxes",
        FieldType::Boolean => "checkbox",
        FieldType::LongText => "textarea",
        FieldType::Address => "address",
        _ => "input",
    };
    let (input_type, autocomplete, inputmode) = match (field.kind, path) {
        (_, "requester/firstName") => ("text", "given-name", ""),
        (_, "requester/lastName") => ("text", "family-name", ""),
        (FieldType::Email, _) => (
            "email",
            if path.starts_with("requester/") {
                "email"
            } else {
                ""
            },
            "",
        ),
        (FieldType::Phone, _) => (
            "tel",
            if path.starts_with("requester/") {
                "tel"
            } else {
                ""
            },
            "",
        ),
        (FieldType::PostalCode, _) => ("text", "", "numeric"),
        (FieldType::Date, _) => ("date", "", ""),
        (FieldType::Time, _) => ("time", "", ""),
        (FieldType::Integer, _) => ("number", "", "numeric"),
        (FieldType::Decimal, _) => ("text", "", "decimal"),
        _ => ("text", "", ""),
    };
    let required = if field.required { "true" } else { "false" };
    let mut attrs: Vec<(&str, &str)> = vec![
        ("name", &input_name),
        ("id", &id),
        ("type", field.kind.name()),
        ("widget", widget),
        ("input-type", input_type),
        ("required", required),
    ];
    if !autocomplete.is_empty() {
        attrs.push(("autocomplete", autocomplete));
    }
    if !inputmode.is_empty() {
        attrs.push(("inputmode", inputmode));
    }
    let max_length = field.facets.max_length.map(|m| m.to_string());
    if let Some(m) = &max_length {
        attrs.push(("maxlength", m));
    }
    let (min, max) = (field.facets.min.clone(), field.facets.max.clone());
    if let Some(m) = &min {
        attrs.push(("min", m));
    }
    if let Some(m) = &max {
        attrs.push(("max", m));
    }
    x.open("field", &attrs);
    // The requester block is Guichet's own: worded in the page's language.
    let requester = path.starts_with("requester/");
    let label = requester
        .then(|| frame.message_opt(&format!("field.{}", path.replace('/', "."))))
        .flatten()
        .unwrap_or_else(|| field.label.clone());
    x.text("label", &[], &label);
    if let Some(help) = &field.help {
        x.text("help", &[], help);
    }
    for e in errors_at(errors, path) {
        let mut attrs = vec![("code", e.code.as_str())];
        attrs.extend(error_lang(frame, e));
        x.text("error", &attrs, &e.message);
    }
    match field.kind {
        FieldType::Address => {
            // A postal address needs no coordinates; a location may have them.
            let postal = path.starts_with("requester/");
            for (part, label, part_required, max) in ADDRESS_PARTS {
                if postal && matches!(part, "latitude" | "longitude") {
                    continue;
                }
                let sub = format!("{path}/{part}");
                let max = max.to_string();
                let inputmode = match part {
                    "postalCode" => "numeric",
                    "latitude" | "longitude" => "decimal",
                    _ => "",
                };
                let autocomplete = match (path.starts_with("requester/"), part) {
                    (true, "street") => "street-address",
                    (true, "postalCode") => "postal-code",
                    (true, "town") => "address-level2",
                    _ => "",
                };
                let sub_name = sub.replace('/', ".");
                let sub_id = field_id(&sub);
                let mut pattrs = vec![
                    ("name", part),
                    ("input-name", sub_name.as_str()),
                    ("id", sub_id.as_str()),
                    (
                        "required",
                        if part_required && field.required {
                            "true"
                        } else {
                            "false"
                        },
                    ),
                    ("maxlength", max.as_str()),
                ];
                if !inputmode.is_empty() {
                    pattrs.push(("inputmode", inputmode));
                }
                if !autocomplete.is_empty() {
                    pattrs.push(("autocomplete", autocomplete));
                }
                x.open("part", &pattrs);
                let part_label = requester
                    .then(|| frame.message_opt(&format!("field.address.{part}")))
                    .flatten()
                    .unwrap_or_else(|| label.to_owned());
                x.text("label", &[], &part_label);
                for e in errors_at(errors, &sub) {
                    let mut attrs = vec![("code", e.code.as_str())];
                    attrs.extend(error_lang(frame, e));
                    x.text("error", &attrs, &e.message);
                }
                if let Some(v) = entered.values(&sub).first() {
                    x.text("value", &[], v);
                }
                x.close("part");
            }
        }
        FieldType::Choice | FieldType::MultipleChoice => {
            let chosen = entered.values(path);
            for option in &field.options {
                let option_id = field_id(&format!("{path}/{}", option.value));
                let mut oattrs = vec![("value", option.value.as_str()), ("id", option_id.as_str())];
                if chosen.contains(&option.value.as_str()) {
                    oattrs.push(("selected", "true"));
                }
                let option_label = requester
                    .then(|| {
                        frame.message_opt(&format!(
                            "field.{}.{}",
                            path.replace('/', "."),
                            option.value
                        ))
                    })
                    .flatten()
                    .unwrap_or_else(|| option.label.clone());
                x.text("option", &oattrs, &option_label);
            }
        }
        FieldType::Boolean => {
            let checked = entered.values(path).first().is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "on" | "oui")
            });
            x.text(
                "option",
                &[
                    ("value", "true"),
                    ("id", &id),
                    ("selected", if checked { "true" } else { "false" }),
                ],
                &frame.message("form.yes"),
            );
        }
        _ => {
            if let Some(v) = entered.values(path).first() {
                x.text("value", &[], v);
            }
        }
    }
    x.close("field");
}

/// The acknowledgement of a request just submitted (or looked up again).
pub fn receipt(frame: &Frame, status: &CitizenStatus, code: &str) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "receipt", &frame.message("receipt.title"));
    let tz = &frame.tenant.time_zone;
    let submitted = status.submitted_at.to_zoned(tz.clone());
    x.open(
        "receipt",
        &[
            ("reference", &status.reference.to_string()),
            ("tracking-code", code),
            ("tracking-url", &frame.url(&format!("/track/{code}"))),
            ("due-date", &status.due_date.to_string()),
            (
                "submitted",
                &submitted.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            ),
        ],
    );
    x.text("service", &[], &status.service_title);
    x.text("due-date", &[], &frame.date(status.due_date));
    x.text(
        "submitted",
        &[],
        &format!(
            "{} {}",
            frame.date(submitted.date()),
            submitted.strftime("%H:%M")
        ),
    );
    x.close("receipt");
    x.close("page");
    x.finish()
}

/// The step-by-step progress of a request.
pub fn tracking(frame: &Frame, status: &CitizenStatus, code: &str) -> String {
    let mut x = Xml::new();
    let reference = status.reference.to_string();
    frame.begin(
        &mut x,
        "tracking",
        &frame.format("track.status-title", &[("reference", &reference)]),
    );
    x.open(
        "tracking",
        &[
            ("reference", &reference),
            ("tracking-code", code),
            ("state", status.state.as_str()),
            ("due-date", &status.due_date.to_string()),
        ],
    );
    x.text("service", &[], &status.service_title);
    x.text("state", &[], state_label(status.state, frame.lang));
    x.text("due-date", &[], &frame.date(status.due_date));
    x.open("steps", &[]);
    for step in &status.steps {
        let mut attrs = vec![
            ("done", if step.done { "true" } else { "false" }),
            ("current", if step.current { "true" } else { "false" }),
        ];
        let date = step.date.map(|d| d.to_string());
        if let Some(d) = &date {
            attrs.push(("date", d));
        }
        x.open("step", &attrs);
        x.text("label", &[], &step.label);
        let when = match step.date {
            Some(d) => frame.format("track.done", &[("date", &frame.date(d))]),
            None => frame.message("track.not-yet"),
        };
        x.text("when", &[], &when);
        x.close("step");
    }
    x.close("steps");
    if !status.messages.is_empty() {
        x.open("replies", &[]);
        for (date, text) in &status.messages {
            x.open("message", &[("date", &date.to_string())]);
            x.text("when", &[], &frame.date(*date));
            x.text("text", &[], text);
            x.close("message");
        }
        x.close("replies");
    }
    x.close("tracking");
    x.close("page");
    x.finish()
}

fn state_label(state: crate::core::status::State, lang: &str) -> &'static str {
    use crate::core::status::State;
    if lang != "en" {
        return state.label();
    }
    match state {
        State::Received => "Received",
        State::InProgress => "Being processed",
        State::WaitingForCitizen => "Waiting for you",
        State::Accepted => "Accepted",
        State::Refused => "Refused",
        State::Closed => "Completed",
    }
}

/// The "type your code" page, with an error when a code was refused.
pub fn lookup(frame: &Frame, value: &str, error: Option<&str>) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "lookup", &frame.message("track.title"));
    let action = format!("{}/track", frame.base);
    let mut attrs = vec![("action", action.as_str()), ("value", value)];
    if frame.lang != frame.look.settings.language {
        attrs.push(("lang", frame.lang));
    }
    x.open("lookup", &attrs);
    if let Some(e) = error {
        x.text("error", &[], e);
    }
    x.close("lookup");
    x.close("page");
    x.finish()
}

/// An error page (404…).
pub fn error(frame: &Frame, status: u16, title: &str, text: &str) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "error", title);
    x.text("error", &[("status", &status.to_string())], text);
    x.close("page");
    x.finish()
}
