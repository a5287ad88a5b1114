//! An agent proves who they are: the password check behind the back
//! office's login form and the testers' SOAP endpoint (HTTP Basic), as slow
//! for an unknown login as for a wrong password, throttled per tenant,
//! login and client address.

use super::App;
use crate::auth;
use crate::store::{AgentRecord, StoreError};
use crate::tenant::Site;

/// A password hash compared against when the login is unknown, so that
/// answering takes as long either way.
const UNKNOWN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$mFsuxXY41laCMkiX0MeEfQ$e8qH9zyLe668SrHlgpcllRY6kUQPZjqiZ8Dw85YCARY";

/// Whether `password` is the one `hash` was made from, in the blocking pool
/// (Argon2 is slow on purpose); with no hash (no such agent or citizen),
/// compared against [`UNKNOWN_HASH`] all the same, so that answering takes
/// as long either way, and false.
pub(crate) async fn password_matches(password: String, hash: Option<String>) -> bool {
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| UNKNOWN_HASH.to_owned());
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    matches && known
}

#[derive(Debug)]
pub enum AuthError {
    /// Too many failures from this address for this login: wait so many seconds.
    Throttled(i64),
    /// Unknown login, inactive agent or wrong password (which one is not said).
    Failed,
    Unavailable(StoreError),
}

/// The active agent of `site` with this login and password. `peer` is the
/// client's address (for throttling).
pub async fn authenticate(
    app: &App,
    site: &Site,
    login: &str,
    password: String,
    peer: &str,
) -> Result<AgentRecord, AuthError> {
    let now = app.now().as_second();
    let key = format!("{}/{login}/{peer}", site.tenant.slug);
    let wait = super::throttle::wait(app, &key, now)
        .await
        .map_err(AuthError::Unavailable)?;
    if wait > 0 {
        return Err(AuthError::Throttled(wait));
    }
    let record = app
        .store
        .agent(site.tenant.id, login.to_owned())
        .await
        .map_err(AuthError::Unavailable)?
        .filter(|r| r.active);
    let matches =
        password_matches(password, record.as_ref().map(|r| r.password_hash.clone())).await;
    match record.filter(|_| matches) {
        Some(record) => {
            super::throttle::succeeded(app, &key)
                .await
                .map_err(AuthError::Unavailable)?;
            Ok(record)
        }
        None => {
            super::throttle::failed(app, &key, now)
                .await
                .map_err(AuthError::Unavailable)?;
            tracing::warn!(tenant = %site.tenant.slug, %login, %peer, "failed agent authentication");
            super::audit::sign_in_event(
                app,
                site.tenant.id,
                "anonymous".into(),
                format!("agent:{}", super::audit::typed(login)),
                "login-failed",
                format!("from {peer}"),
            )
            .await
            .map_err(AuthError::Unavailable)?;
            Err(AuthError::Failed)
        }
    }
}
