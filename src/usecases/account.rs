//! A citizen's account: sign up (confirmed by a link), sign in (throttled,
//! as slow for an unknown address as for a wrong password), forgotten
//! password (a single-use link that expires), a new address (confirmed on
//! it), the profile, and requests attached by their tracking code.
//!
//! Nothing a page says tells whether an address has an account: sign-up
//! and forgotten password answer the same either way, and the difference
//! goes only to the address's owner, by e-mail.

use super::App;
use super::agents::{AuthError, password_matches};
use crate::auth;
use crate::core::tracking::{Reference, TrackingCode};
use crate::store::{
    AccountClosed, AccountMail, Attached, Citizen, EmailChanged, LinkPurpose, NewLink, Profile,
    StoreError,
};
use crate::tenant::Site;
use jiff::{SignedDuration, Timestamp};

/// How long a confirmation link works.
pub const CONFIRM_SECS: i64 = 48 * 3600;
/// How long a reset or new-address link works.
pub const RESET_SECS: i64 = 3600;
/// How long a citizen stays signed in.
pub const SESSION_SECS: i64 = 8 * 3600;

/// A field refused: its name in the page and the message key's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub field: &'static str,
    pub code: &'static str,
}

#[derive(Debug)]
pub enum AccountError {
    Invalid(Vec<Refused>),
    Unavailable(String),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> AccountError {
        AccountError::Unavailable(e.to_string())
    }
}

/// An address as accounts keep it: trimmed, lower case; `None` when it
/// does not look like one.
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@');
    ok.then_some(email)
}

fn new_link(
    purpose: LinkPurpose,
    email: Option<String>,
    at: Timestamp,
    secs: i64,
) -> Result<(String, NewLink), AccountError> {
    let (token, digest) = auth::new_session()
        .map_err(|e| AccountError::Unavailable(format!("no random source: {e}")))?;
    Ok((
        token,
        NewLink {
            digest,
            purpose,
            email,
            expires: at
                .checked_add(SignedDuration::from_secs(secs))
                .unwrap_or(at),
        },
    ))
}

/// The digest a link's token is kept as (`None` for a malformed token).
pub fn link_digest(token: &str) -> Option<String> {
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| auth::session_digest(token))
}

/// An account page's address for e-mails: `/T/account/PATH` on Guichet's
/// public address, in the citizen's language.
pub(super) fn page_link(app: &App, site: &Site, path: &str, lang: &str) -> String {
    let mut url = format!(
        "{}/{}/account/{path}",
        app.message_url.trim_end_matches('/'),
        site.tenant.slug
    );
    if lang != site.look.get().settings.language {
        url.push_str(&format!("?lang={lang}"));
    }
    url
}

fn mail(template: &str, to: &str, link: String, lang: &str) -> AccountMail {
    AccountMail {
        template: template.into(),
        to: to.into(),
        link,
        lang: lang.into(),
    }
}

/// Checks a new password (length, strength against `personal` words).
fn check_password(password: &str, personal: &[&str], site: &Site) -> Result<(), AccountError> {
    let town = site.town_name();
    let mut words: Vec<&str> = personal.to_vec();
    words.extend([
        town.as_str(),
        site.tenant.slug.as_str(),
        "guichet",
        "mairie",
    ]);
    match auth::password_problem(password, &words) {
        Some(code) => Err(AccountError::Invalid(vec![Refused {
            field: "password",
            code,
        }])),
        None => Ok(()),
    }
}

async fn hash(password: String) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| AccountError::Unavailable(e.to_string()))?
        .map_err(|e| AccountError::Unavailable(e.to_string()))
}

