//! Suppliers behind traits. The sandbox is one; Duffel, Amadeus and Stripe adapters plug in
//! beside it. A provider answers a resolved request (airport codes, dates) with offers in its
//! own currency; sorting, filtering, dedupe and conversion happen in `search::aggregate`.

// The adapters are core's own: faces choose suppliers through `local::Suppliers` and reach them only
// through the facade. The workspace's tests open them with the `test-support` feature.
#[cfg(feature = "test-support")]
pub mod amadeus;
#[cfg(not(feature = "test-support"))]
pub(crate) mod amadeus;
#[cfg(feature = "test-support")]
pub mod duffel;
#[cfg(not(feature = "test-support"))]
pub(crate) mod duffel;
#[cfg(test)]
mod fuzz;
pub mod http;
#[cfg(feature = "test-support")]
pub mod sandbox;
#[cfg(not(feature = "test-support"))]
pub(crate) mod sandbox;

use crate::error::Result;
use crate::model::traveller::PassengerInput;
use crate::model::{Cabin, FlightOffer, HotelOffer, Money, Passengers};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One slice with its places resolved to airport codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceRequest {
    pub origin: Vec<String>,
    pub destination: Vec<String>,
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlightRequest {
    pub slices: Vec<SliceRequest>,
    pub passengers: Passengers,
    pub cabin: Cabin,
    pub max_stops: u8,
    /// The moment of the search: fares depend on how far ahead one books.
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotelRequest {
    pub city_code: String,
    pub check_in: Date,
    pub check_out: Date,
    pub guests: u32,
    pub rooms: u32,
    pub now: Timestamp,
    /// Where to look (latitude, longitude): the middle of the city's airports. Real
    /// suppliers search by coordinates; the sandbox by city code.
    #[serde(default)]
    pub centre: Option<(f64, f64)>,
}

/// How BooksyGo sells a provider's offers: what the booking desk may do with one. The desk
/// decides by this, never by a provider's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selling {
    /// BooksyGo's own market: priced again here, seats and rooms taken from local inventory.
    LocalInventory,
    /// Booked through orders placed with the supplier, which holds its own inventory.
    SupplierOrders,
    /// Shown for comparison only: the provider searches but cannot book (Amadeus hotels).
    SearchOnly,
}

#[async_trait]
pub trait FlightProvider: Send + Sync {
    /// A short stable name, shown in offers (`provider`) and warnings.
    fn name(&self) -> &str;
    async fn search_flights(&self, req: &FlightRequest) -> Result<Vec<FlightOffer>>;
    /// This provider's own search deadline; `None` uses the aggregator's.
    fn deadline(&self) -> Option<std::time::Duration> {
        None
    }
    /// Real suppliers sell through orders placed with them; the sandbox does not.
    fn orders(&self) -> Option<&dyn FlightOrders> {
        None
    }
    /// How its offers are sold: through its orders when it has them, else not at all.
    fn selling(&self) -> Selling {
        if self.orders().is_some() {
            Selling::SupplierOrders
        } else {
            Selling::SearchOnly
        }
    }
}

/// What a supplier holds for one booked item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierOrder {
    /// The supplier's order id (`ord_...` at Duffel).
    pub order_id: String,
    /// The airline's booking reference (PNR).
    pub booking_reference: String,
    pub total: Money,
    pub cancelled: bool,
    /// The intent this order was placed under (kept by the supplier as metadata).
    pub intent: Option<String>,
    /// A hold order: placed, not yet paid (Duffel's `payment_status.awaiting_payment`).
    #[serde(default)]
    pub awaiting_payment: bool,
    /// When the supplier releases an unpaid hold.
    #[serde(default)]
    pub payment_required_by: Option<Timestamp>,
}

/// A supplier's offer to cancel an order: what it would refund, until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierCancellation {
    pub id: String,
    pub order_id: String,
    pub refund: Option<Money>,
    pub expires_at: Option<Timestamp>,
    pub confirmed: bool,
}

