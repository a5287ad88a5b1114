//! SQL of tenants, their departments (and heads) and standard answers.

use super::PostgresStore;
use super::agents::agent;
use super::audit::append_audit;
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;

impl TenantStore for PostgresStore {
    fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        self.wait(self.read(|tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        "SELECT id, slug, name, time_zone, enabled FROM tenants ORDER BY id",
                        &[],
                    )
                    .await?;
                let mut tenants = Vec::with_capacity(rows.len());
                for r in &rows {
                    let id: i64 = r.get(0);
                    let services = tx
                        .query(
                            "SELECT s.code, v.definition, s.status FROM services s
                             JOIN service_versions v ON v.tenant_id = s.tenant_id AND v.code = s.code AND v.version = s.version
                             WHERE s.tenant_id = $1 ORDER BY s.position",
                            &[&id],
                        )
                        .await?
                        .iter()
                        .map(|s| {
                            let code: &str = s.get(0);
                            Ok((s.get(1), stored_status(code, s.get(2))?))
                        })
                        .collect::<Result<_, StoreError>>()?;
                    let older_versions = tx
                        .query(
                            "SELECT v.definition FROM service_versions v
                             JOIN services s ON s.tenant_id = v.tenant_id AND s.code = v.code
                             WHERE v.tenant_id = $1 AND v.version <> s.version ORDER BY v.id",
                            &[&id],
                        )
                        .await?
                        .iter()
                        .map(|v| v.get(0))
                        .collect();
                    tenants.push(TenantRecord {
                        id,
                        slug: r.get(1),
                        name: r.get(2),
                        time_zone: r.get(3),
                        enabled: r.get::<_, i64>(4) != 0,
                        services,
                        older_versions,
                        departments: departments(tx, id).await?,
                    });
                }
                Ok(tenants)
            })
        }))
    }

    fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        definitions: &[(String, String, u32)],
    ) -> Result<bool, StoreError> {
        let (slug, name, definitions) = (slug.to_owned(), name.to_owned(), definitions.to_vec());
        let now = Timestamp::now().to_string();
        self.wait(self.write(move |tx| {
            let (slug, name, definitions, now) =
                (slug.clone(), name.clone(), definitions.clone(), now.clone());
            Box::pin(async move {
                let Some(tenant_id) = insert_tenant(tx, &slug, &name, &now).await? else {
                    return Ok(false);
                };
                tenants_changed(tx).await?;
                let version_sql = tx
                    .prepare_cached(
                        "INSERT INTO service_versions (tenant_id, code, version, definition, created_at)
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .await?;
                let service_sql = tx
                    .prepare_cached(
                        "INSERT INTO services (tenant_id, code, version, status, position)
                         VALUES ($1, $2, $3, 'online', $4)",
                    )
                    .await?;
                for (position, (code, definition, version)) in definitions.iter().enumerate() {
                    let version = i64::from(*version);
                    tx.execute(
                        &version_sql,
                        &[&tenant_id, code, &version, definition, &now],
                    )
                    .await?;
                    tx.execute(
                        &service_sql,
                        &[&tenant_id, code, &version, &(position as i64)],
                    )
                    .await?;
                }
                Ok(true)
            })
        }))
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
        let (slug, name, departments, admin, actor) = (
            slug.to_owned(),
            name.to_owned(),
            departments.to_vec(),
            admin.clone(),
            actor.to_owned(),
        );
        let at = at.to_string();
        self.wait(self.write(move |tx| {
            let (slug, name, departments, admin, actor, at) = (
                slug.clone(),
                name.clone(),
                departments.clone(),
                admin.clone(),
                actor.clone(),
                at.clone(),
            );
            Box::pin(async move {
                let Some(tenant_id) = insert_tenant(tx, &slug, &name, &at).await? else {
                    return Ok(None);
                };
                tenants_changed(tx).await?;
                let department_sql = tx
                    .prepare_cached(
                        "INSERT INTO departments (tenant_id, code, name) VALUES ($1, $2, $3)",
                    )
                    .await?;
                for d in &departments {
                    tx.execute(&department_sql, &[&tenant_id, &d.code, &d.name])
                        .await?;
                }
                if !super::agents::add_agent(tx, tenant_id, &admin, &actor, &at).await? {
                    return Err(StoreError::Corrupt(format!(
                        "a new town {slug} already has an agent {}",
                        admin.login
                    )));
                }
                Ok(Some(tenant_id))
            })
        }))
    }

    fn set_tenant_enabled(
        &self,
        slug: &str,
        enabled: bool,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let (slug, actor) = (slug.to_owned(), actor.to_owned());
        let at = at.to_string();
        self.wait(self.write(move |tx| {
            let (slug, actor, at) = (slug.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let Some(row) = tx
                    .query_opt(
                        &tx.prepare_cached("SELECT id, enabled FROM tenants WHERE slug = $1")
                            .await?,
                        &[&slug],
                    )
                    .await?
                else {
                    return Ok(false);
                };
                let tenant_id: i64 = row.get(0);
                let was = row.get::<_, i64>(1) != 0;
                if was != enabled {
                    tx.execute(
                        &tx.prepare_cached("UPDATE tenants SET enabled = $1 WHERE id = $2")
                            .await?,
                        &[&i64::from(enabled), &tenant_id],
                    )
                    .await?;
                    tenants_changed(tx).await?;
                    append_audit(
                        tx,
                        tenant_id,
                        &at,
                        &actor,
                        &format!("tenant:{slug}"),
                        tenant_enabled_action(enabled),
                        "",
                    )
                    .await?;
                }
                Ok(true)
            })
        }))
    }

    fn tenants_generation(&self) -> Result<i64, StoreError> {
        self.wait(self.read(|tx| {
            Box::pin(async move {
                let row = tx
                    .query_one(
                        &tx.prepare_cached("SELECT generation FROM tenant_changes WHERE id = 1")
                            .await?,
                        &[],
                    )
                    .await?;
                Ok(row.get(0))
            })
        }))
    }

    fn tenant_summaries(&self) -> Result<Vec<TenantSummary>, StoreError> {
        self.wait(self.read(|tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        "SELECT t.slug, t.name, t.enabled,
                            (SELECT count(*) FROM services s WHERE s.tenant_id = t.id AND s.status = 'online'),
                            (SELECT count(*) FROM requests r WHERE r.tenant_id = t.id)
                         FROM tenants t ORDER BY t.slug",
                        &[],
                    )
                    .await?;
                rows.iter()
                    .map(|r| {
                        let online: i64 = r.get(3);
                        Ok(TenantSummary {
                            slug: r.get(0),
                            name: r.get(1),
                            enabled: r.get::<_, i64>(2) != 0,
                            services_online: super::narrow("services online", online)?,
                            requests: r.get::<_, i64>(4).max(0) as u64,
                        })
                    })
                    .collect()
            })
        }))
    }

    fn services(&self, tenant_id: i64) -> Result<Vec<ServiceState>, StoreError> {
        self.wait(self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT code, version, status FROM services WHERE tenant_id = $1 ORDER BY position",
                        )
                        .await?,
                        &[&tenant_id],
                    )
                    .await?;
                rows.iter()
                    .map(|r| {
                        let code: String = r.get(0);
                        let version = super::narrow(format_args!("service {code}: version"), r.get(1))?;
                        let status = stored_status(&code, r.get(2))?;
                        Ok(ServiceState {
                            code,
                            version,
                            status,
                        })
                    })
                    .collect()
            })
        }))
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
        let (code, definition, actor) = (code.to_owned(), definition.to_owned(), actor.to_owned());
        let at = at.to_string();
        self.wait(self.write(move |tx| {
            let (code, definition, actor, at) =
                (code.clone(), definition.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                set_service(
                    tx,
                    tenant_id,
                    &code,
                    &definition,
                    version,
                    status,
                    &actor,
                    &at,
                )
                .await
            })
        }))
    }

    fn set_service_status(
        &self,
        tenant_id: i64,
        code: &str,
        status: ServiceStatus,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let (code, actor) = (code.to_owned(), actor.to_owned());
        let at = at.to_string();
        self.wait(self.write(move |tx| {
            let (code, actor, at) = (code.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let Some(row) = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "SELECT status FROM services WHERE tenant_id = $1 AND code = $2",
                        )
                        .await?,
                        &[&tenant_id, &code],
                    )
                    .await?
                else {
                    return Ok(false);
                };
                let was: String = row.get(0);
                if was != status.as_str() {
                    tx.execute(
                        &tx.prepare_cached(
                            "UPDATE services SET status = $1 WHERE tenant_id = $2 AND code = $3",
                        )
                        .await?,
                        &[&status.as_str(), &tenant_id, &code],
                    )
                    .await?;
                    tenants_changed(tx).await?;
                    append_audit(
                        tx,
                        tenant_id,
                        &at,
                        &actor,
                        &format!("service:{code}"),
                        "service-status",
                        &service_status_detail(&was, status),
                    )
                    .await?;
                }
                Ok(true)
            })
        }))
    }

    fn save_draft(
        &self,
        tenant_id: i64,
        code: &str,
        definition: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (code, definition, actor) = (code.to_owned(), definition.to_owned(), actor.to_owned());
        let at = at.to_string();
        self.wait(self.write(move |tx| {
            let (code, definition, actor, at) =
                (code.clone(), definition.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached(
                        "INSERT INTO service_drafts (tenant_id, code, definition, updated_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (tenant_id, code) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                    )
                    .await?,
                    &[&tenant_id, &code, &definition, &at],
                )
                .await?;
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    &actor,
                    &format!("service:{code}"),
                    "draft-saved",
                    "",
                )
                .await
            })
        }))
    }

    fn drafts(&self, tenant_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        self.wait(self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT code, definition FROM service_drafts WHERE tenant_id = $1 ORDER BY code",
                        )
                        .await?,
                        &[&tenant_id],
                    )
                    .await?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            })
        }))
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
        let (code, definition, actor) = (code.to_owned(), definition.to_owned(), actor.to_owned());
        let at = at.to_string();
        self.wait(self.write(move |tx| {
            let (code, definition, actor, at) =
                (code.clone(), definition.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let removed = tx
                    .execute(
                        &tx.prepare_cached(
                            "DELETE FROM service_drafts WHERE tenant_id = $1 AND code = $2",
                        )
                        .await?,
                        &[&tenant_id, &code],
                    )
                    .await?;
                if removed == 0 {
                    return Ok(false);
                }
                set_service(
                    tx,
                    tenant_id,
                    &code,
                    &definition,
                    version,
                    status,
                    &actor,
                    &at,
                )
                .await?;
                Ok(true)
            })
        }))
    }

    fn definition(
        &self,
        tenant_id: i64,
        code: &str,
        version: u32,
    ) -> Result<Option<String>, StoreError> {
        let code = code.to_owned();
        self.wait(self.read(move |tx| {
            Box::pin(async move { stored_definition(tx, tenant_id, &code, version).await })
        }))
    }

    fn last_version(&self, tenant_id: i64, code: &str) -> Result<u32, StoreError> {
        let code = code.to_owned();
        self.wait(self.read(move |tx| {
            Box::pin(async move {
                let row = tx
                    .query_one(
                        &tx.prepare_cached(
                            "SELECT coalesce(max(version), 0) FROM service_versions WHERE tenant_id = $1 AND code = $2",
                        )
                        .await?,
                        &[&tenant_id, &code],
                    )
                    .await?;
                super::narrow(format_args!("service {code}: version"), row.get(0))
            })
        }))
    }

    fn sync_departments(
        &self,
        tenant_id: i64,
        departments: &[Department],
        service_departments: &[(String, String)],
    ) -> Result<(), StoreError> {
        let (departments, service_departments) =
            (departments.to_vec(), service_departments.to_vec());
        self.wait(self.write(move |tx| {
            let (departments, service_departments) =
                (departments.clone(), service_departments.clone());
            Box::pin(async move {
                let department_sql = tx
                    .prepare_cached(
                        "INSERT INTO departments (tenant_id, code, name) VALUES ($1, $2, $3)
                         ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name",
                    )
                    .await?;
                for d in &departments {
                    tx.execute(&department_sql, &[&tenant_id, &d.code, &d.name])
                        .await?;
                }
                let request_sql = tx
                    .prepare_cached(
                        "UPDATE requests SET department = $1
                         WHERE tenant_id = $2 AND service_code = $3 AND department = ''",
                    )
                    .await?;
                for (service, department) in &service_departments {
                    tx.execute(&request_sql, &[department, &tenant_id, service])
                        .await?;
                }
                Ok(())
            })
        }))
    }

    fn departments(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Department>, StoreError>> {
        self.read(move |tx| Box::pin(departments(tx, tenant_id)))
    }

    fn set_department_heads(
        &self,
        tenant_id: i64,
        heads: Vec<(String, Option<String>)>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (heads, actor, at) = (heads.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let current = departments(tx, tenant_id).await?;
                let changes = head_changes(&current, &heads)?;
                for &(code, login) in &changes {
                    let head: Option<i64> = match login {
                        Some(login) => Some(
                            agent(tx, tenant_id, login)
                                .await?
                                .ok_or_else(|| unknown_head(login))?
                                .id,
                        ),
                        None => None,
                    };
                    tx.execute(
                        &tx.prepare_cached(
                            "UPDATE departments SET head_agent_id = $3 WHERE tenant_id = $1 AND code = $2",
                        )
                        .await?,
                        &[&tenant_id, &code, &head],
                    )
                    .await?;
                    append_audit(
                        tx,
                        tenant_id,
                        &at,
                        &actor,
                        &format!("department:{code}"),
                        "department-head",
                        &head_detail(login),
                    )
                    .await?;
                }
                Ok(changes.len())
            })
        })
    }

    fn standard_answers(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<StandardAnswer>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT id, department, title, text FROM standard_answers
                             WHERE tenant_id = $1 ORDER BY department, title",
                        )
                        .await?,
                        &[&tenant_id],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| StandardAnswer {
                        id: r.get(0),
                        department: r.get(1),
                        title: r.get(2),
                        text: r.get(3),
                    })
                    .collect())
            })
        })
    }

    fn save_standard_answer(
        &self,
        tenant_id: i64,
        id: Option<i64>,
        answer: NewStandardAnswer,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (a, actor, at) = (answer.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let saved = match id {
                    None => tx
                        .query_one(
                            &tx.prepare_cached(
                                "INSERT INTO standard_answers (tenant_id, department, title, text)
                                 VALUES ($1, $2, $3, $4) RETURNING id",
                            )
                            .await?,
                            &[&tenant_id, &a.department, &a.title, &a.text],
                        )
                        .await?
                        .get(0),
                    Some(id) => {
                        let changed = tx
                            .execute(
                                &tx.prepare_cached(
                                    "UPDATE standard_answers SET department = $3, title = $4, text = $5
                                     WHERE tenant_id = $1 AND id = $2",
                                )
                                .await?,
                                &[&tenant_id, &id, &a.department, &a.title, &a.text],
                            )
                            .await?;
                        if changed == 0 {
                            return Ok(None);
                        }
                        id
                    }
                };
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    &actor,
                    &format!("standard-answer:{saved}"),
                    standard_answer_action(id),
                    &standard_answer_detail(&a),
                )
                .await?;
                Ok(Some(saved))
            })
        })
    }

    fn remove_standard_answer(
        &self,
        tenant_id: i64,
        id: i64,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (actor, at) = (actor.clone(), at.clone());
            Box::pin(async move {
                let Some(row) = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "DELETE FROM standard_answers WHERE tenant_id = $1 AND id = $2 RETURNING title",
                        )
                        .await?,
                        &[&tenant_id, &id],
                    )
                    .await?
                else {
                    return Ok(false);
                };
                let title: String = row.get(0);
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    &actor,
                    &format!("standard-answer:{id}"),
                    "standard-answer-removed",
                    &title,
                )
                .await?;
                Ok(true)
            })
        })
    }

    fn seed_standard_answers(
        &self,
        tenant_id: i64,
        answers: &[(&str, &str, &str)],
    ) -> Result<(), StoreError> {
        let answers: Vec<[String; 3]> = answers
            .iter()
            .map(|(department, title, text)| {
                [department.to_string(), title.to_string(), text.to_string()]
            })
            .collect();
        self.wait(self.write(move |tx| {
            let answers = answers.clone();
            Box::pin(async move {
                let any: bool = tx
                    .query_one(
                        "SELECT EXISTS (SELECT 1 FROM standard_answers WHERE tenant_id = $1)",
                        &[&tenant_id],
                    )
                    .await?
                    .get(0);
                if !any {
                    let insert = tx
                        .prepare_cached(
                            "INSERT INTO standard_answers (tenant_id, department, title, text) VALUES ($1, $2, $3, $4)",
                        )
                        .await?;
                    for [department, title, text] in &answers {
                        tx.execute(&insert, &[&tenant_id, department, title, text])
                            .await?;
                    }
                }
                Ok(())
            })
        }))
    }
}

