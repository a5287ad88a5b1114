//! `GET /T/account/export`: everything the town holds on the signed-in
//! citizen, as a JSON file to keep or take elsewhere (GDPR access and
//! portability): the account and its profile, the identities linked at the
//! provider, and every request with the values sent, the steps the citizen
//! sees and the messages.

use super::pages::{signed_in, unavailable};
use crate::usecases::account;
use crate::web::Body;
use crate::web::route::Ctx;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Map, Value, json};

pub(super) async fn export(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let held = match account::held(cx.app, cx.site, &s.citizen).await {
        Ok(h) => h,
        Err(e) => return unavailable(&format!("{e:?}")),
    };
    let c = &s.citizen;
    let p = &c.profile;
    let requests: Vec<Value> = held
        .requests
        .iter()
        .map(|(r, rows)| {
            let title = cx
                .site
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
        })
        .collect();
    let document = json!({
        "town": cx.site.town_name(),
        "exported_at": cx.app.now().to_string(),
        "account": {
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
            "identities": held.identities.iter().map(|i| json!({
                "issuer": i.issuer,
                "subject": i.subject,
                "linked_at": i.linked_at.to_string(),
            })).collect::<Vec<_>>(),
        },
        "requests": requests,
    });
    let body = match serde_json::to_vec_pretty(&document) {
        Ok(b) => b,
        Err(e) => return unavailable(&e.to_string()),
    };
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::OK;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    let name = format!(
        "attachment; filename=\"mes-donnees-{}.json\"",
        cx.site.tenant.slug
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}
