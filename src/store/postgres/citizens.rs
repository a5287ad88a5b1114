//! citizens: the PostgreSQL implementation (to be written).

#![allow(unused_imports, unused_variables)]

use super::PostgresStore;
use crate::store::*;
use crate::store::{BoxFuture, StoreError};
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use jiff::Timestamp;

impl CitizenStore for PostgresStore {
    #[allow(clippy::too_many_arguments)]
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
        todo!("PostgreSQL: sign_up")
    }

    fn send_link(
        &self,
        tenant_id: i64,
        email: String,
        link: NewLink,
        mail: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        todo!("PostgreSQL: send_link")
    }

    fn link_citizen(
        &self,
        tenant_id: i64,
        purpose: LinkPurpose,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: link_citizen")
    }

    fn confirm(
        &self,
        tenant_id: i64,
        digest: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: confirm")
    }

    fn reset_password(
        &self,
        tenant_id: i64,
        digest: String,
        password_hash: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: reset_password")
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
        todo!("PostgreSQL: change_password")
    }

    fn ask_email_change(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        link: NewLink,
        mail: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: ask_email_change")
    }

    fn confirm_email_change(
        &self,
        tenant_id: i64,
        digest: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<EmailChanged, StoreError>> {
        todo!("PostgreSQL: confirm_email_change")
    }

    fn citizen_by_email(
        &self,
        tenant_id: i64,
        email: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: citizen_by_email")
    }

    fn requester_account(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: requester_account")
    }

    fn create_citizen_session(
        &self,
        citizen_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
        id_token: Option<String>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: create_citizen_session")
    }

    fn session_citizen(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>> {
        todo!("PostgreSQL: session_citizen")
    }

    fn end_citizen_session(
        &self,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        todo!("PostgreSQL: end_citizen_session")
    }

    fn set_profile(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        profile: Profile,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        todo!("PostgreSQL: set_profile")
    }

    fn citizen_requests(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<RequestRecord>, StoreError>> {
        todo!("PostgreSQL: citizen_requests")
    }

    fn citizen_request(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>> {
        todo!("PostgreSQL: citizen_request")
    }

    fn attach_request(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        tracking_digest: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Attached, StoreError>> {
        todo!("PostgreSQL: attach_request")
    }

}
