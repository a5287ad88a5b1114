//! Tenants, their departments (and heads) and standard answers.

use super::{BoxFuture, StoreError};
use jiff::Timestamp;

/// A tenant as stored: its settings and the definitions of its services.
#[derive(Debug, Clone)]
pub struct TenantRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    /// `(definition XML, online)` of the current version of each service, in
    /// catalogue order.
    pub services: Vec<(String, bool)>,
    /// Definitions of older versions still referenced by requests.
    pub older_versions: Vec<String>,
}

/// A municipal department (état civil, voirie…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub code: String,
    pub name: String,
    /// The login of the agent told first when a request is late.
    pub head: Option<String>,
}

/// A standard answer of a department.
#[derive(Debug, Clone)]
pub struct StandardAnswer {
    pub id: i64,
    pub department: String,
    pub title: String,
    pub text: String,
}

/// A standard answer's wording, to store.
#[derive(Debug, Clone)]
pub struct NewStandardAnswer {
    pub department: String,
    pub title: String,
    pub text: String,
}

pub trait TenantStore: Send + Sync {
    /// Every tenant with its services (at start-up).
    fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError>;

    /// Creates a tenant with these service definitions, all online, unless a
    /// tenant with this slug exists. Returns whether it was created.
    fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        definitions: &[(String, String, u32)],
    ) -> Result<bool, StoreError>;

    /// Records the tenant's departments (adding missing ones, renaming known
    /// ones) and gives requests stored before departments existed the
    /// department of their service (`(service code, department)`).
    fn sync_departments(
        &self,
        tenant_id: i64,
        departments: &[Department],
        service_departments: &[(String, String)],
    ) -> Result<(), StoreError>;

    fn departments(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Department>, StoreError>>;

    /// Sets departments' heads (`(code, Some(login))`, or `None` for no
    /// head), audited; returns how many changed.
    fn set_department_heads(
        &self,
        tenant_id: i64,
        heads: Vec<(String, Option<String>)>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>>;

    fn standard_answers(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<StandardAnswer>, StoreError>>;

    /// Creates (`id` `None`) or changes a standard answer, audited. Returns
    /// its id, or `None` when there is no answer `id`.
    fn save_standard_answer(
        &self,
        tenant_id: i64,
        id: Option<i64>,
        answer: NewStandardAnswer,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>>;

    /// Removes a standard answer (answers already sent keep their text),
    /// audited. `false` when there is no such answer.
    fn remove_standard_answer(
        &self,
        tenant_id: i64,
        id: i64,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Adds standard answers `(department, title, text)` unless the tenant has some.
    fn seed_standard_answers(
        &self,
        tenant_id: i64,
        answers: &[(&str, &str, &str)],
    ) -> Result<(), StoreError>;
}
