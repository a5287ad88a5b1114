//! The workflow engine: how a request moves through the steps of its service.
//!
//! Pure: given a service definition (the version the request was submitted
//! under), the request's current [`RequestState`], who acts and what they ask,
//! and the time, [`apply`] returns the new state, the history events to record
//! and the effects to carry out (messages to queue, exports to mark), or why it
//! is refused. The store applies an outcome in one transaction; nothing here
//! reads a clock or touches a database.

use super::catalogue::{Service, Step, StepKind};
pub use super::steps::{Action, Automatic, CallBody, Role, StepRules, Timeout};
use jiff::{Span, Timestamp};

/// Someone acting on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub login: String,
    pub name: String,
    /// Tenant administrator: every right in every department.
    pub admin: bool,
    /// `(department code, role)`.
    pub roles: Vec<(String, Role)>,
    /// A business application's account of the exchange API, not a person:
    /// its history lines say `api:LOGIN`.
    pub software: bool,
}

impl Agent {
    /// Who the history and the journal say acted: `agent:LOGIN`, or
    /// `api:LOGIN` for business software.
    pub fn actor(&self) -> String {
        if self.software {
            format!("api:{}", self.login)
        } else {
            format!("agent:{}", self.login)
        }
    }

    /// Whether the agent holds `role` in `department`. A handler or validator
    /// is also a reader (not a statistics reader); an administrator holds
    /// every role.
    pub fn can(&self, department: &str, role: Role) -> bool {
        self.admin
            || self.roles.iter().any(|(d, r)| {
                d == department && (*r == role || (role == Role::Reader && r.sees_requests()))
            })
    }

    /// The departments where the agent holds a role that `keep` accepts,
    /// sorted, each once; `None` for all (an administrator).
    pub fn departments_where(&self, keep: impl Fn(Role) -> bool) -> Option<Vec<String>> {
        if self.admin {
            return None;
        }
        let mut departments: Vec<String> = self
            .roles
            .iter()
            .filter(|(_, r)| keep(*r))
            .map(|(d, _)| d.clone())
            .collect();
        departments.sort();
        departments.dedup();
        Some(departments)
    }

    /// The departments whose statistics the agent reads; `None` for all
    /// (an administrator).
    pub fn stats_departments(&self) -> Option<Vec<String>> {
        self.departments_where(|r| r == Role::Stats)
    }

    /// Whether the agent may open the statistics at all.
    pub fn sees_stats(&self) -> bool {
        self.stats_departments().is_none_or(|d| !d.is_empty())
    }

    /// The departments whose requests the agent reads; `None` for all (an
    /// administrator).
    pub fn request_departments(&self) -> Option<Vec<String>> {
        self.departments_where(|r| r.sees_requests())
    }

    /// Whether the agent handles requests in some department (not a reader
    /// of statistics only): who records requests at the intake desk.
    pub fn handles_requests(&self) -> bool {
        self.request_departments().is_none_or(|d| !d.is_empty())
    }
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestState {
    pub step: String,
    /// Department holding the request.
    pub department: String,
    pub created_at: Timestamp,
    /// When the current step was entered.
    pub entered_at: Timestamp,
    /// Put on hold until the citizen answers.
    pub waiting_for_citizen: bool,
    /// An answer waiting for the emitting department's validation.
    pub validation: Option<PendingValidation>,
    /// In a final step (accepted, refused, closed).
    pub finished: bool,
    /// When it was put on hold for the citizen (a legal deadline's clock
    /// stops meanwhile).
    pub waiting_since: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingValidation {
    /// Department that prepared the answer.
    pub from: String,
    /// Department asked to validate it.
    pub to: String,
    pub answer: String,
}

/// What someone asks of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Press a step's button.
    Act {
        action: String,
        comment: Option<String>,
    },
    /// Hand the request to another department.
    Transfer { to: String, comment: Option<String> },
    /// Ask another department to validate an answer before it goes out.
    AskValidation { to: String, answer: String },
    /// Validate (or send back) the pending answer.
    Decide {
        approve: bool,
        comment: Option<String>,
    },
    /// A note for agents only.
    Note { text: String },
    /// A message to the citizen.
    Answer { text: String },
    /// Wait for the citizen.
    Hold { comment: String },
    /// The citizen answered: back to the agents.
    Resume { comment: Option<String> },
    /// Ask the citizen to correct some fields (top-level field names of
    /// the service), saying why: the request waits for them meanwhile.
    AskCorrection { fields: Vec<String>, reason: String },
    /// Take a finished request up again.
    Reopen { comment: String },
    /// Keep a document of the town's with the request — a letter made from
    /// the step's template (`letter` holds its subject), or a file the agent
    /// brings (a scanned letter, a photo from the field) — and, when `send`,
    /// e-mail it to the requester.
    AddFile {
        file: crate::core::files::FileValue,
        letter: Option<String>,
        comment: Option<String>,
        send: bool,
    },
}

/// One line of a request's history (and of the tenant's audit journal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `agent:LOGIN`, `system`, `citizen:CHANNEL`.
    pub actor: String,
    /// `submitted`, an action id, `transfer`, `note`, `timeout`…
    pub action: String,
    pub from_step: Option<String>,
    pub to_step: Option<String>,
    pub comment: Option<String>,
    /// Shown to the citizen (step changes into citizen-visible steps, answers).
    pub citizen_visible: bool,
    /// The department a transfer or a validation request goes to.
    pub department: Option<String>,
}

/// Something the store must do, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Queue a message to the citizen (template id, or the answer's text).
    MessageCitizen {
        template: Option<String>,
        text: Option<String>,
    },
    /// Tell a department's agents (transfer, validation asked).
    NotifyDepartment { department: String, reason: String },
    /// Keep a file of the town's with the request (`field` none); when
    /// `send` names a citizen template, the message carries the file.
    AttachFile {
        file: crate::core::files::FileValue,
        send: Option<String>,
    },
    /// Mark the request for export to business software.
    Export,
    /// Queue a signed call to the town's software `target` (its outbox
    /// row, in the event's transaction).
    Call { target: String, body: CallBody },
    /// Move the due date this many days later: a legal deadline's clock
    /// stopped while the request waited for the citizen.
    PostponeDue { days: u32 },
    /// These fields are open for the citizen to correct (and no others).
    OpenCorrection { fields: Vec<String> },
    /// The correction was made: no field is open any more.
    CloseCorrection,
    /// The citizen wrote: the request shows an unread reply to agents until
    /// one of them opens it.
    Unread,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: RequestState,
    pub events: Vec<Event>,
    pub effects: Vec<Effect>,
}

