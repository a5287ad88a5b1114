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

// ---------------------------------------------------------------------------
// What both backends decide the same way: which requests are due, what the
// audit journal says. Backends only read and write the rows.
// ---------------------------------------------------------------------------

/// The actor of retention runs in the audit journal.
pub(super) const RETENTION_ACTOR: &str = "system:retention";

/// Days a closed request of a closed account waits for its last messages
/// (a town whose mail server is down or not set).
pub(super) const SENDING_DAYS: i64 = 30;

/// Before when (`entered_at`) a closed request of a closed account stops
/// waiting for its last messages.
pub(super) fn sending_given_up(now: Timestamp) -> String {
    (now - jiff::SignedDuration::from_hours(24 * SENDING_DAYS)).to_string()
}

/// A request found due: (closed at, id, service, reference), in the order
/// they are handled.
pub(super) type DueRequest = (String, i64, String, Reference);

/// The `batch` oldest closed of `due` (as (id, service, reference)).
pub(super) fn oldest_first(mut due: Vec<DueRequest>, batch: u32) -> Vec<(i64, String, Reference)> {
    due.sort();
    due.truncate(batch as usize);
    due.into_iter()
        .map(|(_, id, code, reference)| (id, code, reference))
        .collect()
}

/// The same, each request once though several ways found it.
pub(super) fn oldest_distinct_first(
    mut due: Vec<DueRequest>,
    batch: u32,
) -> Vec<(i64, String, Reference)> {
    due.sort();
    due.dedup_by_key(|(_, id, _, _)| *id);
    oldest_first(due, batch)
}

/// An audit entry's detail of one retention batch: how many requests
/// `done`, per service, and their references; the messages to closed
/// accounts deleted with them.
pub(super) fn retention_detail(
    due: &[(i64, String, Reference)],
    forgotten: usize,
    done: &str,
) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (_, code, _) in due {
        match counts.iter_mut().find(|(c, _)| c == code) {
            Some((_, n)) => *n += 1,
            None => counts.push((code, 1)),
        }
    }
    counts.sort();
    let per_service: Vec<String> = counts.iter().map(|(c, n)| format!("{c}: {n}")).collect();
    let references: Vec<String> = due.iter().map(|(_, _, r)| r.to_string()).collect();
    let mut detail = format!("{} {done}", due.len());
    if !due.is_empty() {
        detail.push_str(&format!(
            " ({}): {}",
            per_service.join(", "),
            references.join(", ")
        ));
    }
    if forgotten > 0 {
        detail.push_str(&format!(
            "; {forgotten} messages to closed accounts deleted"
        ));
    }
    detail
}

/// The audit detail of a closed account: what became of its requests.
pub(super) fn close_account_detail(closed: &AccountClosed) -> String {
    let list = |r: &[Reference]| {
        r.iter()
            .map(Reference::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{} requests anonymised [{}], {} kept until finished [{}]",
        closed.anonymised.len(),
        list(&closed.anonymised),
        closed.kept.len(),
        list(&closed.kept)
    )
}

/// `LIKE` patterns, one per word of a name, with `%` and `_` escaped.
pub(super) fn name_patterns(words: &str) -> Vec<String> {
    words
        .split_whitespace()
        .map(|w| {
            let escaped = w
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
        .collect()
}

/// The requests found for a person, with the accounts' own: newest first,
/// each once.
pub(super) fn newest_distinct(mut requests: Vec<FoundRequest>) -> Vec<FoundRequest> {
    requests.sort_by_key(|r| std::cmp::Reverse(r.reference));
    requests.dedup_by_key(|r| r.reference);
    requests
}
