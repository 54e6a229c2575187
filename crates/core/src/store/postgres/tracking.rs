//! Analytics on PostgreSQL.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::*;

impl Tracking for PgUnit<'_> {
    fn record(&self, events: &[Tracked<'_>]) -> Result<()> {
        for e in events {
            self.execute(
                "INSERT INTO tracked_events (id, user_id, name, route, provider, package, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &e.id,
                    &e.user,
                    &e.name,
                    &e.route,
                    &e.provider,
                    &e.package,
                    &e.at,
                ],
            )?;
        }
        Ok(())
    }

    fn tracked(&self, from: i64, to: i64) -> Result<Vec<TrackedRow>> {
        self.query(
            "SELECT name, at, route, provider, package FROM tracked_events
             WHERE at >= $1 AND at < $2 ORDER BY at, id",
            &[&from, &to],
        )?
        .iter()
        .map(|r| {
            Ok(TrackedRow {
                name: get(r, 0)?,
                at: get(r, 1)?,
                route: get(r, 2)?,
                provider: get(r, 3)?,
                package: get(r, 4)?,
            })
        })
        .collect()
    }

    fn booking_facts(&self, from: i64, to: i64) -> Result<Vec<BookingFact>> {
        self.query(
            "SELECT b.id, b.created_at, b.status, b.currency, b.total, b.refunded,
                    EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded'),
                    i.kind, i.provider, i.offer_id, i.payload
             FROM bookings b JOIN booking_items i ON i.booking_id = b.id
             WHERE b.created_at >= $1 AND b.created_at < $2
               AND i.seq = (SELECT MIN(seq) FROM booking_items j WHERE j.booking_id = b.id)
             ORDER BY b.created_at, b.id",
            &[&from, &to],
        )?
        .iter()
        .map(|r| {
            Ok(BookingFact {
                id: get(r, 0)?,
                created_at: get(r, 1)?,
                status: get(r, 2)?,
                currency: get(r, 3)?,
                total: get(r, 4)?,
                refunded: get(r, 5)?,
                paid: get(r, 6)?,
                kind: get(r, 7)?,
                provider: get(r, 8)?,
                offer_id: get(r, 9)?,
                details: get(r, 10)?,
            })
        })
        .collect()
    }

    fn owned_packages(&self, owner: &str) -> Result<Vec<(String, String)>> {
        self.query(
            "SELECT id, title FROM packages WHERE owner_id = $1 ORDER BY id",
            &[&owner],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn package_sales(&self, owner: &str, from: i64, to: i64) -> Result<Vec<PackageSaleRow>> {
        self.query(
            "SELECT b.id, i.offer_id, b.status, b.currency, i.price,
                    EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded'),
                    (SELECT COUNT(*) FROM booking_passengers t WHERE t.booking_id = b.id)
             FROM packages k
             JOIN booking_items i ON i.kind = 'package' AND i.offer_id = k.id
             JOIN bookings b ON b.id = i.booking_id
             WHERE k.owner_id = $1 AND b.created_at >= $2 AND b.created_at < $3
             ORDER BY b.created_at, b.id, i.seq",
            &[&owner, &from, &to],
        )?
        .iter()
        .map(|r| {
            Ok(PackageSaleRow {
                booking_id: get(r, 0)?,
                package_id: get(r, 1)?,
                status: get(r, 2)?,
                currency: get(r, 3)?,
                price: get(r, 4)?,
                paid: get(r, 5)?,
                travellers: get(r, 6)?,
            })
        })
        .collect()
    }

    fn revenue_by_currency(&self) -> Result<Vec<(String, i64)>> {
        self.query(
            "SELECT b.currency, SUM(b.total - b.refunded)::BIGINT FROM bookings b
             WHERE EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded')
             GROUP BY b.currency ORDER BY b.currency COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn searches_by_provider(&self) -> Result<Vec<(String, i64)>> {
        self.query(
            "SELECT COALESCE(provider, ''), COUNT(*) FROM tracked_events WHERE name = 'search'
             GROUP BY COALESCE(provider, '') ORDER BY 1 COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }
}
