//! SQL of retention and erasure: what anonymising a request removes, and
//! closing an account.

use super::SqliteStore;
use super::audit::{append_audit, redact_audit};
use super::citizens::{citizen_where, queue_mail};
use crate::core::tracking::Reference;
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

/// A request with no message left to send: the last decision reaches the
/// requester of a closed account before anything is removed (or is given up
/// after [`SENDING_DAYS`]).
const NOTHING_TO_SEND: &str =
    "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id AND o.state = 'pending')
     AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.request_id = r.id AND d.state = 'pending')";

impl PersonalDataStore for SqliteStore {
    fn kept_blobs(&self) -> BoxFuture<'_, Result<std::collections::HashSet<String>, StoreError>> {
        self.read(|conn| {
            Ok(conn
                .prepare(
                    "SELECT sha256 FROM attachments
                     UNION SELECT sha256 FROM export_jobs WHERE state = 'ready'
                     UNION SELECT sha256 FROM inbound_files",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?)
        })
    }

    fn find_person(
        &self,
        tenant_id: i64,
        query: PersonQuery,
    ) -> BoxFuture<'_, Result<PersonFound, StoreError>> {
        self.read(move |conn| find_person(conn, tenant_id, &query))
    }

    fn anonymise_due(
        &self,
        tenant_id: i64,
        rules: Vec<RetentionRule>,
        batch: u32,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.write(move |tx| {
            let at = now.to_string();
            let due = due_requests(tx, tenant_id, &rules, batch, now)?;
            for (id, _, reference) in &due {
                anonymise(tx, tenant_id, *id, *reference, &at)?;
            }
            let forgotten = forget_closed_accounts_mail(tx, tenant_id)?;
            if !due.is_empty() || forgotten > 0 {
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    RETENTION_ACTOR,
                    "retention",
                    "anonymised",
                    &retention_detail(&due, forgotten, "requests anonymised"),
                )?;
            }
            Ok(due.into_iter().map(|(_, _, reference)| reference).collect())
        })
    }

    fn delete_files_due(
        &self,
        tenant_id: i64,
        rules: Vec<RetentionRule>,
        batch: u32,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.write(move |tx| {
            let at = now.to_string();
            let due = oldest_first(
                closed_by_rule(
                    tx,
                    tenant_id,
                    &rules,
                    batch,
                    "EXISTS (SELECT 1 FROM attachments a WHERE a.request_id = r.id)",
                )?,
                batch,
            );
            for (id, _, _) in &due {
                for statement in [
                    "UPDATE deliveries SET attachment_id = NULL WHERE request_id = ?1",
                    "UPDATE outbox SET attachment_id = NULL WHERE request_id = ?1",
                    "DELETE FROM attachments WHERE request_id = ?1",
                ] {
                    tx.prepare_cached(statement)?.execute(params![id])?;
                }
                tx.prepare_cached(
                    "INSERT INTO events (request_id, at, actor, action, citizen_visible)
                     VALUES (?1, ?2, ?3, 'files-deleted', 0)",
                )?
                .execute(params![id, at, RETENTION_ACTOR])?;
                tx.prepare_cached("UPDATE requests SET revision = revision + 1 WHERE id = ?1")?
                    .execute(params![id])?;
            }
            if !due.is_empty() {
                let detail = retention_detail(&due, 0, "requests lost their files");
                append_audit(
                    tx,
                    tenant_id,
                    &at,
                    RETENTION_ACTOR,
                    "retention",
                    "files-deleted",
                    &detail,
                )?;
            }
            Ok(due.into_iter().map(|(_, _, reference)| reference).collect())
        })
    }

    fn close_account(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        goodbye: AccountMail,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AccountClosed>, StoreError>> {
        self.write(move |tx| close_account(tx, tenant_id, citizen_id, &goodbye, now))
    }
}