/// Why a command is refused, in words an agent understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("vous n'avez pas le droit de faire cela pour ce service ({0})")]
    NotAllowed(&'static str),
    #[error("cette action n'existe pas à cette étape")]
    UnknownAction,
    #[error("un commentaire est obligatoire pour cette action")]
    CommentRequired,
    #[error("la demande est terminée : rouvrez-la d'abord")]
    Finished,
    #[error("la demande n'est pas terminée")]
    NotFinished,
    #[error("service inconnu : {0}")]
    UnknownDepartment(String),
    #[error("aucune validation n'est en attente")]
    NoValidationPending,
    #[error("une validation est déjà en attente")]
    ValidationPending,
    #[error("la demande n'est pas en attente du demandeur")]
    NotWaiting,
    #[error("le texte est vide")]
    Empty,
    #[error("choisissez au moins un champ à corriger")]
    NoFieldToCorrect,
    #[error("ce téléservice n'a pas de champ « {0} »")]
    UnknownField(String),
    #[error("une correction est déjà demandée")]
    CorrectionPending,
    #[error("les données personnelles de la demande ont été effacées : elle ne peut plus changer")]
    Anonymised,
}

fn step<'a>(service: &'a Service, id: &str) -> &'a Step {
    service.step(id).unwrap_or_else(|| service.first_step())
}

/// The state of a new request, with what entering its first step does.
pub fn start(service: &Service, now: Timestamp, channel: &str) -> Outcome {
    let first = service.first_step();
    let state = RequestState {
        step: first.id.clone(),
        department: first
            .rules
            .department
            .clone()
            .unwrap_or_else(|| service.department.code.clone()),
        created_at: now,
        entered_at: now,
        waiting_for_citizen: false,
        validation: None,
        finished: first.kind.is_final(),
        waiting_since: None,
    };
    let mut out = Outcome {
        state,
        events: vec![Event {
            actor: format!("citizen:{channel}"),
            action: "submitted".into(),
            from_step: None,
            to_step: Some(first.id.clone()),
            comment: None,
            citizen_visible: first.citizen_label.is_some(),
            department: None,
        }],
        effects: vec![Effect::NotifyDepartment {
            department: service.department.code.clone(),
            reason: "new-request".into(),
        }],
    };
    on_enter(service, &mut out, now);
    // The acknowledgement comes first.
    out.effects.insert(
        0,
        Effect::MessageCitizen {
            template: Some(ACKNOWLEDGEMENT_TEMPLATE.into()),
            text: None,
        },
    );
    out
}

/// Template of the acknowledgement sent when a request arrives.
pub const ACKNOWLEDGEMENT_TEMPLATE: &str = "acknowledgement";
/// Template of the news sent when a request reaches a step the citizen sees
/// and nothing more specific was said.
pub const STEP_TEMPLATE: &str = "step";

/// The letter of a step: its subject and body, worded per service and step
/// like the step news (`[SERVICE.letter.STEP]`), made into a PDF.
pub const LETTER_TEMPLATE: &str = "letter";

/// The e-mail that carries a document of the town's to the requester.
pub const DOCUMENT_TEMPLATE: &str = "document-sent";

/// The citizen hears of every step they can see: when an outcome moved the
/// request into a citizen-visible step and no message was queued, the
/// generic step news is.
fn tell_citizen(out: &mut Outcome) {
    let moved_visibly = out
        .events
        .iter()
        .any(|e| e.citizen_visible && e.to_step.is_some() && e.to_step != e.from_step);
    let told = out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::MessageCitizen { .. }));
    if moved_visibly && !told {
        out.effects.push(Effect::MessageCitizen {
            template: Some(STEP_TEMPLATE.into()),
            text: None,
        });
    }
}

/// Moves to `to`, records it, and runs what entering it does.
fn enter(
    service: &Service,
    out: &mut Outcome,
    to: &str,
    actor: &str,
    action: &str,
    comment: Option<String>,
    now: Timestamp,
) {
    let from = out.state.step.clone();
    let target = step(service, to);
    out.state.step = target.id.clone();
    out.state.entered_at = now;
    out.state.finished = target.kind.is_final();
    if let Some(d) = &target.rules.department {
        out.state.department = d.clone();
    }
    out.events.push(Event {
        actor: actor.to_owned(),
        action: action.to_owned(),
        from_step: Some(from),
        to_step: Some(target.id.clone()),
        comment,
        citizen_visible: target.citizen_label.is_some(),
        department: None,
    });
    on_enter(service, out, now);
}

fn on_enter(service: &Service, out: &mut Outcome, now: Timestamp) {
    // Jumps are checked loop-free when the definition loads; the bound is a
    // second guard.
    for _ in 0..service.steps.len() {
        let current = step(service, &out.state.step).clone();
        let mut jump = None;
        for auto in &current.rules.on_enter {
            match auto {
                Automatic::Assign { department } => {
                    if out.state.department != *department {
                        out.state.department = department.clone();
                        out.effects.push(Effect::NotifyDepartment {
                            department: department.clone(),
                            reason: "assigned".into(),
                        });
                    }
                }
                Automatic::Message { template } => out.effects.push(Effect::MessageCitizen {
                    template: Some(template.clone()),
                    text: None,
                }),
                Automatic::Export => out.effects.push(Effect::Export),
                Automatic::Jump { to } => jump = Some(to.clone()),
                Automatic::Call { target, body, .. } => {
                    out.effects.push(Effect::Call {
                        target: target.clone(),
                        body: *body,
                    });
                    out.events.push(Event {
                        actor: "system".into(),
                        action: "call".into(),
                        from_step: None,
                        to_step: None,
                        comment: Some(target.clone()),
                        citizen_visible: false,
                        department: None,
                    });
                }
            }
        }
        let Some(to) = jump else { return };
        let target = step(service, &to).clone();
        let from = std::mem::replace(&mut out.state.step, target.id.clone());
        out.state.entered_at = now;
        out.state.finished = target.kind.is_final();
        if let Some(d) = &target.rules.department {
            out.state.department = d.clone();
        }
        out.events.push(Event {
            actor: "system".into(),
            action: "jump".into(),
            from_step: Some(from),
            to_step: Some(target.id.clone()),
            comment: None,
            citizen_visible: target.citizen_label.is_some(),
            department: None,
        });
    }
}

fn text(comment: Option<String>) -> Option<String> {
    comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
}

/// Applies an agent's command. `departments` are the tenant's department codes.
pub fn apply(
    service: &Service,
    state: &RequestState,
    agent: &Agent,
    command: Command,
    departments: &[String],
    now: Timestamp,
) -> Result<Outcome, Refusal> {
    let mut out = decide_one(service, state, agent, command, departments, now)?;
    tell_citizen(&mut out);
    Ok(out)
}

