//! SQL of retention and erasure: what anonymising a request removes, and
//! closing an account (which requests are due and what the journal says
//! are `crate::store::personal`'s, shared with SQLite).

use super::PostgresStore;
use super::audit::{append_audit, redact_audit};
use super::citizens::{citizen_where, queue_mail};
use crate::core::tracking::Reference;
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// A request with no message left to send: the last decision reaches the
/// requester of a closed account before anything is removed (or is given up
/// after [`SENDING_DAYS`]).
const NOTHING_TO_SEND: &str =
    "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id AND o.state = 'pending')
     AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.request_id = r.id AND d.state = 'pending')";

impl PersonalDataStore for PostgresStore {
    fn kept_blobs(&self) -> BoxFuture<'_, Result<std::collections::HashSet<String>, StoreError>> {
        self.read(|tx| {
            Box::pin(async move {
                Ok(tx
                    .query(
                        "SELECT sha256 FROM attachments
                         UNION SELECT sha256 FROM export_jobs WHERE state = 'ready'
                     UNION SELECT sha256 FROM inbound_files",
                        &[],
                    )
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect())
            })
        })
    }

    fn find_person(
        &self,
        tenant_id: i64,
        query: PersonQuery,
    ) -> BoxFuture<'_, Result<PersonFound, StoreError>> {
        self.read(move |tx| Box::pin(async move { find_person(tx, tenant_id, &query).await }))
    }

    fn anonymise_due(
        &self,
        tenant_id: i64,
        rules: Vec<RetentionRule>,
        batch: u32,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.write(move |tx| {
            let rules = rules.clone();
            Box::pin(async move {
                let at = now.to_string();
                let due = due_requests(tx, tenant_id, &rules, batch, now).await?;
                for (id, _, reference) in &due {
                    anonymise(tx, tenant_id, *id, *reference, &at).await?;
                }
                let forgotten = forget_closed_accounts_mail(tx, tenant_id).await?;
                if !due.is_empty() || forgotten > 0 {
                    append_audit(
                        tx,
                        tenant_id,
                        &at,
                        RETENTION_ACTOR,
                        "retention",
                        "anonymised",
                        &retention_detail(&due, forgotten, "requests anonymised"),
                    )
                    .await?;
                }
                Ok(due.into_iter().map(|(_, _, reference)| reference).collect())
            })
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
            let rules = rules.clone();
            Box::pin(async move {
                let at = now.to_string();
                let due = oldest_first(
                    closed_by_rule(
                        tx,
                        tenant_id,
                        &rules,
                        batch,
                        "EXISTS (SELECT 1 FROM attachments a WHERE a.request_id = r.id)",
                    )
                    .await?,
                    batch,
                );
                for (id, _, _) in &due {
                    for statement in [
                        "UPDATE deliveries SET attachment_id = NULL WHERE request_id = $1",
                        "UPDATE outbox SET attachment_id = NULL WHERE request_id = $1",
                        "DELETE FROM attachments WHERE request_id = $1",
                    ] {
                        tx.execute(&tx.prepare_cached(statement).await?, &[id])
                            .await?;
                    }
                    tx.execute(
                        &tx.prepare_cached(
                            "INSERT INTO events (request_id, at, actor, action, citizen_visible)
                             VALUES ($1, $2, $3, 'files-deleted', 0)",
                        )
                        .await?,
                        &[id, &at, &RETENTION_ACTOR],
                    )
                    .await?;
                    tx.execute(
                        &tx.prepare_cached(
                            "UPDATE requests SET revision = revision + 1 WHERE id = $1",
                        )
                        .await?,
                        &[id],
                    )
                    .await?;
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
                    )
                    .await?;
                }
                Ok(due.into_iter().map(|(_, _, reference)| reference).collect())
            })
        })
    }

    fn close_account(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        goodbye: AccountMail,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AccountClosed>, StoreError>> {
        self.write(move |tx| {
            let goodbye = goodbye.clone();
            Box::pin(async move { close_account(tx, tenant_id, citizen_id, &goodbye, now).await })
        })
    }
}

/// A request found due, read from `closed at, id, service, year, number`.
fn due_from_row(r: &Row) -> Result<DueRequest, StoreError> {
    Ok((
        r.get(0),
        r.get(1),
        r.get(2),
        super::reference(r.get(3), r.get(4))?,
    ))
}

