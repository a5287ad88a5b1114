//! A [`Service`] written back as a definition file: what the service editor
//! saves and what a town's export gives once the editor has touched it.
//!
//! The file is the canonical form of the definition: elements in the order
//! of `xsd/service-definition.xsd`, defaults written out where the reader
//! would otherwise apply them (a rule's code, an action's roles), two spaces
//! of indentation. Reading it back gives the same service (tested over every
//! library definition); comments and layout of a hand-written file are not
//! kept, which is why an untouched library service is exported as its file.

use super::calendar::DayCount;
use super::catalogue::{DEFINITION_NS, Field, Rule, RuleKind, Service, Step, StepKind};
use super::steps::{Automatic, Role};
use crate::xml::{escape, escape_text};
use std::fmt::Write;

/// The definition file of `service`.
pub fn write(service: &Service) -> String {
    let mut x = String::with_capacity(8 * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<service xmlns=\"{DEFINITION_NS}\" code=\"{}\" version=\"{}\">",
        escape(&service.code),
        service.version
    );
    line(&mut x, 1, &element("title", &[], &service.title));
    if let Some(en) = &service.title_en {
        line(&mut x, 1, &element("title", &[("lang", "en")], en));
    }
    line(
        &mut x,
        1,
        &element(
            "theme",
            &[("code", &service.theme.code)],
            &service.theme.label,
        ),
    );
    line(
        &mut x,
        1,
        &element(
            "department",
            &[("code", &service.department.code)],
            &service.department.name,
        ),
    );
    line(&mut x, 1, &element("operation", &[], &service.operation));
    let days = service.deadline_days.to_string();
    let mut deadline = vec![("days", days.as_str())];
    if service.deadline_count == DayCount::Working {
        deadline.push(("count", DayCount::Working.as_str()));
    }
    line(&mut x, 1, &empty("deadline", &deadline));
    if !service.description.is_empty() {
        line(
            &mut x,
            1,
            &element("description", &[], &service.description),
        );
    }
    line(&mut x, 1, "<form>");
    for field in &service.fields {
        write_field(&mut x, field);
    }
    line(&mut x, 1, "</form>");
    if !service.rules.is_empty() {
        line(&mut x, 1, "<rules>");
        for rule in &service.rules {
            write_rule(&mut x, rule);
        }
        line(&mut x, 1, "</rules>");
    }
    line(&mut x, 1, "<workflow>");
    for step in &service.steps {
        write_step(&mut x, step);
    }
    line(&mut x, 1, "</workflow>");
    x.push_str("</service>\n");
    x
}

fn write_field(x: &mut String, field: &Field) {
    let f = &field.facets;
    let numbers: Vec<(&str, String)> = [
        ("minLength", f.min_length),
        ("maxLength", f.max_length),
        ("length", f.length),
        ("fractionDigits", f.fraction_digits.map(|d| d as usize)),
        ("minItems", f.min_items),
        ("maxItems", f.max_items),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.map(|v| (name, v.to_string())))
    .collect();
    let mut attrs: Vec<(&str, &str)> = vec![("name", &field.name), ("type", field.kind.name())];
    if field.required {
        attrs.push(("required", "true"));
    }
    for (name, value) in &numbers {
        attrs.push((name, value));
    }
    if let Some(p) = &f.pattern {
        attrs.push(("pattern", &p.source));
    }
    if let Some(min) = &f.min {
        attrs.push(("min", min));
    }
    if let Some(max) = &f.max {
        attrs.push(("max", max));
    }
    line(x, 2, &open("field", &attrs));
    line(x, 3, &element("label", &[], &field.label));
    if let Some(help) = &field.help {
        line(x, 3, &element("help", &[], help));
    }
    if let Some(message) = &f.pattern_message {
        line(x, 3, &element("patternMessage", &[], message));
    }
    for o in &field.options {
        line(x, 3, &element("option", &[("value", &o.value)], &o.label));
    }
    line(x, 2, "</field>");
}

fn write_rule(x: &mut String, rule: &Rule) {
    let (name, mut attrs): (&str, Vec<(&str, String)>) = match &rule.kind {
        RuleKind::Past { field } => ("past", vec![("field", field.clone())]),
        RuleKind::NotBefore { field, days } => (
            "notBefore",
            vec![("field", field.clone()), ("days", days.to_string())],
        ),
        RuleKind::After { field, than } => (
            "after",
            vec![("field", field.clone()), ("than", than.clone())],
        ),
        RuleKind::RequiredIf {
            field,
            when,
            equals,
        } => (
            "requiredIf",
            vec![
                ("field", field.clone()),
                ("when", when.clone()),
                ("equals", equals.clone()),
            ],
        ),
        RuleKind::AtLeastOne { fields } => ("atLeastOne", vec![("fields", fields.join(" "))]),
    };
    attrs.insert(0, ("code", rule.code.clone()));
    let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match &rule.message {
        Some(message) => {
            line(x, 2, &open(name, &attrs));
            line(x, 3, &element("message", &[], message));
            line(x, 2, &format!("</{name}>"));
        }
        None => line(x, 2, &empty(name, &attrs)),
    }
}

