//! Webhook subscriptions on SQLite: the lease is two columns (`lease_owner`, `lease_until`)
//! taken and renewed by conditional updates.

use crate::error::Result;
use crate::store::port::{Delivered, Subscriptions, Webhook};
use rusqlite::{Connection, OptionalExtension, params};

impl Subscriptions for Connection {
    fn insert(
        &self,
        id: &str,
        url: &str,
        events: &[String],
        secret: &str,
        start: i64,
        created_by: &str,
        at: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO webhooks (id, url, events, secret, delivered_seq, failures, next_attempt_at, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6, ?7)",
            params![id, url, events.join(","), secret, start, created_by, at],
        )?;
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Webhook>> {
        Ok(self
            .query_row(
                "SELECT id, url, events, delivered_seq, failures, last_error, next_attempt_at, created_at
                 FROM webhooks WHERE id = ?1",
                [id],
                from_row,
            )
            .optional()?)
    }

    fn list(&self) -> Result<Vec<Webhook>> {
        let mut stmt = self.prepare(
            "SELECT id, url, events, delivered_seq, failures, last_error, next_attempt_at, created_at
             FROM webhooks ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn delete(&self, id: &str) -> Result<bool> {
        Ok(self.execute("DELETE FROM webhooks WHERE id = ?1", [id])? == 1)
    }

    fn due(&self, now: i64) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .prepare("SELECT id, secret FROM webhooks WHERE next_attempt_at <= ?1 ORDER BY id")?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn lease(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "UPDATE webhooks SET lease_owner = ?2, lease_until = ?3
                 WHERE id = ?1 AND (lease_until <= ?4 OR lease_owner = ?2)",
            )?
            .execute(params![id, owner, until, at])?
            == 1)
    }

    fn renew(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "UPDATE webhooks SET lease_until = ?3
                 WHERE id = ?1 AND lease_owner = ?2 AND lease_until > ?4",
            )?
            .execute(params![id, owner, until, at])?
            == 1)
    }

    fn settle(&self, id: &str, owner: &str, cursor: i64, outcome: &Delivered) -> Result<()> {
        match outcome {
            Delivered::All => self.execute(
                "UPDATE webhooks SET delivered_seq = ?2, failures = 0, last_error = NULL, next_attempt_at = 0, lease_until = 0
                 WHERE id = ?1 AND lease_owner = ?3",
                params![id, cursor, owner],
            )?,
            Delivered::Failed {
                why,
                failures,
                retry_at,
            } => self.execute(
                "UPDATE webhooks SET delivered_seq = ?2, failures = ?3, last_error = ?4, next_attempt_at = ?5, lease_until = 0
                 WHERE id = ?1 AND lease_owner = ?6",
                params![id, cursor, failures, why, retry_at, owner],
            )?,
        };
        Ok(())
    }
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: r.get(0)?,
        url: r.get(1)?,
        events: r
            .get::<_, String>(2)?
            .split(',')
            .map(str::to_string)
            .collect(),
        secret: None,
        delivered_seq: r.get(3)?,
        failures: r.get(4)?,
        last_error: r.get(5)?,
        next_attempt_at: r.get(6)?,
        created_at: r.get(7)?,
    })
}
