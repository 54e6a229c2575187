//! Orders with real suppliers (Duffel): the intent is written before the supplier is called,
//! the answer after; an answer lost to a timeout or a crash is found again by asking the
//! supplier for the order tagged with the intent. Cancelled bookings get their supplier
//! orders cancelled in two steps (quote, confirm), retried until the supplier confirms.

use super::Desk;
use crate::booking::state::{self, BookingStatus};
use crate::error::{Error, Result};
use crate::model::FlightOffer;
use crate::providers::http::is_ambiguous;
use crate::providers::{FlightProvider, OrderRequest, StayRequest, SupplierOrder};
use crate::store::Unit;
use crate::store::port::{NewSupplierOrder, PlacedOrder, SupplierOrderRow as Row};
use std::sync::Arc;

/// A pending intent the supplier does not know after this long never became an order.
pub const INTENT_GRACE_SECONDS: i64 = 10 * 60;

/// Records the intent to order item `seq` from a supplier: `supplier_ref` is what will be
/// ordered (the supplier's offer id, or its quote id for a stay), `offer` the JSON as priced.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_intent(
    unit: &dyn Unit,
    booking_id: &str,
    seq: i64,
    kind: &str,
    provider: &str,
    supplier_ref: &str,
    offer: &str,
    now: i64,
) -> Result<()> {
    unit.bookings().order_intent(&NewSupplierOrder {
        id: &crate::ids::new("sor"),
        booking: booking_id,
        seq,
        kind,
        provider,
        supplier_ref,
        offer,
        at: now,
    })
}

/// Inside a cancellation's transaction: the supplier orders of the booking are to be
/// cancelled with the supplier.
pub(crate) fn mark_cancelling(unit: &dyn Unit, booking_id: &str, now: i64) -> Result<()> {
    unit.bookings().orders_cancelling(booking_id, now)
}

/// A line for `next_action` when a supplier still has to confirm something.
pub(crate) fn pending_note(unit: &dyn Unit, booking_id: &str) -> Result<Option<String>> {
    let unpaid = unit.bookings().unpaid_held_order(booking_id)?;
    if let Some(p) = unpaid {
        return Ok(Some(format!(
            "paid: waiting for {p} to take payment for the held order; BooksyGo retries on every run"
        )));
    }
    let row = unit.bookings().open_order(booking_id)?;
    Ok(row.map(|(p, s)| {
        if s == "pending" {
            format!("waiting for {p} to confirm the order (its answer was lost): BooksyGo asks {p} again on every run; pay once it is confirmed")
        } else {
            format!("waiting for {p} to confirm the cancellation: BooksyGo retries on every run")
        }
    }))
}

impl Desk {
    /// The supplier that sells through orders under `name`, if one is configured.
    pub(crate) fn order_supplier(&self, name: &str) -> Option<Arc<dyn FlightProvider>> {
        self.search
            .flight_provider(name)
            .filter(|p| p.orders().is_some())
    }

    /// The supplier that books stays under `name`, if one is configured.
    pub(crate) fn hotel_supplier(
        &self,
        name: &str,
    ) -> Option<Arc<dyn crate::providers::HotelProvider>> {
        self.search
            .hotel_provider(name)
            .filter(|p| p.orders().is_some())
    }

    /// Places one recorded intent with its supplier.
    async fn place(
        &self,
        row: &Row,
        passengers: &[super::PassengerInput],
        email: &str,
        phone: Option<&str>,
        hold: bool,
    ) -> Result<SupplierOrder> {
        let missing = || Error::Conflict(format!("{} is not configured", row.provider));
        if row.kind == "hotel" {
            let p = self.hotel_supplier(&row.provider).ok_or_else(missing)?;
            let req = StayRequest {
                intent: &row.id,
                booking_id: &row.booking_id,
                quote_id: &row.offer_id,
                guests: passengers,
                email,
                phone,
            };
            return p.orders().expect("a stay supplier").book(&req).await;
        }
        let p = self.order_supplier(&row.provider).ok_or_else(missing)?;
        let offer: FlightOffer = serde_json::from_str(&row.offer)?;
        let req = OrderRequest {
            intent: &row.id,
            booking_id: &row.booking_id,
            offer: &offer,
            passengers,
            email,
            phone,
            hold,
        };
        p.orders()
            .expect("an order supplier")
            .create_order(&req)
            .await
    }

