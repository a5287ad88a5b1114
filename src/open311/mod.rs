//! Open311 GeoReport v2 (`/T/open311/v2/`): the town's incident services
//! for the apps and dashboards that speak it. A channel of its own: it turns
//! a `POST requests` into a core `Submission` for the one submit path, and
//! answers in the spec's JSON or XML (the path's extension).
//!
//! - `GET services.FMT`: the services offered (`[open311]` of the town's
//!   settings);
//! - `GET services/CODE.FMT`: a service's definition: its attributes (every
//!   field but the location and the description) with their data types and
//!   values;
//! - `POST requests.FMT`: a report (`api_key`, `service_code`, `lat`,
//!   `long`, `address_string`, `description`, `first_name`, `last_name`,
//!   `email`, `phone`, `attribute[CODE]`), answered with its
//!   `service_request_id` (the reference);
//! - `GET requests.FMT` (`service_request_id`, `service_code`,
//!   `start_date`, `end_date`, `status`) and `GET requests/ID.FMT`: reports
//!   as the public may see them — never the requester.

use crate::core::catalogue::{FieldType, Service};
use crate::core::forms::{FieldError, REQUESTER, RawValue};
use crate::core::intake::{Channel, Submission};
use crate::core::tracking::Reference;
use crate::store::{PublicQuery, WorkItem};
use crate::tenant::Site;
use crate::tenant::dates::xs_date_time;
use crate::usecases::App;
use crate::usecases::open311 as usecase;
use crate::usecases::submit::SubmitError;
use serde_json::{Value, json};
use std::sync::Arc;

/// An answer: HTTP status, media type, body.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `name.json` or `name.xml`.
fn split(segment: &str) -> Option<(&str, Format)> {
    if let Some(name) = segment.strip_suffix(".json") {
        Some((name, Format::Json))
    } else {
        segment.strip_suffix(".xml").map(|name| (name, Format::Xml))
    }
}

