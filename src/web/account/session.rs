//! The signed-in citizen: the `guichet_account` cookie, its session, and
//! the anti-forgery tokens of the account's forms.

use crate::store::Citizen;
use crate::tenant::Site;
use crate::usecases::App;
use crate::web::PageRequest;
use crate::web::session::{now_secs, partitioned_cookie, session_cookie, session_digest};
use hyper::header::HeaderValue;

pub(crate) const COOKIE: &str = "guichet_account";

pub struct CitizenSession {
    pub citizen: Citizen,
    pub digest: String,
    /// The anti-forgery token of the session's forms.
    pub token: String,
}

/// What a signed-in citizen's forms are for.
pub(crate) fn session_purpose(site: &Site, digest: &str) -> String {
    format!(
        "{}/account/{}",
        site.tenant.slug,
        &digest[..16.min(digest.len())]
    )
}

/// What a form of the signed-out pages is for (`signup`, `login`…).
pub(crate) fn page_purpose(site: &Site, page: &str) -> String {
    format!("{}/account-page/{page}", site.tenant.slug)
}

/// The citizen the request's cookie names, if its session is valid.
pub async fn current(app: &App, site: &Site, req: &PageRequest<'_>) -> Option<CitizenSession> {
    let digest = session_digest(req, COOKIE)?;
    match app
        .store
        .session_citizen(site.tenant.id, digest.clone(), app.now())
        .await
    {
        Ok(Some(citizen)) => Some(CitizenSession {
            token: app
                .secret
                .issue(&session_purpose(site, &digest), now_secs(app)),
            citizen,
            digest,
        }),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "citizen session lookup failed");
            None
        }
    }
}

/// Whether the page is loaded in a frame (the town's iframe): browsers say
/// so with `Sec-Fetch-Dest: iframe` on every navigation inside it.
pub(crate) fn in_frame(req: &PageRequest) -> bool {
    req.headers
        .get("sec-fetch-dest")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"iframe"))
}

/// The cookie that opens (`Max-Age` the session's) or ends (0) a session.
///
/// At the top level it is `SameSite=Lax`: the links of the account's
/// e-mails open signed in. Inside the town's iframe, on another site,
/// browsers neither set nor send a Lax cookie; there it is a partitioned
/// cookie (CHIPS: `SameSite=None; Secure; Partitioned`), kept by the browser
/// for that town's site only — a session of the account inside the town's
/// pages, apart from any top-level one, and never sent when another site
/// frames Guichet. Ending it sends the same attributes, as a partitioned
/// cookie is known by them.
pub(crate) fn set_cookie(site: &Site, req: &PageRequest, value: &str, max_age: i64) -> HeaderValue {
    let path = format!("/{}", site.tenant.slug);
    if in_frame(req) {
        partitioned_cookie(COOKIE, value, &path, max_age)
    } else {
        session_cookie(req, COOKIE, value, &path, "Lax", max_age)
    }
}

/// What a signed-in citizen's new form starts with: the requester's block
/// from the profile and the account's address.
pub fn prefilled(citizen: &Citizen) -> Vec<(String, crate::core::forms::RawValue)> {
    use crate::core::forms::{REQUESTER, RawValue};
    let p = &citizen.profile;
    let mut requester: Vec<(String, RawValue)> = Vec::new();
    let mut put = |name: &str, value: &Option<String>| {
        if let Some(v) = value {
            requester.push((name.to_owned(), RawValue::Text(v.clone())));
        }
    };
    put("civility", &p.civility);
    put("firstName", &p.first_name);
    put("lastName", &p.last_name);
    put("email", &Some(citizen.email.clone()));
    put("phone", &p.phone);
    let address: Vec<(String, RawValue)> = [
        ("street", &p.street),
        ("postalCode", &p.postal_code),
        ("town", &p.town),
    ]
    .into_iter()
    .filter_map(|(n, v)| {
        v.as_ref()
            .map(|v| (n.to_owned(), RawValue::Text(v.clone())))
    })
    .collect();
    if !address.is_empty() {
        requester.push(("address".to_owned(), RawValue::Group(address)));
    }
    vec![(REQUESTER.to_owned(), RawValue::Group(requester))]
}