/// Up to `batch` requests due, oldest closed first: by their service's
/// rule (what is still to be sent then is stale and goes too), or closed
/// after their citizen closed their account.
async fn due_requests(
    tx: &Transaction<'_>,
    tenant_id: i64,
    rules: &[RetentionRule],
    batch: u32,
    now: Timestamp,
) -> Result<Vec<(i64, String, Reference)>, StoreError> {
    let erased = tx
        .prepare_cached(&format!(
            "SELECT r.entered_at, r.id, r.service_code, r.year, r.number FROM requests r
             WHERE r.tenant_id = $1 AND r.finished = 1 AND r.anonymised_at IS NULL
               AND r.erase_when_finished = 1 AND ({NOTHING_TO_SEND} OR r.entered_at < $3)
             ORDER BY r.entered_at, r.id LIMIT $2"
        ))
        .await?;
    let mut due = tx
        .query(
            &erased,
            &[&tenant_id, &i64::from(batch), &sending_given_up(now)],
        )
        .await?
        .iter()
        .map(due_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    due.extend(closed_by_rule(tx, tenant_id, rules, batch, "TRUE").await?);
    Ok(oldest_distinct_first(due, batch))
}

/// Up to `batch` requests per rule, closed before their service's rule and
/// not anonymised, that also meet `condition` (SQL on `r`).
async fn closed_by_rule(
    tx: &Transaction<'_>,
    tenant_id: i64,
    rules: &[RetentionRule],
    batch: u32,
    condition: &str,
) -> Result<Vec<DueRequest>, StoreError> {
    let by_rule = tx
        .prepare_cached(&format!(
            "SELECT r.entered_at, r.id, r.service_code, r.year, r.number FROM requests r
             WHERE r.tenant_id = $1 AND r.service_code = $2 AND r.finished = 1
               AND r.anonymised_at IS NULL AND r.entered_at < $3 AND {condition}
             ORDER BY r.entered_at, r.id LIMIT $4"
        ))
        .await?;
    let mut out = Vec::new();
    for rule in rules {
        let before = rule.closed_before.to_string();
        for row in tx
            .query(
                &by_rule,
                &[&tenant_id, &rule.service_code, &before, &i64::from(batch)],
            )
            .await?
        {
            out.push(due_from_row(&row)?);
        }
    }
    Ok(out)
}

/// Removes the person from one request and everything about it; keeps what
/// statistics count.
async fn anonymise(
    tx: &Transaction<'_>,
    tenant_id: i64,
    id: i64,
    reference: Reference,
    at: &str,
) -> Result<(), StoreError> {
    for statement in [
        "DELETE FROM request_values WHERE request_id = $1",
        "UPDATE events SET comment = NULL WHERE request_id = $1",
        "UPDATE satisfaction_answers SET comment = NULL WHERE request_id = $1",
        "DELETE FROM deliveries WHERE request_id = $1",
        "DELETE FROM outbox WHERE request_id = $1",
        // The files' rows, once no message carries them; their blobs go at
        // the next sweep.
        "DELETE FROM attachments WHERE request_id = $1",
    ] {
        tx.execute(&tx.prepare_cached(statement).await?, &[&id])
            .await?;
    }
    let person: Option<i64> = tx
        .query_one(
            &tx.prepare_cached("SELECT person_id FROM requests WHERE id = $1")
                .await?,
            &[&id],
        )
        .await?
        .get(0);
    // The tracking digest must stay unique and match no code.
    tx.execute(
        &tx.prepare_cached(
            "UPDATE requests SET requester_name = '', requester_email = NULL, citizen_id = NULL, person_id = NULL,
                    tracking_digest = 'anonymised:' || id, correction = NULL, validation_answer = NULL,
                    unread = 0, anonymised_at = $2, revision = revision + 1
             WHERE id = $1",
        )
        .await?,
        &[&id, &at],
    )
    .await?;
    // Its file forgets it (and goes when it holds no other request).
    if let Some(person) = person {
        refresh_person(tx, person).await?;
    }
    for subject in [reference.to_string(), format!("request:{reference}")] {
        redact_audit(tx, tenant_id, &subject, at).await?;
    }
    Ok(())
}

/// Deletes a file of the town's people that holds no request any more,
/// with the suggestions naming it, and the files merged into it.
async fn refresh_person(tx: &Transaction<'_>, person: i64) -> Result<(), StoreError> {
    let newest: Option<i64> = tx
        .query_one(
            &tx.prepare_cached("SELECT max(id) FROM requests WHERE person_id = $1")
                .await?,
            &[&person],
        )
        .await?
        .get(0);
    if let Some(newest) = newest {
        // What the file says, from its newest request left (see SQLite's).
        let rows: Vec<(String, String)> = tx
            .query(
                &tx.prepare_cached(
                    "SELECT path, value FROM request_values WHERE request_id = $1 AND path LIKE 'requester/%' ORDER BY position",
                )
                .await?,
                &[&newest],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let c = crate::core::people::Contact::of_stored(&rows).unwrap_or_default();
        tx.execute(
            &tx.prepare_cached(
                "UPDATE persons SET first_name = $2, last_name = $3, organisation = $4, email = $5, phone = $6,
                     street = $7, postal_code = $8, town = $9, name_key = $10, place_key = $11
                 WHERE id = $1",
            )
            .await?,
            &[
                &person,
                &c.first_name,
                &c.last_name,
                &c.organisation,
                &c.email,
                &c.phone,
                &c.street,
                &c.postal_code,
                &c.town,
                &c.name_key(),
                &c.place_key(),
            ],
        )
        .await?;
        return Ok(());
    }
    for statement in [
        "DELETE FROM person_merges WHERE person_id = $1 OR other_id = $1
            OR person_id IN (SELECT id FROM persons WHERE merged_into = $1)
            OR other_id IN (SELECT id FROM persons WHERE merged_into = $1)",
        "DELETE FROM persons WHERE merged_into = $1",
        "DELETE FROM persons WHERE id = $1",
    ] {
        tx.execute(&tx.prepare_cached(statement).await?, &[&person])
            .await?;
    }
    Ok(())
}

/// Deletes the account messages (confirmations, resets, the goodbye) of
/// addresses no account has any more, once sent or given up.
async fn forget_closed_accounts_mail(
    tx: &Transaction<'_>,
    tenant_id: i64,
) -> Result<usize, StoreError> {
    let orphans = "SELECT o.id FROM outbox o
         WHERE o.tenant_id = $1 AND o.recipient_kind = 'account' AND o.state <> 'pending'
           AND NOT EXISTS (SELECT 1 FROM citizens c WHERE c.tenant_id = $1 AND c.email = o.recipient)
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id AND d.state = 'pending')";
    tx.execute(
        &tx.prepare_cached(&format!(
            "DELETE FROM deliveries WHERE outbox_id IN ({orphans})"
        ))
        .await?,
        &[&tenant_id],
    )
    .await?;
    let gone = tx
        .execute(
            &tx.prepare_cached(&format!("DELETE FROM outbox WHERE id IN ({orphans})"))
                .await?,
            &[&tenant_id],
        )
        .await?;
    Ok(gone as usize)
}

async fn close_account(
    tx: &Transaction<'_>,
    tenant_id: i64,
    citizen_id: i64,
    goodbye: &AccountMail,
    now: Timestamp,
) -> Result<Option<AccountClosed>, StoreError> {
    let at = now.to_string();
    let exists = tx
        .query_opt(
            &tx.prepare_cached("SELECT id FROM citizens WHERE id = $1 AND tenant_id = $2")
                .await?,
            &[&citizen_id, &tenant_id],
        )
        .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let mut closed = AccountClosed::default();
    let owned = tx
        .query(
            &tx.prepare_cached(&format!(
                "SELECT r.id, r.year, r.number, r.finished = 1 AND {NOTHING_TO_SEND} FROM requests r
                 WHERE r.citizen_id = $1 ORDER BY r.year, r.number"
            ))
            .await?,
            &[&citizen_id],
        )
        .await?;
    for row in owned {
        let id: i64 = row.get(0);
        let reference = super::reference(row.get(1), row.get(2))?;
        let done: bool = row.get(3);
        if done {
            anonymise(tx, tenant_id, id, reference, &at).await?;
            closed.anonymised.push(reference);
        } else {
            tx.execute(
                &tx.prepare_cached(
                    "UPDATE requests SET erase_when_finished = 1, citizen_id = NULL, revision = revision + 1
                     WHERE id = $1",
                )
                .await?,
                &[&id],
            )
            .await?;
            closed.kept.push(reference);
        }
    }
    for statement in [
        "DELETE FROM citizen_sessions WHERE citizen_id = $1",
        "DELETE FROM citizen_tokens WHERE citizen_id = $1",
        "DELETE FROM citizen_identities WHERE citizen_id = $1",
        "DELETE FROM openid_flows WHERE citizen_id = $1",
        "UPDATE persons SET citizen_id = NULL WHERE citizen_id = $1",
        "DELETE FROM citizens WHERE id = $1",
    ] {
        tx.execute(&tx.prepare_cached(statement).await?, &[&citizen_id])
            .await?;
    }
    let subject = citizen_subject(citizen_id);
    redact_audit(tx, tenant_id, &subject, &at).await?;
    forget_closed_accounts_mail(tx, tenant_id).await?;
    queue_mail(tx, tenant_id, goodbye, &at).await?;
    append_audit(
        tx,
        tenant_id,
        &at,
        &subject,
        &subject,
        "close-account",
        &close_account_detail(&closed),
    )
    .await?;
    Ok(Some(closed))
}

/// The columns of a request found for a person, read by [`found_request`].
const FOUND: &str = "year, number, service_code, requester_name, submitted_at";

fn found_request(r: &Row) -> Result<FoundRequest, StoreError> {
    let at: &str = r.get(4);
    Ok(FoundRequest {
        reference: super::reference(r.get(0), r.get(1))?,
        service_code: r.get(2),
        requester_name: r.get(3),
        submitted_at: at
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("request submitted_at: {e}")))?,
    })
}

