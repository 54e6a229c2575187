//! Paying: a charge attempt written down, sent to the payment provider under its key, and
//! its outcome settled into the booking's state; a charge cut short is resumed, never repeated.

use super::*;

impl Desk {
    /// Charges the card for a PENDING booking and moves it on. The provider is called outside
    /// any transaction (a real card network may take seconds); the moves on either side are
    /// transactions of their own.
    pub(super) async fn charge(
        &self,
        user: &str,
        booking_id: &str,
        card: &Card,
    ) -> Result<Booking> {
        // Orders held unpaid must still be held at the same price before the card is charged.
        self.check_held_orders(booking_id).await?;
        let now = self.now().as_second();
        let (amount, attempt, payment_id) = self
            .store()
            .write(|u| self.start_charge(u, user, booking_id, card, now))?;
        crate::faults::step("charge.started");
        self.send_charge(
            user,
            booking_id,
            &payment_id,
            amount,
            card,
            &charge_key(booking_id, attempt),
        )
        .await
    }

    /// Sends a started charge attempt to the payment provider under its idempotency key and
    /// settles what it answers. Sending the same attempt again (after a crash) is safe: the
    /// provider answers a key it has seen with the first outcome, never a second charge.
    async fn send_charge(
        &self,
        user: &str,
        booking_id: &str,
        payment_id: &str,
        amount: Money,
        card: &Card,
        provider_key: &str,
    ) -> Result<Booking> {
        let outcome = self.payments().charge(amount, card, provider_key).await;
        crate::faults::step("charge.answered");
        let settled = self
            .store()
            .write(|tx| self.settle(tx, user, booking_id, payment_id, amount, outcome))?;
        crate::faults::step("charge.settled");
        let booking = self.after_settle(user, booking_id, settled).await?;
        self.after_paid(user, booking).await
    }

    /// Carries on a payment whose request died half-way, under the same idempotency key:
    /// a PENDING booking is charged (nothing reached the provider); a charge attempt that was
    /// sent but never settled is sent again under its own provider key, so the provider
    /// answers with the first outcome instead of charging twice, and that outcome is settled
    /// (a booking that lapsed meanwhile gets the money back); anything else is shown as it
    /// stands. Without a card (a booking made to pay later), the booking as it stands.
    pub(super) async fn resume_payment(
        &self,
        user: &str,
        booking_id: &str,
        card: Option<&Card>,
    ) -> Result<Booking> {
        let booking = self.store().read(|u| load(u, user, booking_id))?;
        let Some(card) = card else {
            return Ok(booking);
        };
        match booking.status {
            BookingStatus::Pending => self.charge(user, booking_id, card).await,
            // An attempt sent but never settled is settled now, whatever became of the
            // booking meanwhile: confirmed if it still waits, refunded if it lapsed.
            _ => {
                let unsettled = self.store().read(|u| u.payments().unanswered(booking_id))?;
                match unsettled {
                    Some(a) => {
                        let amount = Money::new(a.amount, Currency::parse(&a.currency)?);
                        self.send_charge(user, booking_id, &a.id, amount, card, &a.reference)
                            .await
                    }
                    None => Ok(booking),
                }
            }
        }
    }

    /// A booking just paid: its held supplier orders are paid now (what fails is retried by
    /// `reconcile_suppliers` and shown in `next_action`).
    async fn after_paid(&self, user: &str, booking: Booking) -> Result<Booking> {
        if booking.status != BookingStatus::Confirmed {
            return Ok(booking);
        }
        if self.pay_held_orders(&booking.id).await.is_empty() {
            self.search.invalidate();
        }
        self.store().read(|u| load(u, user, &booking.id))
    }

    /// PENDING -> PAYMENT_PROCESSING, and the attempt written down (status `processing`,
    /// with the provider key it will be sent under) before anything is sent; returns the
    /// amount to charge, the attempt number and the attempt's payment id.
    pub(super) fn start_charge(
        &self,
        unit: &dyn Unit,
        user: &str,
        booking_id: &str,
        card: &Card,
        now: i64,
    ) -> Result<(Money, usize, String)> {
        self.start_attempt(
            unit,
            user,
            booking_id,
            self.payments().name(),
            Some(card),
            now,
        )
    }

