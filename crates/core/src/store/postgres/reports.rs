//! Figures over many rows for analytics and the admin's view, on PostgreSQL: counts and sums by
//! `GROUP BY`, one statement per figure. PostgreSQL's `sum` of a BIGINT is a NUMERIC: every
//! figure is cast back to BIGINT. Text orders are byte orders (`COLLATE "C"`), as on SQLite.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::*;

/// Bookings that count as sold.
const LIVE: &str = "status IN ('CONFIRMED', 'COMPLETED')";

impl Reports for PgUnit<'_> {
    fn user_count(&self) -> Result<i64> {
        get(&self.query_one("SELECT count(*) FROM users", &[])?, 0)
    }

    fn bookings_since(&self, since: i64) -> Result<(i64, i64)> {
        let r = self.query_one(
            &format!(
                "SELECT count(*), coalesce(sum(CASE WHEN {LIVE} THEN 1 ELSE 0 END), 0)::BIGINT
                 FROM bookings WHERE created_at >= $1"
            ),
            &[&since],
        )?;
        Ok((get(&r, 0)?, get(&r, 1)?))
    }

    fn bookings_by_day(&self, since: i64) -> Result<Vec<DayFigures>> {
        // The day (UTC) of an epoch second, as SQLite's date(x, 'unixepoch') writes it.
        self.query(
            &format!(
                "SELECT d, currency, count(*),
                        sum(CASE WHEN {LIVE} THEN 1 ELSE 0 END)::BIGINT,
                        sum(CASE WHEN status IN ('CANCELLED', 'REFUNDED') THEN 1 ELSE 0 END)::BIGINT,
                        sum(CASE WHEN {LIVE} THEN total ELSE 0 END)::BIGINT
                 FROM (SELECT to_char(to_timestamp(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d,
                              currency, status, total
                       FROM bookings WHERE created_at >= $1) b
                 GROUP BY d, currency ORDER BY d COLLATE \"C\", currency COLLATE \"C\""
            ),
            &[&since],
        )?
        .iter()
        .map(|r| {
            Ok(DayFigures {
                date: get(r, 0)?,
                currency: get(r, 1)?,
                created: get(r, 2)?,
                confirmed: get(r, 3)?,
                cancelled: get(r, 4)?,
                revenue: get(r, 5)?,
            })
        })
        .collect()
    }

    fn live_flights_since(&self, since: i64) -> Result<Vec<String>> {
        self.query(
            "SELECT i.payload FROM booking_items i JOIN bookings b ON b.id = i.booking_id
             WHERE i.kind = 'flight' AND b.status IN ('CONFIRMED', 'COMPLETED') AND b.created_at >= $1
             ORDER BY b.created_at, b.ord, i.seq",
            &[&since],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn events_by_type(&self, since: i64) -> Result<Vec<(String, i64)>> {
        self.query(
            "SELECT type, count(*) FROM events WHERE created_at >= $1
             GROUP BY type ORDER BY type COLLATE \"C\"",
            &[&since],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn all_bookings(&self, status: Option<&str>) -> Result<Vec<(String, String)>> {
        // `ord` (insertion order) is what SQLite's rowid breaks ties with.
        self.query(
            "SELECT user_id, id FROM bookings WHERE ($1::TEXT IS NULL OR status = $1)
             ORDER BY starts_on COLLATE \"C\", created_at, ord",
            &[&status],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn bookings_by_status(&self) -> Result<Vec<(String, i64)>> {
        self.query(
            "SELECT status, count(*) FROM bookings GROUP BY status ORDER BY status COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn answers(&self) -> Result<()> {
        self.query_one("SELECT 1", &[]).map(drop)
    }
}