/// Several commands taken at once (an action and its message to the
/// citizen): each decided on the state the one before left, all or none,
/// as one outcome — the citizen is told once.
pub fn apply_all(
    service: &Service,
    state: &RequestState,
    agent: &Agent,
    commands: Vec<Command>,
    departments: &[String],
    now: Timestamp,
) -> Result<Outcome, Refusal> {
    let mut out = Outcome {
        state: state.clone(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    for command in commands {
        let next = decide_one(service, &out.state, agent, command, departments, now)?;
        out.state = next.state;
        out.events.extend(next.events);
        out.effects.extend(next.effects);
    }
    tell_citizen(&mut out);
    Ok(out)
}

fn decide_one(
    service: &Service,
    state: &RequestState,
    agent: &Agent,
    command: Command,
    departments: &[String],
    now: Timestamp,
) -> Result<Outcome, Refusal> {
    let mut d = Deciding::new(service, state, agent, departments, now);
    match command {
        Command::Act { action, comment } => d.act(action, comment),
        Command::Transfer { to, comment } => d.transfer(to, comment),
        Command::AskValidation { to, answer } => d.ask_validation(to, answer),
        Command::Decide { approve, comment } => d.decide(approve, comment),
        Command::Note { text: note } => d.note(note),
        Command::Answer { text: answer } => d.answer(answer),
        Command::Hold { comment } => d.hold(comment),
        Command::Resume { comment } => d.resume(comment),
        Command::AskCorrection { fields, reason } => d.ask_correction(fields, reason),
        Command::Reopen { comment } => d.reopen(comment),
        Command::AddFile {
            file,
            letter,
            comment,
            send,
        } => d.add_file(file, letter, comment, send),
    }?;
    Ok(d.out)
}

/// One agent's command being decided: what every command reads, and the
/// outcome it builds. Each command is its own method.
struct Deciding<'a> {
    service: &'a Service,
    state: &'a RequestState,
    agent: &'a Agent,
    departments: &'a [String],
    now: Timestamp,
    current: &'a Step,
    /// The request's department.
    dept: &'a str,
    finished: bool,
    actor: String,
    out: Outcome,
}

impl<'a> Deciding<'a> {
    fn new(
        service: &'a Service,
        state: &'a RequestState,
        agent: &'a Agent,
        departments: &'a [String],
        now: Timestamp,
    ) -> Deciding<'a> {
        let current = step(service, &state.step);
        Deciding {
            service,
            state,
            agent,
            departments,
            now,
            current,
            dept: state.department.as_str(),
            finished: current.kind.is_final(),
            actor: agent.actor(),
            out: Outcome {
                state: state.clone(),
                events: Vec::new(),
                effects: Vec::new(),
            },
        }
    }

    /// The agent's role in the request's department, or a refusal naming
    /// what they tried.
    fn require(&self, role: Role, what: &'static str) -> Result<(), Refusal> {
        if self.agent.can(self.dept, role) {
            Ok(())
        } else {
            Err(Refusal::NotAllowed(what))
        }
    }

    /// A history event of the agent's, at the current step.
    fn event(&self, action: &str, comment: Option<String>, visible: bool) -> Event {
        Event {
            actor: self.actor.clone(),
            action: action.to_owned(),
            from_step: Some(self.state.step.clone()),
            to_step: None,
            comment,
            citizen_visible: visible,
            department: None,
        }
    }

    /// An action of the current step: where it leads, what it tells the citizen.
    fn act(&mut self, action: String, comment: Option<String>) -> Result<(), Refusal> {
        if self.finished {
            return Err(Refusal::Finished);
        }
        let a = self
            .current
            .rules
            .actions
            .iter()
            .find(|a| a.id == action)
            .ok_or(Refusal::UnknownAction)?;
        if !a.roles.iter().any(|r| self.agent.can(self.dept, *r)) {
            return Err(Refusal::NotAllowed("rôle insuffisant"));
        }
        let comment = text(comment);
        if a.comment_required && comment.is_none() {
            return Err(Refusal::CommentRequired);
        }
        if let Some(template) = &a.message {
            self.out.effects.push(Effect::MessageCitizen {
                template: Some(template.clone()),
                text: None,
            });
        }
        self.out.state.waiting_for_citizen = false;
        enter(
            self.service,
            &mut self.out,
            &a.to.clone(),
            &self.actor,
            &a.id,
            comment,
            self.now,
        );

        Ok(())
    }

    /// The request moves to another department, which is told.
    fn transfer(&mut self, to: String, comment: Option<String>) -> Result<(), Refusal> {
        self.require(Role::Handler, "transférer")?;
        if self.finished {
            return Err(Refusal::Finished);
        }
        if !self.departments.contains(&to) {
            return Err(Refusal::UnknownDepartment(to));
        }
        self.out.state.department = to.clone();
        let mut e = self.event("transfer", text(comment), false);
        e.to_step = Some(self.state.step.clone());
        e.department = Some(to.clone());
        self.out.events.push(e);
        self.out.effects.push(Effect::NotifyDepartment {
            department: to,
            reason: "transferred".into(),
        });

        Ok(())
    }

    /// Another department is asked to validate an answer before it goes.
    fn ask_validation(&mut self, to: String, answer: String) -> Result<(), Refusal> {
        self.require(Role::Handler, "demander une validation")?;
        if self.finished {
            return Err(Refusal::Finished);
        }
        if self.state.validation.is_some() {
            return Err(Refusal::ValidationPending);
        }
        if !self.departments.contains(&to) {
            return Err(Refusal::UnknownDepartment(to));
        }
        let answer = text(Some(answer)).ok_or(Refusal::Empty)?;
        self.out.state.validation = Some(PendingValidation {
            from: self.dept.to_owned(),
            to: to.clone(),
            answer: answer.clone(),
        });
        let mut e = self.event("ask-validation", Some(answer), false);
        e.department = Some(to.clone());
        self.out.events.push(e);
        self.out.effects.push(Effect::NotifyDepartment {
            department: to,
            reason: "validation-asked".into(),
        });

        Ok(())
    }

    /// The validator approves (the answer goes to the citizen) or refuses (the asking department is told).
    fn decide(&mut self, approve: bool, comment: Option<String>) -> Result<(), Refusal> {
        let pending = self
            .state
            .validation
            .clone()
            .ok_or(Refusal::NoValidationPending)?;
        if !self.agent.can(&pending.to, Role::Validator) {
            return Err(Refusal::NotAllowed("valider"));
        }
        self.out.state.validation = None;
        let comment = text(comment);
        if approve {
            self.out
                .events
                .push(self.event("validated", comment, false));
            self.out
                .events
                .push(self.event("answer", Some(pending.answer.clone()), true));
            self.out.effects.push(Effect::MessageCitizen {
                template: None,
                text: Some(pending.answer),
            });
        } else {
            self.out
                .events
                .push(self.event("validation-refused", comment, false));
            self.out.effects.push(Effect::NotifyDepartment {
                department: pending.from,
                reason: "validation-refused".into(),
            });
        }

        Ok(())
    }

    /// An internal note, never shown to the citizen.
    fn note(&mut self, note: String) -> Result<(), Refusal> {
        self.require(Role::Reader, "annoter")?;
        let note = text(Some(note)).ok_or(Refusal::Empty)?;
        self.out.events.push(self.event("note", Some(note), false));

        Ok(())
    }

    /// A document of the town's kept with the request (at any step, a
    /// finished request's answer letter included), sent to the requester
    /// when `send`: the history says what it is and whether it went.
    fn add_file(
        &mut self,
        file: crate::core::files::FileValue,
        letter: Option<String>,
        comment: Option<String>,
        send: bool,
    ) -> Result<(), Refusal> {
        self.require(Role::Handler, "joindre un document")?;
        let (action, what) = match &letter {
            Some(subject) => ("letter", format!("{subject} ({})", file.name)),
            None => ("file-added", file.name.clone()),
        };
        let comment = match text(comment) {
            Some(c) => format!("{what} — {c}"),
            None => what,
        };
        self.out
            .events
            .push(self.event(action, Some(comment), send));
        self.out.effects.push(Effect::AttachFile {
            file,
            send: send.then(|| DOCUMENT_TEMPLATE.to_owned()),
        });
        Ok(())
    }

    /// An answer to the citizen.
    fn answer(&mut self, answer: String) -> Result<(), Refusal> {
        self.require(Role::Handler, "répondre")?;
        let answer = text(Some(answer)).ok_or(Refusal::Empty)?;
        self.out
            .events
            .push(self.event("answer", Some(answer.clone()), true));
        self.out.effects.push(Effect::MessageCitizen {
            template: None,
            text: Some(answer),
        });

        Ok(())
    }

    /// Waiting for the citizen, who is told why.
    fn hold(&mut self, comment: String) -> Result<(), Refusal> {
        self.require(Role::Handler, "mettre en attente")?;
        if self.finished {
            return Err(Refusal::Finished);
        }
        let comment = text(Some(comment)).ok_or(Refusal::CommentRequired)?;
        self.out.state.waiting_for_citizen = true;
        self.out.state.waiting_since = Some(self.now);
        self.out
            .events
            .push(self.event("hold", Some(comment.clone()), true));
        self.out.effects.push(Effect::MessageCitizen {
            template: None,
            text: Some(comment),
        });

        Ok(())
    }

    /// No longer waiting for the citizen.
    fn resume(&mut self, comment: Option<String>) -> Result<(), Refusal> {
        self.require(Role::Handler, "reprendre")?;
        if !self.state.waiting_for_citizen {
            return Err(Refusal::NotWaiting);
        }
        self.out.state.waiting_for_citizen = false;
        self.out.state.waiting_since = None;
        self.out
            .effects
            .extend(postponement(self.service, self.state, self.now));
        self.out
            .events
            .push(self.event("resume", text(comment), false));

        Ok(())
    }

    /// Some fields to be corrected by the citizen, and why; waits for them.
    fn ask_correction(&mut self, fields: Vec<String>, reason: String) -> Result<(), Refusal> {
        self.require(Role::Handler, "demander une correction")?;
        if self.finished {
            return Err(Refusal::Finished);
        }
        if self.state.waiting_for_citizen {
            return Err(Refusal::CorrectionPending);
        }
        let reason = text(Some(reason)).ok_or(Refusal::CommentRequired)?;
        let mut open: Vec<String> = Vec::new();
        for name in fields {
            if self.service.field(&name).is_none() {
                return Err(Refusal::UnknownField(name));
            }
            if !open.contains(&name) {
                open.push(name);
            }
        }
        if open.is_empty() {
            return Err(Refusal::NoFieldToCorrect);
        }
        self.out.state.waiting_for_citizen = true;
        self.out.state.waiting_since = Some(self.now);
        let labels: Vec<&str> = open
            .iter()
            .filter_map(|n| self.service.field(n).map(|f| f.label.as_str()))
            .collect();
        let said = format!("{reason} ({})", labels.join(", "));
        self.out
            .events
            .push(self.event("correction-asked", Some(said), true));
        self.out.effects.push(Effect::MessageCitizen {
            template: Some("correction".into()),
            text: Some(reason),
        });
        self.out
            .effects
            .push(Effect::OpenCorrection { fields: open });
        Ok(())
    }

    /// A finished request back to the last step an agent worked in.
    fn reopen(&mut self, comment: String) -> Result<(), Refusal> {
        self.require(Role::Handler, "rouvrir")?;
        if !self.finished {
            return Err(Refusal::NotFinished);
        }
        let comment = text(Some(comment)).ok_or(Refusal::CommentRequired)?;
        // Back to the last step an agent worked in before the end.
        let target = self
            .service
            .steps
            .iter()
            .rev()
            .find(|s| !s.kind.is_final() && s.kind != StepKind::Automatic)
            .unwrap_or_else(|| self.service.first_step())
            .id
            .clone();
        enter(
            self.service,
            &mut self.out,
            &target,
            &self.actor,
            "reopen",
            Some(comment),
            self.now,
        );

        Ok(())
    }
}

