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

/// The signed-in citizen and everything their account holds, or the page
/// that says why not; the download journaled (`account-exported`, its
/// format and how many requests) before anything is handed out.
async fn signed_in_with_data(
    cx: &Ctx<'_>,
    format: &str,
) -> Result<(crate::web::account::session::CitizenSession, account::Held), Response<Body>> {
    let s = signed_in(cx).await?;
    let held = match account::held(cx.app, cx.site, &s.citizen).await {
        Ok(held) => held,
        Err(e) => return Err(unavailable(&format!("{e:?}"))),
    };
    let subject = crate::store::citizen_subject(s.citizen.id);
    if let Err(e) = cx
        .app
        .store
        .record_audit(
            cx.site.tenant.id,
            subject.clone(),
            subject,
            "account-exported".into(),
            format!("{format}, {} requests", held.requests.len()),
            cx.app.now(),
        )
        .await
    {
        return Err(unavailable(&e.to_string()));
    }
    Ok((s, held))
}

pub(super) async fn export(cx: &Ctx<'_>) -> Response<Body> {
    let (s, held) = match signed_in_with_data(cx, "json").await {
        Ok(found) => found,
        Err(r) => return r,
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
    let (s, held) = match signed_in_with_data(cx, "pdf").await {
        Ok(found) => found,
        Err(r) => return r,
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
