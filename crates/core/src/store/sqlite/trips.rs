//! A traveller's trips on SQLite: `trips` and `trip_bookings`, every read of a trip filtered by
//! its owner.

use crate::error::Result;
use crate::store::port::Trips;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};

impl Trips for Connection {
    fn create(
        &self,
        id: &str,
        user: &str,
        name: &str,
        starts_on: Option<Date>,
        ends_on: Option<Date>,
        budget: Option<i64>,
        currency: &str,
        at: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO trips(id, user_id, name, starts_on, ends_on, budget, currency, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, user, name, starts_on.map(|d| d.to_string()), ends_on.map(|d| d.to_string()), budget, currency, at],
        )?;
        Ok(())
    }

    fn is_owner(&self, trip: &str, user: &str) -> Result<bool> {
        Ok(self
            .query_row(
                "SELECT 1 FROM trips WHERE id = ?1 AND user_id = ?2",
                params![trip, user],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn add_booking(&self, trip: &str, booking: &str) -> Result<bool> {
        let written = self.execute(
            "INSERT OR IGNORE INTO trip_bookings(trip_id, booking_id) VALUES (?1, ?2)",
            params![trip, booking],
        )?;
        Ok(written == 1)
    }

    fn trip_ids(&self, user: &str) -> Result<Vec<String>> {
        Ok(self
            .prepare_cached("SELECT id FROM trips WHERE user_id = ?1 ORDER BY coalesce(starts_on, '9999'), created_at")?
            .query_map([user], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn trip(
        &self,
        id: &str,
        user: &str,
    ) -> Result<Option<(String, Option<String>, Option<String>, Option<i64>, String)>> {
        Ok(self
            .query_row(
                "SELECT name, starts_on, ends_on, budget, currency FROM trips WHERE id = ?1 AND user_id = ?2",
                params![id, user],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, Option<i64>>(3)?, r.get::<_, String>(4)?)),
            )
            .optional()?)
    }

    fn booking_ids(&self, trip: &str) -> Result<Vec<String>> {
        Ok(self
            .prepare_cached("SELECT booking_id FROM trip_bookings WHERE trip_id = ?1")?
            .query_map([trip], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }
}
