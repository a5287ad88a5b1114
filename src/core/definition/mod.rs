//! Service definition files, read and written: the file's Rust types are
//! generated from `xsd/service-definition.xsd` ([`types`], by
//! `tests/definition_types.rs` with xsd-parser) and read and written by
//! quick-xml's serde support; this module turns them into the domain's
//! [`Service`] and back, with the checks the schema cannot make (names used
//! once, rules on fields that exist and fit, steps that exist, no loop of
//! automatic jumps).
//!
//! A written file is the canonical form of the definition: elements in the
//! schema's order, defaults written out, two spaces of indentation. Reading
//! it back gives the same service (tested over every library definition);
//! comments and layout of a hand-written file are not kept, which is why an
//! untouched library service is exported as its file.

#[rustfmt::skip]
pub mod types;

use super::agenda::{self, Hours};
use super::calendar::DayCount;
use super::catalogue::{
    Appointment, Booking, ChoiceOption, Computed, Condition, DEFINITION_NS, DefinitionError,
    Department, Facets, Field, FieldType, LegalBasis, Page, Pattern, Privacy, RequesterKind, Rule,
    RuleKind, Service, Silence, Simulation, Step, StepKind, Theme, Unanswered, Until, check_code,
    check_rule, check_workflow, is_hex_colour, is_xml_name,
};
use super::files::{FileKind, FileRule};
use super::formula::Formula;
use super::steps::{Action, Automatic, CallBody, Problem, Role, StepRules, Timeout, fail};
use serde::Serialize;
use types as t;

/// The step standing for a simulation's workflow (it has none).
const SIMULATION_STEP: &str = "simulation";

/// Reads and checks a definition file. The text goes first through
/// Guichet's own XML reader (no DTD, no entity, bounded size) and must have
/// `{urn:guichet:service-definition:1}service` for root.
pub fn read(text: &str) -> Result<Service, DefinitionError> {
    let root =
        crate::xml::parse(text, crate::xml::Limits::default()).map_err(|e| DefinitionError {
            service: "?".into(),
            message: e.to_string(),
        })?;
    let code = root.attr("code").unwrap_or("?").to_owned();
    let err = |message: String| DefinitionError {
        service: code.clone(),
        message,
    };
    if !root.is(DEFINITION_NS, "service") {
        return Err(err(format!(
            "root element must be {{{DEFINITION_NS}}}service, found {}",
            root.qualified_name()
        )));
    }
    let doc: t::Service = quick_xml::de::from_str(text).map_err(|e| {
        err(format!(
            "the file does not follow xsd/service-definition.xsd: {e}"
        ))
    })?;
    from_document(doc).map_err(|p| err(p.0))
}

/// The definition file of `service`.
pub fn write(service: &Service) -> String {
    let doc = to_document(service);
    let mut body = String::with_capacity(8 * 1024);
    let mut serializer = quick_xml::se::Serializer::with_root(&mut body, Some("service"))
        .expect("\"service\" is an element name");
    serializer.indent(' ', 2);
    doc.serialize(serializer)
        .expect("a definition's types always serialize");
    // The generated types carry no namespace: the root declares it.
    let body = body.replacen(
        "<service ",
        &format!("<service xmlns=\"{DEFINITION_NS}\" "),
        1,
    );
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}\n")
}

