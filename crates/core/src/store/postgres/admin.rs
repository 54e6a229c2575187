//! What a face may do with a PostgreSQL database today, re-exported at the crate root as
//! `booksygo_core::postgres`: apply the migrations (`booksygo admin migrate`). The store
//! itself stays behind the port.

pub use super::migrations::{MIGRATION_LOCK_KEY, Migrated, SQLITE_VERSION_OF_1, schema_version};
pub use super::redact;
pub use crate::store::copy::Moved;

use crate::error::Result;

/// Connects to `url` and brings its schema up to this build's version, under the migration
/// lock; says what it applied. A malformed URL is invalid input; a database that cannot be
/// reached is `Unavailable`; one with a newer schema is refused. Runs on the blocking pool.
/// `password` is used when the URL has none.
pub async fn migrate(url: String, password: Option<crate::secrets::Secret>) -> Result<Migrated> {
    tokio::task::spawn_blocking(move || {
        super::PgStore::connect_with(&url, password.as_ref())?.migrate()
    })
    .await?
}

/// Copies the SQLite store at `from` into the empty PostgreSQL database at `url` in one
/// transaction, checking row counts and money and points sums on both sides before it
/// commits (`booksygo admin migrate-data`). Refused, with nothing written, when the target
/// holds rows. Runs on the blocking pool.
/// `from` is `sqlite:PATH` or a path; `url` a PostgreSQL URL.
pub async fn migrate_data(
    from: String,
    url: String,
    password: Option<crate::secrets::Secret>,
) -> Result<Moved> {
    let crate::store::Location::Sqlite(from) = crate::store::Location::parse(&from)? else {
        return Err(crate::Error::invalid(
            "the store to copy from is a SQLite file: write sqlite:PATH",
        ));
    };
    tokio::task::spawn_blocking(move || {
        crate::store::copy::sqlite_to_postgres(&from, &url, password.as_ref())
    })
    .await?
}
