//! Counted attempts on SQLite: one upsert takes the count and opens a new window when the last
//! one is over.

use crate::error::Result;
use crate::store::port::Limits;
use rusqlite::{Connection, params};

impl Limits for Connection {
    fn count(&self, key: &str, now: i64, window: i64) -> Result<(i64, i64)> {
        Ok(self
            .prepare_cached(
                "INSERT INTO login_attempts(key, attempts, window_start) VALUES (?1, 1, ?2)
                 ON CONFLICT(key) DO UPDATE SET
                     attempts = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE attempts + 1 END,
                     window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END
                 RETURNING attempts, window_start",
            )?
            .query_row(params![key, now, window], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    fn forget(&self, key: &str) -> Result<()> {
        self.prepare_cached("DELETE FROM login_attempts WHERE key = ?1")?
            .execute([key])?;
        Ok(())
    }

    fn give_back(&self, key: &str) -> Result<()> {
        self.prepare_cached(
            "UPDATE login_attempts SET attempts = attempts - 1 WHERE key = ?1 AND attempts > 0",
        )?
        .execute([key])?;
        Ok(())
    }
}
