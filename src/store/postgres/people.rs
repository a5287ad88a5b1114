//! SQL of the town's file of who asks.

use super::PostgresStore;
use super::console::console_row;
use crate::core::people::Contact;
use crate::store::people::{PERSON_COLUMNS, person_kind};
use crate::store::requests::parse_time;
use crate::store::*;
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

impl PeopleStore for PostgresStore {
    fn person_file(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<FoundPerson>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let Some(row) = tx
                    .query_opt(
                        "SELECT merged_into FROM persons WHERE id = $1 AND tenant_id = $2",
                        &[&id, &tenant_id],
                    )
                    .await?
                else {
                    return Ok(None);
                };
                if let Some(into) = row.get::<_, Option<i64>>(0) {
                    return Ok(Some(FoundPerson::Merged(into)));
                }
                let person = person_row(
                    &tx.query_one(
                        &format!("SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1"),
                        &[&id],
                    )
                    .await?,
                )?;
                let requests = tx
                    .query(
                        &format!(
                            "SELECT {CONSOLE_COLUMNS} FROM requests
                             WHERE person_id = $1 AND tenant_id = $2 AND test = 0 ORDER BY id DESC"
                        ),
                        &[&id, &tenant_id],
                    )
                    .await?
                    .iter()
                    .map(|r| Ok(console_row(r)?.1))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(Some(FoundPerson::File(Box::new(PersonFile {
                    person,
                    requests,
                }))))
            })
        })
    }

    fn find_people(
        &self,
        tenant_id: i64,
        text: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Person>, StoreError>> {
        self.read(move |tx| {
            let text = text.clone();
            Box::pin(async move {
                let pattern = like_pattern(text.trim());
                let digits = crate::core::people::phone_key(&text)
                    .map_or_else(|| "\u{1}".to_owned(), |p| like_pattern(&p));
                tx.query(
                    &format!(
                        "SELECT {PERSON_COLUMNS} FROM persons
                         WHERE tenant_id = $1 AND merged_into IS NULL
                           AND (fold(first_name || ' ' || last_name || ' ' || coalesce(organisation, '')) LIKE $2 ESCAPE '\\'
                                OR email LIKE $2 ESCAPE '\\' OR phone LIKE $3 ESCAPE '\\' OR name_key LIKE $2 ESCAPE '\\')
                         ORDER BY last_name, first_name, id LIMIT $4"
                    ),
                    &[&tenant_id, &pattern, &digits, &i64::from(limit)],
                )
                .await?
                .iter()
                .map(person_row)
                .collect()
            })
        })
    }
}

fn person_row(r: &tokio_postgres::Row) -> Result<Person, StoreError> {
    let id: i64 = r.get(0);
    Ok(Person {
        id,
        kind: person_kind(r.get(1)),
        first_name: r.get(2),
        last_name: r.get(3),
        organisation: r.get(4),
        email: r.get(5),
        phone: r.get(6),
        street: r.get(7),
        postal_code: r.get(8),
        town: r.get(9),
        has_account: r.get(10),
        created_at: parse_time(id, "person created_at", r.get(11))?,
    })
}

/// Joins the request to its requester's file, in its transaction (see the
/// SQLite store's `attach_person`, the same rules).
pub(super) async fn attach_person(
    tx: &Transaction<'_>,
    tenant_id: i64,
    request_id: i64,
    contact: &Contact,
    citizen_id: Option<i64>,
    at: &str,
) -> Result<(), StoreError> {
    async fn one(
        tx: &Transaction<'_>,
        sql: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<i64>, StoreError> {
        Ok(tx
            .query_opt(&tx.prepare_cached(sql).await?, args)
            .await?
            .map(|r| r.get(0)))
    }
    let by_account = match citizen_id {
        Some(c) => {
            one(
                tx,
                "SELECT id FROM persons WHERE tenant_id = $1 AND citizen_id = $2 AND merged_into IS NULL ORDER BY id LIMIT 1",
                &[&tenant_id, &c],
            )
            .await?
        }
        None => None,
    };
    let by_email = match (&by_account, &contact.email) {
        (None, Some(e)) => {
            one(
                tx,
                "SELECT id FROM persons WHERE tenant_id = $1 AND email = $2 AND merged_into IS NULL ORDER BY id LIMIT 1",
                &[&tenant_id, e],
            )
            .await?
        }
        _ => None,
    };
    let by_phone = match &contact.phone {
        Some(p) => {
            one(
                tx,
                "SELECT id FROM persons WHERE tenant_id = $1 AND phone = $2 AND merged_into IS NULL ORDER BY id LIMIT 1",
                &[&tenant_id, p],
            )
            .await?
        }
        None => None,
    };
    let place_key = contact.place_key();
    let person = match by_account.or(by_email).or(by_phone) {
        Some(id) => {
            tx.execute(
                &tx.prepare_cached(
                    "UPDATE persons SET email = coalesce(email, $2), phone = coalesce(phone, $3),
                         street = coalesce(street, $4), postal_code = coalesce(postal_code, $5),
                         town = coalesce(town, $6), citizen_id = coalesce(citizen_id, $7),
                         place_key = CASE WHEN place_key = '' THEN $8 ELSE place_key END
                     WHERE id = $1",
                )
                .await?,
                &[
                    &id,
                    &contact.email,
                    &contact.phone,
                    &contact.street,
                    &contact.postal_code,
                    &contact.town,
                    &citizen_id,
                    &place_key,
                ],
            )
            .await?;
            id
        }
        None => {
            let kind = contact
                .kind
                .unwrap_or(crate::core::people::PersonKind::Citizen)
                .as_str();
            let id: i64 = tx
                .query_one(
                    &tx.prepare_cached(
                        "INSERT INTO persons (tenant_id, kind, first_name, last_name, organisation, email, phone,
                             street, postal_code, town, name_key, place_key, citizen_id, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                    )
                    .await?,
                    &[
                        &tenant_id,
                        &kind,
                        &contact.first_name,
                        &contact.last_name,
                        &contact.organisation,
                        &contact.email,
                        &contact.phone,
                        &contact.street,
                        &contact.postal_code,
                        &contact.town,
                        &contact.name_key(),
                        &place_key,
                        &citizen_id,
                        &at,
                    ],
                )
                .await?
                .get(0);
            if !place_key.is_empty() {
                let twins: Vec<i64> = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT id FROM persons WHERE tenant_id = $1 AND name_key = $2 AND place_key = $3
                               AND id <> $4 AND merged_into IS NULL ORDER BY id LIMIT 5",
                        )
                        .await?,
                        &[&tenant_id, &contact.name_key(), &place_key, &id],
                    )
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                for twin in twins {
                    suggest(tx, tenant_id, twin, id, "name-address", at).await?;
                }
            }
            id
        }
    };
    if let Some(other) = by_phone
        && other != person
    {
        suggest(tx, tenant_id, other, person, "phone", at).await?;
    }
    tx.execute(
        &tx.prepare_cached("UPDATE requests SET person_id = $1 WHERE id = $2")
            .await?,
        &[&person, &request_id],
    )
    .await?;
    Ok(())
}

async fn suggest(
    tx: &Transaction<'_>,
    tenant_id: i64,
    a: i64,
    b: i64,
    reason: &str,
    at: &str,
) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO person_merges (tenant_id, person_id, other_id, reason, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id, other_id) DO NOTHING",
        )
        .await?,
        &[&tenant_id, &a.min(b), &a.max(b), &reason, &at],
    )
    .await?;
    Ok(())
}
