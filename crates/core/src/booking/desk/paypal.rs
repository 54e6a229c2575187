//! PayPal beside the card provider, a step of the desk. Paying a booking with PayPal creates
//! an order and gives the payer's approval link: the booking waits in PAYMENT_PROCESSING, held
//! as long as a payment waiting for 3-D Secure. `confirm_payment_as` captures the order. A
//! capture PayPal declines puts the booking back to PENDING (nothing was taken, the seats stay
//! held: pay again); a capture whose answer was lost is found on the next confirm (PayPal
//! replays it) or, for a booking that lapsed meanwhile, by reading the order back, and then
//! refunded. PayPal's webhooks, verified by PayPal's own call, settle what they name once.

use super::webhook::{ProviderEvent, Says};
use super::*;
use crate::booking::PayPalCheckout;
use crate::booking::payment::paypal::{self, WebhookHeaders};
use crate::booking::payment::webhook::WebhookOutcome;
use crate::error::ErrorKind;

/// The message of a PayPal attempt waiting for its payer: where to approve it.
const APPROVE_AT: &str = "waiting for the payer's approval on PayPal: ";

/// Where the payer approves a PayPal attempt, from its message.
pub(super) fn approve_url(message: Option<&str>) -> Option<&str> {
    message?.strip_prefix(APPROVE_AT)
}

/// A capture PayPal did not answer: the payment keeps waiting, and the next confirm finds
/// out (the capture is sent again under the same request id).
pub(super) fn capture_unknown(booking_id: &str, e: Error) -> Error {
    match e {
        Error::SuppliersFailed(why) => Error::SuppliersFailed(vec![format!(
            "{}: the payment of booking {booking_id} keeps waiting and nothing is lost; run `booksygo bookings confirm-payment {booking_id}` again (a capture PayPal took meanwhile is found then)",
            why.join("; ")
        )]),
        e if e.kind() == ErrorKind::Unavailable => Error::SuppliersFailed(vec![format!(
            "{e}: the payment of booking {booking_id} keeps waiting; run `booksygo bookings confirm-payment {booking_id}` again"
        )]),
        e => e,
    }
}

impl Desk {
    /// Pays a PENDING booking with PayPal: an order for the amount due, and the link where
    /// the payer approves it. Asked again while the booking waits, the same order is shown
    /// (an order whose creation was cut short is created again under the same request id,
    /// which PayPal answers with the first order).
    pub async fn pay_with_paypal_as(&self, user: &str, booking_id: &str) -> Result<PayPalCheckout> {
        let paypal = self.paypal()?;
        let booking_id = &self.resolve_id(user, booking_id)?;
        self.sweep()?;
        let booking = self.store().read(|u| load(u, user, booking_id))?;
        let (payment_id, amount, key) = match booking.status {
            BookingStatus::Pending => {
                // Orders held unpaid must still be held at the same price.
                self.check_held_orders(booking_id).await?;
                let now = self.now().as_second();
                let (amount, attempt, payment_id) = self
                    .store()
                    .write(|u| self.start_attempt(u, user, booking_id, paypal::NAME, None, now))?;
                (payment_id, amount, charge_key(booking_id, attempt))
            }
            BookingStatus::PaymentProcessing => {
                let (waiting, unanswered) = self.store().read(|u| {
                    let paypal_only = |a: Option<crate::store::port::Attempt>| -> Result<_> {
                        Ok(match a {
                            Some(a)
                                if u.payments().provider_of(&a.id)?.as_deref()
                                    == Some(paypal::NAME) =>
                            {
                                Some(a)
                            }
                            _ => None,
                        })
                    };
                    Ok((
                        paypal_only(u.payments().awaiting_cardholder(booking_id)?)?,
                        paypal_only(u.payments().unanswered(booking_id)?)?,
                    ))
                })?;
                if let Some(a) = waiting {
                    let url = booking
                        .payment(&a.id)
                        .and_then(|p| approve_url(p.message.as_deref()))
                        .unwrap_or_default()
                        .to_string();
                    return Ok(checkout(&booking, a.reference, url));
                }
                match unanswered {
                    Some(a) => (
                        a.id,
                        Money::new(a.amount, Currency::parse(&a.currency)?),
                        a.reference,
                    ),
                    None => {
                        return Err(Error::Conflict(format!(
                            "booking {booking_id} is PAYMENT_PROCESSING with a card payment: finish it with `booksygo bookings confirm-payment {booking_id}`"
                        )));
                    }
                }
            }
            status => {
                return Err(Error::Conflict(format!(
                    "booking {booking_id} is {status}: only a PENDING booking can be paid"
                )));
            }
        };
        let order = paypal.create_order(amount, booking_id, &key).await;
        let made = order.as_ref().ok().cloned();
        let outcome = order.map(|o| ChargeOutcome::RequiresAction { reference: o.id });
        let settled = self.store().write(|tx| {
            let settled = self.settle(tx, user, booking_id, &payment_id, amount, outcome)?;
            if let (Settled::Done, Some(o)) = (&settled, &made) {
                tx.payments().record_outcome(
                    &payment_id,
                    "requires_action",
                    None,
                    Some(&format!("{APPROVE_AT}{}", o.approve_url)),
                )?;
            }
            Ok(settled)
        })?;
        let booking = self.after_settle(user, booking_id, settled).await?;
        let order = made.ok_or_else(|| Error::internal("a PayPal order settled without one"))?;
        Ok(checkout(&booking, order.id, order.approve_url))
    }

