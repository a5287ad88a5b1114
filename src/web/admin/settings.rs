//! The town's settings on the admin pages: its name and site, its colours
//! (refused when a pair is too faint to read, WCAG AA), the sender and
//! reply-to of its e-mails, its deadline notices, and whether closed
//! requests are asked the satisfaction questionnaire. What administrators
//! write goes into the tenant's `settings.toml` (the webmaster's file, kept
//! as written for everything else: frame ancestors, logo, SMTP, SMS), each
//! change an entry of the audit journal.

use super::files::{self, Refused};
use crate::tenant::Site;
use crate::tenant::look::{self, Settings, contrast};
use crate::web::backoffice::view::{self, Bar};
use crate::web::backoffice::{bar, bo_page};
use crate::web::route::Ctx;
use crate::web::view::Frame;
use crate::web::view::Xml;
use crate::web::{Body, redirect};
use hyper::{Response, StatusCode};

/// The colours of `[colours]`, in the order the page shows them.
pub const COLOURS: [&str; 6] = [
    "primary",
    "primary_text",
    "accent",
    "background",
    "text",
    "error",
];

/// Pairs that must read, foreground first: (fields, the least ratio).
const PAIRS: [(&str, &str, f64); 4] = [
    ("primary_text", "primary", 4.5),
    ("primary", "background", 4.5),
    ("text", "background", 4.5),
    ("error", "background", 4.5),
];

/// A checked colour as the colour input shows it.
fn full_hex(colour: &str) -> String {
    look::full_hex(colour).unwrap_or_else(|| colour.to_owned())
}

fn form_of(settings: &Settings, fallback_name: &str) -> SettingsForm {
    let c = &settings.colours;
    SettingsForm {
        name: settings
            .name
            .clone()
            .unwrap_or_else(|| fallback_name.to_owned()),
        site_url: settings.site_url.clone().unwrap_or_default(),
        colours: [
            &c.primary,
            &c.primary_text,
            &c.accent,
            &c.background,
            &c.text,
            &c.error,
        ]
        .map(|v| full_hex(v)),
        mail_from: settings.mail.from.clone().unwrap_or_default(),
        reply_to: settings.mail.reply_to.clone().unwrap_or_default(),
        reminder_percent: settings.deadlines.reminder_percent.to_string(),
        admin_after_days: settings.deadlines.admin_after_days.to_string(),
        satisfaction: settings.satisfaction.is_some(),
        satisfaction_days: settings
            .satisfaction
            .as_ref()
            .map_or(60, |s| s.days)
            .to_string(),
        satisfaction_services: settings
            .satisfaction
            .as_ref()
            .and_then(|s| s.services.clone()),
        errors: Vec::new(),
    }
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let session = cx.session();
    let look = site.look.get();
    let form = form_of(&look.settings, &site.tenant.name);
    let notice =
        (!req.query_values("saved").is_empty()).then(|| frame.message("bo.notice.settings-saved"));
    let v = settings_edit(
        frame,
        &bar(session),
        &form,
        notice.as_deref().map(|n| ("success", n)),
    );
    bo_page(cx, StatusCode::OK, "bo-settings.xsl", v)
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame, _req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let fields = &cx.fields;
    let text = |k: &str| fields.get(k).unwrap_or("").trim().to_owned();
    let mut form = SettingsForm {
        name: text("name"),
        site_url: text("site_url"),
        colours: COLOURS.map(|k| text(&format!("colour-{k}"))),
        mail_from: text("mail_from"),
        reply_to: text("reply_to"),
        reminder_percent: text("reminder_percent"),
        admin_after_days: text("admin_after_days"),
        satisfaction: fields.get("satisfaction") == Some("on"),
        satisfaction_days: text("satisfaction_days"),
        satisfaction_services: asked_services(site, &fields.all("satisfaction_service")),
        errors: Vec::new(),
    };
    check(frame, &mut form);
    let show = |form: &SettingsForm, status: StatusCode, notice: Option<(&str, &str)>| {
        let v = settings_edit(frame, &bar(session), form, notice);
        bo_page(cx, status, "bo-settings.xsl", v)
    };
    if !form.errors.is_empty() {
        return show(&form, StatusCode::UNPROCESSABLE_ENTITY, None);
    }
    for c in &mut form.colours {
        *c = full_hex(c);
    }
    let before = form_of(&site.look.get().settings, &site.tenant.name);
    let result = files::rewrite(app, site, "settings.toml", |text| {
        let new = write(text, &form).map_err(Refused::broken)?;
        // The whole file must still load: the webmaster's part too.
        toml::from_str::<Settings>(&new)
            .map_err(Refused::invalid)?
            .check()
            .map_err(Refused::invalid)?;
        Ok(new)
    })
    .await;
    match result {
        Ok(()) => {
            let changed = changed(&before, &form).join(", ");
            files::audit(
                app,
                site,
                session,
                "settings".to_owned(),
                "settings-changed",
                changed,
            )
            .await;
            redirect(&format!("{}/backoffice/admin/settings?saved=1", frame.base))
        }
        Err(e) => {
            let message = e.message(frame, "bo.settings");
            show(&form, e.status(), Some(("error", &message)))
        }
    }
}

