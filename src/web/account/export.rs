//! `GET /T/account/export`: everything the town holds on the signed-in
//! citizen, as a JSON file to keep or take elsewhere (GDPR access and
//! portability): the account and its profile, the identities linked at the
//! provider, and every request with the values sent, the steps the citizen
//! sees and the messages.

use super::pages::{signed_in, unavailable};
use crate::usecases::account;
use crate::web::route::Ctx;
use crate::web::{Body, personal};
use hyper::Response;
use serde_json::{Value, json};

pub(super) async fn export(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let held = match account::held(cx.app, cx.site, &s.citizen).await {
        Ok(h) => h,
        Err(e) => return unavailable(&format!("{e:?}")),
    };
    let requests: Vec<Value> = held
        .requests
        .iter()
        .map(|(r, rows)| personal::request(cx.site, r, rows))
        .collect();
    let document = json!({
        "town": cx.site.town_name(),
        "exported_at": cx.app.now().to_string(),
        "account": personal::account(&s.citizen, &held.identities),
        "requests": requests,
    });
    personal::download(
        &document,
        &format!("mes-donnees-{}.json", cx.site.tenant.slug),
    )
}

/// `GET /T/account/export.pdf`: the same, as a PDF summary to read or print.
pub(super) async fn export_pdf(cx: &Ctx<'_>) -> Response<Body> {
    let s = match signed_in(cx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let held = match account::held(cx.app, cx.site, &s.citizen).await {
        Ok(h) => h,
        Err(e) => return unavailable(&format!("{e:?}")),
    };
    let email = s.citizen.email.clone();
    crate::web::printed::person_document(
        cx,
        &email,
        &[(s.citizen, held)],
        &[],
        &format!("mes-donnees-{}.pdf", cx.site.tenant.slug),
    )
    .await
}