/// Signs up `email`: a confirmation link is sent to it, or (it has an
/// account) a message saying so. The page says the same either way.
pub async fn sign_up(
    app: &App,
    site: &Site,
    email: &str,
    password: String,
    lang: &str,
) -> Result<(), AccountError> {
    let Some(email) = normalize_email(email) else {
        return Err(AccountError::Invalid(vec![Refused {
            field: "email",
            code: "invalid-email",
        }]));
    };
    let local = email.split('@').next().unwrap_or_default().to_owned();
    check_password(&password, &[&email, &local], site)?;
    let password_hash = hash(password).await?;
    let at = app.now();
    let (token, new) = new_link(LinkPurpose::Confirm, None, at, CONFIRM_SECS)?;
    let created = mail(
        "account-confirm",
        &email,
        page_link(app, site, &format!("confirm/{token}"), lang),
        lang,
    );
    let exists = mail(
        "account-exists",
        &email,
        page_link(app, site, "forgot", lang),
        lang,
    );
    let made = app
        .store
        .sign_up(
            site.tenant.id,
            email.clone(),
            password_hash,
            new,
            created,
            exists,
            at,
        )
        .await?;
    tracing::info!(tenant = %site.tenant.slug, created = made, "citizen sign-up");
    Ok(())
}

/// The account a link works for, without using it (the page that asks to
/// confirm or to choose a new password).
pub async fn link_citizen(
    app: &App,
    site: &Site,
    purpose: LinkPurpose,
    token: &str,
) -> Result<Option<Citizen>, AccountError> {
    let Some(digest) = link_digest(token) else {
        return Ok(None);
    };
    Ok(app
        .store
        .link_citizen(site.tenant.id, purpose, digest, app.now())
        .await?)
}

/// Confirms the address of a sign-up by its link.
pub async fn confirm(app: &App, site: &Site, token: &str) -> Result<Option<Citizen>, AccountError> {
    let Some(digest) = link_digest(token) else {
        return Ok(None);
    };
    Ok(app.store.confirm(site.tenant.id, digest, app.now()).await?)
}

/// A citizen signs in: the account, if the password is its own and its
/// address confirmed. `peer` is the client's address (throttling).
pub async fn sign_in(
    app: &App,
    site: &Site,
    email: &str,
    password: String,
    peer: &str,
) -> Result<Citizen, AuthError> {
    let email = normalize_email(email).unwrap_or_default();
    let now = app.now().as_second();
    let key = format!("{}/citizen/{email}/{peer}", site.tenant.slug);
    let wait = super::throttle::wait(app, &key, now)
        .await
        .map_err(AuthError::Unavailable)?;
    if wait > 0 {
        return Err(AuthError::Throttled(wait));
    }
    let citizen = app
        .store
        .citizen_by_email(site.tenant.id, email.clone())
        .await
        .map_err(AuthError::Unavailable)?
        .filter(|c| c.confirmed);
    let hash = citizen.as_ref().and_then(|c| c.password_hash.clone());
    let known = citizen.as_ref().map(|c| c.id);
    let matches = password_matches(password, hash).await;
    match citizen.filter(|_| matches) {
        Some(c) => {
            super::throttle::succeeded(app, &key)
                .await
                .map_err(AuthError::Unavailable)?;
            Ok(c)
        }
        None => {
            super::throttle::failed(app, &key, now)
                .await
                .map_err(AuthError::Unavailable)?;
            tracing::warn!(tenant = %site.tenant.slug, %peer, "failed citizen sign-in");
            // The account tried, if there is one; never the address typed.
            let subject = match &known {
                Some(id) => crate::store::citizen_subject(*id),
                None => "citizen:unknown".to_owned(),
            };
            super::audit::sign_in_event(
                app,
                site.tenant.id,
                "anonymous".into(),
                subject,
                "login-failed",
                format!("from {peer}"),
            )
            .await
            .map_err(AuthError::Unavailable)?;
            Err(AuthError::Failed)
        }
    }
}

/// A new session for the account: the cookie's token.
/// `id_token`: the identity provider's, when signed in with it.
pub async fn open_session(
    app: &App,
    site: &Site,
    citizen: &Citizen,
    id_token: Option<String>,
) -> Result<String, AccountError> {
    let (token, digest) = auth::new_session()
        .map_err(|e| AccountError::Unavailable(format!("no random source: {e}")))?;
    let subject = crate::store::citizen_subject(citizen.id);
    let how = if id_token.is_some() {
        "with the identity provider"
    } else {
        "with a password or a link"
    };
    super::audit::sign_in_event(
        app,
        site.tenant.id,
        subject.clone(),
        subject,
        "login",
        how.into(),
    )
    .await?;
    let at = app.now();
    let expires = at
        .checked_add(SignedDuration::from_secs(SESSION_SECS))
        .unwrap_or(at);
    app.store
        .create_citizen_session(citizen.id, digest, at, expires, id_token)
        .await?;
    Ok(token)
}

