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
        let says = match event.kind.as_str() {
            "payment_intent.succeeded" => Says::Charge {
                outcome: ChargeOutcome::Succeeded {
                    reference: intent.clone().unwrap_or_default(),
                },
                // A declined Stripe charge cancels the booking waiting for it.
                declined: "cancelled",
            },
            "payment_intent.payment_failed" => Says::Charge {
                outcome: ChargeOutcome::Declined {
                    reason: object["last_payment_error"]["message"]
                        .as_str()
                        .unwrap_or("the payment failed")
                        .to_string(),
                },
                declined: "cancelled",
            },
            "charge.refunded" => Says::Refunded(serde_json::json!({
                "payment_intent": intent,
                "amount_refunded": object["amount_refunded"],
            })),
            _ => Says::Nothing,
        };
        self.apply_provider_event(ProviderEvent {
            provider: "stripe",
            id: &event.id,
            kind: &event.kind,
            references: intent.as_deref().into_iter().collect(),
            says,
        })
        .await
    }

    /// Applies a verified provider event once (a redelivery answers `duplicate`): a charge's
    /// outcome settles the attempt it names like any other outcome, a refund is recorded as
    /// `booking.refund_settled`.
    pub(super) async fn apply_provider_event(
        &self,
        event: ProviderEvent<'_>,
    ) -> Result<WebhookOutcome> {
        let now = self.now().as_second();
        let mut outcome = WebhookOutcome {
            event_id: event.id.to_string(),
            event_type: event.kind.to_string(),
            booking_id: None,
            action: "ignored".into(),
        };
        let mut refund_owed = false;
        self.store().write(|tx| {
            let mut payment = None;
            for reference in &event.references {
                if payment.is_none() {
                    payment = tx.payments().by_reference(reference)?;
                }
            }
            let fresh = tx.payments().take_provider_event(
                event.provider,
                event.id,
                event.kind,
                payment.as_ref().map(|p| p.booking.as_str()),
                now,
            )?;
            outcome.booking_id = payment.as_ref().map(|p| p.booking.clone());
            if !fresh {
                outcome.action = "duplicate".into();
                return Ok(());
            }
            let Some(ReferencedPayment {
                id: payment_id,
                booking: booking_id,
                status: pay_status,
                booking_status,
                user,
                amount,
                currency,
            }) = payment
            else {
                return Ok(());
            };
            match &event.says {
                Says::Charge {
                    outcome: charge,
                    declined,
                } if pay_status != "succeeded" => {
                    let waiting =
                        BookingStatus::parse(&booking_status)? == BookingStatus::PaymentProcessing;
                    let amount = Money::new(amount, Currency::parse(&currency)?);
                    let settled = self.settle(
                        tx,
                        &user,
                        &booking_id,
                        &payment_id,
                        amount,
                        Ok(charge.clone()),
                    )?;
                    outcome.action = match (settled, waiting) {
                        (Settled::Orphaned { .. }, _) => {
                            refund_owed = true;
                            "refund_owed"
                        }
                        (Settled::Unchanged, _) => "recorded",
                        (Settled::Done, _) => "confirmed",
                        (Settled::Failed(_), true) => declined,
                        (Settled::Failed(_), false) => "recorded",
                    }
                    .into();
                }
                Says::Refunded(details) => {
                    let mut payload = details.clone();
                    payload["booking_id"] = serde_json::json!(booking_id);
                    crate::events::emit(
                        tx,
                        "booking.refund_settled",
                        &booking_id,
                        Some(&user),
                        &payload,
                        now,
                    )?;
                    outcome.action = "recorded".into();
                }
                Says::Charge { .. } | Says::Nothing => {}
            }
            Ok(())
        })?;
        if refund_owed {
            self.pay_out_refunds().await;
        }
        Ok(outcome)
    }
}

/// A provider's verified webhook event, in the desk's terms.
pub(super) struct ProviderEvent<'a> {
    /// Its key among the provider's events (`stripe`, `paypal`).
    pub provider: &'a str,
    pub id: &'a str,
    pub kind: &'a str,
    /// The provider's references of the payment it is about, looked up in turn.
    pub references: Vec<&'a str>,
    pub says: Says,
}

/// What a provider's event says about a payment.
pub(super) enum Says {
    /// The charge's outcome; `declined` names what a decline did to a booking waiting for it.
    Charge {
        outcome: ChargeOutcome,
        declined: &'static str,
    },
    /// Money went back: recorded with these details (the booking's id is added).
    Refunded(serde_json::Value),
    Nothing,
}
