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
    /// A disabled tenant answers 404 everywhere; its data is kept.
    pub enabled: bool,
    /// Its departments as recorded (with or without services), by name.
    pub departments: Vec<Department>,
}

/// A tenant as the operator lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSummary {
    pub slug: String,
    pub name: String,
    pub enabled: bool,
    pub services_online: u32,
    pub requests: u64,
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

    /// Enables or disables a tenant, audited in its journal. `false` when
    /// there is no such tenant.
    fn set_tenant_enabled(
        &self,
        slug: &str,
        enabled: bool,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// A number that grows at every change of any tenant (created, enabled,
    /// disabled, its services changed): servers reload when it moves.
    fn tenants_generation(&self) -> Result<i64, StoreError>;

    /// Every tenant with what the operator wants to know of it, by slug.
    fn tenant_summaries(&self) -> Result<Vec<TenantSummary>, StoreError>;

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
