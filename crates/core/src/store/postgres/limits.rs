//! Counted attempts on PostgreSQL: one `INSERT .. ON CONFLICT DO UPDATE .. RETURNING` takes
//! the count and opens a new window when the last one is over. PostgreSQL makes that upsert
//! atomic under concurrency (a writer meeting another's uncommitted row waits, then updates
//! the row as committed), so attempts made at the same moment are each counted.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::Limits;

impl Limits for PgUnit<'_> {
    fn count(&self, key: &str, now: i64, window: i64) -> Result<(i64, i64)> {
        // Keeps "each attempt counted": the upsert reads and increments in one statement.
        let row = self.query_one(
            "INSERT INTO login_attempts(key, attempts, window_start) VALUES ($1, 1, $2)
             ON CONFLICT (key) DO UPDATE SET
                 attempts = CASE WHEN login_attempts.window_start <= $2::BIGINT - $3::BIGINT THEN 1 ELSE login_attempts.attempts + 1 END,
                 window_start = CASE WHEN login_attempts.window_start <= $2::BIGINT - $3::BIGINT THEN $2::BIGINT ELSE login_attempts.window_start END
             RETURNING attempts, window_start",
            &[&key, &now, &window],
        )?;
        Ok((get(&row, 0)?, get(&row, 1)?))
    }

    fn forget(&self, key: &str) -> Result<()> {
        self.execute("DELETE FROM login_attempts WHERE key = $1", &[&key])?;
        Ok(())
    }

    fn give_back(&self, key: &str) -> Result<()> {
        // Never below zero: the decrement is conditional on the row as it is when updated.
        self.execute(
            "UPDATE login_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
            &[&key],
        )?;
        Ok(())
    }
}
