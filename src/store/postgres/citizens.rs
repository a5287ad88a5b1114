//! SQL of citizens' accounts, their sessions and links (what is decided
//! about them is `crate::store::citizens`'s, shared with SQLite).

use super::PostgresStore;
use super::audit::append_audit;
use super::requests::load_record;
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

const COLUMNS: &str = "id, email, password_hash, confirmed_at IS NOT NULL, civility, first_name, last_name, phone, street, postal_code, town";

fn citizen_from_row(row: &Row) -> Citizen {
    Citizen {
        id: row.get(0),
        email: row.get(1),
        password_hash: row.get(2),
        confirmed: row.get(3),
        profile: Profile {
            civility: row.get(4),
            first_name: row.get(5),
            last_name: row.get(6),
            phone: row.get(7),
            street: row.get(8),
            postal_code: row.get(9),
            town: row.get(10),
        },
    }
}

/// The account matching `clause` (on `citizens`, with `$1`… bound to
/// `args`).
pub(super) async fn citizen_where(
    tx: &Transaction<'_>,
    clause: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Option<Citizen>, StoreError> {
    let statement = tx
        .prepare_cached(&format!("SELECT {COLUMNS} FROM citizens WHERE {clause}"))
        .await?;
    Ok(tx
        .query_opt(&statement, args)
        .await?
        .map(|row| citizen_from_row(&row)))
}

pub(super) async fn by_id(tx: &Transaction<'_>, citizen_id: i64) -> Result<Citizen, StoreError> {
    citizen_where(tx, "id = $1", &[&citizen_id])
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("no citizen {citizen_id}")))
}

/// The account of `email` in the tenant.
pub(super) async fn by_email(
    tx: &Transaction<'_>,
    tenant_id: i64,
    email: &str,
) -> Result<Option<Citizen>, StoreError> {
    citizen_where(tx, "tenant_id = $1 AND email = $2", &[&tenant_id, &email]).await
}

/// The account's e-mail to the outbox: its link is the message's secret.
pub(super) async fn queue_mail(
    tx: &Transaction<'_>,
    tenant_id: i64,
    mail: &AccountMail,
    at: &str,
) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO outbox (tenant_id, request_id, recipient_kind, recipient, template, text, created_at, secret)
             VALUES ($1, NULL, 'account', $2, $3, $4, $5, $6)",
        )
        .await?,
        &[&tenant_id, &mail.to, &mail.template, &mail.lang, &at, &mail.link],
    )
    .await?;
    Ok(())
}

async fn insert_link(
    tx: &Transaction<'_>,
    citizen_id: i64,
    link: &NewLink,
) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO citizen_tokens (digest, citizen_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .await?,
        &[
            &link.digest,
            &citizen_id,
            &link.purpose.as_str(),
            &link.email,
            &link.expires.as_second(),
        ],
    )
    .await?;
    Ok(())
}

/// Uses a link: the account and the address it carries, once.
async fn use_link(
    tx: &Transaction<'_>,
    tenant_id: i64,
    purpose: LinkPurpose,
    digest: &str,
    now: Timestamp,
) -> Result<Option<(Citizen, Option<String>)>, StoreError> {
    let found = tx
        .query_opt(
            &tx.prepare_cached(
                "UPDATE citizen_tokens SET used_at = $4
                 WHERE digest = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $4
                   AND citizen_id IN (SELECT id FROM citizens WHERE tenant_id = $3)
                 RETURNING citizen_id, email",
            )
            .await?,
            &[&digest, &purpose.as_str(), &tenant_id, &now.as_second()],
        )
        .await?;
    match found {
        Some(row) => {
            let email: Option<String> = row.get(1);
            Ok(Some((by_id(tx, row.get(0)).await?, email)))
        }
        None => Ok(None),
    }
}