/// Checks what was typed; each error names its field.
fn check(frame: &Frame, form: &mut SettingsForm) {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let n = form.name.chars().count();
    if n == 0 || n > 100 {
        errors.push(("name", frame.message("bo.settings.error.name")));
    }
    let url_ok = form.site_url.is_empty()
        || ((form.site_url.starts_with("https://") || form.site_url.starts_with("http://"))
            && form.site_url.len() <= 200
            && form.site_url.len() > "https://".len()
            && form.site_url.bytes().all(|b| b.is_ascii_graphic()));
    if !url_ok {
        errors.push(("site_url", frame.message("bo.settings.error.site-url")));
    }
    let mut bad_colour = false;
    for (i, key) in COLOURS.iter().enumerate() {
        if !crate::core::catalogue::is_hex_colour(&form.colours[i]) {
            bad_colour = true;
            errors.push((colour_field(key), frame.message("bo.settings.error.colour")));
        }
    }
    if !bad_colour {
        let value = |k: &str| {
            let i = COLOURS.iter().position(|c| *c == k).expect("a colour");
            form.colours[i].as_str()
        };
        for (fore, back, least) in PAIRS {
            let ratio = contrast(value(fore), value(back)).unwrap_or(1.0);
            if ratio < least {
                errors.push((
                    colour_field(fore),
                    frame.format(
                        &format!("bo.settings.error.contrast.{fore}"),
                        &[
                            ("ratio", &decimal(frame, ratio)),
                            ("least", &decimal(frame, least)),
                        ],
                    ),
                ));
            }
        }
    }
    if !form.mail_from.is_empty() && !crate::notify::mail::is_mailbox(&form.mail_from) {
        errors.push(("mail_from", frame.message("bo.settings.error.mail-from")));
    }
    if !form.reply_to.is_empty() && !crate::notify::mail::is_address(&form.reply_to) {
        errors.push(("reply_to", frame.message("bo.settings.error.reply-to")));
    }
    if !form
        .reminder_percent
        .parse::<u32>()
        .is_ok_and(|p| (1..=100).contains(&p))
    {
        errors.push((
            "reminder_percent",
            frame.message("bo.settings.error.reminder-percent"),
        ));
    }
    if !form.admin_after_days.parse::<u32>().is_ok_and(|d| d <= 365) {
        errors.push((
            "admin_after_days",
            frame.message("bo.settings.error.admin-after-days"),
        ));
    }
    if form.satisfaction
        && !form
            .satisfaction_days
            .parse::<u32>()
            .is_ok_and(|d| (1..=365).contains(&d))
    {
        errors.push((
            "satisfaction_days",
            frame.message("bo.settings.error.satisfaction-days"),
        ));
    }
    if form.satisfaction
        && form
            .satisfaction_services
            .as_ref()
            .is_some_and(Vec::is_empty)
    {
        errors.push((
            "satisfaction_service",
            frame.message("bo.settings.error.satisfaction-services"),
        ));
    }
    form.errors = errors;
}

/// The services ticked for the questionnaire: `None` when every online
/// service is (then the town's later services are asked too), else those
/// ticked that the town has, in the catalogue's order.
fn asked_services(site: &Site, ticked: &[&str]) -> Option<Vec<String>> {
    let online: Vec<&str> = site
        .tenant
        .services
        .iter()
        .map(|s| s.code.as_str())
        .collect();
    if online.iter().all(|c| ticked.contains(c)) {
        return None;
    }
    Some(
        online
            .into_iter()
            .filter(|c| ticked.contains(c))
            .map(str::to_owned)
            .collect(),
    )
}

/// `4.5`, or `4,5` on French pages.
fn decimal(frame: &Frame, value: f64) -> String {
    let text = format!("{value:.1}");
    if frame.lang == "fr" {
        text.replace('.', ",")
    } else {
        text
    }
}

/// The form field of a colour.
pub fn colour_field(key: &str) -> &'static str {
    match key {
        "primary" => "colour-primary",
        "primary_text" => "colour-primary_text",
        "accent" => "colour-accent",
        "background" => "colour-background",
        "text" => "colour-text",
        _ => "colour-error",
    }
}

