//! SQL of requests: submitting, reading, applying workflow outcomes, export marks and deadline marks.

use super::SqliteStore;
use super::audit::append_audit;
use crate::core::intake::NewRequest;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use crate::core::workflow::{Effect, Outcome, RequestState};
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

impl RequestStore for SqliteStore {
    fn submit(
        &self,
        tenant_id: i64,
        request: NewRequest,
    ) -> BoxFuture<'_, Result<Reference, StoreError>> {
        self.write(move |conn| insert_request(conn, tenant_id, &request))
    }

    fn request_by_tracking(
        &self,
        tenant_id: i64,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>> {
        self.point_read(move |conn| {
            Ok(load_record(
                conn,
                "tracking_digest = ?1 AND tenant_id = ?2",
                &[&digest, &tenant_id],
            )?
            .map(|(_, r)| r))
        })
    }

    fn request_by_reference(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<StoredRequest>, StoreError>> {
        self.read(move |conn| {
            Ok(by_reference(conn, tenant_id, reference)?
                .map(|(_, record, rows)| StoredRequest { record, rows }))
        })
    }

    fn work_item(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<WorkItem>, StoreError>> {
        self.read(move |conn| {
            let Some((id, record, rows)) = by_reference(conn, tenant_id, reference)? else {
                return Ok(None);
            };
            let (state, revision, requester_name) = load_state(conn, id)?;
            let events = events(conn, id)?;
            Ok(Some(WorkItem {
                record,
                state,
                revision,
                requester_name,
                rows,
                events,
            }))
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
        self.write(move |conn| {
            apply(
                conn,
                tenant_id,
                &reference,
                revision,
                &outcome,
                &at.to_string(),
            )
        })
    }

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
        self.write(move |tx| {
            let revision = apply(
                tx,
                tenant_id,
                &reference,
                revision,
                &outcome,
                &at.to_string(),
            )?;
            let id: i64 = tx
                .prepare_cached(
                    "SELECT id FROM requests WHERE tenant_id = ?1 AND year = ?2 AND number = ?3",
                )?
                .query_row(params![tenant_id, reference.year, reference.number], |r| {
                    r.get(0)
                })?;
            tx.prepare_cached("DELETE FROM request_values WHERE request_id = ?1")?
                .execute(params![id])?;
            insert_values(tx, id, &rows)?;
            let mut fields: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
            fields.dedup();
            for field in fields {
                tx.prepare_cached("DELETE FROM attachments WHERE request_id = ?1 AND field = ?2")?
                    .execute(params![id, field])?;
            }
            let at_text = at.to_string();
            for (field, file) in &files {
                insert_attachment(tx, id, Some(field), file, &at_text, "citizen:correction")?;
            }
            Ok(revision)
        })
    }

    fn open_requests(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>> {
        self.read(move |conn| open_requests(conn, tenant_id, false))
    }

    fn waiting_requests(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>> {
        self.read(move |conn| open_requests(conn, tenant_id, true))
    }

    fn export_pending(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT year, number FROM requests WHERE tenant_id = ?1 AND export_pending = 1 ORDER BY id",
                )?
                .query_map(params![tenant_id], |r| {
                    Ok(Reference {
                        year: r.get(0)?,
                        number: r.get(1)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn export_done(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE requests SET export_pending = 0 WHERE tenant_id = ?1 AND year = ?2 AND number = ?3",
            )?
            .execute(params![tenant_id, reference.year, reference.number])?;
            Ok(())
        })
    }

    fn mark_read(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE requests SET unread = 0 WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND unread = 1",
            )?
            .execute(params![tenant_id, reference.year, reference.number])?;
            Ok(())
        })
    }

    fn held_slots(
        &self,
        tenant_id: i64,
        agenda: String,
        test: bool,
        day: jiff::civil::Date,
    ) -> BoxFuture<'_, Result<Vec<(jiff::civil::Time, jiff::civil::Time)>, StoreError>> {
        self.read(move |conn| held_slots(conn, tenant_id, &agenda, test, day))
    }

    fn test_counts(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT service_code, count(*) FROM requests WHERE tenant_id = ?1 AND test = 1
                     GROUP BY service_code ORDER BY service_code",
                )?
                .query_map(params![tenant_id], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
                })?
                .collect::<Result<_, _>>()?)
        })
    }

    fn purge_tests(
        &self,
        tenant_id: i64,
        code: Option<String>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.write(move |conn| purge_tests(conn, tenant_id, code.as_deref(), &actor, at))
    }

    fn deadline_mark(
        &self,
        tenant_id: i64,
        reference: Reference,
        mark: DeadlineMark,
        department: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| {
            deadline_mark(
                conn,
                tenant_id,
                &reference,
                mark,
                &department,
                &at.to_string(),
            )
        })
    }
}

