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
    /// `(definition XML, status)` of the current version of each service,
    /// in catalogue order.
    pub services: Vec<(String, ServiceStatus)>,
    /// Definitions of older versions still referenced by requests.
    pub older_versions: Vec<String>,
    /// A disabled tenant answers 404 everywhere; its data is kept.
    pub enabled: bool,
    /// Its departments as recorded (with or without services), by name.
    pub departments: Vec<Department>,
}

/// Where a service stands in a town's catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceStatus {
    /// Being written: administrators only.
    Draft,
    /// Tried by the town's agents; its requests are marked as tests.
    Test,
    /// In the catalogue, the WSDL, `ListServices`.
    Online,
    /// Withdrawn: gone from the catalogue and the WSDL; its requests carry on.
    Offline,
}

impl ServiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Draft => "draft",
            ServiceStatus::Test => "test",
            ServiceStatus::Online => "online",
            ServiceStatus::Offline => "offline",
        }
    }

    pub fn from_name(name: &str) -> Option<ServiceStatus> {
        Some(match name {
            "draft" => ServiceStatus::Draft,
            "test" => ServiceStatus::Test,
            "online" => ServiceStatus::Online,
            "offline" => ServiceStatus::Offline,
            _ => return None,
        })
    }
}

/// A service of a town's catalogue: its code, current version and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceState {
    pub code: String,
    pub version: u32,
    pub status: ServiceStatus,
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

    /// Creates a town with its departments and its first agent (an
    /// administrator), all in one transaction, audited: the town's id, or
    /// `None` when the slug is taken (nothing written).
    #[allow(clippy::too_many_arguments)]
    fn create_town(
        &self,
        slug: &str,
        name: &str,
        departments: &[Department],
        admin: &super::NewAgent,
        actor: &str,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError>;

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

    /// A town's services in catalogue order, with their status.
    fn services(&self, tenant_id: i64) -> Result<Vec<ServiceState>, StoreError>;

    /// Puts `definition` (of service `code`, at `version`) in the town's
    /// catalogue with `status`: a new service goes last, a known one takes
    /// that version and status (its older versions are kept for the
    /// requests made under them). Audited; tenants change (servers reload).
    #[allow(clippy::too_many_arguments)]
    fn set_service(
        &self,
        tenant_id: i64,
        code: &str,
        definition: &str,
        version: u32,
        status: ServiceStatus,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Changes the status of a service the town has; `false` when it has no
    /// such service. Audited; tenants change.
    fn set_service_status(
        &self,
        tenant_id: i64,
        code: &str,
        status: ServiceStatus,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Keeps `definition` as the town's draft of service `code` (replacing
    /// the previous draft), audited.
    fn save_draft(
        &self,
        tenant_id: i64,
        code: &str,
        definition: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// The town's drafts, `(code, definition)`, by code.
    fn drafts(&self, tenant_id: i64) -> Result<Vec<(String, String)>, StoreError>;

    /// Makes the draft of `code` (written for `version`, the next one) the
    /// service's current version with `status`, and forgets the draft, in
    /// one transaction. `false` when there is no draft.
    #[allow(clippy::too_many_arguments)]
    fn publish_draft(
        &self,
        tenant_id: i64,
        code: &str,
        definition: &str,
        version: u32,
        status: ServiceStatus,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// The definition text of version `version` of the town's `code`.
    fn definition(
        &self,
        tenant_id: i64,
        code: &str,
        version: u32,
    ) -> Result<Option<String>, StoreError>;

    /// The highest version the town ever had of `code` (0 for none).
    fn last_version(&self, tenant_id: i64, code: &str) -> Result<u32, StoreError>;

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

// ---------------------------------------------------------------------------
// The rules of a town's catalogue and departments, and what the journal
// says of them, the same on every backend. Backends only read and write
// the rows.
// ---------------------------------------------------------------------------

/// A stored status of service `code`.
pub(super) fn stored_status(code: &str, status: &str) -> Result<ServiceStatus, StoreError> {
    ServiceStatus::from_name(status)
        .ok_or_else(|| StoreError::Corrupt(format!("service {code}: status {status:?}")))
}

/// The journal's action when a tenant is enabled or disabled.
pub(super) fn tenant_enabled_action(enabled: bool) -> &'static str {
    if enabled {
        "tenant-enabled"
    } else {
        "tenant-disabled"
    }
}

/// Whether `definition` is a new version of `code` to store, given the
/// definition `stored` at that version: a version, once stored, never
/// changes (requests were made under it).
pub(super) fn is_new_version(
    code: &str,
    version: u32,
    stored: Option<&str>,
    definition: &str,
) -> Result<bool, StoreError> {
    match stored {
        Some(text) if text != definition => Err(StoreError::Invalid(format!(
            "service {code}: version {version} exists with another definition; give it a new version"
        ))),
        Some(_) => Ok(false),
        None => Ok(true),
    }
}

/// The journal's detail of a service put in the catalogue.
pub(super) fn service_set_detail(version: u32, status: ServiceStatus) -> String {
    format!("version {version}, {}", status.as_str())
}

/// The journal's detail of a service's status changed from `was`.
pub(super) fn service_status_detail(was: &str, status: ServiceStatus) -> String {
    format!("{was} -> {}", status.as_str())
}

/// Of the heads asked for, those that change a department's head, given
/// the departments as they are; an unknown department refuses them all.
pub(super) fn head_changes<'a>(
    current: &[Department],
    heads: &'a [(String, Option<String>)],
) -> Result<Vec<(&'a str, Option<&'a str>)>, StoreError> {
    let mut changes = Vec::new();
    for (code, login) in heads {
        let Some(department) = current.iter().find(|d| &d.code == code) else {
            return Err(StoreError::Invalid(format!("no department {code:?}")));
        };
        if department.head != *login {
            changes.push((code.as_str(), login.as_deref()));
        }
    }
    Ok(changes)
}

/// The error for a head that is no agent of the tenant.
pub(super) fn unknown_head(login: &str) -> StoreError {
    StoreError::Invalid(format!("no agent {login:?}"))
}

/// The journal's detail of a department's new head.
pub(super) fn head_detail(login: Option<&str>) -> String {
    format!("head: {}", login.unwrap_or("none"))
}

/// The journal's action of a standard answer saved: new (`id` `None`) or changed.
pub(super) fn standard_answer_action(id: Option<i64>) -> &'static str {
    match id {
        None => "standard-answer-created",
        Some(_) => "standard-answer-changed",
    }
}

/// The journal's detail of a standard answer saved: its whole wording.
pub(super) fn standard_answer_detail(a: &NewStandardAnswer) -> String {
    format!("{}: {}\n{}", a.department, a.title, a.text)
}
