//! Citizens' identities at an OpenID Connect provider, and the sign-ins
//! begun there and not yet back.
//!
//! An account is found by the provider's issuer and subject only, never by
//! an e-mail claim. Linking and unlinking are one transaction with their
//! audit entry and the e-mail that tells the citizen.

use super::{AccountMail, BoxFuture, Citizen, Profile, StoreError};
use jiff::Timestamp;

/// What a sign-in at the provider is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowPurpose {
    /// Signing in (or up) with the provider.
    Login,
    /// Linking the provider to this signed-in account.
    Link(i64),
}

/// A sign-in sent to the provider: what its return is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenIdFlow {
    /// SHA-256 of the token in the browser's flow cookie.
    pub digest: String,
    /// The `state` sent, to be returned as it is.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
    pub purpose: FlowPurpose,
    /// A page of the tenant to go back to.
    pub next: Option<String>,
    pub expires: Timestamp,
}

/// An identity linked to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub linked_at: Timestamp,
}

/// What became of linking an identity to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    Linked,
    /// This account had it already.
    Already,
    /// Another account of the tenant has it: nothing changed.
    Elsewhere,
    /// This account has another identity at the same provider.
    Other,
}

pub trait IdentityStore: Send + Sync {
    /// Keeps a sign-in sent to the provider until it comes back.
    fn begin_openid(
        &self,
        tenant_id: i64,
        flow: OpenIdFlow,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The sign-in of this flow cookie, used once: gone once taken, and
    /// `None` when expired. Expired flows of the tenant are forgotten.
    fn take_openid(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<OpenIdFlow>, StoreError>>;

    /// The account linked to this identity.
    fn citizen_by_identity(
        &self,
        tenant_id: i64,
        issuer: String,
        subject: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;

    /// The identities linked to an account, oldest first.
    fn identities(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<Identity>, StoreError>>;

    /// Links an identity to an account: audited, `notice` sent.
    fn link_identity(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        identity: Identity,
        notice: AccountMail,
    ) -> BoxFuture<'_, Result<Linked, StoreError>>;

    /// Unlinks the account's identity at `issuer`: audited, `notice` sent.
    /// `Ok(false)` when there was none.
    fn unlink_identity(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        issuer: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// A new account made by signing in with the provider: its address
    /// (given by the provider, confirmed by it), no password, the profile
    /// the provider gave, the identity linked; audited, `welcome` sent.
    /// `None` when the address has an account already: nothing changed
    /// (that account is never taken over by an e-mail claim).
    fn sign_up_with_identity(
        &self,
        tenant_id: i64,
        email: String,
        profile: Profile,
        identity: Identity,
        welcome: AccountMail,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;
}

// ---------------------------------------------------------------------------
// What both backends decide the same way; they only read and write the rows.
// ---------------------------------------------------------------------------

impl FlowPurpose {
    /// The flow's `purpose` and `citizen_id` columns.
    pub(super) fn to_columns(self) -> (&'static str, Option<i64>) {
        match self {
            FlowPurpose::Login => ("login", None),
            FlowPurpose::Link(id) => ("link", Some(id)),
        }
    }

    /// Back from the flow's `purpose` and `citizen_id` columns.
    pub(super) fn from_columns(
        purpose: &str,
        citizen_id: Option<i64>,
    ) -> Result<FlowPurpose, StoreError> {
        match (purpose, citizen_id) {
            ("link", Some(id)) => Ok(FlowPurpose::Link(id)),
            ("login", _) => Ok(FlowPurpose::Login),
            (p, _) => Err(StoreError::Corrupt(format!("openid flow purpose {p:?}"))),
        }
    }
}

/// A flow's row as taken (deleted) from the store.
pub(super) struct StoredFlow {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub purpose: String,
    pub citizen_id: Option<i64>,
    pub next: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

impl StoredFlow {
    /// The flow of cookie `digest`, `None` when it expired by `now`.
    pub(super) fn into_flow(
        self,
        digest: String,
        now: Timestamp,
    ) -> Result<Option<OpenIdFlow>, StoreError> {
        if self.expires_at <= now.as_second() {
            return Ok(None);
        }
        Ok(Some(OpenIdFlow {
            digest,
            state: self.state,
            nonce: self.nonce,
            verifier: self.verifier,
            purpose: FlowPurpose::from_columns(&self.purpose, self.citizen_id)?,
            next: self.next,
            expires: Timestamp::from_second(self.expires_at)
                .map_err(|e| StoreError::Corrupt(format!("openid flow expiry: {e}")))?,
        }))
    }
}

/// An identity's row: its `linked_at` text read back.
pub(super) fn stored_identity(
    issuer: String,
    subject: String,
    linked_at: &str,
) -> Result<Identity, StoreError> {
    Ok(Identity {
        issuer,
        subject,
        linked_at: linked_at
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("identity linked_at: {e}")))?,
    })
}

/// Why an identity held by `holder` (if anyone) cannot be linked to
/// `citizen_id`; `None` when nobody of the tenant holds it.
pub(super) fn link_refusal(holder: Option<i64>, citizen_id: i64) -> Option<Linked> {
    match holder {
        Some(id) if id == citizen_id => Some(Linked::Already),
        Some(_) => Some(Linked::Elsewhere),
        None => None,
    }
}
