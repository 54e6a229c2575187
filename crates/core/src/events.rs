//! The outbox of domain events. Every state change writes its event in the same transaction,
//! so an event exists exactly when its change does; the server delivers them (SSE, webhooks).

use crate::error::Result;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Event {
    pub id: String,
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub subject_id: String,
    pub user_id: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: jiff::Timestamp,
}

/// Appends an event; call inside the transaction that made the change.
pub fn emit(
    conn: &Connection,
    kind: &str,
    subject: &str,
    user: Option<&str>,
    payload: &serde_json::Value,
    now: i64,
) -> Result<()> {
    // The seq is taken in the statement that appends the event, inside the writer's
    // transaction: SQLite commits writers one at a time, so the seqs readers see grow without
    // gaps and no reader that has seen seq N will later find an event below it.
    let id = crate::ids::new("evt");
    conn.prepare_cached(
        "INSERT INTO events(id, seq, type, subject_id, user_id, payload, created_at)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM events), ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, kind, subject, user, payload.to_string(), now])?;
    Ok(())
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

/// Events after `after_seq`, oldest first.
pub fn since(conn: &Connection, after_seq: i64, limit: usize) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, seq, type, subject_id, user_id, payload, created_at FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after_seq, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One traveller's events after `after_seq`, oldest first.
pub fn since_for_user(
    conn: &Connection,
    user: &str,
    after_seq: i64,
    limit: usize,
) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, seq, type, subject_id, user_id, payload, created_at FROM events
         WHERE seq > ?1 AND user_id = ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![after_seq, user, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest event's sequence number (0 when there is none).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?)
}
