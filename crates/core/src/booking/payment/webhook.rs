//! Stripe webhooks on the wire: the `Stripe-Signature` check and the event shape; the desk
//! (`booking::desk::webhook`) maps each event onto the booking state machine.
//!
//! The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]` (other schemes are ignored); the
//! signature is HMAC-SHA256 with the endpoint secret over `"{t}.{raw body}"`. An event is
//! accepted when any v1 entry matches (compared in constant time) and `t` is at most
//! `TOLERANCE_SECONDS` old. The raw bytes are signed, never re-serialised JSON.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

pub use crate::signature::{TOLERANCE_SECONDS, sign};

/// Checks a `Stripe-Signature` header against the raw body at time `now` (unix seconds).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<()> {
    crate::signature::verify(secret, header, body, now)
        .map_err(|why| Error::invalid(format!("Stripe-Signature refused: {why}")))
}

/// What a webhook did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WebhookOutcome {
    pub event_id: String,
    pub event_type: String,
    pub booking_id: Option<String>,
    /// "confirmed", "cancelled", "declined" (PayPal: the booking is PENDING again),
    /// "refund_owed", "recorded", "duplicate", "ignored".
    pub action: String,
}

#[derive(Deserialize)]
pub(crate) struct Event {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) data: EventData,
}

#[derive(Deserialize)]
pub(crate) struct EventData {
    pub(crate) object: serde_json::Value,
}
