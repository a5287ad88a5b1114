//! SQL of citizens' identities at OpenID Connect providers, and of the
//! sign-ins begun there (what is decided about them is
//! `crate::store::identities`'s, shared with SQLite).

use super::PostgresStore;
use super::citizens::{by_email, by_id, citizen_where, own_audit, queue_mail};
use crate::store::*;
use deadpool_postgres::Transaction;
use jiff::Timestamp;

async fn insert_identity(
    tx: &Transaction<'_>,
    tenant_id: i64,
    citizen_id: i64,
    identity: &Identity,
) -> Result<(), StoreError> {
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO citizen_identities (tenant_id, citizen_id, issuer, subject, linked_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .await?,
        &[
            &tenant_id,
            &citizen_id,
            &identity.issuer,
            &identity.subject,
            &identity.linked_at.to_string(),
        ],
    )
    .await?;
    Ok(())
}

impl IdentityStore for PostgresStore {
    fn begin_openid(
        &self,
        tenant_id: i64,
        flow: OpenIdFlow,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |tx| {
            let flow = flow.clone();
            Box::pin(async move {
                let (purpose, citizen_id) = flow.purpose.to_columns();
                tx.execute(
                    &tx.prepare_cached(
                        "INSERT INTO openid_flows (digest, tenant_id, state, nonce, verifier, purpose, citizen_id, next, expires_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .await?,
                    &[
                        &flow.digest,
                        &tenant_id,
                        &flow.state,
                        &flow.nonce,
                        &flow.verifier,
                        &purpose,
                        &citizen_id,
                        &flow.next,
                        &flow.expires.as_second(),
                    ],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn take_openid(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<OpenIdFlow>, StoreError>> {
        self.write(move |tx| {
            let digest = digest.clone();
            Box::pin(async move {
                let flow = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "DELETE FROM openid_flows WHERE digest = $1 AND tenant_id = $2
                             RETURNING state, nonce, verifier, purpose, citizen_id, next, expires_at",
                        )
                        .await?,
                        &[&digest, &tenant_id],
                    )
                    .await?
                    .map(|r| StoredFlow {
                        state: r.get(0),
                        nonce: r.get(1),
                        verifier: r.get(2),
                        purpose: r.get(3),
                        citizen_id: r.get(4),
                        next: r.get(5),
                        expires_at: r.get(6),
                    });
                tx.execute(
                    &tx.prepare_cached(
                        "DELETE FROM openid_flows WHERE tenant_id = $1 AND expires_at <= $2",
                    )
                    .await?,
                    &[&tenant_id, &now.as_second()],
                )
                .await?;
                match flow {
                    Some(flow) => flow.into_flow(digest, now),
                    None => Ok(None),
                }
            })
        })
    }

    fn citizen_by_identity(
        &self,
        tenant_id: i64,
        issuer: String,
        subject: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                citizen_where(
                    tx,
                    "id = (SELECT citizen_id FROM citizen_identities
                           WHERE tenant_id = $1 AND issuer = $2 AND subject = $3)",
                    &[&tenant_id, &issuer, &subject],
                )
                .await
            })
        })
    }

    fn identities(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<Identity>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        &tx.prepare_cached(
                            "SELECT issuer, subject, linked_at FROM citizen_identities
                             WHERE tenant_id = $1 AND citizen_id = $2 ORDER BY id",
                        )
                        .await?,
                        &[&tenant_id, &citizen_id],
                    )
                    .await?;
                rows.iter()
                    .map(|r| stored_identity(r.get(0), r.get(1), r.get::<_, &str>(2)))
                    .collect()
            })
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
            let (identity, notice) = (identity.clone(), notice.clone());
            Box::pin(async move {
                by_id(tx, citizen_id).await?;
                let holder: Option<i64> = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "SELECT citizen_id FROM citizen_identities
                             WHERE tenant_id = $1 AND issuer = $2 AND subject = $3",
                        )
                        .await?,
                        &[&tenant_id, &identity.issuer, &identity.subject],
                    )
                    .await?
                    .map(|r| r.get(0));
                if let Some(refused) = link_refusal(holder, citizen_id) {
                    return Ok(refused);
                }
                let other = tx
                    .query_opt(
                        &tx.prepare_cached(
                            "SELECT id FROM citizen_identities WHERE citizen_id = $1 AND issuer = $2",
                        )
                        .await?,
                        &[&citizen_id, &identity.issuer],
                    )
                    .await?;
                if other.is_some() {
                    return Ok(Linked::Other);
                }
                insert_identity(tx, tenant_id, citizen_id, &identity).await?;
                let at = identity.linked_at.to_string();
                own_audit(
                    tx,
                    tenant_id,
                    &at,
                    citizen_id,
                    "link-identity",
                    &identity.issuer,
                )
                .await?;
                queue_mail(tx, tenant_id, &notice, &at).await?;
                Ok(Linked::Linked)
            })
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
        let at = at.to_string();
        self.write(move |tx| {
            let (issuer, notice, at) = (issuer.clone(), notice.clone(), at.clone());
            Box::pin(async move {
                let gone = tx
                    .execute(
                        &tx.prepare_cached(
                            "DELETE FROM citizen_identities WHERE tenant_id = $1 AND citizen_id = $2 AND issuer = $3",
                        )
                        .await?,
                        &[&tenant_id, &citizen_id, &issuer],
                    )
                    .await?;
                if gone == 0 {
                    return Ok(false);
                }
                own_audit(tx, tenant_id, &at, citizen_id, "unlink-identity", &issuer).await?;
                queue_mail(tx, tenant_id, &notice, &at).await?;
                Ok(true)
            })
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
            let (email, profile, identity, welcome) = (
                email.clone(),
                profile.clone(),
                identity.clone(),
                welcome.clone(),
            );
            Box::pin(async move {
                if by_email(tx, tenant_id, &email).await?.is_some() {
                    return Ok(None);
                }
                let at = identity.linked_at.to_string();
                let id: i64 = tx
                    .query_one(
                        &tx.prepare_cached(
                            "INSERT INTO citizens (tenant_id, email, created_at, confirmed_at, first_name, last_name)
                             VALUES ($1, $2, $3, $3, $4, $5) RETURNING id",
                        )
                        .await?,
                        &[
                            &tenant_id,
                            &email,
                            &at,
                            &profile.first_name,
                            &profile.last_name,
                        ],
                    )
                    .await?
                    .get(0);
                // Another account holding this identity makes this fail,
                // and the sign-up with it, as on SQLite.
                insert_identity(tx, tenant_id, id, &identity).await?;
                own_audit(tx, tenant_id, &at, id, "sign-up", &email).await?;
                own_audit(tx, tenant_id, &at, id, "link-identity", &identity.issuer).await?;
                queue_mail(tx, tenant_id, &welcome, &at).await?;
                Ok(Some(by_id(tx, id).await?))
            })
        })
    }
}
