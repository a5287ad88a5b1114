//! SQL of requests: submitting, reading, applying workflow outcomes, export
//! marks and deadline marks (what the rows mean is `crate::store::requests`',
//! shared with SQLite).

use super::audit::append_audit;
use super::{PostgresStore, narrow, reference};
use crate::core::intake::NewRequest;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use crate::core::workflow::{Effect, Outcome};
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;
use std::sync::Arc;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

impl RequestStore for PostgresStore {
    fn submit(
        &self,
        tenant_id: i64,
        request: NewRequest,
    ) -> BoxFuture<'_, Result<Reference, StoreError>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = self.submits.send(super::submits::Submit {
            tenant_id,
            request,
            reply,
        });
        Box::pin(async move {
            queued.map_err(|_| StoreError::Closed)?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    fn request_by_tracking(
        &self,
        tenant_id: i64,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                Ok(load_record(
                    tx,
                    "tracking_digest = $1 AND tenant_id = $2",
                    &[&digest, &tenant_id],
                )
                .await?
                .map(|(_, r)| r))
            })
        })
    }

    fn request_by_reference(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<StoredRequest>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                Ok(by_reference(tx, tenant_id, reference)
                    .await?
                    .map(|(_, record, rows)| StoredRequest { record, rows }))
            })
        })
    }

    fn work_item(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<WorkItem>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let Some((id, record, rows)) = by_reference(tx, tenant_id, reference).await? else {
                    return Ok(None);
                };
                let (state, revision, requester_name) = load_state(tx, id).await?;
                let events = events(tx, id).await?;
                Ok(Some(WorkItem {
                    record,
                    state,
                    revision,
                    requester_name,
                    rows,
                    events,
                }))
            })
        })
    }

    fn apply(
        &self,
        tenant_id: i64,
        reference: Reference,
        revision: i64,
        outcome: Outcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        let outcome = Arc::new(outcome);
        let at = at.to_string();
        self.write(move |tx| {
            let (outcome, at) = (outcome.clone(), at.clone());
            Box::pin(async move { apply(tx, tenant_id, &reference, revision, &outcome, &at).await })
        })
    }

    fn held_slots(
        &self,
        tenant_id: i64,
        agenda: String,
        test: bool,
        day: jiff::civil::Date,
    ) -> BoxFuture<'_, Result<Vec<(jiff::civil::Time, jiff::civil::Time)>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(&format!(
                            "SELECT s.start, s.\"end\" FROM slots s JOIN requests r ON r.id = s.request_id
                             WHERE s.tenant_id = $1 AND s.agenda = $2 AND s.test = $3 AND s.day = $4 AND {HELD}
                             ORDER BY s.start"
                        ))
                        .await?,
                        &[&tenant_id, &agenda, &i64::from(test), &day.to_string()],
                    )
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            parse_slot_time(r.get(0))?,
                            parse_slot_time(r.get(1))?,
                        ))
                    })
                    .collect()
            })
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn correct(
        &self,
        tenant_id: i64,
        reference: Reference,
        revision: i64,
        rows: Vec<(String, String)>,
        files: Vec<(String, crate::core::files::FileValue)>,
        outcome: Outcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        let correction = Arc::new((rows, files, outcome));
        let at = at.to_string();
        self.write(move |tx| {
            let (correction, at) = (correction.clone(), at.clone());
            Box::pin(async move {
                let (rows, files, outcome) = &*correction;
                let revision = apply(tx, tenant_id, &reference, revision, outcome, &at).await?;
                let id: i64 = tx
                    .query_one(
                        &tx.prepare_cached(
                            "SELECT id FROM requests WHERE tenant_id = $1 AND year = $2 AND number = $3",
                        )
                        .await?,
                        &[
                            &tenant_id,
                            &i64::from(reference.year),
                            &i64::from(reference.number),
                        ],
                    )
                    .await?
                    .get(0);
                tx.execute(
                    &tx.prepare_cached("DELETE FROM request_values WHERE request_id = $1")
                        .await?,
                    &[&id],
                )
                .await?;
                insert_values(tx, id, rows).await?;
                let mut fields: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
                fields.dedup();
                for field in fields {
                    tx.execute(
                        &tx.prepare_cached(
                            "DELETE FROM attachments WHERE request_id = $1 AND field = $2",
                        )
                        .await?,
                        &[&id, &field],
                    )
                    .await?;
                }
                for (field, file) in files {
                    insert_attachment(tx, id, Some(field), file, &at, "citizen:correction").await?;
                }
                Ok(revision)
            })
        })
    }

    fn mark_read(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached(
                        "UPDATE requests SET unread = 0
                         WHERE tenant_id = $1 AND year = $2 AND number = $3 AND unread = 1",
                    )
                    .await?,
                    &[
                        &tenant_id,
                        &i64::from(reference.year),
                        &i64::from(reference.number),
                    ],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn open_requests(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>> {
        self.read(move |tx| Box::pin(async move { open_requests(tx, tenant_id, false).await }))
    }

    fn waiting_requests(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>> {
        self.read(move |tx| Box::pin(async move { open_requests(tx, tenant_id, true).await }))
    }

    fn export_pending(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT year, number FROM requests
                             WHERE tenant_id = $1 AND export_pending = 1 ORDER BY id",
                        )
                        .await?,
                        &[&tenant_id],
                    )
                    .await?;
                rows.iter().map(|r| reference(r.get(0), r.get(1))).collect()
            })
        })
    }

    fn export_done(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached(
                        "UPDATE requests SET export_pending = 0
                         WHERE tenant_id = $1 AND year = $2 AND number = $3",
                    )
                    .await?,
                    &[
                        &tenant_id,
                        &i64::from(reference.year),
                        &i64::from(reference.number),
                    ],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn test_counts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT service_code, count(*) FROM requests WHERE tenant_id = $1 AND test = 1
                             GROUP BY service_code ORDER BY service_code",
                        )
                        .await?,
                        &[&tenant_id],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| (r.get(0), r.get::<_, i64>(1).max(0) as u64))
                    .collect())
            })
        })
    }

    fn purge_tests(
        &self,
        tenant_id: i64,
        code: Option<String>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (code, actor, at) = (code.clone(), actor.clone(), at.clone());
            Box::pin(async move { purge_tests(tx, tenant_id, code.as_deref(), &actor, &at).await })
        })
    }

    fn deadline_mark(
        &self,
        tenant_id: i64,
        reference: Reference,
        mark: DeadlineMark,
        department: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let at = at.to_string();
        self.write(move |tx| {
            let (department, at) = (department.clone(), at.clone());
            Box::pin(async move {
                deadline_mark(tx, tenant_id, &reference, mark, &department, &at).await
            })
        })
    }
}

