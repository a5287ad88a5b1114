//! The town's file of who asks: each request joined, in its storing
//! transaction, to the file of the same e-mail address or phone number (or
//! of its account), or to a new one; files with near names at the same
//! address, or sharing a phone, suggested to agents as one person's.

use super::{BoxFuture, ConsoleRow, StoreError};
use crate::core::people::PersonKind;

/// A file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub kind: PersonKind,
    pub first_name: String,
    pub last_name: String,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub town: Option<String>,
    /// Linked to a citizen's account.
    pub has_account: bool,
    /// When it was opened.
    pub created_at: jiff::Timestamp,
}

impl Person {
    /// The name it is shown by.
    pub fn name(&self) -> String {
        crate::core::people::display_name(
            &self.first_name,
            &self.last_name,
            self.organisation.as_deref(),
        )
    }
}

/// A file and every request in it, newest first.
#[derive(Debug, Clone)]
pub struct PersonFile {
    pub person: Person,
    pub requests: Vec<ConsoleRow>,
}

/// What asking for a file finds.
#[derive(Debug, Clone)]
pub enum FoundPerson {
    File(Box<PersonFile>),
    /// It was merged into this one.
    Merged(i64),
}

/// Two files that may be one person's, for an agent to merge or keep apart:
/// the older first.
#[derive(Debug, Clone)]
pub struct MergeSuggestion {
    pub id: i64,
    pub person: Person,
    pub other: Person,
    /// `phone` (the same phone in both), `name-address` (near names at the
    /// same address).
    pub reason: String,
    pub created_at: jiff::Timestamp,
}

/// What an agent says of a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeDecision {
    /// One person: the newer file's requests move to the older, which
    /// takes what it lacked; the newer redirects to it.
    Merge,
    /// Two people: never suggested again.
    Apart,
}

impl MergeDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            MergeDecision::Merge => "merged",
            MergeDecision::Apart => "apart",
        }
    }
}

/// What deciding a suggestion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// Merged into the file `into`.
    Merged {
        into: i64,
    },
    KeptApart,
    /// Each file is linked to an account of its own: two people, not
    /// merged.
    TwoAccounts,
    /// No such suggestion left to decide (decided meanwhile, a file merged
    /// or erased).
    Gone,
}

/// The columns of a [`Person`], in its order.
pub(super) const PERSON_COLUMNS: &str = "id, kind, first_name, last_name, organisation, email, phone, street, postal_code, town, citizen_id IS NOT NULL, created_at";

pub trait PeopleStore: Send + Sync {
    /// A file of the tenant with its requests (test requests left out).
    fn person_file(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<FoundPerson>, StoreError>>;

    /// Files whose name, e-mail address or phone holds `text` (folded),
    /// `limit` at most, by name.
    fn find_people(
        &self,
        tenant_id: i64,
        text: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Person>, StoreError>>;

    /// The suggestions no agent has decided yet between two files still
    /// open, oldest first, `limit` at most, with how many there are.
    fn merge_suggestions(
        &self,
        tenant_id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<MergeSuggestion>, u64), StoreError>>;

    /// Decides the suggestion `id` for the agent `actor` (audited, in one
    /// transaction): merged, the newer file's requests join the older,
    /// which takes the contacts and address it lacked and the newer's
    /// account link, the newer file redirects to it and the suggestions it
    /// had pass to the older.
    fn decide_merge(
        &self,
        tenant_id: i64,
        id: i64,
        decision: MergeDecision,
        actor: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<MergeOutcome, StoreError>>;

    /// Joins to their requester's file, as if they arrived now, the
    /// tenant's requests after `after` (an id) that have none (stored
    /// before the file existed; test requests and those whose personal
    /// data was removed left out), `limit` read at most, in one
    /// transaction: the last id read (`None` when there was none left) and
    /// how many were filed.
    fn file_requests(
        &self,
        tenant_id: i64,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Option<i64>, u64), StoreError>>;

    /// Sets what a file is of (a partner of the town, an association…),
    /// audited; false when there is no such open file.
    fn set_person_kind(
        &self,
        tenant_id: i64,
        id: i64,
        kind: PersonKind,
        actor: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;
}

/// A stored kind, a person's when unknown.
pub(super) fn person_kind(name: &str) -> PersonKind {
    PersonKind::from_name(name).unwrap_or(PersonKind::Citizen)
}
