//! Citizens' accounts: sign-up and its confirmation, sessions, single-use
//! links (confirm, reset the password, confirm a new address), the profile,
//! and the requests that belong to an account.
//!
//! Every change is one transaction with its audit entry and the e-mail that
//! tells the citizen (an outbox message of kind `account`, whose link is its
//! secret, forgotten once expanded).

use super::{BoxFuture, StoreError};
use crate::core::status::RequestRecord;
use crate::core::tracking::Reference;
use jiff::Timestamp;

/// A citizen's account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub id: i64,
    /// Lower case.
    pub email: String,
    /// PHC string of the password's Argon2id hash.
    pub password_hash: Option<String>,
    /// The address was confirmed by following the link sent to it.
    pub confirmed: bool,
    pub profile: Profile,
}

/// What forms are filled with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// `Mme` or `M`.
    pub civility: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub town: Option<String>,
}

/// What a single-use link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Confirm,
    Reset,
    Email,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Confirm => "confirm",
            LinkPurpose::Reset => "reset",
            LinkPurpose::Email => "email",
        }
    }
}

/// A link to write: the digest of its token, when it stops working.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub digest: String,
    pub purpose: LinkPurpose,
    /// The new address, for [`LinkPurpose::Email`].
    pub email: Option<String>,
    pub expires: Timestamp,
}

/// An e-mail to a citizen about their account, written to the outbox.
#[derive(Debug, Clone)]
pub struct AccountMail {
    /// A message template (`account-confirm`, `account-reset`…).
    pub template: String,
    pub to: String,
    /// The page the message links to; with a token, forgotten once the
    /// message is expanded.
    pub link: String,
    pub lang: String,
}

/// What became of a request to attach by its tracking code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    Attached(Reference),
    /// Already this account's.
    Already(Reference),
    /// No request of this tenant has this code, or it belongs to another
    /// account (the same answer: nothing says which).
    Unknown,
}

/// What became of a new address confirmed by its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChanged {
    Changed(Box<Citizen>),
    /// Another account has taken the address meanwhile.
    Taken,
    /// The link is unknown, used or expired.
    Invalid,
}

pub trait CitizenStore: Send + Sync {
    /// A new, unconfirmed account with its confirmation link, and `created`
    /// sent; or, when the address has an account already, `exists` sent
    /// instead and nothing else changed (what the page says is the same:
    /// nobody learns whether an address has an account). `Ok(true)` when
    /// created.
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
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Writes a new link for the account of `email` and sends `mail`
    /// (forgotten password, another confirmation); nothing when the address
    /// has no account. `Ok(true)` when it has.
    fn send_link(
        &self,
        tenant_id: i64,
        email: String,
        link: NewLink,
        mail: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// The account a link works for now (unused, unexpired), not using it.
    fn link_citizen(
        &self,
        tenant_id: i64,
        purpose: LinkPurpose,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;

    /// Uses a confirmation link: the address is confirmed.
    fn confirm(
        &self,
        tenant_id: i64,
        digest: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;

    /// Uses a reset link: the new password, the address confirmed (the
    /// link reached it), every session ended, `notice` sent.
    fn reset_password(
        &self,
        tenant_id: i64,
        digest: String,
        password_hash: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;

    /// A signed-in citizen's new password: the other sessions end
    /// (`keep_session` stays), `notice` sent.
    fn change_password(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        password_hash: String,
        keep_session: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// A link to confirm a new address, sent to it (`mail`).
    fn ask_email_change(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        link: NewLink,
        mail: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Uses a new address's link: the account takes it, the old address is
    /// told (`notice`, sent to it).
    fn confirm_email_change(
        &self,
        tenant_id: i64,
        digest: String,
        notice: AccountMail,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<EmailChanged, StoreError>>;

    fn citizen_by_email(
        &self,
        tenant_id: i64,
        email: String,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;

    /// `id_token`: the provider's, when signed in with it.
    /// The account a request belongs to, if it was made signed in (or
    /// attached since).
    fn requester_account(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;

    fn create_citizen_session(
        &self,
        citizen_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
        id_token: Option<String>,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The account of an unexpired session.
    fn session_citizen(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<Citizen>, StoreError>>;

    /// Ends a session; the ID token it was opened with, if it came from the
    /// identity provider (for the logout there).
    fn end_citizen_session(
        &self,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<String>, StoreError>>;

    fn set_profile(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        profile: Profile,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The account's requests, newest first (never test ones).
    fn citizen_requests(
        &self,
        tenant_id: i64,
        citizen_id: i64,
    ) -> BoxFuture<'_, Result<Vec<RequestRecord>, StoreError>>;

    /// One of the account's requests by reference; `None` when it is not
    /// the account's.
    fn citizen_request(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>>;

    /// Attaches the request with this tracking code to the account, unless
    /// it belongs to another one.
    fn attach_request(
        &self,
        tenant_id: i64,
        citizen_id: i64,
        tracking_digest: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Attached, StoreError>>;
}

// ---------------------------------------------------------------------------
// What both backends decide the same way; they only read and write the rows.
// ---------------------------------------------------------------------------

/// The audit subject (and actor) of what concerns an account.
pub fn citizen_subject(citizen_id: i64) -> String {
    format!("citizen:{citizen_id}")
}

/// The audit detail of an account taking a new address.
pub(super) fn email_change_detail(old: &str, new: &str) -> String {
    format!("{old} → {new}")
}

/// What attaching a request whose account is `owner` to `citizen_id`
/// gives, `None` when it is nobody's and is to be attached now.
pub(super) fn attach_refusal(
    owner: Option<i64>,
    citizen_id: i64,
    reference: Reference,
) -> Option<Attached> {
    match owner {
        Some(o) if o == citizen_id => Some(Attached::Already(reference)),
        // Another's request is answered as an unknown code.
        Some(_) => Some(Attached::Unknown),
        None => None,
    }
}