pub(super) fn insert_request(
    tx: &Connection,
    tenant_id: i64,
    r: &NewRequest,
) -> Result<Reference, StoreError> {
    if let Some(slot) = &r.slot
        && let Some(holder) = slot_holder(tx, tenant_id, r.test, slot)?
    {
        return Err(StoreError::SlotTaken(holder));
    }
    let year = r.submitted_at.year();
    let number: u32 = tx
        .prepare_cached(
            "INSERT INTO reference_counters (tenant_id, year, last) VALUES (?1, ?2, 1)
             ON CONFLICT (tenant_id, year) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row(params![tenant_id, year], |row| row.get(0))?;
    let submitted_at = r.submitted_at.timestamp().to_string();
    let requester_name = requester_name(r);
    let state = &r.start.state;
    tx.prepare_cached(
        "INSERT INTO requests (tenant_id, year, number, service_code, service_version, channel,
             tracking_digest, step, submitted_at, due_date, requester_name, requester_email,
             department, entered_at, finished, lang, test, citizen_id, requester_kind,
             district, longitude, latitude)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?9, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21)",
    )?
    .execute(params![
        tenant_id,
        year,
        number,
        r.service_code,
        r.service_version,
        r.channel.as_str(),
        r.tracking_digest,
        state.step,
        submitted_at,
        r.due_date.to_string(),
        requester_name,
        r.form.requester_text("email"),
        state.department,
        state.finished,
        r.lang,
        r.test,
        r.citizen_id,
        requester_kind(r),
        r.place.district.as_deref().unwrap_or(""),
        r.place.point.map(|p| p.lon),
        r.place.point.map(|p| p.lat),
    ])?;
    let request_id = tx.last_insert_rowid();
    insert_values(tx, request_id, &r.form.rows())?;
    // Its requester's file (a test request has none: it is purged).
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
        )?;
    }
    let sender = format!("citizen:{}", r.channel.as_str());
    for (field, file) in r.form.files() {
        insert_attachment(tx, request_id, Some(field), file, &submitted_at, &sender)?;
    }
    // Made of a message of the qualification queue: out of it now, or
    // another agent was first.
    if let Some(from) = &r.inbound
        && !super::inbound::made_request(
            tx,
            tenant_id,
            from.id,
            request_id,
            &from.agent,
            &submitted_at,
        )?
    {
        return Err(StoreError::Conflict);
    }
    if let Some(slot) = &r.slot {
        insert_slot(tx, tenant_id, request_id, r.test, slot)?;
    }
    let reference = Reference { year, number };
    record_outcome(
        tx,
        tenant_id,
        request_id,
        &reference,
        &r.start,
        &submitted_at,
        Some(&r.tracking_code),
    )?;
    Ok(reference)
}

/// Whether a request still holds its slot: its step is not one of those
/// that release it.
const HELD: &str = "instr(' ' || s.released_at || ' ', ' ' || r.step || ' ') = 0";

