//! The service editor's changes: each [`Edit`] turns a service definition
//! into its next draft. Only what an edit itself needs is checked here (the
//! field, step or action it names exists; a new name is free); the draft as
//! a whole is then written ([`super::definition::write`]) and checked like
//! any file, against the schema and by the loader, before it is kept — so
//! the editor cannot produce a definition the server would refuse.

use super::calendar::DayCount;
use super::catalogue::{ChoiceOption, Department, Facets, Field, FieldType, Rule, RuleKind};
use super::catalogue::{Pattern, Service, Step, StepKind, Theme};
use super::steps::{Action, Automatic, Problem, StepRules, Timeout, fail};

/// What the general part of a service says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct General {
    pub title: String,
    pub title_en: Option<String>,
    pub description: String,
    pub theme: Theme,
    pub department: Department,
    pub deadline_days: u32,
    pub deadline_count: DayCount,
}

/// A field as the editor's field page sets it (its name is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub label: String,
    pub help: Option<String>,
    pub kind: FieldType,
    pub required: bool,
    pub options: Vec<ChoiceOption>,
    pub facets: Facets,
}

/// A step as the editor's step page sets it (its id is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepChange {
    pub label: String,
    pub citizen_label: Option<String>,
    pub kind: StepKind,
    pub department: Option<String>,
    pub colour: Option<String>,
}

/// One change of the editor.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    General(General),
    AddField {
        name: String,
        label: String,
        kind: FieldType,
    },
    ChangeField {
        name: String,
        change: FieldChange,
    },
    RemoveField {
        name: String,
    },
    /// Up (`-1`) or down (`+1`) one place.
    MoveField {
        name: String,
        by: i8,
    },
    AddRule(Rule),
    RemoveRule {
        index: usize,
    },
    AddStep {
        id: String,
        label: String,
        kind: StepKind,
    },
    ChangeStep {
        id: String,
        change: StepChange,
    },
    RemoveStep {
        id: String,
    },
    MoveStep {
        id: String,
        by: i8,
    },
    /// Adds the action, or replaces the step's action with the same id.
    SetAction {
        step: String,
        action: Action,
    },
    RemoveAction {
        step: String,
        id: String,
    },
    AddTimeout {
        step: String,
        timeout: Timeout,
    },
    RemoveTimeout {
        step: String,
        index: usize,
    },
    AddEffect {
        step: String,
        effect: Automatic,
    },
    RemoveEffect {
        step: String,
        index: usize,
    },
}