    /// Asks the supplier for the order placed under a row's intent.
    async fn find(&self, row: &Row) -> Result<Option<SupplierOrder>> {
        let missing = || Error::Conflict(format!("{} is not configured", row.provider));
        if row.kind == "hotel" {
            let p = self.hotel_supplier(&row.provider).ok_or_else(missing)?;
            return p
                .orders()
                .expect("a stay supplier")
                .find_booking(&row.id)
                .await;
        }
        let p = self.order_supplier(&row.provider).ok_or_else(missing)?;
        p.orders()
            .expect("an order supplier")
            .find_order(&row.id)
            .await
    }

    fn confirm_row(&self, row: &Row, order: &SupplierOrder) -> Result<()> {
        self.store().write(|u| {
            let now = self.now().as_second();
            let (status, _) = booking_status(u, &row.booking_id)?;
            // A booking cancelled meanwhile (lapsed, declined) gets its order cancelled too.
            let cancelled = matches!(
                BookingStatus::parse(&status)?,
                BookingStatus::Cancelled | BookingStatus::Refunded
            );
            u.bookings().order_placed(
                row,
                &PlacedOrder {
                    status: if cancelled { "cancelling" } else { "confirmed" },
                    order_id: &order.order_id,
                    booking_reference: &order.booking_reference,
                    held: order.awaiting_payment,
                    payment_required_by: order.payment_required_by.map(|t| t.as_second()),
                },
                now,
            )?;
            crate::events::emit(
                u,
                "booking.supplier_confirmed",
                &row.booking_id,
                None,
                &serde_json::json!({"booking_id": row.booking_id, "provider": row.provider,
                "order_id": order.order_id, "booking_reference": order.booking_reference}),
                now,
            )
        })
    }

    /// The supplier definitely did not place the order: the booking is cancelled.
    fn fail_row(&self, row: &Row, reason: &str) -> Result<()> {
        let now = self.now().as_second();
        self.store().write(|tx| {
            tx.bookings().order_failed(&row.id, reason, now)?;
            let (status, user) = booking_status(tx, &row.booking_id)?;
            if matches!(
                BookingStatus::parse(&status)?,
                BookingStatus::Pending
                    | BookingStatus::PaymentProcessing
                    | BookingStatus::Confirmed
            ) {
                state::transition(
                    tx,
                    &row.booking_id,
                    BookingStatus::Cancelled,
                    &format!("{} did not confirm the order: {reason}", row.provider),
                    now,
                )?;
                tx.inventory().release(&row.booking_id, false)?;
                crate::points::on_cancelled(tx, &user, &row.booking_id, now)?;
                mark_cancelling(tx, &row.booking_id, now)?;
            }
            Ok(())
        })
    }

    /// Places the orders recorded for a new booking: `true` when every one is confirmed. A
    /// refusal cancels the booking (an error); an unknown outcome (timeout, 5xx) leaves it
    /// PENDING for `reconcile_suppliers` (`false`). With `hold` (no payment yet) an offer
    /// that allows it is held unpaid, to be paid by `pay_held_orders`.
    pub(crate) async fn place_supplier_orders(
        &self,
        booking_id: &str,
        passengers: &[super::PassengerInput],
        email: &str,
        phone: Option<&str>,
        hold: bool,
    ) -> Result<bool> {
        let pending = self
            .store()
            .read(|u| u.bookings().orders_pending(booking_id))?;
        for row in pending {
            match self.place(&row, passengers, email, phone, hold).await {
                Ok(order) => self.confirm_row(&row, &order)?,
                Err(e) if is_ambiguous(&e) => {
                    // The supplier may have placed it: ask before anything else.
                    if let Ok(Some(order)) = self.find(&row).await {
                        self.confirm_row(&row, &order)?;
                        continue;
                    }
                    let now = self.now().as_second();
                    self.store()
                        .read(|u| u.bookings().order_note(&row.id, &e.to_string(), now))?;
                    return Ok(false);
                }
                Err(e) => {
                    self.fail_row(&row, &e.to_string())?;
                    return Err(match e {
                        Error::Conflict(m) => {
                            Error::Conflict(format!("{m}; booking {booking_id} is cancelled"))
                        }
                        Error::Invalid { message, .. } => {
                            Error::invalid(format!("{message}; booking {booking_id} is cancelled"))
                        }
                        other => other,
                    });
                }
            }
        }
        self.search.invalidate();
        Ok(true)
    }