/// Timed jumps: what the scheduler does to a request at `now`, if anything.
/// A legal deadline's clock stopped while the request waited for the
/// citizen: the due date moves by the days waited, a day begun counting
/// whole.
fn postponement(service: &Service, state: &RequestState, now: Timestamp) -> Option<Effect> {
    let since = state.waiting_since?;
    service.silence.as_ref()?;
    let seconds = (now.as_second() - since.as_second()).max(0);
    let days = u32::try_from((seconds + 86_399) / 86_400).unwrap_or(u32::MAX);
    (days > 0).then_some(Effect::PostponeDue { days })
}

/// One field the citizen corrected: its label, and its values before and
/// after, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The citizen corrected the fields asked (the new values already
/// validated with the whole form): the history says each old and new value,
/// the request no longer waits (a legal deadline's due date moves by the
/// days waited), the department is told and the request marked unread.
pub fn corrected(
    service: &Service,
    state: &RequestState,
    changes: &[Corrected],
    channel: &str,
    now: Timestamp,
) -> Outcome {
    let mut next = state.clone();
    next.waiting_for_citizen = false;
    next.waiting_since = None;
    let words: Vec<String> = changes
        .iter()
        .map(|c| format!("{} : « {} » → « {} »", c.label, c.before, c.after))
        .collect();
    let mut effects: Vec<Effect> = postponement(service, state, now).into_iter().collect();
    effects.extend([
        Effect::CloseCorrection,
        Effect::NotifyDepartment {
            department: state.department.clone(),
            reason: "citizen-corrected".into(),
        },
        Effect::Unread,
    ]);
    Outcome {
        state: next,
        events: vec![Event {
            actor: format!("citizen:{channel}"),
            action: "corrected".into(),
            from_step: Some(state.step.clone()),
            to_step: None,
            comment: Some(words.join("\n")),
            citizen_visible: true,
            department: None,
        }],
        effects,
    }
}

