//! A traveller's trips on PostgreSQL: `trips` and `trip_bookings`, every read of a trip
//! filtered by its owner. A booking is in a trip once: `(trip_id, booking_id)` is the primary
//! key and adding is `INSERT .. ON CONFLICT DO NOTHING` (a concurrent add of the same pair
//! waits for the first, then inserts nothing: row count 0).

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::*;
use jiff::civil::Date;

impl Trips for PgUnit<'_> {
    #[allow(clippy::too_many_arguments)]
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
        let starts_on = starts_on.map(|d| d.to_string());
        let ends_on = ends_on.map(|d| d.to_string());
        self.execute(
            "INSERT INTO trips(id, user_id, name, starts_on, ends_on, budget, currency, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id, &user, &name, &starts_on, &ends_on, &budget, &currency, &at,
            ],
        )?;
        Ok(())
    }

    fn is_owner(&self, trip: &str, user: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM trips WHERE id = $1 AND user_id = $2",
                &[&trip, &user],
            )?
            .is_some())
    }

    fn add_booking(&self, trip: &str, booking: &str) -> Result<bool> {
        let written = self.execute(
            "INSERT INTO trip_bookings(trip_id, booking_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&trip, &booking],
        )?;
        Ok(written == 1)
    }

    fn trip_ids(&self, user: &str) -> Result<Vec<String>> {
        self.query(
            "SELECT id FROM trips WHERE user_id = $1
             ORDER BY coalesce(starts_on, '9999') COLLATE \"C\", created_at",
            &[&user],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    #[allow(clippy::type_complexity)]
    fn trip(
        &self,
        id: &str,
        user: &str,
    ) -> Result<Option<(String, Option<String>, Option<String>, Option<i64>, String)>> {
        self.query_opt(
            "SELECT name, starts_on, ends_on, budget, currency FROM trips WHERE id = $1 AND user_id = $2",
            &[&id, &user],
        )?
        .map(|r| Ok((get(&r, 0)?, get(&r, 1)?, get(&r, 2)?, get(&r, 3)?, get(&r, 4)?)))
        .transpose()
    }

    fn booking_ids(&self, trip: &str) -> Result<Vec<String>> {
        // SQLite reads them in its primary key's order (booking id, bytewise).
        self.query(
            "SELECT booking_id FROM trip_bookings WHERE trip_id = $1 ORDER BY booking_id COLLATE \"C\"",
            &[&trip],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }
}
