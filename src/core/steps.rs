//! The rules of a workflow's steps as definitions write them: roles, actions
//! and where they lead, automatic effects on entering a step, timed jumps.
//! Read by the catalogue when a definition loads, obeyed by the workflow
//! engine; knows neither.

use crate::xml::Element;

/// What is wrong in a definition, in words; the loader adds which service
/// (`DefinitionError` in the catalogue).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Problem(pub String);

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem(message)
    }
}

/// A refusal of the definition being read.
pub fn fail<T>(message: String) -> Result<T, Problem> {
    Err(Problem(message))
}

/// A role an agent holds in a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Sees the department's requests.
    Reader,
    /// Moves them through their steps, answers, transfers.
    Handler,
    /// Approves answers prepared by other departments.
    Validator,
}

impl Role {
    pub fn from_name(name: &str) -> Option<Role> {
        Some(match name {
            "reader" => Role::Reader,
            "handler" => Role::Handler,
            "validator" => Role::Validator,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Handler => "handler",
            Role::Validator => "validator",
        }
    }
}

/// A button agents see in a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: String,
    pub label: String,
    /// Roles (in the request's department) allowed to press it.
    pub roles: Vec<Role>,
    /// Step the request goes to.
    pub to: String,
    pub comment_required: bool,
    /// Message template sent to the citizen, if any.
    pub message: Option<String>,
}

/// What happens by itself when a request enters a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Automatic {
    /// The request goes to this department.
    Assign { department: String },
    /// The request moves on at once.
    Jump { to: String },
    /// A message to the citizen is queued.
    Message { template: String },
    /// The request is marked for export to business software.
    Export,
}

/// A jump after some days without action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeout {
    pub days: u32,
    /// Counted from entering the step (`entered`) or from the request's
    /// creation (`created`).
    pub since_creation: bool,
    pub to: String,
}

/// The workflow part of a step, read from its definition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepRules {
    pub department: Option<String>,
    pub colour: Option<String>,
    pub actions: Vec<Action>,
    pub on_enter: Vec<Automatic>,
    pub timeouts: Vec<Timeout>,
}

/// Reads the children of a `<step>`: `<action>`, `<onEnter>`, `<timeout>`.
pub fn parse_step_rules(step: &Element) -> Result<StepRules, Problem> {
    let id = step.attr("id").unwrap_or_default();
    let mut rules = StepRules {
        department: step.attr("department").map(str::to_owned),
        colour: step.attr("colour").map(str::to_owned),
        ..StepRules::default()
    };
    if let Some(colour) = &rules.colour {
        if !is_hex_colour(colour) {
            return fail(format!(
                "step {id}: colour {colour:?} must be #rgb or #rrggbb"
            ));
        }
    }
    for el in &step.children {
        match el.name.as_str() {
            "action" => {
                let attr = |n: &str| {
                    el.attr(n)
                        .map(str::to_owned)
                        .ok_or_else(|| format!("step {id}: <action> needs {n}"))
                };
                let roles = el
                    .attr("roles")
                    .unwrap_or("handler")
                    .split_whitespace()
                    .map(|r| {
                        Role::from_name(r).ok_or_else(|| format!("step {id}: unknown role {r:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                rules.actions.push(Action {
                    id: attr("id")?,
                    label: attr("label")?,
                    roles,
                    to: attr("to")?,
                    comment_required: el.attr("comment") == Some("required"),
                    message: el.attr("message").map(str::to_owned),
                });
            }
            "onEnter" => {
                for a in &el.children {
                    let attr = |n: &str| {
                        a.attr(n)
                            .map(str::to_owned)
                            .ok_or_else(|| format!("step {id}: <{}> needs {n}", a.name))
                    };
                    rules.on_enter.push(match a.name.as_str() {
                        "assign" => Automatic::Assign {
                            department: attr("department")?,
                        },
                        "jump" => Automatic::Jump { to: attr("to")? },
                        "message" => Automatic::Message {
                            template: attr("template")?,
                        },
                        "export" => Automatic::Export,
                        other => {
                            return fail(format!("step {id}: unknown automatic action <{other}>"));
                        }
                    });
                }
            }
            "timeout" => {
                let days = el
                    .attr("days")
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| format!("step {id}: <timeout days> must be a whole number"))?;
                let since_creation = match el.attr("since").unwrap_or("entered") {
                    "entered" => false,
                    "created" => true,
                    other => {
                        return fail(format!(
                            "step {id}: timeout since {other:?}: entered or created"
                        ));
                    }
                };
                let to = el
                    .attr("to")
                    .map(str::to_owned)
                    .ok_or_else(|| format!("step {id}: <timeout> needs to"))?;
                rules.timeouts.push(Timeout {
                    days,
                    since_creation,
                    to,
                });
            }
            other => return fail(format!("step {id}: unknown element <{other}>")),
        }
    }
    Ok(rules)
}

/// `#rgb` or `#rrggbb`: the only colour syntax definitions and settings
/// accept (nothing that could escape a CSS declaration).
pub fn is_hex_colour(value: &str) -> bool {
    let hex = value.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}
