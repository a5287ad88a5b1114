//! The SOAP channel: envelope in, envelope out. The only module that knows
//! envelopes; it turns a call into a core [`Submission`] or a status query.
//!
//! Dispatch is on the qualified name of the Body's child, never on SOAPAction
//! and never on prefixes (WS-I BP 1.1).

pub mod envelope;
pub mod exchange;
pub mod fault;
pub mod version;
pub mod wsdl;

use crate::core::forms::{FieldError, RawValue};
use crate::core::intake::{Channel, Submission};
use crate::core::status::{self, CitizenStatus, RequestRecord};
use crate::core::tenant::Audience;
use crate::core::tracking::TrackingCode;
use crate::tenant::Site;
use crate::tenant::dates::xs_date_time;
use crate::usecases::App;
use crate::usecases::submit::{self, SubmitError};
use crate::xml::{Element, escape, push_text_element};
use envelope::Version;
use fault::Fault;
use jiff::tz::TimeZone;

const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A SOAP response: HTTP status and envelope.
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// Handles one SOAP call to a tenant's endpoint. `base_url` is the scheme and
/// authority the client used (`http://127.0.0.1:8080`), for tracking links.
pub async fn call(
    app: &App,
    site: &Site,
    audience: Audience,
    version: Version,
    body: &[u8],
    base_url: &str,
) -> Response {
    let ns = site.tenant.namespace();
    let result = match envelope::parse(body, version, app.config.limits.xml) {
        Ok(env) => dispatch(app, site, audience, &env.body, base_url).await,
        Err(fault) => Err(fault),
    };
    Response::answer(result, version, &ns)
}

impl Response {
    /// The envelope answering a call: its payload, or its fault (counted
    /// for the operators' metrics).
    fn answer(result: Result<String, Fault>, version: Version, ns: &str) -> Response {
        match result {
            Ok(payload) => Response {
                status: 200,
                body: envelope::wrap(version, &payload),
            },
            Err(fault) => {
                crate::metrics::soap_fault(fault.code.as_str());
                Response {
                    status: fault.http_status(version),
                    body: fault.to_envelope(version, ns),
                }
            }
        }
    }
}

async fn dispatch(
    app: &App,
    site: &Site,
    audience: Audience,
    payload: &Element,
    base_url: &str,
) -> Result<String, Fault> {
    let tenant = &site.tenant;
    let ns = tenant.namespace();
    if payload.ns.as_deref() != Some(ns.as_str()) {
        return Err(unknown_operation(payload, &ns));
    }
    match payload.name.as_str() {
        wsdl::LIST_SERVICES => Ok(list_services(site, audience, &ns)),
        wsdl::GET_REQUEST_STATUS => get_request_status(app, site, audience, payload, &ns).await,
        wsdl::REPLY_TO_REQUEST => reply_to_request(app, site, audience, payload, &ns).await,
        name => {
            let service = tenant
                .offered(audience)
                .find(|s| s.submit_operation() == name)
                .ok_or_else(|| unknown_operation(payload, &ns))?;
            let mut entries = raw_entries(payload, &ns, None).map_err(Fault::invalid)?;
            files_from_base64(service, payload, &mut entries).map_err(Fault::invalid)?;
            if service.simulation.is_some() {
                return simulate(app, site, service, name, &entries, &ns);
            }
            let submission = Submission {
                channel: Channel::Soap,
                entries,
                // Business software and town sites speak French here.
                lang: "fr".to_owned(),
                citizen_id: None,
                recorded_by: None,
                inbound: None,
            };
            let receipt = submit::submit(app, site, service, &submission)
                .await
                .map_err(|e| match e {
                    SubmitError::Invalid(errors) => Fault::invalid(errors),
                    SubmitError::Unavailable(_) => Fault::server(
                        "Erreur interne : la demande n'a pas été enregistrée. Réessayez plus tard.",
                    ),
                })?;
            let code = &receipt.tracking_code;
            let mut out = String::with_capacity(512);
            out.push('<');
            out.push_str(name);
            out.push_str("Response xmlns=\"");
            out.push_str(&escape(&ns));
            out.push_str("\"><receipt>");
            push_text_element(&mut out, "reference", &receipt.reference.to_string());
            push_text_element(&mut out, "trackingCode", &code.to_string());
            push_text_element(&mut out, "dueDate", &receipt.due_date.to_string());
            push_text_element(
                &mut out,
                "submittedAt",
                &xs_date_time(receipt.submitted_at.timestamp(), &tenant.time_zone),
            );
            // Agents follow their requests at the testers' desk of the back office.
            let desk = crate::tenant::desk_prefix(audience);
            push_text_element(
                &mut out,
                "trackingUrl",
                &format!("{base_url}/{}{desk}/track/{code}", tenant.slug),
            );
            out.push_str("</receipt></");
            out.push_str(name);
            out.push_str("Response>");
            Ok(out)
        }
    }
}

