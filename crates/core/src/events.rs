//! The outbox of domain events. Every state change writes its event in the same unit of work,
//! so an event exists exactly when its change does; the server delivers them (SSE, webhooks).
//! The storage port's `Outbox` keeps the order; this is how the rules speak to it.

use crate::error::Result;
use crate::store::{NewEvent, Unit};

pub use crate::store::Event;

/// Appends an event; call in the unit of work that made the change.
pub fn emit(
    unit: &dyn Unit,
    kind: &str,
    subject: &str,
    user: Option<&str>,
    payload: &serde_json::Value,
    now: i64,
) -> Result<()> {
    unit.outbox().append(&NewEvent {
        kind,
        subject,
        user,
        payload,
        at: now,
    })
}

/// Events after `after_seq`, oldest first.
pub fn since(unit: &dyn Unit, after_seq: i64, limit: usize) -> Result<Vec<Event>> {
    unit.outbox().since(after_seq, None, limit)
}

/// One traveller's events after `after_seq`, oldest first.
pub fn since_for_user(
    unit: &dyn Unit,
    user: &str,
    after_seq: i64,
    limit: usize,
) -> Result<Vec<Event>> {
    unit.outbox().since(after_seq, Some(user), limit)
}

/// The newest event's sequence number (0 when there is none).
pub fn last_seq(unit: &dyn Unit) -> Result<i64> {
    unit.outbox().last_seq()
}
