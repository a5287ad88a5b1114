//! The service editor (administrators): a service of the town's — a copy of
//! a library service or its own — changed without code or restart. The
//! main page shows the general part, the fields, the coherence rules and
//! the workflow as a tree (steps → actions → where each leads, timed jumps,
//! automatic actions); a field and a step each have their own page. Every
//! change goes through `usecases::catalogue::edit` into the town's draft,
//! written and checked like a file (schema and loader); a refusal keeps
//! what was typed with every problem shown. A preview renders the draft's
//! form as citizens will see it, and checks what is typed in it without
//! storing anything; publishing (online or in test) makes it the next
//! version.
//!
//! Every form of these pages is described the same way in the view
//! (`EditorForm` in `xsd/view.xsd`: controls with their label, value, help
//! and error, and submit buttons), so one stylesheet (`bo-editor.xsl`)
//! renders them all accessibly.

use crate::core::calendar::DayCount;
use crate::core::catalogue::{
    Department, Facets, FieldType, Rule, RuleKind, Service, StepKind, Theme,
};
use crate::core::editor::{self, Edit, FieldChange, General, StepChange};
use crate::core::steps::{Action, Automatic, Role, Timeout};
use crate::store::ServiceStatus;
use crate::usecases::catalogue::{self, CatalogueError, NewService};
use crate::web::backoffice::view::{self, Bar};
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml, service_title};
use crate::web::{Body, Fields, not_found, redirect};
use hyper::{Response, StatusCode};

/// Which page of the editor.
#[derive(Clone, Copy)]
enum Page<'a> {
    Main,
    Field(&'a str),
    Step(&'a str),
}

/// A form as sent back after a refusal: its values, and a message per
/// control that was wrong.
struct Typed<'a> {
    form: String,
    fields: &'a Fields,
    errors: Vec<(String, String)>,
}

// Handlers.

pub(super) async fn new_page(cx: &Ctx<'_>) -> Response<Body> {
    show_new(cx, StatusCode::OK, None, &[])
}

pub(super) async fn create(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, f, frame) = (cx.app, cx.site, &cx.fields, cx.frame);
    let mut errors = Vec::new();
    let code = text(f, "code");
    let title = text(f, "title");
    let operation = text(f, "operation");
    if code.is_empty() {
        errors.push(("code".into(), frame.message("bo.editor.error.code")));
    }
    if title.is_empty() {
        errors.push(("title".into(), frame.message("bo.editor.error.required")));
    }
    if operation.is_empty() {
        errors.push((
            "operation".into(),
            frame.message("bo.editor.error.operation"),
        ));
    }
    let theme = theme_of(cx, &text(f, "theme"));
    let department = site.department(&text(f, "department")).map(|d| Department {
        code: d.code.clone(),
        name: d.name.clone(),
    });
    if department.is_none() {
        errors.push((
            "department".into(),
            frame.message("bo.editor.error.required"),
        ));
    }
    let typed = |errors| Typed {
        form: "new".into(),
        fields: f,
        errors,
    };
    let (Some(theme), Some(department)) = (theme, department) else {
        if !errors.iter().any(|(n, _)| n == "department") {
            errors.push(("theme".into(), frame.message("bo.editor.error.required")));
        }
        return show_new(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&typed(errors)),
            &[],
        );
    };
    if !errors.is_empty() {
        return show_new(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&typed(errors)),
            &[],
        );
    }
    let new = NewService {
        code: code.clone(),
        title,
        operation,
        theme,
        department,
    };
    match catalogue::create(&*app.store, &app.library, site, new, &actor(cx), app.now()) {
        Ok(()) => redirect(&format!("{}/edit?done=created", catalogue_url(cx, &code))),
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(e) => show_new(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&typed(Vec::new())),
            &problems(e),
        ),
    }
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    show(cx, Page::Main, StatusCode::OK, None, &[])
}

pub(super) async fn field_page(cx: &Ctx<'_>) -> Response<Body> {
    show(cx, Page::Field(cx.param("name")), StatusCode::OK, None, &[])
}

pub(super) async fn step_page(cx: &Ctx<'_>) -> Response<Body> {
    show(cx, Page::Step(cx.param("id")), StatusCode::OK, None, &[])
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let code = cx.param("code");
    let action = cx.fields.get("action").unwrap_or("");
    if let Some(status) = match action {
        "publish" => Some(ServiceStatus::Online),
        "publish-test" => Some(ServiceStatus::Test),
        _ => None,
    } {
        let (app, site) = (cx.app, cx.site);
        return match catalogue::publish(&*app.store, site, code, status, &actor(cx), app.now()) {
            Ok(_) => redirect(&format!(
                "{}/backoffice/admin/catalogue?done={}&code={code}",
                cx.frame.base,
                status.as_str()
            )),
            Err(CatalogueError::Store(e)) => unavailable(&e),
            Err(e) => show(
                cx,
                Page::Main,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &problems(e),
            ),
        };
    }
    apply(cx, Page::Main).await
}

pub(super) async fn field_post(cx: &Ctx<'_>) -> Response<Body> {
    apply(cx, Page::Field(cx.param("name"))).await
}

pub(super) async fn step_post(cx: &Ctx<'_>) -> Response<Body> {
    apply(cx, Page::Step(cx.param("id"))).await
}

/// The draft's form as citizens will see it (GET), and what was typed in
/// it checked (POST).
pub(super) async fn preview(cx: &Ctx<'_>) -> Response<Body> {
    let code = cx.param("code");
    match catalogue::editable(&*cx.app.store, cx.site, code) {
        Ok((service, _)) => {
            let action = format!("{}/edit/preview", catalogue_url(cx, code));
            crate::web::citizen::preview(cx, &service, &action, &cx.session().token)
        }
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(_) => not_found(cx.site, cx.frame, cx.req),
    }
}