/// The first request holding a slot overlapping `slot` when `desks` of them
/// already do: same agenda, same test or real side, same day, times
/// crossing, at a step that still holds it. Read in the storing
/// transaction, by the single writer: two bookings of one slot cannot both
/// pass.
fn slot_holder(
    tx: &Connection,
    tenant_id: i64,
    test: bool,
    slot: &crate::core::intake::Slot,
) -> Result<Option<Reference>, StoreError> {
    let holders: Vec<Reference> = tx
        .prepare_cached(&format!(
            "SELECT r.year, r.number FROM slots s JOIN requests r ON r.id = s.request_id
             WHERE s.tenant_id = ?1 AND s.agenda = ?2 AND s.test = ?3 AND s.day = ?4
               AND s.start < ?6 AND s.\"end\" > ?5 AND {HELD}
             ORDER BY r.id"
        ))?
        .query_map(
            params![
                tenant_id,
                slot.agenda,
                test,
                slot.day.to_string(),
                slot.start_text(),
                slot.end_text()
            ],
            |row| {
                Ok(Reference {
                    year: row.get(0)?,
                    number: row.get(1)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    Ok(slot_taken_by(&holders, slot.desks))
}

fn insert_slot(
    tx: &Connection,
    tenant_id: i64,
    request_id: i64,
    test: bool,
    slot: &crate::core::intake::Slot,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO slots (request_id, tenant_id, agenda, test, day, start, \"end\", released_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        request_id,
        tenant_id,
        slot.agenda,
        test,
        slot.day.to_string(),
        slot.start_text(),
        slot.end_text(),
        slot.released_at.join(" ")
    ])?;
    Ok(())
}

/// The times held on an agenda's day, in time order.
fn held_slots(
    conn: &Connection,
    tenant_id: i64,
    agenda: &str,
    test: bool,
    day: jiff::civil::Date,
) -> Result<Vec<(jiff::civil::Time, jiff::civil::Time)>, StoreError> {
    let rows: Vec<(String, String)> = conn
        .prepare_cached(&format!(
            "SELECT s.start, s.\"end\" FROM slots s JOIN requests r ON r.id = s.request_id
             WHERE s.tenant_id = ?1 AND s.agenda = ?2 AND s.test = ?3 AND s.day = ?4 AND {HELD}
             ORDER BY s.start"
        ))?
        .query_map(params![tenant_id, agenda, test, day.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(s, e)| Ok((parse_slot_time(&s)?, parse_slot_time(&e)?)))
        .collect()
}

fn purge_tests(
    tx: &Connection,
    tenant_id: i64,
    code: Option<&str>,
    actor: &str,
    at: Timestamp,
) -> Result<u64, StoreError> {
    const CHOSEN: &str = "SELECT id FROM requests WHERE tenant_id = ?1 AND test = 1 AND (?2 IS NULL OR service_code = ?2)";
    let references: Vec<(String, i16, u32)> = tx
        .prepare_cached(&format!(
            "SELECT service_code, year, number FROM requests WHERE id IN ({CHOSEN}) ORDER BY id"
        ))?
        .query_map(params![tenant_id, code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    if references.is_empty() {
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
        tx.prepare_cached(&statement)?
            .execute(params![tenant_id, code])?;
    }
    let purged: Vec<(String, Reference)> = references
        .iter()
        .map(|(code, year, number)| {
            (
                code.clone(),
                Reference {
                    year: *year,
                    number: *number,
                },
            )
        })
        .collect();
    let (subject, detail) = purge_audit(code, &purged);
    append_audit(
        tx,
        tenant_id,
        &at.to_string(),
        actor,
        &subject,
        "purge-tests",
        &detail,
    )?;
    Ok(references.len() as u64)
}

/// Records a file kept with a request (its bytes already in the blob store).
pub(super) fn insert_attachment(
    tx: &Connection,
    request_id: i64,
    field: Option<&str>,
    file: &crate::core::files::FileValue,
    at: &str,
    by: &str,
) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO attachments (request_id, field, file_name, media_type, size, sha256, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        request_id,
        field,
        file.name,
        file.kind.media_type(),
        file.bytes.len() as i64,
        file.sha256,
        at,
        by
    ])?;
    Ok(tx.last_insert_rowid())
}

/// The files kept with a request, oldest first.
pub(super) fn attachments(
    conn: &Connection,
    request_id: i64,
) -> Result<Vec<crate::core::files::Attached>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.field, a.file_name, a.media_type, a.size, a.sha256, a.added_at, a.added_by,
                EXISTS (SELECT 1 FROM outbox o WHERE o.attachment_id = a.id)
         FROM attachments a WHERE a.request_id = ?1 ORDER BY a.id",
    )?;
    let rows = stmt.query_map(params![request_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, bool>(8)?,
        ))
    })?;
    rows.map(|row| attachment_from_row(row?)).collect()
}

/// Rows of values inserted by one statement (SQLite allows 32 766 bound
/// parameters; 4 per row).
pub(super) const VALUES_PER_INSERT: usize = 64;