impl Edit {
    /// Applies the change to `service` (the draft being edited).
    pub fn apply(self, service: &mut Service) -> Result<(), Problem> {
        match self {
            Edit::General(g) => {
                service.title = g.title;
                service.title_en = g.title_en;
                service.description = g.description;
                service.theme = g.theme;
                service.department = g.department;
                service.deadline_days = g.deadline_days;
                service.deadline_count = g.deadline_count;
            }
            Edit::AddField { name, label, kind } => {
                if service.field(&name).is_some() {
                    return fail(format!("a field is already named {name:?}"));
                }
                let options = if matches!(kind, FieldType::Choice | FieldType::MultipleChoice) {
                    vec![ChoiceOption {
                        value: "1".into(),
                        label: "Choix 1".into(),
                        label_en: None,
                    }]
                } else {
                    Vec::new()
                };
                service.fields.push(Field {
                    name,
                    label,
                    help: None,
                    required: false,
                    kind,
                    facets: Facets::default(),
                    options,
                    page: service.pages.len().saturating_sub(1),
                    ..Field::default()
                });
            }
            Edit::ChangeField { name, change } => {
                let field = field_mut(service, &name)?;
                field.label = change.label;
                field.help = change.help;
                field.kind = change.kind;
                field.required = change.required;
                // The editor's lines carry no English wording: an option
                // kept (same value) keeps its own.
                let before = std::mem::take(&mut field.options);
                field.options = change
                    .options
                    .into_iter()
                    .map(|mut o| {
                        if o.label_en.is_none() {
                            o.label_en = before
                                .iter()
                                .find(|b| b.value == o.value)
                                .and_then(|b| b.label_en.clone());
                        }
                        o
                    })
                    .collect();
                field.facets = change.facets;
            }
            Edit::RemoveField { name } => {
                let i = field_index(service, &name)?;
                service.fields.remove(i);
            }
            Edit::MoveField { name, by } => {
                let i = field_index(service, &name)?;
                move_by(&mut service.fields, i, by);
            }
            Edit::AddRule(rule) => service.rules.push(rule),
            Edit::RemoveRule { index } => {
                if index >= service.rules.len() {
                    return fail(format!("there is no rule {}", index + 1));
                }
                service.rules.remove(index);
            }
            Edit::AddStep { id, label, kind } => {
                if service.step(&id).is_some() {
                    return fail(format!("a step already has the id {id:?}"));
                }
                service.steps.push(Step {
                    id,
                    label,
                    citizen_label: None,
                    citizen_label_en: None,
                    kind,
                    rules: StepRules::default(),
                });
            }
            Edit::ChangeStep { id, change } => {
                let step = step_mut(service, &id)?;
                step.label = change.label;
                step.citizen_label = change.citizen_label;
                step.kind = change.kind;
                step.rules.department = change.department;
                step.rules.colour = change.colour;
            }
            Edit::RemoveStep { id } => {
                let i = step_index(service, &id)?;
                service.steps.remove(i);
            }
            Edit::MoveStep { id, by } => {
                let i = step_index(service, &id)?;
                move_by(&mut service.steps, i, by);
            }
            Edit::SetAction { step, action } => {
                let actions = &mut step_mut(service, &step)?.rules.actions;
                match actions.iter_mut().find(|a| a.id == action.id) {
                    Some(existing) => *existing = action,
                    None => actions.push(action),
                }
            }
            Edit::RemoveAction { step, id } => {
                let actions = &mut step_mut(service, &step)?.rules.actions;
                let before = actions.len();
                actions.retain(|a| a.id != id);
                if actions.len() == before {
                    return fail(format!("step {step}: there is no action {id:?}"));
                }
            }
            Edit::AddTimeout { step, timeout } => {
                step_mut(service, &step)?.rules.timeouts.push(timeout);
            }
            Edit::RemoveTimeout { step, index } => {
                let timeouts = &mut step_mut(service, &step)?.rules.timeouts;
                if index >= timeouts.len() {
                    return fail(format!("step {step}: there is no timed jump {}", index + 1));
                }
                timeouts.remove(index);
            }
            Edit::AddEffect { step, effect } => {
                step_mut(service, &step)?.rules.on_enter.push(effect);
            }
            Edit::RemoveEffect { step, index } => {
                let effects = &mut step_mut(service, &step)?.rules.on_enter;
                if index >= effects.len() {
                    return fail(format!(
                        "step {step}: there is no automatic action {}",
                        index + 1
                    ));
                }
                effects.remove(index);
            }
        }
        Ok(())
    }
}

/// A new service of a town's own as the editor starts it: one long-text
/// field and two steps, received (where agents close it) and done.
pub fn skeleton(
    code: &str,
    title: &str,
    operation: &str,
    theme: Theme,
    department: Department,
) -> Service {
    Service {
        code: code.to_owned(),
        version: 1,
        theme,
        title: title.to_owned(),
        title_en: None,
        description: String::new(),
        privacy: super::catalogue::Privacy::default(),
        operation: operation.to_owned(),
        department,
        deadline_days: 30,
        deadline_count: DayCount::Calendar,
        silence: None,
        requesters: vec![super::catalogue::RequesterKind::Citizen],
        pages: Vec::new(),
        booking: None,
        simulation: None,
        unanswered: None,
        fields: vec![Field {
            name: "details".into(),
            label: "Votre demande".into(),
            help: None,
            required: true,
            kind: FieldType::LongText,
            facets: Facets::default(),
            options: Vec::new(),
            ..Field::default()
        }],
        rules: Vec::new(),
        steps: vec![
            Step {
                id: "received".into(),
                label: "Reçue".into(),
                citizen_label: Some("Demande reçue".into()),
                citizen_label_en: None,
                kind: StepKind::Agent,
                rules: StepRules {
                    actions: vec![Action {
                        id: "done".into(),
                        label: "Traiter".into(),
                        roles: vec![super::steps::Role::Handler],
                        to: "done".into(),
                        comment_required: false,
                        message: None,
                    }],
                    ..StepRules::default()
                },
            },
            Step {
                id: "done".into(),
                label: "Traitée".into(),
                citizen_label: Some("Demande traitée".into()),
                citizen_label_en: None,
                kind: StepKind::Closed,
                rules: StepRules::default(),
            },
        ],
    }
}