/// A request `rest` under `/T/open311/v2/`. `fields`: the query string's
/// pairs, and a POST's form fields after them.
pub async fn handle(
    app: &App,
    site: &Site,
    post: bool,
    rest: &[&str],
    fields: Vec<(String, String)>,
) -> Reply {
    let Some(services) = usecase::offered(site) else {
        return error(
            Format::Json,
            404,
            "Open311 n'est pas ouvert dans cette collectivité.",
        );
    };
    let (path, format) = match rest {
        [one] => match split(one) {
            Some((name, f)) => ((name, None), f),
            None => {
                return error(
                    Format::Json,
                    404,
                    "Ressource inconnue : ajoutez .json ou .xml.",
                );
            }
        },
        [one, two] => match split(two) {
            Some((name, f)) => ((*one, Some(name)), f),
            None => {
                return error(
                    Format::Json,
                    404,
                    "Ressource inconnue : ajoutez .json ou .xml.",
                );
            }
        },
        _ => return error(Format::Json, 404, "Ressource inconnue."),
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    match (post, path) {
        (false, ("services", None)) => {
            let list: Vec<Vec<(&str, Value)>> =
                services.iter().map(|s| service_record(s)).collect();
            render(format, 200, "services", "service", list)
        }
        (false, ("services", Some(code))) => match services.iter().find(|s| s.code == code) {
            Some(s) => definition(format, s),
            None => error(format, 404, &format!("Aucun service Open311 « {code} ».")),
        },
        (true, ("requests", None)) => {
            let key = get("api_key").unwrap_or_default();
            if !usecase::key_accepted(site, &key) {
                return error(format, 403, "api_key absente ou refusée.");
            }
            let Some(code) = get("service_code") else {
                return error(format, 400, "service_code est obligatoire.");
            };
            let Some(service) = services.iter().find(|s| s.code == code) else {
                return error(format, 404, &format!("Aucun service Open311 « {code} »."));
            };
            report(app, site, format, service, &fields).await
        }
        (false, ("requests", None)) => {
            let mut query = PublicQuery {
                limit: 200,
                ..PublicQuery::default()
            };
            if let Some(ids) = get("service_request_id") {
                for id in ids.split(',') {
                    match Reference::parse(id) {
                        Some(r) => query.references.push(r),
                        None => {
                            return error(
                                format,
                                400,
                                &format!("service_request_id « {id} » n'est pas une référence."),
                            );
                        }
                    }
                }
            }
            let wanted: Vec<Arc<Service>> = match get("service_code") {
                Some(codes) => services
                    .iter()
                    .filter(|s| codes.split(',').any(|c| c.trim() == s.code))
                    .cloned()
                    .collect(),
                None => services.clone(),
            };
            for (name, slot) in [
                ("start_date", &mut query.from),
                ("end_date", &mut query.until),
            ] {
                if let Some(text) = get(name) {
                    match text.parse::<jiff::Timestamp>() {
                        Ok(t) => *slot = Some(t),
                        Err(_) => {
                            return error(
                                format,
                                400,
                                &format!("{name} doit être une date W3C (2026-12-01T00:00:00Z)."),
                            );
                        }
                    }
                }
            }
            // The spec's default: the last 90 days.
            if query.from.is_none() && query.references.is_empty() {
                query.from = app
                    .now()
                    .checked_sub(jiff::SignedDuration::from_hours(24 * 90))
                    .ok();
            }
            match get("status").as_deref() {
                None => {}
                Some("open") => query.finished = Some(false),
                Some("closed") => query.finished = Some(true),
                Some(s) if s.split(',').all(|p| matches!(p.trim(), "open" | "closed")) => {}
                Some(s) => return error(format, 400, &format!("status « {s} » : open ou closed.")),
            }
            match usecase::requests(app, site, &wanted, query).await {
                Ok(items) => {
                    let list = items
                        .iter()
                        .map(|i| request_record(site, &services, i))
                        .collect();
                    render(format, 200, "service_requests", "request", list)
                }
                Err(e) => unavailable(format, &e),
            }
        }
        (false, ("requests", Some(id))) => {
            let Some(reference) = Reference::parse(id) else {
                return error(format, 404, &format!("Aucune demande « {id} »."));
            };
            match usecase::request(app, site, &services, reference).await {
                Ok(Some(item)) => render(
                    format,
                    200,
                    "service_requests",
                    "request",
                    vec![request_record(site, &services, &item)],
                ),
                Ok(None) => error(format, 404, &format!("Aucune demande « {id} ».")),
                Err(e) => unavailable(format, &e),
            }
        }
        (true, _) => error(format, 405, "Seul requests accepte POST."),
        _ => error(format, 404, "Ressource inconnue."),
    }
}

fn unavailable(format: Format, e: &crate::store::StoreError) -> Reply {
    tracing::error!(error = %e, "open311 read failed");
    error(format, 503, "Service momentanément indisponible.")
}

/// A report filed: its submission built from the spec's fields.
async fn report(
    app: &App,
    site: &Site,
    format: Format,
    service: &Service,
    fields: &[(String, String)],
) -> Reply {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut entries: Vec<(String, RawValue)> = Vec::new();
    let mut requester = Vec::new();
    for (ours, theirs) in [
        ("firstName", "first_name"),
        ("lastName", "last_name"),
        ("email", "email"),
        ("phone", "phone"),
    ] {
        if let Some(v) = get(theirs) {
            requester.push((ours.to_owned(), RawValue::Text(v)));
        }
    }
    entries.push((REQUESTER.to_owned(), RawValue::Group(requester)));
    let mut problems = Vec::new();
    if let Some(location) = usecase::location_field(service) {
        let mut parts = Vec::new();
        if let Some(address) = get("address_string") {
            match address_parts(&address) {
                Some((street, postal, town)) => {
                    parts.push(("street".to_owned(), RawValue::Text(street)));
                    parts.push(("postalCode".to_owned(), RawValue::Text(postal)));
                    parts.push(("town".to_owned(), RawValue::Text(town)));
                }
                None => problems.push("address_string : écrivez « numéro et voie, code postal commune » (12 rue de la République, 75002 Paris).".to_owned()),
            }
        }
        for (ours, theirs) in [("latitude", "lat"), ("longitude", "long")] {
            if let Some(v) = get(theirs) {
                parts.push((ours.to_owned(), RawValue::Text(v)));
            }
        }
        entries.push((location.to_owned(), RawValue::Group(parts)));
    }
    if let Some(d) = get("description") {
        entries.push(("description".to_owned(), RawValue::Text(d)));
    }
    // attribute[CODE] and attribute[CODE][] (a multivaluelist).
    for (k, v) in fields {
        if let Some(code) = k
            .strip_prefix("attribute[")
            .and_then(|r| r.strip_suffix(']').or_else(|| r.strip_suffix("][]")))
        {
            if service.field(code).is_some() && !v.trim().is_empty() {
                entries.push((code.to_owned(), RawValue::Text(v.trim().to_owned())));
            }
        }
    }
    if !problems.is_empty() {
        return errors(format, 400, problems);
    }
    let submission = Submission {
        channel: Channel::Open311,
        entries,
        lang: "fr".into(),
        citizen_id: None,
        recorded_by: None,
        inbound: None,
    };
    match usecase::report(app, site, service, &submission).await {
        Ok(receipt) => render(
            format,
            201,
            "service_requests",
            "request",
            vec![vec![
                ("service_request_id", json!(receipt.reference.to_string())),
                (
                    "service_notice",
                    json!(format!(
                        "Demande {} reçue ; réponse au plus tard le {}.",
                        receipt.reference, receipt.due_date
                    )),
                ),
                ("account_id", Value::Null),
            ]],
        ),
        Err(SubmitError::Invalid(list)) => errors(format, 400, list.iter().map(words).collect()),
        Err(SubmitError::Unavailable(_)) => error(
            format,
            503,
            "La demande n'a pas été enregistrée : réessayez plus tard.",
        ),
    }
}

/// A field error in the spec's words: the Open311 name of the field.
fn words(e: &FieldError) -> String {
    let name = match e.path.as_str() {
        "requester/firstName" => "first_name".to_owned(),
        "requester/lastName" => "last_name".to_owned(),
        "requester/email" | "requester" => "email".to_owned(),
        "requester/phone" => "phone".to_owned(),
        "description" => "description".to_owned(),
        p if p.ends_with("/latitude") => "lat".to_owned(),
        p if p.ends_with("/longitude") => "long".to_owned(),
        p if p.contains('/') => "address_string".to_owned(),
        p => format!("attribute[{p}]"),
    };
    format!("{name} : {} ({})", e.message, e.code)
}

/// `12 rue de la République, 75002 Paris` (or without the comma).
fn address_parts(text: &str) -> Option<(String, String, String)> {
    let text = text.trim();
    let bytes: Vec<char> = text.chars().collect();
    // The last run of five digits followed by the town.
    for i in (0..bytes.len().saturating_sub(5)).rev() {
        let code: String = bytes[i..i + 5].iter().collect();
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_digit();
        let after_ok = bytes.get(i + 5).is_some_and(|c| c.is_whitespace());
        if code.chars().all(|c| c.is_ascii_digit()) && before_ok && after_ok {
            let street: String = bytes[..i].iter().collect();
            let town: String = bytes[i + 5..].iter().collect();
            let street = street.trim().trim_end_matches(',').trim().to_owned();
            let town = town.trim().to_owned();
            if street.is_empty() || town.is_empty() {
                return None;
            }
            return Some((street, code, town));
        }
    }
    None
}

fn service_record(s: &Service) -> Vec<(&'static str, Value)> {
    vec![
        ("service_code", json!(s.code)),
        ("service_name", json!(s.title)),
        ("description", json!(s.description)),
        ("metadata", json!(true)),
        ("type", json!("realtime")),
        ("keywords", json!("")),
        ("group", json!(s.theme.label)),
    ]
}

fn datatype(kind: FieldType) -> &'static str {
    match kind {
        FieldType::LongText => "text",
        FieldType::Integer | FieldType::Decimal | FieldType::Amount => "number",
        FieldType::Date | FieldType::Time | FieldType::PartialDate => "datetime",
        FieldType::Choice | FieldType::Boolean => "singlevaluelist",
        FieldType::MultipleChoice => "multivaluelist",
        _ => "string",
    }
}

