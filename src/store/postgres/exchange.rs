//! SQL of the exchange API: accounts of business software, the nonces
//! their tokens used, their acknowledgements.

use super::PostgresStore;
use super::audit::append_audit;
use crate::core::tracking::Reference;
use crate::core::workflow::Role;
use crate::store::exchange::{
    account_changed_detail, account_created_detail, account_subject, listed_dates, page_size,
    reference_key, stored_role,
};
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

impl ExchangeStore for PostgresStore {
    fn public_requests(
        &self,
        tenant_id: i64,
        query: PublicQuery,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                if query.services.is_empty() {
                    return Ok(Vec::new());
                }
                let mut sql = String::from(
                    "SELECT year, number FROM requests WHERE tenant_id = $1 AND test = 0",
                );
                let mut bound: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(tenant_id)];
                let mut list = |sql: &mut String, values: Vec<Box<dyn ToSql + Sync + Send>>| {
                    let start = bound.len() + 1;
                    let marks: Vec<String> = (0..values.len())
                        .map(|i| format!("${}", start + i))
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
                        .map(|s| Box::new(s.clone()) as Box<dyn ToSql + Sync + Send>)
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
                            .map(|r| Box::new(reference_key(r)) as Box<dyn ToSql + Sync + Send>)
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
                    sql.push_str(&format!(" AND submitted_at >= ${}", bound.len()));
                }
                if let Some(until) = query.until {
                    bound.push(Box::new(until.to_string()));
                    sql.push_str(&format!(" AND submitted_at <= ${}", bound.len()));
                }
                sql.push_str(&format!(
                    " ORDER BY id DESC LIMIT {}",
                    page_size(query.limit)
                ));
                let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|p| &**p as _).collect();
                let rows = tx.query(sql.as_str(), &refs).await?;
                rows.iter()
                    .map(|row| super::reference(row.get(0), row.get(1)))
                    .collect()
            })
        })
    }

    fn api_account(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<ApiAccount>, StoreError>> {
        self.read(move |tx| Box::pin(async move { api_account(tx, tenant_id, &login).await }))
    }

    fn api_accounts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<ApiAccount>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let sql = format!(
                    "SELECT {COLUMNS} FROM api_accounts WHERE tenant_id = $1 ORDER BY login"
                );
                let rows = tx
                    .query(&tx.prepare_cached(&sql).await?, &[&tenant_id])
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    out.push(from_row(tx, row).await?);
                }
                Ok(out)
            })
        })
    }

    fn add_api_account(
        &self,
        tenant_id: i64,
        account: NewApiAccount,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (account, actor, at) = (account.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let inserted = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "INSERT INTO api_accounts (tenant_id, login, name, secret, created_at)
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, login) DO NOTHING
                             RETURNING id",
                        )
                        .await?,
                        &[
                            &tenant_id,
                            &account.login,
                            &account.name,
                            &account.sealed_secret,
                            &at,
                        ],
                    )
                    .await?;
                let Some(row) = inserted else {
                    return Ok(false);
                };
                set_roles(tx, row.get(0), &account.roles).await?;
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    &actor,
                    &account_subject(&account.login),
                    "api-account-created",
                    &account_created_detail(&account),
                )
                .await?;
                Ok(true)
            })
        })
    }

    fn change_api_account(
        &self,
        tenant_id: i64,
        change: ApiAccountChange,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (change, actor, at) = (change.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let Some(before) = api_account(tx, tenant_id, &change.login).await? else {
                    return Ok(false);
                };
                tx.execute(
                    &tx.prepare_cached(
                        "UPDATE api_accounts SET name = $2, active = $3, secret = coalesce($4, secret)
                         WHERE id = $1",
                    )
                    .await?,
                    &[
                        &before.id,
                        &change.name,
                        &i64::from(change.active),
                        &change.sealed_secret,
                    ],
                )
                .await?;
                set_roles(tx, before.id, &change.roles).await?;
                if let Some(detail) = account_changed_detail(&before, &change) {
                    append_audit(
                        tx,
                        tenant_id,
                        &at,
                        &actor,
                        &account_subject(&change.login),
                        "api-account-changed",
                        &detail,
                    )
                    .await?;
                }
                Ok(true)
            })
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
            let digest = digest.clone();
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached("DELETE FROM wss_nonces WHERE seen_at < $1")
                        .await?,
                    &[&forget_before.as_second()],
                )
                .await?;
                let inserted = tx
                    .execute(
                        &tx.prepare_cached(
                            "INSERT INTO wss_nonces (tenant_id, digest, seen_at) VALUES ($1, $2, $3)
                             ON CONFLICT DO NOTHING",
                        )
                        .await?,
                        &[&tenant_id, &digest, &now.as_second()],
                    )
                    .await?;
                Ok(inserted == 1)
            })
        })
    }

    fn new_requests(
        &self,
        tenant_id: i64,
        query: NewRequestsQuery,
    ) -> BoxFuture<'_, Result<Vec<ListedRequest>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                if query.departments.is_empty() {
                    return Ok(Vec::new());
                }
                // The departments are bound one by one: `$6`, `$7`…
                let placeholders: Vec<String> = (0..query.departments.len())
                    .map(|i| format!("${}", i + 6))
                    .collect();
                let sql = format!(
                    "SELECT r.id, r.year, r.number, r.service_code, r.service_version, r.department,
                            r.step, r.submitted_at, r.due_date, r.revision
                     FROM requests r
                     WHERE r.tenant_id = $1 AND r.test = 0 AND r.anonymised_at IS NULL
                       AND r.id > $2
                       AND ($3::text IS NULL OR r.service_code = $3)
                       AND ($4::text IS NULL OR r.department = $4)
                       AND r.department IN ({})
                       AND NOT EXISTS (SELECT 1 FROM exchange_acks k
                                       WHERE k.account_id = $5 AND k.request_id = r.id)
                     ORDER BY r.id LIMIT {}",
                    placeholders.join(", "),
                    page_size(query.limit)
                );
                let after = query.after.unwrap_or(0);
                let mut bound: Vec<&(dyn ToSql + Sync)> = vec![
                    &tenant_id,
                    &after,
                    &query.service,
                    &query.department,
                    &query.account_id,
                ];
                for d in &query.departments {
                    bound.push(d);
                }
                let rows = tx.query(sql.as_str(), &bound).await?;
                rows.iter()
                    .map(|row| {
                        let id: i64 = row.get(0);
                        let (submitted_at, due_date) = listed_dates(id, row.get(7), row.get(8))?;
                        Ok(ListedRequest {
                            cursor: id,
                            reference: super::reference(row.get(1), row.get(2))?,
                            service_code: row.get(3),
                            service_version: super::narrow(
                                format_args!("request {id}: service_version"),
                                row.get(4),
                            )?,
                            department: row.get(5),
                            step: row.get(6),
                            submitted_at,
                            due_date,
                            revision: row.get(9),
                        })
                    })
                    .collect()
            })
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
        let at = at.to_string();
        self.write(move |tx| {
            let (references, actor, at) = (references.clone(), actor.clone(), at.clone());
            Box::pin(async move {
                let find = tx
                    .prepare_cached(
                        "SELECT id FROM requests WHERE tenant_id = $1 AND year = $2 AND number = $3",
                    )
                    .await?;
                let insert = tx
                    .prepare_cached(
                        "INSERT INTO exchange_acks (account_id, request_id, at) VALUES ($1, $2, $3)
                         ON CONFLICT DO NOTHING",
                    )
                    .await?;
                let mut newly = Vec::new();
                for reference in &references {
                    let Some(row) = tx
                        .query_opt(
                            &find,
                            &[
                                &tenant_id,
                                &i64::from(reference.year),
                                &i64::from(reference.number),
                            ],
                        )
                        .await?
                    else {
                        continue;
                    };
                    let id: i64 = row.get(0);
                    if tx.execute(&insert, &[&account_id, &id, &at]).await? == 1 {
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
                    )
                    .await?;
                }
                Ok(newly.len() as u32)
            })
        })
    }
}

