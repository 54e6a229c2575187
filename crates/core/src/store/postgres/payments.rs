//! Payments on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Payments for PgUnit<'_> {
    fn of_booking(&self, booking: &str) -> Result<Vec<PaymentRow>> {
        Err(pending("Payments::of_booking"))
    }

    fn refund_owed(&self, booking: &str) -> Result<bool> {
        Err(pending("Payments::refund_owed"))
    }

    fn booking_of(&self, payment: &str, user: &str) -> Result<Option<String>> {
        Err(pending("Payments::booking_of"))
    }

    fn charge_basis(&self, booking: &str, user: &str) -> Result<Option<ChargeBasis>> {
        Err(pending("Payments::charge_basis"))
    }

    fn start(&self, attempt: &NewAttempt<'_>) -> Result<()> {
        Err(pending("Payments::start"))
    }

    fn unanswered(&self, booking: &str) -> Result<Option<Attempt>> {
        Err(pending("Payments::unanswered"))
    }

    fn awaiting_cardholder(&self, booking: &str) -> Result<Option<Attempt>> {
        Err(pending("Payments::awaiting_cardholder"))
    }

    fn settling(&self, payment: &str) -> Result<(bool, String)> {
        Err(pending("Payments::settling"))
    }

    fn record_outcome(
        &self,
        payment: &str,
        status: &str,
        reference: Option<&str>,
        message: Option<&str>,
    ) -> Result<()> {
        Err(pending("Payments::record_outcome"))
    }

    fn card_payment(&self, booking: &str) -> Result<Option<String>> {
        Err(pending("Payments::card_payment"))
    }

    fn owe_refund(&self, refund: &NewRefund<'_>) -> Result<()> {
        Err(pending("Payments::owe_refund"))
    }

    fn owed_refunds(&self) -> Result<Vec<OwedRefund>> {
        Err(pending("Payments::owed_refunds"))
    }

    fn refund_paid(&self, refund: &str, booking: &str, amount: i64) -> Result<bool> {
        Err(pending("Payments::refund_paid"))
    }

    fn refunded_total(&self, booking: &str) -> Result<i64> {
        Err(pending("Payments::refunded_total"))
    }

    fn waiting_on_cancelled(&self) -> Result<Vec<(String, String)>> {
        Err(pending("Payments::waiting_on_cancelled"))
    }

    fn abandon(&self, payment: &str) -> Result<()> {
        Err(pending("Payments::abandon"))
    }

    fn record_change_charge(&self, charge: &ExtraCharge<'_>, applied: bool) -> Result<()> {
        Err(pending("Payments::record_change_charge"))
    }

    fn by_reference(&self, reference: &str) -> Result<Option<ReferencedPayment>> {
        Err(pending("Payments::by_reference"))
    }

    fn take_event(&self, id: &str, kind: &str, booking: Option<&str>, at: i64) -> Result<bool> {
        Err(pending("Payments::take_event"))
    }
}
