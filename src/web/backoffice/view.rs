//! XML views of the back-office pages (`docs/backoffice-views.md`,
//! `xsd/view.xsd`). Like the citizen views: data only, every text escaped,
//! wording from the message catalogue.

use crate::core::catalogue::{ADDRESS_PARTS, FieldType, REQUESTER_FIELDS, Service};
use crate::core::forms::REQUESTER;
use crate::core::workflow::{self, Agent, Role};
use crate::store::{ConsoleRow, DeliveryRecord, StandardAnswer, StoredEvent, WorkItem};
use crate::tenant::Site;
use crate::web::view::{Frame, Xml, service_title};
use jiff::Timestamp;
use jiff::civil::Date;

/// Who is logged in, for the agent's bar.
pub struct Bar<'a> {
    pub agent: &'a Agent,
    pub token: &'a str,
}

pub(crate) fn agent_bar(frame: &Frame, x: &mut Xml, bar: &Bar) {
    let home = format!("{}/backoffice/", frame.base);
    let logout = format!("{}/backoffice/logout", frame.base);
    let admin = format!("{}/backoffice/admin", frame.base);
    let mut attrs = vec![
        ("home", home.as_str()),
        ("logout", logout.as_str()),
        ("token", bar.token),
    ];
    if bar.agent.admin {
        attrs.push(("admin", admin.as_str()));
    }
    x.open("backoffice", &attrs);
    x.text(
        "agent",
        &[
            ("login", &bar.agent.login),
            ("admin", bool_str(bar.agent.admin)),
        ],
        &bar.agent.name,
    );
    x.close("backoffice");
}

pub(crate) fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// `22/11/2026`
fn short_date(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// `22 novembre 2026 à 11:00` in the tenant's time zone, and its ISO form.
fn date_time(frame: &Frame, at: Timestamp) -> (String, String) {
    let z = at.to_zoned(frame.tenant.time_zone.clone());
    (
        frame.format(
            "bo.date-time",
            &[
                ("date", &frame.date(z.date())),
                ("time", &z.strftime("%H:%M").to_string()),
            ],
        ),
        z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    )
}

pub fn department_name(site: &Site, code: &str) -> String {
    site.department(code)
        .map_or_else(|| code.to_owned(), |d| d.name.clone())
}

fn channel_label(frame: &Frame, channel: &str) -> String {
    frame
        .message_opt(&format!("bo.channel.{channel}"))
        .unwrap_or_else(|| channel.to_owned())
}

/// Whether a request is late (due date passed), or nearly (66 % of its delay gone).
pub fn lateness(submitted: Date, due: Date, today: Date, finished: bool) -> (bool, bool) {
    if finished {
        return (false, false);
    }
    if due < today {
        return (true, false);
    }
    let total = (due - submitted).get_days().max(1) as f64;
    let gone = (today - submitted).get_days() as f64;
    (false, gone / total >= 0.66)
}

/// An error page inside the back office (access refused…).
pub fn error(frame: &Frame, b: &Bar, status: u16, title: &str, text: &str) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "error", title);
    agent_bar(frame, &mut x, b);
    x.text("error", &[("status", &status.to_string())], text);
    x.close("page");
    x.finish()
}

pub fn login(
    frame: &Frame,
    token: &str,
    value: &str,
    next: Option<&str>,
    error: Option<&str>,
) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-login", &frame.message("bo.login.title"));
    let action = format!("{}/backoffice/login", frame.base);
    let mut attrs = vec![
        ("action", action.as_str()),
        ("token", token),
        ("value", value),
    ];
    if let Some(n) = next {
        attrs.push(("next", n));
    }
    x.open("login", &attrs);
    if let Some(e) = error {
        x.text("error", &[], e);
    }
    x.close("login");
    x.close("page");
    x.finish()
}

/// A filter of the console: name, current value, label key, options.
pub struct Filter {
    pub name: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
}

pub struct ConsolePage<'a> {
    pub filters: Vec<Filter>,
    pub late_only: bool,
    pub sort: &'static str,
    pub descending: bool,
    /// Query string of the filters (without sort and page).
    pub filter_query: String,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub first: u64,
    pub rows: &'a [ConsoleRow],
    pub today: Date,
    pub mass: Vec<(String, String)>,
    pub notice: Option<(&'static str, String)>,
}