fn from_document(doc: t::Service) -> Result<Service, Problem> {
    check_code(&doc.code)?;
    let version = u32::try_from(doc.version)
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| Problem("attribute version must be a positive integer".into()))?;
    let title = doc
        .title
        .iter()
        .find(|t| t.lang == "fr")
        .map(|t| t.content.trim().to_owned())
        .ok_or_else(|| Problem("missing French <title>".into()))?;
    let title_en = doc
        .title
        .iter()
        .find(|t| t.lang == "en")
        .map(|t| t.content.trim().to_owned());
    let theme = Theme {
        code: doc.theme.code,
        label: doc.theme.content.trim().to_owned(),
    };
    check_code(&theme.code)?;
    let department = Department {
        code: doc.department.code,
        name: doc.department.content.trim().to_owned(),
    };
    check_code(&department.code)?;
    let operation = doc.operation.trim().to_owned();
    if !is_xml_name(&operation) || !operation.starts_with(|c: char| c.is_ascii_uppercase()) {
        return fail(format!(
            "operation {operation:?} must be an XML name starting with a capital letter"
        ));
    }
    let deadline_days = u32::try_from(doc.deadline.days)
        .map_err(|_| Problem("<deadline days=\"…\"> is too large".into()))?;
    let deadline_count = match doc.deadline.count {
        t::ServiceDeadlineCountType::Calendar => DayCount::Calendar,
        t::ServiceDeadlineCountType::Working => DayCount::Working,
    };
    let mut fields: Vec<Field> = Vec::new();
    let mut pages: Vec<Page> = Vec::new();
    for (i, item) in doc.form.content.into_iter().enumerate() {
        use t::ServiceFormElementTypeContent as C;
        let mut field = match item {
            C::Page(p) => {
                if i > 0 && pages.is_empty() {
                    return fail("a form with pages starts with a <page>".into());
                }
                let (title, title_en) = worded(&p.title);
                let title = title
                    .ok_or_else(|| Problem(format!("page {}: missing title", pages.len() + 1)))?;
                pages.push(Page { title, title_en });
                continue;
            }
            C::Field(f) => field(f)?,
            C::Group(g) => group(g)?,
        };
        if field.name == "requester" || fields.iter().any(|g| g.name == field.name) {
            return fail(format!("field name {:?} is used twice", field.name));
        }
        if let Some(when) = &field.when {
            check_condition(&field.name, when, &fields)?;
        }
        field.page = pages.len().saturating_sub(1);
        fields.push(field);
    }
    if fields.is_empty() {
        return fail("the form needs at least one field".into());
    }
    if !pages.is_empty() && fields.iter().any(|f| f.kind == FieldType::File) {
        return fail(
            "a form with pages asks no file (files are not carried from page to page)".into(),
        );
    }
    for (i, _) in pages.iter().enumerate() {
        if !fields.iter().any(|f| f.page == i) {
            return fail(format!("page {} has no field", i + 1));
        }
    }
    let requesters: Vec<RequesterKind> = match doc.requesters {
        None => vec![RequesterKind::Citizen],
        Some(list) => {
            let mut kinds = Vec::new();
            for k in list.0 {
                let kind = match k {
                    t::RequesterKindType::Citizen => RequesterKind::Citizen,
                    t::RequesterKindType::Association => RequesterKind::Association,
                    t::RequesterKindType::Business => RequesterKind::Business,
                };
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            if kinds.is_empty() {
                kinds.push(RequesterKind::Citizen);
            }
            kinds
        }
    };
    // A booking's and an appointment's fields: a date, times, a choice
    // for the resource; an appointment's may be conditional (all alike).
    let kind_of = |what: &str, name: &str, wanted: FieldType, conditional: bool| {
        let f = fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Problem(format!("<{what}>: no field {name:?}")))?;
        if f.kind != wanted || !f.required || (f.when.is_some() && !conditional) {
            return fail(format!(
                "<{what}>: field {name} must be a required {} field{}",
                wanted.name(),
                if conditional { "" } else { ", not conditional" }
            ));
        }
        Ok(f.when.clone())
    };
    let booking = doc
        .booking
        .map(|b| {
            if let Some(r) = &b.resource {
                kind_of("booking", r, FieldType::Choice, false)?;
            }
            kind_of("booking", &b.date, FieldType::Date, false)?;
            kind_of("booking", &b.start, FieldType::Time, false)?;
            kind_of("booking", &b.end, FieldType::Time, false)?;
            Ok::<_, Problem>(Booking {
                resource: b.resource,
                date: b.date,
                start: b.start,
                until: Until::Field(b.end),
            })
        })
        .transpose()?;
    let appointment = doc
        .appointment
        .map(|a| {
            let date_when = kind_of("appointment", &a.date, FieldType::Date, true)?;
            if kind_of("appointment", &a.time, FieldType::Time, true)? != date_when {
                return fail(format!(
                    "<appointment>: fields {} and {} are asked on the same condition",
                    a.date, a.time
                ));
            }
            if let Some(r) = &a.resource {
                kind_of("appointment", r, FieldType::Choice, true)?;
            }
            let minutes = u32::try_from(a.minutes)
                .ok()
                .filter(|m| (5..=480).contains(m))
                .ok_or_else(|| Problem("<appointment>: minutes between 5 and 480".into()))?;
            let desks = u32::try_from(a.desks)
                .ok()
                .filter(|d| (1..=50).contains(d))
                .ok_or_else(|| Problem("<appointment>: desks between 1 and 50".into()))?;
            let mut hours = Hours::closed();
            hours.desks = desks;
            for h in &a.hours {
                hours
                    .open(&h.days, &h.from, &h.to)
                    .map_err(|e| Problem(format!("<appointment><hours>: {e}")))?;
            }
            let agenda = a.agenda.unwrap_or_else(|| department.code.clone());
            check_code(&agenda)?;
            Ok::<_, Problem>(Booking {
                resource: a.resource,
                date: a.date,
                start: a.time,
                until: Until::Appointment(Box::new(Appointment {
                    minutes,
                    agenda,
                    hours,
                })),
            })
        })
        .transpose()?;
    if booking.is_some() && appointment.is_some() {
        return fail("a service has a <booking> or an <appointment>, not both".into());
    }
    let booking = booking.or(appointment);
    let simulation = doc
        .simulation
        .map(|sim| {
            let mut results: Vec<Computed> = Vec::new();
            for r in sim.result {
                let (label, label_en) = worded(&r.label);
                let label =
                    label.ok_or_else(|| Problem(format!("result {}: missing label", r.name)))?;
                if !is_xml_name(&r.name)
                    || fields.iter().any(|f| f.name == r.name)
                    || results.iter().any(|c| c.name == r.name)
                {
                    return fail(format!(
                        "result name {:?} must be an XML name used once",
                        r.name
                    ));
                }
                let known: Vec<&str> = fields
                    .iter()
                    .filter(|f| f.kind != FieldType::Group)
                    .map(|f| f.name.as_str())
                    .chain(results.iter().map(|c| c.name.as_str()))
                    .collect();
                let formula = Formula::parse(&r.formula, &known)
                    .map_err(|e| Problem(format!("result {}: {e}", r.name)))?;
                results.push(Computed {
                    name: r.name,
                    label,
                    label_en,
                    formula,
                    fraction_digits: u32::try_from(r.fraction_digits).unwrap_or(2).min(6),
                    unit: r.unit,
                });
            }
            Ok::<_, Problem>(Simulation {
                results,
                then: sim.continue_,
            })
        })
        .transpose()?;
    let mut rules = Vec::new();
    for r in doc.rules.map(|r| r.content).unwrap_or_default() {
        let rule = rule(r);
        check_rule(&rule, &fields)?;
        rules.push(rule);
    }
    let mut steps: Vec<Step> = Vec::new();
    let (written_steps, unanswered) = match doc.workflow {
        Some(w) => (w.step, w.unanswered),
        None if simulation.is_some() => (Vec::new(), None),
        None => return fail("the service needs a <workflow> (only a simulation has none)".into()),
    };
    for s in written_steps {
        let step = step(s)?;
        if steps.iter().any(|t| t.id == step.id) {
            return fail(format!("step id {:?} is used twice", step.id));
        }
        steps.push(step);
    }
    if steps.is_empty() && simulation.is_some() {
        // A simulation stores no request: one final step stands for its
        // workflow, so that every service has a first step.
        steps.push(Step {
            id: SIMULATION_STEP.into(),
            label: "Simulation".into(),
            citizen_label: None,
            citizen_label_en: None,
            kind: StepKind::Closed,
            rules: StepRules::default(),
        });
    }
    if steps.is_empty() {
        return fail("the workflow needs at least one step".into());
    }
    check_workflow(&steps)?;
    let unanswered = match unanswered {
        None => None,
        Some(u) => {
            if !steps.iter().any(|s| s.id == u.to) {
                return fail(format!("<unanswered to={:?}>: no such step", u.to));
            }
            let days = u32::try_from(u.days)
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    Problem(format!(
                        "<unanswered days={}>: between 1 and 3650 days",
                        u.days
                    ))
                })?;
            Some(Unanswered { days, to: u.to })
        }
    };
    let silence = match doc.deadline.silence {
        None => None,
        Some(kind) => {
            let accepts = kind == t::ServiceDeadlineSilenceType::Acceptance;
            let wanted = if accepts {
                StepKind::Accepted
            } else {
                StepKind::Refused
            };
            let to = match doc.deadline.then {
                Some(to) => {
                    let step = steps.iter().find(|s| s.id == to).ok_or_else(|| {
                        Problem(format!("<deadline then={to:?}>: no such step"))
                    })?;
                    if !step.kind.is_final() {
                        return fail(format!(
                            "<deadline then={to:?}>: the step the silence leads to must be final"
                        ));
                    }
                    to
                }
                None => steps
                    .iter()
                    .find(|s| s.kind == wanted)
                    .map(|s| s.id.clone())
                    .ok_or_else(|| {
                        Problem(format!(
                            "<deadline silence=…>: the workflow needs a step of kind {:?} (or say which with then=…)",
                            wanted.name()
                        ))
                    })?,
            };
            Some(Silence { accepts, to })
        }
    };
    Ok(Service {
        silence,
        unanswered,
        requesters,
        pages,
        booking,
        simulation,
        code: doc.code,
        version,
        theme,
        title,
        title_en,
        privacy: privacy(doc.privacy)?,
        description: doc
            .description
            .map(|d| d.trim().to_owned())
            .unwrap_or_default(),
        operation,
        department,
        deadline_days,
        deadline_count,
        fields,
        rules,
        steps,
    })
}

