//! Guichet: a town's teleservices as SOAP operations and embeddable pages,
//! backed by agents' workflows. See ARCHITECTURE.md for the map.

pub mod app;
pub mod auth;
pub mod config;
pub mod core;
pub mod demo;
pub mod error;
pub mod exchange;
pub mod http;
pub mod inbound;
pub mod library;
pub mod metrics;
pub mod notify;
pub mod open311;
pub mod render;
pub mod soap;
pub mod store;
pub mod tenant;
pub mod usecases;
pub mod web;
pub mod xml;

pub use error::Error;

/// Version of the binary, used to bust caches of built-in assets.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
