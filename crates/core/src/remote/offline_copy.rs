//! This machine's copy of the bookings made on team servers: written by every remote command
//! that sees a booking, read by `bookings list --offline`.

use super::RemoteAgency;
use crate::booking::Booking;
use crate::error::Result;
use crate::store::Store;

/// This machine's copy of the bookings made on team servers, kept by every remote command so
/// that `booksygo --offline bookings list` works with the server out of reach.
#[derive(Clone)]
pub struct OfflineCopy {
    store: Store,
}

impl OfflineCopy {
    /// The copy in the database at `path` (this machine's, usually `Paths::database()`).
    pub fn open(path: &std::path::Path) -> Result<OfflineCopy> {
        Ok(OfflineCopy {
            store: Store::open(path)?,
        })
    }

    /// The bookings made on `server` as `account`, in the server's order (by start date,
    /// then as booked).
    pub fn bookings(&self, server: &str, account: &str) -> Result<Vec<Booking>> {
        let conn = self.store.conn()?;
        let mut stmt = conn.prepare(
            "SELECT body FROM remote_bookings WHERE server = ?1 AND account = ?2
             ORDER BY starts_on, created_at, rowid",
        )?;
        let rows = stmt.query_map(rusqlite::params![server, account], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for body in rows {
            out.push(serde_json::from_str(&body?)?);
        }
        Ok(out)
    }
}

impl RemoteAgency {
    /// Keeps the offline copy of bookings up to date, in the order given (best effort: a full disk must not fail
    /// the booking the server already made).
    pub(super) fn remember(&self, bookings: &[Booking]) {
        let Some(OfflineCopy { store }) = &self.inner.cache else {
            return;
        };
        let write = || -> Result<()> {
            let mut conn = store.conn()?;
            let tx = conn.transaction()?;
            let now = jiff::Timestamp::now().as_second();
            for b in bookings {
                tx.execute(
                    "INSERT INTO remote_bookings
                       (server, account, id, body, starts_on, created_at, synced_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (server, account, id)
                     DO UPDATE SET body = excluded.body, synced_at = excluded.synced_at",
                    rusqlite::params![
                        self.inner.url,
                        self.inner.email,
                        b.id,
                        serde_json::to_string(b)?,
                        b.starts_on.to_string(),
                        b.created_at.to_string(),
                        now
                    ],
                )?;
            }
            tx.commit()?;
            Ok(())
        };
        if let Err(e) = write() {
            eprintln!("warning: could not keep an offline copy of your bookings: {e}");
        }
    }

    pub(super) fn remembered(&self, b: Booking) -> Booking {
        self.remember(std::slice::from_ref(&b));
        b
    }
}
