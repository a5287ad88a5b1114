//! The message templates of the admin pages: administrators reword the
//! e-mails and SMS Guichet sends, for the whole town, for one service or
//! for the news of one step, see a preview filled with an example, and go
//! back to the inherited wording. What they write goes to the tenant's
//! `templates.toml` (the file a webmaster edits by hand: one place for the
//! town's wording), each change an entry of the audit journal.

use super::files::{self, Refused};
use crate::core::catalogue::Service;
use crate::notify::sms;
use crate::tenant::Site;
use crate::tenant::templates::{self, ACKNOWLEDGEMENT, FIELDS, Scope};
use crate::usecases::App;
use crate::web::Fields;
use crate::web::backoffice::view::{self, Bar, bool_str};
use crate::web::backoffice::{bar, bo_page, today};
use crate::web::route::Ctx;
use crate::web::view::Frame;
use crate::web::view::Xml;
use crate::web::{Body, redirect};
use hyper::{Response, StatusCode};

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    scope_page(cx, cx.rest("scope"))
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    save(cx, cx.rest("scope"), &cx.fields).await
}

/// Wordings longer than these are refused: a message, not a file.
const MAX_SUBJECT_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 4000;
const MAX_SMS_CHARS: usize = 1000;

/// The scope a URL names under `/backoffice/admin/templates/`: `NAME`,
/// `NAME/SERVICE`, or `step/SERVICE/STEP` for the news of one step the
/// citizen sees. `None` for anything else (a template, service or step
/// that does not exist).
fn scope_of(site: &Site, path: &[&str]) -> Option<(Scope, bool)> {
    let (name, service, step) = match path {
        [name] => (*name, None, None),
        [name, service] => (*name, Some(*service), None),
        [name, service, step] if templates::per_step(name) => (*name, Some(*service), Some(*step)),
        _ => return None,
    };
    let citizen = templates::builtin()
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, citizen)| *citizen)?;
    if let Some(code) = service {
        let service = site.tenant.service(code)?;
        if let Some(step) = step {
            let step = service.step(step)?;
            // The news of a step the citizen sees; a letter at any step.
            if name == crate::core::workflow::STEP_TEMPLATE {
                step.citizen_label.as_ref()?;
            }
        }
    }
    Some((
        Scope {
            name: name.to_owned(),
            service: service.map(str::to_owned),
            step: step.map(str::to_owned),
        },
        citizen,
    ))
}

/// `/SLUG/backoffice/admin/templates/NAME[/SERVICE[/STEP]]`
pub(super) fn href(frame: &Frame, scope: &Scope) -> String {
    let mut url = format!("{}/backoffice/admin/templates/{}", frame.base, scope.name);
    for part in [&scope.service, &scope.step].into_iter().flatten() {
        url.push('/');
        url.push_str(part);
    }
    url
}

/// The list of templates, with where the town reworded them.
pub(super) async fn list(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, _req) = (cx.site, cx.frame, cx.req);
    let session = cx.session();
    let v = templates(frame, site, &bar(session));
    bo_page(cx, StatusCode::OK, "bo-templates.xsl", v)
}