/// Reads the posted form into an edit, applies it and comes back to the
/// page; or shows the page again with what was wrong.
async fn apply(cx: &Ctx<'_>, at: Page<'_>) -> Response<Body> {
    let (app, site, f) = (cx.app, cx.site, &cx.fields);
    let code = cx.param("code");
    let action = f.get("action").unwrap_or("").to_owned();
    let form = f.get("form").unwrap_or("").to_owned();
    let edit = match read_edit(cx, at, &action) {
        Ok(edit) => edit,
        Err(errors) => {
            let typed = Typed {
                form,
                fields: f,
                errors,
            };
            return show(cx, at, StatusCode::UNPROCESSABLE_ENTITY, Some(&typed), &[]);
        }
    };
    // Where to go once done: a removed field or step has no page any more.
    let back = match (&edit, at) {
        (Edit::RemoveField { .. } | Edit::RemoveStep { .. }, _) | (_, Page::Main) => {
            format!("{}/edit", catalogue_url(cx, code))
        }
        (_, Page::Field(name)) => format!("{}/edit/fields/{name}", catalogue_url(cx, code)),
        (_, Page::Step(id)) => format!("{}/edit/steps/{id}", catalogue_url(cx, code)),
    };
    match catalogue::edit(&*app.store, site, code, edit, &actor(cx), app.now()) {
        Ok(()) => redirect(&format!("{back}?done=saved")),
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(CatalogueError::NotInTown(_)) => not_found(site, cx.frame, cx.req),
        Err(e) => {
            let typed = Typed {
                form,
                fields: f,
                errors: Vec::new(),
            };
            show(
                cx,
                at,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&typed),
                &problems(e),
            )
        }
    }
}

fn problems(e: CatalogueError) -> Vec<(Option<u32>, String)> {
    match e {
        CatalogueError::Refused(r) => r
            .problems
            .into_iter()
            .map(|p| (p.line, p.message))
            .collect(),
        other => vec![(None, other.to_string())],
    }
}

fn actor(cx: &Ctx<'_>) -> String {
    format!("agent:{}", cx.session().record.agent.login)
}

fn catalogue_url(cx: &Ctx<'_>, code: &str) -> String {
    format!("{}/backoffice/admin/catalogue/{code}", cx.frame.base)
}

fn text(f: &Fields, name: &str) -> String {
    f.get(name).unwrap_or("").trim().to_owned()
}

fn optional(f: &Fields, name: &str) -> Option<String> {
    f.text(name)
}

fn theme_of(cx: &Ctx<'_>, code: &str) -> Option<Theme> {
    cx.app
        .library
        .iter()
        .map(|l| &l.service.theme)
        .chain(cx.site.tenant.all_services().map(|s| &s.theme))
        .find(|t| t.code == code)
        .cloned()
}

// Reading the posted forms.

type Errors = Vec<(String, String)>;

