//! SQL of the town's file of who asks.

use super::PostgresStore;
use super::audit::append_audit;
use super::console::console_row;
use crate::core::people::{Contact, PersonKind};
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

    fn merge_suggestions(
        &self,
        tenant_id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<MergeSuggestion>, u64), StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let open = "FROM person_merges m
                     JOIN persons a ON a.id = m.person_id AND a.merged_into IS NULL
                     JOIN persons b ON b.id = m.other_id AND b.merged_into IS NULL
                     WHERE m.tenant_id = $1 AND m.decided_at IS NULL";
                let total: i64 = tx
                    .query_one(&format!("SELECT count(*) {open}"), &[&tenant_id])
                    .await?
                    .get(0);
                let pairs = tx
                    .query(
                        &format!(
                            "SELECT m.id, m.person_id, m.other_id, m.reason, m.created_at {open}
                             ORDER BY m.id LIMIT $2"
                        ),
                        &[&tenant_id, &i64::from(limit)],
                    )
                    .await?;
                let ids: Vec<i64> = pairs
                    .iter()
                    .flat_map(|r| [r.get::<_, i64>(1), r.get(2)])
                    .collect();
                let people: std::collections::HashMap<i64, Person> = tx
                    .query(
                        &format!("SELECT {PERSON_COLUMNS} FROM persons WHERE id = ANY($1)"),
                        &[&ids],
                    )
                    .await?
                    .iter()
                    .map(|r| person_row(r).map(|p| (p.id, p)))
                    .collect::<Result<_, _>>()?;
                let mut found = Vec::with_capacity(pairs.len());
                for r in &pairs {
                    let id: i64 = r.get(0);
                    let (Some(person), Some(other)) = (
                        people.get(&r.get::<_, i64>(1)),
                        people.get(&r.get::<_, i64>(2)),
                    ) else {
                        continue;
                    };
                    found.push(MergeSuggestion {
                        id,
                        person: person.clone(),
                        other: other.clone(),
                        reason: r.get(3),
                        created_at: parse_time(id, "suggestion created_at", r.get(4))?,
                    });
                }
                Ok((found, total as u64))
            })
        })
    }

    fn decide_merge(
        &self,
        tenant_id: i64,
        id: i64,
        decision: MergeDecision,
        actor: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<MergeOutcome, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (actor, at) = (actor.clone(), at.clone());
            Box::pin(async move { decide_merge(tx, tenant_id, id, decision, &actor, &at).await })
        })
    }

    fn file_requests(
        &self,
        tenant_id: i64,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Option<i64>, u64), StoreError>> {
        self.write(move |tx| {
            Box::pin(async move {
                let unfiled = tx
                    .query(
                        "SELECT id, citizen_id, submitted_at FROM requests
                         WHERE tenant_id = $1 AND id > $2 AND person_id IS NULL AND test = 0
                           AND anonymised_at IS NULL
                         ORDER BY id LIMIT $3",
                        &[&tenant_id, &after, &i64::from(limit)],
                    )
                    .await?;
                let values = tx
                    .prepare_cached(
                        "SELECT path, value FROM request_values
                         WHERE request_id = $1 AND path LIKE 'requester/%' ORDER BY position",
                    )
                    .await?;
                let mut filed = 0;
                for r in &unfiled {
                    let id: i64 = r.get(0);
                    let rows: Vec<(String, String)> = tx
                        .query(&values, &[&id])
                        .await?
                        .iter()
                        .map(|v| (v.get(0), v.get(1)))
                        .collect();
                    if let Some(contact) = Contact::of_stored(&rows) {
                        attach_person(tx, tenant_id, id, &contact, r.get(1), r.get(2)).await?;
                        filed += 1;
                    }
                }
                Ok((unfiled.last().map(|r| r.get::<_, i64>(0)), filed))
            })
        })
    }

    fn set_person_kind(
        &self,
        tenant_id: i64,
        id: i64,
        kind: PersonKind,
        actor: String,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (actor, at) = (actor.clone(), at.clone());
            Box::pin(async move {
                let changed = tx
                    .execute(
                        "UPDATE persons SET kind = $3 WHERE id = $1 AND tenant_id = $2 AND merged_into IS NULL",
                        &[&id, &tenant_id, &kind.as_str()],
                    )
                    .await?;
                if changed == 0 {
                    return Ok(false);
                }
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    &actor,
                    &format!("person:{id}"),
                    "person-kind",
                    kind.as_str(),
                )
                .await?;
                Ok(true)
            })
        })
    }
}