fn field(f: t::FieldType) -> Result<Field, Problem> {
    let name = f.name;
    if !is_xml_name(&name) {
        return fail(format!("field name {name:?} is not an XML name"));
    }
    let kind = field_kind(&f.type_);
    let (label, label_en) = worded(&f.label);
    let Some(label) = label else {
        return fail(format!("field {name}: missing <label>"));
    };
    let (help, help_en) = worded(&f.help);
    let pattern = f
        .pattern
        .as_deref()
        .map(|p| Pattern::new(p).map_err(|e| Problem(format!("field {name}: bad pattern: {e}"))))
        .transpose()?;
    let facets = Facets {
        min_length: f.min_length,
        max_length: f.max_length,
        length: f.length,
        pattern,
        pattern_message: f.pattern_message.map(|m| m.trim().to_owned()),
        min: f.min.map(|m| m.trim().to_owned()),
        max: f.max.map(|m| m.trim().to_owned()),
        fraction_digits: f.fraction_digits.map(|d| d as u32),
        min_items: f.min_items,
        max_items: f.max_items,
    };
    for bound in [&facets.min, &facets.max].into_iter().flatten() {
        let ok = match kind {
            FieldType::Integer => bound.parse::<i64>().is_ok(),
            FieldType::Decimal => bound.parse::<f64>().is_ok(),
            FieldType::Amount => bound.parse::<f64>().is_ok_and(|b| b >= 0.0),
            _ => false,
        };
        if !ok {
            return fail(format!(
                "field {name}: min/max {bound:?} does not fit type {}",
                kind.name()
            ));
        }
    }
    let options: Vec<ChoiceOption> = f
        .option
        .into_iter()
        .map(|o| ChoiceOption {
            value: o.value,
            label: o.content.trim().to_owned(),
            label_en: o.en.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()),
        })
        .collect();
    let is_choice = matches!(kind, FieldType::Choice | FieldType::MultipleChoice);
    if is_choice && options.is_empty() {
        return fail(format!("field {name}: a choice needs <option> elements"));
    }
    if !is_choice && !options.is_empty() {
        return fail(format!("field {name}: only choices take <option> elements"));
    }
    if options
        .iter()
        .any(|o| o.value.is_empty() || o.label.is_empty())
    {
        return fail(format!(
            "field {name}: every option needs a value and a label"
        ));
    }
    let file = file_rule(&name, kind, f.accept, f.max_kilobytes, f.remove_metadata)?;
    let mut facets = facets;
    if kind == FieldType::File {
        let n = facets.max_items.unwrap_or(1);
        if !(1..=FileRule::MAX_FILES).contains(&n) {
            return fail(format!(
                "field {name}: maxItems of a file field is between 1 and {}",
                FileRule::MAX_FILES
            ));
        }
    }
    if kind == FieldType::File && facets.max_items.is_none() {
        facets.max_items = Some(1);
    }
    Ok(Field {
        when: condition(f.when, f.equals),
        name,
        label,
        help,
        label_en,
        help_en,
        required: f.required,
        kind,
        facets,
        options,
        fields: Vec::new(),
        page: 0,
        file,
    })
}