fn read_edit(cx: &Ctx<'_>, at: Page<'_>, action: &str) -> Result<Edit, Errors> {
    let (f, frame) = (&cx.fields, cx.frame);
    let mut errors: Errors = Vec::new();
    let number = |errors: &mut Errors, name: &str, required: bool| -> Option<u32> {
        let v = text(f, name);
        if v.is_empty() {
            if required {
                errors.push((name.into(), frame.message("bo.editor.error.number")));
            }
            return None;
        }
        match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push((name.into(), frame.message("bo.editor.error.number")));
                None
            }
        }
    };
    let edit = match (at, action) {
        (Page::Main, "save-general") => {
            let days = number(&mut errors, "deadline-days", true);
            let department = cx
                .site
                .department(&text(f, "department"))
                .map(|d| Department {
                    code: d.code.clone(),
                    name: d.name.clone(),
                });
            let theme = theme_of(cx, &text(f, "theme"));
            let count = DayCount::from_name(&text(f, "deadline-count")).unwrap_or_default();
            let title = text(f, "title");
            if title.is_empty() {
                errors.push(("title".into(), frame.message("bo.editor.error.required")));
            }
            if department.is_none() {
                errors.push((
                    "department".into(),
                    frame.message("bo.editor.error.required"),
                ));
            }
            if theme.is_none() {
                errors.push(("theme".into(), frame.message("bo.editor.error.required")));
            }
            return match (days, department, theme) {
                (Some(days), Some(department), Some(theme)) if errors.is_empty() => {
                    Ok(Edit::General(General {
                        title,
                        title_en: optional(f, "title-en"),
                        description: text(f, "description"),
                        theme,
                        department,
                        deadline_days: days,
                        deadline_count: count,
                    }))
                }
                _ => Err(errors),
            };
        }
        (Page::Main, "add-field") => {
            let name = text(f, "name");
            let label = text(f, "label");
            if !crate::core::catalogue::is_xml_name(&name) {
                errors.push(("name".into(), frame.message("bo.editor.error.name")));
            }
            if label.is_empty() {
                errors.push(("label".into(), frame.message("bo.editor.error.required")));
            }
            let kind = FieldType::from_name(&text(f, "type")).unwrap_or(FieldType::Text);
            Edit::AddField { name, label, kind }
        }
        (Page::Main, "move-up" | "move-down") => {
            let by = if action == "move-up" { -1 } else { 1 };
            match (f.text("field"), f.text("step")) {
                (Some(name), _) => Edit::MoveField { name, by },
                (None, Some(id)) => Edit::MoveStep { id, by },
                (None, None) => return Err(vec![("action".into(), "?".into())]),
            }
        }
        (Page::Main, "remove-field") => Edit::RemoveField {
            name: text(f, "field"),
        },
        (Page::Main, "remove-rule") => Edit::RemoveRule {
            index: text(f, "rule")
                .parse::<usize>()
                .unwrap_or(usize::MAX)
                .saturating_sub(1),
        },
        (Page::Main, "add-rule") => {
            let field = text(f, "field");
            let kind = match text(f, "kind").as_str() {
                "past" => RuleKind::Past { field },
                "notBefore" => match text(f, "days").parse::<i64>() {
                    Ok(days) => RuleKind::NotBefore { field, days },
                    Err(_) => {
                        errors.push(("days".into(), frame.message("bo.editor.error.number")));
                        RuleKind::Past { field }
                    }
                },
                "after" => RuleKind::After {
                    field,
                    than: text(f, "other"),
                },
                "requiredIf" => RuleKind::RequiredIf {
                    field,
                    when: text(f, "other"),
                    equals: text(f, "equals"),
                },
                _ => RuleKind::AtLeastOne {
                    fields: std::iter::once(field)
                        .chain(text(f, "other").split_whitespace().map(str::to_owned))
                        .collect(),
                },
            };
            let code = optional(f, "code").unwrap_or_else(|| default_rule_code(&kind).into());
            Edit::AddRule(Rule {
                kind,
                code,
                message: optional(f, "message"),
            })
        }
        (Page::Main, "add-step") => {
            let id = text(f, "id");
            let label = text(f, "label");
            if id.is_empty() {
                errors.push(("id".into(), frame.message("bo.editor.error.code")));
            }
            if label.is_empty() {
                errors.push(("label".into(), frame.message("bo.editor.error.required")));
            }
            let kind = StepKind::from_name(&text(f, "kind")).unwrap_or(StepKind::Agent);
            Edit::AddStep { id, label, kind }
        }
        (Page::Main, "remove-step") => Edit::RemoveStep {
            id: text(f, "step"),
        },
        (Page::Field(name), "save-field") => {
            let label = text(f, "label");
            if label.is_empty() {
                errors.push(("label".into(), frame.message("bo.editor.error.required")));
            }
            let pattern = match editor::pattern(&text(f, "pattern")) {
                Ok(p) => p,
                Err(p) => {
                    errors.push(("pattern".into(), p.0));
                    None
                }
            };
            let mut n = |k: &str| number(&mut errors, k, false).map(|v| v as usize);
            let facets = Facets {
                min_length: n("min-length"),
                max_length: n("max-length"),
                length: n("length"),
                pattern,
                pattern_message: optional(f, "pattern-message"),
                min: optional(f, "min"),
                max: optional(f, "max"),
                fraction_digits: n("fraction-digits").map(|d| d as u32),
                min_items: n("min-items"),
                max_items: n("max-items"),
            };
            Edit::ChangeField {
                name: name.to_owned(),
                change: FieldChange {
                    label,
                    help: optional(f, "help"),
                    kind: FieldType::from_name(&text(f, "type")).unwrap_or(FieldType::Text),
                    required: f.get("required").is_some(),
                    options: editor::options_from_lines(f.get("options").unwrap_or("")),
                    facets,
                },
            }
        }
        (Page::Step(id), "save-step") => {
            let label = text(f, "label");
            if label.is_empty() {
                errors.push(("label".into(), frame.message("bo.editor.error.required")));
            }
            Edit::ChangeStep {
                id: id.to_owned(),
                change: StepChange {
                    label,
                    citizen_label: optional(f, "citizen"),
                    kind: StepKind::from_name(&text(f, "kind")).unwrap_or(StepKind::Agent),
                    department: optional(f, "department"),
                    colour: optional(f, "colour"),
                },
            }
        }
        (Page::Step(id), "save-action") => {
            let action_id = text(f, "id");
            let label = text(f, "label");
            if action_id.is_empty() {
                errors.push(("id".into(), frame.message("bo.editor.error.code")));
            }
            if label.is_empty() {
                errors.push(("label".into(), frame.message("bo.editor.error.required")));
            }
            let roles: Vec<Role> = ["reader", "handler", "validator"]
                .into_iter()
                .filter(|r| f.get(&format!("role-{r}")).is_some())
                .filter_map(Role::from_name)
                .collect();
            if roles.is_empty() {
                errors.push((
                    "role-handler".into(),
                    frame.message("bo.editor.error.roles"),
                ));
            }
            Edit::SetAction {
                step: id.to_owned(),
                action: Action {
                    id: action_id,
                    label,
                    roles,
                    to: text(f, "to"),
                    comment_required: f.get("comment").is_some(),
                    message: optional(f, "template"),
                },
            }
        }
        (Page::Step(id), "remove-action") => Edit::RemoveAction {
            step: id.to_owned(),
            id: text(f, "id"),
        },
        (Page::Step(id), "add-timeout") => {
            let days = number(&mut errors, "days", true).unwrap_or(0);
            Edit::AddTimeout {
                step: id.to_owned(),
                timeout: Timeout {
                    days,
                    since_creation: text(f, "since") == "created",
                    to: text(f, "to"),
                },
            }
        }
        (Page::Step(id), "remove-timeout") => Edit::RemoveTimeout {
            step: id.to_owned(),
            index: text(f, "index")
                .parse::<usize>()
                .unwrap_or(usize::MAX)
                .saturating_sub(1),
        },
        (Page::Step(id), "add-effect") => {
            let value = text(f, "value");
            let effect = match text(f, "kind").as_str() {
                "assign" => Automatic::Assign { department: value },
                "jump" => Automatic::Jump { to: value },
                "message" => Automatic::Message { template: value },
                _ => Automatic::Export,
            };
            Edit::AddEffect {
                step: id.to_owned(),
                effect,
            }
        }
        (Page::Step(id), "remove-effect") => Edit::RemoveEffect {
            step: id.to_owned(),
            index: text(f, "index")
                .parse::<usize>()
                .unwrap_or(usize::MAX)
                .saturating_sub(1),
        },
        _ => {
            return Err(vec![(
                "action".into(),
                frame.message("bo.editor.error.action"),
            )]);
        }
    };
    if errors.is_empty() {
        Ok(edit)
    } else {
        Err(errors)
    }
}

