//! The core: catalogue, forms, intake and status. No I/O, no clock, no random
//! source of its own, and no knowledge of SOAP, HTML or SQL: channels and
//! stores depend on it, never the reverse.

pub mod agenda;
pub mod builtin;
pub mod calendar;
pub mod campaigns;
pub mod catalogue;
pub mod communes;
pub mod countries;
pub mod definition;
pub mod describe;
pub mod editor;
pub mod example;
pub mod export;
pub mod files;
pub mod formats;
pub mod forms;
pub mod formula;
pub mod inbound;
pub mod intake;
pub mod people;
pub mod places;
pub mod satisfaction;
pub mod saved_query;
pub mod sms;
pub mod stats;
pub mod status;
pub mod steps;
pub mod tenant;
pub mod tracking;
pub mod workflow;
