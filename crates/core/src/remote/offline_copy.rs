//! This machine's copy of the bookings made on team servers: written by every remote command
//! that sees a booking, read by `bookings list --offline`.

use super::RemoteAgency;
use crate::booking::Booking;
use crate::error::Result;
use crate::store::Store;
use crate::store::port::RemoteCopy;

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
        let bodies = self
            .store
            .read(|u| u.catalogue().remote_bookings(server, account))?;
        let mut out = Vec::new();
        for body in bodies {
            out.push(serde_json::from_str(&body)?);
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
            let now = jiff::Timestamp::now().as_second();
            let copies = bookings
                .iter()
                .map(|b| {
                    // Document numbers stay on the server: `bookings list --offline` never
                    // shows them, and this copy is not sealed.
                    let mut kept = b.clone();
                    for p in &mut kept.passengers {
                        p.document = None;
                    }
                    Ok(RemoteCopy {
                        id: b.id.clone(),
                        body: serde_json::to_string(&kept)?,
                        starts_on: b.starts_on.to_string(),
                        created_at: b.created_at.to_string(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            store.write(|u| {
                u.catalogue()
                    .keep_remote_bookings(&self.inner.url, &self.inner.email, &copies, now)
            })
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