fn default_rule_code(kind: &RuleKind) -> &'static str {
    match kind {
        RuleKind::Past { .. } => "must-be-past",
        RuleKind::NotBefore { .. } => "too-early",
        RuleKind::After { .. } => "must-be-after",
        RuleKind::RequiredIf { .. } => "required",
        RuleKind::AtLeastOne { .. } => "one-required",
    }
}

// The pages' views.

/// A form of the editor, as the view describes it.
struct FormView {
    id: String,
    legend: Option<String>,
    hidden: Vec<(&'static str, String)>,
    controls: Vec<Control>,
    /// `(action value, label, primary)`.
    submits: Vec<(&'static str, String, bool)>,
}

struct Control {
    name: String,
    kind: &'static str,
    label: String,
    value: String,
    required: bool,
    help: Option<String>,
    /// `(value, label)` of a select.
    options: Vec<(String, String)>,
}

impl Control {
    fn new(frame: &Frame, name: &str, kind: &'static str, value: &str) -> Control {
        Control {
            name: name.to_owned(),
            kind,
            label: frame.message(&format!("bo.editor.label.{name}")),
            value: value.to_owned(),
            required: false,
            help: frame.message_opt(&format!("bo.editor.help.{name}")),
            options: Vec::new(),
        }
    }

    fn required(mut self) -> Control {
        self.required = true;
        self
    }

    fn options(mut self, options: Vec<(String, String)>) -> Control {
        self.options = options;
        self
    }
}

impl FormView {
    fn new(id: &str) -> FormView {
        FormView {
            id: id.to_owned(),
            legend: None,
            hidden: Vec::new(),
            controls: Vec::new(),
            submits: Vec::new(),
        }
    }

    fn submit(mut self, frame: &Frame, action: &'static str, primary: bool) -> FormView {
        self.submits.push((
            action,
            frame.message(&format!("bo.editor.action.{action}")),
            primary,
        ));
        self
    }

    fn write(&self, x: &mut Xml, action: &str, token: &str, typed: Option<&Typed>) {
        let typed = typed.filter(|t| t.form == self.id);
        let mut attrs = vec![
            ("id", self.id.as_str()),
            ("action", action),
            ("token", token),
        ];
        if let Some(l) = &self.legend {
            attrs.push(("legend", l));
        }
        x.open("form", &attrs);
        x.empty("hidden", &[("name", "form"), ("value", &self.id)]);
        for (name, value) in &self.hidden {
            x.empty("hidden", &[("name", name), ("value", value)]);
        }
        for c in &self.controls {
            let value = match typed {
                Some(t) if c.kind == "checkbox" => if t.fields.get(&c.name).is_some() {
                    "true"
                } else {
                    ""
                }
                .to_owned(),
                Some(t) => t.fields.get(&c.name).unwrap_or("").to_owned(),
                None => c.value.clone(),
            };
            let id = format!("{}-{}", self.id, c.name);
            let mut attrs = vec![
                ("name", c.name.as_str()),
                ("id", id.as_str()),
                ("kind", c.kind),
                ("label", c.label.as_str()),
                ("value", value.as_str()),
            ];
            if c.required {
                attrs.push(("required", "true"));
            }
            if let Some(h) = &c.help {
                attrs.push(("help", h));
            }
            let error = typed.and_then(|t| t.errors.iter().find(|(n, _)| *n == c.name));
            if let Some((_, e)) = error {
                attrs.push(("error", e));
            }
            x.open("control", &attrs);
            for (v, label) in &c.options {
                let mut o = vec![("value", v.as_str())];
                let chosen = if c.kind == "checkboxes" {
                    value.split_whitespace().any(|p| p == v)
                } else {
                    *v == value
                };
                if chosen {
                    o.push(("selected", "true"));
                }
                x.text("option", &o, label);
            }
            x.close("control");
        }
        for (value, label, primary) in &self.submits {
            x.text(
                "submit",
                &[
                    ("value", value),
                    ("primary", if *primary { "true" } else { "false" }),
                ],
                label,
            );
        }
        x.close("form");
    }
}

fn begin(cx: &Ctx<'_>, x: &mut Xml, b: &Bar, title: &str) {
    cx.frame.begin(x, "bo-editor", title);
    view::agent_bar(cx.frame, x, b);
}

fn notice(cx: &Ctx<'_>, x: &mut Xml) {
    if let Some(done) = cx.query("done") {
        let text = cx.frame.message(&format!("bo.editor.done.{done}"));
        x.text("notice", &[("kind", "success")], &text);
    }
}

fn write_problems(x: &mut Xml, problems: &[(Option<u32>, String)]) {
    if problems.is_empty() {
        return;
    }
    x.open("problems", &[]);
    for (line, message) in problems {
        let line = line.map(|l| l.to_string());
        let mut attrs = Vec::new();
        if let Some(l) = &line {
            attrs.push(("line", l.as_str()));
        }
        x.text("problem", &attrs, message);
    }
    x.close("problems");
}

fn show_new(
    cx: &Ctx<'_>,
    status: StatusCode,
    typed: Option<&Typed>,
    problems: &[(Option<u32>, String)],
) -> Response<Body> {
    let frame = cx.frame;
    let b = bar(cx.session());
    let mut x = Xml::new();
    begin(cx, &mut x, &b, &frame.message("bo.editor.new-title"));
    let back = format!("{}/backoffice/admin/catalogue", frame.base);
    x.open("service-editor", &[("page", "new"), ("back", &back)]);
    write_problems(&mut x, problems);
    section(
        &mut x,
        "new",
        &frame.message("bo.editor.new-title"),
        frame.message_opt("bo.editor.intro.new"),
    );
    let mut form = FormView::new("new");
    form.controls = vec![
        Control::new(frame, "code", "text", "").required(),
        Control::new(frame, "title", "text", "").required(),
        Control::new(frame, "operation", "text", "").required(),
        Control::new(frame, "theme", "select", "")
            .required()
            .options(themes(cx)),
        Control::new(frame, "department", "select", "")
            .required()
            .options(departments(cx, false)),
    ];
    form = form.submit(frame, "create", true);
    form.write(&mut x, &format!("{back}/new"), b.token, typed);
    x.close("section");
    x.close("service-editor");
    x.close("page");
    bo_page(cx, status, "bo-editor.xsl", x.finish())
}

fn section(x: &mut Xml, id: &str, heading: &str, help: Option<String>) {
    x.open("section", &[("id", id)]);
    x.text("heading", &[], heading);
    if let Some(h) = help {
        x.text("help", &[], &h);
    }
}

fn themes(cx: &Ctx<'_>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let all = cx
        .app
        .library
        .iter()
        .map(|l| &l.service.theme)
        .chain(cx.site.tenant.all_services().map(|s| &s.theme));
    for t in all {
        if !out.iter().any(|(c, _)| *c == t.code) {
            out.push((t.code.clone(), t.label.clone()));
        }
    }
    out
}

fn departments(cx: &Ctx<'_>, none: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if none {
        out.push((
            String::new(),
            cx.frame.message("bo.editor.service-department"),
        ));
    }
    out.extend(
        cx.site
            .departments
            .iter()
            .map(|d| (d.code.clone(), d.name.clone())),
    );
    out
}

fn show(
    cx: &Ctx<'_>,
    at: Page<'_>,
    status: StatusCode,
    typed: Option<&Typed>,
    problems: &[(Option<u32>, String)],
) -> Response<Body> {
    let code = cx.param("code");
    let (service, draft) = match catalogue::editable(&*cx.app.store, cx.site, code) {
        Ok(found) => found,
        Err(CatalogueError::Store(e)) => return unavailable(&e),
        Err(_) => return not_found(cx.site, cx.frame, cx.req),
    };
    let frame = cx.frame;
    let b = bar(cx.session());
    let mut x = Xml::new();
    let title = frame.format(
        "bo.editor.title",
        &[("service", service_title(&service, frame.lang))],
    );
    begin(cx, &mut x, &b, &title);
    let back = format!("{}/backoffice/admin/catalogue", frame.base);
    let main = format!("{}/edit", catalogue_url(cx, code));
    let preview = format!("{main}/preview");
    let version = service.version.to_string();
    let (kind, url) = match at {
        Page::Field(name) => ("field", format!("{main}/fields/{name}")),
        Page::Step(id) => ("step", format!("{main}/steps/{id}")),
        Page::Main => ("main", main.clone()),
    };
    x.open(
        "service-editor",
        &[
            ("page", kind),
            ("code", code),
            ("version", &version),
            ("draft", if draft { "true" } else { "false" }),
            ("back", &back),
            ("main", &main),
            ("preview", &preview),
        ],
    );
    notice(cx, &mut x);
    write_problems(&mut x, problems);
    let w = Writer {
        cx,
        frame,
        service: &service,
        url: &url,
        token: b.token,
        typed,
    };
    match at {
        Page::Main => w.main(&mut x, draft),
        Page::Field(name) => match service.field(name) {
            Some(field) => w.field(&mut x, field),
            None => return not_found(cx.site, frame, cx.req),
        },
        Page::Step(id) => match service.step(id) {
            Some(step) => w.step(&mut x, step),
            None => return not_found(cx.site, frame, cx.req),
        },
    }
    x.close("service-editor");
    x.close("page");
    bo_page(cx, status, "bo-editor.xsl", x.finish())
}

/// Writes the editor's sections for one service.
struct Writer<'a> {
    cx: &'a Ctx<'a>,
    frame: &'a Frame<'a>,
    service: &'a Service,
    url: &'a str,
    token: &'a str,
    typed: Option<&'a Typed<'a>>,
}

