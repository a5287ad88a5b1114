//! A request's page and the agents' commands on it (act, transfer, ask for
//! validation, decide, note, answer, hold, resume, reopen).

use crate::core::catalogue::Service;
use crate::core::files::RawFile;
use crate::core::tracking::Reference;
use crate::core::workflow;
use crate::core::workflow::Command;
use crate::core::workflow::{Agent, Role};
use crate::store::{DeliveryRecord, StoredEvent};
use crate::store::{StandardAnswer, WorkItem};
use crate::tenant::Site;
use crate::usecases::act::{self, ActError};
use crate::usecases::letters::{self, AddError};
use crate::web::backoffice::view::*;
use crate::web::backoffice::{bar, bo_page, forbidden, today, unavailable};
use crate::web::printed::{Printed, request_document};
use crate::web::route::Ctx;
use crate::web::view::Frame;
use crate::web::view::{Xml, service_title};
use crate::web::{Body, Fields, not_found, plain, redirect};
use hyper::{Response, StatusCode};
use jiff::civil::Date;

/// A request the agent may read, or the response that says why not.
async fn readable_item(
    cx: &Ctx<'_>,
    reference: &str,
) -> Result<(WorkItem, std::sync::Arc<crate::core::catalogue::Service>), Response<Body>> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let Some(reference) = Reference::parse(reference) else {
        return Err(not_found(site, frame, req));
    };
    act::readable(app, site, &session.record.agent, reference)
        .await
        .map_err(|e| refused(cx, e))
}

