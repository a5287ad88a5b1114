//! identities: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{AccountMail, BoxFuture, Citizen, Profile, StoreError};
use jiff::Timestamp;

impl IdentityStore for PostgresStore {
    fn begin_openid(
        &self,
        tenant_id: i64,
        flow: OpenIdFlow,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: begin_openid")
    }

    fn take_openid(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<OpenIdFlow>, StoreError>> {
        todo!("PostgreSQL: take_openid")
    }

    fn citizen_by_identity(
        &self,
        tenant_id: i64,
        issuer: String,
        subject: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: citizen_by_identity")
    }

    fn identities(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<Identity>, StoreError>> {
        todo!("PostgreSQL: identities")
    }

    fn link_identity(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        identity: Identity,
        notice: AccountMail,
    ) -> BoxFuture<'_, Result<Linked, StoreError>> {
        todo!("PostgreSQL: link_identity")
    }

    fn unlink_identity(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        issuer: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: unlink_identity")
    }

    fn sign_up_with_identity(
        &self,
        tenant_id: i64,
        email: String,
        profile: Profile,
        identity: Identity,
        welcome: AccountMail,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: sign_up_with_identity")
    }

}
