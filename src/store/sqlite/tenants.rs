//! SQL of tenants, their departments (and heads) and standard answers.

use super::SqliteStore;
use super::agents::agent;
use super::audit::append_audit;
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

impl TenantStore for SqliteStore {
    fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        self.admin(|conn| {
            let mut tenants: Vec<TenantRecord> = conn
                .prepare("SELECT id, slug, name, time_zone, enabled FROM tenants ORDER BY id")?
                .query_map([], |row| {
                    Ok(TenantRecord {
                        id: row.get(0)?,
                        slug: row.get(1)?,
                        name: row.get(2)?,
                        time_zone: row.get(3)?,
                        enabled: row.get(4)?,
                        services: Vec::new(),
                        older_versions: Vec::new(),
                        departments: Vec::new(),
                    })
                })?
                .collect::<Result<_, _>>()?;
            for t in &mut tenants {
                t.services = conn
                    .prepare(
                        "SELECT s.code, v.definition, s.status FROM services s
                         JOIN service_versions v ON v.tenant_id = s.tenant_id AND v.code = s.code AND v.version = s.version
                         WHERE s.tenant_id = ?1 ORDER BY s.position",
                    )?
                    .query_map(params![t.id], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                        ))
                    })?
                    .map(|row| {
                        let (code, definition, status) = row?;
                        Ok((definition, stored_status(&code, &status)?))
                    })
                    .collect::<Result<_, StoreError>>()?;
                t.older_versions = conn
                    .prepare(
                        "SELECT v.definition FROM service_versions v
                         JOIN services s ON s.tenant_id = v.tenant_id AND s.code = v.code
                         WHERE v.tenant_id = ?1 AND v.version <> s.version ORDER BY v.id",
                    )?
                    .query_map(params![t.id], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                t.departments = departments(conn, t.id)?;
            }
            Ok(tenants)
        })
    }

    fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        definitions: &[(String, String, u32)],
    ) -> Result<bool, StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction()?;
            let now = jiff::Timestamp::now().to_string();
            let inserted = tx.execute(
                "INSERT INTO tenants (slug, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (slug) DO NOTHING",
                params![slug, name, now],
            )?;
            if inserted == 0 {
                return Ok(false);
            }
            let tenant_id = tx.last_insert_rowid();
            tenants_changed(&tx)?;
            for (position, (code, definition, version)) in definitions.iter().enumerate() {
                tx.execute(
                    "INSERT INTO service_versions (tenant_id, code, version, definition, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![tenant_id, code, version, definition, now],
                )?;
                tx.execute(
                    "INSERT INTO services (tenant_id, code, version, status, position) VALUES (?1, ?2, ?3, 'online', ?4)",
                    params![tenant_id, code, version, position as i64],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn create_town(
        &self,
        slug: &str,
        name: &str,
        departments: &[Department],
        admin: &NewAgent,
        actor: &str,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = tx.execute(
                "INSERT INTO tenants (slug, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (slug) DO NOTHING",
                params![slug, name, at.to_string()],
            )?;
            if inserted == 0 {
                return Ok(None);
            }
            let tenant_id = tx.last_insert_rowid();
            tenants_changed(&tx)?;
            for d in departments {
                tx.execute(
                    "INSERT INTO departments (tenant_id, code, name) VALUES (?1, ?2, ?3)",
                    params![tenant_id, d.code, d.name],
                )?;
            }
            if !super::agents::add_agent(&tx, tenant_id, admin, actor, &at.to_string())? {
                return Err(StoreError::Corrupt(format!(
                    "a new town {slug} already has an agent {}",
                    admin.login
                )));
            }
            tx.commit()?;
            Ok(Some(tenant_id))
        })
    }

    fn set_tenant_enabled(
        &self,
        slug: &str,
        enabled: bool,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some((tenant_id, was)): Option<(i64, bool)> = tx
                .query_row(
                    "SELECT id, enabled FROM tenants WHERE slug = ?1",
                    params![slug],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
            else {
                return Ok(false);
            };
            if was != enabled {
                tx.execute(
                    "UPDATE tenants SET enabled = ?1 WHERE id = ?2",
                    params![enabled, tenant_id],
                )?;
                tenants_changed(&tx)?;
                append_audit(
                    &tx,
                    tenant_id,
                    &at.to_string(),
                    actor,
                    &format!("tenant:{slug}"),
                    tenant_enabled_action(enabled),
                    "",
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn tenants_generation(&self) -> Result<i64, StoreError> {
        self.admin(|conn| {
            Ok(conn
                .prepare_cached("SELECT generation FROM tenant_changes WHERE id = 1")?
                .query_row([], |r| r.get(0))?)
        })
    }

    fn tenant_summaries(&self) -> Result<Vec<TenantSummary>, StoreError> {
        self.admin(|conn| {
            let rows = conn
                .prepare(
                    "SELECT t.slug, t.name, t.enabled,
                        (SELECT count(*) FROM services s WHERE s.tenant_id = t.id AND s.status = 'online'),
                        (SELECT count(*) FROM requests r WHERE r.tenant_id = t.id)
                     FROM tenants t ORDER BY t.slug",
                )?
                .query_map([], |r| {
                    Ok(TenantSummary {
                        slug: r.get(0)?,
                        name: r.get(1)?,
                        enabled: r.get(2)?,
                        services_online: r.get(3)?,
                        requests: r.get::<_, i64>(4)?.max(0) as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn services(&self, tenant_id: i64) -> Result<Vec<ServiceState>, StoreError> {
        self.admin(|conn| {
            let rows: Vec<(String, u32, String)> = conn
                .prepare(
                    "SELECT code, version, status FROM services WHERE tenant_id = ?1 ORDER BY position",
                )?
                .query_map(params![tenant_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            rows.into_iter()
                .map(|(code, version, status)| {
                    let status = stored_status(&code, &status)?;
                    Ok(ServiceState {
                        code,
                        version,
                        status,
                    })
                })
                .collect()
        })
    }

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
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            set_service(&tx, tenant_id, code, definition, version, status, actor, at)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn save_draft(
        &self,
        tenant_id: i64,
        code: &str,
        definition: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = at.to_string();
            tx.execute(
                "INSERT INTO service_drafts (tenant_id, code, definition, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (tenant_id, code) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                params![tenant_id, code, definition, now],
            )?;
            append_audit(&tx, tenant_id, &now, actor, &format!("service:{code}"), "draft-saved", "")?;
            tx.commit()?;
            Ok(())
        })
    }

    fn drafts(&self, tenant_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        self.admin(|conn| {
            Ok(conn
                .prepare("SELECT code, definition FROM service_drafts WHERE tenant_id = ?1 ORDER BY code")?
                .query_map(params![tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?)
        })
    }

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
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let removed = tx.execute(
                "DELETE FROM service_drafts WHERE tenant_id = ?1 AND code = ?2",
                params![tenant_id, code],
            )?;
            if removed == 0 {
                return Ok(false);
            }
            set_service(&tx, tenant_id, code, definition, version, status, actor, at)?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn definition(
        &self,
        tenant_id: i64,
        code: &str,
        version: u32,
    ) -> Result<Option<String>, StoreError> {
        self.admin(|conn| {
            Ok(conn
                .query_row(
                    "SELECT definition FROM service_versions WHERE tenant_id = ?1 AND code = ?2 AND version = ?3",
                    params![tenant_id, code, version],
                    |r| r.get(0),
                )
                .optional()?)
        })
    }

    fn last_version(&self, tenant_id: i64, code: &str) -> Result<u32, StoreError> {
        self.admin(|conn| {
            Ok(conn
                .prepare("SELECT coalesce(max(version), 0) FROM service_versions WHERE tenant_id = ?1 AND code = ?2")?
                .query_row(params![tenant_id, code], |r| r.get(0))?)
        })
    }

    fn set_service_status(
        &self,
        tenant_id: i64,
        code: &str,
        status: ServiceStatus,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(was): Option<String> = tx
                .query_row(
                    "SELECT status FROM services WHERE tenant_id = ?1 AND code = ?2",
                    params![tenant_id, code],
                    |r| r.get(0),
                )
                .optional()?
            else {
                return Ok(false);
            };
            if was != status.as_str() {
                tx.execute(
                    "UPDATE services SET status = ?1 WHERE tenant_id = ?2 AND code = ?3",
                    params![status.as_str(), tenant_id, code],
                )?;
                tenants_changed(&tx)?;
                append_audit(
                    &tx,
                    tenant_id,
                    &at.to_string(),
                    actor,
                    &format!("service:{code}"),
                    "service-status",
                    &service_status_detail(&was, status),
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn sync_departments(
        &self,
        tenant_id: i64,
        departments: &[Department],
        service_departments: &[(String, String)],
    ) -> Result<(), StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for d in departments {
                tx.execute(
                    "INSERT INTO departments (tenant_id, code, name) VALUES (?1, ?2, ?3)
                     ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name",
                    params![tenant_id, d.code, d.name],
                )?;
            }
            for (service, department) in service_departments {
                tx.execute(
                    "UPDATE requests SET department = ?1
                     WHERE tenant_id = ?2 AND service_code = ?3 AND department = ''",
                    params![department, tenant_id, service],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn departments(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Department>, StoreError>> {
        self.read(move |conn| departments(conn, tenant_id))
    }

    fn set_department_heads(
        &self,
        tenant_id: i64,
        heads: Vec<(String, Option<String>)>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        self.write(move |conn| {
            set_department_heads(conn, tenant_id, &heads, &actor, &at.to_string())
        })
    }

    fn standard_answers(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<StandardAnswer>, StoreError>> {
        self.read(move |conn| standard_answers(conn, tenant_id))
    }

    fn save_standard_answer(
        &self,
        tenant_id: i64,
        id: Option<i64>,
        answer: NewStandardAnswer,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        self.write(move |conn| {
            save_standard_answer(conn, tenant_id, id, &answer, &actor, &at.to_string())
        })
    }

    fn remove_standard_answer(
        &self,
        tenant_id: i64,
        id: i64,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| remove_standard_answer(conn, tenant_id, id, &actor, &at.to_string()))
    }

    fn seed_standard_answers(
        &self,
        tenant_id: i64,
        answers: &[(&str, &str, &str)],
    ) -> Result<(), StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let any: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM standard_answers WHERE tenant_id = ?1)",
                params![tenant_id],
                |r| r.get(0),
            )?;
            if !any {
                for (department, title, text) in answers {
                    tx.execute(
                        "INSERT INTO standard_answers (tenant_id, department, title, text) VALUES (?1, ?2, ?3, ?4)",
                        params![tenant_id, department, title, text],
                    )?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }
}

pub(super) fn departments(
    conn: &Connection,
    tenant_id: i64,
) -> Result<Vec<Department>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.code, d.name, a.login FROM departments d
         LEFT JOIN agents a ON a.id = d.head_agent_id
         WHERE d.tenant_id = ?1 ORDER BY d.name",
    )?;
    let rows = stmt.query_map(params![tenant_id], |r| {
        Ok(Department {
            code: r.get(0)?,
            name: r.get(1)?,
            head: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Sets the heads of departments (`None`: no head), one audit entry per
/// department whose head changes; an unknown department or agent refuses
/// the whole change. Returns how many changed.
pub(super) fn set_department_heads(
    tx: &Connection,
    tenant_id: i64,
    heads: &[(String, Option<String>)],
    actor: &str,
    at: &str,
) -> Result<usize, StoreError> {
    let current: Vec<Department> = departments(tx, tenant_id)?;
    let changes = head_changes(&current, heads)?;
    for &(code, login) in &changes {
        let id: Option<i64> = match login {
            Some(login) => Some(
                agent(tx, tenant_id, login)?
                    .ok_or_else(|| unknown_head(login))?
                    .id,
            ),
            None => None,
        };
        tx.prepare_cached(
            "UPDATE departments SET head_agent_id = ?3 WHERE tenant_id = ?1 AND code = ?2",
        )?
        .execute(params![tenant_id, code, id])?;
        append_audit(
            tx,
            tenant_id,
            at,
            actor,
            &format!("department:{code}"),
            "department-head",
            &head_detail(login),
        )?;
    }
    Ok(changes.len())
}

pub(super) fn save_standard_answer(
    tx: &Connection,
    tenant_id: i64,
    id: Option<i64>,
    a: &NewStandardAnswer,
    actor: &str,
    at: &str,
) -> Result<Option<i64>, StoreError> {
    let action = standard_answer_action(id);
    let id = match id {
        None => {
            tx.prepare_cached(
                "INSERT INTO standard_answers (tenant_id, department, title, text)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![tenant_id, a.department, a.title, a.text])?;
            tx.last_insert_rowid()
        }
        Some(id) => {
            let changed = tx
                .prepare_cached(
                    "UPDATE standard_answers SET department = ?3, title = ?4, text = ?5
                     WHERE tenant_id = ?1 AND id = ?2",
                )?
                .execute(params![tenant_id, id, a.department, a.title, a.text])?;
            if changed == 0 {
                return Ok(None);
            }
            id
        }
    };
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("standard-answer:{id}"),
        action,
        &standard_answer_detail(a),
    )?;
    Ok(Some(id))
}

pub(super) fn remove_standard_answer(
    tx: &Connection,
    tenant_id: i64,
    id: i64,
    actor: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let title: Option<String> = tx
        .prepare_cached(
            "DELETE FROM standard_answers WHERE tenant_id = ?1 AND id = ?2 RETURNING title",
        )?
        .query_row(params![tenant_id, id], |r| r.get(0))
        .optional()?;
    let Some(title) = title else {
        return Ok(false);
    };
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("standard-answer:{id}"),
        "standard-answer-removed",
        &title,
    )?;
    Ok(true)
}

pub(super) fn standard_answers(
    conn: &Connection,
    tenant_id: i64,
) -> Result<Vec<StandardAnswer>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, department, title, text FROM standard_answers WHERE tenant_id = ?1 ORDER BY department, title",
    )?;
    let rows = stmt.query_map(params![tenant_id], |r| {
        Ok(StandardAnswer {
            id: r.get(0)?,
            department: r.get(1)?,
            title: r.get(2)?,
            text: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Tells running servers that a tenant changed (they poll the counter).
pub(super) fn tenants_changed(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE tenant_changes SET generation = generation + 1 WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// Puts `definition` in the town's catalogue at `version` with `status`
/// (see `TenantStore::set_service`), inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
fn set_service(
    tx: &Connection,
    tenant_id: i64,
    code: &str,
    definition: &str,
    version: u32,
    status: ServiceStatus,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let now = at.to_string();
    let stored: Option<String> = tx
        .query_row(
            "SELECT definition FROM service_versions WHERE tenant_id = ?1 AND code = ?2 AND version = ?3",
            params![tenant_id, code, version],
            |r| r.get(0),
        )
        .optional()?;
    if is_new_version(code, version, stored.as_deref(), definition)? {
        tx.execute(
            "INSERT INTO service_versions (tenant_id, code, version, definition, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![tenant_id, code, version, definition, now],
        )?;
    }
    tx.execute(
        "INSERT INTO services (tenant_id, code, version, status, position)
         VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max(position), -1) + 1 FROM services WHERE tenant_id = ?1))
         ON CONFLICT (tenant_id, code) DO UPDATE SET version = excluded.version, status = excluded.status",
        params![tenant_id, code, version, status.as_str()],
    )?;
    tenants_changed(tx)?;
    append_audit(
        tx,
        tenant_id,
        &now,
        actor,
        &format!("service:{code}"),
        "service-set",
        &service_set_detail(version, status),
    )?;
    Ok(())
}
