//! SQL of citizens' identities at OpenID Connect providers, and of the
//! sign-ins begun there.

use super::SqliteStore;
use super::citizens::{by_id, citizen_where, own_audit, queue_mail};
use crate::store::*;
use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

fn insert_identity(
    tx: &rusqlite::Connection,
    tenant_id: i64,
    citizen_id: i64,
    identity: &Identity,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO citizen_identities (tenant_id, citizen_id, issuer, subject, linked_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        tenant_id,
        citizen_id,
        identity.issuer,
        identity.subject,
        identity.linked_at.to_string()
    ])?;
    Ok(())
}

impl IdentityStore for SqliteStore {
    fn begin_openid(
        &self,
        tenant_id: i64,
        flow: OpenIdFlow,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let (purpose, citizen_id) = flow.purpose.to_columns();
            tx.prepare_cached(
                "INSERT INTO openid_flows (digest, tenant_id, state, nonce, verifier, purpose, citizen_id, next, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                flow.digest,
                tenant_id,
                flow.state,
                flow.nonce,
                flow.verifier,
                purpose,
                citizen_id,
                flow.next,
                flow.expires.as_second()
            ])?;
            Ok(())
        })
    }

    fn take_openid(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<OpenIdFlow>, StoreError>> {
        self.write(move |tx| {
            let flow = tx
                .prepare_cached(
                    "DELETE FROM openid_flows WHERE digest = ?1 AND tenant_id = ?2
                     RETURNING state, nonce, verifier, purpose, citizen_id, next, expires_at",
                )?
                .query_row(params![digest, tenant_id], |r| {
                    Ok(StoredFlow {
                        state: r.get(0)?,
                        nonce: r.get(1)?,
                        verifier: r.get(2)?,
                        purpose: r.get(3)?,
                        citizen_id: r.get(4)?,
                        next: r.get(5)?,
                        expires_at: r.get(6)?,
                    })
                })
                .optional()?;
            tx.prepare_cached(
                "DELETE FROM openid_flows WHERE tenant_id = ?1 AND expires_at <= ?2",
            )?
            .execute(params![tenant_id, now.as_second()])?;
            match flow {
                Some(flow) => flow.into_flow(digest.clone(), now),
                None => Ok(None),
            }
        })
    }

    fn citizen_by_identity(
        &self,
        tenant_id: i64,
        issuer: String,
        subject: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |conn| {
            citizen_where(
                conn,
                "id = (SELECT citizen_id FROM citizen_identities
                       WHERE tenant_id = ?1 AND issuer = ?2 AND subject = ?3)",
                &[&tenant_id, &issuer, &subject],
            )
        })
    }

    fn identities(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<Identity>, StoreError>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT issuer, subject, linked_at FROM citizen_identities
                 WHERE tenant_id = ?1 AND citizen_id = ?2 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![tenant_id, citizen_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (issuer, subject, at) = row?;
                out.push(stored_identity(issuer, subject, &at)?);
            }
            Ok(out)
        })
    }

    fn link_identity(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        identity: Identity,
        notice: AccountMail,
    ) -> BoxFuture<'_, Result<Linked, StoreError>> {
        self.write(move |tx| {
            by_id(tx, citizen_id)?;
            let holder: Option<i64> = tx
                .prepare_cached(
                    "SELECT citizen_id FROM citizen_identities
                     WHERE tenant_id = ?1 AND issuer = ?2 AND subject = ?3",
                )?
                .query_row(params![tenant_id, identity.issuer, identity.subject], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(refused) = link_refusal(holder, citizen_id) {
                return Ok(refused);
            }
            let other: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM citizen_identities WHERE citizen_id = ?1 AND issuer = ?2",
                )?
                .query_row(params![citizen_id, identity.issuer], |r| r.get(0))
                .optional()?;
            if other.is_some() {
                return Ok(Linked::Other);
            }
            insert_identity(tx, tenant_id, citizen_id, &identity)?;
            let at = identity.linked_at.to_string();
            own_audit(
                tx,
                tenant_id,
                &at,
                citizen_id,
                "link-identity",
                &identity.issuer,
            )?;
            queue_mail(tx, tenant_id, &notice, &at)?;
            Ok(Linked::Linked)
        })
    }

    fn unlink_identity(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        issuer: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            let gone = tx
                .prepare_cached(
                    "DELETE FROM citizen_identities WHERE tenant_id = ?1 AND citizen_id = ?2 AND issuer = ?3",
                )?
                .execute(params![tenant_id, citizen_id, issuer])?;
            if gone == 0 {
                return Ok(false);
            }
            let at = at.to_string();
            own_audit(tx, tenant_id, &at, citizen_id, "unlink-identity", &issuer)?;
            queue_mail(tx, tenant_id, &notice, &at)?;
            Ok(true)
        })
    }

    fn sign_up_with_identity(
        &self,
        tenant_id: i64,
        email: String,
        profile: Profile,
        identity: Identity,
        welcome: AccountMail,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.write(move |tx| {
            if citizen_where(tx, "tenant_id = ?1 AND email = ?2", &[&tenant_id, &email])?.is_some()
            {
                return Ok(None);
            }
            let at = identity.linked_at.to_string();
            tx.prepare_cached(
                "INSERT INTO citizens (tenant_id, email, created_at, confirmed_at, first_name, last_name)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
            )?
            .execute(params![
                tenant_id,
                email,
                at,
                profile.first_name,
                profile.last_name
            ])?;
            let id = tx.last_insert_rowid();
            insert_identity(tx, tenant_id, id, &identity)?;
            own_audit(tx, tenant_id, &at, id, "sign-up", &email)?;
            own_audit(tx, tenant_id, &at, id, "link-identity", &identity.issuer)?;
            queue_mail(tx, tenant_id, &welcome, &at)?;
            Ok(Some(by_id(tx, id)?))
        })
    }
}
