//! Bookings: the state machine, inventory, payments, cancellation and refunds. Every rule
//! about money and seats lives here, once.

pub mod desk;
pub mod ics;
mod idempotency;
pub mod payment;
pub mod state;

pub use crate::model::traveller::{Gender, PassengerInput};
pub use state::BookingStatus;

use crate::model::Money;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What to book: offers from a search, or a package departure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemRequest {
    Offer { offer_id: String },
    Package { package_id: String, date: Date },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentInput {
    /// Pay the rest by card now; without a card the booking waits, PENDING, for `pay`.
    #[serde(default)]
    pub card: Option<payment::Card>,
    /// Points to redeem (100 points = EUR 1), at most half of the price.
    #[serde(default)]
    pub points: i64,
}

/// A card is sent as `{"number", "expiry"}` and shown as `"visa **** 4242"`.
impl schemars::JsonSchema for payment::Card {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Card".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                {
                    "type": "object",
                    "required": ["number", "expiry"],
                    "properties": {
                        "number": {"type": "string"},
                        "expiry": {"type": "string", "description": "MM/YY"}
                    }
                },
                {"type": "string", "description": "as shown: brand and last four digits"}
            ]
        })
    }
}

impl Serialize for payment::Card {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Only what may be shown: never the number.
        s.serialize_str(&format!("{} **** {}", self.brand(), self.last4()))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BookingRequest {
    pub items: Vec<ItemRequest>,
    pub passengers: Vec<PassengerInput>,
    pub contact_email: String,
    /// International form (+44...); real airlines ask for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub payment: PaymentInput,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BookingItem {
    pub seq: u32,
    /// "flight", "hotel" or "package".
    pub kind: String,
    pub offer_id: String,
    pub provider: String,
    /// PNR for a flight, the supplier's reference otherwise.
    pub reference: Option<String>,
    pub description: String,
    pub price: Money,
    pub tax: Money,
    /// Price before any deal, for savings.
    pub list_price: Money,
    pub starts_at: Timestamp,
    /// The offer (flight or hotel) or package departure as booked.
    pub details: serde_json::Value,
}

impl BookingItem {
    /// The day the item starts where it starts: see [`starts_on`].
    pub fn starts_on(&self) -> Date {
        starts_on(&self.kind, &self.details, self.starts_at)
    }
}

/// The day an item starts, on the calendar of the place it starts: a flight's departure day
/// at its airport (a 22:00 departure from Los Angeles is that day, not the next day in UTC),
/// a stay's check-in day, a package's departure day; read from the item as booked, else the
/// day of `starts_at` in UTC. A booking starts on its first item's day; a date change keeps
/// the store's own derivation (the first item's day in UTC), as the store keeps no item's
/// local day.
pub fn starts_on(kind: &str, details: &serde_json::Value, starts_at: Timestamp) -> Date {
    let local = match kind {
        "flight" => details.pointer("/slices/0/segments/0/departing_at"),
        "hotel" => details.get("check_in_date"),
        "package" => details.get("date"),
        _ => None,
    };
    // An RFC 3339 time or a date: its first ten characters are the local date.
    local
        .and_then(serde_json::Value::as_str)
        .and_then(|s| s.get(..10)?.parse().ok())
        .unwrap_or_else(|| starts_at.to_zoned(jiff::tz::TimeZone::UTC).date())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentRecord {
    pub id: String,
    pub method: String,
    pub status: String,
    pub amount: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    pub from: Option<BookingStatus>,
    pub to: BookingStatus,
    pub reason: String,
    pub at: Timestamp,
}

/// A flight moved to another date: the fare difference and the change fee it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DateChange {
    /// 1 for the booking's first date change.
    pub number: u32,
    pub from: Date,
    pub to: Date,
    /// The new fare less the old one (negative: refunded).
    pub fare_difference: Money,
    /// The change fee paid (zero when waived).
    pub change_fee: Money,
    /// The change fee the fare rules ask for that was not charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_waived: Option<Money>,
    /// Why it was waived: `premium` (the first date change of a premium member's booking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived_for: Option<String>,
    pub at: Timestamp,
}

impl DateChange {
    /// One line for people: "moved from 2026-12-01 to 2026-12-03: fare difference EUR 12.00,
    /// change fee waived (premium)".
    pub fn describe(&self) -> String {
        let fee = match (&self.fee_waived, &self.waived_for) {
            (Some(w), Some(why)) => format!("change fee {w} waived ({why})"),
            _ if self.change_fee.minor == 0 => "no change fee".to_string(),
            _ => format!("change fee {}", self.change_fee),
        };
        format!(
            "moved from {} to {}: fare difference {}, {fee}",
            self.from,
            self.to,
            self.fare_difference.signed()
        )
    }
}

impl Booking {
    /// What the traveller's card or PayPal account paid for it (the points' part aside).
    pub fn paid(&self) -> Money {
        let paid = self
            .payments
            .iter()
            .filter(|p| p.status == "succeeded" && matches!(p.method.as_str(), "card" | "paypal"))
            .map(|p| p.amount.minor)
            .sum();
        Money::new(paid, self.total.currency)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Booking {
    pub id: String,
    pub status: BookingStatus,
    pub confirmation_code: String,
    pub contact_email: String,
    pub total: Money,
    pub tax: Money,
    pub list_total: Money,
    pub points_redeemed: i64,
    /// What the points paid.
    pub points_value: Money,
    /// What the card pays: total less points.
    pub amount_due: Money,
    pub refunded: Money,
    pub starts_on: Date,
    pub ends_on: Date,
    pub items: Vec<BookingItem>,
    pub passengers: Vec<PassengerInput>,
    pub payments: Vec<PaymentRecord>,
    pub history: Vec<AuditEntry>,
    /// The flight's date changes, first first, with what each cost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub date_changes: Vec<DateChange>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// What to do next, for people: "pay with `bookings pay`", "confirm the payment", ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<String>,
}

/// A booking's payment seen the way payment APIs show it (`/api/payments/intent`): what is
/// due and what must happen next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentIntent {
    pub booking_id: String,
    /// What the card pays (the total less points redeemed).
    pub amount: Money,
    /// `requires_payment_method` (PENDING: confirm with a card), `requires_action` (the bank
    /// asked the cardholder to confirm), `succeeded`, or `canceled`.
    pub status: String,
    /// The latest payment attempt, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<String>,
}

/// A PayPal order waiting for the payer (`bookings pay --paypal`, `POST
/// /api/payments/paypal/order`): approve it at `approve_url`, then confirm the payment
/// (`bookings confirm-payment`), which captures it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PayPalCheckout {
    pub booking_id: String,
    /// PayPal's order id.
    pub order_id: String,
    /// Where the payer approves the payment on PayPal.
    pub approve_url: String,
    /// What PayPal will capture.
    pub amount: Money,
    /// PAYMENT_PROCESSING while the order waits.
    pub status: BookingStatus,
    pub next_action: String,
}

impl Booking {
    pub fn payment_intent(&self) -> PaymentIntent {
        let status = match self.status {
            BookingStatus::Pending => "requires_payment_method",
            BookingStatus::PaymentProcessing => "requires_action",
            BookingStatus::Confirmed | BookingStatus::Completed => "succeeded",
            BookingStatus::Cancelled | BookingStatus::Refunded => "canceled",
        };
        PaymentIntent {
            booking_id: self.id.clone(),
            amount: self.amount_due,
            status: status.into(),
            payment_id: self.payments.last().map(|p| p.id.clone()),
            next_action: self.next_action.clone(),
        }
    }

    /// One of this booking's payment records.
    pub fn payment(&self, id: &str) -> Option<&PaymentRecord> {
        self.payments.iter().find(|p| p.id == id)
    }
}

/// What cancelling would give back, before you confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RefundQuote {
    pub booking_id: String,
    pub status: BookingStatus,
    /// Money back to the card.
    pub refund: Money,
    /// What the fare rules keep.
    pub kept: Money,
    pub points_returned: i64,
    pub points_clawed_back: i64,
    pub rules: Vec<String>,
}
