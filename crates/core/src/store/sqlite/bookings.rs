//! Booking statuses on SQLite: `UPDATE .. WHERE id = ? AND status = <from>`, row count checked.

use crate::error::Result;
use crate::store::port::Bookings;
use rusqlite::{Connection, OptionalExtension, params};

impl Bookings for Connection {
    fn status(&self, booking: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .prepare_cached("SELECT status, user_id FROM bookings WHERE id = ?1")?
            .query_row([booking], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn move_status(
        &self,
        booking: &str,
        from: &str,
        to: &str,
        reason: &str,
        at: i64,
    ) -> Result<bool> {
        let moved = self
            .prepare_cached(
                "UPDATE bookings SET status = ?1, updated_at = ?2 WHERE id = ?3 AND status = ?4",
            )?
            .execute(params![to, at, booking, from])?;
        if moved != 1 {
            return Ok(false);
        }
        self.prepare_cached(
            "INSERT INTO booking_audit(booking_id, from_status, to_status, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![booking, from, to, reason, at])?;
        Ok(true)
    }

    fn audit_created(&self, booking: &str, at: i64) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO booking_audit(booking_id, from_status, to_status, reason, at)
             VALUES (?1, NULL, 'PENDING', 'created', ?2)",
        )?
        .execute(params![booking, at])?;
        Ok(())
    }
}