/// Everything a supplier needs to place an order for one offer.
#[derive(Debug, Clone)]
pub struct OrderRequest<'a> {
    /// Our record of the attempt, written before calling; sent as metadata so a lost answer
    /// can be found again.
    pub intent: &'a str,
    pub booking_id: &'a str,
    /// The offer as the supplier priced it (its own id and currency).
    pub offer: &'a FlightOffer,
    pub passengers: &'a [PassengerInput],
    pub email: &'a str,
    pub phone: Option<&'a str>,
    /// The traveller pays later: hold the order unpaid where the offer allows it.
    pub hold: bool,
}

/// Booking with a real flight supplier.
#[async_trait]
pub trait FlightOrders: Send + Sync {
    /// Refuses early what the supplier would refuse (missing traveller details).
    fn check_travellers(&self, passengers: &[PassengerInput], phone: Option<&str>) -> Result<()>;
    /// The same offer priced now by the supplier (its id and currency).
    async fn refresh(&self, offer: &FlightOffer) -> Result<FlightOffer>;
    async fn create_order(&self, req: &OrderRequest<'_>) -> Result<SupplierOrder>;
    /// The order placed under `intent`, if the supplier has one.
    async fn find_order(&self, intent: &str) -> Result<Option<SupplierOrder>>;
    async fn get_order(&self, order_id: &str) -> Result<SupplierOrder>;
    /// Step one of cancelling: the supplier's quote.
    async fn quote_cancellation(&self, order_id: &str) -> Result<SupplierCancellation>;
    /// Step two: go ahead with a quote.
    async fn confirm_cancellation(&self, cancellation_id: &str) -> Result<SupplierCancellation>;
    /// Pays a hold order (placed with `hold`) its exact amount.
    async fn pay_order(&self, order_id: &str, amount: Money) -> Result<()> {
        let _ = amount;
        Err(crate::error::Error::Conflict(format!(
            "order {order_id} is held but this supplier takes no later payment"
        )))
    }
}

/// A credential whose `Debug` and `Display` never show it.
pub use crate::secrets::Secret;

#[async_trait]
pub trait HotelProvider: Send + Sync {
    fn name(&self) -> &str;
    /// Every room type that can take the guests, one offer each.
    async fn search_hotels(&self, req: &HotelRequest) -> Result<Vec<HotelOffer>>;
    fn deadline(&self) -> Option<std::time::Duration> {
        None
    }
    /// Real suppliers sell stays through bookings placed with them.
    fn orders(&self) -> Option<&dyn HotelOrders> {
        None
    }
    /// How its offers are sold: through its orders when it has them, else not at all.
    fn selling(&self) -> Selling {
        if self.orders().is_some() {
            Selling::SupplierOrders
        } else {
            Selling::SearchOnly
        }
    }
}

/// Everything a supplier needs to book a stay.
#[derive(Debug, Clone)]
pub struct StayRequest<'a> {
    pub intent: &'a str,
    pub booking_id: &'a str,
    /// The supplier's quote to book.
    pub quote_id: &'a str,
    pub guests: &'a [PassengerInput],
    pub email: &'a str,
    pub phone: Option<&'a str>,
}

/// Booking stays with a real supplier: rates, a quote, the booking, its cancellation.
#[async_trait]
pub trait HotelOrders: Send + Sync {
    fn check_guests(&self, guests: &[PassengerInput], phone: Option<&str>) -> Result<()>;
    /// The offer priced now (its best rate quoted): the fresh offer and the quote's id.
    async fn quote(&self, offer: &HotelOffer) -> Result<(HotelOffer, String)>;
    async fn book(&self, req: &StayRequest<'_>) -> Result<SupplierOrder>;
    /// The booking made under `intent`, if the supplier has one.
    async fn find_booking(&self, intent: &str) -> Result<Option<SupplierOrder>>;
    async fn get_booking(&self, booking_id: &str) -> Result<SupplierOrder>;
    /// Cancels a booking; the supplier's refund when it says.
    async fn cancel_booking(&self, booking_id: &str) -> Result<SupplierCancellation>;
}