/// A template's page at one scope. `?scope=SERVICE[/STEP]` (the scope
/// chooser, a GET form) redirects to that scope's page.
fn scope_page(cx: &Ctx<'_>, path: &[&str]) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let Some((scope, citizen)) = scope_of(site, path) else {
        return crate::web::not_found(site, frame, req);
    };
    if let Some(chosen) = req.query_values("scope").into_iter().next() {
        let mut parts = vec![scope.name.as_str()];
        parts.extend(chosen.split('/').filter(|p| !p.is_empty()));
        return match scope_of(site, &parts) {
            Some((chosen, _)) => redirect(&href(frame, &chosen)),
            None => crate::web::not_found(site, frame, req),
        };
    }
    let look = site.look.get();
    let mut form = TemplateForm {
        scope,
        citizen,
        ..TemplateForm::default()
    };
    for key in FIELDS {
        let (wording, own) = templates::wording(&look.templates, &form.scope, key);
        let wording = wording.unwrap_or_default().trim().to_owned();
        match key {
            "subject" => form.subject = wording,
            "text" => form.text = wording,
            _ => form.sms = wording,
        }
        if own && (key != "sms" || citizen) {
            form.own.push(key);
        }
    }
    let notice = if !req.query_values("saved").is_empty() {
        Some(("success", frame.message("bo.notice.template-saved")))
    } else if !req.query_values("reset").is_empty() {
        Some(("success", frame.message("bo.notice.template-reset")))
    } else {
        None
    };
    let preview = preview(app, site, frame, &form);
    let v = template_edit(
        frame,
        site,
        &bar(session),
        &form,
        &preview,
        notice.as_ref().map(|(k, t)| (*k, t.as_str())),
    );
    bo_page(cx, StatusCode::OK, "bo-template.xsl", v)
}

/// What the form's buttons do: `preview` shows the page again with the
/// example filled from what was typed, `save` writes it, `reset` removes
/// this scope's own wording.
async fn save(cx: &Ctx<'_>, path: &[&str], fields: &Fields) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let Some((scope, citizen)) = scope_of(site, path) else {
        return crate::web::not_found(site, frame, req);
    };
    let typed = |key: &str| {
        fields
            .get(key)
            .unwrap_or("")
            .replace("\r\n", "\n")
            .trim()
            .to_owned()
    };
    let look = site.look.get();
    let mut form = TemplateForm {
        subject: typed("subject").replace(['\r', '\n'], " "),
        text: typed("text"),
        sms: if citizen { typed("sms") } else { String::new() },
        own: FIELDS
            .into_iter()
            .filter(|k| templates::wording(&look.templates, &scope, k).1)
            .collect(),
        scope,
        citizen,
        errors: Vec::new(),
    };
    let action = fields.get("action").unwrap_or("save");
    let subject = format!("template:{}", path.join("/"));
    let show = |form: &TemplateForm, status: StatusCode, notice: Option<(&str, &str)>| {
        let preview = preview(app, site, frame, form);
        let v = template_edit(frame, site, &bar(session), form, &preview, notice);
        bo_page(cx, status, "bo-template.xsl", v)
    };
    if action == "reset" {
        let none: Vec<(&str, Option<&str>)> = FIELDS.iter().map(|k| (*k, None)).collect();
        return match rewrite(app, site, &form.scope, &none).await {
            Ok(()) => {
                files::audit(app, site, session, subject, "template-reset", String::new()).await;
                redirect(&format!("{}?reset=1", href(frame, &form.scope)))
            }
            Err(e) => {
                let message = e.message(frame, "bo.template");
                show(&form, e.status(), Some(("error", &message)))
            }
        };
    }
    check(frame, &mut form);
    let preview_only = action == "preview";
    if !form.errors.is_empty() {
        return show(&form, StatusCode::UNPROCESSABLE_ENTITY, None);
    }
    if preview_only {
        return show(&form, StatusCode::OK, None);
    }
    // Only what differs from the inherited wording becomes the scope's own:
    // the rest keeps following the town-wide or built-in template.
    let values: Vec<(&str, Option<&str>)> = FIELDS
        .iter()
        .filter(|k| citizen || **k != "sms")
        .map(|k| {
            let value = match *k {
                "subject" => form.subject.as_str(),
                "text" => form.text.as_str(),
                _ => form.sms.as_str(),
            };
            let inherited = templates::inherited(&look.templates, &form.scope, k).unwrap_or("");
            (*k, (inherited.trim() != value).then_some(value))
        })
        .collect();
    let own: Vec<&str> = values
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| *k)
        .collect();
    match rewrite(app, site, &form.scope, &values).await {
        Ok(()) => {
            files::audit(
                app,
                site,
                session,
                subject,
                "template-changed",
                own.join(", "),
            )
            .await;
            redirect(&format!("{}?saved=1", href(frame, &form.scope)))
        }
        Err(e) => {
            let message = e.message(frame, "bo.template");
            show(&form, e.status(), Some(("error", &message)))
        }
    }
}