/// Up to `batch` requests due, oldest closed first: by their service's
/// rule (what is still to be sent then is stale and goes too), or closed
/// after their citizen closed their account.
fn due_requests(
    tx: &Connection,
    tenant_id: i64,
    rules: &[RetentionRule],
    batch: u32,
    now: Timestamp,
) -> Result<Vec<(i64, String, Reference)>, StoreError> {
    let mut due: Vec<DueRequest> = Vec::new();
    let row = |r: &rusqlite::Row| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            Reference {
                year: r.get(3)?,
                number: r.get(4)?,
            },
        ))
    };
    let mut erased = tx.prepare_cached(&format!(
        "SELECT r.entered_at, r.id, r.service_code, r.year, r.number FROM requests r
         WHERE r.tenant_id = ?1 AND r.finished = 1 AND r.anonymised_at IS NULL
           AND r.erase_when_finished = 1 AND ({NOTHING_TO_SEND} OR r.entered_at < ?3)
         ORDER BY r.entered_at LIMIT ?2"
    ))?;
    let given_up = sending_given_up(now);
    for found in erased.query_map(params![tenant_id, batch, given_up], row)? {
        due.push(found?);
    }
    due.extend(closed_by_rule(tx, tenant_id, rules, batch, "1")?);
    Ok(oldest_distinct_first(due, batch))
}

/// Up to `batch` requests per rule, closed before their service's rule and
/// not anonymised, that also meet `condition` (SQL on `r`): (closed at, id,
/// service, reference).
fn closed_by_rule(
    tx: &Connection,
    tenant_id: i64,
    rules: &[RetentionRule],
    batch: u32,
    condition: &str,
) -> Result<Vec<DueRequest>, StoreError> {
    let mut by_rule = tx.prepare_cached(&format!(
        "SELECT r.entered_at, r.id, r.service_code, r.year, r.number FROM requests r
         WHERE r.tenant_id = ?1 AND r.service_code = ?2 AND r.finished = 1
           AND r.anonymised_at IS NULL AND r.entered_at < ?3 AND {condition}
         ORDER BY r.entered_at LIMIT ?4"
    ))?;
    let mut out = Vec::new();
    for rule in rules {
        let before = rule.closed_before.to_string();
        let rows =
            by_rule.query_map(params![tenant_id, rule.service_code, before, batch], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    Reference {
                        year: r.get(3)?,
                        number: r.get(4)?,
                    },
                ))
            })?;
        for found in rows {
            out.push(found?);
        }
    }
    Ok(out)
}

/// Removes the person from one request and everything about it; keeps what
/// statistics count.
fn anonymise(
    tx: &Connection,
    tenant_id: i64,
    id: i64,
    reference: Reference,
    at: &str,
) -> Result<(), StoreError> {
    for statement in [
        "DELETE FROM request_values WHERE request_id = ?1",
        "UPDATE events SET comment = NULL WHERE request_id = ?1",
        "UPDATE satisfaction_answers SET comment = NULL WHERE request_id = ?1",
        "DELETE FROM deliveries WHERE request_id = ?1",
        "DELETE FROM outbox WHERE request_id = ?1",
        // The files' rows, once no message carries them; their blobs go at
        // the next sweep.
        "DELETE FROM attachments WHERE request_id = ?1",
    ] {
        tx.prepare_cached(statement)?.execute(params![id])?;
    }
    let person: Option<i64> = tx
        .prepare_cached("SELECT person_id FROM requests WHERE id = ?1")?
        .query_row(params![id], |r| r.get(0))?;
    // The tracking digest must stay unique and match no code.
    tx.prepare_cached(
        "UPDATE requests SET requester_name = '', requester_email = NULL, citizen_id = NULL, person_id = NULL,
                tracking_digest = 'anonymised:' || id, correction = NULL, validation_answer = NULL,
                unread = 0, anonymised_at = ?2, revision = revision + 1
         WHERE id = ?1",
    )?
    .execute(params![id, at])?;
    // Its file forgets it (and goes when it holds no other request).
    if let Some(person) = person {
        refresh_person(tx, person)?;
    }
    for subject in [reference.to_string(), format!("request:{reference}")] {
        redact_audit(tx, tenant_id, &subject, at)?;
    }
    Ok(())
}

