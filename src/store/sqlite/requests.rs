//! SQL of requests: submitting, reading, applying workflow outcomes, export marks and deadline marks.

use super::SqliteStore;
use super::audit::append_audit;
use crate::core::intake::NewRequest;
use crate::core::status::{Exchange, RequestRecord, StepEntry};
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
        self.read(move |conn| {
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
    let requester_name = format!(
        "{} {}",
        r.form.requester_text("firstName").unwrap_or_default(),
        r.form.requester_text("lastName").unwrap_or_default()
    );
    let state = &r.start.state;
    tx.prepare_cached(
        "INSERT INTO requests (tenant_id, year, number, service_code, service_version, channel,
             tracking_digest, step, submitted_at, due_date, requester_name, requester_email,
             department, entered_at, finished, lang, test, citizen_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?9, ?14, ?15, ?16, ?17)",
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
        requester_name.trim(),
        r.form.requester_text("email"),
        state.department,
        state.finished,
        r.lang,
        r.test,
        r.citizen_id,
    ])?;
    let request_id = tx.last_insert_rowid();
    insert_values(tx, request_id, &r.form.rows())?;
    let sender = format!("citizen:{}", r.channel.as_str());
    for (field, file) in r.form.files() {
        insert_attachment(tx, request_id, Some(field), file, &submitted_at, &sender)?;
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
    let desks = usize::try_from(slot.desks.max(1)).unwrap_or(1);
    Ok((holders.len() >= desks).then(|| holders[0]))
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
        .map(|(s, e)| {
            let parse = |t: &str| {
                t.parse::<jiff::civil::Time>()
                    .map_err(|e| StoreError::Corrupt(format!("slot time {t:?}: {e}")))
            };
            Ok((parse(&s)?, parse(&e)?))
        })
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
    let listed: Vec<String> = references
        .iter()
        .map(|(code, year, number)| {
            format!(
                "{code} {}",
                Reference {
                    year: *year,
                    number: *number
                }
            )
        })
        .collect();
    append_audit(
        tx,
        tenant_id,
        &at.to_string(),
        actor,
        &format!("service:{}", code.unwrap_or("*")),
        "purge-tests",
        &listed.join(", "),
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
    let mut out = Vec::new();
    for row in rows {
        let (id, field, name, media_type, size, sha256, at, by, sent) = row?;
        out.push(crate::core::files::Attached {
            id,
            field,
            name,
            media_type,
            size: size as u64,
            sha256,
            added_at: at
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("attachment {id}: {e}")))?,
            added_by: by,
            sent,
        });
    }
    Ok(out)
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
        "SELECT id, year, number, service_code, service_version, channel, step, submitted_at, due_date, test, correction, anonymised_at, lang
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
    )) = row
    else {
        return Ok(None);
    };
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("request {id}: {what}: {e}"))
    };
    // What the citizen sees, in one pass: steps entered, and the town's messages.
    let mut history = Vec::new();
    let mut messages = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT to_step, at, action, comment FROM events
         WHERE request_id = ?1 AND citizen_visible = 1 ORDER BY id",
    )?;
    let mut rows = stmt.query(params![id])?;
    while let Some(row) = rows.next()? {
        let at: String = row.get(1)?;
        let at = at.parse().map_err(|e| corrupt("event date", &e))?;
        let action: String = row.get(2)?;
        match (
            row.get::<_, Option<String>>(0)?,
            row.get::<_, Option<String>>(3)?,
        ) {
            (_, Some(text))
                if matches!(
                    action.as_str(),
                    "answer" | "hold" | "reply" | "correction-asked" | "corrected"
                ) =>
            {
                messages.push(Exchange {
                    at,
                    text,
                    from_citizen: action == "reply" || action == "corrected",
                })
            }
            // A decision by silence, or a wait left unanswered, is a step,
            // and words for the requester.
            (Some(step), Some(text)) if action == "silence" || action == "unanswered" => {
                history.push(StepEntry { step, at });
                messages.push(Exchange {
                    at,
                    text,
                    from_citizen: false,
                });
            }
            (Some(step), _) => history.push(StepEntry { step, at }),
            _ => {}
        }
    }
    Ok(Some((
        id,
        RequestRecord {
            reference: Reference { year, number },
            service_code,
            service_version,
            channel,
            step,
            submitted_at: submitted_at
                .parse()
                .map_err(|e| corrupt("submitted_at", &e))?,
            due_date: due_date.parse().map_err(|e| corrupt("due_date", &e))?,
            history,
            messages,
            test,
            correction: correction
                .map(|c| c.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            anonymised_at: anonymised_at
                .map(|a| a.parse().map_err(|e| corrupt("anonymised_at", &e)))
                .transpose()?,
            attachments: attachments(conn, id)?,
            lang: lang.unwrap_or_else(|| "fr".to_owned()),
        },
    )))
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
        let detail = format!(
            "{} -> {}{}{}{}",
            e.from_step.as_deref().unwrap_or("-"),
            e.to_step.as_deref().unwrap_or("-"),
            e.department
                .as_deref()
                .map(|d| format!(" [{d}]"))
                .unwrap_or_default(),
            if e.comment.is_some() { ": " } else { "" },
            e.comment.as_deref().unwrap_or("")
        );
        append_audit(tx, tenant_id, at, &e.actor, &subject, &e.action, &detail)?;
    }
    let mut insert_message = tx.prepare_cached(
        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for effect in &outcome.effects {
        match effect {
            Effect::MessageCitizen { template, text } => {
                let secret = tracking_code.filter(|_| {
                    template.as_deref() == Some(crate::core::workflow::ACKNOWLEDGEMENT_TEMPLATE)
                });
                // A template message keeps the step it announces.
                let text = match template {
                    Some(_) => Some(&outcome.state.step),
                    None => text.as_ref(),
                };
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
                let by = outcome
                    .events
                    .first()
                    .map_or("system", |e| e.actor.as_str());
                let attachment = insert_attachment(tx, request_id, None, file, at, by)?;
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
                let due: jiff::civil::Date = due.parse().map_err(|e| {
                    StoreError::Corrupt(format!("request {request_id}: due_date: {e}"))
                })?;
                let moved = due
                    .checked_add(jiff::Span::new().days(i64::from(*days)))
                    .map_err(|e| StoreError::Invalid(format!("due date out of range: {e}")))?;
                tx.prepare_cached("UPDATE requests SET due_date = ?1 WHERE id = ?2")?
                    .execute(params![moved.to_string(), request_id])?;
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

pub(super) fn parse_time(id: i64, what: &str, text: &str) -> Result<jiff::Timestamp, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("request {id}: {what}: {e}")))
}

/// A request's workflow state from the columns `step, department,
/// submitted_at, entered_at, waiting, finished, validation_from,
/// validation_to, validation_answer` starting at `first`.
pub(super) fn state_from_row(row: &rusqlite::Row, first: usize) -> rusqlite::Result<RawState> {
    Ok(RawState {
        step: row.get(first)?,
        department: row.get(first + 1)?,
        created_at: row.get(first + 2)?,
        entered_at: row.get(first + 3)?,
        waiting: row.get(first + 4)?,
        finished: row.get(first + 5)?,
        validation: match (
            row.get::<_, Option<String>>(first + 6)?,
            row.get::<_, Option<String>>(first + 7)?,
            row.get::<_, Option<String>>(first + 8)?,
        ) {
            (Some(from), Some(to), Some(answer)) => {
                Some(crate::core::workflow::PendingValidation { from, to, answer })
            }
            _ => None,
        },
        waiting_since: row.get(first + 9)?,
    })
}

pub(super) const STATE_COLUMNS: &str = "step, department, submitted_at, entered_at, waiting, finished, validation_from, validation_to, validation_answer, waiting_since";

pub(super) struct RawState {
    step: String,
    department: String,
    created_at: String,
    entered_at: String,
    waiting: bool,
    finished: bool,
    validation: Option<crate::core::workflow::PendingValidation>,
    waiting_since: Option<String>,
}

impl RawState {
    fn into_state(self, id: i64) -> Result<RequestState, StoreError> {
        Ok(RequestState {
            created_at: parse_time(id, "submitted_at", &self.created_at)?,
            entered_at: parse_time(id, "entered_at", &self.entered_at)?,
            step: self.step,
            department: self.department,
            waiting_for_citizen: self.waiting,
            validation: self.validation,
            finished: self.finished,
            waiting_since: self
                .waiting_since
                .map(|t| parse_time(id, "waiting_since", &t))
                .transpose()?,
        })
    }
}

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
            due_date: {
                let due: String = row.get(6)?;
                due.parse()
                    .map_err(|e| StoreError::Corrupt(format!("request {id}: due_date: {e}")))?
            },
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
    let (sql, template, action) = match mark {
        DeadlineMark::Reminder => (
            "UPDATE requests SET reminded = 1
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND reminded = 0 AND finished = 0
             RETURNING id, step",
            "reminder",
            "reminder",
        ),
        DeadlineMark::Escalation(1) => (
            "UPDATE requests SET escalation = 1
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND escalation = 0 AND finished = 0
             RETURNING id, step",
            "escalation-head",
            "escalation",
        ),
        DeadlineMark::Escalation(_) => (
            "UPDATE requests SET escalation = 2
             WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND escalation = 1 AND finished = 0
             RETURNING id, step",
            "escalation-admin",
            "escalation",
        ),
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
    let outcome = Outcome {
        state: RequestState {
            step: step.clone(),
            department: department.to_owned(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            entered_at: jiff::Timestamp::UNIX_EPOCH,
            waiting_for_citizen: false,
            validation: None,
            finished: false,
            waiting_since: None,
        },
        events: vec![crate::core::workflow::Event {
            actor: "system".into(),
            action: action.into(),
            from_step: Some(step.clone()),
            to_step: None,
            comment: Some(template.into()),
            citizen_visible: false,
            department: Some(department.to_owned()),
        }],
        effects: vec![Effect::NotifyDepartment {
            department: department.to_owned(),
            reason: template.into(),
        }],
    };
    record_outcome(tx, tenant_id, request_id, reference, &outcome, at, None)?;
    Ok(true)
}
