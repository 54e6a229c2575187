//! The outbox on SQLite. The seq is taken in the statement that appends the event, inside the
//! writer's transaction; SQLite commits writers one at a time, so the seqs readers see grow
//! without gaps. (Another engine needs a lock around the seq, or a commit watermark.)

use crate::error::Result;
use crate::store::port::{Event, NewEvent, Outbox};
use rusqlite::{Connection, params};

impl Outbox for Connection {
    fn append(&self, e: &NewEvent<'_>) -> Result<()> {
        let id = crate::ids::new("evt");
        self.prepare_cached(
            "INSERT INTO events(id, seq, type, subject_id, user_id, payload, created_at)
             VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM events), ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            id,
            e.kind,
            e.subject,
            e.user,
            e.payload.to_string(),
            e.at
        ])?;
        Ok(())
    }

    fn since(&self, after_seq: i64, user: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        let mut stmt = self.prepare_cached(
            "SELECT id, seq, type, subject_id, user_id, payload, created_at FROM events
             WHERE seq > ?1 AND (?2 IS NULL OR user_id = ?2) ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![after_seq, user, limit as i64], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn last_seq(&self) -> Result<i64> {
        Ok(self
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
            .query_row([], |r| r.get(0))?)
    }
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Event> {
    let payload: String = r.get(5)?;
    Ok(Event {
        id: r.get(0)?,
        seq: r.get(1)?,
        kind: r.get(2)?,
        subject_id: r.get(3)?,
        user_id: r.get(4)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        created_at: jiff::Timestamp::from_second(r.get(6)?).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
    })
}