/// A file of the town's people after one of its requests was anonymised:
/// what it says is taken again from its newest request left (nothing of
/// the anonymised one stays); left with none, it is deleted, with the
/// suggestions naming it and the files merged into it.
fn refresh_person(tx: &Connection, person: i64) -> Result<(), StoreError> {
    let newest: Option<i64> = tx
        .prepare_cached("SELECT max(id) FROM requests WHERE person_id = ?1")?
        .query_row(params![person], |r| r.get(0))?;
    if let Some(newest) = newest {
        let rows: Vec<(String, String)> = tx
            .prepare_cached(
                "SELECT path, value FROM request_values WHERE request_id = ?1 AND path LIKE 'requester/%' ORDER BY position",
            )?
            .query_map(params![newest], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let c = crate::core::people::Contact::of_stored(&rows).unwrap_or_default();
        tx.prepare_cached(
            "UPDATE persons SET first_name = ?2, last_name = ?3, organisation = ?4, email = ?5, phone = ?6,
                 street = ?7, postal_code = ?8, town = ?9, name_key = ?10, place_key = ?11
             WHERE id = ?1",
        )?
        .execute(params![
            person,
            c.first_name,
            c.last_name,
            c.organisation,
            c.email,
            c.phone,
            c.street,
            c.postal_code,
            c.town,
            c.name_key(),
            c.place_key()
        ])?;
        return Ok(());
    }
    for statement in [
        "DELETE FROM person_merges WHERE person_id = ?1 OR other_id = ?1
            OR person_id IN (SELECT id FROM persons WHERE merged_into = ?1)
            OR other_id IN (SELECT id FROM persons WHERE merged_into = ?1)",
        "DELETE FROM persons WHERE merged_into = ?1",
        "DELETE FROM persons WHERE id = ?1",
    ] {
        tx.prepare_cached(statement)?.execute(params![person])?;
    }
    Ok(())
}

/// Deletes the account messages (confirmations, resets, the goodbye) of
/// addresses no account has any more, once sent or given up.
fn forget_closed_accounts_mail(tx: &Connection, tenant_id: i64) -> Result<usize, StoreError> {
    let orphans = "SELECT o.id FROM outbox o
         WHERE o.tenant_id = ?1 AND o.recipient_kind = 'account' AND o.state <> 'pending'
           AND NOT EXISTS (SELECT 1 FROM citizens c WHERE c.tenant_id = ?1 AND c.email = o.recipient)
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id AND d.state = 'pending')";
    tx.prepare_cached(&format!(
        "DELETE FROM deliveries WHERE outbox_id IN ({orphans})"
    ))?
    .execute(params![tenant_id])?;
    Ok(tx
        .prepare_cached(&format!("DELETE FROM outbox WHERE id IN ({orphans})"))?
        .execute(params![tenant_id])?)
}