/// A simulation's answer: each result, computed at once; nothing stored.
fn simulate(
    app: &App,
    site: &Site,
    service: &crate::core::catalogue::Service,
    name: &str,
    entries: &[(String, crate::core::forms::RawValue)],
    ns: &str,
) -> Result<String, Fault> {
    let today = app.now().to_zoned(site.tenant.time_zone.clone()).date();
    let answers =
        crate::usecases::simulate::simulate(service, entries, today).map_err(|e| match e {
            crate::usecases::simulate::SimulateError::Invalid(errors) => Fault::invalid(errors),
            crate::usecases::simulate::SimulateError::Failed(_) => {
                Fault::server("La simulation n'a pas pu être calculée avec ces valeurs.")
            }
        })?;
    let mut out = String::with_capacity(512);
    out.push('<');
    out.push_str(name);
    out.push_str("Response xmlns=\"");
    out.push_str(&escape(ns));
    out.push_str("\">");
    for (computed, answer) in &answers {
        out.push_str("<result>");
        push_text_element(&mut out, "name", &computed.name);
        push_text_element(&mut out, "label", &computed.label);
        push_text_element(&mut out, "value", &answer.value);
        if let Some(unit) = &computed.unit {
            push_text_element(&mut out, "unit", unit);
        }
        out.push_str("</result>");
    }
    if let Some(next) = service.simulation.as_ref().and_then(|s| s.then.as_ref()) {
        push_text_element(&mut out, "continueWith", next);
    }
    out.push_str("</");
    out.push_str(name);
    out.push_str("Response>");
    Ok(out)
}

fn unknown_operation(payload: &Element, ns: &str) -> Fault {
    Fault::client(
        "unknown-operation",
        format!(
            "Opération inconnue : {}. Les opérations de ce guichet sont dans l'espace de noms {ns} (voir le WSDL).",
            payload.qualified_name()
        ),
    )
}