pub fn console(frame: &Frame, site: &Site, b: &Bar, p: &ConsolePage) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-console", &frame.message("bo.console.title"));
    agent_bar(frame, &mut x, b);
    let action = format!("{}/backoffice/", frame.base);
    let last = p.first + p.rows.len() as u64 - u64::from(!p.rows.is_empty());
    x.open(
        "console",
        &[
            ("action", &action),
            ("total", &p.total.to_string()),
            ("page", &p.page.to_string()),
            ("pages", &p.pages.to_string()),
            ("first", &p.first.to_string()),
            ("last", &last.to_string()),
        ],
    );
    if let Some((kind, text)) = &p.notice {
        x.text("notice", &[("kind", kind)], text);
    }
    x.open("filters", &[]);
    for f in &p.filters {
        let kind = if f.options.is_empty() {
            "text"
        } else {
            "select"
        };
        x.open(
            "filter",
            &[("name", f.name), ("type", kind), ("value", &f.value)],
        );
        x.text(
            "label",
            &[],
            &frame.message(&format!("bo.filter.{}", f.name)),
        );
        for (value, label) in &f.options {
            let mut attrs = vec![("value", value.as_str())];
            if *value == f.value {
                attrs.push(("selected", "true"));
            }
            x.text("option", &attrs, label);
        }
        x.close("filter");
    }
    x.open(
        "filter",
        &[
            ("name", "late"),
            ("type", "checkbox"),
            ("value", "1"),
            ("checked", bool_str(p.late_only)),
        ],
    );
    x.text("label", &[], &frame.message("bo.filter.late"));
    x.close("filter");
    x.empty("hidden", &[("name", "sort"), ("value", p.sort)]);
    x.empty(
        "hidden",
        &[
            ("name", "dir"),
            ("value", if p.descending { "desc" } else { "asc" }),
        ],
    );
    x.close("filters");
    x.open("columns", &[]);
    for key in [
        "reference",
        "service",
        "channel",
        "step",
        "subject",
        "received",
        "due",
        "department",
    ] {
        let label = frame.message(&format!("bo.column.{key}"));
        if matches!(key, "reference" | "service" | "received" | "due") {
            let current = p.sort == key;
            let sort = match (current, p.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            };
            let dir = if current && !p.descending {
                "desc"
            } else {
                "asc"
            };
            let href = format!("{action}?{}sort={key}&dir={dir}", p.filter_query);
            x.text(
                "column",
                &[("key", key), ("sort", sort), ("href", &href)],
                &label,
            );
        } else {
            x.text("column", &[("key", key)], &label);
        }
    }
    x.close("columns");
    x.open("requests", &[]);
    for row in p.rows {
        let reference = row.reference.to_string();
        let href = format!("{}/backoffice/requests/{reference}", frame.base);
        let (late, soon) = lateness(
            row.submitted_at
                .to_zoned(frame.tenant.time_zone.clone())
                .date(),
            row.due_date,
            p.today,
            row.finished,
        );
        x.open(
            "request",
            &[
                ("reference", &reference),
                ("href", &href),
                ("late", bool_str(late)),
                ("soon", bool_str(soon)),
                ("final", bool_str(row.finished)),
                ("waiting", bool_str(row.waiting)),
            ],
        );
        let service = frame
            .tenant
            .service_version(&row.service_code, row.service_version);
        x.text(
            "service",
            &[("code", &row.service_code)],
            service.map_or(row.service_code.as_str(), |s| service_title(s, frame.lang)),
        );
        x.text(
            "channel",
            &[("code", &row.channel)],
            &channel_label(frame, &row.channel),
        );
        step_element(&mut x, service.map(|s| &**s), &row.step);
        x.text("subject", &[], &row.requester_name);
        let received = row
            .submitted_at
            .to_zoned(frame.tenant.time_zone.clone())
            .date();
        x.text(
            "received",
            &[("date", &received.to_string())],
            &short_date(received),
        );
        x.text(
            "due",
            &[("date", &row.due_date.to_string())],
            &short_date(row.due_date),
        );
        x.text(
            "department",
            &[("code", &row.department)],
            &department_name(site, &row.department),
        );
        x.close("request");
    }
    x.close("requests");
    if !p.mass.is_empty() {
        let mass = format!("{}/backoffice/mass", frame.base);
        x.open("mass", &[("action", &mass), ("token", b.token)]);
        for (id, label) in &p.mass {
            x.text("action", &[("id", id)], label);
        }
        x.close("mass");
    }
    x.open("pager", &[]);
    let page_href = |n: u32| {
        format!(
            "{action}?{}sort={}&dir={}&page={n}",
            p.filter_query,
            p.sort,
            if p.descending { "desc" } else { "asc" }
        )
    };
    if p.page > 1 {
        x.empty("prev", &[("href", &page_href(p.page - 1))]);
    }
    if p.page < p.pages {
        x.empty("next", &[("href", &page_href(p.page + 1))]);
    }
    x.close("pager");
    x.close("console");
    x.close("page");
    x.finish()
}

