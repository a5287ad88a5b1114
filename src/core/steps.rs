//! The rules of a workflow's steps as definitions write them: roles, actions
//! and where they lead, automatic effects on entering a step, timed jumps.
//! Read by the catalogue when a definition loads, obeyed by the workflow
//! engine; knows neither.

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
    /// Reads the department's statistics, not its requests (a manager, an
    /// elected official).
    Stats,
}

impl Role {
    /// The roles that give sight of a department's requests.
    pub fn sees_requests(self) -> bool {
        self != Role::Stats
    }
}

impl Role {
    pub fn from_name(name: &str) -> Option<Role> {
        Some(match name {
            "reader" => Role::Reader,
            "handler" => Role::Handler,
            "validator" => Role::Validator,
            "stats" => Role::Stats,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Handler => "handler",
            Role::Validator => "validator",
            Role::Stats => "stats",
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
    /// The town's software named `target` is called (a signed POST queued
    /// with the event); with `answers`, the step waits for its answer and
    /// goes where the answer says.
    Call {
        target: String,
        body: CallBody,
        /// `(answer code, step)`.
        answers: Vec<(String, String)>,
    },
}

/// What a call posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallBody {
    /// A small JSON document: event, reference, service, step, due date.
    Json,
    /// The XML request file, valid against the service's schema.
    File,
}

impl CallBody {
    pub fn as_str(self) -> &'static str {
        match self {
            CallBody::Json => "json",
            CallBody::File => "file",
        }
    }

    pub fn from_name(name: &str) -> Option<CallBody> {
        match name {
            "json" => Some(CallBody::Json),
            "file" => Some(CallBody::File),
            _ => None,
        }
    }
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

/// `#rgb` or `#rrggbb`: the only colour syntax definitions and settings
/// accept (nothing that could escape a CSS declaration).
pub fn is_hex_colour(value: &str) -> bool {
    let hex = value.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}
