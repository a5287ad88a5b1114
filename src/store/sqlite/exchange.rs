//! SQL of the exchange API: accounts of business software, the nonces
//! their tokens used, their acknowledgements.

use super::SqliteStore;
use super::audit::append_audit;
use crate::core::tracking::Reference;
use crate::core::workflow::Role;
use crate::store::exchange::{
    account_changed_detail, account_created_detail, account_subject, listed_dates, page_size,
    reference_key, stored_role,
};
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

impl ExchangeStore for SqliteStore {
    fn public_requests(
        &self,
        tenant_id: i64,
        query: PublicQuery,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.read(move |conn| {
            if query.services.is_empty() {
                return Ok(Vec::new());
            }
            let mut sql =
                String::from("SELECT year, number FROM requests WHERE tenant_id = ?1 AND test = 0");
            let mut bound: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(tenant_id)];
            let mut list = |sql: &mut String, values: Vec<Box<dyn rusqlite::ToSql>>| {
                let start = bound.len() + 1;
                let marks: Vec<String> = (0..values.len())
                    .map(|i| format!("?{}", start + i))
                    .collect();
                bound.extend(values);
                sql.push_str(&marks.join(", "));
            };
            sql.push_str(" AND service_code IN (");
            list(
                &mut sql,
                query
                    .services
                    .iter()
                    .map(|s| Box::new(s.clone()) as Box<dyn rusqlite::ToSql>)
                    .collect(),
            );
            sql.push(')');
            if !query.references.is_empty() {
                sql.push_str(" AND (year * 1000000000 + number) IN (");
                list(
                    &mut sql,
                    query
                        .references
                        .iter()
                        .map(|r| Box::new(reference_key(r)) as Box<dyn rusqlite::ToSql>)
                        .collect(),
                );
                sql.push(')');
            }
            if let Some(finished) = query.finished {
                sql.push_str(if finished {
                    " AND finished = 1"
                } else {
                    " AND finished = 0"
                });
            }
            // Stored as RFC 3339 in UTC: compared as text.
            if let Some(from) = query.from {
                bound.push(Box::new(from.to_string()));
                sql.push_str(&format!(" AND submitted_at >= ?{}", bound.len()));
            }
            if let Some(until) = query.until {
                bound.push(Box::new(until.to_string()));
                sql.push_str(&format!(" AND submitted_at <= ?{}", bound.len()));
            }
            sql.push_str(&format!(
                " ORDER BY id DESC LIMIT {}",
                page_size(query.limit)
            ));
            let mut stmt = conn.prepare_cached(&sql)?;
            let params: Vec<&dyn rusqlite::ToSql> = bound.iter().map(|b| b.as_ref()).collect();
            let mut rows = stmt.query(params.as_slice())?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(Reference {
                    year: row.get(0)?,
                    number: row.get(1)?,
                });
            }
            Ok(out)
        })
    }

    fn api_account(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<ApiAccount>, StoreError>> {
        self.read(move |conn| api_account(conn, tenant_id, &login))
    }

    fn api_accounts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<ApiAccount>, StoreError>> {
        self.read(move |conn| {
            let sql =
                format!("SELECT {COLUMNS} FROM api_accounts WHERE tenant_id = ?1 ORDER BY login");
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(params![tenant_id])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(from_row(conn, row)?);
            }
            Ok(out)
        })
    }

    fn add_api_account(
        &self,
        tenant_id: i64,
        account: NewApiAccount,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            let at = at.to_string();
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO api_accounts (tenant_id, login, name, secret, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant_id, login) DO NOTHING",
                )?
                .execute(params![
                    tenant_id,
                    account.login,
                    account.name,
                    account.sealed_secret,
                    at
                ])?;
            if inserted == 0 {
                return Ok(false);
            }
            let id = tx.last_insert_rowid();
            set_roles(tx, id, &account.roles)?;
            append_audit(
                tx,
                tenant_id,
                &at,
                &actor,
                &account_subject(&account.login),
                "api-account-created",
                &account_created_detail(&account),
            )?;
            Ok(true)
        })
    }

    fn change_api_account(
        &self,
        tenant_id: i64,
        change: ApiAccountChange,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            let Some(before) = api_account(tx, tenant_id, &change.login)? else {
                return Ok(false);
            };
            tx.prepare_cached(
                "UPDATE api_accounts SET name = ?2, active = ?3, secret = coalesce(?4, secret)
                 WHERE id = ?1",
            )?
            .execute(params![
                before.id,
                change.name,
                change.active,
                change.sealed_secret
            ])?;
            set_roles(tx, before.id, &change.roles)?;
            if let Some(detail) = account_changed_detail(&before, &change) {
                append_audit(
                    tx,
                    tenant_id,
                    &at.to_string(),
                    &actor,
                    &account_subject(&change.login),
                    "api-account-changed",
                    &detail,
                )?;
            }
            Ok(true)
        })
    }

    fn use_nonce(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM wss_nonces WHERE seen_at < ?1")?
                .execute(params![forget_before.as_second()])?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO wss_nonces (tenant_id, digest, seen_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![tenant_id, digest, now.as_second()])?;
            Ok(inserted == 1)
        })
    }

    fn new_requests(
        &self,
        tenant_id: i64,
        query: NewRequestsQuery,
    ) -> BoxFuture<'_, Result<Vec<ListedRequest>, StoreError>> {
        self.read(move |conn| {
            if query.departments.is_empty() {
                return Ok(Vec::new());
            }
            // The departments are bound one by one: `?6`, `?7`…
            let placeholders: Vec<String> = (0..query.departments.len())
                .map(|i| format!("?{}", i + 6))
                .collect();
            let sql = format!(
                "SELECT r.id, r.year, r.number, r.service_code, r.service_version, r.department,
                        r.step, r.submitted_at, r.due_date, r.revision
                 FROM requests r
                 WHERE r.tenant_id = ?1 AND r.test = 0 AND r.anonymised_at IS NULL
                   AND r.id > ?2
                   AND (?3 IS NULL OR r.service_code = ?3)
                   AND (?4 IS NULL OR r.department = ?4)
                   AND r.department IN ({})
                   AND NOT EXISTS (SELECT 1 FROM exchange_acks k
                                   WHERE k.account_id = ?5 AND k.request_id = r.id)
                 ORDER BY r.id LIMIT {}",
                placeholders.join(", "),
                page_size(query.limit)
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let after = query.after.unwrap_or(0);
            let mut bound: Vec<&dyn rusqlite::ToSql> = vec![
                &tenant_id,
                &after,
                &query.service,
                &query.department,
                &query.account_id,
            ];
            for d in &query.departments {
                bound.push(d);
            }
            let mut rows = stmt.query(bound.as_slice())?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let submitted: String = row.get(7)?;
                let due: String = row.get(8)?;
                let (submitted_at, due_date) = listed_dates(id, &submitted, &due)?;
                out.push(ListedRequest {
                    cursor: id,
                    reference: Reference {
                        year: row.get(1)?,
                        number: row.get(2)?,
                    },
                    service_code: row.get(3)?,
                    service_version: row.get(4)?,
                    department: row.get(5)?,
                    step: row.get(6)?,
                    submitted_at,
                    due_date,
                    revision: row.get(9)?,
                });
            }
            Ok(out)
        })
    }

    fn acknowledge(
        &self,
        tenant_id: i64,
        account_id: i64,
        references: Vec<Reference>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u32, StoreError>> {
        self.write(move |tx| {
            let at = at.to_string();
            let mut newly = Vec::new();
            for reference in &references {
                let id: Option<i64> = tx
                    .prepare_cached(
                        "SELECT id FROM requests WHERE tenant_id = ?1 AND year = ?2 AND number = ?3",
                    )?
                    .query_row(
                        params![tenant_id, reference.year, reference.number],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(id) = id else { continue };
                let inserted = tx
                    .prepare_cached(
                        "INSERT INTO exchange_acks (account_id, request_id, at) VALUES (?1, ?2, ?3)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![account_id, id, at])?;
                if inserted == 1 {
                    newly.push(reference.to_string());
                }
            }
            if !newly.is_empty() {
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    &actor,
                    &actor,
                    "requests-acknowledged",
                    &newly.join(" "),
                )?;
            }
            Ok(newly.len() as u32)
        })
    }
}

const COLUMNS: &str = "id, login, name, secret, active, created_at";

fn from_row(conn: &Connection, row: &rusqlite::Row) -> Result<ApiAccount, StoreError> {
    let id: i64 = row.get(0)?;
    let mut stmt = conn.prepare_cached(
        "SELECT department, role FROM api_account_roles WHERE account_id = ?1
         ORDER BY department, role",
    )?;
    let mut roles = Vec::new();
    for pair in stmt.query_map(params![id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (department, role) = pair?;
        roles.push((department, stored_role(id, &role)?));
    }
    Ok(ApiAccount {
        id,
        login: row.get(1)?,
        name: row.get(2)?,
        sealed_secret: row.get(3)?,
        active: row.get(4)?,
        created_at: row.get(5)?,
        roles,
    })
}

fn api_account(
    conn: &Connection,
    tenant_id: i64,
    login: &str,
) -> Result<Option<ApiAccount>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM api_accounts WHERE tenant_id = ?1 AND login = ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![tenant_id, login])?;
    match rows.next()? {
        Some(row) => Ok(Some(from_row(conn, row)?)),
        None => Ok(None),
    }
}

fn set_roles(tx: &Connection, id: i64, roles: &[(String, Role)]) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM api_account_roles WHERE account_id = ?1")?
        .execute(params![id])?;
    for (department, role) in roles {
        tx.prepare_cached(
            "INSERT INTO api_account_roles (account_id, department, role) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![id, department, role.as_str()])?;
    }
    Ok(())
}
