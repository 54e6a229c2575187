//! Cancelling: the refund quote by each item's rules, the cancellation itself, and refunds
//! paid out (or retried) after it.

use super::*;

impl Desk {
    /// What cancelling would refund, by the fare rules of each item.
    pub fn quote_cancel_as(&self, user: &str, booking_id: &str) -> Result<RefundQuote> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        self.store()
            .read(|u| quote(u, user, booking_id, self.now(), self.fx()))
    }

    pub async fn cancel_booking_as(
        &self,
        user: &str,
        booking_id: &str,
        key: Option<String>,
    ) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        let hash = request_hash(&booking_id)?;
        let now = self.now().as_second();
        let begun = idempotency::begin(
            self.store(),
            "cancel",
            user,
            key.as_deref(),
            &hash,
            Some(booking_id),
            now,
        )?;
        let claim = match begun {
            Begun::Unkeyed => return self.cancel_inner(user, booking_id).await,
            Begun::Replay(answer) => return *answer,
            Begun::Fresh(claim) | Begun::Resume(claim, _) => claim,
        };
        // Resumed, a cancellation that already went through is shown with its refunds paid
        // out; one that did not is made now.
        let status = self.store().read(|u| load(u, user, booking_id))?.status;
        let outcome = if matches!(status, BookingStatus::Cancelled | BookingStatus::Refunded) {
            self.pay_out_refunds().await;
            self.store().read(|u| load(u, user, booking_id))
        } else {
            self.cancel_inner(user, booking_id).await
        };
        idempotency::finish(self.store(), &claim, &outcome);
        outcome
    }

    async fn cancel_inner(&self, user: &str, booking_id: &str) -> Result<Booking> {
        let now = self.now();
        // A booking that can be cancelled here has its supplier orders cancelled first:
        // if the airline refuses, nothing changes.
        self.store()
            .read(|u| quote(u, user, booking_id, now, self.fx()))?;
        self.cancel_supplier_orders(booking_id).await?;
        self.store().write(|tx| {
            let q = quote(tx, user, booking_id, now, self.fx())?;
            self.cancel_in(
                tx,
                user,
                booking_id,
                "cancelled by the traveller",
                now.as_second(),
            )?;
            let payment_id = tx.payments().card_payment(booking_id)?;
            // The refund is owed from this moment: it is written down with the cancellation
            // and paid out below, or by a later retry if the card network is down.
            if let (Some(payment_id), true) = (payment_id, q.refund.minor > 0) {
                tx.payments().owe_refund(&NewRefund {
                    id: &crate::ids::new("ref"),
                    booking: booking_id,
                    payment: &payment_id,
                    amount: q.refund.minor,
                    currency: q.refund.currency.as_str(),
                    at: now.as_second(),
                })?;
            }
            Ok(())
        })?;
        crate::faults::step("cancel.committed");
        self.search.invalidate();
        self.pay_out_refunds().await;
        self.store().read(|u| load(u, user, booking_id))
    }

    /// Pays every refund still owed. Failures stay owed and are retried on the next call
    /// (cancellations and booking reads call this), so no refund is forgotten.
    pub async fn pay_out_refunds(&self) {
        for problem in self.reconcile_suppliers().await {
            eprintln!("warning: {problem}");
        }
        self.abandon_waiting_charges().await;
        let owed = match self.store().read(|u| u.payments().owed_refunds()) {
            Ok(rows) => rows,
            Err(_) => return,
        };
        for OwedRefund {
            id: refund_id,
            booking: booking_id,
            provider,
            reference,
            amount,
            currency,
        } in owed
        {
            let Ok(currency) = Currency::parse(&currency) else {
                continue;
            };
            // The money goes back the way it came: PayPal's captures through PayPal.
            let Ok(provider) = self.provider_named(&provider) else {
                eprintln!(
                    "warning: refund {refund_id} of booking {booking_id} is owed through {provider}, which is not configured: it stays owed"
                );
                continue;
            };
            let Ok(done) = provider
                .refund(&reference, Money::new(amount, currency), &refund_id)
                .await
            else {
                continue;
            };
            let result = self.store().write(|u| {
                if u.payments().refund_paid(&refund_id, &booking_id, amount)? {
                    let (status, _) = u
                        .bookings()
                        .status(&booking_id)?
                        .ok_or_else(|| Error::NotFound(format!("no booking {booking_id}")))?;
                    if status == BookingStatus::Cancelled.as_str() {
                        state::transition(
                            u,
                            &booking_id,
                            BookingStatus::Refunded,
                            &format!("refund {done} settled"),
                            self.now().as_second(),
                        )?;
                    }
                }
                Ok(())
            });
            if let Err(e) = result {
                eprintln!("warning: refund {refund_id} was paid but not recorded: {e}");
            }
        }
    }

    /// Charges still waiting for the cardholder (3-D Secure) on bookings that were cancelled
    /// meanwhile are cancelled with the provider, so they can never complete later. A PayPal
    /// order is read back first: one captured after all (a capture whose answer was lost) is
    /// settled, and its money is owed back like any charge on a booking that moved on.
    async fn abandon_waiting_charges(&self) {
        let waiting = match self.store().read(|u| u.payments().waiting_on_cancelled()) {
            Ok(rows) => rows,
            Err(_) => return,
        };
        for (payment_id, reference) in waiting {
            let provider = match self.store().read(|u| u.payments().provider_of(&payment_id)) {
                Ok(p) => p.unwrap_or_default(),
                Err(_) => continue,
            };
            if provider == crate::booking::payment::paypal::NAME {
                self.reconcile_paypal_order(&payment_id, &reference).await;
                continue;
            }
            if self.payments().cancel(&reference).await.is_ok() {
                let _ = self.store().read(|u| u.payments().abandon(&payment_id));
            }
        }
    }
}

