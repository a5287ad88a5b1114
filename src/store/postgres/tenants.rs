//! tenants: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use jiff::Timestamp;

impl TenantStore for PostgresStore {
    fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        todo!("PostgreSQL: tenants")
    }

    fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        definitions: &[(String, String, u32)],
    ) -> Result<bool, StoreError> {
        todo!("PostgreSQL: create_tenant")
    }

    #[allow(clippy::too_many_arguments)]
    fn create_town(
        &self,
        slug: &str,
        name: &str,
        departments: &[Department],
        admin: &crate::store::NewAgent,
        actor: &str,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        todo!("PostgreSQL: create_town")
    }

    fn set_tenant_enabled(
        &self,
        slug: &str,
        enabled: bool,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        todo!("PostgreSQL: set_tenant_enabled")
    }

    fn tenants_generation(&self) -> Result<i64, StoreError> {
        todo!("PostgreSQL: tenants_generation")
    }

    fn tenant_summaries(&self) -> Result<Vec<TenantSummary>, StoreError> {
        todo!("PostgreSQL: tenant_summaries")
    }

    fn services(&self, tenant_id: i64) -> Result<Vec<ServiceState>, StoreError> {
        todo!("PostgreSQL: services")
    }

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
    ) -> Result<(), StoreError> {
        todo!("PostgreSQL: set_service")
    }

    fn set_service_status(
        &self,
        tenant_id: i64,
        code: &str,
        status: ServiceStatus,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        todo!("PostgreSQL: set_service_status")
    }

    fn save_draft(
        &self,
        tenant_id: i64,
        code: &str,
        definition: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        todo!("PostgreSQL: save_draft")
    }

    fn drafts(&self, tenant_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        todo!("PostgreSQL: drafts")
    }

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
    ) -> Result<bool, StoreError> {
        todo!("PostgreSQL: publish_draft")
    }

    fn definition(
        &self,
        tenant_id: i64,
        code: &str,
        version: u32,
    ) -> Result<Option<String>, StoreError> {
        todo!("PostgreSQL: definition")
    }

    fn last_version(&self, tenant_id: i64, code: &str) -> Result<u32, StoreError> {
        todo!("PostgreSQL: last_version")
    }

    fn sync_departments(
        &self,
        tenant_id: i64,
        departments: &[Department],
        service_departments: &[(String, String)],
    ) -> Result<(), StoreError> {
        todo!("PostgreSQL: sync_departments")
    }

    fn departments(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Department>, StoreError>> {
        todo!("PostgreSQL: departments")
    }

    fn set_department_heads(
        &self,
        tenant_id: i64,
        heads: Vec<(String, Option<String>)>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        todo!("PostgreSQL: set_department_heads")
    }

    fn standard_answers(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<StandardAnswer>, StoreError>> {
        todo!("PostgreSQL: standard_answers")
    }

    fn save_standard_answer(
        &self,
        tenant_id: i64,
        id: Option<i64>,
        answer: NewStandardAnswer,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        todo!("PostgreSQL: save_standard_answer")
    }

    fn remove_standard_answer(
        &self,
        tenant_id: i64,
        id: i64,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: remove_standard_answer")
    }

    fn seed_standard_answers(
        &self,
        tenant_id: i64,
        answers: &[(&str, &str, &str)],
    ) -> Result<(), StoreError> {
        todo!("PostgreSQL: seed_standard_answers")
    }

}
