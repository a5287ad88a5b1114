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
}

/// A stored kind, a person's when unknown.
pub(super) fn person_kind(name: &str) -> PersonKind {
    PersonKind::from_name(name).unwrap_or(PersonKind::Citizen)
}
