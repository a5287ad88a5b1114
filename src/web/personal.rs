//! Personal data as a JSON document (GDPR access and portability): one
//! shape for the citizen's own export (`/T/account/export`) and the
//! administrator's export of a person (`/T/backoffice/admin/people`).

use crate::core::status::RequestRecord;
use crate::store::{Citizen, Identity};
use crate::tenant::Site;
use crate::web::Body;
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Map, Value, json};

/// A request with the values sent, the steps the citizen sees and the
/// messages.
pub fn request(site: &Site, r: &RequestRecord, rows: &[(String, String)]) -> Value {
    let title = site
        .tenant
        .service_version(&r.service_code, r.service_version)
        .map(|s| s.title.clone());
    let values: Map<String, Value> = rows
        .iter()
        .map(|(path, value)| (path.clone(), Value::String(value.clone())))
        .collect();
    json!({
        "reference": r.reference.to_string(),
        "service": r.service_code,
        "service_title": title,
        "channel": r.channel,
        "submitted_at": r.submitted_at.to_string(),
        "due_date": r.due_date.to_string(),
        "step": r.step,
        "values": values,
        "steps": r.history.iter().map(|h| json!({"step": h.step, "at": h.at.to_string()})).collect::<Vec<_>>(),
        "messages": r.messages.iter().map(|m| json!({
            "at": m.at.to_string(),
            "from": if m.from_citizen { "citizen" } else { "town" },
            "text": m.text,
        })).collect::<Vec<_>>(),
    })
}

/// An account, its profile and its identities at the provider.
pub fn account(c: &Citizen, identities: &[Identity]) -> Value {
    let p = &c.profile;
    json!({
        "email": c.email,
        "confirmed": c.confirmed,
        "has_password": c.password_hash.is_some(),
        "profile": {
            "civility": p.civility,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "phone": p.phone,
            "street": p.street,
            "postal_code": p.postal_code,
            "town": p.town,
        },
        "identities": identities.iter().map(|i| json!({
            "issuer": i.issuer,
            "subject": i.subject,
            "linked_at": i.linked_at.to_string(),
        })).collect::<Vec<_>>(),
    })
}

/// The document as a file to download, never cached.
pub fn download(document: &Value, file_name: &str) -> Response<Body> {
    match serde_json::to_vec_pretty(document) {
        Ok(body) => crate::web::download(
            Bytes::from(body),
            "application/json; charset=utf-8",
            file_name,
        ),
        Err(e) => crate::web::plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