    /// The held (unpaid) flight orders of a booking, with the amount each was held at.
    /// (`booking`: that booking's; `None`: those of every CONFIRMED booking.)
    fn held_rows(&self, booking: Option<&str>) -> Result<Vec<(Row, crate::model::Money)>> {
        let rows = self.store().read(|u| match booking {
            Some(b) => u.bookings().held_flight_orders(b),
            None => u.bookings().held_flight_orders_paid(),
        })?;
        let mut out = Vec::new();
        for row in rows {
            let offer: FlightOffer = serde_json::from_str(&row.offer)?;
            out.push((row, offer.total()));
        }
        Ok(out)
    }

    /// Before charging for a booking with held orders: each is still held, at the price it
    /// was held at. Anything else is refused before the card is touched.
    pub(crate) async fn check_held_orders(&self, booking_id: &str) -> Result<()> {
        for (row, held_at) in self.held_rows(Some(booking_id))? {
            let order_id = row.order_id.as_deref().unwrap_or_default();
            let p = self.order_orders(&row)?;
            let now = p
                .orders()
                .expect("an order supplier")
                .get_order(order_id)
                .await?;
            if now.cancelled {
                return Err(Error::Conflict(format!(
                    "{} released the held order {order_id} of booking {booking_id}: nothing was charged; cancel it and book again",
                    row.provider
                )));
            }
            if now.total != held_at {
                return Err(Error::Conflict(format!(
                    "the price of booking {booking_id} went from {held_at} to {} while it was held ({} order {order_id}): nothing was charged; cancel it and search again",
                    now.total, row.provider
                )));
            }
        }
        Ok(())
    }

    /// After the traveller paid: pays each held order its exact amount. What fails (the
    /// supplier down, its balance short) stays held and is retried by `reconcile_suppliers`.
    pub(crate) async fn pay_held_orders(&self, booking_id: &str) -> Vec<String> {
        match self.held_rows(Some(booking_id)) {
            Ok(held) => {
                let mut problems = Vec::new();
                for (row, amount) in held {
                    if let Err(e) = self.pay_held(&row, amount).await {
                        problems.push(e.to_string());
                    }
                }
                problems
            }
            Err(e) => vec![e.to_string()],
        }
    }

    async fn pay_held(&self, row: &Row, amount: crate::model::Money) -> Result<()> {
        let order_id = row.order_id.as_deref().unwrap_or_default();
        let p = self.order_orders(row)?;
        let orders = p.orders().expect("an order supplier");
        let outcome = match orders.pay_order(order_id, amount).await {
            Ok(()) => Ok(()),
            // Perhaps it was paid before the answer was lost.
            Err(e) => match orders.get_order(order_id).await {
                Ok(o) if !o.awaiting_payment && !o.cancelled => Ok(()),
                _ => Err(e),
            },
        };
        let now = self.now().as_second();
        match outcome {
            Ok(()) => self.store().read(|u| u.bookings().order_paid(&row.id, now)),
            Err(e) => {
                self.store()
                    .read(|u| u.bookings().order_note(&row.id, &e.to_string(), now))?;
                Err(e)
            }
        }
    }

    fn order_orders(&self, row: &Row) -> Result<Arc<dyn FlightProvider>> {
        self.order_supplier(&row.provider).ok_or_else(|| {
            Error::Conflict(format!(
                "{} is not configured: cannot reach its order {}",
                row.provider,
                row.order_id.as_deref().unwrap_or_default()
            ))
        })
    }

    /// Cancels a booking's confirmed supplier orders before the booking itself is cancelled:
    /// quote, then confirm. A refusal stops the cancellation with the supplier's reason.
    pub(crate) async fn cancel_supplier_orders(&self, booking_id: &str) -> Result<()> {
        let confirmed = self
            .store()
            .read(|u| u.bookings().orders_to_cancel(booking_id))?;
        for row in confirmed {
            self.cancel_row(&row).await?;
        }
        Ok(())
    }

