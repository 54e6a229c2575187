//! Idempotency keys on PostgreSQL. A claim is `INSERT .. ON CONFLICT DO NOTHING`: of writers
//! inserting one key at once, the later ones wait on the primary key's index until the first
//! commits (then insert nothing) or rolls back (then one of them inserts). Every other change
//! is an `UPDATE`/`DELETE` whose `WHERE` is the record its writer holds (`created_at`,
//! `response`): under READ COMMITTED a writer that waited for another re-reads the row and its
//! condition no longer holds, so it writes nothing and says `false`.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::{KeyRecord, KeyRef, Keys};

impl Keys for PgUnit<'_> {
    fn claim(&self, k: &KeyRef<'_>, hash: &str, booking: Option<&str>, at: i64) -> Result<bool> {
        // Keeps "exactly one claims the key": the conflict on the primary key.
        Ok(self.execute(
            "INSERT INTO idempotency(scope, key, user_id, request_hash, response, created_at, booking_id)
             VALUES ($1, $2, $3, $4, 'in_progress', $5, $6)
             ON CONFLICT (scope, user_id, key) DO NOTHING",
            &[&k.scope, &k.key, &k.user, &hash, &at, &booking],
        )? == 1)
    }

    fn record(&self, k: &KeyRef<'_>) -> Result<Option<KeyRecord>> {
        self.query_opt(
            "SELECT request_hash, response, created_at, booking_id FROM idempotency
             WHERE scope = $1 AND user_id = $2 AND key = $3",
            &[&k.scope, &k.user, &k.key],
        )?
        .map(|r| {
            Ok(KeyRecord {
                request_hash: get(&r, 0)?,
                response: get(&r, 1)?,
                taken_at: get(&r, 2)?,
                booking: get(&r, 3)?,
            })
        })
        .transpose()
    }

    fn take_over(
        &self,
        k: &KeyRef<'_>,
        seen: &KeyRecord,
        hash: &str,
        booking: Option<&str>,
        at: i64,
    ) -> Result<bool> {
        // Keeps "one retry takes an abandoned key over": the WHERE is the record as seen.
        Ok(self.execute(
            "UPDATE idempotency SET request_hash = $4, response = 'in_progress', created_at = $5, booking_id = $6
             WHERE scope = $1 AND user_id = $2 AND key = $3 AND response = $7 AND created_at = $8",
            &[
                &k.scope,
                &k.user,
                &k.key,
                &hash,
                &at,
                &booking,
                &seen.response,
                &seen.taken_at,
            ],
        )? == 1)
    }

    fn tie(&self, k: &KeyRef<'_>, taken_at: i64, booking: &str) -> Result<bool> {
        Ok(self.execute(
            "UPDATE idempotency SET booking_id = $4 WHERE scope = $1 AND user_id = $2 AND key = $3
             AND created_at = $5 AND response = 'in_progress' AND booking_id IS NULL",
            &[&k.scope, &k.user, &k.key, &booking, &taken_at],
        )? == 1)
    }

    fn answer(&self, k: &KeyRef<'_>, taken_at: i64, response: &str) -> Result<bool> {
        Ok(self.execute(
            "UPDATE idempotency SET response = $4 WHERE scope = $1 AND user_id = $2 AND key = $3
             AND created_at = $5 AND response = 'in_progress'",
            &[&k.scope, &k.user, &k.key, &response, &taken_at],
        )? == 1)
    }

    fn free(&self, k: &KeyRef<'_>, taken_at: i64) -> Result<bool> {
        Ok(self.execute(
            "DELETE FROM idempotency WHERE scope = $1 AND user_id = $2 AND key = $3 AND booking_id IS NULL
             AND created_at = $4 AND response = 'in_progress'",
            &[&k.scope, &k.user, &k.key, &taken_at],
        )? == 1)
    }
}
