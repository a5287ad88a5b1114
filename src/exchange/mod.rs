//! Exchange with business software. `file.rs` writes a stored request as
//! an XML request file (what `guichet export` writes and `GetRequestFile`
//! returns); `api.rs` describes the exchange API — its operations, their
//! parameters, types and faults — once, for the WSDL the SOAP channel
//! generates and for the documentation page the web channel shows.

pub mod api;
pub mod file;

pub use file::request_file;
