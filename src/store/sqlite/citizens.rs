//! SQL of citizens' accounts, their sessions and links.

use super::SqliteStore;
use super::audit::append_audit;
use super::requests::load_record;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

const COLUMNS: &str = "id, email, password_hash, confirmed_at IS NOT NULL, civility, first_name, last_name, phone, street, postal_code, town";

fn citizen_from_row(row: &rusqlite::Row) -> rusqlite::Result<Citizen> {
    Ok(Citizen {
        id: row.get(0)?,
        email: row.get(1)?,
        password_hash: row.get(2)?,
        confirmed: row.get(3)?,
        profile: Profile {
            civility: row.get(4)?,
            first_name: row.get(5)?,
            last_name: row.get(6)?,
            phone: row.get(7)?,
            street: row.get(8)?,
            postal_code: row.get(9)?,
            town: row.get(10)?,
        },
    })
}

pub(super) fn citizen_where(
    conn: &Connection,
    clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Option<Citizen>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM citizens WHERE {clause}"))?
        .query_row(args, citizen_from_row)
        .optional()?)
}

pub(super) fn by_id(conn: &Connection, citizen_id: i64) -> Result<Citizen, StoreError> {
    citizen_where(conn, "id = ?1", &[&citizen_id])?
        .ok_or_else(|| StoreError::Invalid(format!("no citizen {citizen_id}")))
}

/// The account's e-mail to the outbox: its link is the message's secret.
pub(super) fn queue_mail(
    tx: &Connection,
    tenant_id: i64,
    mail: &AccountMail,
    at: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
         VALUES (?1, NULL, 'account', ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![tenant_id, mail.to, mail.template, mail.lang, at, mail.link])?;
    Ok(())
}

fn insert_link(tx: &Connection, citizen_id: i64, link: &NewLink) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO citizen_tokens (digest, citizen_id, purpose, email, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        link.digest,
        citizen_id,
        link.purpose.as_str(),
        link.email,
        link.expires.as_second()
    ])?;
    Ok(())
}

