//! Webhook subscriptions: what each wants, how far its delivery has gone, and who delivers it.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// A subscription. The secret is shown once, when it is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// Event types (`booking.confirmed`), prefixes (`booking.*`) or `*`.
    pub events: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Sequence number of the last event delivered.
    pub delivered_seq: i64,
    pub failures: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub created_at: i64,
}

/// How a delivery round of one subscription ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// Every due event was accepted, up to the cursor.
    All,
    /// The receiver refused one: try again at `retry_at`.
    Failed {
        why: String,
        failures: u32,
        retry_at: i64,
    },
}

/// Promise: each event reaches each subscription once and in order, whichever courier (thread,
/// process, server instance) delivers it: a courier delivers a subscription only while it holds
/// its lease, renews it before each POST, and moves the cursor only while the lease is still
/// its own.
pub trait Subscriptions {
    /// A new subscription starting after event `start`.
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &self,
        id: &str,
        url: &str,
        events: &[String],
        secret: &str,
        start: i64,
        created_by: &str,
        at: i64,
    ) -> Result<()>;
    /// A subscription without its secret.
    fn get(&self, id: &str) -> Result<Option<Webhook>>;
    /// Every subscription without its secret, oldest first.
    fn list(&self) -> Result<Vec<Webhook>>;
    /// `false` when there was no such subscription.
    fn delete(&self, id: &str) -> Result<bool>;
    /// (id, secret) of the subscriptions due for delivery at `now`.
    fn due(&self, now: i64) -> Result<Vec<(String, String)>>;
    /// Leases `id` to `owner` until `until`, if nobody holds it at `at` (or `owner` does).
    fn lease(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool>;
    /// Extends `owner`'s lease of `id` until `until`, if it still holds it at `at`.
    fn renew(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool>;
    /// Moves the cursor of `id` to `cursor`, records how the round ended and gives the lease
    /// back: all in one change, and only while `owner` holds the lease.
    fn settle(&self, id: &str, owner: &str, cursor: i64, outcome: &Delivered) -> Result<()>;
}
