//! The outbox on PostgreSQL.
//!
//! Readers never skip an event: PostgreSQL commits transactions in any order, so a seq taken
//! as `max(seq) + 1` could commit after a higher one a reader has already passed. So the seqs
//! are taken under the transaction-scoped advisory lock [`OUTBOX_LOCK_KEY`], held until the
//! commit: event-writing transactions take their seqs and commit one after another, and the
//! next one's insert (a new statement, so a new snapshot under READ COMMITTED) sees the last
//! one's events. The lock and the insert cannot be one statement: a statement's snapshot is
//! taken before the lock would be granted.
//!
//! Holding that lock from a rule's first event to the commit made every booking wait for the
//! one before it to finish all its statements. So a transaction's events are kept in its unit
//! and written by [`flush`] just before the commit (`Store::write` calls it): the lock is then
//! held for one statement and the commit. (A rule does not read back, in its own unit, the
//! events it has just appended.) An event appended outside a write unit (the accounts' rules
//! use `Store::read`) is written at once, in a transaction of its own.
//!
//! The insert also notifies [`super::EVENTS_CHANNEL`]: PostgreSQL delivers it when the
//! transaction commits, and every instance's listening connection rings its live streams.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::*;

/// The advisory lock around taking a seq: `0x4F7574626F78`, the ASCII bytes of "Outbox" read
/// as a 64-bit integer (87_443_722_842_488). Distinct from the migration lock
/// (`migrations::MIGRATION_LOCK_KEY`). Anything else that appends events must take it.
pub const OUTBOX_LOCK_KEY: i64 = 0x4F75_7462_6F78;

/// An event appended in a transaction, not written yet.
pub(crate) struct Pending {
    id: String,
    kind: String,
    subject: String,
    user: Option<String>,
    payload: String,
    at: i64,
}

/// Writes the events `unit` holds, in the order they were appended, just before its
/// transaction commits.
pub(crate) fn flush(unit: &PgUnit<'_>) -> Result<()> {
    let events = std::mem::take(&mut *unit.events.borrow_mut());
    if events.is_empty() {
        return Ok(());
    }
    write(unit, &events)
}

/// The lock, then one statement that numbers the events after the last seq, inserts them
/// and notifies the live-events channel.
fn write(unit: &PgUnit<'_>, events: &[Pending]) -> Result<()> {
    unit.execute("SELECT pg_advisory_xact_lock($1)", &[&OUTBOX_LOCK_KEY])?;
    let column = |f: fn(&Pending) -> Option<String>| events.iter().map(f).collect::<Vec<_>>();
    let (ids, kinds, subjects, users, payloads) = (
        column(|e| Some(e.id.clone())),
        column(|e| Some(e.kind.clone())),
        column(|e| Some(e.subject.clone())),
        column(|e| e.user.clone()),
        column(|e| Some(e.payload.clone())),
    );
    let ats: Vec<i64> = events.iter().map(|e| e.at).collect();
    unit.execute(
        "WITH last AS (SELECT coalesce(max(seq), 0) AS seq FROM events),
              written AS (
                INSERT INTO events(id, seq, type, subject_id, user_id, payload, created_at)
                SELECT e.id, last.seq + e.n, e.type, e.subject_id, e.user_id, e.payload, e.created_at
                FROM last, UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[])
                     WITH ORDINALITY AS e(id, type, subject_id, user_id, payload, created_at, n)
                RETURNING 1)
         SELECT pg_notify($7, '') WHERE EXISTS (SELECT 1 FROM written)",
        &[
            &ids,
            &kinds,
            &subjects,
            &users,
            &payloads,
            &ats,
            &super::EVENTS_CHANNEL,
        ],
    )?;
    Ok(())
}

impl Outbox for PgUnit<'_> {
    fn append(&self, e: &NewEvent<'_>) -> Result<()> {
        let event = Pending {
            id: crate::ids::new("evt"),
            kind: e.kind.to_string(),
            subject: e.subject.to_string(),
            user: e.user.map(str::to_string),
            payload: e.payload.to_string(),
            at: e.at,
        };
        if self.is_transaction() {
            self.events.borrow_mut().push(event);
            return Ok(());
        }
        // Alone, the event is a transaction of its own: the lock then lasts until its commit.
        self.batch_execute("BEGIN")?;
        match write(self, &[event]) {
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