/// What a file field accepts; its attributes on any other field are refused.
fn file_rule(
    name: &str,
    kind: FieldType,
    accept: Option<String>,
    max_kilobytes: Option<usize>,
    remove_metadata: bool,
) -> Result<FileRule, Problem> {
    let default = FileRule::default();
    if kind != FieldType::File {
        if accept.is_some() || max_kilobytes.is_some() || !remove_metadata {
            return fail(format!(
                "field {name}: accept, maxKilobytes and removeMetadata are for file fields"
            ));
        }
        return Ok(default);
    }
    let accept = match accept {
        None => default.accept,
        Some(list) => {
            let mut kinds = Vec::new();
            for word in list.split_whitespace() {
                let k = FileKind::from_name(word).ok_or_else(|| {
                    Problem(format!(
                        "field {name}: accept={word:?} is no file kind (pdf, jpeg, png, webp)"
                    ))
                })?;
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            if kinds.is_empty() {
                return fail(format!("field {name}: accept names no file kind"));
            }
            kinds
        }
    };
    let kilobytes = max_kilobytes.map_or(FileRule::DEFAULT_KILOBYTES, |k| k as u64);
    if !(1..=FileRule::MAX_KILOBYTES).contains(&kilobytes) {
        return fail(format!(
            "field {name}: maxKilobytes is between 1 and {}",
            FileRule::MAX_KILOBYTES
        ));
    }
    Ok(FileRule {
        accept,
        max_bytes: kilobytes * 1024,
        remove_metadata,
    })
}

/// The French wording (no `lang`, or `fr`) and the English one of a
/// repeated element, trimmed; an empty one counts as none.
fn worded(items: &[t::WordedType]) -> (Option<String>, Option<String>) {
    let pick = |lang: &str| {
        items
            .iter()
            .find(|w| w.lang == lang)
            .map(|w| w.content.trim().to_owned())
            .filter(|w| !w.is_empty())
    };
    (pick("fr"), pick("en"))
}

fn condition(when: Option<String>, equals: Option<t::ValuesType>) -> Option<Condition> {
    when.map(|field| Condition {
        field,
        values: equals.map(|v| v.0).unwrap_or_default(),
    })
}

/// A condition names an earlier field of the form, not inside a group, and
/// values it can take.
fn check_condition(name: &str, when: &Condition, before: &[Field]) -> Result<(), Problem> {
    let Some(on) = before.iter().find(|f| f.name == when.field) else {
        return fail(format!(
            "field {name}: when={:?} must name an earlier field of the form",
            when.field
        ));
    };
    if when.values.is_empty() {
        return fail(format!("field {name}: when=… needs equals=\"…\""));
    }
    for v in &when.values {
        let fits = match on.kind {
            FieldType::Boolean => v == "true" || v == "false",
            FieldType::Choice | FieldType::MultipleChoice => {
                on.options.iter().any(|o| &o.value == v)
            }
            FieldType::Group | FieldType::Address => false,
            _ => true,
        };
        if !fits {
            return fail(format!(
                "field {name}: {:?} is not a value field {} can take",
                v, on.name
            ));
        }
    }
    Ok(())
}

fn group(g: t::GroupType) -> Result<Field, Problem> {
    let name = g.name;
    if !is_xml_name(&name) {
        return fail(format!("group name {name:?} is not an XML name"));
    }
    let (label, label_en) = worded(&g.label);
    let Some(label) = label else {
        return fail(format!("group {name}: missing <label>"));
    };
    let (help, help_en) = worded(&g.help);
    if g.min_occurs > g.max_occurs {
        return fail(format!("group {name}: minOccurs is above maxOccurs"));
    }
    let mut fields: Vec<Field> = Vec::new();
    for f in g.field {
        let field = field(f)?;
        if field.kind == FieldType::File {
            return fail(format!(
                "group {name}: field {}: files are asked outside groups",
                field.name
            ));
        }
        if fields.iter().any(|g| g.name == field.name) {
            return fail(format!(
                "group {name}: field name {:?} is used twice",
                field.name
            ));
        }
        if let Some(when) = &field.when {
            check_condition(&field.name, when, &fields)
                .map_err(|p| Problem(format!("group {name}: {}", p.0)))?;
        }
        fields.push(field);
    }
    if fields.is_empty() {
        return fail(format!("group {name}: a group needs fields"));
    }
    Ok(Field {
        when: condition(g.when, g.equals),
        name,
        label,
        help,
        label_en,
        help_en,
        required: g.min_occurs > 0,
        kind: FieldType::Group,
        facets: Facets {
            min_items: Some(g.min_occurs),
            max_items: Some(g.max_occurs),
            ..Facets::default()
        },
        options: Vec::new(),
        fields,
        page: 0,
        file: FileRule::default(),
    })
}

fn rule(r: t::ServiceRulesElementTypeContent) -> Rule {
    use t::ServiceRulesElementTypeContent as R;
    let (kind, code, message) = match r {
        R::Past(r) => (RuleKind::Past { field: r.field }, r.code, r.message),
        R::NotBefore(r) => (
            RuleKind::NotBefore {
                field: r.field,
                days: i64::from(r.days),
            },
            r.code,
            r.message,
        ),
        R::After(r) => (
            RuleKind::After {
                field: r.field,
                than: r.than,
            },
            r.code,
            r.message,
        ),
        R::RequiredIf(r) => (
            RuleKind::RequiredIf {
                field: r.field,
                when: r.when,
                equals: r.equals,
            },
            r.code,
            r.message,
        ),
        R::AtLeastOne(r) => (
            RuleKind::AtLeastOne { fields: r.fields.0 },
            r.code,
            r.message,
        ),
    };
    Rule {
        code: code.unwrap_or_else(|| kind.default_code().to_owned()),
        kind,
        message: message.map(|m| m.trim().to_owned()),
    }
}

fn step(s: t::ServiceWorkflowStepElementType) -> Result<Step, Problem> {
    let id = s.id;
    check_code(&id)?;
    let label = s.label.trim().to_owned();
    if label.is_empty() {
        return fail(format!("step {id:?} has no label"));
    }
    if let Some(colour) = &s.colour {
        if !is_hex_colour(colour) {
            return fail(format!(
                "step {id}: colour {colour:?} must be #rgb or #rrggbb"
            ));
        }
    }
    let on_enter = s
        .on_enter
        .map(|o| o.content)
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            use t::ServiceWorkflowStepOnEnterElementTypeContent as E;
            match e {
                E::Assign(a) => Automatic::Assign {
                    department: a.department,
                },
                E::Jump(j) => Automatic::Jump { to: j.to },
                E::Message(m) => Automatic::Message {
                    template: m.template,
                },
                E::Export(_) => Automatic::Export,
                E::Call(c) => Automatic::Call {
                    target: c.target,
                    body: match c.body {
                        t::ServiceWorkflowStepOnEnterCallBodyType::Json => CallBody::Json,
                        t::ServiceWorkflowStepOnEnterCallBodyType::File => CallBody::File,
                    },
                    answers: c.on.into_iter().map(|o| (o.answer, o.to)).collect(),
                },
            }
        })
        .collect();
    let actions = s
        .action
        .into_iter()
        .map(|a| Action {
            id: a.id,
            label: a.label,
            roles: match a.roles {
                Some(roles) => roles.0.iter().map(role).collect(),
                None => vec![Role::Handler],
            },
            to: a.to,
            comment_required: a.comment == t::ServiceWorkflowStepActionCommentType::Required,
            message: a.message,
        })
        .collect();
    let timeouts = s
        .timeout
        .into_iter()
        .map(|o| {
            Ok(Timeout {
                days: u32::try_from(o.days)
                    .map_err(|_| Problem(format!("step {id}: a timeout is too long")))?,
                since_creation: o.since == t::ServiceWorkflowStepTimeoutSinceType::Created,
                to: o.to,
            })
        })
        .collect::<Result<_, Problem>>()?;
    Ok(Step {
        label,
        citizen_label: s.citizen,
        citizen_label_en: s.citizen_en,
        kind: step_kind(&s.kind),
        rules: StepRules {
            department: s.department,
            colour: s.colour,
            actions,
            on_enter,
            timeouts,
        },
        id,
    })
}