fn definition(format: Format, s: &Service) -> Reply {
    let location = usecase::location_field(s);
    let attributes: Vec<Value> = s
        .fields
        .iter()
        .filter(|f| Some(f.name.as_str()) != location && f.name != "description")
        .filter(|f| {
            !matches!(
                f.kind,
                FieldType::File | FieldType::Group | FieldType::Address
            )
        })
        .enumerate()
        .map(|(i, f)| {
            let values: Vec<Value> = match f.kind {
                FieldType::Boolean => vec![
                    json!({"key": "true", "name": "Oui"}),
                    json!({"key": "false", "name": "Non"}),
                ],
                _ => f
                    .options
                    .iter()
                    .map(|o| json!({"key": o.value, "name": o.label}))
                    .collect(),
            };
            json!({
                "variable": true,
                "code": f.name,
                "datatype": datatype(f.kind),
                "required": f.required && f.when.is_none(),
                "datatype_description": crate::core::describe::field(f, &s.fields),
                "order": i + 1,
                "description": f.label,
                "values": values,
            })
        })
        .collect();
    match format {
        Format::Json => Reply {
            status: 200,
            content_type: "application/json; charset=utf-8",
            body: json!({"service_code": s.code, "attributes": attributes}).to_string(),
        },
        Format::Xml => {
            let mut x =
                String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_definition>");
            crate::xml::push_text_element(&mut x, "service_code", &s.code);
            x.push_str("<attributes>");
            for a in &attributes {
                x.push_str("<attribute>");
                for key in [
                    "variable",
                    "code",
                    "datatype",
                    "required",
                    "datatype_description",
                    "order",
                    "description",
                ] {
                    crate::xml::push_text_element(&mut x, key, &scalar(&a[key]));
                }
                x.push_str("<values>");
                for v in a["values"].as_array().into_iter().flatten() {
                    x.push_str("<value>");
                    crate::xml::push_text_element(&mut x, "key", &scalar(&v["key"]));
                    crate::xml::push_text_element(&mut x, "name", &scalar(&v["name"]));
                    x.push_str("</value>");
                }
                x.push_str("</values></attribute>");
            }
            x.push_str("</attributes></service_definition>\n");
            Reply {
                status: 200,
                content_type: "text/xml; charset=utf-8",
                body: x,
            }
        }
    }
}