fn write_step(x: &mut String, step: &Step) {
    let r = &step.rules;
    let mut attrs: Vec<(&str, &str)> = vec![("id", &step.id)];
    if step.kind != StepKind::Agent {
        attrs.push(("kind", step.kind.name()));
    }
    if let Some(d) = &r.department {
        attrs.push(("department", d));
    }
    if let Some(c) = &r.colour {
        attrs.push(("colour", c));
    }
    attrs.push(("label", &step.label));
    if let Some(c) = &step.citizen_label {
        attrs.push(("citizen", c));
    }
    if r.on_enter.is_empty() && r.actions.is_empty() && r.timeouts.is_empty() {
        line(x, 2, &empty("step", &attrs));
        return;
    }
    line(x, 2, &open("step", &attrs));
    if !r.on_enter.is_empty() {
        line(x, 3, "<onEnter>");
        for effect in &r.on_enter {
            let e = match effect {
                Automatic::Assign { department } => empty("assign", &[("department", department)]),
                Automatic::Jump { to } => empty("jump", &[("to", to)]),
                Automatic::Message { template } => empty("message", &[("template", template)]),
                Automatic::Export => empty("export", &[]),
            };
            line(x, 4, &e);
        }
        line(x, 3, "</onEnter>");
    }
    for a in &r.actions {
        let roles: Vec<&str> = a.roles.iter().map(|r| Role::as_str(*r)).collect();
        let roles = roles.join(" ");
        let mut attrs: Vec<(&str, &str)> = vec![
            ("id", &a.id),
            ("label", &a.label),
            ("to", &a.to),
            ("roles", &roles),
        ];
        if a.comment_required {
            attrs.push(("comment", "required"));
        }
        if let Some(m) = &a.message {
            attrs.push(("message", m));
        }
        line(x, 3, &empty("action", &attrs));
    }
    for t in &r.timeouts {
        let days = t.days.to_string();
        let mut attrs: Vec<(&str, &str)> = vec![("days", &days)];
        if t.since_creation {
            attrs.push(("since", "created"));
        }
        attrs.push(("to", &t.to));
        line(x, 3, &empty("timeout", &attrs));
    }
    line(x, 2, "</step>");
}

fn line(x: &mut String, depth: usize, text: &str) {
    for _ in 0..depth {
        x.push_str("  ");
    }
    x.push_str(text);
    x.push('\n');
}

fn attributes(attrs: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (k, v) in attrs {
        let _ = write!(s, " {k}=\"{}\"", escape(v));
    }
    s
}

fn open(name: &str, attrs: &[(&str, &str)]) -> String {
    format!("<{name}{}>", attributes(attrs))
}

fn empty(name: &str, attrs: &[(&str, &str)]) -> String {
    format!("<{name}{}/>", attributes(attrs))
}

fn element(name: &str, attrs: &[(&str, &str)], text: &str) -> String {
    format!(
        "<{name}{}>{}</{name}>",
        attributes(attrs),
        escape_text(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_definition_reads_back_the_same_from_its_written_form() {
        for (path, text) in crate::core::builtin::DEFINITIONS {
            let service = Service::from_xml(text).unwrap();
            let written = write(&service);
            let again = Service::from_xml(&written)
                .unwrap_or_else(|e| panic!("{path}: the written form is refused: {e}\n{written}"));
            assert_eq!(again, service, "{path}: the same service in meaning");
            assert_eq!(write(&again), written, "{path}: the written form is stable");
        }
    }

    #[test]
    fn text_is_escaped_and_defaults_are_written_out() {
        let mut service = Service::from_xml(crate::core::builtin::DEFINITIONS[0].1).unwrap();
        service.title = "Actes & « copies » <urgent>".into();
        service.steps[0].label = "Reçue \"vite\"".into();
        let written = write(&service);
        assert!(written.contains("<title>Actes &amp; « copies » &lt;urgent&gt;</title>"));
        assert!(written.contains("label=\"Reçue &quot;vite&quot;\""));
        assert!(written.contains("roles=\""), "roles are explicit");
        let again = Service::from_xml(&written).unwrap();
        assert_eq!(again.title, service.title);
        assert_eq!(again.steps[0].label, service.steps[0].label);
    }
}