fn step_element(x: &mut Xml, service: Option<&Service>, step: &str) {
    let s = service.and_then(|s| s.step(step));
    let label = s.map_or(step, |s| s.label.as_str());
    match s.and_then(|s| s.rules.colour.as_deref()) {
        Some(colour) => x.text("step", &[("colour", colour)], label),
        None => x.text("step", &[], label),
    };
}

pub fn confirm(
    frame: &Frame,
    b: &Bar,
    action_id: &str,
    label: &str,
    requests: &[(String, String)],
) -> String {
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-confirm", &frame.message("bo.confirm.title"));
    agent_bar(frame, &mut x, b);
    let action = format!("{}/backoffice/mass", frame.base);
    let cancel = format!("{}/backoffice/", frame.base);
    x.open(
        "confirm",
        &[
            ("action", &action),
            ("token", b.token),
            ("action-id", action_id),
            ("cancel", &cancel),
        ],
    );
    x.text("label", &[], label);
    for (reference, text) in requests {
        x.text("request", &[("reference", reference)], text);
    }
    x.close("confirm");
    x.close("page");
    x.finish()
}

/// A stored value as a person reads it.
fn display_value(service: &Service, path: &str, value: &str) -> (String, String) {
    let mut parts = path.split('/');
    let first = parts.next().unwrap_or_default();
    if first == REQUESTER {
        let name = parts.next().unwrap_or_default();
        let label = REQUESTER_FIELDS
            .iter()
            .find(|f| f.name == name)
            .map_or(name, |f| f.label.as_str());
        return (label.to_owned(), value.to_owned());
    }
    let Some(field) = service.field(first) else {
        return (path.to_owned(), value.to_owned());
    };
    if let Some(part) = parts.next() {
        let part_label = ADDRESS_PARTS
            .iter()
            .find(|(n, ..)| *n == part)
            .map_or(part, |(_, l, ..)| *l);
        return (format!("{} — {part_label}", field.label), value.to_owned());
    }
    let shown = match field.kind {
        FieldType::Boolean => if value == "true" { "Oui" } else { "Non" }.to_owned(),
        FieldType::Date => value
            .parse::<Date>()
            .map_or_else(|_| value.to_owned(), short_date),
        FieldType::Time => value.get(..5).unwrap_or(value).to_owned(),
        _ => field
            .options
            .iter()
            .find(|o| o.value == value)
            .map_or_else(|| value.to_owned(), |o| o.label.clone()),
    };
    (field.label.clone(), shown)
}

/// Rows with the same path (several choices) shown on one line.
fn items(service: &Service, rows: &[(String, String)], requester: bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for (path, value) in rows {
        if path.starts_with(&format!("{REQUESTER}/")) != requester {
            continue;
        }
        let (label, shown) = display_value(service, path, value);
        match out.last_mut() {
            Some((p, _, v)) if p == path => {
                v.push_str(", ");
                v.push_str(&shown);
            }
            _ => out.push((path.clone(), label, shown)),
        }
    }
    out.into_iter().map(|(_, l, v)| (l, v)).collect()
}

fn event_kind(action: &str) -> &'static str {
    match action {
        "submitted" => "submitted",
        "note" => "note",
        "answer" => "answer",
        "transfer" => "transfer",
        "ask-validation" | "validated" | "validation-refused" => "validation",
        "hold" | "resume" => "hold",
        _ => "step",
    }
}