/// A request's field values, several rows per statement: one statement per
/// row cost a third of the writer's time per submit.
pub(super) fn insert_values(
    tx: &Connection,
    request_id: i64,
    rows: &[(String, String)],
) -> Result<(), StoreError> {
    use rusqlite::ToSql;
    for (chunk_index, chunk) in rows.chunks(VALUES_PER_INSERT).enumerate() {
        let mut sql = String::with_capacity(80 + chunk.len() * 12);
        sql.push_str("INSERT INTO request_values (request_id, position, path, value) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?)");
        }
        let positions: Vec<i64> = (0..chunk.len())
            .map(|i| (chunk_index * VALUES_PER_INSERT + i) as i64)
            .collect();
        let mut bound: Vec<&dyn ToSql> = Vec::with_capacity(chunk.len() * 4);
        for ((path, value), position) in chunk.iter().zip(&positions) {
            bound.push(&request_id);
            bound.push(position);
            bound.push(path);
            bound.push(value);
        }
        tx.prepare_cached(&sql)?.execute(bound.as_slice())?;
    }
    Ok(())
}

pub(super) fn load_record(
    conn: &Connection,
    where_clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Option<(i64, RequestRecord)>, StoreError> {
    let sql = format!(
        "SELECT id, year, number, service_code, service_version, channel, step, submitted_at, due_date, test, correction, anonymised_at, lang, district, person_id
         FROM requests WHERE {where_clause}"
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row(args, |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i16>(1)?,
                row.get::<_, u32>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, u32>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
                row.get::<_, bool>(9)?,
                row.get::<_, Option<String>>(10)?,
                row.get::<_, Option<String>>(11)?,
                row.get::<_, Option<String>>(12)?,
                row.get::<_, String>(13)?,
                row.get::<_, Option<i64>>(14)?,
            ))
        })
        .optional()?;
    let Some((
        id,
        year,
        number,
        service_code,
        service_version,
        channel,
        step,
        submitted_at,
        due_date,
        test,
        correction,
        anonymised_at,
        lang,
        district,
        person_id,
    )) = row
    else {
        return Ok(None);
    };
    let raw = RawRecord {
        id,
        reference: Reference { year, number },
        service_code,
        service_version,
        channel,
        step,
        submitted_at,
        due_date,
        test,
        correction,
        anonymised_at,
        lang,
        district,
        person_id,
    };
    let events = conn
        .prepare_cached(
            "SELECT to_step, at, action, comment FROM events
             WHERE request_id = ?1 AND citizen_visible = 1 ORDER BY id",
        )?
        .query_map(params![id], |row| {
            Ok(VisibleEvent {
                to_step: row.get(0)?,
                at: row.get(1)?,
                action: row.get(2)?,
                comment: row.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let record = raw.into_record(events, attachments(conn, id)?)?;
    Ok(Some((id, record)))
}

/// A request's id, record and values in submission order.
pub(super) type Found = (i64, RequestRecord, Vec<(String, String)>);

/// A request by reference.
pub(super) fn by_reference(
    conn: &Connection,
    tenant_id: i64,
    reference: Reference,
) -> Result<Option<Found>, StoreError> {
    let Some((id, record)) = load_record(
        conn,
        "tenant_id = ?1 AND year = ?2 AND number = ?3",
        &[&tenant_id, &reference.year, &reference.number],
    )?
    else {
        return Ok(None);
    };
    let rows = conn
        .prepare_cached(
            "SELECT path, value FROM request_values WHERE request_id = ?1 ORDER BY position",
        )?
        .query_map(params![id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((id, record, rows)))
}

/// Writes what an outcome brings besides the request's own row: its history
/// events, their audit entries, the messages to send and the export mark.
pub(super) fn record_outcome(
    tx: &Connection,
    tenant_id: i64,
    request_id: i64,
    reference: &Reference,
    outcome: &Outcome,
    at: &str,
    tracking_code: Option<&str>,
) -> Result<(), StoreError> {
    let subject = reference.to_string();
    let mut insert_event = tx.prepare_cached(
        "INSERT INTO events (request_id, at, actor, action, from_step, to_step, comment, citizen_visible, department)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for e in &outcome.events {
        insert_event.execute(params![
            request_id,
            at,
            e.actor,
            e.action,
            e.from_step,
            e.to_step,
            e.comment,
            e.citizen_visible,
            e.department
        ])?;
        let detail = event_audit_detail(e);
        append_audit(tx, tenant_id, at, &e.actor, &subject, &e.action, &detail)?;
    }
    let mut insert_message = tx.prepare_cached(
        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for effect in &outcome.effects {
        match effect {
            Effect::MessageCitizen { template, text } => {
                let (text, secret) =
                    citizen_message(outcome, template.as_deref(), text.as_ref(), tracking_code);
                insert_message.execute(params![
                    tenant_id,
                    request_id,
                    "citizen",
                    None::<String>,
                    template,
                    text,
                    at,
                    secret
                ])?;
            }
            Effect::NotifyDepartment { department, reason } => {
                insert_message.execute(params![
                    tenant_id,
                    request_id,
                    "department",
                    department,
                    reason,
                    None::<String>,
                    at,
                    None::<String>
                ])?;
            }
            Effect::AttachFile { file, send } => {
                let attachment =
                    insert_attachment(tx, request_id, None, file, at, attached_by(outcome))?;
                if let Some(template) = send {
                    tx.prepare_cached(
                        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, template, text, created_at, attachment_id)
                         VALUES (?1, ?2, 'citizen', ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        tenant_id,
                        request_id,
                        template,
                        outcome.state.step,
                        at,
                        attachment
                    ])?;
                }
            }
            Effect::Export => {
                tx.prepare_cached("UPDATE requests SET export_pending = 1 WHERE id = ?1")?
                    .execute(params![request_id])?;
            }
            Effect::Call { target, body } => {
                tx.prepare_cached(
                    "INSERT INTO calls (tenant_id, request_id, target, body_kind, step, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    tenant_id,
                    request_id,
                    target,
                    body.as_str(),
                    outcome.state.step,
                    at
                ])?;
            }
            Effect::OpenCorrection { fields } => {
                tx.prepare_cached("UPDATE requests SET correction = ?2 WHERE id = ?1")?
                    .execute(params![request_id, fields.join(" ")])?;
            }
            Effect::CloseCorrection => {
                tx.prepare_cached("UPDATE requests SET correction = NULL WHERE id = ?1")?
                    .execute(params![request_id])?;
            }
            Effect::Unread => {
                tx.prepare_cached("UPDATE requests SET unread = 1 WHERE id = ?1")?
                    .execute(params![request_id])?;
            }
            Effect::PostponeDue { days } => {
                let due: String = tx
                    .prepare_cached("SELECT due_date FROM requests WHERE id = ?1")?
                    .query_row(params![request_id], |r| r.get(0))?;
                let moved = postponed_due(request_id, &due, *days)?;
                tx.prepare_cached("UPDATE requests SET due_date = ?1 WHERE id = ?2")?
                    .execute(params![moved, request_id])?;
            }
        }
    }
    Ok(())
}

/// Applies an outcome decided on `revision`.
pub(super) fn apply(
    tx: &Connection,
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
    let updated: Option<(i64, i64)> = tx
        .prepare_cached(
            "UPDATE requests SET step = ?1, department = ?2, entered_at = ?3, waiting = ?4,
                 finished = ?5, validation_from = ?6, validation_to = ?7, validation_answer = ?8,
                 waiting_since = ?13, revision = revision + 1
             WHERE tenant_id = ?9 AND year = ?10 AND number = ?11 AND revision = ?12
             RETURNING id, revision",
        )?
        .query_row(
            params![
                s.step,
                s.department,
                s.entered_at.to_string(),
                s.waiting_for_citizen,
                s.finished,
                from,
                to,
                answer,
                tenant_id,
                reference.year,
                reference.number,
                revision,
                s.waiting_since.map(|t| t.to_string())
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((request_id, new_revision)) = updated else {
        let exists: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM requests WHERE tenant_id = ?1 AND year = ?2 AND number = ?3)",
            )?
            .query_row(params![tenant_id, reference.year, reference.number], |r| {
                r.get(0)
            })?;
        return Err(if exists {
            StoreError::Conflict
        } else {
            StoreError::Invalid(format!("no request {reference}"))
        });
    };
    record_outcome(tx, tenant_id, request_id, reference, outcome, at, None)?;
    Ok(new_revision)
}

/// A request's workflow state from the columns [`STATE_COLUMNS`] starting
/// at `first`.
pub(super) fn state_from_row(row: &rusqlite::Row, first: usize) -> rusqlite::Result<RawState> {
    Ok(RawState {
        step: row.get(first)?,
        department: row.get(first + 1)?,
        created_at: row.get(first + 2)?,
        entered_at: row.get(first + 3)?,
        waiting: row.get(first + 4)?,
        finished: row.get(first + 5)?,
        validation_from: row.get(first + 6)?,
        validation_to: row.get(first + 7)?,
        validation_answer: row.get(first + 8)?,
        waiting_since: row.get(first + 9)?,
    })
}

pub(super) const STATE_COLUMNS: &str = "step, department, submitted_at, entered_at, waiting, finished, validation_from, validation_to, validation_answer, waiting_since";

/// State, revision and requester of a request, by id.
pub(super) fn load_state(
    conn: &Connection,
    id: i64,
) -> Result<(RequestState, i64, String), StoreError> {
    let sql =
        format!("SELECT {STATE_COLUMNS}, revision, requester_name FROM requests WHERE id = ?1");
    let (raw, revision, name) = conn.prepare_cached(&sql)?.query_row(params![id], |row| {
        Ok((state_from_row(row, 0)?, row.get(10)?, row.get(11)?))
    })?;
    Ok((raw.into_state(id)?, revision, name))
}

/// A request's whole history, agents' names joined.
pub(super) fn events(conn: &Connection, id: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, e.actor, coalesce(a.name, k.name), e.action, e.from_step, e.to_step, e.comment, e.citizen_visible, e.department
         FROM events e
         JOIN requests r ON r.id = e.request_id
         LEFT JOIN agents a ON a.tenant_id = r.tenant_id AND 'agent:' || a.login = e.actor
         LEFT JOIN api_accounts k ON k.tenant_id = r.tenant_id AND 'api:' || k.login = e.actor
         WHERE e.request_id = ?1 ORDER BY e.id",
    )?;
    let mut rows = stmt.query(params![id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let at: String = row.get(0)?;
        out.push(StoredEvent {
            at: parse_time(id, "event date", &at)?,
            actor: row.get(1)?,
            actor_name: row.get(2)?,
            action: row.get(3)?,
            from_step: row.get(4)?,
            to_step: row.get(5)?,
            comment: row.get(6)?,
            citizen_visible: row.get(7)?,
            department: row.get(8)?,
        });
    }
    Ok(out)
}

/// The requests of a tenant not finished, waiting for the citizen or not.
pub(super) fn open_requests(
    conn: &Connection,
    tenant_id: i64,
    waiting: bool,
) -> Result<Vec<OpenRequest>, StoreError> {
    let sql = format!(
        "SELECT id, year, number, service_code, service_version, revision, due_date, reminded, escalation, {STATE_COLUMNS}
         FROM requests WHERE tenant_id = ?1 AND finished = 0 AND waiting = ?2 ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![tenant_id, waiting])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        out.push(OpenRequest {
            reference: Reference {
                year: row.get(1)?,
                number: row.get(2)?,
            },
            service_code: row.get(3)?,
            service_version: row.get(4)?,
            revision: row.get(5)?,
            due_date: parse_date(id, "due_date", &row.get::<_, String>(6)?)?,
            reminded: row.get(7)?,
            escalation: row.get(8)?,
            state: state_from_row(row, 9)?.into_state(id)?,
        });
    }
    Ok(out)
}

pub(super) fn deadline_mark(
    tx: &Connection,
    tenant_id: i64,
    reference: &Reference,
    mark: DeadlineMark,
    department: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let sql = match mark {
        DeadlineMark::Reminder => {
            "UPDATE requests SET reminded = 1
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND reminded = 0 AND finished = 0
             RETURNING id, step"
        }
        DeadlineMark::Escalation(1) => {
            "UPDATE requests SET escalation = 1
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND escalation = 0 AND finished = 0
             RETURNING id, step"
        }
        DeadlineMark::Escalation(_) => {
            "UPDATE requests SET escalation = 2
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND escalation = 1 AND finished = 0
             RETURNING id, step"
        }
    };
    let marked: Option<(i64, String)> = tx
        .prepare_cached(sql)?
        .query_row(params![tenant_id, reference.year, reference.number], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((request_id, step)) = marked else {
        return Ok(false);
    };
    let outcome = deadline_outcome(mark, step, department);
    record_outcome(tx, tenant_id, request_id, reference, &outcome, at, None)?;
    Ok(true)
}
