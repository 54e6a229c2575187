//! Payments and refunds of bookings on PostgreSQL. Writers run side by side here, so:
//! - `settling` locks the attempt's row and its booking's (`FOR NO KEY UPDATE`) for the rest
//!   of the write unit: a second writer with word on the same attempt waits, then reads it
//!   settled and applies nothing (SQLite gets this from its single writer).
//! - a refund is marked paid by a conditional `UPDATE .. WHERE status = 'pending'`: of two
//!   writers, the second re-reads the row once the first commits and updates nothing.
//! - a provider event is taken by `INSERT .. ON CONFLICT (id) DO NOTHING`.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::{
    Attempt, ChargeBasis, ExtraCharge, NewAttempt, NewRefund, OwedRefund, PaymentRow, Payments,
    ReferencedPayment,
};
use tokio_postgres::Row;

fn attempt(r: &Row) -> Result<Attempt> {
    Ok(Attempt {
        id: get(r, 0)?,
        reference: get(r, 1)?,
        amount: get(r, 2)?,
        currency: get(r, 3)?,
    })
}

impl Payments for PgUnit<'_> {
    fn of_booking(&self, booking: &str) -> Result<Vec<PaymentRow>> {
        self.query(
            "SELECT id, method, status, amount, card_brand, card_last4, message, created_at FROM payments
             WHERE booking_id = $1 ORDER BY created_at, ord",
            &[&booking],
        )?
        .iter()
        .map(|r| {
            Ok(PaymentRow {
                id: get(r, 0)?,
                method: get(r, 1)?,
                status: get(r, 2)?,
                amount: get(r, 3)?,
                card_brand: get(r, 4)?,
                card_last4: get(r, 5)?,
                message: get(r, 6)?,
                created_at: get(r, 7)?,
            })
        })
        .collect()
    }

    fn refund_owed(&self, booking: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM refunds WHERE booking_id = $1 AND status = 'pending' LIMIT 1",
                &[&booking],
            )?
            .is_some())
    }

    fn booking_of(&self, payment: &str, user: &str) -> Result<Option<String>> {
        self.query_opt(
            "SELECT p.booking_id FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.id = $1 AND b.user_id = $2",
            &[&payment, &user],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn charge_basis(&self, booking: &str, user: &str) -> Result<Option<ChargeBasis>> {
        self.query_opt(
            "SELECT status, amount_due, currency, (SELECT count(*) FROM payments p WHERE p.booking_id = b.id)
             FROM bookings b WHERE id = $1 AND user_id = $2",
            &[&booking, &user],
        )?
        .map(|r| {
            Ok(ChargeBasis {
                status: get(&r, 0)?,
                amount_due: get(&r, 1)?,
                currency: get(&r, 2)?,
                attempts: get(&r, 3)?,
            })
        })
        .transpose()
    }

    fn start(&self, a: &NewAttempt<'_>) -> Result<()> {
        self.execute(
            "INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, card_brand, card_last4, provider_ref, message, created_at, provider_key)
             VALUES ($1, $2, $3, $10, 'processing', $4, $5, $6, $7, NULL, NULL, $8, $9)",
            &[
                &a.id,
                &a.booking,
                &a.provider,
                &a.amount,
                &a.currency,
                &a.card_brand,
                &a.card_last4,
                &a.at,
                &a.provider_key,
                &a.method,
            ],
        )?;
        Ok(())
    }

    fn unanswered(&self, booking: &str) -> Result<Option<Attempt>> {
        self.query_opt(
            "SELECT id, provider_key, amount, currency FROM payments
             WHERE booking_id = $1 AND status = 'processing' AND provider_key IS NOT NULL
             ORDER BY created_at DESC, ord DESC LIMIT 1",
            &[&booking],
        )?
        .map(|r| attempt(&r))
        .transpose()
    }

    fn awaiting_cardholder(&self, booking: &str) -> Result<Option<Attempt>> {
        self.query_opt(
            "SELECT id, provider_ref, amount, currency FROM payments
             WHERE booking_id = $1 AND status = 'requires_action'
             ORDER BY created_at DESC, ord DESC LIMIT 1",
            &[&booking],
        )?
        .map(|r| attempt(&r))
        .transpose()
    }

    fn settling(&self, payment: &str) -> Result<(bool, String)> {
        // Keeps "an outcome is applied once": the attempt and its booking stay locked until
        // the unit ends, so what this read says still holds when the outcome is written; a
        // writer waiting here reads the attempt as the first one left it. (In autocommit,
        // outside `Store::write`, the lock ends with the statement.)
        let row = self.query_one(
            "SELECT p.status IN ('processing', 'requires_action'), b.status
             FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE p.id = $1
             FOR NO KEY UPDATE OF p, b",
            &[&payment],
        )?;
        Ok((get(&row, 0)?, get(&row, 1)?))
    }

    fn record_outcome(
        &self,
        payment: &str,
        status: &str,
        reference: Option<&str>,
        message: Option<&str>,
    ) -> Result<()> {
        self.execute(
            "UPDATE payments SET status = $2, provider_ref = coalesce($3::TEXT, provider_ref), message = $4 WHERE id = $1",
            &[&payment, &status, &reference, &message],
        )?;
        Ok(())
    }

    fn provider_of(&self, payment: &str) -> Result<Option<String>> {
        self.query_opt("SELECT provider FROM payments WHERE id = $1", &[&payment])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn card_payment(&self, booking: &str) -> Result<Option<String>> {
        self.query_opt(
            "SELECT id FROM payments WHERE booking_id = $1 AND status = 'succeeded' AND method IN ('card', 'paypal')
             ORDER BY ord LIMIT 1",
            &[&booking],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn owe_refund(&self, r: &NewRefund<'_>) -> Result<()> {
        self.execute(
            "INSERT INTO refunds(id, booking_id, payment_id, amount, currency, status, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6)",
            &[&r.id, &r.booking, &r.payment, &r.amount, &r.currency, &r.at],
        )?;
        Ok(())
    }

    fn owed_refunds(&self) -> Result<Vec<OwedRefund>> {
        self.query(
            "SELECT r.id, r.booking_id, p.provider_ref, r.amount, r.currency, p.provider FROM refunds r
             JOIN payments p ON p.id = r.payment_id WHERE r.status = 'pending'
             ORDER BY r.created_at, r.id COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(OwedRefund {
                id: get(r, 0)?,
                booking: get(r, 1)?,
                reference: get(r, 2)?,
                amount: get(r, 3)?,
                currency: get(r, 4)?,
                provider: get(r, 5)?,
            })
        })
        .collect()
    }

    fn refund_paid(&self, refund: &str, booking: &str, amount: i64) -> Result<bool> {
        // Keeps "a refund is paid (and added) once": the conditional update; a second writer
        // waits for the first, re-reads the row as 'succeeded' and updates nothing.
        let n = self.execute(
            "UPDATE refunds SET status = 'succeeded' WHERE id = $1 AND status = 'pending'",
            &[&refund],
        )?;
        if n != 1 {
            return Ok(false);
        }
        self.execute(
            "UPDATE bookings SET refunded = refunded + $2 WHERE id = $1",
            &[&booking, &amount],
        )?;
        Ok(true)
    }

    fn refunded_total(&self, booking: &str) -> Result<i64> {
        get(
            &self.query_one(
                "SELECT coalesce(sum(amount), 0)::BIGINT FROM refunds WHERE booking_id = $1",
                &[&booking],
            )?,
            0,
        )
    }

    fn waiting_on_cancelled(&self) -> Result<Vec<(String, String)>> {
        self.query(
            "SELECT p.id, p.provider_ref FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.status = 'requires_action' AND p.provider_ref IS NOT NULL AND b.status IN ('CANCELLED', 'REFUNDED')
             ORDER BY p.created_at, p.ord",
            &[],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn abandon(&self, payment: &str) -> Result<()> {
        self.execute(
            "UPDATE payments SET status = 'canceled', message = 'abandoned: the booking was cancelled'
             WHERE id = $1 AND status = 'requires_action'",
            &[&payment],
        )?;
        Ok(())
    }

    fn record_change_charge(&self, c: &ExtraCharge<'_>, applied: bool) -> Result<()> {
        let (status, message) = if applied {
            ("succeeded", "flight date change")
        } else {
            ("refunded", "flight date change not applied")
        };
        self.execute(
            "INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, card_brand, card_last4, provider_ref, message, created_at)
             VALUES ($1, $2, $3, 'card', $10, $4, $5, $6, $7, $8, $11, $9)",
            &[
                &c.id,
                &c.booking,
                &c.provider,
                &c.amount,
                &c.currency,
                &c.card_brand,
                &c.card_last4,
                &c.reference,
                &c.at,
                &status,
                &message,
            ],
        )?;
        Ok(())
    }

    fn by_reference(&self, reference: &str) -> Result<Option<ReferencedPayment>> {
        self.query_opt(
            "SELECT p.id, p.booking_id, p.status, b.status, b.user_id, p.amount, p.currency
             FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.provider_ref = $1 ORDER BY p.created_at DESC, p.ord DESC LIMIT 1",
            &[&reference],
        )?
        .map(|r| {
            Ok(ReferencedPayment {
                id: get(&r, 0)?,
                booking: get(&r, 1)?,
                status: get(&r, 2)?,
                booking_status: get(&r, 3)?,
                user: get(&r, 4)?,
                amount: get(&r, 5)?,
                currency: get(&r, 6)?,
            })
        })
        .transpose()
    }

    fn take_provider_event(
        &self,
        provider: &str,
        id: &str,
        kind: &str,
        booking: Option<&str>,
        at: i64,
    ) -> Result<bool> {
        // Keeps "an event is taken once": the conflict on its id.
        let fresh = self.execute(
            "INSERT INTO payment_events(id, provider, type, booking_id, received_at) VALUES ($1, $5, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING",
            &[&id, &kind, &booking, &at, &provider],
        )?;
        Ok(fresh != 0)
    }
}