/// A change the citizen made to their own account, in the audit journal.
pub(super) async fn own_audit(
    tx: &Transaction<'_>,
    tenant_id: i64,
    at: &str,
    citizen_id: i64,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let who = citizen_subject(citizen_id);
    append_audit(tx, tenant_id, at, &who, &who, action, detail).await
}

impl CitizenStore for PostgresStore {
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
        let at_text = at.to_string();
        self.write(move |tx| {
            let (email, password_hash, link, created, exists, at_text) = (
                email.clone(),
                password_hash.clone(),
                link.clone(),
                created.clone(),
                exists.clone(),
                at_text.clone(),
            );
            Box::pin(async move {
                // A taken address (or one taken meanwhile) is told it has an
                // account: the insert does nothing rather than fail, which
                // would end the transaction.
                let inserted = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "INSERT INTO citizens (tenant_id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (tenant_id, email) DO NOTHING RETURNING id",
                        )
                        .await?,
                        &[&tenant_id, &email, &password_hash, &at_text],
                    )
                    .await?;
                let Some(row) = inserted else {
                    queue_mail(tx, tenant_id, &exists, &at_text).await?;
                    return Ok(false);
                };
                let id: i64 = row.get(0);
                insert_link(tx, id, &link).await?;
                queue_mail(tx, tenant_id, &created, &at_text).await?;
                own_audit(tx, tenant_id, &at_text, id, "sign-up", &email).await?;
                Ok(true)
            })
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
        let at_text = at.to_string();
        self.write(move |tx| {
            let (email, link, mail, at_text) =
                (email.clone(), link.clone(), mail.clone(), at_text.clone());
            Box::pin(async move {
                let Some(citizen) = by_email(tx, tenant_id, &email).await? else {
                    return Ok(false);
                };
                insert_link(tx, citizen.id, &link).await?;
                queue_mail(tx, tenant_id, &mail, &at_text).await?;
                Ok(true)
            })
        })
    }

    fn link_citizen(
        &self,
        tenant_id: i64,
        purpose: LinkPurpose,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                citizen_where(
                    tx,
                    "tenant_id = $1 AND id = (SELECT citizen_id FROM citizen_tokens
                         WHERE digest = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4)",
                    &[&tenant_id, &digest, &purpose.as_str(), &now.as_second()],
                )
                .await
            })
        })
    }

    fn confirm(
        &self,
        tenant_id: i64,
        digest: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.write(move |tx| {
            let digest = digest.clone();
            Box::pin(async move {
                let Some((citizen, _)) =
                    use_link(tx, tenant_id, LinkPurpose::Confirm, &digest, at).await?
                else {
                    return Ok(None);
                };
                let at_text = at.to_string();
                tx.execute(
                    &tx.prepare_cached(
                        "UPDATE citizens SET confirmed_at = coalesce(confirmed_at, $2) WHERE id = $1",
                    )
                    .await?,
                    &[&citizen.id, &at_text],
                )
                .await?;
                own_audit(
                    tx,
                    tenant_id,
                    &at_text,
                    citizen.id,
                    "confirm-email",
                    &citizen.email,
                )
                .await?;
                Ok(Some(by_id(tx, citizen.id).await?))
            })
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
            let (digest, password_hash, mut notice) =
                (digest.clone(), password_hash.clone(), notice.clone());
            Box::pin(async move {
                let Some((citizen, _)) =
                    use_link(tx, tenant_id, LinkPurpose::Reset, &digest, at).await?
                else {
                    return Ok(None);
                };
                let at_text = at.to_string();
                tx.execute(
                    &tx.prepare_cached(
                        "UPDATE citizens SET password_hash = $2, confirmed_at = coalesce(confirmed_at, $3) WHERE id = $1",
                    )
                    .await?,
                    &[&citizen.id, &password_hash, &at_text],
                )
                .await?;
                tx.execute(
                    &tx.prepare_cached("DELETE FROM citizen_sessions WHERE citizen_id = $1")
                        .await?,
                    &[&citizen.id],
                )
                .await?;
                own_audit(tx, tenant_id, &at_text, citizen.id, "reset-password", "").await?;
                notice.to = citizen.email.clone();
                queue_mail(tx, tenant_id, &notice, &at_text).await?;
                Ok(Some(by_id(tx, citizen.id).await?))
            })
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
        let at_text = at.to_string();
        self.write(move |tx| {
            let (password_hash, keep_session, notice, at_text) = (
                password_hash.clone(),
                keep_session.clone(),
                notice.clone(),
                at_text.clone(),
            );
            Box::pin(async move {
                let changed = tx
                    .execute(
                        &tx.prepare_cached(
                            "UPDATE citizens SET password_hash = $3 WHERE id = $1 AND tenant_id = $2",
                        )
                        .await?,
                        &[&citizen_id, &tenant_id, &password_hash],
                    )
                    .await?;
                if changed == 0 {
                    return Err(StoreError::Invalid(format!("no citizen {citizen_id}")));
                }
                tx.execute(
                    &tx.prepare_cached(
                        "DELETE FROM citizen_sessions WHERE citizen_id = $1 AND digest <> $2",
                    )
                    .await?,
                    &[&citizen_id, &keep_session],
                )
                .await?;
                own_audit(tx, tenant_id, &at_text, citizen_id, "change-password", "").await?;
                queue_mail(tx, tenant_id, &notice, &at_text).await?;
                Ok(())
            })
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
        let at_text = at.to_string();
        self.write(move |tx| {
            let (link, mail, at_text) = (link.clone(), mail.clone(), at_text.clone());
            Box::pin(async move {
                by_id(tx, citizen_id).await?;
                insert_link(tx, citizen_id, &link).await?;
                queue_mail(tx, tenant_id, &mail, &at_text).await?;
                Ok(())
            })
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
            let (digest, mut notice) = (digest.clone(), notice.clone());
            Box::pin(async move {
                let Some((citizen, Some(email))) =
                    use_link(tx, tenant_id, LinkPurpose::Email, &digest, at).await?
                else {
                    return Ok(EmailChanged::Invalid);
                };
                // Checked before, not caught after: a failed update would
                // end the transaction (a writer taking the address meanwhile
                // makes this one run again, and see it).
                if by_email(tx, tenant_id, &email).await?.is_some() {
                    return Ok(EmailChanged::Taken);
                }
                let at_text = at.to_string();
                tx.execute(
                    &tx.prepare_cached(
                        "UPDATE citizens SET email = $2, confirmed_at = coalesce(confirmed_at, $3) WHERE id = $1",
                    )
                    .await?,
                    &[&citizen.id, &email, &at_text],
                )
                .await?;
                own_audit(
                    tx,
                    tenant_id,
                    &at_text,
                    citizen.id,
                    "change-email",
                    &email_change_detail(&citizen.email, &email),
                )
                .await?;
                notice.to = citizen.email.clone();
                queue_mail(tx, tenant_id, &notice, &at_text).await?;
                Ok(EmailChanged::Changed(Box::new(by_id(tx, citizen.id).await?)))
            })
        })
    }

    fn citizen_by_email(
        &self,
        tenant_id: i64,
        email: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |tx| Box::pin(async move { by_email(tx, tenant_id, &email).await }))
    }

    fn requester_account(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                citizen_where(
                    tx,
                    "id = (SELECT citizen_id FROM requests WHERE tenant_id = $1 AND year = $2 AND number = $3)",
                    &[
                        &tenant_id,
                        &i64::from(reference.year),
                        &i64::from(reference.number),
                    ],
                )
                .await
            })
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
            let (digest, id_token) = (digest.clone(), id_token.clone());
            Box::pin(async move {
                tx.execute(
                    &tx.prepare_cached("DELETE FROM citizen_sessions WHERE expires_at <= $1")
                        .await?,
                    &[&at.as_second()],
                )
                .await?;
                tx.execute(
                    &tx.prepare_cached(
                        "INSERT INTO citizen_sessions (digest, citizen_id, created_at, expires_at, id_token) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .await?,
                    &[
                        &digest,
                        &citizen_id,
                        &at.as_second(),
                        &expires.as_second(),
                        &id_token,
                    ],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn session_citizen(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                citizen_where(
                    tx,
                    "tenant_id = $1 AND id = (SELECT citizen_id FROM citizen_sessions WHERE digest = $2 AND expires_at > $3)",
                    &[&tenant_id, &digest, &now.as_second()],
                )
                .await
            })
        })
    }

    fn end_citizen_session(
        &self,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        self.write(move |tx| {
            let digest = digest.clone();
            Box::pin(async move {
                Ok(tx
                    .query_opt(
                        &tx.prepare_cached(
                            "DELETE FROM citizen_sessions WHERE digest = $1 RETURNING id_token",
                        )
                        .await?,
                        &[&digest],
                    )
                    .await?
                    .and_then(|r| r.get::<_, Option<String>>(0)))
            })
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
            let p = profile.clone();
            Box::pin(async move {
                let changed = tx
                    .execute(
                        &tx.prepare_cached(
                            "UPDATE citizens SET civility = $3, first_name = $4, last_name = $5, phone = $6,
                                 street = $7, postal_code = $8, town = $9
                             WHERE id = $1 AND tenant_id = $2",
                        )
                        .await?,
                        &[
                            &citizen_id,
                            &tenant_id,
                            &p.civility,
                            &p.first_name,
                            &p.last_name,
                            &p.phone,
                            &p.street,
                            &p.postal_code,
                            &p.town,
                        ],
                    )
                    .await?;
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
                )
                .await?;
                Ok(())
            })
        })
    }

    fn citizen_requests(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<RequestRecord>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let ids = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT id FROM requests WHERE tenant_id = $1 AND citizen_id = $2 AND test = 0
                             ORDER BY submitted_at DESC, id DESC",
                        )
                        .await?,
                        &[&tenant_id, &citizen_id],
                    )
                    .await?;
                let mut out = Vec::with_capacity(ids.len());
                for row in ids {
                    let id: i64 = row.get(0);
                    if let Some((_, record)) = load_record(tx, "id = $1", &[&id]).await? {
                        out.push(record);
                    }
                }
                Ok(out)
            })
        })
    }

    fn citizen_request(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                Ok(load_record(
                    tx,
                    "tenant_id = $1 AND citizen_id = $2 AND year = $3 AND number = $4 AND test = 0",
                    &[
                        &tenant_id,
                        &citizen_id,
                        &i64::from(reference.year),
                        &i64::from(reference.number),
                    ],
                )
                .await?
                .map(|(_, r)| r))
            })
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
            let tracking_digest = tracking_digest.clone();
            Box::pin(async move {
                let found = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "SELECT id, year, number, citizen_id FROM requests
                             WHERE tracking_digest = $1 AND tenant_id = $2 AND test = 0",
                        )
                        .await?,
                        &[&tracking_digest, &tenant_id],
                    )
                    .await?;
                let Some(row) = found else {
                    return Ok(Attached::Unknown);
                };
                let id: i64 = row.get(0);
                let reference = super::reference(row.get(1), row.get(2))?;
                if let Some(refused) = attach_refusal(row.get(3), citizen_id, reference) {
                    return Ok(refused);
                }
                tx.execute(
                    &tx.prepare_cached("UPDATE requests SET citizen_id = $2 WHERE id = $1")
                        .await?,
                    &[&id, &citizen_id],
                )
                .await?;
                append_audit(
                    tx,
                    tenant_id,
                    &at.to_string(),
                    &citizen_subject(citizen_id),
                    &format!("request:{reference}"),
                    "attach-request",
                    "",
                )
                .await?;
                Ok(Attached::Attached(reference))
            })
        })
    }
}