/// The file's text with the form's values, everything else as it was.
fn write(file: &str, form: &SettingsForm) -> Result<String, toml_edit::TomlError> {
    use toml_edit::{DocumentMut, Item, Table, value};
    let mut doc: DocumentMut = file.parse()?;
    doc["name"] = value(form.name.as_str());
    if form.site_url.is_empty() {
        doc.remove("site_url");
    } else {
        doc["site_url"] = value(form.site_url.as_str());
    }
    fn table<'a>(doc: &'a mut DocumentMut, name: &str) -> &'a mut Table {
        let item = doc.entry(name).or_insert_with(|| Item::Table(Table::new()));
        if !item.is_table() {
            *item = Item::Table(Table::new());
        }
        item.as_table_mut().expect("made a table above")
    }
    let colours = table(&mut doc, "colours");
    for (i, key) in COLOURS.iter().enumerate() {
        colours[key] = value(form.colours[i].as_str());
    }
    let mail = table(&mut doc, "mail");
    for (key, v) in [("from", &form.mail_from), ("reply_to", &form.reply_to)] {
        if v.is_empty() {
            mail.remove(key);
        } else {
            mail[key] = value(v.as_str());
        }
    }
    let deadlines = table(&mut doc, "deadlines");
    for (key, v) in [
        ("reminder_percent", &form.reminder_percent),
        ("admin_after_days", &form.admin_after_days),
    ] {
        deadlines[key] = value(v.parse::<i64>().unwrap_or_default());
    }
    // On: the table with its days (the services the webmaster listed kept);
    // off: no table.
    if form.satisfaction {
        let satisfaction = table(&mut doc, "satisfaction");
        satisfaction["days"] = value(form.satisfaction_days.parse::<i64>().unwrap_or(60));
        match &form.satisfaction_services {
            None => {
                satisfaction.remove("services");
            }
            Some(codes) => {
                let list: toml_edit::Array = codes.iter().map(String::as_str).collect();
                satisfaction["services"] = value(list);
            }
        }
    } else {
        doc.remove("satisfaction");
    }
    Ok(doc.to_string())
}

/// The fields whose value the change gives anew, for the audit journal.
fn changed(before: &SettingsForm, after: &SettingsForm) -> Vec<String> {
    let mut out = Vec::new();
    for (key, a, b) in [
        ("name", &before.name, &after.name),
        ("site_url", &before.site_url, &after.site_url),
        ("mail.from", &before.mail_from, &after.mail_from),
        ("mail.reply_to", &before.reply_to, &after.reply_to),
        (
            "deadlines.reminder_percent",
            &before.reminder_percent,
            &after.reminder_percent,
        ),
        (
            "deadlines.admin_after_days",
            &before.admin_after_days,
            &after.admin_after_days,
        ),
    ] {
        if a != b {
            out.push(key.to_owned());
        }
    }
    for (i, key) in COLOURS.iter().enumerate() {
        if before.colours[i] != after.colours[i] {
            out.push(format!("colours.{key}"));
        }
    }
    if before.satisfaction != after.satisfaction {
        out.push("satisfaction".to_owned());
    } else if after.satisfaction {
        if before.satisfaction_days != after.satisfaction_days {
            out.push("satisfaction.days".to_owned());
        }
        if before.satisfaction_services != after.satisfaction_services {
            out.push("satisfaction.services".to_owned());
        }
    }
    out
}

// The page's view.

/// The town's settings as typed or as they stand, with their errors.
#[derive(Default)]
pub struct SettingsForm {
    pub name: String,
    pub site_url: String,
    /// In the order of `settings::COLOURS`.
    pub colours: [String; 6],
    pub mail_from: String,
    pub reply_to: String,
    pub reminder_percent: String,
    pub admin_after_days: String,
    /// Closed requests are asked the satisfaction questionnaire.
    pub satisfaction: bool,
    pub satisfaction_days: String,
    /// The services asked, by code; every one when `None`.
    pub satisfaction_services: Option<Vec<String>>,
    /// `(field, message)`
    pub errors: Vec<(&'static str, String)>,
}

/// The town's settings (administrators).
pub(super) fn settings_edit(
    frame: &Frame,
    b: &Bar,
    form: &SettingsForm,
    notice: Option<(&str, &str)>,
) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-settings", &frame.message("bo.settings.title"));
    view::agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin", frame.base);
    let action = format!("{back}/settings");
    x.open(
        "settings-edit",
        &[("action", &action), ("token", b.token), ("back", &back)],
    );
    if let Some((kind, text)) = notice {
        x.text("notice", &[("kind", kind)], text);
    }
    x.open(
        "settings-form",
        &[
            ("name", &form.name),
            ("site-url", &form.site_url),
            ("mail-from", &form.mail_from),
            ("reply-to", &form.reply_to),
            ("reminder-percent", &form.reminder_percent),
            ("admin-after-days", &form.admin_after_days),
            (
                "satisfaction",
                if form.satisfaction { "true" } else { "false" },
            ),
            ("satisfaction-days", &form.satisfaction_days),
        ],
    );
    for (field, message) in &form.errors {
        x.text("error", &[("field", field)], message);
    }
    for (i, key) in COLOURS.iter().enumerate() {
        x.text(
            "colour",
            &[
                ("name", key),
                ("field", colour_field(key)),
                ("value", &form.colours[i]),
            ],
            &frame.message(&format!("bo.settings.colour.{key}")),
        );
    }
    for service in &frame.tenant.services {
        let asked = form
            .satisfaction_services
            .as_ref()
            .is_none_or(|codes| codes.contains(&service.code));
        x.text(
            "asked-service",
            &[
                ("code", &service.code),
                ("checked", if asked { "true" } else { "false" }),
            ],
            crate::web::view::service_title(service, frame.lang),
        );
    }
    x.close("settings-form");
    x.close("settings-edit");
    x.close("page");
    x.finish()
}
