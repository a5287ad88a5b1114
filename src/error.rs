//! One error type for the binary and its commands.
//!
//! Library modules keep their own precise errors ([`StoreError`],
//! [`DefinitionError`], [`XmlError`](crate::xml::XmlError), …); what reaches
//! `main` is an [`Error`], built from them with `?`, whose message says what
//! went wrong and, where it can, what to do next.

use crate::core::catalogue::DefinitionError;
use crate::store::StoreError;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A setting is missing or wrong; the message names it and its variable.
    #[error("{0}")]
    Config(String),
    /// A command was given something it cannot use (no such tenant, a
    /// malformed reference…); the message says what it expected.
    #[error("{0}")]
    Usage(String),
    /// The machine refused something Guichet needs (threads, sockets, the
    /// random source).
    #[error("{what}: {source}")]
    System {
        what: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Password(#[from] crate::auth::PasswordError),
    #[error("the operating system's random source failed: {0}")]
    Random(#[from] getrandom::Error),
    /// The service library has broken files: each problem, file and line.
    #[error("the service library is refused:\n{}", .0.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n"))]
    Library(Vec<crate::library::FileRefused>),
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl Error {
    /// An error on `path`.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::File { path, source }
    }

    pub fn system(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let what = what.into();
        move |source| Error::System { what, source }
    }
}
