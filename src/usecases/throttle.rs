//! Failed logins throttled per tenant, login and client address (agents'
//! logins and the testers' endpoint, citizens' sign-ins, exchange
//! accounts): the counts live in the store, so every node of a cluster
//! throttles alike and a restart forgets nothing; the policy is
//! `auth::throttle_wait`. A key names a person (a login or an e-mail
//! address, a client address): only its SHA-256 is stored.

use super::App;
use crate::auth::{MAX_WAIT_SECS, throttle_wait};
use crate::store::StoreError;

fn digest(key: &str) -> String {
    crate::auth::session_digest(key)
}

/// Seconds `key` must wait before trying again (0: now).
pub async fn wait(app: &App, key: &str, now: i64) -> Result<i64, StoreError> {
    Ok(match app.store.login_failures(digest(key)).await? {
        Some((count, last)) => throttle_wait(count, last, now),
        None => 0,
    })
}

pub async fn failed(app: &App, key: &str, now: i64) -> Result<(), StoreError> {
    app.store
        .login_failed(digest(key), now, now - MAX_WAIT_SECS)
        .await
}

pub async fn succeeded(app: &App, key: &str) -> Result<(), StoreError> {
    app.store.login_succeeded(digest(key)).await
}