    /// [`Desk::start_charge`] for any provider: by card (`card` given) or by PayPal (none).
    pub(super) fn start_attempt(
        &self,
        unit: &dyn Unit,
        user: &str,
        booking_id: &str,
        provider: &str,
        card: Option<&Card>,
        now: i64,
    ) -> Result<(Money, usize, String)> {
        let ChargeBasis {
            status,
            amount_due: due,
            currency,
            attempts,
        } = unit
            .payments()
            .charge_basis(booking_id, user)?
            .ok_or_else(|| Error::NotFound(format!("no booking {booking_id}")))?;
        let status = BookingStatus::parse(&status)?;
        if status != BookingStatus::Pending {
            return Err(Error::Conflict(format!(
                "booking {booking_id} is {status}: only a PENDING booking can be paid"
            )));
        }
        state::transition(
            unit,
            booking_id,
            BookingStatus::PaymentProcessing,
            if card.is_some() {
                "charging the card"
            } else {
                "waiting for the payer's approval on PayPal"
            },
            now,
        )?;
        let amount = Money::new(due, Currency::parse(&currency)?);
        let attempt = attempts as usize;
        let payment_id = crate::ids::new("pay");
        let last4 = card.map(|c| c.last4());
        unit.payments().start(&NewAttempt {
            id: &payment_id,
            booking: booking_id,
            provider,
            method: if card.is_some() { "card" } else { "paypal" },
            amount: amount.minor,
            currency: amount.currency.as_str(),
            card_brand: card.map(|c| c.brand()),
            card_last4: last4.as_deref(),
            provider_key: &charge_key(booking_id, attempt),
            at: now,
        })?;
        Ok((amount, attempt, payment_id))
    }

    /// Applies what the payment provider said about one charge attempt (`payment_id`) to the
    /// attempt and its booking, inside the caller's transaction: the one place where a payment
    /// outcome changes a booking, for a charge, a confirmed 3-D Secure payment and the
    /// provider's webhook alike. A success on a booking that is still waiting confirms it; a
    /// success on one that moved on (cancelled, lapsed) is written down as a refund owed; a
    /// decline cancels a waiting booking; a provider error puts it back to PENDING.
    /// Database errors come back as `Err` (the caller must not commit); what the card did
    /// comes back as a `Settled` for the caller to act on once it has committed.
    pub(crate) fn settle(
        &self,
        tx: &dyn Unit,
        user: &str,
        booking_id: &str,
        payment_id: &str,
        amount: Money,
        outcome: Result<ChargeOutcome>,
    ) -> Result<Settled> {
        let now = self.now().as_second();
        // An outcome is applied once: only to an attempt still open (sent, or waiting for the
        // cardholder). A second word on a settled attempt (a double confirm, Stripe's webhook
        // after our own answer, a redelivery) changes nothing.
        // In the same read: the booking may have moved on while the card network answered
        // (cancelled by its traveller, or lapsed); then a successful charge is given back.
        let (open, status) = tx.payments().settling(payment_id)?;
        if !open {
            return Ok(Settled::Unchanged);
        }
        let record = |status: &str, reference: Option<&str>, message: Option<&str>| {
            tx.payments()
                .record_outcome(payment_id, status, reference, message)
        };
        let waiting = BookingStatus::parse(&status)? == BookingStatus::PaymentProcessing;
        Ok(match outcome {
            Ok(ChargeOutcome::Succeeded { reference }) if waiting => {
                record("succeeded", Some(&reference), None)?;
                self.confirm_paid(tx, user, booking_id, now)?;
                Settled::Done
            }
            Ok(ChargeOutcome::Succeeded { reference }) => {
                record(
                    "refunded",
                    Some(&reference),
                    Some("the booking was no longer waiting for this payment"),
                )?;
                tx.payments().owe_refund(&NewRefund {
                    id: &crate::ids::new("ref"),
                    booking: booking_id,
                    payment: payment_id,
                    amount: amount.minor,
                    currency: amount.currency.as_str(),
                    at: now,
                })?;
                Settled::Orphaned { amount }
            }
            Ok(ChargeOutcome::RequiresAction { reference }) => {
                record(
                    "requires_action",
                    Some(&reference),
                    Some("the bank asks the cardholder to confirm"),
                )?;
                Settled::Done
            }
            // PayPal's payer can pay again another way (another card in the wallet, another
            // account): the booking goes back to PENDING, its seats still held, nothing lost.
            Ok(ChargeOutcome::Declined { reason })
                if tx.payments().provider_of(payment_id)?.as_deref()
                    == Some(crate::booking::payment::paypal::NAME) =>
            {
                record("failed", None, Some(&reason))?;
                if waiting {
                    state::transition(
                        tx,
                        booking_id,
                        BookingStatus::Pending,
                        &format!("PayPal declined the payment: {reason}"),
                        now,
                    )?;
                }
                Settled::Failed(Error::Conflict(format!(
                    "PayPal declined the payment ({reason}): nothing was taken and booking {booking_id} is PENDING again; pay again with `booksygo bookings pay {booking_id} --paypal` (another way to pay in PayPal) or `--card NUMBER`"
                )))
            }
            Ok(ChargeOutcome::Declined { reason }) => {
                record("failed", None, Some(&reason))?;
                if waiting {
                    self.cancel_in(
                        tx,
                        user,
                        booking_id,
                        &format!("payment declined: {reason}"),
                        now,
                    )?;
                }
                Settled::Failed(Error::Conflict(format!(
                    "payment declined ({reason}): booking {booking_id} is cancelled and its seats released; book again with another card"
                )))
            }
            Err(e) => {
                record("failed", None, Some(&e.to_string()))?;
                if waiting {
                    state::transition(
                        tx,
                        booking_id,
                        BookingStatus::Pending,
                        "payment provider error",
                        now,
                    )?;
                }
                Settled::Failed(Error::Conflict(format!(
                    "the payment did not go through ({e}); booking {booking_id} is PENDING: retry with `booksygo bookings pay {booking_id}`"
                )))
            }
        })
    }