impl Writer<'_> {
    fn form(&self, x: &mut Xml, form: FormView) {
        form.write(x, self.url, self.token, self.typed);
    }

    fn m(&self, key: &str) -> String {
        self.frame.message(key)
    }

    fn steps(&self) -> Vec<(String, String)> {
        self.service
            .steps
            .iter()
            .map(|s| (s.id.clone(), format!("{} ({})", s.label, s.id)))
            .collect()
    }

    fn main(&self, x: &mut Xml, draft: bool) {
        let (s, frame) = (self.service, self.frame);
        // General.
        section(x, "general", &self.m("bo.editor.general"), None);
        let mut general = FormView::new("general");
        general.controls = vec![
            Control::new(frame, "title", "text", &s.title).required(),
            Control::new(
                frame,
                "title-en",
                "text",
                s.title_en.as_deref().unwrap_or(""),
            ),
            Control::new(frame, "description", "textarea", &s.description),
            Control::new(frame, "theme", "select", &s.theme.code)
                .required()
                .options(themes(self.cx)),
            Control::new(frame, "department", "select", &s.department.code)
                .required()
                .options(departments(self.cx, false)),
            Control::new(
                frame,
                "deadline-days",
                "number",
                &s.deadline_days.to_string(),
            )
            .required(),
            Control::new(frame, "deadline-count", "select", s.deadline_count.as_str()).options(
                vec![
                    ("calendar".into(), self.m("bo.editor.count.calendar")),
                    ("working".into(), self.m("bo.editor.count.working")),
                ],
            ),
        ];
        self.form(x, general.submit(frame, "save-general", true));
        x.close("section");

        // Fields.
        section(
            x,
            "fields",
            &self.m("bo.editor.fields"),
            frame.message_opt("bo.editor.intro.fields"),
        );
        x.open("items", &[]);
        for (i, field) in s.fields.iter().enumerate() {
            let href = format!("{}/fields/{}", self.url, field.name);
            let mut note = self.m(&format!("bo.editor.type.{}", field.kind.name()));
            if field.required {
                note.push_str(" — ");
                note.push_str(&self.m("bo.editor.required"));
            }
            x.open(
                "item",
                &[
                    ("label", &field.label),
                    ("code", &field.name),
                    ("href", &href),
                    ("note", &note),
                ],
            );
            let mut form = FormView::new(&format!("field-{}", field.name));
            form.hidden.push(("field", field.name.clone()));
            if i > 0 {
                form = form.submit(frame, "move-up", false);
            }
            if i + 1 < s.fields.len() {
                form = form.submit(frame, "move-down", false);
            }
            self.form(x, form.submit(frame, "remove-field", false));
            x.close("item");
        }
        x.close("items");
        let mut add = FormView::new("add-field");
        add.legend = Some(self.m("bo.editor.add-field"));
        add.controls = vec![
            Control::new(frame, "name", "text", "").required(),
            Control::new(frame, "label", "text", "").required(),
            Control::new(frame, "type", "select", "text").options(field_types(frame)),
        ];
        self.form(x, add.submit(frame, "add-field", true));
        x.close("section");

        // Coherence rules.
        section(
            x,
            "rules",
            &self.m("bo.editor.rules"),
            frame.message_opt("bo.editor.intro.rules"),
        );
        x.open("items", &[]);
        for (i, rule) in s.rules.iter().enumerate() {
            let words = rule_words(frame, rule);
            x.open("item", &[("label", &words), ("code", &rule.code)]);
            let mut form = FormView::new(&format!("rule-{}", i + 1));
            form.hidden.push(("rule", (i + 1).to_string()));
            self.form(x, form.submit(frame, "remove-rule", false));
            x.close("item");
        }
        x.close("items");
        let field_names: Vec<(String, String)> = s
            .fields
            .iter()
            .map(|f| (f.name.clone(), format!("{} ({})", f.label, f.name)))
            .collect();
        let mut add = FormView::new("add-rule");
        add.legend = Some(self.m("bo.editor.add-rule"));
        add.controls = vec![
            Control::new(frame, "kind", "select", "past").options(
                ["past", "notBefore", "after", "requiredIf", "atLeastOne"]
                    .iter()
                    .map(|k| (k.to_string(), self.m(&format!("bo.editor.rule.{k}"))))
                    .collect(),
            ),
            Control::new(frame, "field", "select", "").options(field_names),
            Control::new(frame, "other", "text", ""),
            Control::new(frame, "days", "number", ""),
            Control::new(frame, "equals", "text", ""),
            Control::new(frame, "message", "text", ""),
        ];
        self.form(x, add.submit(frame, "add-rule", true));
        x.close("section");

        // The workflow as a tree.
        section(
            x,
            "workflow",
            &self.m("bo.editor.workflow"),
            frame.message_opt("bo.editor.intro.workflow"),
        );
        x.open("tree", &[]);
        for (i, step) in s.steps.iter().enumerate() {
            self.step_node(x, step, i);
        }
        x.close("tree");
        let mut add = FormView::new("add-step");
        add.legend = Some(self.m("bo.editor.add-step"));
        add.controls = vec![
            Control::new(frame, "id", "text", "").required(),
            Control::new(frame, "label", "text", "").required(),
            Control::new(frame, "kind", "select", "agent").options(step_kinds(frame)),
        ];
        self.form(x, add.submit(frame, "add-step", true));
        x.close("section");

        // Publishing.
        section(
            x,
            "publish",
            &self.m("bo.editor.publish"),
            Some(self.m(if draft {
                "bo.editor.intro.publish"
            } else {
                "bo.editor.intro.no-draft"
            })),
        );
        if draft {
            let form = FormView::new("publish")
                .submit(frame, "publish-test", false)
                .submit(frame, "publish", true);
            self.form(x, form);
        }
        x.close("section");
    }

    fn step_node(&self, x: &mut Xml, step: &crate::core::catalogue::Step, i: usize) {
        let (s, frame) = (self.service, self.frame);
        let href = format!("{}/steps/{}", self.url, step.id);
        let department = step
            .rules
            .department
            .clone()
            .unwrap_or_else(|| s.department.code.clone());
        let department = self
            .cx
            .site
            .department(&department)
            .map_or(department, |d| d.name.clone());
        let kind = self.m(&format!("bo.editor.kind.{}", step.kind.name()));
        let mut attrs = vec![
            ("id", step.id.as_str()),
            ("label", step.label.as_str()),
            ("href", href.as_str()),
            ("kind", kind.as_str()),
            ("department", department.as_str()),
        ];
        if let Some(c) = &step.citizen_label {
            attrs.push(("citizen", c));
        }
        x.open("step", &attrs);
        for effect in &step.rules.on_enter {
            x.text("effect", &[], &effect_words(frame, effect));
        }
        for a in &step.rules.actions {
            let roles: Vec<String> = a
                .roles
                .iter()
                .map(|r| self.m(&format!("bo.role.{}", r.as_str())))
                .collect();
            let mut note = roles.join(", ");
            if a.comment_required {
                note.push_str(" — ");
                note.push_str(&self.m("bo.editor.comment-required"));
            }
            if let Some(m) = &a.message {
                note.push_str(" — ");
                note.push_str(&frame.format("bo.editor.sends", &[("template", m)]));
            }
            x.text(
                "branch",
                &[
                    ("kind", "action"),
                    ("to", &a.to),
                    ("to-label", &step_label(s, &a.to)),
                    ("note", &note),
                ],
                &a.label,
            );
        }
        for t in &step.rules.timeouts {
            let label = frame.format(
                if t.since_creation {
                    "bo.editor.timeout-created"
                } else {
                    "bo.editor.timeout-entered"
                },
                &[("days", &t.days.to_string())],
            );
            x.text(
                "branch",
                &[
                    ("kind", "timeout"),
                    ("to", &t.to),
                    ("to-label", &step_label(s, &t.to)),
                ],
                &label,
            );
        }
        let mut form = FormView::new(&format!("step-{}", step.id));
        form.hidden.push(("step", step.id.clone()));
        if i > 0 {
            form = form.submit(frame, "move-up", false);
        }
        if i + 1 < s.steps.len() {
            form = form.submit(frame, "move-down", false);
        }
        self.form(x, form.submit(frame, "remove-step", false));
        x.close("step");
    }

    fn field(&self, x: &mut Xml, field: &crate::core::catalogue::Field) {
        let frame = self.frame;
        let f = &field.facets;
        let n = |v: Option<usize>| v.map(|v| v.to_string()).unwrap_or_default();
        let heading = frame.format("bo.editor.field-title", &[("field", &field.label)]);
        section(
            x,
            "field",
            &heading,
            frame.message_opt("bo.editor.intro.field"),
        );
        let mut form = FormView::new("field");
        form.controls = vec![
            Control::new(frame, "label", "text", &field.label).required(),
            Control::new(
                frame,
                "help",
                "textarea",
                field.help.as_deref().unwrap_or(""),
            ),
            Control::new(frame, "type", "select", field.kind.name()).options(field_types(frame)),
            Control::new(
                frame,
                "required",
                "checkbox",
                if field.required { "true" } else { "" },
            ),
            Control::new(
                frame,
                "options",
                "textarea",
                &editor::options_to_lines(&field.options),
            ),
            Control::new(frame, "min-length", "number", &n(f.min_length)),
            Control::new(frame, "max-length", "number", &n(f.max_length)),
            Control::new(frame, "length", "number", &n(f.length)),
            Control::new(
                frame,
                "pattern",
                "text",
                f.pattern.as_ref().map_or("", |p| p.source.as_str()),
            ),
            Control::new(
                frame,
                "pattern-message",
                "text",
                f.pattern_message.as_deref().unwrap_or(""),
            ),
            Control::new(frame, "min", "text", f.min.as_deref().unwrap_or("")),
            Control::new(frame, "max", "text", f.max.as_deref().unwrap_or("")),
            Control::new(
                frame,
                "fraction-digits",
                "number",
                &f.fraction_digits.map(|d| d.to_string()).unwrap_or_default(),
            ),
            Control::new(frame, "min-items", "number", &n(f.min_items)),
            Control::new(frame, "max-items", "number", &n(f.max_items)),
        ];
        self.form(x, form.submit(frame, "save-field", true));
        x.close("section");
    }

    fn step(&self, x: &mut Xml, step: &crate::core::catalogue::Step) {
        let frame = self.frame;
        let heading = frame.format("bo.editor.step-title", &[("step", &step.label)]);
        section(
            x,
            "step",
            &heading,
            frame.message_opt("bo.editor.intro.step"),
        );
        let mut form = FormView::new("step");
        form.controls = vec![
            Control::new(frame, "label", "text", &step.label).required(),
            Control::new(
                frame,
                "citizen",
                "text",
                step.citizen_label.as_deref().unwrap_or(""),
            ),
            Control::new(frame, "kind", "select", step.kind.name()).options(step_kinds(frame)),
            Control::new(
                frame,
                "department",
                "select",
                step.rules.department.as_deref().unwrap_or(""),
            )
            .options(departments(self.cx, true)),
            Control::new(
                frame,
                "colour",
                "text",
                step.rules.colour.as_deref().unwrap_or(""),
            ),
        ];
        self.form(x, form.submit(frame, "save-step", true));
        x.close("section");

        // Its actions, each changed in place.
        section(
            x,
            "actions",
            &self.m("bo.editor.actions"),
            frame.message_opt("bo.editor.intro.actions"),
        );
        for a in &step.rules.actions {
            let mut form = FormView::new(&format!("action-{}", a.id));
            form.legend = Some(a.label.clone());
            form.hidden.push(("id", a.id.clone()));
            form.controls = self.action_controls(a);
            form = form
                .submit(frame, "save-action", true)
                .submit(frame, "remove-action", false);
            self.form(x, form);
        }
        let blank = Action {
            id: String::new(),
            label: String::new(),
            roles: vec![Role::Handler],
            to: String::new(),
            comment_required: false,
            message: None,
        };
        let mut add = FormView::new("add-action");
        add.legend = Some(self.m("bo.editor.add-action"));
        let mut controls = vec![Control::new(frame, "id", "text", "").required()];
        controls.extend(self.action_controls(&blank));
        add.controls = controls;
        self.form(x, add.submit(frame, "save-action", true));
        x.close("section");

        // Timed jumps.
        section(x, "timeouts", &self.m("bo.editor.timeouts"), None);
        x.open("items", &[]);
        for (i, t) in step.rules.timeouts.iter().enumerate() {
            let label = frame.format(
                if t.since_creation {
                    "bo.editor.timeout-created"
                } else {
                    "bo.editor.timeout-entered"
                },
                &[("days", &t.days.to_string())],
            );
            let label = format!("{label} → {}", step_label(self.service, &t.to));
            x.open("item", &[("label", &label)]);
            let mut form = FormView::new(&format!("timeout-{}", i + 1));
            form.hidden.push(("index", (i + 1).to_string()));
            self.form(x, form.submit(frame, "remove-timeout", false));
            x.close("item");
        }
        x.close("items");
        let mut add = FormView::new("add-timeout");
        add.legend = Some(self.m("bo.editor.add-timeout"));
        add.controls = vec![
            Control::new(frame, "days", "number", "").required(),
            Control::new(frame, "since", "select", "entered").options(vec![
                ("entered".into(), self.m("bo.editor.since.entered")),
                ("created".into(), self.m("bo.editor.since.created")),
            ]),
            Control::new(frame, "to", "select", "").options(self.steps()),
        ];
        self.form(x, add.submit(frame, "add-timeout", true));
        x.close("section");

        // What happens on entering it.
        section(x, "effects", &self.m("bo.editor.effects"), None);
        x.open("items", &[]);
        for (i, e) in step.rules.on_enter.iter().enumerate() {
            x.open("item", &[("label", &effect_words(frame, e))]);
            let mut form = FormView::new(&format!("effect-{}", i + 1));
            form.hidden.push(("index", (i + 1).to_string()));
            self.form(x, form.submit(frame, "remove-effect", false));
            x.close("item");
        }
        x.close("items");
        let mut add = FormView::new("add-effect");
        add.legend = Some(self.m("bo.editor.add-effect"));
        add.controls = vec![
            Control::new(frame, "kind", "select", "message").options(
                ["assign", "jump", "message", "export"]
                    .iter()
                    .map(|k| (k.to_string(), self.m(&format!("bo.editor.effect.{k}"))))
                    .collect(),
            ),
            Control::new(frame, "value", "text", ""),
        ];
        self.form(x, add.submit(frame, "add-effect", true));
        x.close("section");
    }

    fn action_controls(&self, a: &Action) -> Vec<Control> {
        let frame = self.frame;
        let has = |r: Role| if a.roles.contains(&r) { "true" } else { "" };
        vec![
            Control::new(frame, "label", "text", &a.label).required(),
            Control::new(frame, "to", "select", &a.to).options(self.steps()),
            Control::new(frame, "role-reader", "checkbox", has(Role::Reader)),
            Control::new(frame, "role-handler", "checkbox", has(Role::Handler)),
            Control::new(frame, "role-validator", "checkbox", has(Role::Validator)),
            Control::new(
                frame,
                "comment",
                "checkbox",
                if a.comment_required { "true" } else { "" },
            ),
            Control::new(
                frame,
                "template",
                "text",
                a.message.as_deref().unwrap_or(""),
            ),
        ]
    }
}

