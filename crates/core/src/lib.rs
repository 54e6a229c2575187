//! BooksyGo core: every business rule of the travel agent, behind the [`Agency`] facade.
//!
//! Faces (CLI, TUI, server, MCP) hold an `Arc<dyn Agency>` and never reach past it.

#![forbid(unsafe_code)]

pub mod accounts;
pub mod admin;
pub mod agency;
pub mod ai;
pub mod analytics;
pub mod booking;
pub mod config;
pub mod crypto;
pub mod error;
pub mod events;
pub mod faults;
pub mod files;
pub mod fixtures;
/// Timing for the parser fuzz tests (`scripts/fuzz.sh`).
#[cfg(any(test, feature = "test-support"))]
pub mod fuzzing;
pub mod geo;
pub mod ids;
pub mod local;
pub mod model;
pub mod notify;
pub mod places;
pub mod points;
pub mod profile;
pub mod providers;
pub mod proxies;
pub mod remote;
pub mod roles;
pub mod sales;
pub mod search;
pub mod secrets;
pub mod signature;
// The storage port is core's own: faces reach the data only through the facade and the
// services beside it. The workspace's tests open it with the `test-support` feature.
#[cfg(feature = "test-support")]
pub mod store;
#[cfg(not(feature = "test-support"))]
pub(crate) mod store;
pub mod team;
pub mod trips;
pub mod webhooks;

pub use agency::Agency;
pub use error::{Error, ErrorKind, Result};
pub use local::{LOCAL_USER, LocalAgency, LocalOptions};
pub use remote::RemoteAgency;
/// Copies of a SQLite store taken while it serves, and putting one back (`booksygo admin
/// backup` and `restore`).
pub use store::backup;
/// PostgreSQL for the faces: applying its migrations (`booksygo admin migrate`).
pub use store::postgres::admin as postgres;