fn role(r: &t::ServiceItemType) -> Role {
    match r {
        t::ServiceItemType::Reader => Role::Reader,
        t::ServiceItemType::Handler => Role::Handler,
        t::ServiceItemType::Validator => Role::Validator,
    }
}

fn field_kind(k: &t::FieldKindType) -> FieldType {
    use t::FieldKindType as K;
    match k {
        K::Text => FieldType::Text,
        K::LongText => FieldType::LongText,
        K::Email => FieldType::Email,
        K::Phone => FieldType::Phone,
        K::PostalCode => FieldType::PostalCode,
        K::Date => FieldType::Date,
        K::Time => FieldType::Time,
        K::Integer => FieldType::Integer,
        K::Decimal => FieldType::Decimal,
        K::Boolean => FieldType::Boolean,
        K::Choice => FieldType::Choice,
        K::MultipleChoice => FieldType::MultipleChoice,
        K::Address => FieldType::Address,
        K::Siret => FieldType::Siret,
        K::Siren => FieldType::Siren,
        K::Iban => FieldType::Iban,
        K::Bic => FieldType::Bic,
        K::Amount => FieldType::Amount,
        K::Country => FieldType::Country,
        K::CadastralParcel => FieldType::CadastralParcel,
        K::PartialDate => FieldType::PartialDate,
        K::Commune => FieldType::Commune,
        K::File => FieldType::File,
    }
}

fn step_kind(k: &t::StepKindType) -> StepKind {
    use t::StepKindType as K;
    match k {
        K::Agent => StepKind::Agent,
        K::Citizen => StepKind::Citizen,
        K::Automatic => StepKind::Automatic,
        K::Accepted => StepKind::Accepted,
        K::Refused => StepKind::Refused,
        K::Closed => StepKind::Closed,
    }
}

// The domain back to the file's types.