fn who(frame: &Frame, e: &StoredEvent) -> String {
    if let Some(login) = e.actor.strip_prefix("agent:") {
        return e.actor_name.clone().unwrap_or_else(|| login.to_owned());
    }
    if let Some(channel) = e.actor.strip_prefix("citizen:") {
        return format!(
            "{} ({})",
            frame.message("bo.who.citizen"),
            channel_label(frame, channel)
        );
    }
    frame.message("bo.who.system")
}

fn what(frame: &Frame, site: &Site, service: &Service, e: &StoredEvent) -> String {
    let department = e
        .department
        .as_deref()
        .map(|d| department_name(site, d))
        .unwrap_or_default();
    if let Some(text) = frame.message_opt(&format!("bo.what.{}", e.action)) {
        return frame.fill(&text, &[("department", &department)]);
    }
    // An action button of the step it was pressed in.
    e.from_step
        .as_deref()
        .and_then(|s| service.step(s))
        .and_then(|s| s.rules.actions.iter().find(|a| a.id == e.action))
        .map_or_else(|| e.action.clone(), |a| a.label.clone())
}

/// What the agent may do on the request page.
pub struct Commands<'a> {
    pub token: &'a str,
    pub acts: Vec<&'a workflow::Action>,
    pub answers: Option<Vec<&'a StandardAnswer>>,
    pub transfer: bool,
    pub ask_validation: bool,
    pub decide: bool,
    pub hold: bool,
    pub resume: bool,
    pub reopen: bool,
    pub note: bool,
}

impl Commands<'_> {
    fn any(&self) -> bool {
        !self.acts.is_empty()
            || self.answers.is_some()
            || self.transfer
            || self.ask_validation
            || self.decide
            || self.hold
            || self.resume
            || self.reopen
            || self.note
    }
}

/// What an agent may do to a request now (rights per department and role).
pub fn commands<'a>(
    service: &'a Service,
    item: &WorkItem,
    agent: &Agent,
    answers: &'a [StandardAnswer],
    token: &'a str,
) -> Commands<'a> {
    let s = &item.state;
    let dept = s.department.as_str();
    let handler = agent.can(dept, Role::Handler);
    Commands {
        token,
        acts: workflow::available_actions(service, s, agent),
        answers: handler.then(|| answers.iter().filter(|a| a.department == dept).collect()),
        transfer: handler && !s.finished,
        ask_validation: handler && !s.finished && s.validation.is_none(),
        decide: s
            .validation
            .as_ref()
            .is_some_and(|v| agent.can(&v.to, Role::Validator)),
        hold: handler && !s.finished && !s.waiting_for_citizen,
        resume: handler && s.waiting_for_citizen,
        reopen: handler && s.finished,
        note: agent.can(dept, Role::Reader),
    }
}

/// Messages sent or to send, with their state (request page, admin page).
fn deliveries(frame: &Frame, x: &mut Xml, name: &str, list: &[DeliveryRecord]) {
    if list.is_empty() {
        return;
    }
    x.open(name, &[]);
    for d in list {
        let reference = d.reference.map(|r| r.to_string()).unwrap_or_default();
        let href = format!("{}/backoffice/requests/{reference}", frame.base);
        let mut attrs = vec![("channel", d.channel.as_str()), ("state", d.state.as_str())];
        let attempts = d.attempts.to_string();
        attrs.push(("attempts", &attempts));
        if d.reference.is_some() {
            attrs.push(("reference", &reference));
            attrs.push(("href", &href));
        }
        x.open("delivery", &attrs);
        x.text("address", &[], &d.address);
        if let Some(subject) = &d.subject {
            x.text("subject", &[], subject);
        }
        x.text(
            "status",
            &[],
            &frame.message(&format!("bo.delivery.{}", d.state)),
        );
        if let Some(e) = &d.last_error {
            x.text("error", &[], e);
        }
        x.close("delivery");
    }
    x.close(name);
}

