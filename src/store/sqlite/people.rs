//! SQL of the town's file of who asks.

use super::SqliteStore;
use super::audit::append_audit;
use super::console::console_row;
use crate::core::people::{Contact, PersonKind};
use crate::store::people::{PERSON_COLUMNS, person_kind};
use crate::store::requests::parse_time;
use crate::store::*;
use rusqlite::{Connection, OptionalExtension, Row, params};

impl PeopleStore for SqliteStore {
    fn person_file(
        &self,
        tenant_id: i64,
        id: i64,
    ) -> BoxFuture<'_, Result<Option<FoundPerson>, StoreError>> {
        self.read(move |conn| {
            let merged: Option<Option<i64>> = conn
                .prepare_cached("SELECT merged_into FROM persons WHERE id = ?1 AND tenant_id = ?2")?
                .query_row(params![id, tenant_id], |r| r.get(0))
                .optional()?;
            match merged {
                None => return Ok(None),
                Some(Some(into)) => return Ok(Some(FoundPerson::Merged(into))),
                Some(None) => {}
            }
            let person = conn
                .prepare_cached(&format!(
                    "SELECT {PERSON_COLUMNS} FROM persons WHERE id = ?1"
                ))?
                .query_row(params![id], person_row)?;
            let person = person?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CONSOLE_COLUMNS} FROM requests
                 WHERE person_id = ?1 AND tenant_id = ?2 AND test = 0 ORDER BY id DESC"
            ))?;
            let mut rows = stmt.query(params![id, tenant_id])?;
            let mut requests = Vec::new();
            while let Some(row) = rows.next()? {
                requests.push(console_row(row)?.1);
            }
            Ok(Some(FoundPerson::File(Box::new(PersonFile {
                person,
                requests,
            }))))
        })
    }

    fn find_people(
        &self,
        tenant_id: i64,
        text: String,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Person>, StoreError>> {
        self.read(move |conn| {
            let pattern = like_pattern(text.trim());
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {PERSON_COLUMNS} FROM persons
                 WHERE tenant_id = ?1 AND merged_into IS NULL
                   AND (fold(first_name || ' ' || last_name || ' ' || coalesce(organisation, '')) LIKE ?2 ESCAPE '\\'
                        OR email LIKE ?2 ESCAPE '\\' OR phone LIKE ?3 ESCAPE '\\' OR name_key LIKE ?2 ESCAPE '\\')
                 ORDER BY last_name, first_name, id LIMIT ?4"
            ))?;
            let digits = crate::core::people::phone_key(&text)
                .map_or_else(|| "\u{0}".to_owned(), |p| like_pattern(&p));
            let found = stmt
                .query_map(params![tenant_id, pattern, digits, limit], person_row)?
                .collect::<Result<Vec<_>, _>>()?;
            found.into_iter().collect()
        })
    }

    fn merge_suggestions(
        &self,
        tenant_id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<MergeSuggestion>, u64), StoreError>> {
        self.read(move |conn| {
            let open = "FROM person_merges m
                 JOIN persons a ON a.id = m.person_id AND a.merged_into IS NULL
                 JOIN persons b ON b.id = m.other_id AND b.merged_into IS NULL
                 WHERE m.tenant_id = ?1 AND m.decided_at IS NULL";
            let total: i64 = conn
                .prepare_cached(&format!("SELECT count(*) {open}"))?
                .query_row(params![tenant_id], |r| r.get(0))?;
            let pairs: Vec<(i64, i64, i64, String, String)> = conn
                .prepare_cached(&format!(
                    "SELECT m.id, m.person_id, m.other_id, m.reason, m.created_at {open}
                     ORDER BY m.id LIMIT ?2"
                ))?
                .query_map(params![tenant_id, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut person = conn.prepare_cached(&format!(
                "SELECT {PERSON_COLUMNS} FROM persons WHERE id = ?1"
            ))?;
            let mut found = Vec::with_capacity(pairs.len());
            for (id, a, b, reason, created) in pairs {
                found.push(MergeSuggestion {
                    id,
                    person: person.query_row(params![a], person_row)??,
                    other: person.query_row(params![b], person_row)??,
                    reason,
                    created_at: parse_time(id, "suggestion created_at", &created)?,
                });
            }
            Ok((found, total as u64))
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
        self.write(move |tx| decide_merge(tx, tenant_id, id, decision, &actor, &at.to_string()))
    }

    fn file_requests(
        &self,
        tenant_id: i64,
        after: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Option<i64>, u64), StoreError>> {
        self.write(move |tx| {
            let unfiled: Vec<(i64, Option<i64>, String)> = tx
                .prepare_cached(
                    "SELECT id, citizen_id, submitted_at FROM requests
                     WHERE tenant_id = ?1 AND id > ?2 AND person_id IS NULL AND test = 0
                       AND anonymised_at IS NULL
                     ORDER BY id LIMIT ?3",
                )?
                .query_map(params![tenant_id, after, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut filed = 0;
            for (id, citizen_id, at) in &unfiled {
                let rows: Vec<(String, String)> = tx
                    .prepare_cached(
                        "SELECT path, value FROM request_values
                         WHERE request_id = ?1 AND path LIKE 'requester/%' ORDER BY position",
                    )?
                    .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                if let Some(contact) = Contact::of_stored(&rows) {
                    attach_person(tx, tenant_id, *id, &contact, *citizen_id, at)?;
                    filed += 1;
                }
            }
            Ok((unfiled.last().map(|r| r.0), filed))
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
        self.write(move |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE persons SET kind = ?3 WHERE id = ?1 AND tenant_id = ?2 AND merged_into IS NULL",
                )?
                .execute(params![id, tenant_id, kind.as_str()])?;
            if changed == 0 {
                return Ok(false);
            }
            append_audit(
                tx,
                tenant_id,
                &at.to_string(),
                &actor,
                &format!("person:{id}"),
                "person-kind",
                kind.as_str(),
            )?;
            Ok(true)
        })
    }
}

fn decide_merge(
    tx: &Connection,
    tenant_id: i64,
    id: i64,
    decision: MergeDecision,
    actor: &str,
    at: &str,
) -> Result<MergeOutcome, StoreError> {
    let pair: Option<(i64, i64)> = tx
        .prepare_cached(
            "SELECT m.person_id, m.other_id FROM person_merges m
             JOIN persons a ON a.id = m.person_id AND a.merged_into IS NULL
             JOIN persons b ON b.id = m.other_id AND b.merged_into IS NULL
             WHERE m.id = ?1 AND m.tenant_id = ?2 AND m.decided_at IS NULL",
        )?
        .query_row(params![id, tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((keep, from)) = pair else {
        return Ok(MergeOutcome::Gone);
    };
    let decide = |decision: &str, which: &str, value: i64| -> Result<usize, StoreError> {
        Ok(tx
            .prepare_cached(&format!(
                "UPDATE person_merges SET decided_at = ?2, decision = ?3, decided_by = ?4
                 WHERE {which} = ?1 AND decided_at IS NULL"
            ))?
            .execute(params![value, at, decision, actor])?)
    };
    if decision == MergeDecision::Apart {
        decide("apart", "id", id)?;
        append_audit(
            tx,
            tenant_id,
            at,
            actor,
            &format!("person:{keep}"),
            "persons-kept-apart",
            &format!("person:{from}"),
        )?;
        return Ok(MergeOutcome::KeptApart);
    }
    let accounts: (Option<i64>, Option<i64>) = tx
        .prepare_cached(
            "SELECT (SELECT citizen_id FROM persons WHERE id = ?1), (SELECT citizen_id FROM persons WHERE id = ?2)",
        )?
        .query_row(params![keep, from], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if let (Some(a), Some(b)) = accounts
        && a != b
    {
        return Ok(MergeOutcome::TwoAccounts);
    }
    for statement in [
        MERGE_FILL,
        "UPDATE persons SET merged_into = ?1, citizen_id = NULL WHERE id = ?2",
        "UPDATE persons SET merged_into = ?1 WHERE merged_into = ?2",
        "UPDATE requests SET person_id = ?1 WHERE person_id = ?2",
    ] {
        tx.prepare_cached(statement)?.execute(params![keep, from])?;
    }
    decide("merged", "id", id)?;
    // The newer file's other suggestions pass to the file kept.
    let others: Vec<(i64, String)> = tx
        .prepare_cached(
            "SELECT CASE WHEN person_id = ?1 THEN other_id ELSE person_id END, reason
             FROM person_merges WHERE (person_id = ?1 OR other_id = ?1) AND decided_at IS NULL",
        )?
        .query_map(params![from], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    decide("superseded", "person_id", from)?;
    decide("superseded", "other_id", from)?;
    for (other, reason) in others {
        if other != keep {
            suggest(tx, tenant_id, keep, other, &reason, at)?;
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
    )?;
    Ok(MergeOutcome::Merged { into: keep })
}

/// The file kept (`?1`) takes from the merged one (`?2`) what it lacks.
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
     FROM persons AS f WHERE persons.id = ?1 AND f.id = ?2";

fn person_row(r: &Row) -> rusqlite::Result<Result<Person, StoreError>> {
    let id: i64 = r.get(0)?;
    let created: String = r.get(11)?;
    Ok(
        parse_time(id, "person created_at", &created).map(|created_at| Person {
            id,
            kind: person_kind(&r.get::<_, String>(1).unwrap_or_default()),
            first_name: r.get(2).unwrap_or_default(),
            last_name: r.get(3).unwrap_or_default(),
            organisation: r.get(4).unwrap_or_default(),
            email: r.get(5).unwrap_or_default(),
            phone: r.get(6).unwrap_or_default(),
            street: r.get(7).unwrap_or_default(),
            postal_code: r.get(8).unwrap_or_default(),
            town: r.get(9).unwrap_or_default(),
            has_account: r.get(10).unwrap_or_default(),
            created_at,
        }),
    )
}

/// Joins the request `request_id` to the file of its requester, in the
/// request's transaction: the file of its account, else of the same e-mail
/// address, else of the same phone, filled with what it lacked; else a new
/// file. A phone another file has, or a new file with the name and address
/// of another, is suggested to agents as one person's.
pub(super) fn attach_person(
    tx: &Connection,
    tenant_id: i64,
    request_id: i64,
    contact: &Contact,
    citizen_id: Option<i64>,
    at: &str,
) -> Result<(), StoreError> {
    let one = |sql: &str, value: &dyn rusqlite::ToSql| -> Result<Option<i64>, StoreError> {
        Ok(tx
            .prepare_cached(sql)?
            .query_row(params![tenant_id, value], |r| r.get(0))
            .optional()?)
    };
    let by_account = match citizen_id {
        Some(c) => one(
            "SELECT id FROM persons WHERE tenant_id = ?1 AND citizen_id = ?2 AND merged_into IS NULL ORDER BY id LIMIT 1",
            &c,
        )?,
        None => None,
    };
    let by_email = match (&by_account, &contact.email) {
        (None, Some(e)) => one(
            "SELECT id FROM persons WHERE tenant_id = ?1 AND email = ?2 AND merged_into IS NULL ORDER BY id LIMIT 1",
            e,
        )?,
        _ => None,
    };
    let by_phone = match &contact.phone {
        Some(p) => one(
            "SELECT id FROM persons WHERE tenant_id = ?1 AND phone = ?2 AND merged_into IS NULL ORDER BY id LIMIT 1",
            p,
        )?,
        None => None,
    };
    let place_key = contact.place_key();
    let found = by_account.or(by_email).or(by_phone);
    let person = match found {
        Some(id) => {
            tx.prepare_cached(
                "UPDATE persons SET email = coalesce(email, ?2), phone = coalesce(phone, ?3),
                     street = coalesce(street, ?4), postal_code = coalesce(postal_code, ?5),
                     town = coalesce(town, ?6), citizen_id = coalesce(citizen_id, ?7),
                     place_key = CASE WHEN place_key = '' THEN ?8 ELSE place_key END
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                contact.email,
                contact.phone,
                contact.street,
                contact.postal_code,
                contact.town,
                citizen_id,
                place_key
            ])?;
            id
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO persons (tenant_id, kind, first_name, last_name, organisation, email, phone,
                     street, postal_code, town, name_key, place_key, citizen_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                tenant_id,
                contact.kind.unwrap_or(crate::core::people::PersonKind::Citizen).as_str(),
                contact.first_name,
                contact.last_name,
                contact.organisation,
                contact.email,
                contact.phone,
                contact.street,
                contact.postal_code,
                contact.town,
                contact.name_key(),
                place_key,
                citizen_id,
                at
            ])?;
            let id = tx.last_insert_rowid();
            // Near names at the same address: for an agent to say.
            if !place_key.is_empty() {
                let twins: Vec<i64> = tx
                    .prepare_cached(
                        "SELECT id FROM persons WHERE tenant_id = ?1 AND name_key = ?2 AND place_key = ?3
                           AND id <> ?4 AND merged_into IS NULL ORDER BY id LIMIT 5",
                    )?
                    .query_map(
                        params![tenant_id, contact.name_key(), place_key, id],
                        |r| r.get(0),
                    )?
                    .collect::<Result<_, _>>()?;
                for twin in twins {
                    suggest(tx, tenant_id, twin, id, "name-address", at)?;
                }
            }
            id
        }
    };
    if let Some(other) = by_phone
        && other != person
    {
        suggest(tx, tenant_id, other, person, "phone", at)?;
    }
    tx.prepare_cached("UPDATE requests SET person_id = ?1 WHERE id = ?2")?
        .execute(params![person, request_id])?;
    Ok(())
}

fn suggest(
    tx: &Connection,
    tenant_id: i64,
    a: i64,
    b: i64,
    reason: &str,
    at: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO person_merges (tenant_id, person_id, other_id, reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (person_id, other_id) DO NOTHING",
    )?
    .execute(params![tenant_id, a.min(b), a.max(b), reason, at])?;
    Ok(())
}