/// Inserts a tenant unless its slug is taken: its id, or `None`.
async fn insert_tenant(
    tx: &Transaction<'_>,
    slug: &str,
    name: &str,
    at: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_opt(
            &tx.prepare_cached(
                "INSERT INTO tenants (slug, name, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (slug) DO NOTHING RETURNING id",
            )
            .await?,
            &[&slug, &name, &at],
        )
        .await?
        .map(|r| r.get(0)))
}

/// The tenant's departments with their heads' logins, by name.
pub(super) async fn departments(
    tx: &Transaction<'_>,
    tenant_id: i64,
) -> Result<Vec<Department>, StoreError> {
    let rows = tx
        .query(
            &tx.prepare_cached(
                "SELECT d.code, d.name, a.login FROM departments d
                 LEFT JOIN agents a ON a.id = d.head_agent_id
                 WHERE d.tenant_id = $1 ORDER BY d.name",
            )
            .await?,
            &[&tenant_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Department {
            code: r.get(0),
            name: r.get(1),
            head: r.get(2),
        })
        .collect())
}

/// Tells running servers that a tenant changed (they poll the counter).
pub(super) async fn tenants_changed(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached("UPDATE tenant_changes SET generation = generation + 1 WHERE id = 1")
            .await?,
        &[],
    )
    .await?;
    Ok(())
}

