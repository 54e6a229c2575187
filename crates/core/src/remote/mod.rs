//! `RemoteAgency`: the [`Agency`](crate::Agency) facade over a team server's HTTP API.
//!
//! The CLI and the TUI hold an `Arc<dyn Agency>`; in remote mode it is this type, so every
//! command works the same against a server. Access tokens are refreshed transparently (the
//! server rotates refresh tokens, so each new one is saved at once through [`SessionStore`]);
//! an expired session is [`Error::AuthRequired`](crate::Error::AuthRequired) with the command that fixes it. Every booking
//! the server returns is also written to the local store, so `bookings list --offline` works
//! without a network ([`offline_bookings`]).
//!
//! `session` logs in and out and keeps the tokens fresh, `http` talks to the server,
//! `offline_copy` keeps this machine's copy of the bookings, `agency` maps each facade call to
//! a route.

mod agency;
mod http;
mod offline_copy;
mod session;

pub use http::normalise_url;
pub use offline_copy::OfflineCopy;
pub use session::{SESSION_SECRET, Session, SessionStore, login, register};

use crate::error::Result;
use http::client;
use std::sync::Arc;

/// The team server behind the [`Agency`](crate::Agency) facade.
#[derive(Clone)]
pub struct RemoteAgency {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    url: String,
    email: String,
    session: tokio::sync::Mutex<Session>,
    persist: SessionStore,
    cache: Option<OfflineCopy>,
}

impl RemoteAgency {
    /// An agency on `session`'s server. `persist` saves rotated tokens; `cache` keeps the
    /// offline copy of bookings.
    pub fn new(
        session: Session,
        persist: SessionStore,
        cache: Option<OfflineCopy>,
    ) -> Result<Self> {
        Ok(RemoteAgency {
            inner: Arc::new(Inner {
                http: client()?,
                url: session.url.clone(),
                email: session.email.clone(),
                session: tokio::sync::Mutex::new(session),
                persist,
                cache,
            }),
        })
    }

    pub fn url(&self) -> &str {
        &self.inner.url
    }

    pub fn email(&self) -> &str {
        &self.inner.email
    }
}