/// A pattern from the editor's text box (empty: none).
pub fn pattern(source: &str) -> Result<Option<Pattern>, Problem> {
    let source = source.trim();
    if source.is_empty() {
        return Ok(None);
    }
    Pattern::new(source).map(Some).map_err(|e| {
        Problem(format!(
            "the pattern is not a valid regular expression: {e}"
        ))
    })
}

/// Options written one per line as `value = label` (or just `label`, whose
/// value is then its position).
pub fn options_from_lines(text: &str) -> Vec<ChoiceOption> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| match l.split_once('=') {
            Some((value, label)) => ChoiceOption {
                value: value.trim().to_owned(),
                label: label.trim().to_owned(),
                label_en: None,
            },
            None => ChoiceOption {
                value: (i + 1).to_string(),
                label: l.to_owned(),
                label_en: None,
            },
        })
        .collect()
}

/// The options as the editor's text box shows them.
pub fn options_to_lines(options: &[ChoiceOption]) -> String {
    options
        .iter()
        .map(|o| format!("{} = {}", o.value, o.label))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The name of the rule kinds, as the editor offers them.
pub fn rule_kind_name(kind: &RuleKind) -> &'static str {
    match kind {
        RuleKind::Past { .. } => "past",
        RuleKind::NotBefore { .. } => "notBefore",
        RuleKind::After { .. } => "after",
        RuleKind::RequiredIf { .. } => "requiredIf",
        RuleKind::AtLeastOne { .. } => "atLeastOne",
    }
}

fn field_index(service: &Service, name: &str) -> Result<usize, Problem> {
    service
        .fields
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| Problem(format!("there is no field {name:?}")))
}

fn field_mut<'s>(service: &'s mut Service, name: &str) -> Result<&'s mut Field, Problem> {
    let i = field_index(service, name)?;
    Ok(&mut service.fields[i])
}

fn step_index(service: &Service, id: &str) -> Result<usize, Problem> {
    service
        .steps
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| Problem(format!("there is no step {id:?}")))
}

fn step_mut<'s>(service: &'s mut Service, id: &str) -> Result<&'s mut Step, Problem> {
    let i = step_index(service, id)?;
    Ok(&mut service.steps[i])
}