/// A request left waiting for the requester (a correction asked, or put on
/// The town's software `target` answered a call (`answer`: the code its
/// response gave, if any; `words`: what the history keeps of it). When the
/// request still waits in a step whose call to `target` names this answer,
/// it goes to that step, as the system; otherwise the answer is only
/// recorded, for the agents to decide.
pub fn call_answered(
    service: &Service,
    state: &RequestState,
    target: &str,
    answer: Option<&str>,
    words: String,
    now: Timestamp,
) -> Outcome {
    let mut out = Outcome {
        state: state.clone(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    let current = step(service, &state.step);
    let to = answer.and_then(|answer| {
        current.rules.on_enter.iter().find_map(|a| match a {
            Automatic::Call {
                target: t, answers, ..
            } if t == target => answers
                .iter()
                .find(|(code, _)| code == answer)
                .map(|(_, to)| to.clone()),
            _ => None,
        })
    });
    match to {
        Some(to) if !state.finished => {
            out.state.waiting_for_citizen = false;
            enter(
                service,
                &mut out,
                &to,
                "system",
                "call-answered",
                Some(words),
                now,
            );
            tell_citizen(&mut out);
        }
        _ => out.events.push(Event {
            actor: "system".into(),
            action: "call-answered".into(),
            from_step: None,
            to_step: None,
            comment: Some(words),
            citizen_visible: false,
            department: None,
        }),
    }
    out
}

/// A call to `target` was given up after its last try: the history says
/// so, for the agents.
pub fn call_failed(state: &RequestState, target: &str, words: String) -> Outcome {
    Outcome {
        state: state.clone(),
        events: vec![Event {
            actor: "system".into(),
            action: "call-failed".into(),
            from_step: None,
            to_step: None,
            comment: Some(format!("{target} : {words}")),
            citizen_visible: false,
            department: None,
        }],
        effects: Vec::new(),
    }
}

/// hold) longer than its service's `<unanswered days>`: it goes to the step
/// the workflow says, as the system; the open correction is closed, the
/// history and the requester say why, and a legal deadline's due date moves
/// by the days waited. A reply does not count as an answer: only the
/// correction made, or an agent resuming the request, ends the wait.
pub fn unanswered(service: &Service, state: &RequestState, now: Timestamp) -> Option<Outcome> {
    let rule = service.unanswered.as_ref()?;
    let since = state.waiting_since?;
    if state.finished || !state.waiting_for_citizen {
        return None;
    }
    let at = since
        .checked_add(Span::new().hours(24 * i64::from(rule.days)))
        .ok()?;
    if at > now {
        return None;
    }
    let mut out = Outcome {
        state: state.clone(),
        events: Vec::new(),
        effects: postponement(service, state, now).into_iter().collect(),
    };
    out.state.waiting_for_citizen = false;
    out.state.waiting_since = None;
    out.effects.push(Effect::CloseCorrection);
    let days = rule.days;
    let words = if step(service, &rule.to).kind.is_final() {
        format!(
            "Sans réponse de votre part dans les {days} jours demandés, votre demande est classée sans suite. Vous pouvez en déposer une nouvelle."
        )
    } else {
        format!(
            "Sans réponse de votre part dans les {days} jours demandés, votre demande suit son cours sans la correction ou les pièces attendues."
        )
    };
    decide(service, out, &rule.to, "unanswered", words, now)
}

/// A decision the system takes by itself (`action`): the request enters
/// `to`, the history and the requester say `words`.
fn decide(
    service: &Service,
    mut out: Outcome,
    to: &str,
    action: &str,
    words: String,
    now: Timestamp,
) -> Option<Outcome> {
    enter(
        service,
        &mut out,
        to,
        "system",
        action,
        Some(words.clone()),
        now,
    );
    out.effects.push(Effect::MessageCitizen {
        template: None,
        text: Some(words),
    });
    Some(out)
}

/// The longest reply a citizen may send.
pub const REPLY_MAX: usize = 4000;

/// Why a citizen's reply is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReplyRefusal {
    #[error("the reply is empty")]
    Empty,
    #[error("the reply is longer than {REPLY_MAX} characters")]
    TooLong,
}

/// A reply's text as kept (trimmed), or why it is refused.
pub fn check_reply(text: &str) -> Result<&str, ReplyRefusal> {
    let text = text.trim();
    if text.is_empty() {
        Err(ReplyRefusal::Empty)
    } else if text.chars().count() > REPLY_MAX {
        Err(ReplyRefusal::TooLong)
    } else {
        Ok(text)
    }
}

/// The citizen replies to the town (from the request's page, or by SOAP
/// with the tracking code): the reply goes into the history, the agents of
/// the request's department are told, and the request shows an unread
/// reply. The step does not change: agents decide what follows (a request
/// waiting for the citizen stays so until an agent resumes it). `channel`
/// names where it came from (`web`, `soap`).
pub fn reply(state: &RequestState, text: &str, channel: &str) -> Result<Outcome, ReplyRefusal> {
    let text = check_reply(text)?;
    Ok(Outcome {
        state: state.clone(),
        events: vec![Event {
            actor: format!("citizen:{channel}"),
            action: "reply".into(),
            from_step: Some(state.step.clone()),
            to_step: None,
            comment: Some(text.to_owned()),
            citizen_visible: true,
            department: Some(state.department.clone()),
        }],
        effects: vec![
            Effect::NotifyDepartment {
                department: state.department.clone(),
                reason: "citizen-reply".into(),
            },
            Effect::Unread,
        ],
    })
}

pub fn tick(service: &Service, state: &RequestState, now: Timestamp) -> Option<Outcome> {
    let current = step(service, &state.step);
    if current.kind.is_final() || state.waiting_for_citizen {
        return None;
    }
    let due = current.rules.timeouts.iter().find(|t| {
        let since = if t.since_creation {
            state.created_at
        } else {
            state.entered_at
        };
        since
            .checked_add(Span::new().hours(24 * i64::from(t.days)))
            .is_ok_and(|at| at <= now)
    })?;
    let mut out = Outcome {
        state: state.clone(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    enter(
        service,
        &mut out,
        &due.to.clone(),
        "system",
        "timeout",
        None,
        now,
    );
    tell_citizen(&mut out);
    Some(out)
}

/// A legal deadline run out: what the system does to a request on `today`
/// (in the tenant's calendar), if anything. The day after `due` a request
/// still open and not waiting for the requester takes the decision the
/// town's silence means (acceptance or refusal), recorded in its history and
/// told to the requester in words.
pub fn silence(
    service: &Service,
    state: &RequestState,
    due: jiff::civil::Date,
    today: jiff::civil::Date,
    now: Timestamp,
) -> Option<Outcome> {
    let rule = service.silence.as_ref()?;
    if state.finished || state.waiting_for_citizen || today <= due {
        return None;
    }
    let due = due.strftime("%d/%m/%Y").to_string();
    let words = if rule.accepts {
        format!(
            "Sans réponse de la mairie dans le délai légal (au {due}), le silence vaut accord : votre demande est acceptée tacitement."
        )
    } else {
        format!(
            "Sans réponse de la mairie dans le délai légal (au {due}), le silence vaut rejet : votre demande est implicitement refusée. Vous pouvez en demander les motifs et former un recours."
        )
    };
    let out = Outcome {
        state: state.clone(),
        events: Vec::new(),
        effects: Vec::new(),
    };
    decide(service, out, &rule.to, "silence", words, now)
}

/// The actions an agent may take on a request now, for the request page.
pub fn available_actions<'a>(
    service: &'a Service,
    state: &RequestState,
    agent: &Agent,
) -> Vec<&'a Action> {
    let current = step(service, &state.step);
    if current.kind.is_final() {
        return Vec::new();
    }
    current
        .rules
        .actions
        .iter()
        .filter(|a| a.roles.iter().any(|r| agent.can(&state.department, *r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::builtin;

    fn service(code: &str) -> Service {
        builtin::services()
            .into_iter()
            .find(|s| s.code == code)
            .unwrap()
    }

    #[test]
    fn a_correction_is_asked_for_fields_of_the_service_then_made_and_the_clock_moves() {
        let permit = service("prior-declaration");
        assert!(permit.silence.is_some(), "a legal delay");
        let first = start(&permit, at(0), "web").state;
        let clerk = Agent {
            login: "paul".into(),
            name: "Paul".into(),
            admin: true,
            roles: vec![],
            software: false,
        };
        let field = permit.fields[0].name.clone();
        let ask = |fields: Vec<String>, reason: &str| {
            apply(
                &permit,
                &first,
                &clerk,
                Command::AskCorrection {
                    fields,
                    reason: reason.into(),
                },
                &[],
                at(1),
            )
        };
        assert_eq!(
            ask(vec![], "Pièce illisible"),
            Err(Refusal::NoFieldToCorrect)
        );
        assert_eq!(ask(vec![field.clone()], " "), Err(Refusal::CommentRequired));
        assert_eq!(
            ask(vec!["nope".into()], "Pièce illisible"),
            Err(Refusal::UnknownField("nope".into()))
        );
        let asked = ask(vec![field.clone(), field.clone()], "Pièce illisible").unwrap();
        assert!(asked.state.waiting_for_citizen);
        assert_eq!(asked.state.waiting_since, Some(at(1)));
        assert!(asked.effects.contains(&Effect::OpenCorrection {
            fields: vec![field.clone()]
        }));
        assert!(asked.effects.iter().any(
            |e| matches!(e, Effect::MessageCitizen { template: Some(t), .. } if t == "correction")
        ));
        assert_eq!(asked.events[0].action, "correction-asked");
        assert!(asked.events[0].citizen_visible);

        // Made three days and a bit later: due four days later, history says what changed.
        let later = at(4)
            .checked_add(jiff::SignedDuration::from_hours(2))
            .unwrap();
        let change = Corrected {
            label: permit.fields[0].label.clone(),
            before: "ancien".into(),
            after: "nouveau".into(),
        };
        let done = corrected(&permit, &asked.state, &[change], "web", later);
        assert!(!done.state.waiting_for_citizen && done.state.waiting_since.is_none());
        assert_eq!(done.effects[0], Effect::PostponeDue { days: 4 });
        assert!(done.effects.contains(&Effect::CloseCorrection));
        assert!(done.effects.contains(&Effect::Unread));
        let words = done.events[0].comment.clone().unwrap();
        assert!(words.contains("« ancien » → « nouveau »"), "{words}");
    }

    #[test]
    fn a_correction_left_unanswered_follows_the_path_its_workflow_says() {
        let mut birth = service("birth-certificate");
        birth.unanswered = None;
        let start = start(&birth, at(0), "web").state;
        let clerk = Agent {
            login: "marie".into(),
            name: "Marie".into(),
            admin: true,
            roles: vec![],
            software: false,
        };
        let asked = apply(
            &birth,
            &start,
            &clerk,
            Command::AskCorrection {
                fields: vec!["motherName".into()],
                reason: "Nom incomplet".into(),
            },
            &[],
            at(1),
        )
        .unwrap()
        .state;
        assert!(asked.waiting_for_citizen);
        assert_eq!(
            unanswered(&birth, &asked, at(400)),
            None,
            "no rule, no jump"
        );
        birth.unanswered = Some(crate::core::catalogue::Unanswered {
            days: 30,
            to: "refused".into(),
        });
        assert_eq!(unanswered(&birth, &asked, at(30)), None, "29 days waited");
        let o = unanswered(&birth, &asked, at(31)).expect("30 days waited");
        assert_eq!(o.state.step, "refused");
        assert!(o.state.finished && !o.state.waiting_for_citizen);
        assert!(o.state.waiting_since.is_none());
        assert!(o.effects.contains(&Effect::CloseCorrection));
        assert!(o.effects.iter().any(
            |e| matches!(e, Effect::MessageCitizen { text: Some(t), .. } if t.contains("30 jours"))
        ));
        assert_eq!(o.events[0].actor, "system");
        assert_eq!(o.events[0].action, "unanswered");
        assert_eq!(unanswered(&birth, &start, at(400)), None, "not waiting");
        assert_eq!(unanswered(&birth, &o.state, at(400)), None, "once");
    }

    #[test]
    fn a_citizens_reply_is_history_news_for_the_department_and_unread_nothing_else() {
        let road = service("road-incident");
        let start = start(&road, at(0), "web").state;
        let o = reply(&start, "  Le trou s'agrandit.  ", "web").unwrap();
        assert_eq!(o.state, start, "the step does not change");
        assert_eq!(o.events.len(), 1);
        let e = &o.events[0];
        assert_eq!(
            (e.actor.as_str(), e.action.as_str()),
            ("citizen:web", "reply")
        );
        assert_eq!(e.comment.as_deref(), Some("Le trou s'agrandit."));
        assert!(e.citizen_visible);
        assert_eq!(
            o.effects,
            [
                Effect::NotifyDepartment {
                    department: start.department.clone(),
                    reason: "citizen-reply".into()
                },
                Effect::Unread
            ]
        );
        assert_eq!(reply(&start, " \n ", "web"), Err(ReplyRefusal::Empty));
        assert_eq!(
            reply(&start, &"x".repeat(REPLY_MAX + 1), "soap"),
            Err(ReplyRefusal::TooLong)
        );
    }

    fn at(day: i64) -> Timestamp {
        let start: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        start.checked_add(Span::new().hours(24 * day)).unwrap()
    }

    fn agent(login: &str, roles: &[(&str, Role)]) -> Agent {
        Agent {
            login: login.into(),
            name: login.into(),
            admin: false,
            roles: roles.iter().map(|(d, r)| (d.to_string(), *r)).collect(),
            software: false,
        }
    }

    fn departments() -> Vec<String> {
        ["etat-civil", "voirie", "population"]
            .map(String::from)
            .to_vec()
    }

    fn act(action: &str) -> Command {
        Command::Act {
            action: action.into(),
            comment: None,
        }
    }

    #[test]
    fn a_birth_certificate_goes_from_submission_to_closed() {
        let svc = service("birth-certificate");
        let clerk = agent(
            "marie",
            &[
                ("etat-civil", Role::Handler),
                ("etat-civil", Role::Validator),
            ],
        );
        let start = start(&svc, at(0), "soap");
        assert_eq!(start.state.step, "received");
        assert_eq!(start.state.department, "etat-civil");
        assert_eq!(start.events[0].action, "submitted");
        assert!(start.events[0].citizen_visible);
        let mut state = start.state;
        let mut effects = Vec::new();
        for (day, action, to) in [
            (1, "take", "taken"),
            (1, "check", "check"),
            (2, "valid", "prepared"),
            (3, "send", "sent"),
        ] {
            let out = apply(&svc, &state, &clerk, act(action), &departments(), at(day)).unwrap();
            assert_eq!(out.state.step, to);
            assert_eq!(out.events.last().unwrap().to_step.as_deref(), Some(to));
            assert_eq!(out.events.last().unwrap().actor, "agent:marie");
            effects.extend(out.effects);
            state = out.state;
        }
        assert!(
            effects.contains(&Effect::Export),
            "prepared marks the request for export"
        );
        assert!(effects.contains(&Effect::MessageCitizen {
            template: Some("sent".into()),
            text: None
        }));
        // Timed jump: 15 days after entering "sent", and not a minute before.
        assert_eq!(tick(&svc, &state, at(17)), None);
        let closed = tick(&svc, &state, at(18)).unwrap();
        assert_eq!(closed.state.step, "closed");
        assert_eq!(closed.events[0].actor, "system");
        assert_eq!(closed.events[0].action, "timeout");
        assert_eq!(
            tick(&svc, &closed.state, at(60)),
            None,
            "nothing moves a finished request"
        );
        assert_eq!(
            apply(
                &svc,
                &closed.state,
                &clerk,
                act("close"),
                &departments(),
                at(19)
            ),
            Err(Refusal::Finished)
        );
        // Reopening needs a reason and goes back to the last working step.
        assert_eq!(
            apply(
                &svc,
                &closed.state,
                &clerk,
                Command::Reopen {
                    comment: " ".into()
                },
                &departments(),
                at(19)
            ),
            Err(Refusal::CommentRequired)
        );
        let reopened = apply(
            &svc,
            &closed.state,
            &clerk,
            Command::Reopen {
                comment: "Acte égaré par La Poste".into(),
            },
            &departments(),
            at(19),
        )
        .unwrap();
        assert_eq!(reopened.state.step, "sent");
    }

    #[test]
    fn rights_are_per_department_and_role() {
        let svc = service("birth-certificate");
        let state = start(&svc, at(0), "web").state;
        let roads = agent("paul", &[("voirie", Role::Handler)]);
        let reader = agent("lea", &[("etat-civil", Role::Reader)]);
        let handler = agent("marie", &[("etat-civil", Role::Handler)]);
        assert!(matches!(
            apply(&svc, &state, &roads, act("take"), &departments(), at(0)),
            Err(Refusal::NotAllowed(_))
        ));
        assert!(matches!(
            apply(&svc, &state, &reader, act("take"), &departments(), at(0)),
            Err(Refusal::NotAllowed(_))
        ));
        assert!(
            apply(
                &svc,
                &state,
                &reader,
                Command::Note { text: "Vu".into() },
                &departments(),
                at(0)
            )
            .is_ok()
        );
        assert!(matches!(
            apply(
                &svc,
                &state,
                &roads,
                Command::Note { text: "Vu".into() },
                &departments(),
                at(0)
            ),
            Err(Refusal::NotAllowed(_))
        ));
        assert_eq!(
            apply(&svc, &state, &handler, act("nope"), &departments(), at(0)),
            Err(Refusal::UnknownAction)
        );
        assert_eq!(
            apply(&svc, &state, &handler, act("refuse"), &departments(), at(0)),
            Err(Refusal::CommentRequired)
        );
        // In "check", refusing is for validators only.
        let check = apply(&svc, &state, &handler, act("take"), &departments(), at(0))
            .unwrap()
            .state;
        let check = apply(&svc, &check, &handler, act("check"), &departments(), at(0))
            .unwrap()
            .state;
        let ids: Vec<&str> = available_actions(&svc, &check, &handler)
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, ["valid"]);
        let admin = Agent {
            admin: true,
            ..agent("admin", &[])
        };
        assert_eq!(available_actions(&svc, &check, &admin).len(), 2);
    }

    #[test]
    fn transfer_then_validation_by_the_emitting_department() {
        let svc = service("road-incident");
        let state = start(&svc, at(0), "web").state;
        let civil = agent("marie", &[("etat-civil", Role::Handler)]);
        let roads = agent("paul", &[("voirie", Role::Handler)]);
        let head = agent("chef", &[("voirie", Role::Validator)]);
        assert_eq!(
            apply(
                &svc,
                &state,
                &roads,
                Command::Transfer {
                    to: "lune".into(),
                    comment: None
                },
                &departments(),
                at(0)
            ),
            Err(Refusal::UnknownDepartment("lune".into()))
        );
        let moved = apply(
            &svc,
            &state,
            &roads,
            Command::Transfer {
                to: "etat-civil".into(),
                comment: Some("Erreur d'aiguillage ?".into()),
            },
            &departments(),
            at(0),
        )
        .unwrap();
        assert_eq!(moved.state.department, "etat-civil");
        assert_eq!(
            moved.effects,
            vec![Effect::NotifyDepartment {
                department: "etat-civil".into(),
                reason: "transferred".into()
            }]
        );
        assert!(!moved.events[0].citizen_visible);
        // Now the civil-status clerk prepares an answer and asks the roads
        // department (which emitted it) to validate it.
        let asked = apply(
            &svc,
            &moved.state,
            &civil,
            Command::AskValidation {
                to: "voirie".into(),
                answer: "Votre signalement relève de la voirie départementale.".into(),
            },
            &departments(),
            at(1),
        )
        .unwrap();
        assert!(asked.state.validation.is_some());
        assert_eq!(
            apply(
                &svc,
                &asked.state,
                &civil,
                Command::AskValidation {
                    to: "voirie".into(),
                    answer: "x".into()
                },
                &departments(),
                at(1)
            ),
            Err(Refusal::ValidationPending)
        );
        assert!(matches!(
            apply(
                &svc,
                &asked.state,
                &roads,
                Command::Decide {
                    approve: true,
                    comment: None
                },
                &departments(),
                at(1)
            ),
            Err(Refusal::NotAllowed(_))
        ));
        let approved = apply(
            &svc,
            &asked.state,
            &head,
            Command::Decide {
                approve: true,
                comment: None,
            },
            &departments(),
            at(2),
        )
        .unwrap();
        assert_eq!(approved.state.validation, None);
        let answer = approved
            .events
            .iter()
            .find(|e| e.action == "answer")
            .unwrap();
        assert!(answer.citizen_visible);
        assert!(approved.effects.iter().any(|e| matches!(e, Effect::MessageCitizen { text: Some(t), .. } if t.contains("départementale"))));
        let refused = apply(
            &svc,
            &asked.state,
            &head,
            Command::Decide {
                approve: false,
                comment: Some("À reformuler".into()),
            },
            &departments(),
            at(2),
        )
        .unwrap();
        assert_eq!(
            refused.effects,
            vec![Effect::NotifyDepartment {
                department: "etat-civil".into(),
                reason: "validation-refused".into()
            }]
        );
    }

    #[test]
    fn waiting_for_the_citizen_stops_the_clock_and_automatic_steps_chain() {
        let svc = service("room-booking");
        let clerk = agent(
            "sam",
            &[
                ("vie-associative", Role::Handler),
                ("vie-associative", Role::Validator),
            ],
        );
        let state = start(&svc, at(0), "web").state;
        let state = apply(&svc, &state, &clerk, act("check"), &departments(), at(0))
            .unwrap()
            .state;
        let state = apply(
            &svc,
            &state,
            &clerk,
            act("agreement"),
            &departments(),
            at(1),
        )
        .unwrap()
        .state;
        let held = apply(
            &svc,
            &state,
            &clerk,
            Command::Hold {
                comment: "Merci de signer la convention.".into(),
            },
            &departments(),
            at(2),
        )
        .unwrap();
        assert!(held.state.waiting_for_citizen);
        assert_eq!(
            tick(&svc, &held.state, at(40)),
            None,
            "no timeout while waiting for the citizen"
        );
        let resumed = apply(
            &svc,
            &held.state,
            &clerk,
            Command::Resume { comment: None },
            &departments(),
            at(5),
        )
        .unwrap();
        assert_eq!(
            tick(&svc, &resumed.state, at(30)).unwrap().state.step,
            "refused"
        );
        assert!(
            !resumed
                .effects
                .iter()
                .any(|e| matches!(e, Effect::PostponeDue { .. })),
            "an ordinary deadline does not move"
        );
        assert_eq!(resumed.state.waiting_since, None);
        // A legal deadline stops while waiting: three days held, three more.
        let legal = room_with("<deadline days=\"10\" silence=\"acceptance\"/>").unwrap();
        let resumed = apply(
            &legal,
            &held.state,
            &clerk,
            Command::Resume { comment: None },
            &departments(),
            at(5),
        )
        .unwrap();
        assert_eq!(held.state.waiting_since, Some(at(2)));
        assert!(resumed.effects.contains(&Effect::PostponeDue { days: 3 }));

        let svc = service("change-of-address");
        let clerk = agent("ana", &[("population", Role::Handler)]);
        let state = start(&svc, at(0), "soap").state;
        let out = apply(&svc, &state, &clerk, act("record"), &departments(), at(0)).unwrap();
        assert_eq!(out.state.step, "closed");
        let path: Vec<_> = out
            .events
            .iter()
            .map(|e| (e.action.as_str(), e.to_step.as_deref().unwrap()))
            .collect();
        assert_eq!(path, [("record", "recorded"), ("jump", "closed")]);
        assert_eq!(
            out.effects,
            vec![
                Effect::Export,
                Effect::MessageCitizen {
                    template: Some(STEP_TEMPLATE.into()),
                    text: None
                }
            ]
        );
    }

    #[test]
    fn broken_workflows_are_refused_when_loaded() {
        let text = builtin::definition("road-incident").unwrap();
        let unknown = text.replace(r#"to="scheduled""#, r#"to="nowhere""#);
        assert!(
            Service::from_xml(&unknown)
                .unwrap_err()
                .message
                .contains("nowhere")
        );
        let looping = text.replace(
            r##"<step id="qualified" label="Qualifié" citizen="Signalement examiné" citizenEn="Report examined" colour="#b34000">"##,
            r##"<step id="qualified" label="Qualifié" citizen="Signalement examiné" citizenEn="Report examined" colour="#b34000"><onEnter><jump to="scheduled"/></onEnter>"##,
        ).replace("<onEnter><export/></onEnter>", r#"<onEnter><jump to="qualified"/></onEnter>"#);
        assert!(
            Service::from_xml(&looping)
                .unwrap_err()
                .message
                .contains("loop")
        );
        let bad_role = text.replace(r#"roles="handler""#, r#"roles="boss""#);
        assert!(Service::from_xml(&bad_role).is_err());
    }
    fn room_with(deadline: &str) -> Result<Service, crate::core::catalogue::DefinitionError> {
        let text = builtin::definition("room-booking")
            .unwrap()
            .replace("<deadline days=\"10\"/>", deadline);
        Service::from_xml(&text)
    }

    #[test]
    fn a_legal_deadline_decides_by_silence_the_day_after_it_runs_out() {
        let day = |d: i8| jiff::civil::date(2026, 12, d);
        for (silence, step, words) in [
            ("acceptance", "confirmed", "le silence vaut accord"),
            ("refusal", "refused", "le silence vaut rejet"),
        ] {
            let svc = room_with(&format!("<deadline days=\"10\" silence=\"{silence}\"/>")).unwrap();
            let state = start(&svc, at(0), "web").state;
            assert!(
                silence_at(&svc, &state, day(10), day(10)).is_none(),
                "not on the due date itself"
            );
            let out = silence_at(&svc, &state, day(10), day(11)).expect("decided the day after");
            assert_eq!(out.state.step, step);
            assert!(out.state.finished);
            let event = out.events.first().unwrap();
            assert_eq!(
                (event.actor.as_str(), event.action.as_str()),
                ("system", "silence")
            );
            assert!(event.comment.as_deref().unwrap().contains(words));
            assert!(out.effects.iter().any(|e| matches!(e,
                Effect::MessageCitizen { text: Some(t), .. } if t.contains(words))));
            let mut waiting = state.clone();
            waiting.waiting_for_citizen = true;
            assert!(
                silence_at(&svc, &waiting, day(10), day(20)).is_none(),
                "not while waiting for the requester"
            );
            let done = out.state;
            assert!(
                silence_at(&svc, &done, day(10), day(20)).is_none(),
                "not once decided"
            );
        }
        let plain = room_with("<deadline days=\"10\"/>").unwrap();
        let state = start(&plain, at(0), "web").state;
        assert!(
            silence_at(&plain, &state, day(1), day(20)).is_none(),
            "no legal deadline, no silence"
        );
    }

    #[test]
    fn a_silence_needs_a_final_step_to_lead_to() {
        let err = room_with("<deadline days=\"10\" silence=\"acceptance\" then=\"received\"/>")
            .unwrap_err();
        assert!(err.message.contains("must be final"), "{err}");
        let err = room_with("<deadline days=\"10\" silence=\"acceptance\" then=\"nowhere\"/>")
            .unwrap_err();
        assert!(err.message.contains("no such step"), "{err}");
        let road = builtin::definition("road-incident").unwrap().replace(
            "<deadline days=\"15\"/>",
            "<deadline days=\"15\" silence=\"refusal\"/>",
        );
        let err = Service::from_xml(&road).unwrap_err();
        assert!(err.message.contains("\"refused\""), "{err}");
        let svc =
            room_with("<deadline days=\"10\" silence=\"refusal\" then=\"confirmed\"/>").unwrap();
        assert_eq!(
            svc.silence.as_ref().unwrap().to,
            "confirmed",
            "a final step named"
        );
    }

    fn silence_at(
        svc: &Service,
        state: &RequestState,
        due: jiff::civil::Date,
        today: jiff::civil::Date,
    ) -> Option<Outcome> {
        silence(svc, state, due, today, at(30))
    }
}