    /// Acts on a settled charge after its transaction committed.
    pub(super) async fn after_settle(
        &self,
        user: &str,
        booking_id: &str,
        settled: Settled,
    ) -> Result<Booking> {
        match settled {
            Settled::Done | Settled::Unchanged => self.store().read(|u| load(u, user, booking_id)),
            Settled::Failed(e) => Err(e),
            Settled::Orphaned { amount } => {
                self.pay_out_refunds().await;
                Err(Error::Conflict(format!(
                    "booking {booking_id} stopped waiting for payment while the card was charged: the charge of {amount} is refunded"
                )))
            }
        }
    }

    pub(crate) fn confirm_paid(
        &self,
        tx: &dyn Unit,
        user: &str,
        booking_id: &str,
        now: i64,
    ) -> Result<()> {
        events::emit(
            tx,
            "booking.payment_completed",
            booking_id,
            Some(user),
            &serde_json::json!({"booking_id": booking_id}),
            now,
        )?;
        state::transition(
            tx,
            booking_id,
            BookingStatus::Confirmed,
            "payment received",
            now,
        )?;
        points::on_confirmed(tx, user, booking_id, now)
    }

    /// Cancels inside a transaction: status, inventory, points. Money is the caller's.
    pub(crate) fn cancel_in(
        &self,
        tx: &dyn Unit,
        user: &str,
        booking_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<(i64, i64)> {
        state::transition(tx, booking_id, BookingStatus::Cancelled, reason, now)?;
        tx.inventory().release(booking_id, false)?;
        super::supplier::mark_cancelling(tx, booking_id, now)?;
        points::on_cancelled(tx, user, booking_id, now)
    }

    pub async fn pay_booking_as(
        &self,
        user: &str,
        booking_id: &str,
        card: Card,
        key: Option<String>,
    ) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        let hash = request_hash(&(booking_id, card.fingerprint()))?;
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        card.validate(today)?;
        self.sweep()?;
        let now = self.now().as_second();
        let begun = idempotency::begin(
            self.store(),
            "pay",
            user,
            key.as_deref(),
            &hash,
            Some(booking_id),
            now,
        )?;
        match begun {
            Begun::Unkeyed => self.charge(user, booking_id, &card).await,
            Begun::Replay(answer) => *answer,
            Begun::Fresh(claim) => {
                let outcome = self.charge(user, booking_id, &card).await;
                idempotency::finish(self.store(), &claim, &outcome);
                outcome
            }
            Begun::Resume(claim, _) => {
                let outcome = self.resume_payment(user, booking_id, Some(&card)).await;
                idempotency::finish(self.store(), &claim, &outcome);
                outcome
            }
        }
    }

    /// Finishes a payment that required the cardholder's confirmation.
    pub async fn confirm_payment_as(&self, user: &str, booking_id: &str) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        let (payment_id, reference, amount) = self.store().read(|u| {
            let b = load(u, user, booking_id)?;
            if b.status != BookingStatus::PaymentProcessing {
                return Err(Error::Conflict(format!(
                    "booking {booking_id} is {}: there is no payment waiting for confirmation",
                    b.status
                )));
            }
            let a = u
                .payments()
                .awaiting_cardholder(booking_id)?
                .ok_or_else(|| {
                    Error::Conflict(format!(
                        "booking {booking_id} has no payment waiting for confirmation"
                    ))
                })?;
            Ok((
                a.id,
                a.reference,
                Money::new(a.amount, Currency::parse(&a.currency)?),
            ))
        })?;
        // A provider that cannot be reached leaves the payment waiting: try again later. The
        // payment goes back to the provider that took it (PayPal captures its order).
        let provider = self
            .store()
            .read(|u| u.payments().provider_of(&payment_id))?
            .unwrap_or_default();
        let outcome = match self.provider_named(&provider)?.confirm(&reference).await {
            Ok(outcome) => outcome,
            Err(e) if provider == crate::booking::payment::paypal::NAME => {
                return Err(super::paypal::capture_unknown(booking_id, e));
            }
            Err(e) => return Err(e),
        };
        let settled = self
            .store()
            .write(|tx| self.settle(tx, user, booking_id, &payment_id, amount, Ok(outcome)))?;
        let booking = self.after_settle(user, booking_id, settled).await?;
        self.after_paid(user, booking).await
    }
}
