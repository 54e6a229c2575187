//! Payments and refunds of bookings on SQLite: an outcome and a refund paid are conditional
//! updates inside the writer's transaction; a webhook event is `INSERT OR IGNORE` on its id.

use crate::error::Result;
use crate::store::port::{
    Attempt, ChargeBasis, ExtraCharge, NewAttempt, NewRefund, OwedRefund, PaymentRow, Payments,
    ReferencedPayment,
};
use rusqlite::{Connection, OptionalExtension, params};

impl Payments for Connection {
    fn of_booking(&self, booking: &str) -> Result<Vec<PaymentRow>> {
        Ok(self
            .prepare_cached("SELECT id, method, status, amount, card_brand, card_last4, message, created_at FROM payments WHERE booking_id = ?1 ORDER BY created_at, rowid")?
            .query_map([booking], |r| {
                Ok(PaymentRow {
                    id: r.get(0)?,
                    method: r.get(1)?,
                    status: r.get(2)?,
                    amount: r.get(3)?,
                    card_brand: r.get(4)?,
                    card_last4: r.get(5)?,
                    message: r.get(6)?,
                    created_at: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn refund_owed(&self, booking: &str) -> Result<bool> {
        Ok(self
            .prepare_cached("SELECT 1 FROM refunds WHERE booking_id = ?1 AND status = 'pending'")?
            .query_row([booking], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn booking_of(&self, payment: &str, user: &str) -> Result<Option<String>> {
        Ok(self
            .prepare_cached(
                "SELECT p.booking_id FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.id = ?1 AND b.user_id = ?2",
            )?
            .query_row(params![payment, user], |r| r.get(0))
            .optional()?)
    }

    fn charge_basis(&self, booking: &str, user: &str) -> Result<Option<ChargeBasis>> {
        Ok(self
            .prepare_cached("SELECT status, amount_due, currency, (SELECT count(*) FROM payments p WHERE p.booking_id = b.id)
                 FROM bookings b WHERE id = ?1 AND user_id = ?2")?
            .query_row(params![booking, user], |r| {
                Ok(ChargeBasis {
                    status: r.get(0)?,
                    amount_due: r.get(1)?,
                    currency: r.get(2)?,
                    attempts: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn start(&self, a: &NewAttempt<'_>) -> Result<()> {
        self.prepare_cached("INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, card_brand, card_last4, provider_ref, message, created_at, provider_key)
             VALUES (?1, ?2, ?3, ?10, 'processing', ?4, ?5, ?6, ?7, NULL, NULL, ?8, ?9)")?.execute(
            params![a.id, a.booking, a.provider, a.amount, a.currency,
                a.card_brand, a.card_last4, a.at, a.provider_key, a.method],
        )?;
        Ok(())
    }

    fn unanswered(&self, booking: &str) -> Result<Option<Attempt>> {
        Ok(self
            .prepare_cached("SELECT id, amount, currency, provider_key FROM payments WHERE booking_id = ?1 AND status = 'processing' AND provider_key IS NOT NULL ORDER BY created_at DESC LIMIT 1")?
            .query_row([booking], |r| {
                Ok(Attempt {
                    id: r.get(0)?,
                    amount: r.get(1)?,
                    currency: r.get(2)?,
                    reference: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn awaiting_cardholder(&self, booking: &str) -> Result<Option<Attempt>> {
        Ok(self
            .prepare_cached("SELECT id, provider_ref, amount, currency FROM payments WHERE booking_id = ?1 AND status = 'requires_action' ORDER BY created_at DESC LIMIT 1")?
            .query_row([booking], |r| {
                Ok(Attempt {
                    id: r.get(0)?,
                    reference: r.get(1)?,
                    amount: r.get(2)?,
                    currency: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn settling(&self, payment: &str) -> Result<(bool, String)> {
        Ok(self
            .prepare_cached(
                "SELECT p.status IN ('processing', 'requires_action'), b.status
                 FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE p.id = ?1",
            )?
            .query_row([payment], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    fn record_outcome(
        &self,
        payment: &str,
        status: &str,
        reference: Option<&str>,
        message: Option<&str>,
    ) -> Result<()> {
        self.prepare_cached("UPDATE payments SET status = ?2, provider_ref = coalesce(?3, provider_ref), message = ?4 WHERE id = ?1")?
            .execute(params![payment, status, reference, message])?;
        Ok(())
    }

    fn provider_of(&self, payment: &str) -> Result<Option<String>> {
        Ok(self
            .prepare_cached("SELECT provider FROM payments WHERE id = ?1")?
            .query_row([payment], |r| r.get(0))
            .optional()?)
    }

    fn card_payment(&self, booking: &str) -> Result<Option<String>> {
        Ok(self
            .prepare_cached("SELECT id FROM payments WHERE booking_id = ?1 AND status = 'succeeded' AND method IN ('card', 'paypal') ORDER BY created_at, rowid LIMIT 1")?
            .query_row([booking], |r| r.get(0))
            .optional()?)
    }

    fn owe_refund(&self, r: &NewRefund<'_>) -> Result<()> {
        self.prepare_cached("INSERT INTO refunds(id, booking_id, payment_id, amount, currency, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)")?.execute(
            params![r.id, r.booking, r.payment, r.amount, r.currency, r.at],
        )?;
        Ok(())
    }

    fn owed_refunds(&self) -> Result<Vec<OwedRefund>> {
        let mut stmt = self.prepare_cached(
            "SELECT r.id, r.booking_id, p.provider_ref, r.amount, r.currency, p.provider FROM refunds r
                 JOIN payments p ON p.id = r.payment_id WHERE r.status = 'pending'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OwedRefund {
                id: r.get(0)?,
                booking: r.get(1)?,
                reference: r.get(2)?,
                amount: r.get(3)?,
                currency: r.get(4)?,
                provider: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn refund_paid(&self, refund: &str, booking: &str, amount: i64) -> Result<bool> {
        let n = self
            .prepare_cached(
                "UPDATE refunds SET status = 'succeeded' WHERE id = ?1 AND status = 'pending'",
            )?
            .execute([refund])?;
        if n != 1 {
            return Ok(false);
        }
        self.prepare_cached("UPDATE bookings SET refunded = refunded + ?2 WHERE id = ?1")?
            .execute(params![booking, amount])?;
        Ok(true)
    }

    fn refunded_total(&self, booking: &str) -> Result<i64> {
        Ok(self
            .prepare_cached("SELECT coalesce(sum(amount), 0) FROM refunds WHERE booking_id = ?1")?
            .query_row([booking], |r| r.get(0))?)
    }

    fn waiting_on_cancelled(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.prepare_cached(
            "SELECT p.id, p.provider_ref FROM payments p JOIN bookings b ON b.id = p.booking_id
                 WHERE p.status = 'requires_action' AND p.provider_ref IS NOT NULL AND b.status IN ('CANCELLED', 'REFUNDED')",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn abandon(&self, payment: &str) -> Result<()> {
        self.prepare_cached("UPDATE payments SET status = 'canceled', message = 'abandoned: the booking was cancelled' WHERE id = ?1 AND status = 'requires_action'")?.execute([payment])?;
        Ok(())
    }

    fn record_change_charge(&self, c: &ExtraCharge<'_>, applied: bool) -> Result<()> {
        if applied {
            self.prepare_cached("INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, card_brand, card_last4, provider_ref, message, created_at)
                     VALUES (?1, ?2, ?3, 'card', 'succeeded', ?4, ?5, ?6, ?7, ?8, 'flight date change', ?9)")?.execute(
                params![c.id, c.booking, c.provider, c.amount, c.currency, c.card_brand, c.card_last4, c.reference, c.at],
            )?;
        } else {
            self.prepare_cached("INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, card_brand, card_last4, provider_ref, message, created_at)
                         VALUES (?1, ?2, ?3, 'card', 'refunded', ?4, ?5, ?6, ?7, ?8, 'flight date change not applied', ?9)")?.execute(
                params![c.id, c.booking, c.provider, c.amount, c.currency, c.card_brand, c.card_last4, c.reference, c.at],
            )?;
        }
        Ok(())
    }

    fn by_reference(&self, reference: &str) -> Result<Option<ReferencedPayment>> {
        Ok(self
            .prepare_cached(
                "SELECT p.id, p.booking_id, p.status, b.status, b.user_id, p.amount, p.currency
                             FROM payments p JOIN bookings b ON b.id = p.booking_id
                             WHERE p.provider_ref = ?1 ORDER BY p.created_at DESC LIMIT 1",
            )?
            .query_row([reference], |r| {
                Ok(ReferencedPayment {
                    id: r.get(0)?,
                    booking: r.get(1)?,
                    status: r.get(2)?,
                    booking_status: r.get(3)?,
                    user: r.get(4)?,
                    amount: r.get(5)?,
                    currency: r.get(6)?,
                })
            })
            .optional()?)
    }

    fn take_provider_event(
        &self,
        provider: &str,
        id: &str,
        kind: &str,
        booking: Option<&str>,
        at: i64,
    ) -> Result<bool> {
        let fresh = self.prepare_cached("INSERT OR IGNORE INTO payment_events(id, provider, type, booking_id, received_at) VALUES (?1, ?5, ?2, ?3, ?4)")?.execute(params![id, kind, booking, at, provider])?;
        Ok(fresh != 0)
    }
}