#[allow(clippy::too_many_arguments)]
pub fn request(
    frame: &Frame,
    site: &Site,
    b: &Bar,
    service: &Service,
    item: &WorkItem,
    commands: &Commands,
    notice: Option<(&str, &str)>,
    today: Date,
    sent: &[DeliveryRecord],
) -> String {
    let mut x = Xml::new();
    let reference = item.record.reference.to_string();
    frame.begin(
        &mut x,
        "bo-request",
        &frame.format("bo.request.title", &[("reference", &reference)]),
    );
    agent_bar(frame, &mut x, b);
    let s = &item.state;
    let tz = frame.tenant.time_zone.clone();
    let (late, _) = lateness(
        item.record.submitted_at.to_zoned(tz).date(),
        item.record.due_date,
        today,
        s.finished,
    );
    let state = if s.finished {
        "final"
    } else if s.waiting_for_citizen {
        "waiting"
    } else {
        "in-progress"
    };
    x.open(
        "request",
        &[
            ("reference", &reference),
            ("state", state),
            ("late", bool_str(late)),
            ("final", bool_str(s.finished)),
        ],
    );
    if let Some((kind, text)) = notice {
        x.text("notice", &[("kind", kind)], text);
    }
    x.text(
        "service",
        &[("code", &service.code)],
        service_title(service, frame.lang),
    );
    step_element(&mut x, Some(service), &s.step);
    x.text(
        "department",
        &[("code", &s.department)],
        &department_name(site, &s.department),
    );
    x.text(
        "channel",
        &[("code", &item.record.channel)],
        &channel_label(frame, &item.record.channel),
    );
    let (received, received_iso) = date_time(frame, item.record.submitted_at);
    x.text("received", &[("date", &received_iso)], &received);
    x.text(
        "due",
        &[("date", &item.record.due_date.to_string())],
        &frame.date(item.record.due_date),
    );
    if s.waiting_for_citizen {
        x.empty("waiting", &[]);
    }
    if let Some(v) = &s.validation {
        x.open("validation", &[]);
        x.text("from", &[], &department_name(site, &v.from));
        x.text("to", &[], &department_name(site, &v.to));
        x.text("answer", &[], &v.answer);
        x.close("validation");
    }
    for (name, requester) in [("requester", true), ("fields", false)] {
        x.open(name, &[]);
        for (label, value) in items(service, &item.rows, requester) {
            x.text("item", &[("label", &label)], &value);
        }
        x.close(name);
    }
    x.open("history", &[]);
    for e in &item.events {
        let (when, iso) = date_time(frame, e.at);
        x.open(
            "event",
            &[
                ("at", &iso),
                ("kind", event_kind(&e.action)),
                ("visible", bool_str(e.citizen_visible)),
            ],
        );
        x.text("when", &[], &when);
        x.text("who", &[], &who(frame, e));
        x.text("what", &[], &what(frame, site, service, e));
        if let (Some(from), Some(to)) = (&e.from_step, &e.to_step) {
            if from != to {
                x.open("move", &[]);
                let label = |id: &str| {
                    service
                        .step(id)
                        .map_or_else(|| id.to_owned(), |s| s.label.clone())
                };
                x.text("from", &[], &label(from));
                x.text("to", &[], &label(to));
                x.close("move");
            }
        }
        if let Some(c) = &e.comment {
            x.text("comment", &[], c);
        }
        x.close("event");
    }
    x.close("history");
    deliveries(frame, &mut x, "deliveries", sent);
    if commands.any() {
        let action = format!("{}/backoffice/requests/{reference}", frame.base);
        x.open(
            "commands",
            &[
                ("action", &action),
                ("token", commands.token),
                ("revision", &item.revision.to_string()),
            ],
        );
        for a in &commands.acts {
            x.text(
                "act",
                &[
                    ("id", &a.id),
                    (
                        "comment",
                        if a.comment_required {
                            "required"
                        } else {
                            "optional"
                        },
                    ),
                ],
                &a.label,
            );
        }
        if let Some(answers) = &commands.answers {
            x.open("answer", &[]);
            for a in answers {
                x.text(
                    "standard",
                    &[("id", &a.id.to_string()), ("title", &a.title)],
                    &a.text,
                );
            }
            x.close("answer");
        }
        let others = || {
            site.departments
                .iter()
                .filter(|d| d.code != s.department)
                .collect::<Vec<_>>()
        };
        for (name, shown) in [
            ("transfer", commands.transfer),
            ("ask-validation", commands.ask_validation),
        ] {
            if shown {
                x.open(name, &[]);
                for d in others() {
                    x.text("department", &[("code", &d.code)], &d.name);
                }
                x.close(name);
            }
        }
        for (name, shown) in [
            ("decide", commands.decide),
            ("hold", commands.hold),
            ("resume", commands.resume),
            ("reopen", commands.reopen),
            ("note", commands.note),
        ] {
            if shown {
                x.empty(name, &[]);
            }
        }
        x.close("commands");
    }
    x.close("request");
    x.close("page");
    x.finish()
}

