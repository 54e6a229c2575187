//! The booking desk, one module per step: `create` (with `validate` and `reprice`), `charge`
//! (pay, confirm a payment that needed action, settle an outcome), `cancel` (quote and
//! refund), `modify`, `review`, `sweep` (lapses and completions) and `read`. Money moves only
//! through the payment provider; the database changes only inside transactions, and every
//! status change goes through `state::transition`. What the steps share lives here.

use super::idempotency::{self, Begun, Claim};
use super::payment::{
    Card, ChargeOutcome, MAX_POINTS_SHARE_PERCENT, MIN_POINTS_REDEMPTION, POINTS_PER_EUR,
};
use super::state::{self, BookingStatus};
use super::{
    AuditEntry, Booking, BookingItem, BookingRequest, ItemRequest, PassengerInput, PaymentRecord,
    RefundQuote,
};
use crate::config::Clock;
use crate::error::{Error, Result};
use crate::events;
use crate::model::{Currency, FlightOffer, HotelOffer, Money, PassengerType, Passengers};
use crate::places::countries;
use crate::points;
use crate::providers::Secret;
use crate::providers::{FlightRequest, HotelRequest, Selling, SliceRequest};
use crate::search::Searcher;
use crate::search::packages;
use crate::store::port::{
    ChargeBasis, ExtraCharge, ItemChange, NewAttempt, NewBooking, NewItem, NewRefund, NewReview,
    NewTraveller, OwedRefund,
};
use crate::store::{Need, Store, Unit};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use std::sync::Arc;

/// The booking desk: everything its steps need, owned (the store, the clock, the market to
/// re-price against, who takes the money). Cheap to clone. Every method names the traveller it
/// acts for.
#[derive(Clone)]
pub struct Desk {
    store: Store,
    clock: Clock,
    pub(in crate::booking) search: Searcher,
    payments: Arc<dyn super::payment::PaymentProvider>,
    /// The secret that signs the payment provider's webhooks (Stripe's `whsec_...`).
    pub(in crate::booking) webhook_secret: Option<Secret>,
    /// PayPal beside the card provider, when configured: payments it took are captured and
    /// refunded through it, whatever takes the cards.
    paypal: Option<Arc<super::payment::paypal::PayPalPayments>>,
    /// The clock's second at which housekeeping last ran: it runs at most once per second
    /// (what it looks for changes over minutes and days), not before every request.
    last_sweep: Arc<std::sync::atomic::AtomicI64>,
}

impl Desk {
    pub fn new(
        store: Store,
        clock: Clock,
        search: Searcher,
        payments: Arc<dyn super::payment::PaymentProvider>,
        webhook_secret: Option<Secret>,
    ) -> Desk {
        Desk {
            store,
            clock,
            search,
            payments,
            webhook_secret,
            paypal: None,
            last_sweep: Arc::new(std::sync::atomic::AtomicI64::new(i64::MIN)),
        }
    }

    /// The same desk with PayPal beside the card provider.
    pub fn with_paypal(
        mut self,
        paypal: Option<Arc<super::payment::paypal::PayPalPayments>>,
    ) -> Desk {
        self.paypal = paypal;
        self
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn fx(&self) -> &crate::model::FxTable {
        self.search.fx()
    }

    fn payments(&self) -> Arc<dyn super::payment::PaymentProvider> {
        self.payments.clone()
    }

    /// PayPal, or the error that says how to turn it on.
    fn paypal(&self) -> Result<Arc<super::payment::paypal::PayPalPayments>> {
        self.paypal.clone().ok_or_else(|| {
            Error::invalid(
                "PayPal is not configured: set paypal.client_id (BOOKSYGO_PAYPAL_CLIENT_ID or [paypal] client_id in config.toml) \
                 and its secret (BOOKSYGO_PAYPAL_SECRET or `booksygo config set-secret paypal.secret`)",
            )
        })
    }

    /// The provider that took a payment, by the name written down with it: PayPal's
    /// payments go back to PayPal; every other payment to the card provider.
    fn provider_named(&self, name: &str) -> Result<Arc<dyn super::payment::PaymentProvider>> {
        if name == super::payment::paypal::NAME {
            Ok(self.paypal()?)
        } else {
            Ok(self.payments())
        }
    }
}

/// What a charge came to, for the caller to act on after committing.
pub(crate) enum Settled {
    Done,
    /// The attempt was already settled: this outcome changed nothing.
    Unchanged,
    Failed(Error),
    /// The card was charged but the booking had moved on: a refund of `amount` is owed
    /// (written down with the outcome, paid out with the other refunds owed).
    Orphaned {
        amount: Money,
    },
}

/// A payment waiting for the cardholder's confirmation holds inventory this long.
pub const ACTION_HOLD_SECONDS: i64 = 24 * 3600;

/// PENDING bookings hold their inventory this long before they lapse.
pub const PENDING_HOLD_SECONDS: i64 = 30 * 60;

/// An item ready to book: priced, described, with the inventory it needs.
struct Prepared {
    kind: &'static str,
    offer_id: String,
    provider: String,
    description: String,
    price: Money,
    tax: Money,
    list_price: Money,
    continent: String,
    starts_at: Timestamp,
    ends_on: Date,
    details: serde_json::Value,
    needs: Vec<Need>,
    /// Travellers the item expects, when it is strict about types (flights).
    passengers: Option<Passengers>,
    /// Most travellers the item takes (hotel guests, package places).
    capacity: Option<u32>,
    pnr: bool,
    /// For a real supplier: the offer as it priced it just now, to order.
    supplier: Option<FlightOffer>,
    /// For a real hotel supplier: its quote to book, and the stay as quoted.
    stay: Option<(String, HotelOffer)>,
}

/// The payment provider's idempotency key for a booking's charge attempt (the number of
/// attempts before it): written down with the attempt before it is sent, and sent again
/// unchanged if the attempt is resumed, so the provider can never charge it twice.
fn charge_key(booking_id: &str, attempt: usize) -> String {
    format!("{booking_id}-{attempt}")
}

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn request_hash(value: &impl serde::Serialize) -> Result<String> {
    Ok(format!(
        "{:016x}",
        crate::geo::word(&serde_json::to_string(value)?)
    ))
}

mod cancel;
mod charge;
mod create;
mod modify;
mod paypal;
mod read;
mod reprice;
mod review;
mod supplier;
mod sweep;
mod validate;
mod webhook;

pub use cancel::quote;
pub use modify::Modification;
pub use read::{booking_of_payment, load};
pub use review::Review;
use validate::validate_passengers;