async fn stored_definition(
    tx: &Transaction<'_>,
    tenant_id: i64,
    code: &str,
    version: u32,
) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_opt(
            &tx.prepare_cached(
                "SELECT definition FROM service_versions WHERE tenant_id = $1 AND code = $2 AND version = $3",
            )
            .await?,
            &[&tenant_id, &code, &i64::from(version)],
        )
        .await?
        .map(|r| r.get(0)))
}

/// Puts `definition` in the town's catalogue at `version` with `status`
/// (see `TenantStore::set_service`), inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn set_service(
    tx: &Transaction<'_>,
    tenant_id: i64,
    code: &str,
    definition: &str,
    version: u32,
    status: ServiceStatus,
    actor: &str,
    at: &str,
) -> Result<(), StoreError> {
    let stored = stored_definition(tx, tenant_id, code, version).await?;
    if is_new_version(code, version, stored.as_deref(), definition)? {
        tx.execute(
            &tx.prepare_cached(
                "INSERT INTO service_versions (tenant_id, code, version, definition, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .await?,
            &[&tenant_id, &code, &i64::from(version), &definition, &at],
        )
        .await?;
    }
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO services (tenant_id, code, version, status, position)
             VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), -1) + 1 FROM services WHERE tenant_id = $1))
             ON CONFLICT (tenant_id, code) DO UPDATE SET version = excluded.version, status = excluded.status",
        )
        .await?,
        &[&tenant_id, &code, &i64::from(version), &status.as_str()],
    )
    .await?;
    tenants_changed(tx).await?;
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("service:{code}"),
        "service-set",
        &service_set_detail(version, status),
    )
    .await
}