fn privacy(p: Option<t::ServicePrivacyElementType>) -> Result<Privacy, Problem> {
    use t::ServicePrivacyLegalBasisType as B;
    let Some(p) = p else {
        return Ok(Privacy::default());
    };
    let text = |t: Option<String>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let anonymise_after_months = match p.anonymise_after_months {
        None => Privacy::DEFAULT_MONTHS,
        Some(m) => u16::try_from(m)
            .ok()
            .filter(|m| (1..=Privacy::MAX_MONTHS).contains(m))
            .ok_or_else(|| {
                Problem(format!(
                    "<privacy anonymiseAfterMonths={m}>: between 1 and {} months",
                    Privacy::MAX_MONTHS
                ))
            })?,
    };
    let files_deleted_after_months = match p.files_deleted_after_months {
        None => None,
        Some(m) => Some(
            u16::try_from(m)
                .ok()
                .filter(|m| (1..=anonymise_after_months).contains(m))
                .ok_or_else(|| {
                    Problem(format!(
                        "<privacy filesDeletedAfterMonths={m}>: between 1 and anonymiseAfterMonths ({anonymise_after_months}) months"
                    ))
                })?,
        ),
    };
    Ok(Privacy {
        anonymise_after_months,
        files_deleted_after_months,
        purpose: text(p.purpose),
        retention: text(p.retention),
        recipients: text(p.recipients),
        legal_basis: match p.legal_basis {
            B::PublicTask => LegalBasis::PublicTask,
            B::LegalObligation => LegalBasis::LegalObligation,
            B::Consent => LegalBasis::Consent,
            B::Contract => LegalBasis::Contract,
            B::VitalInterests => LegalBasis::VitalInterests,
            B::LegitimateInterests => LegalBasis::LegitimateInterests,
        },
    })
}

/// Written only when it says more than the defaults.
fn privacy_document(p: &Privacy) -> Option<t::ServicePrivacyElementType> {
    use t::ServicePrivacyLegalBasisType as B;
    (*p != Privacy::default()).then(|| t::ServicePrivacyElementType {
        anonymise_after_months: (p.anonymise_after_months != Privacy::DEFAULT_MONTHS)
            .then_some(usize::from(p.anonymise_after_months)),
        files_deleted_after_months: p.files_deleted_after_months.map(usize::from),
        legal_basis: match p.legal_basis {
            LegalBasis::PublicTask => B::PublicTask,
            LegalBasis::LegalObligation => B::LegalObligation,
            LegalBasis::Consent => B::Consent,
            LegalBasis::Contract => B::Contract,
            LegalBasis::VitalInterests => B::VitalInterests,
            LegalBasis::LegitimateInterests => B::LegitimateInterests,
        },
        purpose: p.purpose.clone(),
        retention: p.retention.clone(),
        recipients: p.recipients.clone(),
    })
}

fn to_document(s: &Service) -> t::Service {
    let mut title = vec![t::TitledType {
        lang: "fr".into(),
        content: s.title.clone(),
    }];
    if let Some(en) = &s.title_en {
        title.push(t::TitledType {
            lang: "en".into(),
            content: en.clone(),
        });
    }
    t::Service {
        code: s.code.clone(),
        version: s.version as usize,
        title,
        theme: t::CodedType {
            code: s.theme.code.clone(),
            content: s.theme.label.clone(),
        },
        department: t::CodedType {
            code: s.department.code.clone(),
            content: s.department.name.clone(),
        },
        operation: s.operation.clone(),
        deadline: t::ServiceDeadlineElementType {
            days: s.deadline_days as usize,
            count: match s.deadline_count {
                DayCount::Calendar => t::ServiceDeadlineCountType::Calendar,
                DayCount::Working => t::ServiceDeadlineCountType::Working,
            },
            silence: s.silence.as_ref().map(|silence| {
                if silence.accepts {
                    t::ServiceDeadlineSilenceType::Acceptance
                } else {
                    t::ServiceDeadlineSilenceType::Refusal
                }
            }),
            then: s.silence.as_ref().map(|silence| silence.to.clone()),
        },
        description: (!s.description.is_empty()).then(|| s.description.clone()),
        privacy: privacy_document(&s.privacy),
        requesters: (s.requesters != [RequesterKind::Citizen]).then(|| {
            t::RequesterKindList(
                s.requesters
                    .iter()
                    .map(|k| match k {
                        RequesterKind::Citizen => t::RequesterKindType::Citizen,
                        RequesterKind::Association => t::RequesterKindType::Association,
                        RequesterKind::Business => t::RequesterKindType::Business,
                    })
                    .collect(),
            )
        }),
        form: t::ServiceFormElementType {
            content: form_document(s),
        },
        rules: (!s.rules.is_empty()).then(|| t::ServiceRulesElementType {
            content: s.rules.iter().map(rule_document).collect(),
        }),
        booking: s.booking.as_ref().and_then(|b| match &b.until {
            Until::Field(end) => Some(t::ServiceBookingElementType {
                resource: b.resource.clone(),
                date: b.date.clone(),
                start: b.start.clone(),
                end: end.clone(),
            }),
            Until::Appointment(_) => None,
        }),
        appointment: s.booking.as_ref().and_then(|b| {
            let a = b.appointment()?;
            Some(t::ServiceAppointmentElementType {
                date: b.date.clone(),
                time: b.start.clone(),
                minutes: a.minutes as usize,
                agenda: (a.agenda != s.department.code).then(|| a.agenda.clone()),
                desks: a.hours.desks as usize,
                resource: b.resource.clone(),
                hours: hours_document(&a.hours),
            })
        }),
        simulation: s
            .simulation
            .as_ref()
            .map(|sim| t::ServiceSimulationElementType {
                continue_: sim.then.clone(),
                result: sim
                    .results
                    .iter()
                    .map(|r| t::ServiceSimulationResultElementType {
                        name: r.name.clone(),
                        formula: r.formula.source.clone(),
                        fraction_digits: r.fraction_digits as usize,
                        unit: r.unit.clone(),
                        label: wording(&r.label, r.label_en.as_deref()),
                    })
                    .collect(),
            }),
        workflow: (!(s.simulation.is_some()
            && s.steps.len() == 1
            && s.steps[0].id == SIMULATION_STEP))
            .then(|| t::ServiceWorkflowElementType {
                step: s.steps.iter().map(step_document).collect(),
                unanswered: s.unanswered.as_ref().map(|u| {
                    t::ServiceWorkflowUnansweredElementType {
                        days: u.days as usize,
                        to: u.to.clone(),
                    }
                }),
            }),
    }
}