/// An agent's form as typed, new or existing, with its errors.
#[derive(Default)]
pub struct AgentForm {
    pub login: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    /// `None` for a new agent (who is active).
    pub active: Option<bool>,
    pub grants: Vec<(String, Role)>,
    /// `(field, message)`
    pub errors: Vec<(&'static str, String)>,
}

impl AgentForm {
    /// The form of an existing agent, as stored.
    pub fn of(record: &crate::store::AgentRecord) -> AgentForm {
        AgentForm {
            login: record.agent.login.clone(),
            name: record.agent.name.clone(),
            email: record.email.clone().unwrap_or_default(),
            admin: record.agent.admin,
            active: Some(record.active),
            grants: record.agent.roles.clone(),
            errors: Vec::new(),
        }
    }
}

/// The departments and the roles an agent can be given in each.
fn grantable(frame: &Frame, site: &Site, x: &mut Xml) {
    x.open("departments", &[]);
    for d in &site.departments {
        x.text("department", &[("code", &d.code)], &d.name);
    }
    x.close("departments");
    x.open("roles", &[]);
    for r in [Role::Reader, Role::Handler, Role::Validator] {
        x.text(
            "role",
            &[("code", r.as_str())],
            &frame.message(&format!("bo.role.{}", r.as_str())),
        );
    }
    x.close("roles");
}

fn agent_form(x: &mut Xml, form: &AgentForm) {
    let mut attrs = vec![
        ("login", form.login.as_str()),
        ("name", form.name.as_str()),
        ("email", form.email.as_str()),
        ("admin", bool_str(form.admin)),
    ];
    if let Some(active) = form.active {
        attrs.push(("active", bool_str(active)));
    }
    x.open("agent-form", &attrs);
    for (field, message) in &form.errors {
        x.text("error", &[("field", field)], message);
    }
    for (d, r) in &form.grants {
        x.empty("grant", &[("department", d), ("role", r.as_str())]);
    }
    x.close("agent-form");
}

/// What the admin page lists.
pub struct AdminLists<'a> {
    pub agents: &'a [crate::store::AgentRecord],
    /// With their heads.
    pub departments: &'a [crate::store::Department],
    /// Messages given up.
    pub failures: &'a [DeliveryRecord],
    pub answers: &'a [StandardAnswer],
    /// `(channel, count)`: messages waiting because the channel has nowhere
    /// to send to.
    pub unsent: &'a [(String, u64)],
}

