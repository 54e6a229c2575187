//! The payment provider's webhook, a step of the desk: a signed event (see
//! `booking::payment::webhook` for the wire format) settles the attempt it names, once.

use super::{Desk, Settled};
use crate::booking::payment::ChargeOutcome;
use crate::booking::payment::webhook::{Event, WebhookOutcome, verify};
use crate::booking::state::BookingStatus;
use crate::error::{Error, Result};
use crate::model::{Currency, Money};
use crate::store::port::ReferencedPayment;

impl Desk {
    /// Verifies and applies a Stripe webhook. `raw_body` is the request body exactly as
    /// received; `signature_header` the `Stripe-Signature` header. Each event is applied once
    /// (a redelivery answers `duplicate`). Invalid signatures are `InvalidInput` errors.
    pub async fn handle_payment_webhook(
        &self,
        raw_body: &[u8],
        signature_header: &str,
    ) -> Result<WebhookOutcome> {
        let secret = self.webhook_secret.as_ref().ok_or_else(|| {
            Error::invalid(
                "no Stripe webhook secret is configured (BOOKSYGO_STRIPE_WEBHOOK_SECRET)",
            )
        })?;
        let now = self.now().as_second();
        // Freshness is judged by the wall clock: the provider signs in real time, whatever
        // clock the sandbox market prices against (BOOKSYGO_NOW).
        verify(
            secret.expose(),
            signature_header,
            raw_body,
            jiff::Timestamp::now().as_second(),
        )?;
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
        self.store().write(|tx| {
            let payment = match &intent {
                Some(pi) => tx.payments().by_reference(pi)?,
                None => None,
            };
            let fresh = tx.payments().take_event(
                &event.id,
                &event.kind,
                payment.as_ref().map(|p| p.booking.as_str()),
                now,
            )?;
            outcome.booking_id = payment.as_ref().map(|p| p.booking.clone());
            if !fresh {
                outcome.action = "duplicate".into();
                return Ok(());
            }
            if let Some(ReferencedPayment {
                id: payment_id,
                booking: booking_id,
                status: pay_status,
                booking_status,
                user,
                amount,
                currency,
            }) = payment
            {
                let waiting =
                    BookingStatus::parse(&booking_status)? == BookingStatus::PaymentProcessing;
                let amount = Money::new(amount, Currency::parse(&currency)?);
                // What the provider says about the charge, settled like any other outcome.
                let charge = match event.kind.as_str() {
                    "payment_intent.succeeded" if pay_status != "succeeded" => {
                        Some(ChargeOutcome::Succeeded {
                            reference: intent.clone().unwrap_or_default(),
                        })
                    }
                    "payment_intent.payment_failed" if pay_status != "succeeded" => {
                        Some(ChargeOutcome::Declined {
                            reason: object["last_payment_error"]["message"]
                                .as_str()
                                .unwrap_or("the payment failed")
                                .to_string(),
                        })
                    }
                    _ => None,
                };
                if let Some(charge) = charge {
                    let settled =
                        self.settle(tx, &user, &booking_id, &payment_id, amount, Ok(charge))?;
                    outcome.action = match (settled, waiting) {
                        (Settled::Orphaned { .. }, _) => {
                            refund_owed = true;
                            "refund_owed"
                        }
                        (Settled::Unchanged, _) => "recorded",
                        (Settled::Done, _) => "confirmed",
                        (Settled::Failed(_), true) => "cancelled",
                        (Settled::Failed(_), false) => "recorded",
                    }
                    .into();
                } else if event.kind == "charge.refunded" {
                    crate::events::emit(
                        tx,
                        "booking.refund_settled",
                        &booking_id,
                        Some(&user),
                        &serde_json::json!({"booking_id": booking_id, "payment_intent": intent,
                            "amount_refunded": object["amount_refunded"]}),
                        now,
                    )?;
                    outcome.action = "recorded".into();
                }
            }
            Ok(())
        })?;
        if refund_owed {
            self.pay_out_refunds().await;
        }
        Ok(outcome)
    }
}