/// A forgotten password: a reset link to the address if it has an account
/// (the page says the same either way).
pub async fn forgot(app: &App, site: &Site, email: &str, lang: &str) -> Result<(), AccountError> {
    let Some(email) = normalize_email(email) else {
        return Err(AccountError::Invalid(vec![Refused {
            field: "email",
            code: "invalid-email",
        }]));
    };
    let at = app.now();
    let (token, new) = new_link(LinkPurpose::Reset, None, at, RESET_SECS)?;
    let reset = mail(
        "account-reset",
        &email,
        page_link(app, site, &format!("reset/{token}"), lang),
        lang,
    );
    app.store
        .send_link(site.tenant.id, email, new, reset, at)
        .await?;
    Ok(())
}

/// A new password by a reset link; the citizen is told by e-mail.
pub async fn reset(
    app: &App,
    site: &Site,
    token: &str,
    password: String,
    lang: &str,
) -> Result<Option<Citizen>, AccountError> {
    let Some(digest) = link_digest(token) else {
        return Ok(None);
    };
    let Some(citizen) = app
        .store
        .link_citizen(
            site.tenant.id,
            LinkPurpose::Reset,
            digest.clone(),
            app.now(),
        )
        .await?
    else {
        return Ok(None);
    };
    check_password(&password, &[&citizen.email], site)?;
    let password_hash = hash(password).await?;
    let notice = mail(
        "account-password-changed",
        &citizen.email,
        page_link(app, site, "forgot", lang),
        lang,
    );
    Ok(app
        .store
        .reset_password(site.tenant.id, digest, password_hash, notice, app.now())
        .await?)
}

/// A signed-in citizen's new password (the current one checked first, if
/// the account has one).
pub async fn change_password(
    app: &App,
    site: &Site,
    citizen: &Citizen,
    session_digest: &str,
    current: String,
    password: String,
    lang: &str,
) -> Result<(), AccountError> {
    // An account made by signing in with the provider has no password yet:
    // its first one needs no current one.
    if citizen.password_hash.is_some()
        && !password_matches(current, citizen.password_hash.clone()).await
    {
        return Err(AccountError::Invalid(vec![Refused {
            field: "current",
            code: "wrong-password",
        }]));
    }
    check_password(&password, &[&citizen.email], site)?;
    let password_hash = hash(password).await?;
    let notice = mail(
        "account-password-changed",
        &citizen.email,
        page_link(app, site, "forgot", lang),
        lang,
    );
    app.store
        .change_password(
            site.tenant.id,
            citizen.id,
            password_hash,
            session_digest.to_owned(),
            notice,
            app.now(),
        )
        .await?;
    Ok(())
}

/// A new address: a link to confirm it is sent to it.
pub async fn ask_email_change(
    app: &App,
    site: &Site,
    citizen: &Citizen,
    email: &str,
    lang: &str,
) -> Result<(), AccountError> {
    let Some(email) = normalize_email(email).filter(|e| *e != citizen.email) else {
        return Err(AccountError::Invalid(vec![Refused {
            field: "email",
            code: "invalid-email",
        }]));
    };
    let at = app.now();
    let (token, new) = new_link(LinkPurpose::Email, Some(email.clone()), at, RESET_SECS)?;
    let confirm = mail(
        "account-email",
        &email,
        page_link(app, site, &format!("email/{token}"), lang),
        lang,
    );
    app.store
        .ask_email_change(site.tenant.id, citizen.id, new, confirm, at)
        .await?;
    Ok(())
}

/// A new address confirmed by its link; the old one is told.
pub async fn confirm_email_change(
    app: &App,
    site: &Site,
    token: &str,
    lang: &str,
) -> Result<EmailChanged, AccountError> {
    let Some(digest) = link_digest(token) else {
        return Ok(EmailChanged::Invalid);
    };
    let notice = mail(
        "account-email-changed",
        "",
        page_link(app, site, "forgot", lang),
        lang,
    );
    Ok(app
        .store
        .confirm_email_change(site.tenant.id, digest, notice, app.now())
        .await?)
}