fn step_label(service: &Service, id: &str) -> String {
    service.step(id).map_or(id.to_owned(), |s| s.label.clone())
}

fn field_types(frame: &Frame) -> Vec<(String, String)> {
    FieldType::ALL
        .iter()
        .map(|(name, _)| {
            (
                name.to_string(),
                frame.message(&format!("bo.editor.type.{name}")),
            )
        })
        .collect()
}

fn step_kinds(frame: &Frame) -> Vec<(String, String)> {
    [
        "agent",
        "citizen",
        "automatic",
        "accepted",
        "refused",
        "closed",
    ]
    .iter()
    .map(|k| (k.to_string(), frame.message(&format!("bo.editor.kind.{k}"))))
    .collect()
}

/// A coherence rule in words.
fn rule_words(frame: &Frame, rule: &Rule) -> String {
    let (key, args): (&str, Vec<(&str, String)>) = match &rule.kind {
        RuleKind::Past { field } => ("bo.editor.words.past", vec![("field", field.clone())]),
        RuleKind::NotBefore { field, days } => (
            "bo.editor.words.notBefore",
            vec![("field", field.clone()), ("days", days.to_string())],
        ),
        RuleKind::After { field, than } => (
            "bo.editor.words.after",
            vec![("field", field.clone()), ("other", than.clone())],
        ),
        RuleKind::RequiredIf {
            field,
            when,
            equals,
        } => (
            "bo.editor.words.requiredIf",
            vec![
                ("field", field.clone()),
                ("other", when.clone()),
                ("equals", equals.clone()),
            ],
        ),
        RuleKind::AtLeastOne { fields } => (
            "bo.editor.words.atLeastOne",
            vec![("fields", fields.join(", "))],
        ),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut words = frame.format(key, &args);
    if let Some(m) = &rule.message {
        words.push_str(" — « ");
        words.push_str(m);
        words.push_str(" »");
    }
    words
}

fn effect_words(frame: &Frame, effect: &Automatic) -> String {
    match effect {
        Automatic::Assign { department } => {
            frame.format("bo.editor.words.assign", &[("value", department)])
        }
        Automatic::Jump { to } => frame.format("bo.editor.words.jump", &[("value", to)]),
        Automatic::Message { template } => {
            frame.format("bo.editor.words.message", &[("value", template)])
        }
        Automatic::Export => frame.message("bo.editor.words.export"),
    }
}