/// Stores a new request with the next reference of its tenant and year,
/// drawn in this transaction (under the tenant's submit lock): a submit that
/// fails leaves no gap.
pub(super) async fn insert_request(
    tx: &Transaction<'_>,
    tenant_id: i64,
    r: &NewRequest,
) -> Result<Reference, StoreError> {
    if let Some(slot) = &r.slot
        && let Some(holder) = slot_holder(tx, tenant_id, r.test, slot).await?
    {
        return Err(StoreError::SlotTaken(holder));
    }
    let year = r.submitted_at.year();
    let number: i64 = tx
        .query_one(
            &tx.prepare_cached(
                "INSERT INTO reference_counters (tenant_id, year, last) VALUES ($1, $2, 1)
                 ON CONFLICT (tenant_id, year) DO UPDATE SET last = reference_counters.last + 1
                 RETURNING last",
            )
            .await?,
            &[&tenant_id, &i64::from(year)],
        )
        .await?
        .get(0);
    let submitted_at = r.submitted_at.timestamp().to_string();
    let state = &r.start.state;
    let request_id: i64 = tx
        .query_one(
            &tx.prepare_cached(
                "INSERT INTO requests (tenant_id, year, number, service_code, service_version, channel,
                     tracking_digest, step, submitted_at, due_date, requester_name, requester_email,
                     department, entered_at, finished, lang, test, citizen_id, requester_kind,
                     district, longitude, latitude)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $9, $14, $15, $16, $17, $18,
                     $19, $20, $21)
                 RETURNING id",
            )
            .await?,
            &[
                &tenant_id,
                &i64::from(year),
                &number,
                &r.service_code,
                &i64::from(r.service_version),
                &r.channel.as_str(),
                &r.tracking_digest,
                &state.step,
                &submitted_at,
                &r.due_date.to_string(),
                &requester_name(r),
                &r.form.requester_text("email"),
                &state.department,
                &i64::from(state.finished),
                &r.lang,
                &i64::from(r.test),
                &r.citizen_id,
                &requester_kind(r),
                &r.place.district.as_deref().unwrap_or(""),
                &r.place.point.map(|p| p.lon),
                &r.place.point.map(|p| p.lat),
            ],
        )
        .await?
        .get(0);
    insert_values(tx, request_id, &r.form.rows()).await?;
    if !r.test
        && let Some(contact) = crate::core::people::Contact::of(&r.form)
    {
        super::people::attach_person(
            tx,
            tenant_id,
            request_id,
            &contact,
            r.citizen_id,
            &submitted_at,
        )
        .await?;
    }
    let sender = format!("citizen:{}", r.channel.as_str());
    for (field, file) in r.form.files() {
        insert_attachment(tx, request_id, Some(field), file, &submitted_at, &sender).await?;
    }
    if let Some(from) = &r.inbound
        && !super::inbound::made_request(
            tx,
            tenant_id,
            from.id,
            request_id,
            &from.agent,
            &submitted_at,
        )
        .await?
    {
        return Err(StoreError::Conflict);
    }
    if let Some(slot) = &r.slot {
        insert_slot(tx, tenant_id, request_id, r.test, slot).await?;
    }
    let reference = Reference {
        year,
        number: narrow("reference number", number)?,
    };
    record_outcome(
        tx,
        tenant_id,
        request_id,
        &reference,
        &r.start,
        &submitted_at,
        Some(&r.tracking_code),
    )
    .await?;
    Ok(reference)
}

