//! Agents' commands on a request, and the system's timed jumps.
//!
//! Who may read a request is decided here (a role in its department, or the
//! validator asked); what a command does is decided by the workflow engine
//! ([`crate::core::workflow`]) on the definition version the request was
//! submitted under; the store applies the outcome only on the revision it
//! was decided on, so two agents acting at once never both win.

use super::App;
use crate::core::catalogue::Service;
use crate::core::tracking::Reference;
use crate::core::workflow::{self, Agent, Command, Refusal, Role};
use crate::store::{OpenRequest, StoreError, WorkItem};
use crate::tenant::Site;
use std::sync::Arc;

/// Why an agent's command was not applied.
#[derive(Debug)]
pub enum ActError {
    /// No such request in this tenant.
    NotFound,
    /// The agent may not open this request.
    Forbidden,
    /// The page was decided on another revision, or somebody changed the
    /// request meanwhile: here it is as it is now.
    Conflict(Box<WorkItem>),
    /// The engine refused the command, and why (in French).
    Refused(Box<WorkItem>, Refusal),
    Unavailable(StoreError),
}

impl From<StoreError> for ActError {
    fn from(e: StoreError) -> ActError {
        ActError::Unavailable(e)
    }
}

/// What an applied command leaves.
#[derive(Debug, Clone)]
pub struct Acted {
    pub reference: Reference,
    /// Whether the agent may still open the request (a transfer to another
    /// department takes it out of their sight).
    pub still_readable: bool,
    /// The request's revision now.
    pub revision: i64,
    /// Its step now, and whether it is finished.
    pub step: String,
    pub finished: bool,
}

/// Whether an agent may open a request: a role in its department, or the
/// validator of the department asked to validate its answer.
pub fn can_read(agent: &Agent, item: &WorkItem) -> bool {
    agent.can(&item.state.department, Role::Reader)
        || item
            .state
            .validation
            .as_ref()
            .is_some_and(|v| agent.can(&v.to, Role::Validator))
}

/// A request the agent may read, with the definition it was submitted under.
pub async fn readable(
    app: &App,
    site: &Site,
    agent: &Agent,
    reference: Reference,
) -> Result<(WorkItem, Arc<Service>), ActError> {
    let item = app
        .store
        .work_item(site.tenant.id, reference)
        .await?
        .ok_or(ActError::NotFound)?;
    // A test request is the agents': unknown to business software.
    if agent.software && item.record.test {
        return Err(ActError::NotFound);
    }
    if !can_read(agent, &item) {
        return Err(ActError::Forbidden);
    }
    let service = definition(site, &item)?;
    Ok((item, service))
}

fn definition(site: &Site, item: &WorkItem) -> Result<Arc<Service>, ActError> {
    site.tenant
        .service_version(&item.record.service_code, item.record.service_version)
        .cloned()
        .ok_or_else(|| {
            ActError::Unavailable(StoreError::Corrupt(format!(
                "definition {} v{} missing",
                item.record.service_code, item.record.service_version
            )))
        })
}

/// Which revision of the request a command was decided on.
#[derive(Debug, Clone, Copy)]
pub enum Revision {
    /// The one the agent's page showed (`None`: the page said none, which
    /// is a conflict).
    Seen(Option<i64>),
    /// Whatever the request is now: business software that names no
    /// revision acts on the request as it finds it.
    Latest,
}

/// Applies `command` to the request as the agent saw it at `seen_revision`.
pub async fn act(
    app: &App,
    site: &Site,
    agent: &Agent,
    reference: Reference,
    seen_revision: Option<i64>,
    command: Command,
) -> Result<Acted, ActError> {
    act_all(
        app,
        site,
        agent,
        reference,
        Revision::Seen(seen_revision),
        vec![command],
    )
    .await
}

