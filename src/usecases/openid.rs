//! Signing in with the town's OpenID Connect provider, and linking it to an
//! account.
//!
//! A sign-in begins with a flow kept in the store (its `state`, `nonce` and
//! PKCE verifier) under the digest of a random token that only the browser's
//! flow cookie holds; it comes back once, within [`FLOW_SECS`], to the
//! browser that began it, with the same `state`. The ID token is then
//! verified (`auth::openid`) and the account found by the provider's issuer
//! and subject — never by an e-mail claim: an unknown subject whose address
//! already has an account gets no access to it (its owner links the
//! provider from their security page, signed in).

use super::App;
use crate::auth::{self, openid::OpenIdError};
use crate::store::{AccountMail, Citizen, FlowPurpose, Identity, Linked, OpenIdFlow, Profile};
use crate::tenant::Site;
use crate::tenant::look::OpenIdSettings;
use jiff::SignedDuration;
use sha2::{Digest, Sha256};

/// How long a sign-in sent to the provider may take to come back.
pub const FLOW_SECS: i64 = 600;

/// What came of a return from the provider.
#[derive(Debug)]
pub enum Returned {
    /// Signed in (`created`: a new account made for this identity).
    SignedIn {
        citizen: Box<Citizen>,
        next: Option<String>,
        created: bool,
        /// Kept with the session, for the logout at the provider.
        id_token: String,
    },
    /// The provider is now linked to the signed-in account.
    Linked(Box<Citizen>),
    /// It was already.
    AlreadyLinked,
    /// This identity is another account's: nothing changed.
    LinkedElsewhere,
    /// The account is linked to another identity at this provider.
    OtherLinked,
    /// No account has this identity, and its address has one (not linked):
    /// its owner must sign in with their password and link it.
    AddressTaken,
    /// No account has this identity and the provider gave no usable address.
    NoEmail,
}

/// Why a sign-in with the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum Failed {
    #[error("the town has no identity provider")]
    NotConfigured,
    /// No flow for this browser (no cookie, used, expired, another town's).
    #[error("no sign-in under way for this browser")]
    NoFlow,
    /// The `state` returned is not the one sent: forged, or another flow's.
    #[error("the state returned does not match the one sent")]
    State,
    /// The provider said no (the citizen cancelled, an error).
    #[error("the provider answered {0}")]
    Denied(String),
    #[error(transparent)]
    Provider(#[from] OpenIdError),
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl From<crate::store::StoreError> for Failed {
    fn from(e: crate::store::StoreError) -> Failed {
        Failed::Unavailable(e.to_string())
    }
}

/// The town's provider, if it has one.
pub fn provider(site: &Site) -> Option<OpenIdSettings> {
    site.look.get().settings.openid.clone()
}

/// The redirect URI the provider registered: `ORIGIN/T/account/openid/callback`.
pub fn redirect_uri(app: &App, site: &Site, origin: &str) -> String {
    account_address(app, site, origin, "openid/callback")
}

/// `ORIGIN/T/account/PATH`, on Guichet's public address when configured
/// (behind a proxy), else as the browser addressed it: what the provider
/// registered must match exactly.
fn account_address(app: &App, site: &Site, origin: &str, path: &str) -> String {
    let origin = app.config.public_url.as_deref().unwrap_or(origin);
    format!(
        "{}/{}/account/{path}",
        origin.trim_end_matches('/'),
        site.tenant.slug
    )
}

fn same(a: &str, b: &str) -> bool {
    // Compared as digests: no early exit on the first different byte.
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

/// Begins a sign-in: the flow cookie's token, and where to send the browser.
pub async fn begin(
    app: &App,
    site: &Site,
    purpose: FlowPurpose,
    next: Option<String>,
    redirect: &str,
) -> Result<(String, String), Failed> {
    let settings = provider(site).ok_or(Failed::NotConfigured)?;
    let begun = auth::openid::begin(&settings, redirect).await?;
    let (token, digest) =
        auth::new_session().map_err(|e| Failed::Unavailable(format!("no random source: {e}")))?;
    let now = app.now();
    app.store
        .begin_openid(
            site.tenant.id,
            OpenIdFlow {
                digest,
                state: begun.state,
                nonce: begun.nonce,
                verifier: begun.verifier,
                purpose,
                next,
                expires: now
                    .checked_add(SignedDuration::from_secs(FLOW_SECS))
                    .unwrap_or(now),
            },
        )
        .await?;
    Ok((token, begun.url))
}

/// What the provider sent back to the callback.
#[derive(Debug, Default)]
pub struct Callback<'a> {
    /// The flow cookie's token.
    pub flow: Option<&'a str>,
    pub state: &'a str,
    pub code: Option<&'a str>,
    /// `error` when the provider refused.
    pub error: Option<&'a str>,
    /// `iss` (RFC 9207), when the provider sends it.
    pub iss: Option<&'a str>,
}

/// Ends a sign-in come back from the provider: the flow is used (once,
/// whatever follows), the `state` checked, the code exchanged and the ID
/// token verified, then the account signed in, made, or linked.
/// `signed_in` is the account whose session the browser has, if any: a
/// link is made only to the account that asked for it, still signed in.
pub async fn finish(
    app: &App,
    site: &Site,
    back: Callback<'_>,
    signed_in: Option<&Citizen>,
    redirect: &str,
    lang: &str,
) -> Result<Returned, Failed> {
    let settings = provider(site).ok_or(Failed::NotConfigured)?;
    let token = back
        .flow
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or(Failed::NoFlow)?;
    let flow = app
        .store
        .take_openid(site.tenant.id, auth::session_digest(token), app.now())
        .await?
        .ok_or(Failed::NoFlow)?;
    if !same(back.state, &flow.state) {
        return Err(Failed::State);
    }
    if let Some(error) = back.error {
        return Err(Failed::Denied(error.chars().take(60).collect()));
    }
    let code = back
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Failed::Denied("no code".into()))?;
    let claims = auth::openid::finish(
        &settings,
        redirect,
        code,
        &flow.verifier,
        &flow.nonce,
        app.now(),
    )
    .await?;
    // RFC 9207: a provider that names itself must be the one asked.
    if let Some(iss) = back.iss
        && iss != claims.issuer
    {
        return Err(Failed::Provider(OpenIdError::Token(format!(
            "the response comes from {iss:?}, not {:?}",
            claims.issuer
        ))));
    }
    let identity = Identity {
        issuer: claims.issuer.clone(),
        subject: claims.subject.clone(),
        linked_at: app.now(),
    };
    let tenant = site.tenant.id;
    match flow.purpose {
        FlowPurpose::Link(citizen_id) => {
            let Some(citizen) = signed_in.filter(|c| c.id == citizen_id).cloned() else {
                return Err(Failed::NoFlow);
            };
            let notice = mail(
                app,
                site,
                "account-identity-linked",
                &citizen.email,
                "security",
                lang,
            );
            Ok(
                match app
                    .store
                    .link_identity(tenant, citizen.id, identity, notice)
                    .await?
                {
                    Linked::Linked => Returned::Linked(Box::new(citizen)),
                    Linked::Already => Returned::AlreadyLinked,
                    Linked::Elsewhere => Returned::LinkedElsewhere,
                    Linked::Other => Returned::OtherLinked,
                },
            )
        }
        FlowPurpose::Login => {
            if let Some(citizen) = app
                .store
                .citizen_by_identity(tenant, claims.issuer.clone(), claims.subject.clone())
                .await?
            {
                return Ok(Returned::SignedIn {
                    citizen: Box::new(citizen),
                    next: flow.next,
                    created: false,
                    id_token: claims.id_token,
                });
            }
            let Some(email) = claims
                .email
                .as_deref()
                .filter(|_| claims.email_verified)
                .and_then(super::account::normalize_email)
            else {
                return Ok(Returned::NoEmail);
            };
            let profile = Profile {
                first_name: claims.given_name.clone(),
                last_name: claims.family_name.clone(),
                ..Profile::default()
            };
            let welcome = mail(
                app,
                site,
                "account-identity-welcome",
                &email,
                "forgot",
                lang,
            );
            match app
                .store
                .sign_up_with_identity(tenant, email, profile, identity, welcome)
                .await?
            {
                Some(citizen) => Ok(Returned::SignedIn {
                    citizen: Box::new(citizen),
                    next: flow.next,
                    created: true,
                    id_token: claims.id_token,
                }),
                None => Ok(Returned::AddressTaken),
            }
        }
    }
}

