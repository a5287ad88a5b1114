//! The editor's posted forms read into an [`Edit`], or every control that
//! was wrong with its message.

use super::{Page, department_of, position, required, text, theme_of};
use crate::core::calendar::DayCount;
use crate::core::catalogue::{Facets, FieldType, Rule, RuleKind, StepKind};
use crate::core::editor::{self, Edit, FieldChange, General, StepChange};
use crate::core::steps::{Action, Automatic, Role, Timeout};
use crate::web::route::Ctx;

pub(super) type Errors = Vec<(String, String)>;

pub(super) fn read_edit(cx: &Ctx<'_>, at: Page<'_>, action: &str) -> Result<Edit, Errors> {
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
            let department = department_of(cx, &text(f, "department"));
            let theme = theme_of(cx, &text(f, "theme"));
            let count = DayCount::from_name(&text(f, "deadline-count")).unwrap_or_default();
            let title = text(f, "title");
            required(&mut errors, frame, "title", title.is_empty());
            required(&mut errors, frame, "department", department.is_none());
            required(&mut errors, frame, "theme", theme.is_none());
            return match (days, department, theme) {
                (Some(days), Some(department), Some(theme)) if errors.is_empty() => {
                    Ok(Edit::General(General {
                        title,
                        title_en: f.text("title-en"),
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
            required(&mut errors, frame, "label", label.is_empty());
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
            index: position(f, "rule"),
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
            let code = f.text("code").unwrap_or_else(|| kind.default_code().into());
            Edit::AddRule(Rule {
                kind,
                code,
                message: f.text("message"),
            })
        }
        (Page::Main, "add-step") => {
            let id = text(f, "id");
            let label = text(f, "label");
            if id.is_empty() {
                errors.push(("id".into(), frame.message("bo.editor.error.code")));
            }
            required(&mut errors, frame, "label", label.is_empty());
            let kind = StepKind::from_name(&text(f, "kind")).unwrap_or(StepKind::Agent);
            Edit::AddStep { id, label, kind }
        }
        (Page::Main, "remove-step") => Edit::RemoveStep {
            id: text(f, "step"),
        },
        (Page::Field(name), "save-field") => {
            let label = text(f, "label");
            required(&mut errors, frame, "label", label.is_empty());
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
                pattern_message: f.text("pattern-message"),
                min: f.text("min"),
                max: f.text("max"),
                fraction_digits: n("fraction-digits").map(|d| d as u32),
                min_items: n("min-items"),
                max_items: n("max-items"),
            };
            Edit::ChangeField {
                name: name.to_owned(),
                change: FieldChange {
                    label,
                    help: f.text("help"),
                    kind: FieldType::from_name(&text(f, "type")).unwrap_or(FieldType::Text),
                    required: f.get("required").is_some(),
                    options: editor::options_from_lines(f.get("options").unwrap_or("")),
                    facets,
                },
            }
        }
        (Page::Step(id), "save-step") => {
            let label = text(f, "label");
            required(&mut errors, frame, "label", label.is_empty());
            Edit::ChangeStep {
                id: id.to_owned(),
                change: StepChange {
                    label,
                    citizen_label: f.text("citizen"),
                    kind: StepKind::from_name(&text(f, "kind")).unwrap_or(StepKind::Agent),
                    department: f.text("department"),
                    colour: f.text("colour"),
                },
            }
        }
        (Page::Step(id), "save-action") => {
            let action_id = text(f, "id");
            let label = text(f, "label");
            if action_id.is_empty() {
                errors.push(("id".into(), frame.message("bo.editor.error.code")));
            }
            required(&mut errors, frame, "label", label.is_empty());
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
                    message: f.text("template"),
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
            index: position(f, "index"),
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
            index: position(f, "index"),
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