/// Applies `commands` at once (all or none, one revision), decided on the
/// revision given.
pub async fn act_all(
    app: &App,
    site: &Site,
    agent: &Agent,
    reference: Reference,
    revision: Revision,
    commands: Vec<Command>,
) -> Result<Acted, ActError> {
    let (item, service) = readable(app, site, agent, reference).await?;
    if let Revision::Seen(seen) = revision
        && seen != Some(item.revision)
    {
        return Err(ActError::Conflict(Box::new(item)));
    }
    if item.record.anonymised_at.is_some() {
        return Err(ActError::Refused(Box::new(item), Refusal::Anonymised));
    }
    let now = app.now();
    let outcome = match workflow::apply_all(
        &service,
        &item.state,
        agent,
        commands,
        &site.department_codes(),
        now,
    ) {
        Ok(o) => o,
        Err(refusal) => return Err(ActError::Refused(Box::new(item), refusal)),
    };
    let still_readable = {
        let mut after = item.clone();
        after.state = outcome.state.clone();
        can_read(agent, &after)
    };
    let (step, finished) = (outcome.state.step.clone(), outcome.state.finished);
    match app
        .store
        .apply(site.tenant.id, reference, item.revision, outcome, now)
        .await
    {
        Ok(revision) => {
            tracing::info!(tenant = %site.tenant.slug, actor = %agent.actor(), %reference, "request changed");
            Ok(Acted {
                reference,
                still_readable,
                revision,
                step,
                finished,
            })
        }
        Err(StoreError::Conflict) => {
            let fresh = app
                .store
                .work_item(site.tenant.id, reference)
                .await?
                .ok_or(ActError::NotFound)?;
            if !can_read(agent, &fresh) {
                return Err(ActError::Forbidden);
            }
            Err(ActError::Conflict(Box::new(fresh)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Applies what the system decides of a request as it is now (`decide`:
/// its definition and state to an outcome, e.g. a call's answer), with the
/// revision check; decided again on the fresh request when somebody changed
/// it meanwhile. `Ok(false)` when there is no such request any more.
pub async fn as_system(
    app: &App,
    site: &Site,
    reference: Reference,
    decide: impl Fn(&Service, &WorkItem) -> workflow::Outcome,
) -> Result<bool, StoreError> {
    for _ in 0..5 {
        let Some(item) = app.store.work_item(site.tenant.id, reference).await? else {
            return Ok(false);
        };
        let service = definition(site, &item).map_err(|e| match e {
            ActError::Unavailable(e) => e,
            _ => StoreError::Invalid("definition".into()),
        })?;
        if item.record.anonymised_at.is_some() {
            return Ok(true);
        }
        let now = app.now();
        let outcome = decide(&service, &item);
        match app
            .store
            .apply(site.tenant.id, reference, item.revision, outcome, now)
            .await
        {
            Ok(_) => return Ok(true),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict)
}

/// One request of a mass action, before it is confirmed.
pub struct MassCandidate {
    pub item: WorkItem,
    pub service: Arc<Service>,
    /// The action's label in this request's step.
    pub label: String,
}

/// The requests among `references` on which the agent may take `action`
/// without a comment (mass actions never ask for one), and how many were
/// left out.
pub async fn mass_candidates(
    app: &App,
    site: &Site,
    agent: &Agent,
    action: &str,
    references: &[Reference],
) -> Result<(Vec<MassCandidate>, u32), StoreError> {
    let mut candidates = Vec::new();
    let mut skipped = 0;
    for &reference in references {
        let item = match app.store.work_item(site.tenant.id, reference).await? {
            Some(item) if can_read(agent, &item) => item,
            _ => {
                skipped += 1;
                continue;
            }
        };
        let Ok(service) = definition(site, &item) else {
            skipped += 1;
            continue;
        };
        let possible = workflow::available_actions(&service, &item.state, agent)
            .into_iter()
            .find(|a| a.id == action && !a.comment_required);
        match possible {
            Some(a) => candidates.push(MassCandidate {
                label: a.label.clone(),
                item,
                service,
            }),
            None => skipped += 1,
        }
    }
    Ok((candidates, skipped))
}

/// Takes `action` on every candidate: `(done, skipped)`. A request changed
/// meanwhile, or on which the engine now refuses, is skipped.
pub async fn mass_act(
    app: &App,
    site: &Site,
    agent: &Agent,
    action: &str,
    candidates: Vec<MassCandidate>,
) -> Result<(u32, u32), StoreError> {
    let (mut done, mut skipped) = (0, 0);
    for c in candidates {
        let now = app.now();
        let command = Command::Act {
            action: action.to_owned(),
            comment: None,
        };
        let outcome = match workflow::apply(
            &c.service,
            &c.item.state,
            agent,
            command,
            &site.department_codes(),
            now,
        ) {
            Ok(o) => o,
            Err(_) => {
                skipped += 1;
                continue;
            }
        };
        match app
            .store
            .apply(
                site.tenant.id,
                c.item.record.reference,
                c.item.revision,
                outcome,
                now,
            )
            .await
        {
            Ok(_) => done += 1,
            Err(StoreError::Conflict) => skipped += 1,
            Err(e) => return Err(e),
        }
    }
    tracing::info!(tenant = %site.tenant.slug, agent = %agent.login, %action, done, skipped, "mass action");
    Ok((done, skipped))
}

/// Applies the timed jumps that are due at the clock's "now" (steps left
/// too long, waits for the citizen left unanswered) and the decisions legal
/// deadlines take by silence, as the system. A request changed meanwhile by
/// an agent is left for the next run. Returns how many requests moved.
pub async fn run_timers(app: &App) -> Result<usize, StoreError> {
    let now = app.now();
    let mut moved = 0;
    // A disabled town is left as it is.
    for site in app.all_sites().iter().filter(|s| s.enabled) {
        let today = now.to_zoned(site.tenant.time_zone.clone()).date();
        let service = |open: &OpenRequest| {
            site.tenant
                .service_version(&open.service_code, open.service_version)
        };
        let mut due = Vec::new();
        for open in app.store.open_requests(site.tenant.id).await? {
            if let Some(outcome) = service(&open).and_then(|service| {
                workflow::tick(service, &open.state, now)
                    .or_else(|| workflow::silence(service, &open.state, open.due_date, today, now))
            }) {
                due.push((open, outcome));
            }
        }
        for waiting in app.store.waiting_requests(site.tenant.id).await? {
            if let Some(outcome) = service(&waiting)
                .and_then(|service| workflow::unanswered(service, &waiting.state, now))
            {
                due.push((waiting, outcome));
            }
        }
        for (open, outcome) in due {
            match app
                .store
                .apply(site.tenant.id, open.reference, open.revision, outcome, now)
                .await
            {
                Ok(_) => moved += 1,
                Err(StoreError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(moved)
}
