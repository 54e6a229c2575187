//! Idempotency keys on SQLite: a claim is `INSERT .. ON CONFLICT DO NOTHING`; every other
//! change is an `UPDATE`/`DELETE` conditional on the claim's `created_at` and `response`.

use crate::error::Result;
use crate::store::port::{KeyRecord, KeyRef, Keys};
use rusqlite::{Connection, OptionalExtension, params};

impl Keys for Connection {
    fn claim(&self, k: &KeyRef<'_>, hash: &str, booking: Option<&str>, at: i64) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "INSERT INTO idempotency(scope, key, user_id, request_hash, response, created_at, booking_id)
                 VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?6)
                 ON CONFLICT(scope, user_id, key) DO NOTHING",
            )?
            .execute(params![k.scope, k.key, k.user, hash, at, booking])?
            == 1)
    }

    fn record(&self, k: &KeyRef<'_>) -> Result<Option<KeyRecord>> {
        Ok(self
            .prepare_cached(
                "SELECT request_hash, response, created_at, booking_id FROM idempotency
                 WHERE scope = ?1 AND user_id = ?2 AND key = ?3",
            )?
            .query_row(params![k.scope, k.user, k.key], |r| {
                Ok(KeyRecord {
                    request_hash: r.get(0)?,
                    response: r.get(1)?,
                    taken_at: r.get(2)?,
                    booking: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn take_over(
        &self,
        k: &KeyRef<'_>,
        seen: &KeyRecord,
        hash: &str,
        booking: Option<&str>,
        at: i64,
    ) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "UPDATE idempotency SET request_hash = ?4, response = 'in_progress', created_at = ?5, booking_id = ?6
                 WHERE scope = ?1 AND user_id = ?2 AND key = ?3 AND response = ?7 AND created_at = ?8",
            )?
            .execute(params![
                k.scope,
                k.user,
                k.key,
                hash,
                at,
                booking,
                seen.response,
                seen.taken_at
            ])?
            == 1)
    }

    fn tie(&self, k: &KeyRef<'_>, taken_at: i64, booking: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "UPDATE idempotency SET booking_id = ?4 WHERE scope = ?1 AND user_id = ?2 AND key = ?3
                 AND created_at = ?5 AND response = 'in_progress' AND booking_id IS NULL",
            )?
            .execute(params![k.scope, k.user, k.key, booking, taken_at])?
            == 1)
    }

    fn answer(&self, k: &KeyRef<'_>, taken_at: i64, response: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "UPDATE idempotency SET response = ?4 WHERE scope = ?1 AND user_id = ?2 AND key = ?3
                 AND created_at = ?5 AND response = 'in_progress'",
            )?
            .execute(params![k.scope, k.user, k.key, response, taken_at])?
            == 1)
    }

    fn free(&self, k: &KeyRef<'_>, taken_at: i64) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "DELETE FROM idempotency WHERE scope = ?1 AND user_id = ?2 AND key = ?3 AND booking_id IS NULL
                 AND created_at = ?4 AND response = 'in_progress'",
            )?
            .execute(params![k.scope, k.user, k.key, taken_at])?
            == 1)
    }
}