fn move_by<T>(items: &mut [T], i: usize, by: i8) {
    let j = i as isize + isize::from(by);
    if j >= 0 && (j as usize) < items.len() {
        items.swap(i, j as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::definition::write;

    fn road() -> Service {
        let text = crate::core::builtin::DEFINITIONS
            .iter()
            .find(|(p, _)| p.contains("road-incident"))
            .unwrap()
            .1;
        Service::from_xml(text).unwrap()
    }

    #[test]
    fn fields_are_added_changed_moved_and_removed() {
        let mut s = road();
        let n = s.fields.len();
        Edit::AddField {
            name: "vehicle".into(),
            label: "Véhicule concerné".into(),
            kind: FieldType::Choice,
        }
        .apply(&mut s)
        .unwrap();
        assert_eq!(s.fields.len(), n + 1);
        assert_eq!(
            s.fields[n].options.len(),
            1,
            "a choice starts with one option"
        );
        let dup = Edit::AddField {
            name: "vehicle".into(),
            label: "x".into(),
            kind: FieldType::Text,
        };
        assert!(dup.apply(&mut s).is_err());
        Edit::MoveField {
            name: "vehicle".into(),
            by: -1,
        }
        .apply(&mut s)
        .unwrap();
        assert_eq!(s.fields[n - 1].name, "vehicle");
        Edit::ChangeField {
            name: "vehicle".into(),
            change: FieldChange {
                label: "Véhicule".into(),
                help: Some("S'il y en a un".into()),
                kind: FieldType::Choice,
                required: true,
                options: options_from_lines("car = Voiture\nbike = Vélo"),
                facets: Facets::default(),
            },
        }
        .apply(&mut s)
        .unwrap();
        let written = write(&s);
        let again = Service::from_xml(&written).unwrap();
        assert_eq!(again.field("vehicle").unwrap().options.len(), 2);
        assert!(again.field("vehicle").unwrap().required);
        Edit::RemoveField {
            name: "vehicle".into(),
        }
        .apply(&mut s)
        .unwrap();
        assert_eq!(s, road());
    }

    #[test]
    fn steps_actions_timeouts_and_effects_are_edited_in_place() {
        let mut s = road();
        let first = s.steps[0].id.clone();
        Edit::AddStep {
            id: "photo".into(),
            label: "Photo demandée".into(),
            kind: StepKind::Citizen,
        }
        .apply(&mut s)
        .unwrap();
        Edit::SetAction {
            step: first.clone(),
            action: Action {
                id: "ask-photo".into(),
                label: "Demander une photo".into(),
                roles: vec![crate::core::steps::Role::Handler],
                to: "photo".into(),
                comment_required: true,
                message: None,
            },
        }
        .apply(&mut s)
        .unwrap();
        Edit::AddTimeout {
            step: "photo".into(),
            timeout: Timeout {
                days: 15,
                since_creation: false,
                to: first.clone(),
            },
        }
        .apply(&mut s)
        .unwrap();
        Edit::AddEffect {
            step: "photo".into(),
            effect: Automatic::Export,
        }
        .apply(&mut s)
        .unwrap();
        let again = Service::from_xml(&write(&s)).unwrap();
        assert_eq!(again.step("photo").unwrap().rules.timeouts[0].days, 15);
        assert!(
            again
                .step(&first)
                .unwrap()
                .rules
                .actions
                .iter()
                .any(|a| a.id == "ask-photo"),
            "the action leads to the new step"
        );
        // A step something leads to cannot silently go: the loader refuses it.
        Edit::RemoveStep { id: "photo".into() }
            .apply(&mut s)
            .unwrap();
        assert!(Service::from_xml(&write(&s)).is_err());
    }

    #[test]
    fn options_changed_in_the_editor_keep_their_english_wording() {
        let mut s = crate::core::builtin::services()
            .into_iter()
            .find(|s| s.code == "road-incident")
            .unwrap();
        let category = s.field("category").unwrap().clone();
        let first = category.options[0].clone();
        assert!(
            first.label_en.is_some(),
            "road-incident's options are worded in English"
        );
        let mut lines = options_to_lines(&category.options);
        lines.push_str("\nnew-one = Autre chose");
        Edit::ChangeField {
            name: "category".into(),
            change: FieldChange {
                label: category.label.clone(),
                help: category.help.clone(),
                kind: category.kind,
                required: category.required,
                options: options_from_lines(&lines),
                facets: category.facets.clone(),
            },
        }
        .apply(&mut s)
        .unwrap();
        let after = &s.field("category").unwrap().options;
        assert_eq!(after[0].label_en, first.label_en);
        assert_eq!(after.last().unwrap().label_en, None);
    }

    #[test]
    fn options_read_as_lines() {
        let o = options_from_lines("a = Un\n\n  Deux  \nc=Trois = 3");
        let pairs: Vec<(&str, &str)> = o
            .iter()
            .map(|o| (o.value.as_str(), o.label.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "Un"), ("2", "Deux"), ("c", "Trois = 3")]);
        assert_eq!(options_to_lines(&o[..1]), "a = Un");
    }
}
