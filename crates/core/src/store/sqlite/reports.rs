//! Figures over many rows for analytics and the admin's view, on SQLite: counts and sums by
//! `GROUP BY`, one statement per figure.

use crate::error::Result;
use crate::store::port::{DayFigures, Reports};
use rusqlite::{Connection, params};

/// Bookings that count as sold.
const LIVE: &str = "status IN ('CONFIRMED', 'COMPLETED')";

impl Reports for Connection {
    fn user_count(&self) -> Result<i64> {
        Ok(self.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
    }

    fn bookings_since(&self, since: i64) -> Result<(i64, i64)> {
        let live = LIVE;
        Ok(self.query_row(
            &format!("SELECT count(*), coalesce(sum(CASE WHEN {live} THEN 1 ELSE 0 END), 0) FROM bookings WHERE created_at >= ?1"),
            [since],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    fn bookings_by_day(&self, since: i64) -> Result<Vec<DayFigures>> {
        let live = LIVE;
        let mut stmt = self.prepare(&format!(
            "SELECT date(created_at, 'unixepoch') AS d, currency, count(*),
                    sum(CASE WHEN {live} THEN 1 ELSE 0 END),
                    sum(CASE WHEN status IN ('CANCELLED', 'REFUNDED') THEN 1 ELSE 0 END),
                    sum(CASE WHEN {live} THEN total ELSE 0 END)
             FROM bookings WHERE created_at >= ?1 GROUP BY d, currency ORDER BY d"
        ))?;
        let rows = stmt.query_map(params![since], |r| {
            Ok(DayFigures {
                date: r.get(0)?,
                currency: r.get(1)?,
                created: r.get(2)?,
                confirmed: r.get(3)?,
                cancelled: r.get(4)?,
                revenue: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn live_flights_since(&self, since: i64) -> Result<Vec<String>> {
        let live = LIVE;
        let mut stmt = self.prepare(&format!(
            "SELECT i.payload FROM booking_items i JOIN bookings b ON b.id = i.booking_id
             WHERE i.kind = 'flight' AND b.{live} AND b.created_at >= ?1"
        ))?;
        let rows = stmt.query_map([since], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn events_by_type(&self, since: i64) -> Result<Vec<(String, i64)>> {
        let mut stmt =
            self.prepare("SELECT type, count(*) FROM events WHERE created_at >= ?1 GROUP BY type")?;
        let rows = stmt.query_map([since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn all_bookings(&self, status: Option<&str>) -> Result<Vec<(String, String)>> {
        Ok(self
            .prepare(
                "SELECT user_id, id FROM bookings WHERE (?1 IS NULL OR status = ?1)
                 ORDER BY starts_on, created_at, rowid",
            )?
            .query_map(params![status], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn bookings_by_status(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.prepare_cached(
            "SELECT status, count(*) FROM bookings GROUP BY status ORDER BY status",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn answers(&self) -> Result<()> {
        Ok(self
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .map(drop)?)
    }
}