/// The profile forms are filled with, every value trimmed (empty: none).
pub async fn set_profile(
    app: &App,
    site: &Site,
    citizen: &Citizen,
    profile: Profile,
) -> Result<(), AccountError> {
    let clean = |v: Option<String>| {
        v.map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(255).collect::<String>())
    };
    let mut refused = Vec::new();
    let civility = clean(profile.civility);
    if civility.as_deref().is_some_and(|c| c != "Mme" && c != "M") {
        refused.push(Refused {
            field: "civility",
            code: "not-an-option",
        });
    }
    let postal_code = clean(profile.postal_code);
    if postal_code
        .as_deref()
        .is_some_and(|p| p.len() != 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        refused.push(Refused {
            field: "postalCode",
            code: "invalid-postal-code",
        });
    }
    if !refused.is_empty() {
        return Err(AccountError::Invalid(refused));
    }
    let profile = Profile {
        civility,
        first_name: clean(profile.first_name),
        last_name: clean(profile.last_name),
        phone: clean(profile.phone),
        street: clean(profile.street),
        postal_code,
        town: clean(profile.town),
    };
    app.store
        .set_profile(site.tenant.id, citizen.id, profile, app.now())
        .await?;
    Ok(())
}

/// Attaches a request made without the account by its tracking code.
pub async fn attach(
    app: &App,
    site: &Site,
    citizen: &Citizen,
    code: &str,
) -> Result<Reference, AccountError> {
    let refused = || {
        AccountError::Invalid(vec![Refused {
            field: "code",
            code: "unknown-code",
        }])
    };
    let code = TrackingCode::parse(code).ok_or_else(refused)?;
    match app
        .store
        .attach_request(site.tenant.id, citizen.id, code.digest(), app.now())
        .await?
    {
        Attached::Attached(r) | Attached::Already(r) => Ok(r),
        Attached::Unknown => Err(refused()),
    }
}

/// Everything the town holds on an account's owner: the account, its
/// identities at the provider, and each of its requests with the values
/// sent (GDPR access and portability, art. 15 and 20).
pub struct Held {
    pub identities: Vec<crate::store::Identity>,
    pub requests: Vec<(crate::core::status::RequestRecord, Vec<(String, String)>)>,
}

pub async fn held(app: &App, site: &Site, citizen: &Citizen) -> Result<Held, AccountError> {
    let tenant = site.tenant.id;
    let identities = app.store.identities(tenant, citizen.id).await?;
    let mut requests = Vec::new();
    for record in app.store.citizen_requests(tenant, citizen.id).await? {
        let rows = app
            .store
            .work_item(tenant, record.reference)
            .await?
            .map(|item| item.rows)
            .unwrap_or_default();
        requests.push((record, rows));
    }
    Ok(Held {
        identities,
        requests,
    })
}

/// Closes a signed-in citizen's account at their request (GDPR erasure,
/// art. 17), once they confirmed it with their password, or with their
/// address for an account that has none: its finished requests are
/// anonymised at once, the others stay with the town until finished and are
/// anonymised then, the account and everything about it goes; a message
/// tells the address.
pub async fn close(
    app: &App,
    site: &Site,
    citizen: &Citizen,
    confirmation: String,
    lang: &str,
) -> Result<AccountClosed, AccountError> {
    let confirmed = match &citizen.password_hash {
        Some(hash) => password_matches(confirmation, Some(hash.clone())).await,
        None => normalize_email(&confirmation).as_deref() == Some(citizen.email.as_str()),
    };
    if !confirmed {
        return Err(AccountError::Invalid(vec![Refused {
            field: "confirmation",
            code: if citizen.password_hash.is_some() {
                "wrong-password"
            } else {
                "not-your-address"
            },
        }]));
    }
    let goodbye = mail(
        "account-closed",
        &citizen.email,
        page_link(app, site, "signup", lang),
        lang,
    );
    app.store
        .close_account(site.tenant.id, citizen.id, goodbye, app.now())
        .await?
        .ok_or_else(|| AccountError::Unavailable("the account is already closed".into()))
}