/// Uses a link: the account and the address it carries, once.
fn use_link(
    tx: &Connection,
    tenant_id: i64,
    purpose: LinkPurpose,
    digest: &str,
    now: Timestamp,
) -> Result<Option<(Citizen, Option<String>)>, StoreError> {
    let found: Option<(i64, Option<String>)> = tx
        .prepare_cached(
            "UPDATE citizen_tokens SET used_at = ?4
             WHERE digest = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?4
               AND citizen_id IN (SELECT id FROM citizens WHERE tenant_id = ?3)
             RETURNING citizen_id, email",
        )?
        .query_row(
            params![digest, purpose.as_str(), tenant_id, now.as_second()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        Some((id, email)) => Ok(Some((by_id(tx, id)?, email))),
        None => Ok(None),
    }
}

/// A change the citizen made to their own account, in the audit journal.
pub(super) fn own_audit(
    tx: &Connection,
    tenant_id: i64,
    at: &str,
    citizen_id: i64,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let who = citizen_subject(citizen_id);
    append_audit(tx, tenant_id, at, &who, &who, action, detail)
}

impl CitizenStore for SqliteStore {
    fn sign_up(
        &self,
        tenant_id: i64,
        email: String,
        password_hash: String,
        link: NewLink,
        created: AccountMail,
        exists: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            let at_text = at.to_string();
            if citizen_where(tx, "tenant_id = ?1 AND email = ?2", &[&tenant_id, &email])?.is_some()
            {
                queue_mail(tx, tenant_id, &exists, &at_text)?;
                return Ok(false);
            }
            tx.prepare_cached(
                "INSERT INTO citizens (tenant_id, email, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![tenant_id, email, password_hash, at_text])?;
            let id = tx.last_insert_rowid();
            insert_link(tx, id, &link)?;
            queue_mail(tx, tenant_id, &created, &at_text)?;
            own_audit(tx, tenant_id, &at_text, id, "sign-up", &email)?;
            Ok(true)
        })
    }

    fn send_link(
        &self,
        tenant_id: i64,
        email: String,
        link: NewLink,
        mail: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            let Some(citizen) =
                citizen_where(tx, "tenant_id = ?1 AND email = ?2", &[&tenant_id, &email])?
            else {
                return Ok(false);
            };
            insert_link(tx, citizen.id, &link)?;
            queue_mail(tx, tenant_id, &mail, &at.to_string())?;
            Ok(true)
        })
    }

    fn link_citizen(
        &self,
        tenant_id: i64,
        purpose: LinkPurpose,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |conn| {
            citizen_where(
                conn,
                "tenant_id = ?1 AND id = (SELECT citizen_id FROM citizen_tokens
                     WHERE digest = ?2 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?4)",
                &[&tenant_id, &digest, &purpose.as_str(), &now.as_second()],
            )
        })
    }

    fn confirm(
        &self,
        tenant_id: i64,
        digest: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.write(move |tx| {
            let Some((citizen, _)) = use_link(tx, tenant_id, LinkPurpose::Confirm, &digest, at)?
            else {
                return Ok(None);
            };
            let at_text = at.to_string();
            tx.prepare_cached(
                "UPDATE citizens SET confirmed_at = coalesce(confirmed_at, ?2) WHERE id = ?1",
            )?
            .execute(params![citizen.id, at_text])?;
            own_audit(
                tx,
                tenant_id,
                &at_text,
                citizen.id,
                "confirm-email",
                &citizen.email,
            )?;
            Ok(Some(by_id(tx, citizen.id)?))
        })
    }

    fn reset_password(
        &self,
        tenant_id: i64,
        digest: String,
        password_hash: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.write(move |tx| {
            let Some((citizen, _)) = use_link(tx, tenant_id, LinkPurpose::Reset, &digest, at)?
            else {
                return Ok(None);
            };
            let at_text = at.to_string();
            tx.prepare_cached(
                "UPDATE citizens SET password_hash = ?2, confirmed_at = coalesce(confirmed_at, ?3) WHERE id = ?1",
            )?
            .execute(params![citizen.id, password_hash, at_text])?;
            tx.prepare_cached("DELETE FROM citizen_sessions WHERE citizen_id = ?1")?
                .execute(params![citizen.id])?;
            own_audit(tx, tenant_id, &at_text, citizen.id, "reset-password", "")?;
            let mut notice = notice.clone();
            notice.to = citizen.email.clone();
            queue_mail(tx, tenant_id, &notice, &at_text)?;
            Ok(Some(by_id(tx, citizen.id)?))
        })
    }

    fn change_password(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        password_hash: String,
        keep_session: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let at_text = at.to_string();
            let changed = tx
                .prepare_cached(
                    "UPDATE citizens SET password_hash = ?3 WHERE id = ?1 AND tenant_id = ?2",
                )?
                .execute(params![citizen_id, tenant_id, password_hash])?;
            if changed == 0 {
                return Err(StoreError::Invalid(format!("no citizen {citizen_id}")));
            }
            tx.prepare_cached(
                "DELETE FROM citizen_sessions WHERE citizen_id = ?1 AND digest <> ?2",
            )?
            .execute(params![citizen_id, keep_session])?;
            own_audit(tx, tenant_id, &at_text, citizen_id, "change-password", "")?;
            queue_mail(tx, tenant_id, &notice, &at_text)?;
            Ok(())
        })
    }

    fn ask_email_change(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        link: NewLink,
        mail: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            by_id(tx, citizen_id)?;
            insert_link(tx, citizen_id, &link)?;
            queue_mail(tx, tenant_id, &mail, &at.to_string())?;
            Ok(())
        })
    }

    fn confirm_email_change(
        &self,
        tenant_id: i64,
        digest: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<EmailChanged, StoreError>> {
        self.write(move |tx| {
            let Some((citizen, Some(email))) =
                use_link(tx, tenant_id, LinkPurpose::Email, &digest, at)?
            else {
                return Ok(EmailChanged::Invalid);
            };
            if citizen_where(tx, "tenant_id = ?1 AND email = ?2", &[&tenant_id, &email])?.is_some()
            {
                return Ok(EmailChanged::Taken);
            }
            let at_text = at.to_string();
            tx.prepare_cached(
                "UPDATE citizens SET email = ?2, confirmed_at = coalesce(confirmed_at, ?3) WHERE id = ?1",
            )?
            .execute(params![citizen.id, email, at_text])?;
            own_audit(tx, tenant_id, &at_text, citizen.id, "change-email", &email_change_detail(&citizen.email, &email))?;
            let mut notice = notice.clone();
            notice.to = citizen.email.clone();
            queue_mail(tx, tenant_id, &notice, &at_text)?;
            Ok(EmailChanged::Changed(Box::new(by_id(tx, citizen.id)?)))
        })
    }

    fn requester_account(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |conn| {
            citizen_where(
                conn,
                "id = (SELECT citizen_id FROM requests WHERE tenant_id = ?1 AND year = ?2 AND number = ?3)",
                &[&tenant_id, &reference.year, &reference.number],
            )
        })
    }

    fn citizen_by_email(
        &self,
        tenant_id: i64,
        email: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |conn| {
            citizen_where(conn, "tenant_id = ?1 AND email = ?2", &[&tenant_id, &email])
        })
    }

    fn create_citizen_session(
        &self,
        citizen_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
        id_token: Option<String>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM citizen_sessions WHERE expires_at <= ?1")?
                .execute(params![at.as_second()])?;
            tx.prepare_cached(
                "INSERT INTO citizen_sessions (digest, citizen_id, created_at, expires_at, id_token) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                digest,
                citizen_id,
                at.as_second(),
                expires.as_second(),
                id_token
            ])?;
            Ok(())
        })
    }

    fn session_citizen(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |conn| {
            citizen_where(
                conn,
                "tenant_id = ?1 AND id = (SELECT citizen_id FROM citizen_sessions WHERE digest = ?2 AND expires_at > ?3)",
                &[&tenant_id, &digest, &now.as_second()],
            )
        })
    }

    fn end_citizen_session(
        &self,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        self.write(move |tx| {
            Ok(tx
                .prepare_cached(
                    "DELETE FROM citizen_sessions WHERE digest = ?1 RETURNING id_token",
                )?
                .query_row(params![digest], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten())
        })
    }

    fn set_profile(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        profile: Profile,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let p = &profile;
            let changed = tx
                .prepare_cached(
                    "UPDATE citizens SET civility = ?3, first_name = ?4, last_name = ?5, phone = ?6,
                         street = ?7, postal_code = ?8, town = ?9
                     WHERE id = ?1 AND tenant_id = ?2",
                )?
                .execute(params![
                    citizen_id,
                    tenant_id,
                    p.civility,
                    p.first_name,
                    p.last_name,
                    p.phone,
                    p.street,
                    p.postal_code,
                    p.town
                ])?;
            if changed == 0 {
                return Err(StoreError::Invalid(format!("no citizen {citizen_id}")));
            }
            own_audit(
                tx,
                tenant_id,
                &at.to_string(),
                citizen_id,
                "change-profile",
                "",
            )?;
            Ok(())
        })
    }

    fn citizen_requests(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<RequestRecord>, StoreError>> {
        self.read(move |conn| {
            let ids: Vec<i64> = conn
                .prepare_cached(
                    "SELECT id FROM requests WHERE tenant_id = ?1 AND citizen_id = ?2 AND test = 0
                     ORDER BY submitted_at DESC, id DESC",
                )?
                .query_map(params![tenant_id, citizen_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some((_, record)) = load_record(conn, "id = ?1", &[&id])? {
                    out.push(record);
                }
            }
            Ok(out)
        })
    }

    fn citizen_request(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>> {
        self.read(move |conn| {
            Ok(load_record(
                conn,
                "tenant_id = ?1 AND citizen_id = ?2 AND year = ?3 AND number = ?4 AND test = 0",
                &[&tenant_id, &citizen_id, &reference.year, &reference.number],
            )?
            .map(|(_, r)| r))
        })
    }

    fn attach_request(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        tracking_digest: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Attached, StoreError>> {
        self.write(move |tx| {
            let found: Option<(i64, i16, u32, Option<i64>)> = tx
                .prepare_cached(
                    "SELECT id, year, number, citizen_id FROM requests
                     WHERE tracking_digest = ?1 AND tenant_id = ?2 AND test = 0",
                )?
                .query_row(params![tracking_digest, tenant_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let Some((id, year, number, owner)) = found else {
                return Ok(Attached::Unknown);
            };
            let reference = Reference { year, number };
            if let Some(refused) = attach_refusal(owner, citizen_id, reference) {
                return Ok(refused);
            }
            tx.prepare_cached("UPDATE requests SET citizen_id = ?2 WHERE id = ?1")?
                .execute(params![id, citizen_id])?;
            append_audit(
                tx,
                tenant_id,
                &at.to_string(),
                &citizen_subject(citizen_id),
                &format!("request:{reference}"),
                "attach-request",
                "",
            )?;
            Ok(Attached::Attached(reference))
        })
    }
}
