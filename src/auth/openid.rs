//! The relying party of a town's OpenID Connect provider (FranceConnect, a
//! regional provider…): the authorization-code flow with PKCE, through the
//! maintained `openidconnect` crate.
//!
//! - [`begin`] discovers the provider (`/.well-known/openid-configuration`)
//!   and gives the address to send the browser to, with a fresh `state`,
//!   `nonce` and PKCE verifier for the caller to keep server-side.
//! - [`finish`] exchanges the code (client secret by HTTP Basic, the PKCE
//!   verifier), verifies the ID token — signature against the provider's
//!   published keys, issuer, audience, expiry, issue time, the `nonce` — and
//!   reads the user-info claims for the same subject.
//!
//! The HTTP client is `ureq` (already the SMS client), on a blocking thread,
//! following no redirect (the crate's advice against SSRF) and reading at
//! most [`MAX_RESPONSE`] bytes. Checking `state` against the cookie's flow is
//! the caller's job (it holds the flow); everything about tokens is here.

use crate::tenant::look::OpenIdSettings;
use jiff::Timestamp;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use std::time::Duration;

/// The largest answer read from the provider.
pub const MAX_RESPONSE: u64 = 1 << 20;
/// How long the provider has to answer one request.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a sign-in with the provider failed. The page says only that it
/// failed; the log says which of these.
#[derive(Debug, thiserror::Error)]
pub enum OpenIdError {
    /// The settings do not make a client (a bad issuer or redirect URL).
    #[error("openid settings: {0}")]
    Settings(String),
    /// The provider could not be reached or its metadata read.
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    /// The provider refused the code (used, expired, another client's).
    #[error("token request refused: {0}")]
    Refused(String),
    /// The ID token is not one to trust: signature, issuer, audience,
    /// expiry, nonce…
    #[error("ID token refused: {0}")]
    Token(String),
}

/// A sign-in about to be sent to the provider.
#[derive(Debug, Clone)]
pub struct Begun {
    /// Where to send the browser.
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The provider's issuer identifier, as its metadata gives it.
    pub issuer: String,
    /// The provider's stable identifier of the person.
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// The ID token as received (compact JWT): the hint of a later logout
    /// at the provider.
    pub id_token: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// One request to the provider, on a blocking thread.
async fn http(
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        let (parts, body) = request.into_parts();
        let response = if body.is_empty() {
            agent.run(http::Request::from_parts(parts, ()))
        } else {
            agent.run(http::Request::from_parts(parts, body))
        }
        .map_err(|e| HttpError(e.to_string()))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| HttpError(e.to_string()))?;
        Ok(http::Response::from_parts(parts, bytes))
    })
    .await
    .map_err(|e| HttpError(e.to_string()))?
}

async fn metadata(settings: &OpenIdSettings) -> Result<ProviderMetadataWithLogout, OpenIdError> {
    let issuer = IssuerUrl::new(settings.issuer.clone())
        .map_err(|e| OpenIdError::Settings(format!("issuer: {e}")))?;
    ProviderMetadataWithLogout::discover_async(issuer, &http)
        .await
        .map_err(|e| OpenIdError::Unreachable(error_chain(&e)))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The client the provider's metadata makes, with its discovered endpoints.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

fn client(
    metadata: ProviderMetadataWithLogout,
    settings: &OpenIdSettings,
    redirect: &str,
) -> Result<Client, OpenIdError> {
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(settings.client_secret.clone())),
    )
    .set_redirect_uri(
        RedirectUrl::new(redirect.to_owned())
            .map_err(|e| OpenIdError::Settings(format!("redirect URI: {e}")))?,
    ))
}

/// The address to send the browser to, and what its return is checked
/// against.
pub async fn begin(settings: &OpenIdSettings, redirect: &str) -> Result<Begun, OpenIdError> {
    let client = client(metadata(settings).await?, settings, redirect)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in &settings.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.url();
    Ok(Begun {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
    })
}

/// Exchanges the code and verifies what comes back: the person the
/// provider vouches for. `now` is the clock the ID token's expiry and
/// issue time are checked against.
pub async fn finish(
    settings: &OpenIdSettings,
    redirect: &str,
    code: &str,
    verifier: &str,
    nonce: &str,
    now: Timestamp,
) -> Result<Claims, OpenIdError> {
    let metadata = metadata(settings).await?;
    let issuer = metadata.issuer().to_string();
    let client = client(metadata, settings, redirect)?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| OpenIdError::Settings(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(&http)
        .await
        .map_err(|e| OpenIdError::Refused(error_chain(&e)))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| OpenIdError::Token("the token response has no ID token".into()))?;
    let clock = chrono_of(now)?;
    let verifier = client.id_token_verifier().set_time_fn(move || clock);
    let claims = id_token
        .claims(&verifier, &Nonce::new(nonce.to_owned()))
        .map_err(|e| OpenIdError::Token(error_chain(&e)))?;
    let subject = claims.subject().clone();
    let mut found = Claims {
        issuer,
        subject: subject.to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        given_name: given(claims.given_name()),
        family_name: given(claims.family_name()),
        id_token: id_token.to_string(),
    };
    // The rest of the person, from the user-info endpoint, for the same
    // subject only.
    if let Ok(request) = client.user_info(tokens.access_token().clone(), Some(subject)) {
        let info: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = request
            .request_async(&http)
            .await
            .map_err(|e| OpenIdError::Refused(format!("user info: {}", error_chain(&e))))?;
        if found.email.is_none() {
            found.email = info.email().map(|e| e.to_string());
            found.email_verified = info.email_verified().unwrap_or(false);
        }
        found.given_name = found.given_name.or_else(|| given(info.given_name()));
        found.family_name = found.family_name.or_else(|| given(info.family_name()));
    }
    Ok(found)
}

/// A name claim in no particular language.
fn given<T: std::ops::Deref<Target = String>>(
    name: Option<&openidconnect::LocalizedClaim<T>>,
) -> Option<String> {
    name.and_then(|n| n.get(None))
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
}

/// Where to send the browser to end the citizen's session at the provider
/// too (RP-initiated logout, which FranceConnect requires), coming back to
/// `back` — registered at the provider as a post-logout redirect URI.
/// `None` when the provider publishes no `end_session_endpoint`.
pub async fn logout_url(
    settings: &OpenIdSettings,
    id_token: &str,
    back: &str,
) -> Result<Option<String>, OpenIdError> {
    let metadata = metadata(settings).await?;
    let Some(end) = metadata.additional_metadata().end_session_endpoint.clone() else {
        return Ok(None);
    };
    let hint: CoreIdToken = id_token
        .parse()
        .map_err(|e| OpenIdError::Token(format!("stored ID token: {e}")))?;
    let back = PostLogoutRedirectUrl::new(back.to_owned())
        .map_err(|e| OpenIdError::Settings(format!("post-logout redirect URI: {e}")))?;
    Ok(Some(
        LogoutRequest::from(end)
            .set_id_token_hint(&hint)
            .set_client_id(ClientId::new(settings.client_id.clone()))
            .set_post_logout_redirect_uri(back)
            .set_state(CsrfToken::new_random())
            .http_get_url()
            .to_string(),
    ))
}

/// The crate checks times with `chrono`; Guichet's clock is `jiff`.
fn chrono_of(now: Timestamp) -> Result<chrono::DateTime<chrono::Utc>, OpenIdError> {
    chrono::DateTime::from_timestamp(now.as_second(), 0)
        .ok_or_else(|| OpenIdError::Settings("the clock is out of range".into()))
}