fn found_requests(rows: &[Row]) -> Result<Vec<FoundRequest>, StoreError> {
    rows.iter().map(found_request).collect()
}

async fn find_person(
    tx: &Transaction<'_>,
    tenant_id: i64,
    query: &PersonQuery,
) -> Result<PersonFound, StoreError> {
    let limit = i64::from(PERSON_LIMIT);
    let (account_ids, mut requests): (Vec<i64>, Vec<FoundRequest>) = match query {
        PersonQuery::Email(email) => {
            let accounts = tx
                .query(
                    &tx.prepare_cached(
                        "SELECT id FROM citizens WHERE tenant_id = $1 AND email = $2",
                    )
                    .await?,
                    &[&tenant_id, email],
                )
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let rows = tx
                .query(
                    &tx.prepare_cached(&format!(
                        "SELECT {FOUND} FROM requests
                         WHERE tenant_id = $1 AND test = 0 AND anonymised_at IS NULL
                           AND (lower(requester_email) = $2
                                OR citizen_id IN (SELECT id FROM citizens WHERE tenant_id = $1 AND email = $2))
                         ORDER BY submitted_at DESC, id DESC LIMIT $3"
                    ))
                    .await?,
                    &[&tenant_id, email, &limit],
                )
                .await?;
            (accounts, found_requests(&rows)?)
        }
        PersonQuery::Name(words) => {
            let patterns = name_patterns(words);
            if patterns.is_empty() {
                return Ok(PersonFound::default());
            }
            // One condition per word, each bound as a parameter; whatever
            // the case, in every alphabet (fold()), as on SQLite.
            let each = |column: &str| {
                (0..patterns.len())
                    .map(|i| format!("fold({column}) LIKE fold(${}) ESCAPE '\\'", i + 3))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            };
            let mut args: Vec<&(dyn ToSql + Sync)> = vec![&tenant_id, &limit];
            for p in &patterns {
                args.push(p);
            }
            let accounts = tx
                .query(
                    &format!(
                        "SELECT id FROM citizens WHERE tenant_id = $1 AND ({})
                         ORDER BY id LIMIT $2",
                        each("(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))")
                    ),
                    &args,
                )
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let rows = tx
                .query(
                    &format!(
                        "SELECT {FOUND} FROM requests
                         WHERE tenant_id = $1 AND test = 0 AND anonymised_at IS NULL AND ({})
                         ORDER BY submitted_at DESC, id DESC LIMIT $2",
                        each("requester_name")
                    ),
                    &args,
                )
                .await?;
            (accounts, found_requests(&rows)?)
        }
    };
    let mut found = PersonFound::default();
    for id in account_ids {
        if let Some(c) = citizen_where(tx, "id = $1", &[&id]).await? {
            found.accounts.push(c);
        }
    }
    // The requests of the accounts found, by a name search too.
    for c in &found.accounts {
        let rows = tx
            .query(
                &tx.prepare_cached(&format!(
                    "SELECT {FOUND} FROM requests WHERE citizen_id = $1 AND test = 0
                     ORDER BY submitted_at DESC, id DESC LIMIT $2"
                ))
                .await?,
                &[&c.id, &limit],
            )
            .await?;
        requests.extend(found_requests(&rows)?);
    }
    found.requests = newest_distinct(requests);
    Ok(found)
}