fn close_account(
    tx: &Connection,
    tenant_id: i64,
    citizen_id: i64,
    goodbye: &AccountMail,
    now: Timestamp,
) -> Result<Option<AccountClosed>, StoreError> {
    let at = now.to_string();
    let exists: Option<i64> = tx
        .prepare_cached("SELECT id FROM citizens WHERE id = ?1 AND tenant_id = ?2")?
        .query_row(params![citizen_id, tenant_id], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let mut closed = AccountClosed::default();
    let owned: Vec<(i64, Reference, bool)> = tx
        .prepare_cached(&format!(
            "SELECT r.id, r.year, r.number, r.finished = 1 AND {NOTHING_TO_SEND} FROM requests r
             WHERE r.citizen_id = ?1 ORDER BY r.year, r.number"
        ))?
        .query_map(params![citizen_id], |r| {
            Ok((
                r.get(0)?,
                Reference {
                    year: r.get(1)?,
                    number: r.get(2)?,
                },
                r.get(3)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (id, reference, done) in owned {
        if done {
            anonymise(tx, tenant_id, id, reference, &at)?;
            closed.anonymised.push(reference);
        } else {
            tx.prepare_cached(
                "UPDATE requests SET erase_when_finished = 1, citizen_id = NULL, revision = revision + 1
                 WHERE id = ?1",
            )?
            .execute(params![id])?;
            closed.kept.push(reference);
        }
    }
    for statement in [
        "DELETE FROM citizen_sessions WHERE citizen_id = ?1",
        "DELETE FROM citizen_tokens WHERE citizen_id = ?1",
        "DELETE FROM citizen_identities WHERE citizen_id = ?1",
        "DELETE FROM openid_flows WHERE citizen_id = ?1",
        "UPDATE persons SET citizen_id = NULL WHERE citizen_id = ?1",
        "DELETE FROM citizens WHERE id = ?1",
    ] {
        tx.prepare_cached(statement)?.execute(params![citizen_id])?;
    }
    let subject = citizen_subject(citizen_id);
    redact_audit(tx, tenant_id, &subject, &at)?;
    forget_closed_accounts_mail(tx, tenant_id)?;
    queue_mail(tx, tenant_id, goodbye, &at)?;
    append_audit(
        tx,
        tenant_id,
        &at,
        &subject,
        &subject,
        "close-account",
        &close_account_detail(&closed),
    )?;
    Ok(Some(closed))
}

/// The columns of a request found for a person, read by [`found_request`].
const FOUND: &str = "year, number, service_code, requester_name, submitted_at";

fn found_request(r: &rusqlite::Row) -> rusqlite::Result<FoundRequest> {
    let at: String = r.get(4)?;
    Ok(FoundRequest {
        reference: Reference {
            year: r.get(0)?,
            number: r.get(1)?,
        },
        service_code: r.get(2)?,
        requester_name: r.get(3)?,
        submitted_at: at.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
        })?,
    })
}

fn find_person(
    conn: &Connection,
    tenant_id: i64,
    query: &PersonQuery,
) -> Result<PersonFound, StoreError> {
    let (account_ids, mut requests): (Vec<i64>, Vec<FoundRequest>) = match query {
        PersonQuery::Email(email) => {
            let accounts = conn
                .prepare_cached("SELECT id FROM citizens WHERE tenant_id = ?1 AND email = ?2")?
                .query_map(params![tenant_id, email], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let requests = conn
                .prepare_cached(
                    &format!("SELECT {FOUND} FROM requests
                     WHERE tenant_id = ?1 AND test = 0 AND anonymised_at IS NULL
                       AND (lower(requester_email) = ?2
                            OR citizen_id IN (SELECT id FROM citizens WHERE tenant_id = ?1 AND email = ?2))
                     ORDER BY submitted_at DESC, id DESC LIMIT ?3"),
                )?
                .query_map(params![tenant_id, email, PERSON_LIMIT], found_request)?
                .collect::<Result<_, _>>()?;
            (accounts, requests)
        }
        PersonQuery::Name(words) => {
            let patterns = name_patterns(words);
            if patterns.is_empty() {
                return Ok(PersonFound::default());
            }
            // One condition per word, each bound as a parameter.
            let each = |column: &str| {
                (0..patterns.len())
                    .map(|i| format!("fold({column}) LIKE fold(?{}) ESCAPE '\\'", i + 3))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            };
            let mut args: Vec<&dyn rusqlite::ToSql> = vec![&tenant_id, &PERSON_LIMIT];
            for p in &patterns {
                args.push(p);
            }
            let accounts = conn
                .prepare(&format!(
                    "SELECT id FROM citizens WHERE tenant_id = ?1 AND ({})
                     ORDER BY id LIMIT ?2",
                    each("(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))")
                ))?
                .query_map(args.as_slice(), |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let requests = conn
                .prepare(&format!(
                    "SELECT {FOUND} FROM requests
                     WHERE tenant_id = ?1 AND test = 0 AND anonymised_at IS NULL AND ({})
                     ORDER BY submitted_at DESC, id DESC LIMIT ?2",
                    each("requester_name")
                ))?
                .query_map(args.as_slice(), found_request)?
                .collect::<Result<_, _>>()?;
            (accounts, requests)
        }
    };
    let mut found = PersonFound::default();
    for id in account_ids {
        if let Some(c) = citizen_where(conn, "id = ?1", &[&id])? {
            found.accounts.push(c);
        }
    }
    // The requests of the accounts found, by a name search too.
    for c in &found.accounts {
        let owned: Vec<FoundRequest> = conn
            .prepare_cached(&format!(
                "SELECT {FOUND} FROM requests WHERE citizen_id = ?1 AND test = 0
                 ORDER BY submitted_at DESC, id DESC LIMIT ?2"
            ))?
            .query_map(params![c.id, PERSON_LIMIT], found_request)?
            .collect::<Result<_, _>>()?;
        requests.extend(owned);
    }
    found.requests = newest_distinct(requests);
    Ok(found)
}