/// The page to go to once signed out: the provider's logout (ending the
/// citizen's session there too, as FranceConnect requires) when the session
/// came from it, back to `back`; `None` otherwise, or when the provider
/// cannot say where (the log says why).
pub async fn logout_at_provider(site: &Site, id_token: &str, back: &str) -> Option<String> {
    let settings = provider(site)?;
    match auth::openid::logout_url(&settings, id_token, back).await {
        Ok(url) => url,
        Err(e) => {
            tracing::warn!(tenant = %site.tenant.slug, error = %e, "no logout at the identity provider");
            None
        }
    }
}

/// The address the provider sends the browser back to after its logout
/// (registered at the provider): the sign-in page, saying goodbye.
pub fn post_logout_uri(app: &App, site: &Site, origin: &str) -> String {
    account_address(app, site, origin, "login?bye=1")
}

/// Unlinks the provider from a signed-in account, which must keep a way in:
/// `Ok(false)` when it has no password (or was not linked).
pub async fn unlink(app: &App, site: &Site, citizen: &Citizen, lang: &str) -> Result<bool, Failed> {
    if citizen.password_hash.is_none() {
        return Ok(false);
    }
    let mut gone = false;
    for identity in app.store.identities(site.tenant.id, citizen.id).await? {
        let notice = mail(
            app,
            site,
            "account-identity-unlinked",
            &citizen.email,
            "security",
            lang,
        );
        gone |= app
            .store
            .unlink_identity(
                site.tenant.id,
                citizen.id,
                identity.issuer,
                notice,
                app.now(),
            )
            .await?;
    }
    Ok(gone)
}

fn mail(app: &App, site: &Site, template: &str, to: &str, page: &str, lang: &str) -> AccountMail {
    AccountMail {
        template: template.into(),
        to: to.into(),
        link: super::account::page_link(app, site, page, lang),
        lang: lang.into(),
    }
}
