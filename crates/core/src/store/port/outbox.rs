//! The outbox of domain events: written with the change they tell of, read in order by the
//! event feed, SSE and the webhook couriers.

use crate::error::Result;
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

/// An event to append.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub subject: &'a str,
    pub user: Option<&'a str>,
    pub payload: &'a serde_json::Value,
    pub at: i64,
}

/// Promise: an event exists exactly when its change does (it is appended in the change's
/// unit), and readers never skip one: seqs grow, and no reader that has seen seq N later finds
/// a committed event below N, whatever the number of writers.
pub trait Outbox {
    fn append(&self, event: &NewEvent<'_>) -> Result<()>;
    /// Events after `after_seq` (only `user`'s when given), oldest first.
    fn since(&self, after_seq: i64, user: Option<&str>, limit: usize) -> Result<Vec<Event>>;
    /// The newest event's seq (0 when there is none).
    fn last_seq(&self) -> Result<i64>;
}
