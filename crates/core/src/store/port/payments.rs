//! Payments and refunds of bookings, as stored: charge attempts with the key each is sent
//! under and the provider's reference, refunds owed and paid, the provider's webhook events.

use crate::error::Result;

/// A payment of a booking, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: String,
    pub method: String,
    pub status: String,
    pub amount: i64,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub message: Option<String>,
    pub created_at: i64,
}

/// What a charge of a booking starts from: its status, what is due, and how many payment
/// attempts it has had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeBasis {
    pub status: String,
    pub amount_due: i64,
    pub currency: String,
    pub attempts: i64,
}

/// A card charge attempt, written down (`processing`) before it is sent.
#[derive(Debug, Clone, Copy)]
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub booking: &'a str,
    pub provider: &'a str,
    /// "card", or "paypal" (the payer approves on PayPal: no card).
    pub method: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub card_brand: Option<&'a str>,
    pub card_last4: Option<&'a str>,
    /// The provider's idempotency key it is sent under.
    pub provider_key: &'a str,
    pub at: i64,
}

/// A charge attempt still open: its id, the reference to resume it by (its provider key, or
/// the provider's reference), and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: String,
    pub reference: String,
    pub amount: i64,
    pub currency: String,
}

/// A refund owed, written down with what makes it owed.
#[derive(Debug, Clone, Copy)]
pub struct NewRefund<'a> {
    pub id: &'a str,
    pub booking: &'a str,
    pub payment: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub at: i64,
}

/// A refund still owed, with the reference of the charge it gives back and the provider that
/// took that charge (who must give it back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedRefund {
    pub id: String,
    pub booking: String,
    pub provider: String,
    pub reference: String,
    pub amount: i64,
    pub currency: String,
}

/// A card charge taken outside the charge attempts (a flight date change), already answered.
#[derive(Debug, Clone, Copy)]
pub struct ExtraCharge<'a> {
    pub id: &'a str,
    pub booking: &'a str,
    pub provider: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub card_brand: &'a str,
    pub card_last4: &'a str,
    pub reference: &'a str,
    pub at: i64,
}

/// The newest payment with a provider reference, and its booking, as a webhook finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencedPayment {
    pub id: String,
    pub booking: String,
    pub status: String,
    pub booking_status: String,
    pub user: String,
    pub amount: i64,
    pub currency: String,
}

/// Promise: an attempt is written down before it is sent and settled once: an outcome is
/// applied only by a writer that read the attempt open inside its write unit, and a refund is
/// marked paid (and added to its booking) by one writer only, whatever the number of
/// writers. A provider event is taken once (its id is its key).
pub trait Payments {
    /// A booking's payments, oldest first.
    fn of_booking(&self, booking: &str) -> Result<Vec<PaymentRow>>;
    /// Whether a refund of the booking is still owed.
    fn refund_owed(&self, booking: &str) -> Result<bool>;
    /// The booking holding `payment`, if `user` owns it.
    fn booking_of(&self, payment: &str, user: &str) -> Result<Option<String>>;
    /// What charging `user`'s booking starts from; `None` when there is no such booking.
    fn charge_basis(&self, booking: &str, user: &str) -> Result<Option<ChargeBasis>>;
    fn start(&self, attempt: &NewAttempt<'_>) -> Result<()>;
    /// The newest attempt of a booking sent but never answered (`reference`: its provider
    /// key).
    fn unanswered(&self, booking: &str) -> Result<Option<Attempt>>;
    /// The newest attempt of a booking waiting for the cardholder (`reference`: the
    /// provider's).
    fn awaiting_cardholder(&self, booking: &str) -> Result<Option<Attempt>>;
    /// Whether the attempt is still open (sent, or waiting for the cardholder), and its
    /// booking's status, in one read.
    fn settling(&self, payment: &str) -> Result<(bool, String)>;
    /// Writes an attempt's outcome (a reference given replaces the one stored).
    fn record_outcome(
        &self,
        payment: &str,
        status: &str,
        reference: Option<&str>,
        message: Option<&str>,
    ) -> Result<()>;
    /// The provider that took (or was sent) a payment: "stripe", "sandbox", "paypal".
    fn provider_of(&self, payment: &str) -> Result<Option<String>>;
    /// The booking's first successful payment in money (by card or PayPal).
    fn card_payment(&self, booking: &str) -> Result<Option<String>>;
    /// Writes down a refund owed (`pending`).
    fn owe_refund(&self, refund: &NewRefund<'_>) -> Result<()>;
    /// Every refund still owed.
    fn owed_refunds(&self) -> Result<Vec<OwedRefund>>;
    /// Marks a refund paid and adds `amount` to its booking's refunded total, if it was still
    /// owed; `false` (nothing written) when another writer did first.
    fn refund_paid(&self, refund: &str, booking: &str, amount: i64) -> Result<bool>;
    /// Everything ever refunded or owed to a booking's card.
    fn refunded_total(&self, booking: &str) -> Result<i64>;
    /// Attempts waiting for the cardholder on cancelled or refunded bookings: (id, reference).
    fn waiting_on_cancelled(&self) -> Result<Vec<(String, String)>>;
    /// An attempt still waiting for the cardholder is abandoned.
    fn abandon(&self, payment: &str) -> Result<()>;
    /// Writes down a charge taken for a flight date change: `applied` (succeeded), or not
    /// applied (refunded).
    fn record_change_charge(&self, charge: &ExtraCharge<'_>, applied: bool) -> Result<()>;
    /// The newest payment with this provider reference, with its booking.
    fn by_reference(&self, reference: &str) -> Result<Option<ReferencedPayment>>;
    /// Takes a payment provider's event once (its id is its key): `false` when it was taken
    /// before.
    fn take_provider_event(
        &self,
        provider: &str,
        id: &str,
        kind: &str,
        booking: Option<&str>,
        at: i64,
    ) -> Result<bool>;
}