/// The page that says why an agent's request went nowhere; a conflict or a
/// refusal is shown by the caller with the request.
fn refused(cx: &Ctx<'_>, e: ActError) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let _session = cx.session();
    match e {
        ActError::NotFound => not_found(site, frame, req),
        ActError::Forbidden => forbidden(cx),
        ActError::Unavailable(e) => unavailable(&e),
        ActError::Conflict(_) | ActError::Refused(..) => {
            plain(StatusCode::CONFLICT, &frame.message("bo.notice.conflict"))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_request(
    cx: &Ctx<'_>,
    item: &WorkItem,
    service: &crate::core::catalogue::Service,
    status: StatusCode,
    notice: Option<(&str, &str)>,
) -> Response<Body> {
    let (app, site, frame, _req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let answers: Vec<StandardAnswer> = app
        .store
        .standard_answers(site.tenant.id)
        .await
        .unwrap_or_default();
    let commands = commands(
        service,
        item,
        &session.record.agent,
        &answers,
        &session.token,
    );
    let sent = app
        .store
        .deliveries(site.tenant.id, Some(item.record.reference))
        .await
        .unwrap_or_default();
    // The message it was made of, for a request received by e-mail or SMS.
    let origin = if matches!(item.record.channel.as_str(), "email" | "sms") {
        match app
            .store
            .inbound_of_request(site.tenant.id, item.record.reference)
            .await
        {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(tenant = %site.tenant.slug, error = %e, "the message of a request not read");
                None
            }
        }
    } else {
        None
    };
    let v = request_view(
        frame,
        site,
        &bar(session),
        service,
        item,
        &commands,
        notice,
        today(app, site),
        &sent,
        origin,
    );
    bo_page(cx, status, "bo-request.xsl", v)
}

async fn request_page(cx: &Ctx<'_>, reference: &str) -> Response<Body> {
    let (frame, req) = (cx.frame, cx.req);
    let _session = cx.session();
    let (item, service) = match readable_item(cx, reference).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let recorded = cx
        .query("recorded")
        .and_then(|c| crate::web::view::Desk::intake(&c).map(|_| c))
        .map(|c| {
            let how = frame.message(&format!("intake.how.{c}"));
            frame.format("bo.request.recorded", &[("how", &how)])
        });
    let saved = (!req.query_values("saved").is_empty())
        .then(|| frame.message("bo.notice.done"))
        .or(recorded);
    // Opened by an agent: the citizen's replies are read.
    if let Err(e) = cx
        .app
        .store
        .mark_read(cx.site.tenant.id, item.record.reference)
        .await
    {
        tracing::warn!(error = %e, "could not mark the replies read");
    }
    show_request(
        cx,
        &item,
        &service,
        StatusCode::OK,
        saved.as_deref().map(|n| ("success", n)),
    )
    .await
}

/// The request as a PDF, for an agent who may read it (to print or send).
pub(super) async fn request_pdf(cx: &Ctx<'_>) -> Response<Body> {
    printed(cx, Printed::Request).await
}

/// Its receipt as a PDF.
pub(super) async fn receipt_pdf(cx: &Ctx<'_>) -> Response<Body> {
    printed(cx, Printed::Receipt).await
}

async fn printed(cx: &Ctx<'_>, which: Printed) -> Response<Body> {
    match readable_item(cx, cx.param("reference")).await {
        Ok((item, _)) => request_document(cx, &item, which, None).await,
        Err(r) => r,
    }
}

/// The request page again, saying why the agent's file was not added.
async fn refused_file(cx: &Ctx<'_>, reference: Reference, why: String) -> Response<Body> {
    match readable_item(cx, &reference.to_string()).await {
        Ok((item, service)) => {
            show_request(
                cx,
                &item,
                &service,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(("error", &why)),
            )
            .await
        }
        Err(r) => r,
    }
}

/// The command a request page's form asks for.
fn command(fields: &Fields, answers: &[StandardAnswer]) -> Option<Command> {
    let comment = fields.text("comment");
    Some(match fields.get("command")? {
        "act" => Command::Act {
            action: fields.get("action")?.to_owned(),
            comment,
        },
        "transfer" => Command::Transfer {
            to: fields.get("to")?.to_owned(),
            comment,
        },
        "ask-validation" => Command::AskValidation {
            to: fields.get("to")?.to_owned(),
            answer: fields.get("text").unwrap_or("").to_owned(),
        },
        "decide" => Command::Decide {
            approve: fields.get("approve")? == "yes",
            comment,
        },
        "note" => Command::Note {
            text: fields.get("text").unwrap_or("").to_owned(),
        },
        "answer" => {
            // The typed text wins; otherwise the chosen standard answer.
            let text = fields.text("text").or_else(|| {
                let id: i64 = fields.get("standard")?.parse().ok()?;
                answers.iter().find(|a| a.id == id).map(|a| a.text.clone())
            });
            Command::Answer {
                text: text.unwrap_or_default(),
            }
        }
        "ask-correction" => Command::AskCorrection {
            fields: fields.all("field").into_iter().map(str::to_owned).collect(),
            reason: comment.unwrap_or_default(),
        },
        "hold" => Command::Hold {
            comment: comment.unwrap_or_default(),
        },
        "resume" => Command::Resume { comment },
        "reopen" => Command::Reopen {
            comment: comment.unwrap_or_default(),
        },
        _ => return None,
    })
}

async fn act(cx: &Ctx<'_>, reference: &str, fields: &Fields) -> Response<Body> {
    let (app, site, frame, req) = (cx.app, cx.site, cx.frame, cx.req);
    let session = cx.session();
    let Some(reference) = Reference::parse(reference) else {
        return not_found(site, frame, req);
    };
    let answers = app
        .store
        .standard_answers(site.tenant.id)
        .await
        .unwrap_or_default();
    let revision: Option<i64> = fields.get("revision").and_then(|r| r.parse().ok());
    let agent = &session.record.agent;
    let send = fields.get("send") == Some("yes");
    let result = match fields.get("command") {
        // The town's documents: the step's letter, a file the agent brings.
        Some("letter") => {
            letters::letter(
                app,
                site,
                agent,
                reference,
                revision,
                fields.text("comment"),
                send,
            )
            .await
        }
        Some("add-file") => {
            let raw = match fields.file("file").filter(|f| !f.bytes.is_empty()) {
                Some(f) => RawFile {
                    file_name: f.file_name.clone(),
                    bytes: f.bytes.clone(),
                },
                None => {
                    return refused_file(cx, reference, frame.message("bo.command.add-file-none"))
                        .await;
                }
            };
            let shown = crate::core::files::base_name(&raw.file_name).to_owned();
            match letters::add_file(
                app,
                site,
                agent,
                reference,
                crate::usecases::act::Revision::Seen(revision),
                raw,
                fields.text("comment"),
                send,
            )
            .await
            {
                Ok(done) => Ok(done),
                Err(AddError::File(problem)) => {
                    let why = problem.words(&letters::agent_file_rule(), &shown);
                    return refused_file(
                        cx,
                        reference,
                        frame.format("bo.command.add-file-refused", &[("reason", &why)]),
                    )
                    .await;
                }
                Err(AddError::Act(e)) => Err(e),
            }
        }
        _ => {
            let Some(command) = command(fields, &answers) else {
                return plain(StatusCode::BAD_REQUEST, "Commande inconnue.");
            };
            act::act(app, site, agent, reference, revision, command).await
        }
    };
    let (item, status, kind, text) = match result {
        Ok(done) if done.still_readable => {
            return redirect(&format!(
                "{}/backoffice/requests/{}?saved=1",
                frame.base, done.reference
            ));
        }
        Ok(_) => return redirect(&format!("{}/backoffice/?saved=1", frame.base)),
        // Decided on an older page, or changed meanwhile: say so and
        // show the request as it is now.
        Err(ActError::Conflict(item)) => (
            item,
            StatusCode::CONFLICT,
            "conflict",
            frame.message("bo.notice.conflict"),
        ),
        Err(ActError::Refused(item, refusal)) => (
            item,
            StatusCode::UNPROCESSABLE_ENTITY,
            "error",
            frame.format("bo.refused", &[("reason", &refusal.to_string())]),
        ),
        Err(e) => return refused(cx, e),
    };
    let Some(service) = site
        .tenant
        .service_version(&item.record.service_code, item.record.service_version)
    else {
        return not_found(site, frame, req);
    };
    show_request(cx, &item, service, status, Some((kind, &text))).await
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    request_page(cx, cx.param("reference")).await
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    act(cx, cx.param("reference"), &cx.fields).await
}

/// A file of the request, for an agent who may read it.
pub(super) async fn file(cx: &Ctx<'_>) -> Response<Body> {
    let (item, _) = match readable_item(cx, cx.param("reference")).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Ok(id) = cx.param("file").parse::<i64>() else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    match crate::usecases::files::read(cx.app, &item.record, id).await {
        Ok(Some((file, bytes))) => crate::web::file_download(&file, bytes),
        Ok(None) => not_found(cx.site, cx.frame, cx.req),
        Err(e) => crate::web::plain(StatusCode::SERVICE_UNAVAILABLE, &e),
    }
}

/// The request's files: each with what it was sent as (its field, or the
/// agent who added it), its name, type and size, and where to download it.
fn files_view(frame: &Frame, x: &mut Xml, service: &Service, item: &WorkItem) {
    if item.record.attachments.is_empty() {
        return;
    }
    let reference = item.record.reference.to_string();
    x.open("files", &[]);
    for a in &item.record.attachments {
        let href = format!(
            "{}/backoffice/requests/{reference}/files/{}",
            frame.base, a.id
        );
        let origin = match &a.field {
            Some(f) if f == "@message" => frame.message("bo.files.by-message"),
            Some(f) => service
                .field(f)
                .map_or_else(|| f.clone(), |f| f.label.clone()),
            None => frame.format(
                "bo.files.by-agent",
                &[(
                    "agent",
                    a.added_by
                        .strip_prefix("agent:")
                        .or_else(|| a.added_by.strip_prefix("api:"))
                        .unwrap_or(&a.added_by),
                )],
            ),
        };
        let size = crate::core::files::size_words(a.size);
        x.open(
            "file",
            &[
                ("href", &href),
                ("media-type", &a.media_type),
                ("size", &size),
            ],
        );
        x.text("origin", &[], &origin);
        x.text("name", &[], &a.name);
        x.close("file");
    }
    x.close("files");
}

// The views of these pages (`xsd/view.xsd`, `docs/backoffice-views.md`).

fn event_kind(action: &str) -> &'static str {
    match action {
        "submitted" => "submitted",
        "note" => "note",
        "answer" => "answer",
        "transfer" => "transfer",
        "ask-validation" | "validated" | "validation-refused" => "validation",
        "hold" | "resume" | "correction-asked" | "corrected" => "hold",
        "reply" => "reply",
        "letter" | "file-added" | "files-deleted" => "document",
        _ => "step",
    }
}

fn who(frame: &Frame, e: &StoredEvent) -> String {
    if let Some(login) = e.actor.strip_prefix("agent:") {
        return e.actor_name.clone().unwrap_or_else(|| login.to_owned());
    }
    if let Some(login) = e.actor.strip_prefix("api:") {
        let name = e.actor_name.clone().unwrap_or_else(|| login.to_owned());
        return frame.format("bo.who.software", &[("name", &name)]);
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
pub(crate) struct Commands<'a> {
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
    /// Make the step's letter, add a file (at any step).
    pub documents: bool,
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
            || self.documents
    }
}

/// What an agent may do to a request now (rights per department and role).
pub(super) fn commands<'a>(
    service: &'a Service,
    item: &WorkItem,
    agent: &Agent,
    answers: &'a [StandardAnswer],
    token: &'a str,
) -> Commands<'a> {
    let s = &item.state;
    let dept = s.department.as_str();
    // Nothing is done to a request whose data is erased.
    let handler = agent.can(dept, Role::Handler) && item.record.anonymised_at.is_none();
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
        note: agent.can(dept, Role::Reader) && item.record.anonymised_at.is_none(),
        documents: handler,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn request_view(
    frame: &Frame,
    site: &Site,
    b: &Bar,
    service: &Service,
    item: &WorkItem,
    commands: &Commands,
    notice: Option<(&str, &str)>,
    today: Date,
    sent: &[DeliveryRecord],
    origin: Option<i64>,
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
            ("test", bool_str(item.record.test)),
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
    let places = site.look.get().places.clone();
    if let Some(d) = places.district(&item.record.district) {
        let text = match &d.sector {
            Some(sector) => frame.format(
                "bo.request.district-in-sector",
                &[("district", &d.name), ("sector", sector)],
            ),
            None => d.name.clone(),
        };
        x.text("district", &[("code", &d.code)], &text);
    }
    if let Some(person) = item.record.person_id {
        let href = format!("{}/backoffice/people/{person}", frame.base);
        x.empty("requester-file", &[("href", &href)]);
    }
    if let Some(id) = origin {
        let href = format!("{}/backoffice/inbound/{id}", frame.base);
        x.empty("origin-message", &[("href", &href)]);
    }
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
    if let Some(at) = item.record.anonymised_at {
        let (when, iso) = date_time(frame, at);
        x.text(
            "anonymised",
            &[("date", &iso)],
            &frame.format("bo.request.anonymised", &[("date", &when)]),
        );
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
        for (label, value) in crate::core::describe::values(service, &item.rows, requester) {
            x.text("item", &[("label", &label)], &value);
        }
        x.close(name);
    }
    files_view(frame, &mut x, service, item);
    let path = format!("/backoffice/requests/{}", item.record.reference);
    crate::web::printed::links(&mut x, frame, &path, true);
    history_view(frame, site, &mut x, service, &item.events);
    deliveries_view(frame, &mut x, "deliveries", sent);
    if commands.any() {
        commands_view(frame, site, &mut x, item, commands);
    }
    x.close("request");
    x.close("page");
    x.finish()
}

/// What happened to the request, step by step, with who did it.
fn history_view(
    frame: &Frame,
    site: &Site,
    x: &mut Xml,
    service: &Service,
    events: &[StoredEvent],
) {
    x.open("history", &[]);
    for e in events {
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
}

/// The forms that keep a document of the town's with the request: the
/// letter of its step, a file; each may go to the requester's address.
fn documents_view(frame: &Frame, site: &Site, x: &mut Xml, item: &WorkItem) {
    let email = item
        .rows
        .iter()
        .find(|(p, _)| p == &format!("{}/email", crate::core::forms::REQUESTER))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty());
    let step = site
        .tenant
        .service_version(&item.record.service_code, item.record.service_version)
        .and_then(|s| s.step(&item.record.step))
        .map_or_else(|| item.record.step.clone(), |s| s.label.clone());
    let send = |x: &mut Xml| {
        match email {
            Some(address) => x.text(
                "send",
                &[("email", address)],
                &frame.format("bo.command.send-document", &[("email", address)]),
            ),
            None => x.text("no-email", &[], &frame.message("bo.command.no-email")),
        };
    };
    x.open("letter", &[]);
    x.text(
        "legend",
        &[],
        &frame.format("bo.command.letter", &[("step", &step)]),
    );
    send(x);
    x.close("letter");
    let rule = letters::agent_file_rule();
    let accept = crate::core::files::accept_list(&rule.accept);
    let help = frame.format(
        "form.file.limits",
        &[
            ("kinds", &crate::core::files::kinds_words(&rule.accept)),
            ("size", &crate::core::files::size_words(rule.max_bytes)),
        ],
    );
    x.open("add-file", &[("accept", &accept), ("help", &help)]);
    send(x);
    x.close("add-file");
}

/// The forms of the commands the agent may give on this request.
fn commands_view(frame: &Frame, site: &Site, x: &mut Xml, item: &WorkItem, commands: &Commands) {
    let action = format!(
        "{}/backoffice/requests/{}",
        frame.base, item.record.reference
    );
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
            .filter(|d| d.code != item.state.department)
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
    // A correction is asked when the request could be put on hold: the
    // service's own fields to choose from.
    if commands.hold
        && let Some(service) = site
            .tenant
            .service_version(&item.record.service_code, item.record.service_version)
    {
        x.open("correction", &[]);
        for f in &service.fields {
            x.text("field", &[("name", &f.name)], &f.label);
        }
        x.close("correction");
    }
    if commands.documents {
        documents_view(frame, site, x, item);
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
