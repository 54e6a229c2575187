//! The one error type of the core, and the kinds the faces map to exit codes and statuses.

use serde::Serialize;

/// What went wrong, in the terms a face needs to react: CLI exit code, HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request is wrong: fix the input (exit 2, HTTP 400/422).
    InvalidInput,
    /// The thing asked for does not exist (exit 3, HTTP 404).
    NotFound,
    /// A session or credentials are needed (exit 4, HTTP 401).
    AuthRequired,
    /// Logged in, but this account may not do that (exit 4, HTTP 403).
    Forbidden,
    /// The request conflicts with the current state: sold out, already cancelled (exit 2, HTTP 409).
    Conflict,
    /// Every supplier that could answer failed (exit 5, HTTP 502).
    SuppliersFailed,
    /// A service we need did not answer: the team server in remote mode (exit 5, HTTP 503).
    Unavailable,
    /// Too many attempts: wait and try again (exit 5, HTTP 429 with Retry-After).
    RateLimited,
    /// A bug or an environment problem on our side (exit 1, HTTP 500).
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    Invalid {
        message: String,
        /// "Did you mean" candidates, best first.
        suggestions: Vec<String>,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AuthRequired(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("every supplier failed: {}", .0.join("; "))]
    SuppliersFailed(Vec<String>),
    #[error("{0}")]
    Unavailable(String),
    #[error("{message}")]
    RateLimited {
        message: String,
        /// Seconds until the next attempt may succeed.
        retry_after: u64,
    },
    /// The database failed (not the request): whatever engine is behind the storage port
    /// turns its own errors into this.
    #[error("database error: {message}")]
    Storage {
        message: String,
        /// The engine stopped the statement because its time budget ran out.
        interrupted: bool,
    },
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            suggestions: Vec::new(),
        }
    }

    pub fn invalid_with(message: impl Into<String>, suggestions: Vec<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            suggestions,
        }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Error::Internal(message.to_string())
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid { .. } => ErrorKind::InvalidInput,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::AuthRequired(_) => ErrorKind::AuthRequired,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::SuppliersFailed(_) => ErrorKind::SuppliersFailed,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Storage { .. } | Error::Internal(_) => ErrorKind::Internal,
        }
    }

    pub fn suggestions(&self) -> &[String] {
        match self {
            Error::Invalid { suggestions, .. } => suggestions,
            _ => &[],
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Internal(format!("i/o error: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("json error: {e}"))
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Internal(format!("background task failed: {e}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
