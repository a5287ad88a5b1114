//! SQL of the town's file of who asks.

use super::SqliteStore;
use super::console::console_row;
use crate::core::people::Contact;
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
}

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
