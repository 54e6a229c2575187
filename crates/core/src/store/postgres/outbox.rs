//! The outbox on PostgreSQL.
//!
//! Readers never skip an event: PostgreSQL commits transactions in any order, so a seq taken
//! as `max(seq) + 1` could commit after a higher one a reader has already passed. Every
//! append therefore takes the transaction-scoped advisory lock [`OUTBOX_LOCK_KEY`] right
//! before the statement that computes `max(seq) + 1`, and holds it until the commit: event-
//! writing transactions take their seqs and commit one after another, and the next one's
//! insert (a new statement, so a new snapshot under READ COMMITTED) sees the last one's event.
//! The lock and the insert cannot be one statement: a statement's snapshot is taken before the
//! lock would be granted. An event appended outside a write unit (the accounts' rules use
//! `Store::read`) is made its own transaction.
//!
//! The append also notifies [`super::EVENTS_CHANNEL`]: PostgreSQL delivers it when the
//! transaction commits, and every instance's listening connection rings its live streams.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::*;

/// The advisory lock around taking a seq: `0x4F7574626F78`, the ASCII bytes of "Outbox" read
/// as a 64-bit integer (87_443_722_842_488). Distinct from the migration lock
/// (`migrations::MIGRATION_LOCK_KEY`). Anything else that appends events must take it.
pub const OUTBOX_LOCK_KEY: i64 = 0x4F75_7462_6F78;

const INSERT: &str = "INSERT INTO events(id, seq, type, subject_id, user_id, payload, created_at)
     SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6 FROM events";

/// The lock, the insert under it, and the notification, in the caller's transaction.
fn append_in_transaction(unit: &PgUnit<'_>, e: &NewEvent<'_>) -> Result<()> {
    let id = crate::ids::new("evt");
    let payload = e.payload.to_string();
    unit.execute("SELECT pg_advisory_xact_lock($1)", &[&OUTBOX_LOCK_KEY])?;
    unit.execute(
        INSERT,
        &[&id, &e.kind, &e.subject, &e.user, &payload, &e.at],
    )?;
    unit.execute("SELECT pg_notify($1, '')", &[&super::EVENTS_CHANNEL])?;
    Ok(())
}

impl Outbox for PgUnit<'_> {
    fn append(&self, e: &NewEvent<'_>) -> Result<()> {
        if self.is_transaction() {
            return append_in_transaction(self, e);
        }
        // Alone, the event is a transaction of its own: the lock then lasts until its commit.
        self.batch_execute("BEGIN")?;
        match append_in_transaction(self, e) {
            Ok(()) => self.batch_execute("COMMIT"),
            Err(err) => {
                let _ = self.batch_execute("ROLLBACK");
                Err(err)
            }
        }
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