/// The elements of the service's file fields (`xs:base64Binary` content
/// with a `fileName` attribute; `mediaType` is only informative, the kind
/// comes from the content) as files. Whitespace in the base64 is allowed,
/// as XSD allows it.
fn files_from_base64(
    service: &crate::core::catalogue::Service,
    payload: &Element,
    entries: &mut [(String, RawValue)],
) -> Result<(), Vec<FieldError>> {
    use crate::core::catalogue::FieldType;
    use base64::Engine;
    let mut errors = Vec::new();
    let mut elements = payload.children.iter();
    for (name, value) in entries.iter_mut() {
        let element = elements.find(|e| e.name == *name);
        if !service
            .field(name)
            .is_some_and(|f| f.kind == FieldType::File)
        {
            continue;
        }
        let (Some(element), RawValue::Text(text)) = (element, &*value) else {
            continue;
        };
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
            Ok(bytes) => {
                *value = RawValue::File(crate::core::files::RawFile {
                    file_name: element.attr("fileName").unwrap_or("").to_owned(),
                    bytes: bytes.into(),
                });
            }
            Err(_) => errors.push(FieldError {
                path: name.clone(),
                code: "invalid-base64".into(),
                message: format!("« {name} » : le contenu du fichier n'est pas du base64 valide."),
            }),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The wrapper's children as raw values; every child must be in the tenant's
/// namespace (elementFormDefault="qualified").
fn raw_entries(
    parent: &Element,
    ns: &str,
    prefix: Option<&str>,
) -> Result<Vec<(String, RawValue)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for child in &parent.children {
        let path = match prefix {
            Some(p) => format!("{p}/{}", child.name),
            None => child.name.clone(),
        };
        if child.ns.as_deref() != Some(ns) {
            errors.push(FieldError {
                path,
                code: "wrong-namespace".into(),
                message: format!(
                    "L'élément « {} » doit être dans l'espace de noms {ns} (il est dans {}).",
                    child.name,
                    child.ns.as_deref().unwrap_or("aucun espace de noms")
                ),
            });
            continue;
        }
        let nil = matches!(child.attr_ns(XSI_NS, "nil"), Some("true" | "1"));
        let value = if nil {
            RawValue::Text(String::new())
        } else if child.children.is_empty() {
            RawValue::Text(child.text.clone())
        } else {
            match raw_entries(child, ns, Some(&path)) {
                Ok(items) => RawValue::Group(items),
                Err(mut e) => {
                    errors.append(&mut e);
                    continue;
                }
            }
        };
        entries.push((child.name.clone(), value));
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

fn list_services(site: &Site, audience: Audience, ns: &str) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<ListServicesResponse xmlns=\"");
    out.push_str(&escape(ns));
    out.push_str("\">");
    for s in site.tenant.offered(audience) {
        out.push_str("<service>");
        push_text_element(&mut out, "code", &s.code);
        push_text_element(&mut out, "operation", &s.submit_operation());
        push_text_element(&mut out, "title", &s.title);
        push_text_element(&mut out, "theme", &s.theme.code);
        push_text_element(&mut out, "themeLabel", &s.theme.label);
        push_text_element(&mut out, "department", &s.department.name);
        push_text_element(&mut out, "deadlineDays", &s.deadline_days.to_string());
        push_text_element(&mut out, "description", &s.description);
        out.push_str("</service>");
    }
    out.push_str("</ListServicesResponse>");
    out
}

async fn get_request_status(
    app: &App,
    site: &Site,
    audience: Audience,
    payload: &Element,
    ns: &str,
) -> Result<String, Fault> {
    let tenant = &site.tenant;
    let field_error = |code: &str, message: &str| {
        Fault::invalid(vec![FieldError {
            path: "trackingCode".into(),
            code: code.into(),
            message: message.into(),
        }])
    };
    let entries = raw_entries(payload, ns, None).map_err(Fault::invalid)?;
    let mut code_text = None;
    let mut errors = Vec::new();
    for (name, value) in entries {
        match (name.as_str(), value) {
            ("trackingCode", RawValue::Text(t)) if code_text.is_none() => code_text = Some(t),
            (name, _) => errors.push(FieldError {
                path: name.to_owned(),
                code: "unknown-field".into(),
                message: format!("L'élément « {name} » n'est pas attendu."),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Fault::invalid(errors));
    }
    let code_text = code_text
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| field_error("required", "Le code de suivi est obligatoire."))?;
    let record = by_code(app, site, audience, &code_text)
        .await
        .map_err(|e| {
            tracing::error!(tenant = %tenant.slug, error = %e, "status lookup failed");
            Fault::server("Erreur interne : le suivi est momentanément indisponible.")
        })?
        .ok_or_else(|| Fault::invalid(vec![unknown_code()]))?;
    status_of(site, wsdl::GET_REQUEST_STATUS, &record, ns)
}

/// The request with this tracking code that `audience` may see; `None`
/// when the code is malformed or no such request is known here.
async fn by_code(
    app: &App,
    site: &Site,
    audience: Audience,
    code: &str,
) -> Result<Option<RequestRecord>, crate::store::StoreError> {
    let Some(code) = TrackingCode::parse(code) else {
        return Ok(None);
    };
    Ok(app
        .store
        .request_by_tracking(site.tenant.id, code.digest())
        .await?
        .filter(|record| audience.sees(record)))
}

fn unknown_code() -> FieldError {
    FieldError {
        path: "trackingCode".into(),
        code: "unknown-tracking-code".into(),
        message: "Aucune demande ne correspond à ce code de suivi. Vérifiez-le sur votre accusé de réception.".into(),
    }
}

/// `<OPERATIONResponse>` with the request's status as its citizen sees it.
fn status_of(
    site: &Site,
    operation: &str,
    record: &RequestRecord,
    ns: &str,
) -> Result<String, Fault> {
    let tenant = &site.tenant;
    let service = tenant
        .service_version(&record.service_code, record.service_version)
        .ok_or_else(|| {
            Fault::server("Erreur interne : la définition de ce téléservice est introuvable.")
        })?;
    let view = status::citizen_view(service, record, &tenant.time_zone, "fr");
    Ok(status_answer(
        operation,
        &view,
        &record.service_code,
        ns,
        &tenant.time_zone,
    ))
}

/// `<OPERATIONResponse><status>…</status></OPERATIONResponse>`.
fn status_answer(
    operation: &str,
    view: &CitizenStatus,
    service_code: &str,
    ns: &str,
    tz: &TimeZone,
) -> String {
    let mut out = String::with_capacity(1024);
    out.push('<');
    out.push_str(operation);
    out.push_str("Response xmlns=\"");
    out.push_str(&escape(ns));
    out.push_str("\"><status>");
    push_text_element(&mut out, "reference", &view.reference.to_string());
    push_text_element(&mut out, "service", service_code);
    push_text_element(&mut out, "serviceTitle", &view.service_title);
    push_text_element(&mut out, "state", view.state.as_str());
    push_text_element(&mut out, "stateLabel", view.state.label());
    if let Some(step) = &view.current_step {
        push_text_element(&mut out, "currentStep", step);
    }
    push_text_element(
        &mut out,
        "submittedAt",
        &xs_date_time(view.submitted_at, tz),
    );
    push_text_element(&mut out, "dueDate", &view.due_date.to_string());
    for step in &view.steps {
        out.push_str("<step>");
        push_text_element(&mut out, "label", &step.label);
        push_text_element(&mut out, "done", if step.done { "true" } else { "false" });
        if let Some(date) = step.date {
            push_text_element(&mut out, "date", &date.to_string());
        }
        push_text_element(
            &mut out,
            "current",
            if step.current { "true" } else { "false" },
        );
        out.push_str("</step>");
    }
    for m in &view.messages {
        out.push_str("<message>");
        push_text_element(&mut out, "date", &m.date.to_string());
        push_text_element(
            &mut out,
            "from",
            if m.from_citizen { "citizen" } else { "town" },
        );
        push_text_element(&mut out, "text", &m.text);
        out.push_str("</message>");
    }
    out.push_str("</status></");
    out.push_str(operation);
    out.push_str("Response>");
    out
}

/// `ReplyToRequest`: the citizen's message to the town, by tracking code;
/// answers the request's status with the message in it.
async fn reply_to_request(
    app: &App,
    site: &Site,
    audience: Audience,
    payload: &Element,
    ns: &str,
) -> Result<String, Fault> {
    use crate::usecases::reply::{self, ReplyError};
    let tenant = &site.tenant;
    let error = |path: &str, code: &str, message: String| FieldError {
        path: path.into(),
        code: code.into(),
        message,
    };
    let entries = raw_entries(payload, ns, None).map_err(Fault::invalid)?;
    let (mut code_text, mut text) = (None, None);
    let mut errors = Vec::new();
    for (name, value) in entries {
        match (name.as_str(), value) {
            ("trackingCode", RawValue::Text(t)) if code_text.is_none() => code_text = Some(t),
            ("text", RawValue::Text(t)) if text.is_none() => text = Some(t),
            (name, _) => errors.push(error(
                name,
                "unknown-field",
                format!("L'élément « {name} » n'est pas attendu."),
            )),
        }
    }
    let code_text = code_text.filter(|t| !t.trim().is_empty());
    if code_text.is_none() {
        errors.push(error(
            "trackingCode",
            "required",
            "Le code de suivi est obligatoire.".into(),
        ));
    }
    let text = text.unwrap_or_default();
    match crate::core::workflow::check_reply(&text) {
        Err(crate::core::workflow::ReplyRefusal::Empty) => errors.push(error(
            "text",
            "required",
            "Le message est obligatoire.".into(),
        )),
        Err(crate::core::workflow::ReplyRefusal::TooLong) => errors.push(error(
            "text",
            "too-long",
            format!(
                "Le message ne peut dépasser {} caractères.",
                crate::core::workflow::REPLY_MAX
            ),
        )),
        Ok(_) => {}
    }
    if !errors.is_empty() {
        return Err(Fault::invalid(errors));
    }
    let code = code_text.unwrap_or_default();
    let unknown = || Fault::invalid(vec![unknown_code()]);
    let unavailable = |e: &dyn std::fmt::Display| {
        tracing::error!(tenant = %tenant.slug, error = %e, "reply not stored");
        Fault::server("Erreur interne : le message n'a pas été enregistré. Réessayez plus tard.")
    };
    let record = by_code(app, site, audience, &code)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(unknown)?;
    match reply::reply(app, site, record.reference, &text, "soap").await {
        Ok(()) => {}
        Err(ReplyError::Unknown) => return Err(unknown()),
        Err(ReplyError::Refused(r)) => return Err(unavailable(&r)),
        Err(ReplyError::Unavailable(e)) => return Err(unavailable(&e)),
    }
    // The status as it is now, the reply in it.
    let record = by_code(app, site, audience, &code)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(unknown)?;
    status_of(site, wsdl::REPLY_TO_REQUEST, &record, ns)
}
