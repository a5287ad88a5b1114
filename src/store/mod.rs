//! Durable storage. The only module that knows SQL.
//!
//! [`Store`] is what channels and the server need; [`sqlite::SqliteStore`] is
//! the embedded implementation (PostgreSQL for clusters will implement the
//! same trait). A request is acknowledged only after the transaction holding
//! its row, its values and its first history event has committed.

mod agents;
mod audit;
pub mod blobs;
mod campaigns;
mod citizens;
mod console;
mod exchange;
mod exports;
mod identities;
mod inbound;
mod outbox;
mod people;
mod personal;
mod places;
pub mod postgres;
mod queries;
mod requests;
mod satisfaction;
pub mod sqlite;
mod stats;
mod tenant_files;
mod tenants;

pub use agents::*;
pub use audit::*;
pub use campaigns::{
    Campaign, CampaignStore, DueSend, ListCount, NewCampaign, NewSubscription, Notice, ReceiptKey,
    Recipient, SendOutcome, Subscribed, Subscriber,
};
pub use citizens::*;
pub use console::*;
pub use exchange::*;
pub use exports::*;
pub use identities::*;
pub use inbound::{InboundDecision, InboundFile, InboundItem, InboundStore, NewInbound, Received};
pub use outbox::*;
pub use people::{
    FoundPerson, MergeDecision, MergeOutcome, MergeSuggestion, PeopleStore, Person, PersonFile,
};
pub use personal::*;
pub use places::{NewPlace, PlacesStore, StoredAddresses};
pub use queries::*;
pub use requests::*;
pub use satisfaction::*;
pub use stats::*;
pub use tenant_files::*;
pub use tenants::*;

use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed (a disk, a lock, a connection); its own error is
    /// the source.
    #[error("database error: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
    #[error("the store is shutting down")]
    Closed,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
    /// Somebody changed the request since the caller read it.
    #[error("the request was changed by somebody else in the meantime")]
    Conflict,
    /// A booking's slot is held by another request (its reference).
    #[error("the slot is already booked by request {0}")]
    SlotTaken(crate::core::tracking::Reference),
}

/// Everything channels, use cases and the server need of a store, one trait
/// per entity ([`RequestStore`], [`ConsoleStore`], [`ExportStore`], [`ExchangeStore`], [`AgentStore`], [`CitizenStore`], [`IdentityStore`],
/// [`TenantStore`], [`TenantFileStore`], [`OutboxStore`], [`AuditStore`], [`PersonalDataStore`], [`StatsStore`]). Every backend
/// implements all of them and passes the contract tests in
/// `tests/store_contract/`.
pub trait Store:
    RequestStore
    + ConsoleStore
    + ExportStore
    + ExchangeStore
    + AgentStore
    + CitizenStore
    + IdentityStore
    + TenantStore
    + TenantFileStore
    + OutboxStore
    + AuditStore
    + PersonalDataStore
    + StatsStore
    + QueryStore
    + SatisfactionStore
    + PlacesStore
    + PeopleStore
    + InboundStore
    + CampaignStore
    + 'static
{
}

impl<T> Store for T where
    T: RequestStore
        + ConsoleStore
        + ExportStore
        + ExchangeStore
        + AgentStore
        + CitizenStore
        + IdentityStore
        + TenantStore
        + TenantFileStore
        + OutboxStore
        + AuditStore
        + PersonalDataStore
        + StatsStore
        + QueryStore
        + SatisfactionStore
        + PlacesStore
        + PeopleStore
        + InboundStore
        + CampaignStore
        + 'static
{
}