/// Decides a suggestion (see the SQLite store's `decide_merge`, the same
/// steps).
async fn decide_merge(
    tx: &Transaction<'_>,
    tenant_id: i64,
    id: i64,
    decision: MergeDecision,
    actor: &str,
    at: &str,
) -> Result<MergeOutcome, StoreError> {
    let Some(pair) = tx
        .query_opt(
            "SELECT m.person_id, m.other_id, a.citizen_id, b.citizen_id FROM person_merges m
             JOIN persons a ON a.id = m.person_id AND a.merged_into IS NULL
             JOIN persons b ON b.id = m.other_id AND b.merged_into IS NULL
             WHERE m.id = $1 AND m.tenant_id = $2 AND m.decided_at IS NULL
             FOR UPDATE OF m, a, b",
            &[&id, &tenant_id],
        )
        .await?
    else {
        return Ok(MergeOutcome::Gone);
    };
    let (keep, from): (i64, i64) = (pair.get(0), pair.get(1));
    async fn decide(
        tx: &Transaction<'_>,
        which: &str,
        value: i64,
        decision: &str,
        actor: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "UPDATE person_merges SET decided_at = $2, decision = $3, decided_by = $4
                 WHERE {which} = $1 AND decided_at IS NULL"
            ),
            &[&value, &at, &decision, &actor],
        )
        .await?;
        Ok(())
    }
    if decision == MergeDecision::Apart {
        decide(tx, "id", id, "apart", actor, at).await?;
        append_audit(
            tx,
            tenant_id,
            at,
            actor,
            &format!("person:{keep}"),
            "persons-kept-apart",
            &format!("person:{from}"),
        )
        .await?;
        return Ok(MergeOutcome::KeptApart);
    }
    if let (Some(a), Some(b)) = (pair.get::<_, Option<i64>>(2), pair.get::<_, Option<i64>>(3))
        && a != b
    {
        return Ok(MergeOutcome::TwoAccounts);
    }
    for statement in [
        MERGE_FILL,
        "UPDATE persons SET merged_into = $1, citizen_id = NULL WHERE id = $2",
        "UPDATE persons SET merged_into = $1 WHERE merged_into = $2",
        "UPDATE requests SET person_id = $1 WHERE person_id = $2",
    ] {
        tx.execute(statement, &[&keep, &from]).await?;
    }
    decide(tx, "id", id, "merged", actor, at).await?;
    let others: Vec<(i64, String)> = tx
        .query(
            "SELECT CASE WHEN person_id = $1 THEN other_id ELSE person_id END, reason
             FROM person_merges WHERE (person_id = $1 OR other_id = $1) AND decided_at IS NULL",
            &[&from],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    decide(tx, "person_id", from, "superseded", actor, at).await?;
    decide(tx, "other_id", from, "superseded", actor, at).await?;
    for (other, reason) in others {
        if other != keep {
            suggest(tx, tenant_id, keep, other, &reason, at).await?;
        }
    }
    append_audit(
        tx,
        tenant_id,
        at,
        actor,
        &format!("person:{keep}"),
        "persons-merged",
        &format!("person:{from}"),
    )
    .await?;
    Ok(MergeOutcome::Merged { into: keep })
}

/// The file kept (`$1`) takes from the merged one (`$2`) what it lacks.
const MERGE_FILL: &str = "UPDATE persons SET
         first_name = CASE WHEN persons.first_name = '' AND persons.last_name = '' THEN f.first_name ELSE persons.first_name END,
         last_name = CASE WHEN persons.first_name = '' AND persons.last_name = '' THEN f.last_name ELSE persons.last_name END,
         name_key = CASE WHEN persons.name_key = '' THEN f.name_key ELSE persons.name_key END,
         organisation = coalesce(persons.organisation, f.organisation),
         email = coalesce(persons.email, f.email), phone = coalesce(persons.phone, f.phone),
         street = coalesce(persons.street, f.street), postal_code = coalesce(persons.postal_code, f.postal_code),
         town = coalesce(persons.town, f.town),
         place_key = CASE WHEN persons.place_key = '' THEN f.place_key ELSE persons.place_key END,
         citizen_id = coalesce(persons.citizen_id, f.citizen_id)
     FROM persons AS f WHERE persons.id = $1 AND f.id = $2";

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