pub fn admin(
    frame: &Frame,
    site: &Site,
    b: &Bar,
    lists: &AdminLists,
    form: &AgentForm,
    notice: Option<(&str, &str)>,
) -> String {
    let agents = lists.agents;
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-admin", &frame.message("bo.admin.title"));
    agent_bar(frame, &mut x, b);
    let action = format!("{}/backoffice/admin/agents", frame.base);
    let retry = format!("{}/backoffice/admin/deliveries", frame.base);
    let templates = format!("{}/backoffice/admin/templates", frame.base);
    let test = format!("{}/backoffice/admin/test-message", frame.base);
    let settings = format!("{}/backoffice/admin/settings", frame.base);
    let mut attrs = vec![
        ("action", action.as_str()),
        ("token", b.token),
        ("retry", retry.as_str()),
        ("templates", templates.as_str()),
        ("test", test.as_str()),
        ("settings", settings.as_str()),
    ];
    let own_email = agents
        .iter()
        .find(|a| a.agent.login == b.agent.login)
        .and_then(|a| a.email.as_deref());
    if let Some(email) = own_email {
        attrs.push(("test-email", email));
    }
    x.open("admin", &attrs);
    if let Some((kind, text)) = notice {
        x.text("notice", &[("kind", kind)], text);
    }
    for (channel, count) in lists.unsent {
        x.text(
            "unsent",
            &[("channel", channel)],
            &frame.format(
                &format!("bo.admin.unsent.{channel}"),
                &[("count", &count.to_string())],
            ),
        );
    }
    grantable(frame, site, &mut x);
    x.open("agents", &[]);
    for a in agents {
        let href = format!("{action}/{}", a.agent.login);
        x.open(
            "agent",
            &[
                ("login", &a.agent.login),
                ("admin", bool_str(a.agent.admin)),
                ("active", bool_str(a.active)),
                ("href", &href),
            ],
        );
        x.text("name", &[], &a.agent.name);
        if let Some(e) = &a.email {
            x.text("email", &[], e);
        }
        for (d, r) in &a.agent.roles {
            let text = format!(
                "{} : {}",
                department_name(site, d),
                frame.message(&format!("bo.role.{}", r.as_str()))
            );
            x.text("role", &[("department", d), ("role", r.as_str())], &text);
        }
        x.close("agent");
    }
    x.close("agents");
    let heads_action = format!("{}/backoffice/admin/departments", frame.base);
    x.open("heads", &[("action", &heads_action)]);
    for d in &site.departments {
        let head = lists
            .departments
            .iter()
            .find(|s| s.code == d.code)
            .and_then(|s| s.head.as_deref());
        let mut attrs = vec![("code", d.code.as_str())];
        if let Some(head) = head {
            attrs.push(("head", head));
        }
        x.text("department", &attrs, &d.name);
    }
    x.close("heads");
    let answers = format!("{}/backoffice/admin/answers", frame.base);
    let new = format!("{answers}/new");
    x.open("answers", &[("new", &new)]);
    for a in lists.answers {
        let href = format!("{answers}/{}", a.id);
        x.open(
            "answer",
            &[
                ("id", &a.id.to_string()),
                ("department", &a.department),
                ("href", &href),
            ],
        );
        x.text(
            "department-name",
            &[],
            &department_name(site, &a.department),
        );
        x.text("title", &[], &a.title);
        x.text("text", &[], &a.text);
        x.close("answer");
    }
    x.close("answers");
    deliveries(frame, &mut x, "failures", lists.failures);
    agent_form(&mut x, form);
    x.close("admin");
    x.close("page");
    x.finish()
}

/// One agent's account, to change. `own`: the agent looking at it.
pub fn agent_edit(frame: &Frame, site: &Site, b: &Bar, form: &AgentForm, own: bool) -> String {
    let mut x = Xml::new();
    let title = frame.format("bo.agent.title", &[("login", &form.login)]);
    frame.begin(&mut x, "bo-agent", &title);
    agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin", frame.base);
    let action = format!("{back}/agents/{}", form.login);
    x.open(
        "agent-edit",
        &[
            ("action", &action),
            ("token", b.token),
            ("back", &back),
            ("own", bool_str(own)),
        ],
    );
    grantable(frame, site, &mut x);
    agent_form(&mut x, form);
    x.close("agent-edit");
    x.close("page");
    x.finish()
}

/// A standard answer's form as typed, with its errors.
#[derive(Default)]
pub struct AnswerForm {
    /// `None` for a new answer.
    pub id: Option<i64>,
    pub department: String,
    pub title: String,
    pub text: String,
    /// `(field, message)`
    pub errors: Vec<(&'static str, String)>,
}

/// A standard answer to write or change (administrators).
pub fn answer_edit(frame: &Frame, site: &Site, b: &Bar, form: &AnswerForm) -> String {
    let mut x = Xml::new();
    let title = match form.id {
        Some(_) => frame.message("bo.answer.title-change"),
        None => frame.message("bo.answer.title-new"),
    };
    frame.begin(&mut x, "bo-answer", &title);
    agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin", frame.base);
    let action = match form.id {
        Some(id) => format!("{back}/answers/{id}"),
        None => format!("{back}/answers/new"),
    };
    x.open(
        "answer-edit",
        &[("action", &action), ("token", b.token), ("back", &back)],
    );
    x.open("departments", &[]);
    for d in &site.departments {
        x.text("department", &[("code", &d.code)], &d.name);
    }
    x.close("departments");
    let id = form.id.map(|i| i.to_string());
    let mut attrs = vec![
        ("department", form.department.as_str()),
        ("title", form.title.as_str()),
    ];
    if let Some(id) = &id {
        attrs.push(("id", id));
    }
    x.open("answer-form", &attrs);
    for (field, message) in &form.errors {
        x.text("error", &[("field", field)], message);
    }
    x.text("text", &[], &form.text);
    x.close("answer-form");
    x.close("answer-edit");
    x.close("page");
    x.finish()
}