/// The refund rules, item by item:
/// - flight: refundable fares give back the price less the fee; non-refundable fares give
///   back the taxes only; nothing once the first flight has left.
/// - hotel: everything until the free-cancellation deadline, nothing after.
/// - package: 90 % thirty days or more before departure, 50 % from seven days, nothing after.
///
/// The card gets back at most what it paid; redeemed points always come back.
pub fn quote(
    conn: &dyn Unit,
    user: &str,
    booking_id: &str,
    now: Timestamp,
    fx: &crate::model::FxTable,
) -> Result<RefundQuote> {
    let b = load(conn, user, booking_id)?;
    match b.status {
        BookingStatus::Cancelled | BookingStatus::Refunded => {
            return Err(Error::Conflict(format!(
                "booking {} is already {}",
                b.id, b.status
            )));
        }
        BookingStatus::Completed => {
            return Err(Error::Conflict(format!(
                "booking {} is COMPLETED: the trip is over",
                b.id
            )));
        }
        _ => {}
    }
    let currency = b.total.currency;
    let mut refundable = 0i64;
    let mut rules = Vec::new();
    for item in &b.items {
        let (back, rule) = match item.kind.as_str() {
            "flight" => {
                let offer: FlightOffer = serde_json::from_value(item.details.clone())?;
                if item.starts_at <= now {
                    (0, "flight already departed: nothing back".to_string())
                } else {
                    match offer.conditions.refund_before_departure.fee() {
                        Some(fee) => {
                            let fee = fx.convert(fee, currency)?.minor.min(item.price.minor);
                            (
                                item.price.minor - fee,
                                format!("refundable fare, fee {}", Money::new(fee, currency)),
                            )
                        }
                        None => (
                            item.tax.minor,
                            format!("non-refundable fare: taxes {} back", item.tax),
                        ),
                    }
                }
            }
            "hotel" => {
                let offer: HotelOffer = serde_json::from_value(item.details.clone())?;
                match offer.cancellation.free_until {
                    Some(until) if until.timestamp() > now => (
                        item.price.minor,
                        // The hotel's local time with its offset (the offer keeps the offset,
                        // not the zone's name): "13 Mar 14:00 (UTC-05:00)".
                        format!(
                            "free cancellation until {}",
                            until.strftime("%-d %b %H:%M (UTC%:z)")
                        ),
                    ),
                    Some(_) => (0, "past the free-cancellation deadline".to_string()),
                    None => (0, "non-refundable rate".to_string()),
                }
            }
            _ => {
                let days = (item.starts_at.as_second() - now.as_second()) / 86_400;
                let pct = if days >= 30 {
                    90
                } else if days >= 7 {
                    50
                } else {
                    0
                };
                (
                    item.price.minor * pct / 100,
                    format!("package {days} days before departure: {pct}% back"),
                )
            }
        };
        refundable += back;
        rules.push(format!("{}: {rule}", item.description));
    }
    let paid_in = b.paid().minor;
    // What the card has already had back (a cheaper date change) is not refunded twice.
    let refunded = conn.payments().refunded_total(&b.id)?;
    let paid = paid_in - refunded;
    let refund = refundable.min(paid).max(0);
    if paid_in == 0 && refundable > 0 {
        // The rules above would give money back; nothing was paid to give back.
        rules.push("no payment was made: nothing to refund".to_string());
    }
    let (returned, clawed) = points::cancel_effect(conn, user, &b.id)?;
    Ok(RefundQuote {
        booking_id: b.id.clone(),
        status: b.status,
        refund: Money::new(refund, currency),
        kept: Money::new(paid - refund, currency),
        points_returned: returned,
        points_clawed_back: clawed,
        rules,
    })
}