/// Whether a request still holds its slot: its step is not one of those
/// that release it.
const HELD: &str = "strpos(' ' || s.released_at || ' ', ' ' || r.step || ' ') = 0";

/// The request holding a slot overlapping `slot` when `desks` of them
/// already do (same agenda, side, day, times crossing, at a step that still
/// holds it). Read in the storing transaction, under the tenant's submit
/// lock: two bookings of one slot cannot both pass.
async fn slot_holder(
    tx: &Transaction<'_>,
    tenant_id: i64,
    test: bool,
    slot: &crate::core::intake::Slot,
) -> Result<Option<Reference>, StoreError> {
    let rows = tx
        .query(
            &tx.prepare_cached(&format!(
                "SELECT r.year, r.number FROM slots s JOIN requests r ON r.id = s.request_id
                 WHERE s.tenant_id = $1 AND s.agenda = $2 AND s.test = $3 AND s.day = $4
                   AND s.start < $6 AND s.\"end\" > $5 AND {HELD}
                 ORDER BY r.id"
            ))
            .await?,
            &[
                &tenant_id,
                &slot.agenda,
                &i64::from(test),
                &slot.day.to_string(),
                &slot.start_text(),
                &slot.end_text(),
            ],
        )
        .await?;
    let holders = rows
        .iter()
        .map(|r| reference(r.get(0), r.get(1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(slot_taken_by(&holders, slot.desks))
}

async fn insert_slot(
    tx: &Transaction<'_>,
    tenant_id: i64,
    request_id: i64,
    test: bool,
    slot: &crate::core::intake::Slot,
) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO slots (request_id, tenant_id, agenda, test, day, start, \"end\", released_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?,
        &[
            &request_id,
            &tenant_id,
            &slot.agenda,
            &i64::from(test),
            &slot.day.to_string(),
            &slot.start_text(),
            &slot.end_text(),
            &slot.released_at.join(" "),
        ],
    )
    .await?;
    Ok(())
}

async fn purge_tests(
    tx: &Transaction<'_>,
    tenant_id: i64,
    code: Option<&str>,
    actor: &str,
    at: &str,
) -> Result<u64, StoreError> {
    const CHOSEN: &str = "SELECT id FROM requests WHERE tenant_id = $1 AND test = 1 AND ($2::text IS NULL OR service_code = $2)";
    let rows = tx
        .query(
            &tx.prepare_cached(&format!(
                "SELECT service_code, year, number FROM requests WHERE id IN ({CHOSEN}) ORDER BY id"
            ))
            .await?,
            &[&tenant_id, &code],
        )
        .await?;
    let purged = rows
        .iter()
        .map(|r| Ok((r.get::<_, String>(0), reference(r.get(1), r.get(2))?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    if purged.is_empty() {
        return Ok(0);
    }
    for statement in [
        format!(
            "DELETE FROM deliveries WHERE request_id IN ({CHOSEN})
             OR outbox_id IN (SELECT id FROM outbox WHERE request_id IN ({CHOSEN}))"
        ),
        format!("DELETE FROM outbox WHERE request_id IN ({CHOSEN})"),
        format!("DELETE FROM events WHERE request_id IN ({CHOSEN})"),
        format!("DELETE FROM request_values WHERE request_id IN ({CHOSEN})"),
        format!("DELETE FROM attachments WHERE request_id IN ({CHOSEN})"),
        format!("DELETE FROM slots WHERE request_id IN ({CHOSEN})"),
        format!("DELETE FROM exchange_acks WHERE request_id IN ({CHOSEN})"),
        format!("DELETE FROM calls WHERE request_id IN ({CHOSEN})"),
        format!("DELETE FROM requests WHERE id IN ({CHOSEN})"),
    ] {
        tx.execute(&tx.prepare_cached(&statement).await?, &[&tenant_id, &code])
            .await?;
    }
    let (subject, detail) = purge_audit(code, &purged);
    append_audit(tx, tenant_id, at, actor, &subject, "purge-tests", &detail).await?;
    Ok(purged.len() as u64)
}

/// Records a file kept with a request (its bytes already in the blob store).
pub(super) async fn insert_attachment(
    tx: &Transaction<'_>,
    request_id: i64,
    field: Option<&str>,
    file: &crate::core::files::FileValue,
    at: &str,
    by: &str,
) -> Result<i64, StoreError> {
    Ok(tx
        .query_one(
            &tx.prepare_cached(
                "INSERT INTO attachments (request_id, field, file_name, media_type, size, sha256, added_at, added_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .await?,
            &[
                &request_id,
                &field,
                &file.name,
                &file.kind.media_type(),
                &(file.bytes.len() as i64),
                &file.sha256,
                &at,
                &by,
            ],
        )
        .await?
        .get(0))
}

/// The files kept with a request, oldest first.
pub(super) async fn attachments(
    tx: &Transaction<'_>,
    request_id: i64,
) -> Result<Vec<crate::core::files::Attached>, StoreError> {
    let rows = tx
        .query(
            &tx.prepare_cached(
                "SELECT a.id, a.field, a.file_name, a.media_type, a.size, a.sha256, a.added_at, a.added_by,
                        EXISTS (SELECT 1 FROM outbox o WHERE o.attachment_id = a.id)
                 FROM attachments a WHERE a.request_id = $1 ORDER BY a.id",
            )
            .await?,
            &[&request_id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            attachment_from_row((
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
                r.get(8),
            ))
        })
        .collect()
}

/// Rows of values inserted by one statement (4 parameters a row).
const VALUES_PER_INSERT: usize = 64;

/// A request's field values, several rows per statement.
pub(super) async fn insert_values(
    tx: &Transaction<'_>,
    request_id: i64,
    rows: &[(String, String)],
) -> Result<(), StoreError> {
    for (chunk_index, chunk) in rows.chunks(VALUES_PER_INSERT).enumerate() {
        let mut sql = String::with_capacity(80 + chunk.len() * 20);
        sql.push_str("INSERT INTO request_values (request_id, position, path, value) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let n = i * 4;
            sql.push_str(&format!("(${},${},${},${})", n + 1, n + 2, n + 3, n + 4));
        }
        let positions: Vec<i64> = (0..chunk.len())
            .map(|i| (chunk_index * VALUES_PER_INSERT + i) as i64)
            .collect();
        let mut bound: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(chunk.len() * 4);
        for ((path, value), position) in chunk.iter().zip(&positions) {
            bound.push(&request_id);
            bound.push(position);
            bound.push(path);
            bound.push(value);
        }
        tx.execute(&tx.prepare_cached(&sql).await?, &bound).await?;
    }
    Ok(())
}

/// The request matching `where_clause` (on `requests`, with `$1`… bound to
/// `args`), as the citizen sees it, and its id.
pub(super) async fn load_record(
    tx: &deadpool_postgres::Transaction<'_>,
    where_clause: &str,
    args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Option<(i64, crate::core::status::RequestRecord)>, StoreError> {
    let sql = format!(
        "SELECT id, year, number, service_code, service_version, channel, step, submitted_at, due_date, test, correction, anonymised_at, lang, district, person_id
         FROM requests WHERE {where_clause}"
    );
    let Some(row) = tx.query_opt(&tx.prepare_cached(&sql).await?, args).await? else {
        return Ok(None);
    };
    let id: i64 = row.get(0);
    let raw = RawRecord {
        id,
        reference: reference(row.get(1), row.get(2))?,
        service_code: row.get(3),
        service_version: narrow("service version", row.get(4))?,
        channel: row.get(5),
        step: row.get(6),
        submitted_at: row.get(7),
        due_date: row.get(8),
        test: row.get::<_, i64>(9) != 0,
        correction: row.get(10),
        anonymised_at: row.get(11),
        lang: row.get(12),
        district: row.get(13),
        person_id: row.get(14),
    };
    let events = tx
        .query(
            &tx.prepare_cached(
                "SELECT to_step, at, action, comment FROM events
                 WHERE request_id = $1 AND citizen_visible = 1 ORDER BY id",
            )
            .await?,
            &[&id],
        )
        .await?
        .iter()
        .map(|r| VisibleEvent {
            to_step: r.get(0),
            at: r.get(1),
            action: r.get(2),
            comment: r.get(3),
        })
        .collect();
    let record = raw.into_record(events, attachments(tx, id).await?)?;
    Ok(Some((id, record)))
}

/// A request's id, record and values in submission order.
type Found = (i64, RequestRecord, Vec<(String, String)>);

/// A request by reference.
async fn by_reference(
    tx: &Transaction<'_>,
    tenant_id: i64,
    reference: Reference,
) -> Result<Option<Found>, StoreError> {
    let Some((id, record)) = load_record(
        tx,
        "tenant_id = $1 AND year = $2 AND number = $3",
        &[
            &tenant_id,
            &i64::from(reference.year),
            &i64::from(reference.number),
        ],
    )
    .await?
    else {
        return Ok(None);
    };
    let rows = tx
        .query(
            &tx.prepare_cached(
                "SELECT path, value FROM request_values WHERE request_id = $1 ORDER BY position",
            )
            .await?,
            &[&id],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(Some((id, record, rows)))
}

/// Writes what an outcome brings besides the request's own row: its history
/// events, their audit entries, the messages to send and the export mark.
async fn record_outcome(
    tx: &Transaction<'_>,
    tenant_id: i64,
    request_id: i64,
    reference: &Reference,
    outcome: &Outcome,
    at: &str,
    tracking_code: Option<&str>,
) -> Result<(), StoreError> {
    let subject = reference.to_string();
    let insert_event = tx
        .prepare_cached(
            "INSERT INTO events (request_id, at, actor, action, from_step, to_step, comment, citizen_visible, department)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await?;
    for e in &outcome.events {
        tx.execute(
            &insert_event,
            &[
                &request_id,
                &at,
                &e.actor,
                &e.action,
                &e.from_step,
                &e.to_step,
                &e.comment,
                &i64::from(e.citizen_visible),
                &e.department,
            ],
        )
        .await?;
        let detail = event_audit_detail(e);
        append_audit(tx, tenant_id, at, &e.actor, &subject, &e.action, &detail).await?;
    }
    let insert_message = tx
        .prepare_cached(
            "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    for effect in &outcome.effects {
        match effect {
            Effect::MessageCitizen { template, text } => {
                let (text, secret) =
                    citizen_message(outcome, template.as_deref(), text.as_ref(), tracking_code);
                tx.execute(
                    &insert_message,
                    &[
                        &tenant_id,
                        &request_id,
                        &"citizen",
                        &None::<&str>,
                        template,
                        &text,
                        &at,
                        &secret,
                    ],
                )
                .await?;
            }
            Effect::NotifyDepartment { department, reason } => {
                tx.execute(
                    &insert_message,
                    &[
                        &tenant_id,
                        &request_id,
                        &"department",
                        department,
                        reason,
                        &None::<&str>,
                        &at,
                        &None::<&str>,
                    ],
                )
                .await?;
            }
            Effect::AttachFile { file, send } => {
                let attachment =
                    insert_attachment(tx, request_id, None, file, at, attached_by(outcome)).await?;
                if let Some(template) = send {
                    tx.execute(
                        &tx.prepare_cached(
                            "INSERT INTO outbox (tenant_id, request_id, recipient_kind, template, text, created_at, attachment_id)
                             VALUES ($1, $2, 'citizen', $3, $4, $5, $6)",
                        )
                        .await?,
                        &[
                            &tenant_id,
                            &request_id,
                            template,
                            &outcome.state.step,
                            &at,
                            &attachment,
                        ],
                    )
                    .await?;
                }
            }
            Effect::Export => {
                tx.execute(
                    &tx.prepare_cached("UPDATE requests SET export_pending = 1 WHERE id = $1")
                        .await?,
                    &[&request_id],
                )
                .await?;
            }
            Effect::Call { target, body } => {
                tx.execute(
                    &tx.prepare_cached(
                        "INSERT INTO calls (tenant_id, request_id, target, body_kind, step, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .await?,
                    &[
                        &tenant_id,
                        &request_id,
                        target,
                        &body.as_str(),
                        &outcome.state.step,
                        &at,
                    ],
                )
                .await?;
            }
            Effect::OpenCorrection { fields } => {
                tx.execute(
                    &tx.prepare_cached("UPDATE requests SET correction = $2 WHERE id = $1")
                        .await?,
                    &[&request_id, &fields.join(" ")],
                )
                .await?;
            }
            Effect::CloseCorrection => {
                tx.execute(
                    &tx.prepare_cached("UPDATE requests SET correction = NULL WHERE id = $1")
                        .await?,
                    &[&request_id],
                )
                .await?;
            }
            Effect::Unread => {
                tx.execute(
                    &tx.prepare_cached("UPDATE requests SET unread = 1 WHERE id = $1")
                        .await?,
                    &[&request_id],
                )
                .await?;
            }
            Effect::PostponeDue { days } => {
                let due: String = tx
                    .query_one(
                        &tx.prepare_cached("SELECT due_date FROM requests WHERE id = $1")
                            .await?,
                        &[&request_id],
                    )
                    .await?
                    .get(0);
                let moved = postponed_due(request_id, &due, *days)?;
                tx.execute(
                    &tx.prepare_cached("UPDATE requests SET due_date = $1 WHERE id = $2")
                        .await?,
                    &[&moved, &request_id],
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Applies an outcome decided on `revision`.
pub(super) async fn apply(
    tx: &Transaction<'_>,
    tenant_id: i64,
    reference: &Reference,
    revision: i64,
    outcome: &Outcome,
    at: &str,
) -> Result<i64, StoreError> {
    let s = &outcome.state;
    let (from, to, answer) = match &s.validation {
        Some(v) => (Some(&v.from), Some(&v.to), Some(&v.answer)),
        None => (None, None, None),
    };
    let (year, number) = (i64::from(reference.year), i64::from(reference.number));
    let updated = tx
        .query_opt(
            &tx.prepare_cached(
                "UPDATE requests SET step = $1, department = $2, entered_at = $3, waiting = $4,
                     finished = $5, validation_from = $6, validation_to = $7, validation_answer = $8,
                     waiting_since = $13, revision = revision + 1
                 WHERE tenant_id = $9 AND year = $10 AND number = $11 AND revision = $12
                 RETURNING id, revision",
            )
            .await?,
            &[
                &s.step,
                &s.department,
                &s.entered_at.to_string(),
                &i64::from(s.waiting_for_citizen),
                &i64::from(s.finished),
                &from,
                &to,
                &answer,
                &tenant_id,
                &year,
                &number,
                &revision,
                &s.waiting_since.map(|t| t.to_string()),
            ],
        )
        .await?;
    let Some(updated) = updated else {
        let exists: bool = tx
            .query_one(
                &tx.prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM requests WHERE tenant_id = $1 AND year = $2 AND number = $3)",
                )
                .await?,
                &[&tenant_id, &year, &number],
            )
            .await?
            .get(0);
        return Err(if exists {
            StoreError::Conflict
        } else {
            StoreError::Invalid(format!("no request {reference}"))
        });
    };
    let (request_id, new_revision): (i64, i64) = (updated.get(0), updated.get(1));
    record_outcome(tx, tenant_id, request_id, reference, outcome, at, None).await?;
    Ok(new_revision)
}

/// The columns a [`RawState`] is read from, by [`state_from_row`].
pub(super) const STATE_COLUMNS: &str = "step, department, submitted_at, entered_at, waiting, finished, validation_from, validation_to, validation_answer, waiting_since";

/// A request's workflow state from the columns [`STATE_COLUMNS`] starting
/// at `first`.
pub(super) fn state_from_row(row: &Row, first: usize) -> RawState {
    RawState {
        step: row.get(first),
        department: row.get(first + 1),
        created_at: row.get(first + 2),
        entered_at: row.get(first + 3),
        waiting: row.get::<_, i64>(first + 4) != 0,
        finished: row.get::<_, i64>(first + 5) != 0,
        validation_from: row.get(first + 6),
        validation_to: row.get(first + 7),
        validation_answer: row.get(first + 8),
        waiting_since: row.get(first + 9),
    }
}

/// State, revision and requester of a request, by id.
pub(super) async fn load_state(
    tx: &Transaction<'_>,
    id: i64,
) -> Result<(crate::core::workflow::RequestState, i64, String), StoreError> {
    let row = tx
        .query_one(
            &tx.prepare_cached(&format!(
                "SELECT {STATE_COLUMNS}, revision, requester_name FROM requests WHERE id = $1"
            ))
            .await?,
            &[&id],
        )
        .await?;
    Ok((
        state_from_row(&row, 0).into_state(id)?,
        row.get(10),
        row.get(11),
    ))
}

/// A request's whole history, agents' names joined.
pub(super) async fn events(tx: &Transaction<'_>, id: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = tx
        .query(
            &tx.prepare_cached(
                "SELECT e.at, e.actor, coalesce(a.name, k.name), e.action, e.from_step, e.to_step, e.comment, e.citizen_visible, e.department
                 FROM events e
                 JOIN requests r ON r.id = e.request_id
                 LEFT JOIN agents a ON a.tenant_id = r.tenant_id AND 'agent:' || a.login = e.actor
                 LEFT JOIN api_accounts k ON k.tenant_id = r.tenant_id AND 'api:' || k.login = e.actor
                 WHERE e.request_id = $1 ORDER BY e.id",
            )
            .await?,
            &[&id],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredEvent {
                at: parse_time(id, "event date", row.get(0))?,
                actor: row.get(1),
                actor_name: row.get(2),
                action: row.get(3),
                from_step: row.get(4),
                to_step: row.get(5),
                comment: row.get(6),
                citizen_visible: row.get::<_, i64>(7) != 0,
                department: row.get(8),
            })
        })
        .collect()
}

/// The requests of a tenant not finished, waiting for the citizen or not.
async fn open_requests(
    tx: &Transaction<'_>,
    tenant_id: i64,
    waiting: bool,
) -> Result<Vec<OpenRequest>, StoreError> {
    let rows = tx
        .query(
            &tx.prepare_cached(&format!(
                "SELECT id, year, number, service_code, service_version, revision, due_date, reminded, escalation, {STATE_COLUMNS}
                 FROM requests WHERE tenant_id = $1 AND finished = 0 AND waiting = $2 ORDER BY id"
            ))
            .await?,
            &[&tenant_id, &i64::from(waiting)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.get(0);
            Ok(OpenRequest {
                reference: reference(row.get(1), row.get(2))?,
                service_code: row.get(3),
                service_version: narrow("service version", row.get(4))?,
                revision: row.get(5),
                due_date: parse_date(id, "due_date", row.get(6))?,
                reminded: row.get::<_, i64>(7) != 0,
                escalation: narrow("escalation", row.get(8))?,
                state: state_from_row(row, 9).into_state(id)?,
            })
        })
        .collect()
}

async fn deadline_mark(
    tx: &Transaction<'_>,
    tenant_id: i64,
    reference: &Reference,
    mark: DeadlineMark,
    department: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let sql = match mark {
        DeadlineMark::Reminder => {
            "UPDATE requests SET reminded = 1
             WHERE tenant_id = $1 AND year = $2 AND number = $3 AND reminded = 0 AND finished = 0
             RETURNING id, step"
        }
        DeadlineMark::Escalation(1) => {
            "UPDATE requests SET escalation = 1
             WHERE tenant_id = $1 AND year = $2 AND number = $3 AND escalation = 0 AND finished = 0
             RETURNING id, step"
        }
        DeadlineMark::Escalation(_) => {
            "UPDATE requests SET escalation = 2
             WHERE tenant_id = $1 AND year = $2 AND number = $3 AND escalation = 1 AND finished = 0
             RETURNING id, step"
        }
    };
    let Some(marked) = tx
        .query_opt(
            &tx.prepare_cached(sql).await?,
            &[
                &tenant_id,
                &i64::from(reference.year),
                &i64::from(reference.number),
            ],
        )
        .await?
    else {
        return Ok(false);
    };
    let (request_id, step): (i64, String) = (marked.get(0), marked.get(1));
    let outcome = deadline_outcome(mark, step, department);
    record_outcome(tx, tenant_id, request_id, reference, &outcome, at, None).await?;
    Ok(true)
}