const COLUMNS: &str = "id, login, name, secret, active, created_at";

/// An account from its row (of [`COLUMNS`]), with its roles.
async fn from_row(tx: &Transaction<'_>, row: &Row) -> Result<ApiAccount, StoreError> {
    let id: i64 = row.get(0);
    let roles = tx
        .query(
            &tx.prepare_cached(
                "SELECT department, role FROM api_account_roles WHERE account_id = $1
                 ORDER BY department, role",
            )
            .await?,
            &[&id],
        )
        .await?
        .iter()
        .map(|r| Ok((r.get::<_, String>(0), stored_role(id, r.get(1))?)))
        .collect::<Result<Vec<(String, Role)>, StoreError>>()?;
    Ok(ApiAccount {
        id,
        login: row.get(1),
        name: row.get(2),
        sealed_secret: row.get(3),
        active: row.get::<_, i64>(4) != 0,
        created_at: row.get(5),
        roles,
    })
}

async fn api_account(
    tx: &Transaction<'_>,
    tenant_id: i64,
    login: &str,
) -> Result<Option<ApiAccount>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM api_accounts WHERE tenant_id = $1 AND login = $2");
    let row = tx
        .query_opt(&tx.prepare_cached(&sql).await?, &[&tenant_id, &login])
        .await?;
    match row {
        Some(row) => Ok(Some(from_row(tx, &row).await?)),
        None => Ok(None),
    }
}

/// Replaces the account's roles (given twice, a role is kept once).
async fn set_roles(
    tx: &Transaction<'_>,
    id: i64,
    roles: &[(String, Role)],
) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached("DELETE FROM api_account_roles WHERE account_id = $1")
            .await?,
        &[&id],
    )
    .await?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO api_account_roles (account_id, department, role) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .await?;
    for (department, role) in roles {
        tx.execute(&insert, &[&id, department, &role.as_str()])
            .await?;
    }
    Ok(())
}
