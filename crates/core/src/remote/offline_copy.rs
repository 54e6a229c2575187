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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::{BookingStatus, PassengerInput};
    use crate::model::{Currency, Money, PassengerType};

    #[test]
    fn the_offline_copy_keeps_no_document_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("client.db");
        let cache = OfflineCopy::open(&path).unwrap();
        let session =
            super::super::Session::new("http://127.0.0.1:9", "ada@example.com", "a", "r", 0);
        let agency = RemoteAgency::new(session, None, Some(cache.clone())).unwrap();
        let eur = |v| Money::new(v, Currency::EUR);
        let day: jiff::civil::Date = "2027-03-14".parse().unwrap();
        let booking = Booking {
            id: "bkg_1".into(),
            status: BookingStatus::Confirmed,
            confirmation_code: "ABC123".into(),
            contact_email: "ada@example.com".into(),
            total: eur(100_00),
            tax: eur(0),
            list_total: eur(100_00),
            points_redeemed: 0,
            points_value: eur(0),
            amount_due: eur(100_00),
            refunded: eur(0),
            starts_on: day,
            ends_on: day,
            items: Vec::new(),
            passengers: vec![PassengerInput {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                born_on: "1990-12-10".parse().unwrap(),
                kind: Some(PassengerType::Adult),
                document: Some("X1234567".into()),
                gender: None,
            }],
            payments: Vec::new(),
            history: Vec::new(),
            date_changes: Vec::new(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            next_action: None,
        };
        agency.remember(std::slice::from_ref(&booking));
        let kept = cache
            .bookings("http://127.0.0.1:9", "ada@example.com")
            .unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].passengers[0].family_name, "Lovelace");
        assert_eq!(kept[0].passengers[0].document, None);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(dir.path().join("client.db-wal")).unwrap_or_default());
        assert!(!String::from_utf8_lossy(&bytes).contains("X1234567"));
    }
}