    async fn cancel_row(&self, row: &Row) -> Result<()> {
        let Some(order_id) = row.order_id.as_deref() else {
            return Ok(());
        };
        if row.kind == "hotel" {
            let p = self.hotel_supplier(&row.provider).ok_or_else(|| {
                Error::Conflict(format!(
                    "{} is not configured: cannot cancel its booking {order_id}",
                    row.provider
                ))
            })?;
            let orders = p.orders().expect("a stay supplier");
            let done = match orders.cancel_booking(order_id).await {
                Ok(c) => c.confirmed,
                Err(e) => match orders.get_booking(order_id).await {
                    Ok(o) if o.cancelled => true,
                    _ => return Err(e),
                },
            };
            return self.cancelled_row(row, done);
        }
        let provider = self.order_supplier(&row.provider).ok_or_else(|| {
            Error::Conflict(format!(
                "{} is not configured: cannot cancel its order {order_id}",
                row.provider
            ))
        })?;
        let orders = provider.orders().expect("filtered on orders");
        let outcome = async {
            let quote = orders.quote_cancellation(order_id).await?;
            let now = self.now().as_second();
            let refund = quote.refund.map(|m| (m.minor, m.currency));
            self.store().read(|u| {
                u.bookings().order_cancel_quoted(
                    &row.id,
                    &quote.id,
                    refund.as_ref().map(|(minor, c)| (*minor, c.as_str())),
                    now,
                )
            })?;
            orders.confirm_cancellation(&quote.id).await
        }
        .await;
        let done = match outcome {
            Ok(c) => c.confirmed,
            // Perhaps it went through before the answer was lost, or earlier.
            Err(e) => match orders.get_order(order_id).await {
                Ok(o) if o.cancelled => true,
                _ => return Err(e),
            },
        };
        self.cancelled_row(row, done)
    }

    fn cancelled_row(&self, row: &Row, done: bool) -> Result<()> {
        if done {
            let now = self.now().as_second();
            self.store()
                .read(|u| u.bookings().order_cancelled(&row.id, now))?;
        }
        Ok(())
    }

    /// Brings supplier orders in line with bookings: pending intents are looked up with the
    /// supplier (found: recorded; unknown after a grace period: the booking is cancelled),
    /// and orders of cancelled bookings are cancelled with the supplier. Returns what could
    /// not be done yet (retried on the next call). Cheap when there is nothing to do.
    pub async fn reconcile_suppliers(&self) -> Vec<String> {
        let todo = match self.store().read(|u| u.bookings().orders_unsettled()) {
            Ok(r) => r,
            Err(e) => return vec![e.to_string()],
        };
        let mut problems = Vec::new();
        // Held orders of bookings the traveller has paid: pay the supplier.
        match self.held_rows(None) {
            Ok(held) => {
                for (row, amount) in held {
                    if let Err(e) = self.pay_held(&row, amount).await {
                        problems.push(format!(
                            "{} held order for booking {}: {e}",
                            row.provider, row.booking_id
                        ));
                    }
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
        let now = self.now().as_second();
        for row in todo {
            let result = match row.status.as_str() {
                "pending" => self.reconcile_pending(&row, now).await,
                _ => self.cancel_row(&row).await,
            };
            if let Err(e) = result {
                problems.push(format!(
                    "{} order for booking {}: {e}",
                    row.provider, row.booking_id
                ));
            }
        }
        problems
    }

    async fn reconcile_pending(&self, row: &Row, now: i64) -> Result<()> {
        match self.find(row).await? {
            Some(order) => {
                self.confirm_row(row, &order)?;
                // Its booking may have been cancelled meanwhile: then cancel it now.
                let status = self.store().read(|u| u.bookings().order_status(&row.id))?;
                if status == "cancelling" {
                    let mut again = row.clone();
                    again.order_id = Some(order.order_id);
                    self.cancel_row(&again).await?;
                }
                Ok(())
            }
            None if now - row.created_at > INTENT_GRACE_SECONDS => {
                self.fail_row(row, "the supplier has no such order")
            }
            None => Ok(()),
        }
    }
}

/// A booking's status and owner, for a booking known to exist.
fn booking_status(unit: &dyn Unit, booking_id: &str) -> Result<(String, String)> {
    unit.bookings()
        .status(booking_id)?
        .ok_or_else(|| Error::NotFound(format!("no booking {booking_id}")))
}
