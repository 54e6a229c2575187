//! The outbox on PostgreSQL.
//!
//! Readers never skip an event: PostgreSQL commits transactions in any order, so a seq taken
//! as `max(seq) + 1` could commit after a higher one a reader has already passed. Every
//! append therefore takes the advisory lock [`OUTBOX_LOCK_KEY`] right before the statement
//! that computes `max(seq) + 1`: in a write unit (a transaction) it is a transaction lock,
//! held until the commit, so event-writing transactions take their seqs and commit one after
//! another, and the next one's insert (a new statement, so a new snapshot under READ
//! COMMITTED) sees the last one's event. The lock and the insert cannot be one statement:
//! a statement's snapshot is taken before the lock would be granted.
//!
//! On a connection in autocommit (`Store::read`, which the accounts' rules use) a transaction
//! lock ends with its own statement; there the insert runs under the session lock of the same
//! key instead, taken before and given back after the insert, which commits on its own.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::*;

/// The advisory lock around taking a seq: `0x4F7574626F78`, the ASCII bytes of "Outbox" read
/// as a 64-bit integer (87_443_722_842_488). Distinct from the migration lock
/// (`migrations::MIGRATION_LOCK_KEY`). Anything else that appends events must take it.
pub const OUTBOX_LOCK_KEY: i64 = 0x4F75_7462_6F78;

const INSERT: &str = "INSERT INTO events(id, seq, type, subject_id, user_id, payload, created_at)
     SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6 FROM events";

impl Outbox for PgUnit<'_> {
    fn append(&self, e: &NewEvent<'_>) -> Result<()> {
        let id = crate::ids::new("evt");
        let payload = e.payload.to_string();
        self.execute("SELECT pg_advisory_xact_lock($1)", &[&OUTBOX_LOCK_KEY])?;
        // Inserts only while this session still holds the transaction lock, i.e. inside a
        // transaction: the seq is then taken under it, in this statement's fresh snapshot.
        let inserted = self.execute(
            &format!(
                "{INSERT} HAVING EXISTS (
                     SELECT 1 FROM pg_locks
                     WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                       AND objsubid = 1 AND (classid::BIGINT << 32) | objid::BIGINT = $7)"
            ),
            &[
                &id,
                &e.kind,
                &e.subject,
                &e.user,
                &payload,
                &e.at,
                &OUTBOX_LOCK_KEY,
            ],
        )?;
        if inserted == 1 {
            return Ok(());
        }
        // Autocommit: the insert commits at its end, before the session lock is given back.
        self.execute("SELECT pg_advisory_lock($1)", &[&OUTBOX_LOCK_KEY])?;
        let inserted = self.execute(
            INSERT,
            &[&id, &e.kind, &e.subject, &e.user, &payload, &e.at],
        );
        let unlocked = self.query_one("SELECT pg_advisory_unlock($1)", &[&OUTBOX_LOCK_KEY]);
        inserted?;
        unlocked?;
        Ok(())
    }

    fn since(&self, after_seq: i64, user: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.query(
            "SELECT id, seq, type, subject_id, user_id, payload, created_at FROM events
             WHERE seq > $1 AND ($2::TEXT IS NULL OR user_id = $2) ORDER BY seq LIMIT $3",
            &[&after_seq, &user, &limit],
        )?
        .iter()
        .map(|r| {
            let payload: String = get(r, 5)?;
            Ok(Event {
                id: get(r, 0)?,
                seq: get(r, 1)?,
                kind: get(r, 2)?,
                subject_id: get(r, 3)?,
                user_id: get(r, 4)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                created_at: jiff::Timestamp::from_second(get(r, 6)?)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            })
        })
        .collect()
    }

    fn last_seq(&self) -> Result<i64> {
        get(
            &self.query_one("SELECT coalesce(max(seq), 0)::BIGINT FROM events", &[])?,
            0,
        )
    }
}
