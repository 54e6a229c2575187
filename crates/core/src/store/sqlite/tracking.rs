//! Analytics on SQLite.

use crate::error::Result;
use crate::store::port::{BookingFact, PackageSaleRow, Tracked, TrackedRow, Tracking};
use rusqlite::{Connection, params};

impl Tracking for Connection {
    fn record(&self, events: &[Tracked<'_>]) -> Result<()> {
        let mut stmt = self.prepare_cached(
            "INSERT INTO tracked_events (id, user_id, name, route, provider, package, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for e in events {
            stmt.execute(params![
                e.id, e.user, e.name, e.route, e.provider, e.package, e.at
            ])?;
        }
        Ok(())
    }

    fn tracked(&self, from: i64, to: i64) -> Result<Vec<TrackedRow>> {
        let mut stmt = self.prepare_cached(
            "SELECT name, at, route, provider, package FROM tracked_events
             WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([from, to], |r| {
            Ok(TrackedRow {
                name: r.get(0)?,
                at: r.get(1)?,
                route: r.get(2)?,
                provider: r.get(3)?,
                package: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn booking_facts(&self, from: i64, to: i64) -> Result<Vec<BookingFact>> {
        let mut stmt = self.prepare_cached(
            "SELECT b.id, b.created_at, b.status, b.currency, b.total, b.refunded,
                    EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded'),
                    i.kind, i.provider, i.offer_id, i.payload
             FROM bookings b JOIN booking_items i ON i.booking_id = b.id
             WHERE b.created_at >= ?1 AND b.created_at < ?2
               AND i.seq = (SELECT MIN(seq) FROM booking_items j WHERE j.booking_id = b.id)
             ORDER BY b.created_at, b.id",
        )?;
        let rows = stmt.query_map([from, to], |r| {
            Ok(BookingFact {
                id: r.get(0)?,
                created_at: r.get(1)?,
                status: r.get(2)?,
                currency: r.get(3)?,
                total: r.get(4)?,
                refunded: r.get(5)?,
                paid: r.get(6)?,
                kind: r.get(7)?,
                provider: r.get(8)?,
                offer_id: r.get(9)?,
                details: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn owned_packages(&self, owner: &str) -> Result<Vec<(String, String)>> {
        let mut stmt =
            self.prepare_cached("SELECT id, title FROM packages WHERE owner_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([owner], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn package_sales(&self, owner: &str, from: i64, to: i64) -> Result<Vec<PackageSaleRow>> {
        let mut stmt = self.prepare_cached(
            "SELECT b.id, i.offer_id, b.status, b.currency, i.price,
                    EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded'),
                    (SELECT COUNT(*) FROM booking_passengers t WHERE t.booking_id = b.id)
             FROM packages k
             JOIN booking_items i ON i.kind = 'package' AND i.offer_id = k.id
             JOIN bookings b ON b.id = i.booking_id
             WHERE k.owner_id = ?1 AND b.created_at >= ?2 AND b.created_at < ?3
             ORDER BY b.created_at, b.id, i.seq",
        )?;
        let rows = stmt.query_map(params![owner, from, to], |r| {
            Ok(PackageSaleRow {
                booking_id: r.get(0)?,
                package_id: r.get(1)?,
                status: r.get(2)?,
                currency: r.get(3)?,
                price: r.get(4)?,
                paid: r.get(5)?,
                travellers: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn revenue_by_currency(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.prepare_cached(
            "SELECT b.currency, SUM(b.total - b.refunded) FROM bookings b
             WHERE EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded')
             GROUP BY b.currency ORDER BY b.currency",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn searches_by_provider(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.prepare_cached(
            "SELECT COALESCE(provider, ''), COUNT(*) FROM tracked_events WHERE name = 'search'
             GROUP BY COALESCE(provider, '') ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
