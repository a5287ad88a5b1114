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