    /// A PayPal order still waiting on a booking that was cancelled (or lapsed): read back
    /// from PayPal. Captured after all (an answer lost), it is settled, which makes its money
    /// owed back; never captured, it is abandoned. PayPal unreachable: asked again next time.
    pub(super) async fn reconcile_paypal_order(&self, payment_id: &str, order_id: &str) {
        let Ok(paypal) = self.paypal() else {
            return;
        };
        match paypal.captured(order_id).await {
            Ok(None) => {
                let _ = self.store().write(|u| u.payments().abandon(payment_id));
            }
            Ok(Some(outcome)) => {
                let result = self.store().write(|tx| {
                    let Some(p) = tx.payments().by_reference(order_id)? else {
                        return Ok(());
                    };
                    let amount = Money::new(p.amount, Currency::parse(&p.currency)?);
                    self.settle(tx, &p.user, &p.booking, payment_id, amount, Ok(outcome))
                        .map(|_| ())
                });
                if let Err(e) = result {
                    eprintln!("warning: PayPal order {order_id} could not be settled: {e}");
                }
            }
            Err(_) => {}
        }
    }

    /// Verifies a PayPal webhook delivery with PayPal's own call and applies it once:
    /// `PAYMENT.CAPTURE.COMPLETED` confirms the booking waiting for it,
    /// `PAYMENT.CAPTURE.DENIED` puts it back to PENDING, `PAYMENT.CAPTURE.REFUNDED` is
    /// recorded. A delivery PayPal does not vouch for is an `InvalidInput` error.
    pub async fn handle_paypal_webhook(
        &self,
        raw_body: &[u8],
        headers: &WebhookHeaders,
    ) -> Result<WebhookOutcome> {
        let paypal = self.paypal()?;
        let event: serde_json::Value = serde_json::from_slice(raw_body)
            .map_err(|e| Error::invalid(format!("the PayPal event is not JSON: {e}")))?;
        if !paypal.verify_webhook(headers, &event).await? {
            return Err(Error::invalid(
                "PayPal did not verify this webhook delivery (its signature): refused",
            ));
        }
        let (Some(event_id), Some(kind)) = (event["id"].as_str(), event["event_type"].as_str())
        else {
            return Err(Error::invalid("the PayPal event has no id or event_type"));
        };
        let resource = &event["resource"];
        // The order and the capture the event is about (a refund names its capture in its
        // `up` link).
        let (order, capture) = match kind {
            "PAYMENT.CAPTURE.REFUNDED" => (
                None,
                resource["links"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|l| l["rel"] == "up")
                    .and_then(|l| l["href"].as_str())
                    .and_then(|h| h.rsplit('/').next()),
            ),
            _ => (
                resource["supplementary_data"]["related_ids"]["order_id"].as_str(),
                resource["id"].as_str(),
            ),
        };
        let says = match kind {
            "PAYMENT.CAPTURE.COMPLETED" => Says::Charge {
                outcome: ChargeOutcome::Succeeded {
                    reference: capture.unwrap_or_default().to_string(),
                },
                declined: "declined",
            },
            // A denied capture puts the booking back to PENDING, payable again.
            "PAYMENT.CAPTURE.DENIED" => Says::Charge {
                outcome: ChargeOutcome::Declined {
                    reason: "PayPal denied the capture".into(),
                },
                declined: "declined",
            },
            "PAYMENT.CAPTURE.REFUNDED" => Says::Refunded(serde_json::json!({
                "paypal_capture": capture,
                "amount_refunded": resource["amount"],
            })),
            _ => Says::Nothing,
        };
        self.apply_provider_event(ProviderEvent {
            provider: paypal::NAME,
            id: event_id,
            kind,
            references: [order, capture].into_iter().flatten().collect(),
            says,
        })
        .await
    }
}

fn checkout(booking: &Booking, order_id: String, approve_url: String) -> PayPalCheckout {
    PayPalCheckout {
        booking_id: booking.id.clone(),
        next_action: format!(
            "approve the payment at {approve_url}, then run `booksygo bookings confirm-payment {}`",
            booking.id
        ),
        order_id,
        approve_url,
        amount: booking.amount_due,
        status: booking.status,
    }
}