/// Checks what was typed; errors name the field.
fn check(frame: &Frame, form: &mut TemplateForm) {
    let mut errors = Vec::new();
    if form.subject.is_empty() || form.subject.chars().count() > MAX_SUBJECT_CHARS {
        errors.push(("subject", frame.message("bo.template.error.subject")));
    }
    if form.text.is_empty() || form.text.chars().count() > MAX_TEXT_CHARS {
        errors.push(("text", frame.message("bo.template.error.text")));
    }
    if form.citizen && form.sms.chars().count() > MAX_SMS_CHARS {
        errors.push(("sms", frame.message("bo.template.error.sms-length")));
    }
    for (key, wording) in [
        ("subject", &form.subject),
        ("text", &form.text),
        ("sms", &form.sms),
    ] {
        if errors.iter().any(|(k, _)| *k == key) {
            continue;
        }
        let unknown = templates::unknown_variables(wording);
        if !unknown.is_empty() {
            let names: Vec<String> = unknown.iter().map(|w| format!("{{{w}}}")).collect();
            errors.push((
                key,
                frame.format("bo.template.error.unknown", &[("names", &names.join(", "))]),
            ));
        } else if form.scope.name != ACKNOWLEDGEMENT && wording.contains("{tracking_code}") {
            errors.push((key, frame.message("bo.template.error.tracking-code")));
        }
    }
    form.errors = errors;
}

