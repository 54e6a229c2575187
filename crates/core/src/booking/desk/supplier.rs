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
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::sync::Arc;

/// An offer from a real supplier that cannot book it here (its key was removed, or it only
/// searches, as Amadeus hotels) is never booked locally as if it were the sandbox's.
pub(crate) fn refuse_unconfigured(provider: &str, offer_id: &str) -> Result<()> {
    if provider == crate::providers::duffel::NAME || provider == crate::providers::amadeus::NAME {
        return Err(Error::Conflict(format!(
            "offer {offer_id} comes from {provider}, which cannot book it here (its key is not set, or its hotel offers are for comparison only): choose another offer"
        )));
    }
    Ok(())
}

/// A pending intent the supplier does not know after this long never became an order.
pub const INTENT_GRACE_SECONDS: i64 = 10 * 60;

/// One row of `supplier_orders`.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    booking_id: String,
    seq: i64,
    kind: String,
    provider: String,
    offer_id: String,
    offer: String,
    status: String,
    order_id: Option<String>,
    created_at: i64,
}

fn rows(conn: &Connection, filter: &str, arg: &str) -> Result<Vec<Row>> {
    let sql = format!(
        "SELECT id, booking_id, seq, kind, provider, offer_id, offer, status, order_id, created_at FROM supplier_orders WHERE {filter} ORDER BY created_at, seq"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([arg], |r| {
            Ok(Row {
                id: r.get(0)?,
                booking_id: r.get(1)?,
                seq: r.get(2)?,
                kind: r.get(3)?,
                provider: r.get(4)?,
                offer_id: r.get(5)?,
                offer: r.get(6)?,
                status: r.get(7)?,
                order_id: r.get(8)?,
                created_at: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Records the intent to order item `seq` from a supplier: `supplier_ref` is what will be
/// ordered (the supplier's offer id, or its quote id for a stay), `offer` the JSON as priced.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_intent(
    tx: &Connection,
    booking_id: &str,
    seq: i64,
    kind: &str,
    provider: &str,
    supplier_ref: &str,
    offer: &str,
    now: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO supplier_orders(id, booking_id, seq, kind, provider, offer_id, offer, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8)",
        params![crate::ids::new("sor"), booking_id, seq, kind, provider, supplier_ref, offer, now],
    )?;
    Ok(())
}

/// Inside a cancellation's transaction: the supplier orders of the booking are to be
/// cancelled with the supplier.
pub(crate) fn mark_cancelling(tx: &Connection, booking_id: &str, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE supplier_orders SET status = 'cancelling', updated_at = ?2 WHERE booking_id = ?1 AND status = 'confirmed'",
        params![booking_id, now],
    )?;
    Ok(())
}

/// A line for `next_action` when a supplier still has to confirm something.
pub(crate) fn pending_note(conn: &Connection, booking_id: &str) -> Result<Option<String>> {
    let unpaid: Option<String> = conn
        .query_row(
            "SELECT s.provider FROM supplier_orders s JOIN bookings b ON b.id = s.booking_id
             WHERE s.booking_id = ?1 AND s.status = 'confirmed' AND s.held = 1 AND b.status = 'CONFIRMED' LIMIT 1",
            [booking_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(p) = unpaid {
        return Ok(Some(format!(
            "paid: waiting for {p} to take payment for the held order; BooksyGo retries on every run"
        )));
    }
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT provider, status FROM supplier_orders WHERE booking_id = ?1 AND status IN ('pending', 'cancelling') LIMIT 1",
            [booking_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
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
        let mut conn = self.store().conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = self.now().as_second();
        let status: String = tx.query_row(
            "SELECT status FROM bookings WHERE id = ?1",
            [&row.booking_id],
            |r| r.get(0),
        )?;
        // A booking cancelled meanwhile (lapsed, declined) gets its order cancelled too.
        let cancelled = matches!(
            BookingStatus::parse(&status)?,
            BookingStatus::Cancelled | BookingStatus::Refunded
        );
        tx.execute(
            "UPDATE supplier_orders SET status = ?2, order_id = ?3, booking_reference = ?4, updated_at = ?5, held = ?6, payment_required_by = ?7 WHERE id = ?1",
            params![
                row.id,
                if cancelled { "cancelling" } else { "confirmed" },
                order.order_id,
                order.booking_reference,
                now,
                order.awaiting_payment,
                order.payment_required_by.map(|t| t.as_second()),
            ],
        )?;
        tx.execute(
            "UPDATE booking_items SET reference = ?3 WHERE booking_id = ?1 AND seq = ?2",
            params![row.booking_id, row.seq, order.booking_reference],
        )?;
        crate::events::emit(
            &tx,
            "booking.supplier_confirmed",
            &row.booking_id,
            None,
            &serde_json::json!({"booking_id": row.booking_id, "provider": row.provider,
                "order_id": order.order_id, "booking_reference": order.booking_reference}),
            now,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The supplier definitely did not place the order: the booking is cancelled.
    fn fail_row(&self, row: &Row, reason: &str) -> Result<()> {
        let mut conn = self.store().conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = self.now().as_second();
        tx.execute(
            "UPDATE supplier_orders SET status = 'failed', message = ?2, updated_at = ?3 WHERE id = ?1",
            params![row.id, reason, now],
        )?;
        let (user, status): (String, String) = tx.query_row(
            "SELECT user_id, status FROM bookings WHERE id = ?1",
            [&row.booking_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if matches!(
            BookingStatus::parse(&status)?,
            BookingStatus::Pending | BookingStatus::PaymentProcessing | BookingStatus::Confirmed
        ) {
            state::transition(
                &tx,
                &row.booking_id,
                BookingStatus::Cancelled,
                &format!("{} did not confirm the order: {reason}", row.provider),
                now,
            )?;
            tx.inventory().release(&row.booking_id, false)?;
            crate::points::on_cancelled(&tx, &user, &row.booking_id, now)?;
            mark_cancelling(&tx, &row.booking_id, now)?;
        }
        tx.commit()?;
        Ok(())
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
        let pending = {
            let conn = self.store().conn()?;
            rows(&conn, "booking_id = ?1 AND status = 'pending'", booking_id)?
        };
        for row in pending {
            match self.place(&row, passengers, email, phone, hold).await {
                Ok(order) => self.confirm_row(&row, &order)?,
                Err(e) if is_ambiguous(&e) => {
                    // The supplier may have placed it: ask before anything else.
                    if let Ok(Some(order)) = self.find(&row).await {
                        self.confirm_row(&row, &order)?;
                        continue;
                    }
                    let conn = self.store().conn()?;
                    conn.execute(
                        "UPDATE supplier_orders SET message = ?2, updated_at = ?3 WHERE id = ?1",
                        params![row.id, e.to_string(), self.now().as_second()],
                    )?;
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
    fn held_rows(&self, filter: &str, arg: &str) -> Result<Vec<(Row, crate::model::Money)>> {
        let conn = self.store().conn()?;
        let mut out = Vec::new();
        for row in rows(
            &conn,
            &format!("status = 'confirmed' AND held = 1 AND kind = 'flight' AND {filter}"),
            arg,
        )? {
            let offer: FlightOffer = serde_json::from_str(&row.offer)?;
            out.push((row, offer.total()));
        }
        Ok(out)
    }

    /// Before charging for a booking with held orders: each is still held, at the price it
    /// was held at. Anything else is refused before the card is touched.
    pub(crate) async fn check_held_orders(&self, booking_id: &str) -> Result<()> {
        for (row, held_at) in self.held_rows("booking_id = ?1", booking_id)? {
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
        match self.held_rows("booking_id = ?1", booking_id) {
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
        let conn = self.store().conn()?;
        match outcome {
            Ok(()) => {
                conn.execute(
                    "UPDATE supplier_orders SET held = 0, message = NULL, updated_at = ?2 WHERE id = ?1",
                    params![row.id, self.now().as_second()],
                )?;
                Ok(())
            }
            Err(e) => {
                conn.execute(
                    "UPDATE supplier_orders SET message = ?2, updated_at = ?3 WHERE id = ?1",
                    params![row.id, e.to_string(), self.now().as_second()],
                )?;
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
        let confirmed = {
            let conn = self.store().conn()?;
            rows(
                &conn,
                "booking_id = ?1 AND status IN ('confirmed', 'cancelling')",
                booking_id,
            )?
        };
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
            {
                let conn = self.store().conn()?;
                conn.execute(
                    "UPDATE supplier_orders SET cancellation_id = ?2, refund_amount = ?3, refund_currency = ?4, updated_at = ?5 WHERE id = ?1",
                    params![row.id, quote.id, quote.refund.map(|m| m.minor), quote.refund.map(|m| m.currency.as_str().to_string()), self.now().as_second()],
                )?;
            }
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
            let conn = self.store().conn()?;
            conn.execute(
                "UPDATE supplier_orders SET status = 'cancelled', message = NULL, updated_at = ?2 WHERE id = ?1",
                params![row.id, self.now().as_second()],
            )?;
        }
        Ok(())
    }

    /// Brings supplier orders in line with bookings: pending intents are looked up with the
    /// supplier (found: recorded; unknown after a grace period: the booking is cancelled),
    /// and orders of cancelled bookings are cancelled with the supplier. Returns what could
    /// not be done yet (retried on the next call). Cheap when there is nothing to do.
    pub async fn reconcile_suppliers(&self) -> Vec<String> {
        let todo = match self
            .store()
            .conn()
            .and_then(|c| rows(&c, "status IN ('pending', 'cancelling') AND ?1 = ?1", ""))
        {
            Ok(r) => r,
            Err(e) => return vec![e.to_string()],
        };
        let mut problems = Vec::new();
        // Held orders of bookings the traveller has paid: pay the supplier.
        match self.held_rows(
            "booking_id IN (SELECT id FROM bookings WHERE status = 'CONFIRMED') AND ?1 = ?1",
            "",
        ) {
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
                let status: String = self.store().conn()?.query_row(
                    "SELECT status FROM supplier_orders WHERE id = ?1",
                    [&row.id],
                    |r| r.get(0),
                )?;
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