/// A wording and its English one, as repeated elements (French without
/// `lang`... written out as `lang="fr"`, the default).
fn wording(fr: &str, en: Option<&str>) -> Vec<t::WordedType> {
    let mut out = vec![t::WordedType {
        lang: "fr".into(),
        content: fr.to_owned(),
    }];
    if let Some(en) = en {
        out.push(t::WordedType {
            lang: "en".into(),
            content: en.to_owned(),
        });
    }
    out
}

fn optional_wording(fr: Option<&str>, en: Option<&str>) -> Vec<t::WordedType> {
    match fr {
        Some(fr) => wording(fr, en),
        None => Vec::new(),
    }
}

fn condition_document(c: &Option<Condition>) -> (Option<String>, Option<t::ValuesType>) {
    match c {
        Some(c) => (Some(c.field.clone()), Some(t::ValuesType(c.values.clone()))),
        None => (None, None),
    }
}

/// The form's pages, fields and groups in order.
fn form_document(s: &Service) -> Vec<t::ServiceFormElementTypeContent> {
    use t::ServiceFormElementTypeContent as C;
    let mut out = Vec::new();
    let mut page = None;
    for f in &s.fields {
        if !s.pages.is_empty() && page != Some(f.page) {
            page = Some(f.page);
            if let Some(p) = s.pages.get(f.page) {
                out.push(C::Page(t::PageType {
                    title: wording(&p.title, p.title_en.as_deref()),
                }));
            }
        }
        if f.kind == FieldType::Group {
            let (when, equals) = condition_document(&f.when);
            out.push(C::Group(t::GroupType {
                name: f.name.clone(),
                min_occurs: f.facets.min_items.unwrap_or(0),
                max_occurs: f.facets.max_items.unwrap_or(1),
                when,
                equals,
                label: wording(&f.label, f.label_en.as_deref()),
                help: optional_wording(f.help.as_deref(), f.help_en.as_deref()),
                field: f.fields.iter().map(field_document).collect(),
            }));
        } else {
            out.push(C::Field(field_document(f)));
        }
    }
    out
}