/// The example the preview is filled with: the scope's service and step,
/// or the town's first service.
fn preview(app: &App, site: &Site, frame: &Frame, form: &TemplateForm) -> TemplatePreview {
    let scope = &form.scope;
    let service: Option<&Service> = scope
        .service
        .as_deref()
        .and_then(|c| site.tenant.service(c))
        .or_else(|| site.tenant.services.first())
        .map(|s| &**s);
    let step = service.and_then(|s| match &scope.step {
        Some(id) => s.step(id),
        None => s
            .steps
            .iter()
            .filter(|st| st.citizen_label.is_some())
            .nth(1)
            .or_else(|| s.steps.first()),
    });
    let step = step
        .map(|s| s.citizen_label.clone().unwrap_or_else(|| s.label.clone()))
        .unwrap_or_default();
    let today = today(app, site);
    let due = service.map_or(today, |s| {
        crate::core::calendar::add_days(today, s.deadline_days, s.deadline_count)
    });
    let reference = format!("{}-000123", today.year());
    let public = app.message_url.trim_end_matches('/');
    let slug = &site.tenant.slug;
    let code = if scope.name == ACKNOWLEDGEMENT {
        "7K4M-2QXH-9D3R-WP6A"
    } else {
        ""
    };
    let tracking_link = if code.is_empty() {
        format!("{public}/{slug}/track")
    } else {
        format!("{public}/{slug}/track/{code}")
    };
    let town = site.town_name();
    let vars: [(&str, String); 11] = [
        ("town", town),
        ("name", frame.message("bo.template.sample.name")),
        ("reference", reference.clone()),
        (
            "service",
            service.map(|s| s.title.clone()).unwrap_or_default(),
        ),
        ("due_date", crate::tenant::dates::long_date(due, "fr")),
        ("step", step),
        ("answer", frame.message("bo.template.sample.answer")),
        ("tracking_code", code.to_owned()),
        ("tracking_link", tracking_link),
        (
            "department",
            service
                .map(|s| s.department.name.clone())
                .unwrap_or_default(),
        ),
        (
            "backoffice_link",
            format!("{public}/{slug}/backoffice/requests/{reference}"),
        ),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sms = (form.citizen && !form.sms.is_empty()).then(|| {
        let (text, segments) = sms::prepare(&templates::fill(&form.sms, &vars), sms::MAX_PARTS);
        (text, segments.units, segments.parts)
    });
    TemplatePreview {
        subject: templates::fill(&form.subject, &vars).replace(['\r', '\n'], " "),
        text: templates::fill(&form.text, &vars).trim().to_owned(),
        sms,
    }
}

/// Writes the scope's wording into `templates.toml`.
async fn rewrite(
    app: &App,
    site: &Site,
    scope: &Scope,
    values: &[(&str, Option<&str>)],
) -> Result<(), Refused> {
    files::rewrite(app, site, "templates.toml", |text| {
        templates::reword(text, scope, values).map_err(Refused::broken)
    })
    .await
}

// The page's view.

/// A message template as typed or as it stands at one scope, with its
/// errors.
#[derive(Default)]
pub struct TemplateForm {
    pub scope: crate::tenant::templates::Scope,
    /// A citizens' template: it has an SMS wording.
    pub citizen: bool,
    pub subject: String,
    pub text: String,
    /// Empty: no SMS for this message.
    pub sms: String,
    /// The fields worded at this very scope (the others are inherited).
    pub own: Vec<&'static str>,
    /// `(field, message)`
    pub errors: Vec<(&'static str, String)>,
}

/// A template filled with an example request.
pub struct TemplatePreview {
    pub subject: String,
    pub text: String,
    /// `(text as sent, characters, number of SMS)`
    pub sms: Option<(String, usize, usize)>,
}

fn template_label(frame: &Frame, name: &str) -> String {
    frame
        .message_opt(&format!("bo.template.name.{name}"))
        .unwrap_or_else(|| name.to_owned())
}

/// The scopes a template can be worded at, each with its label: the whole
/// town, each service, and for the step news each step the citizen sees.
fn template_scopes(site: &Site, name: &str) -> Vec<(crate::tenant::templates::Scope, String)> {
    use crate::tenant::templates::Scope;
    let mut out = vec![(
        Scope {
            name: name.to_owned(),
            service: None,
            step: None,
        },
        String::new(),
    )];
    for s in &site.tenant.services {
        out.push((
            Scope {
                name: name.to_owned(),
                service: Some(s.code.clone()),
                step: None,
            },
            s.title.clone(),
        ));
        if name == crate::core::workflow::LETTER_TEMPLATE {
            for st in &s.steps {
                out.push((
                    Scope {
                        name: name.to_owned(),
                        service: Some(s.code.clone()),
                        step: Some(st.id.clone()),
                    },
                    format!("{} — {}", s.title, st.label),
                ));
            }
        }
        if name == crate::core::workflow::STEP_TEMPLATE {
            for st in &s.steps {
                if let Some(label) = &st.citizen_label {
                    out.push((
                        Scope {
                            name: name.to_owned(),
                            service: Some(s.code.clone()),
                            step: Some(st.id.clone()),
                        },
                        format!("{} — {label}", s.title),
                    ));
                }
            }
        }
    }
    out
}

/// Whom a template is for: `citizen`, `agents`, or `letters` (the letters
/// of steps, printed or sent as PDF).
fn audience(name: &str, citizen: bool) -> &'static str {
    if name == crate::core::workflow::LETTER_TEMPLATE {
        "letters"
    } else if citizen {
        "citizen"
    } else {
        "agents"
    }
}

/// The town's message templates (administrators).
pub(super) fn templates(frame: &Frame, site: &Site, b: &Bar) -> String {
    use crate::tenant::templates as t;
    let look = site.look.get();
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-templates", &frame.message("bo.templates.title"));
    view::agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin", frame.base);
    x.open("templates", &[("back", &back)]);
    for (name, citizen) in t::builtin() {
        let scopes = template_scopes(site, name);
        let town = &scopes[0].0;
        let own = t::FIELDS
            .iter()
            .any(|k| t::wording(&look.templates, town, k).1);
        let href = self::href(frame, town);
        x.open(
            "template",
            &[
                ("name", name),
                ("audience", audience(name, *citizen)),
                ("href", &href),
                ("own", bool_str(own)),
            ],
        );
        x.text("label", &[], &template_label(frame, name));
        let subject = t::wording(&look.templates, town, "subject").0;
        x.text("subject", &[], subject.as_deref().unwrap_or(""));
        for (scope, label) in &scopes[1..] {
            if t::FIELDS
                .iter()
                .any(|k| t::wording(&look.templates, scope, k).1)
            {
                let href = self::href(frame, scope);
                x.text("reworded", &[("href", &href)], label);
            }
        }
        x.close("template");
    }
    x.close("templates");
    x.close("page");
    x.finish()
}

/// One template at one scope: the form, the variables, the example.
pub(super) fn template_edit(
    frame: &Frame,
    site: &Site,
    b: &Bar,
    form: &TemplateForm,
    preview: &TemplatePreview,
    notice: Option<(&str, &str)>,
) -> String {
    use crate::tenant::templates as t;
    let scope = &form.scope;
    let label = template_label(frame, &scope.name);
    let scopes = template_scopes(site, &scope.name);
    let scope_label = scopes
        .iter()
        .find(|(s, _)| s == scope)
        .map(|(_, l)| l.clone())
        .unwrap_or_default();
    let title = if scope_label.is_empty() {
        frame.format("bo.template.title", &[("template", &label)])
    } else {
        frame.format(
            "bo.template.title-scoped",
            &[("template", &label), ("scope", &scope_label)],
        )
    };
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-template", &title);
    view::agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin/templates", frame.base);
    let action = self::href(frame, scope);
    let chooser = self::href(
        frame,
        &t::Scope {
            name: scope.name.clone(),
            service: None,
            step: None,
        },
    );
    x.open(
        "template-edit",
        &[
            ("action", &action),
            ("token", b.token),
            ("back", &back),
            ("name", &scope.name),
            ("audience", audience(&form.scope.name, form.citizen)),
        ],
    );
    if let Some((kind, text)) = notice {
        x.text("notice", &[("kind", kind)], text);
    }
    x.text("label", &[], &label);
    x.open("scopes", &[("action", &chooser)]);
    for (s, l) in &scopes {
        let value = [&s.service, &s.step]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("/");
        let text = if l.is_empty() {
            frame.message("bo.template.scope.town")
        } else {
            l.clone()
        };
        let mut attrs = vec![("value", value.as_str())];
        if s == scope {
            attrs.push(("selected", "true"));
        }
        x.text("scope", &attrs, &text);
    }
    x.close("scopes");
    x.open("variables", &[]);
    for v in t::VARIABLES {
        x.text(
            "variable",
            &[("name", v)],
            &frame.message(&format!("bo.template.var.{v}")),
        );
    }
    x.close("variables");
    x.open("template-form", &[("subject", &form.subject)]);
    for (field, message) in &form.errors {
        x.text("error", &[("field", field)], message);
    }
    for field in &form.own {
        x.empty("own", &[("field", field)]);
    }
    x.text("text", &[], &form.text);
    if form.citizen {
        x.text("sms", &[], &form.sms);
    }
    x.close("template-form");
    x.open("preview", &[("subject", &preview.subject)]);
    x.text("text", &[], &preview.text);
    if let Some((text, chars, parts)) = &preview.sms {
        let count = frame.format(
            "bo.template.sms-count",
            &[("chars", &chars.to_string()), ("parts", &parts.to_string())],
        );
        x.text("sms", &[("count", &count)], text);
    }
    x.close("preview");
    x.close("template-edit");
    x.close("page");
    x.finish()
}
