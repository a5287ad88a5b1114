//! The editor's pages as views: each form described the same way
//! (`EditorForm`: controls with label, value, help and error; submit
//! buttons), the workflow as a tree, rules and automatic actions in words.

use super::{Page, Typed, catalogue_url};
use crate::core::catalogue::{FieldType, Rule, RuleKind, Service};
use crate::core::editor;
use crate::core::steps::{Action, Automatic, Role};
use crate::usecases::catalogue::{self, CatalogueError};
use crate::web::Body;
use crate::web::backoffice::view::{self, Bar};
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::not_found;
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml, service_title};
use hyper::{Response, StatusCode};

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

pub(super) fn show_new(
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

pub(super) fn show(
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
        Automatic::Call { target, .. } => {
            frame.format("bo.editor.words.call", &[("value", target)])
        }
    }
}
