//! Business software: the exchange API's accounts, the WS-Security nonces
//! already used, and the requests each account has acknowledged.

use super::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use crate::core::workflow::{Agent, Role};
use jiff::Timestamp;
use jiff::civil::Date;

/// An account of the exchange API as stored: a business application with
/// rights per department, like an agent's (never an administrator).
#[derive(Debug, Clone)]
pub struct ApiAccount {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub roles: Vec<(String, Role)>,
    pub active: bool,
    /// The password sealed under the server's key (`auth::api`).
    pub sealed_secret: String,
    pub created_at: String,
}

impl ApiAccount {
    /// The account as the workflow engine sees who acts (`api:LOGIN`).
    pub fn agent(&self) -> Agent {
        Agent {
            login: self.login.clone(),
            name: self.name.clone(),
            admin: false,
            roles: self.roles.clone(),
            software: true,
        }
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewApiAccount {
    pub login: String,
    pub name: String,
    pub roles: Vec<(String, Role)>,
    pub sealed_secret: String,
}

/// New values for an account, all of them (the login stays).
#[derive(Debug, Clone)]
pub struct ApiAccountChange {
    pub login: String,
    pub name: String,
    pub active: bool,
    pub roles: Vec<(String, Role)>,
    /// A new password, sealed; `None` keeps the current one.
    pub sealed_secret: Option<String>,
}

/// Which requests an account lists as new.
#[derive(Debug, Clone)]
pub struct NewRequestsQuery {
    pub account_id: i64,
    /// The departments the account may read in (requests elsewhere are
    /// not its to see).
    pub departments: Vec<String>,
    pub service: Option<String>,
    pub department: Option<String>,
    /// The cursor of the last request of the previous page.
    pub after: Option<i64>,
    pub limit: u32,
}

/// A request listed as new: enough to decide whether to fetch it.
#[derive(Debug, Clone)]
pub struct ListedRequest {
    /// Where the next page starts after this one (oldest first).
    pub cursor: i64,
    pub reference: Reference,
    pub service_code: String,
    pub service_version: u32,
    pub department: String,
    pub step: String,
    pub submitted_at: Timestamp,
    pub due_date: Date,
    pub revision: i64,
}

/// Which requests an Open311 client lists (its filters).
#[derive(Debug, Clone, Default)]
pub struct PublicQuery {
    /// The services offered over Open311: none other is listed.
    pub services: Vec<String>,
    /// These references only (`service_request_id=a,b`).
    pub references: Vec<Reference>,
    /// Submitted at or after / before.
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// `Some(true)`: finished only; `Some(false)`: open only.
    pub finished: Option<bool>,
    pub limit: u32,
}

pub trait ExchangeStore: Send + Sync {
    /// The requests an Open311 client may list, newest first: of the
    /// services given, never test requests.
    fn public_requests(
        &self,
        tenant_id: i64,
        query: PublicQuery,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>>;

    /// An account by login (active or not).
    fn api_account(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<ApiAccount>, StoreError>>;

    fn api_accounts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<ApiAccount>, StoreError>>;

    /// Creates an account, recorded in the audit journal as done by
    /// `actor`. `Ok(false)` when the login is taken.
    fn add_api_account(
        &self,
        tenant_id: i64,
        account: NewApiAccount,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Changes an account in one transaction with its journal entry (never
    /// the password). `Ok(false)` when there is no such account.
    fn change_api_account(
        &self,
        tenant_id: i64,
        change: ApiAccountChange,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Records a UsernameToken nonce (its digest) as used at `now`:
    /// `Ok(false)` if it already was, since `forget_before`. Nonces seen
    /// before `forget_before` are forgotten in the same transaction (their
    /// tokens are too old to be accepted anyway). Held in the store, so a
    /// replay is refused after a restart and on every node.
    fn use_nonce(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// The requests the account has not acknowledged, oldest first, at most
    /// `limit`: neither test requests nor anonymised ones.
    fn new_requests(
        &self,
        tenant_id: i64,
        query: NewRequestsQuery,
    ) -> BoxFuture<'_, Result<Vec<ListedRequest>, StoreError>>;

    /// Marks the requests as acknowledged by the account (again is no
    /// error), with one journal entry naming them. The caller has checked
    /// the account may read each. Returns how many were newly acknowledged.
    fn acknowledge(
        &self,
        tenant_id: i64,
        account_id: i64,
        references: Vec<Reference>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u32, StoreError>>;
}

// ---------------------------------------------------------------------------
// What the exchange API's rows mean and what its journal says, the same on
// every backend: backends only read and write the rows.
// ---------------------------------------------------------------------------

/// Who an account is in the audit journal.
pub(super) fn account_subject(login: &str) -> String {
    format!("api:{login}")
}

/// The journal entry's detail for a new account.
pub(super) fn account_created_detail(account: &NewApiAccount) -> String {
    format!(
        "{}; roles: {}",
        account.name,
        super::agents::grants_text(&account.roles)
    )
}

/// The journal entry's detail for a change of `before`, `None` when
/// nothing changed. The roles compare as stored: sorted, once each.
pub(super) fn account_changed_detail(
    before: &ApiAccount,
    change: &ApiAccountChange,
) -> Option<String> {
    use super::agents::grants_text;
    let mut changes = Vec::new();
    if before.name != change.name {
        changes.push(format!("name: {}", change.name));
    }
    if before.active != change.active {
        changes.push(
            if change.active {
                "reactivated"
            } else {
                "deactivated"
            }
            .to_owned(),
        );
    }
    let mut roles = change.roles.clone();
    roles.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    roles.dedup();
    if grants_text(&before.roles) != grants_text(&roles) {
        changes.push(format!("roles: {}", grants_text(&roles)));
    }
    if change.sealed_secret.is_some() {
        changes.push("new password".to_owned());
    }
    (!changes.is_empty()).then(|| changes.join("; "))
}

/// An account's role as stored (`reader`, `handler`, `validator`).
pub(super) fn stored_role(account_id: i64, name: &str) -> Result<Role, StoreError> {
    Role::from_name(name)
        .ok_or_else(|| StoreError::Corrupt(format!("api account {account_id}: role {name:?}")))
}

/// A reference as one number, `year * 10⁹ + number`, to look several up
/// with one `IN`.
pub(super) fn reference_key(reference: &Reference) -> i64 {
    i64::from(reference.year) * 1_000_000_000 + i64::from(reference.number)
}

/// How many requests one page lists at most: what was asked, within 1..=1000.
pub(super) fn page_size(limit: u32) -> u32 {
    limit.clamp(1, 1000)
}

/// A listed request's submission time and due date as stored (RFC 3339,
/// ISO text).
pub(super) fn listed_dates(
    request_id: i64,
    submitted_at: &str,
    due_date: &str,
) -> Result<(Timestamp, Date), StoreError> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("request {request_id}: {what}: {e}"))
    };
    Ok((
        submitted_at
            .parse()
            .map_err(|e| corrupt("submitted_at", &e))?,
        due_date.parse().map_err(|e| corrupt("due_date", &e))?,
    ))
}