fn field_document(f: &Field) -> t::FieldType {
    use t::FieldKindType as K;
    let kind = match f.kind {
        FieldType::Text => K::Text,
        FieldType::LongText => K::LongText,
        FieldType::Email => K::Email,
        FieldType::Phone => K::Phone,
        FieldType::PostalCode => K::PostalCode,
        FieldType::Date => K::Date,
        FieldType::Time => K::Time,
        FieldType::Integer => K::Integer,
        FieldType::Decimal => K::Decimal,
        FieldType::Boolean => K::Boolean,
        FieldType::Choice => K::Choice,
        FieldType::MultipleChoice => K::MultipleChoice,
        FieldType::Address => K::Address,
        FieldType::Siret => K::Siret,
        FieldType::Siren => K::Siren,
        FieldType::Iban => K::Iban,
        FieldType::Bic => K::Bic,
        FieldType::Amount => K::Amount,
        FieldType::Country => K::Country,
        FieldType::CadastralParcel => K::CadastralParcel,
        FieldType::PartialDate => K::PartialDate,
        FieldType::Commune => K::Commune,
        FieldType::File => K::File,
        // Groups are written by `form_document`.
        FieldType::Group => K::Text,
    };
    let x = &f.facets;
    let (when, equals) = condition_document(&f.when);
    t::FieldType {
        name: f.name.clone(),
        type_: kind,
        required: f.required,
        min_length: x.min_length,
        max_length: x.max_length,
        length: x.length,
        pattern: x.pattern.as_ref().map(|p| p.source.clone()),
        min: x.min.clone(),
        max: x.max.clone(),
        fraction_digits: x.fraction_digits.map(|d| d as usize),
        min_items: x.min_items,
        max_items: x.max_items,
        accept: (f.kind == FieldType::File && f.file.accept != FileRule::default().accept).then(
            || {
                f.file
                    .accept
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        ),
        max_kilobytes: (f.kind == FieldType::File
            && f.file.max_bytes != FileRule::default().max_bytes)
            .then_some((f.file.max_bytes / 1024) as usize),
        remove_metadata: f.file.remove_metadata,
        when,
        equals,
        label: wording(&f.label, f.label_en.as_deref()),
        help: optional_wording(f.help.as_deref(), f.help_en.as_deref()),
        pattern_message: x.pattern_message.clone(),
        option: f
            .options
            .iter()
            .map(|o| t::OptionType {
                value: o.value.clone(),
                en: o.label_en.clone(),
                content: o.label.clone(),
            })
            .collect(),
    }
}

fn rule_document(r: &Rule) -> t::ServiceRulesElementTypeContent {
    use t::ServiceRulesElementTypeContent as R;
    let code = Some(r.code.clone());
    let message = r.message.clone();
    match &r.kind {
        RuleKind::Past { field } => R::Past(t::FieldRuleType {
            code,
            field: field.clone(),
            message,
        }),
        RuleKind::NotBefore { field, days } => R::NotBefore(t::ServiceRulesNotBeforeElementType {
            code,
            field: field.clone(),
            days: i32::try_from(*days).unwrap_or(i32::MAX),
            message,
        }),
        RuleKind::After { field, than } => R::After(t::ServiceRulesAfterElementType {
            code,
            field: field.clone(),
            than: than.clone(),
            message,
        }),
        RuleKind::RequiredIf {
            field,
            when,
            equals,
        } => R::RequiredIf(t::ServiceRulesRequiredIfElementType {
            code,
            field: field.clone(),
            when: when.clone(),
            equals: equals.clone(),
            message,
        }),
        RuleKind::AtLeastOne { fields } => R::AtLeastOne(t::ServiceRulesAtLeastOneElementType {
            code,
            fields: t::NameList(fields.clone()),
            message,
        }),
    }
}

fn step_document(s: &Step) -> t::ServiceWorkflowStepElementType {
    use t::ServiceWorkflowStepOnEnterElementTypeContent as E;
    let kind = match s.kind {
        StepKind::Agent => t::StepKindType::Agent,
        StepKind::Citizen => t::StepKindType::Citizen,
        StepKind::Automatic => t::StepKindType::Automatic,
        StepKind::Accepted => t::StepKindType::Accepted,
        StepKind::Refused => t::StepKindType::Refused,
        StepKind::Closed => t::StepKindType::Closed,
    };
    let r = &s.rules;
    t::ServiceWorkflowStepElementType {
        id: s.id.clone(),
        department: r.department.clone(),
        colour: r.colour.clone(),
        kind,
        label: s.label.clone(),
        citizen: s.citizen_label.clone(),
        citizen_en: s.citizen_label_en.clone(),
        on_enter: (!r.on_enter.is_empty()).then(|| t::ServiceWorkflowStepOnEnterElementType {
            content: r
                .on_enter
                .iter()
                .map(|e| match e {
                    Automatic::Assign { department } => {
                        E::Assign(t::ServiceWorkflowStepOnEnterAssignElementType {
                            department: department.clone(),
                        })
                    }
                    Automatic::Jump { to } => {
                        E::Jump(t::ServiceWorkflowStepOnEnterJumpElementType { to: to.clone() })
                    }
                    Automatic::Message { template } => {
                        E::Message(t::ServiceWorkflowStepOnEnterMessageElementType {
                            template: template.clone(),
                        })
                    }
                    Automatic::Export => E::Export(t::ServiceWorkflowStepOnEnterExportElementType),
                    Automatic::Call {
                        target,
                        body,
                        answers,
                    } => E::Call(t::ServiceWorkflowStepOnEnterCallElementType {
                        target: target.clone(),
                        body: match body {
                            CallBody::Json => t::ServiceWorkflowStepOnEnterCallBodyType::Json,
                            CallBody::File => t::ServiceWorkflowStepOnEnterCallBodyType::File,
                        },
                        on: answers
                            .iter()
                            .map(
                                |(answer, to)| t::ServiceWorkflowStepOnEnterCallOnElementType {
                                    answer: answer.clone(),
                                    to: to.clone(),
                                },
                            )
                            .collect(),
                    }),
                })
                .collect(),
        }),
        action: r
            .actions
            .iter()
            .map(|a| t::ServiceWorkflowStepActionElementType {
                id: a.id.clone(),
                label: a.label.clone(),
                to: a.to.clone(),
                roles: Some(t::ServiceItemList(
                    a.roles
                        .iter()
                        .filter_map(|r| match r {
                            Role::Reader => Some(t::ServiceItemType::Reader),
                            Role::Handler => Some(t::ServiceItemType::Handler),
                            Role::Validator => Some(t::ServiceItemType::Validator),
                            // Not a role an action can be given to.
                            Role::Stats => None,
                        })
                        .collect(),
                )),
                comment: if a.comment_required {
                    t::ServiceWorkflowStepActionCommentType::Required
                } else {
                    t::ServiceWorkflowStepActionCommentType::Optional
                },
                message: a.message.clone(),
            })
            .collect(),
        timeout: r
            .timeouts
            .iter()
            .map(|o| t::ServiceWorkflowStepTimeoutElementType {
                days: o.days as usize,
                since: if o.since_creation {
                    t::ServiceWorkflowStepTimeoutSinceType::Created
                } else {
                    t::ServiceWorkflowStepTimeoutSinceType::Entered
                },
                to: o.to.clone(),
            })
            .collect(),
    }
}

/// Opening hours as `<hours>` elements: the days sharing a range together.
fn hours_document(hours: &Hours) -> Vec<t::ServiceAppointmentHoursElementType> {
    let mut out: Vec<t::ServiceAppointmentHoursElementType> = Vec::new();
    for (i, ranges) in hours.week.iter().enumerate() {
        for (from, to) in ranges {
            let (from, to) = (agenda::short(*from), agenda::short(*to));
            match out.iter_mut().find(|h| h.from == from && h.to == to) {
                Some(h) => {
                    h.days.push(' ');
                    h.days.push_str(agenda::DAYS[i]);
                }
                None => out.push(t::ServiceAppointmentHoursElementType {
                    days: agenda::DAYS[i].to_owned(),
                    from,
                    to,
                }),
            }
        }
    }
    out
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
        let mut service =
            Service::from_xml(crate::core::builtin::definition("birth-certificate").unwrap())
                .unwrap();
        service.title = "Actes & « copies » <urgent>".into();
        service.steps[0].label = "Reçue \"vite\"".into();
        let written = write(&service);
        assert!(
            written.contains(">Actes &amp; « copies » &lt;urgent&gt;</title>"),
            "{written}"
        );
        assert!(written.contains("label=\"Reçue &quot;vite&quot;\""));
        assert!(written.contains("roles=\""), "roles are explicit");
        let again = Service::from_xml(&written).unwrap();
        assert_eq!(again.title, service.title);
        assert_eq!(again.steps[0].label, service.steps[0].label);
    }
}
