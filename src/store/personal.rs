//! Personal data under the GDPR: requests anonymised some months after they
//! closed (retention), accounts closed by their citizen (erasure), a person
//! found for an administrator's export (access).

use super::{BoxFuture, StoreError};
use crate::core::tracking::Reference;
use jiff::Timestamp;

/// The requests of one service due for anonymisation: those that closed
/// before `closed_before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRule {
    pub service_code: String,
    pub closed_before: Timestamp,
}

/// What closing an account did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountClosed {
    /// Its closed requests, anonymised at once.
    pub anonymised: Vec<Reference>,
    /// Its requests still open (or whose last messages are not sent yet):
    /// the town finishes them, and they are anonymised once finished.
    pub kept: Vec<Reference>,
}

/// Whom an administrator looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonQuery {
    /// An e-mail address (lower case): accounts and requests with it.
    Email(String),
    /// Words of a name: accounts and requests whose name holds them all,
    /// whatever the case.
    Name(String),
}

/// What a search for a person found (at most [`PERSON_LIMIT`] of each).
#[derive(Debug, Clone, Default)]
pub struct PersonFound {
    pub accounts: Vec<super::Citizen>,
    /// Requests matching, whether an account holds them or not (never test
    /// ones, never anonymised ones), newest first.
    pub requests: Vec<FoundRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRequest {
    pub reference: Reference,
    pub service_code: String,
    pub requester_name: String,
    pub submitted_at: Timestamp,
}

pub const PERSON_LIMIT: u32 = 200;

pub trait PersonalDataStore: Send + Sync {
    /// The digests of every file a request still records (every tenant):
    /// the blobs to keep.
    fn kept_blobs(&self) -> BoxFuture<'_, Result<std::collections::HashSet<String>, StoreError>>;

    /// The accounts and requests of a person, for an administrator.
    fn find_person(
        &self,
        tenant_id: i64,
        query: PersonQuery,
    ) -> BoxFuture<'_, Result<PersonFound, StoreError>>;

    /// Anonymises, in one transaction with one audit entry listing them, at
    /// most `batch` requests of the tenant that are due: closed before
    /// their service's rule says, or closed after their citizen closed
    /// their account once their last messages are sent (or after 30 days). A request's
    /// anonymisation removes the requester's name and contacts, its values,
    /// the comments of its history and the audit details about it, its
    /// messages, its link to an account and its tracking code; it keeps
    /// service, dates, steps, channel and department. The messages sent to
    /// addresses of closed accounts go too. Returns the requests
    /// anonymised, oldest first: fewer than `batch` means none is left.
    fn anonymise_due(
        &self,
        tenant_id: i64,
        rules: Vec<RetentionRule>,
        batch: u32,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>>;

    /// Deletes, in one transaction with one audit entry listing them, the
    /// files of at most `batch` requests closed before their service's
    /// `filesDeletedAfterMonths` rule (`rules`) and not anonymised yet: the
    /// requester's and the town's alike, a message still to carry one going
    /// without it; a history event says so. Returns the requests, oldest
    /// first: fewer than `batch` means none is left.
    fn delete_files_due(
        &self,
        tenant_id: i64,
        rules: Vec<RetentionRule>,
        batch: u32,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>>;

    /// Closes a citizen's account in one transaction: its closed requests
    /// anonymised, the others marked to be when they close and no longer
    /// linked to it, then the account, its sessions, links and identities
    /// deleted and the audit details about it blanked; `goodbye` queued to
    /// its address (the account's messages already sent are deleted, and
    /// this one with them once sent, by [`PersonalDataStore::anonymise_due`]).
    /// `None` when there is no such account.
    fn close_account(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        goodbye: super::AccountMail,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AccountClosed>, StoreError>>;
}