fn request_record(
    site: &Site,
    services: &[Arc<Service>],
    item: &WorkItem,
) -> Vec<(&'static str, Value)> {
    let r = &item.record;
    let tz = &site.tenant.time_zone;
    let service = site
        .tenant
        .service_version(&r.service_code, r.service_version)
        .or_else(|| services.iter().find(|s| s.code == r.service_code));
    let value = |path: &str| {
        item.rows
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let location = service
        .and_then(|s| usecase::location_field(s))
        .unwrap_or("location");
    let part = |name: &str| value(&format!("{location}/{name}"));
    let address = [
        part("street"),
        [part("postalCode"), part("town")]
            .join(" ")
            .trim()
            .to_owned(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(", ");
    let notes = service
        .and_then(|s| s.step(&item.state.step))
        .and_then(|s| s.citizen_label.clone())
        .or_else(|| r.history.last().map(|h| h.step.clone()))
        .unwrap_or_default();
    let updated = item.events.last().map_or(r.submitted_at, |e| e.at);
    let due = r
        .due_date
        .to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .unwrap_or(r.submitted_at);
    let number = |s: String| s.parse::<f64>().map(Value::from).unwrap_or(Value::Null);
    let agency = site
        .department(&item.state.department)
        .map_or(item.state.department.clone(), |d| d.name.clone());
    vec![
        ("service_request_id", json!(r.reference.to_string())),
        (
            "status",
            json!(if item.state.finished {
                "closed"
            } else {
                "open"
            }),
        ),
        ("status_notes", json!(notes)),
        (
            "service_name",
            json!(service.map_or(r.service_code.as_str(), |s| s.title.as_str())),
        ),
        ("service_code", json!(r.service_code)),
        (
            "description",
            json!(if r.anonymised_at.is_some() {
                String::new()
            } else {
                value("description")
            }),
        ),
        ("agency_responsible", json!(agency)),
        ("service_notice", json!("")),
        (
            "requested_datetime",
            json!(xs_date_time(r.submitted_at, tz)),
        ),
        ("updated_datetime", json!(xs_date_time(updated, tz))),
        ("expected_datetime", json!(xs_date_time(due, tz))),
        ("address", json!(address)),
        ("address_id", json!("")),
        ("zipcode", json!(part("postalCode"))),
        ("lat", number(part("latitude"))),
        ("long", number(part("longitude"))),
        ("media_url", json!("")),
    ]
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn render(
    format: Format,
    status: u16,
    root: &str,
    item: &str,
    list: Vec<Vec<(&str, Value)>>,
) -> Reply {
    match format {
        Format::Json => Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: Value::Array(
                list.into_iter()
                    .map(|fields| {
                        Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                    })
                    .collect(),
            )
            .to_string(),
        },
        Format::Xml => {
            let mut x = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root}>");
            for fields in list {
                x.push_str(&format!("<{item}>"));
                for (k, v) in fields {
                    crate::xml::push_text_element(&mut x, k, &scalar(&v));
                }
                x.push_str(&format!("</{item}>"));
            }
            x.push_str(&format!("</{root}>\n"));
            Reply {
                status,
                content_type: "text/xml; charset=utf-8",
                body: x,
            }
        }
    }
}

fn error(format: Format, status: u16, description: &str) -> Reply {
    errors(format, status, vec![description.to_owned()])
}

/// The spec's errors: one `{code, description}` each.
fn errors(format: Format, status: u16, descriptions: Vec<String>) -> Reply {
    let list = descriptions
        .into_iter()
        .map(|d| vec![("code", json!(status)), ("description", json!(d))])
        .collect();
    render(format, status, "errors", "error", list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_string_is_cut_at_its_postal_code() {
        assert_eq!(
            address_parts("12 rue de la République, 75002 Paris"),
            Some((
                "12 rue de la République".into(),
                "75002".into(),
                "Paris".into()
            ))
        );
        assert_eq!(
            address_parts("3 place de l'Église 29000 Quimper"),
            Some((
                "3 place de l'Église".into(),
                "29000".into(),
                "Quimper".into()
            ))
        );
        assert_eq!(address_parts("somewhere"), None);
        assert_eq!(address_parts("75002 Paris"), None);
    }
}
