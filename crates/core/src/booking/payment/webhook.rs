//! Stripe webhooks: the `Stripe-Signature` check, and payment events mapped onto the booking
//! state machine.
//!
//! The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]` (other schemes are ignored); the
//! signature is HMAC-SHA256 with the endpoint secret over `"{t}.{raw body}"`. An event is
//! accepted when any v1 entry matches (compared in constant time) and `t` is at most
//! `TOLERANCE_SECONDS` old. The raw bytes are signed, never re-serialised JSON.

use crate::agency::LocalAgency;
use crate::booking::state::BookingStatus;
use crate::error::{Error, Result};
use crate::model::{Currency, Money};
use hmac::{Hmac, Mac};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const TOLERANCE_SECONDS: i64 = 300;

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Hex HMAC-SHA256 of `"{t}.{body}"`: what Stripe puts in a v1 entry (used by tests and tools
/// that sign their own events).
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a `Stripe-Signature` header against the raw body at time `now` (unix seconds).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<()> {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) if t.is_none() => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| Error::invalid("Stripe-Signature has no timestamp"))?;
    if signatures.is_empty() {
        return Err(Error::invalid("Stripe-Signature has no v1 signature"));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| Error::internal("bad webhook secret"))?;
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    // Every entry is checked (constant time each), so timing tells nothing about which matched.
    let mut ok = false;
    for sig in signatures {
        if let Some(bytes) = unhex(sig) {
            ok |= mac.clone().verify_slice(&bytes).is_ok();
        }
    }
    if !ok {
        return Err(Error::invalid(
            "the Stripe-Signature does not match this body and webhook secret",
        ));
    }
    if (now - t).abs() > TOLERANCE_SECONDS {
        return Err(Error::invalid(format!(
            "the Stripe event was signed {} s from now, more than the {TOLERANCE_SECONDS} s allowed",
            (now - t).abs()
        )));
    }
    Ok(())
}

/// What a webhook did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookOutcome {
    pub event_id: String,
    pub event_type: String,
    pub booking_id: Option<String>,
    /// "confirmed", "cancelled", "refund_owed", "recorded", "duplicate", "ignored".
    pub action: String,
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

impl LocalAgency {
    /// Verifies and applies a Stripe webhook. `raw_body` is the request body exactly as
    /// received; `signature_header` the `Stripe-Signature` header. Each event is applied once
    /// (a redelivery answers `duplicate`). Invalid signatures are `InvalidInput` errors.
    pub async fn handle_payment_webhook(
        &self,
        raw_body: &[u8],
        signature_header: &str,
    ) -> Result<WebhookOutcome> {
        let secret = self.payment_webhook_secret().ok_or_else(|| {
            Error::invalid(
                "no Stripe webhook secret is configured (BOOKSYGO_STRIPE_WEBHOOK_SECRET)",
            )
        })?;
        let now = self.now().as_second();
        verify(secret.expose(), signature_header, raw_body, now)?;
        let event: Event = serde_json::from_slice(raw_body)
            .map_err(|e| Error::invalid(format!("the Stripe event is not JSON we know: {e}")))?;
        let object = &event.data.object;
        let intent = match event.kind.as_str() {
            "charge.refunded" => object["payment_intent"].as_str(),
            _ => object["id"].as_str(),
        }
        .map(str::to_string);
        let mut outcome = WebhookOutcome {
            event_id: event.id.clone(),
            event_type: event.kind.clone(),
            booking_id: None,
            action: "ignored".into(),
        };
        let mut refund_owed = false;
        {
            let mut conn = self.store().conn()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let payment: Option<(String, String, String, String, String)> = match &intent {
                Some(pi) => tx
                    .query_row(
                        "SELECT p.id, p.booking_id, p.status, b.status, b.user_id FROM payments p JOIN bookings b ON b.id = p.booking_id
                         WHERE p.provider_ref = ?1 ORDER BY p.created_at DESC LIMIT 1",
                        [pi],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                    )
                    .optional()?,
                None => None,
            };
            let fresh = tx.execute(
                "INSERT OR IGNORE INTO payment_events(id, provider, type, booking_id, received_at) VALUES (?1, 'stripe', ?2, ?3, ?4)",
                params![event.id, event.kind, payment.as_ref().map(|p| p.1.clone()), now],
            )?;
            outcome.booking_id = payment.as_ref().map(|p| p.1.clone());
            if fresh == 0 {
                outcome.action = "duplicate".into();
                return Ok(outcome);
            }
            if let Some((payment_id, booking_id, pay_status, booking_status, user)) = payment {
                let booking_status = BookingStatus::parse(&booking_status)?;
                match event.kind.as_str() {
                    "payment_intent.succeeded" if pay_status != "succeeded" => {
                        if booking_status == BookingStatus::PaymentProcessing {
                            tx.execute(
                                "UPDATE payments SET status = 'succeeded', message = NULL WHERE id = ?1",
                                [&payment_id],
                            )?;
                            self.confirm_paid(&tx, &user, &booking_id, now)?;
                            outcome.action = "confirmed".into();
                        } else {
                            // The money arrived for a booking that moved on: it goes back.
                            tx.execute(
                                "UPDATE payments SET status = 'succeeded', message = 'arrived after the booking moved on' WHERE id = ?1",
                                [&payment_id],
                            )?;
                            let amount = object["amount_received"]
                                .as_i64()
                                .or_else(|| object["amount"].as_i64())
                                .unwrap_or(0);
                            let currency = Currency::parse(
                                &object["currency"]
                                    .as_str()
                                    .unwrap_or("")
                                    .to_ascii_uppercase(),
                            )?;
                            let amount = Money::new(amount, currency);
                            tx.execute(
                                "INSERT INTO refunds(id, booking_id, payment_id, amount, currency, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
                                params![crate::ids::new("ref"), booking_id, payment_id, amount.minor, amount.currency.as_str(), now],
                            )?;
                            outcome.action = "refund_owed".into();
                            refund_owed = true;
                        }
                    }
                    "payment_intent.payment_failed" if pay_status != "succeeded" => {
                        let reason = object["last_payment_error"]["message"]
                            .as_str()
                            .unwrap_or("the payment failed")
                            .to_string();
                        tx.execute(
                            "UPDATE payments SET status = 'failed', message = ?2 WHERE id = ?1",
                            params![payment_id, reason],
                        )?;
                        if booking_status == BookingStatus::PaymentProcessing {
                            self.cancel_in(
                                &tx,
                                &user,
                                &booking_id,
                                &format!("payment declined: {reason}"),
                                now,
                            )?;
                            outcome.action = "cancelled".into();
                        } else {
                            outcome.action = "recorded".into();
                        }
                    }
                    "charge.refunded" => {
                        crate::events::emit(
                            &tx,
                            "booking.refund_settled",
                            &booking_id,
                            Some(&user),
                            &serde_json::json!({"booking_id": booking_id, "payment_intent": intent,
                                "amount_refunded": object["amount_refunded"]}),
                            now,
                        )?;
                        outcome.action = "recorded".into();
                    }
                    _ => {}
                }
            }
            tx.commit()?;
        }
        if refund_owed {
            self.pay_out_refunds().await;
        }
        Ok(outcome)
    }
}
