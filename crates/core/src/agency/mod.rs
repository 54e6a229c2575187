//! The door every face talks to: the `Agency` trait and the types it speaks in.
//! `LocalAgency` (`crate::local`) answers it from this machine's store and market;
//! `RemoteAgency` (`crate::remote`) from a team server over HTTP.

use crate::booking::desk::{Modification, Review};
use crate::booking::payment::Card;
use crate::booking::{Booking, BookingRequest, BookingStatus, RefundQuote};
use crate::error::Result;
use crate::model::fare::Prediction;
use crate::model::package::PackageSpec;
use crate::model::watch::{Alert, NewWatch, Watch};
use crate::model::{Cabin, PlaceSuggestion};
use crate::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use crate::profile::{Profile, ProfileUpdate};
use crate::search::packages::{Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary};
use crate::search::results::updates_by_provider;
use crate::search::wire::KeptAnswer;
use crate::search::{FlightQuery, HotelQuery};
use crate::trips::{NewTrip, Trip};
use async_trait::async_trait;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use crate::search::results::{
    CalendarDay, CalendarQuery, Destination, ExploreQuery, FlightResults, HotelResults, Progress,
    ProviderUpdate,
};
pub use crate::search::wire::{Encoding, WireAnswer};

/// What the local market holds, for `booksygo info` and status bars.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MarketInfo {
    pub mode: String,
    pub data_dir: String,
    pub database: String,
    pub schema_version: usize,
    pub fixture_version: String,
    pub airports: usize,
    pub airlines: usize,
    pub routes: usize,
    pub hotel_cities: i64,
    pub hotels: i64,
    pub fx_as_of: Date,
    pub providers: Vec<String>,
}

#[async_trait]
pub trait Agency: Send + Sync {
    async fn info(&self) -> Result<MarketInfo>;
    async fn suggest_places(&self, query: &str, limit: usize) -> Result<Vec<PlaceSuggestion>>;
    async fn search_flights(&self, query: &FlightQuery) -> Result<FlightResults>;
    /// [`Agency::search_flights`], telling `progress` each provider's offers as they arrive;
    /// the answer is the same merged result.
    async fn search_flights_streaming(
        &self,
        query: &FlightQuery,
        progress: Progress<'_>,
    ) -> Result<FlightResults> {
        let results = self.search_flights(query).await?;
        updates_by_provider(&results, progress);
        Ok(results)
    }
    /// [`Agency::search_flights`] as the team server sends it: the JSON of the answer
    /// (`{"offers": [...]}`, with `"warnings"` when there are any), compressed as `encoding`
    /// says when that pays. The local agency keeps it with its cached answer, so a repeated
    /// search is a lookup; this default serialises the answer each time.
    async fn search_flights_wire(
        &self,
        query: &FlightQuery,
        encoding: Encoding,
    ) -> Result<WireAnswer> {
        let kept = KeptAnswer::new(self.search_flights(query).await?);
        let (body, encoding) = kept.encoded(encoding)?;
        Ok(WireAnswer {
            body,
            encoding,
            cached: false,
        })
    }
    async fn flight_calendar(&self, query: &CalendarQuery) -> Result<Vec<CalendarDay>>;
    async fn explore(&self, query: &ExploreQuery) -> Result<Vec<Destination>>;
    async fn search_hotels(&self, query: &HotelQuery) -> Result<HotelResults>;

    // Packages
    async fn search_packages(&self, query: &PackageQuery) -> Result<PackageResults>;
    async fn get_package(&self, id: &str) -> Result<PackageDetail>;
    async fn featured_packages(&self, limit: usize) -> Result<Vec<PackageSummary>>;
    async fn package_deals(&self, limit: usize) -> Result<Vec<Deal>>;
    /// Adds or replaces a package (validated as a whole; nothing written on error).
    async fn save_package(&self, spec: &PackageSpec) -> Result<PackageDetail>;
    /// The sales of the packages you own (partners and admins; admins may name a partner).
    async fn partner_sales(
        &self,
        query: &crate::sales::SalesQuery,
    ) -> Result<crate::sales::SalesReport>;
    async fn review(&self, booking_id: &str, rating: u8, text: &str) -> Result<Review>;

    // Bookings
    async fn create_booking(&self, req: BookingRequest) -> Result<Booking>;
    async fn get_booking(&self, id: &str) -> Result<Booking>;
    /// One of your payment attempts, by its id (`pay_...`).
    async fn get_payment(&self, id: &str) -> Result<crate::booking::PaymentRecord>;
    async fn list_bookings(&self, status: Option<BookingStatus>) -> Result<Vec<Booking>>;
    async fn pay_booking(
        &self,
        id: &str,
        card: Card,
        idempotency_key: Option<String>,
    ) -> Result<Booking>;
    /// Finishes a payment waiting for the payer: 3-D Secure, or a PayPal order's capture.
    async fn confirm_payment(&self, id: &str) -> Result<Booking>;
    /// Pays a PENDING booking with PayPal: an order, and the link where the payer approves
    /// it; [`Agency::confirm_payment`] then captures it. Asked again while the booking waits,
    /// the same order.
    async fn pay_with_paypal(&self, id: &str) -> Result<crate::booking::PayPalCheckout>;
    async fn quote_cancellation(&self, id: &str) -> Result<RefundQuote>;
    async fn cancel_booking(&self, id: &str, idempotency_key: Option<String>) -> Result<Booking>;
    /// Change a traveller's name or move the flight to another date (re-priced; the difference
    /// is charged or refunded).
    async fn modify_booking(&self, id: &str, change: Modification) -> Result<Booking>;
    /// An RFC 5545 calendar of one booking.
    async fn booking_calendar(&self, id: &str) -> Result<String>;
    async fn booking_receipt(&self, id: &str) -> Result<String>;

    // Points
    async fn points(&self) -> Result<Balance>;
    async fn points_history(&self) -> Result<Vec<LedgerEntry>>;
    async fn badges(&self) -> Result<Vec<BadgeStatus>>;
    async fn challenges(&self) -> Result<Vec<Challenge>>;
    async fn leaderboard(&self, limit: usize) -> Result<Vec<LeaderboardEntry>>;
    /// Your referral code (given now if you had none) and the travellers it brought.
    async fn referral(&self) -> Result<crate::points::Referral>;

    // Profile and trips
    async fn profile(&self) -> Result<Profile>;
    async fn update_profile(&self, update: &ProfileUpdate) -> Result<Profile>;
    /// The traveller's notifications, newest first, with the unread count.
    async fn inbox(&self, unread_only: bool, limit: usize) -> Result<crate::notify::Inbox>;
    /// Marks one notification (or, with `None`, all) read; how many were unread.
    async fn mark_read(&self, id: Option<&str>) -> Result<usize>;
    /// Records what the traveller did in a client (searches, offer views, clicks, bookings
    /// started) for the team's analytics.
    async fn track(
        &self,
        events: &crate::analytics::ClientEvents,
    ) -> Result<crate::analytics::Accepted>;
    /// Where each kind of notification goes.
    async fn notification_preferences(&self) -> Result<Vec<crate::notify::Preference>>;
    async fn set_notification_preference(
        &self,
        kind: &str,
        channel: &str,
    ) -> Result<Vec<crate::notify::Preference>>;
    async fn create_trip(&self, trip: &NewTrip) -> Result<Trip>;
    async fn list_trips(&self) -> Result<Vec<Trip>>;
    async fn get_trip(&self, id: &str) -> Result<Trip>;
    async fn add_to_trip(&self, trip: &str, booking: &str) -> Result<Trip>;
    async fn trip_calendar(&self, id: &str) -> Result<String>;

    // Fares over time: predictions and price watches
    /// Book now or wait, for one adult in `cabin` on a one-way route.
    async fn predict_price(
        &self,
        origin: &str,
        destination: &str,
        date: Date,
        cabin: Cabin,
    ) -> Result<Prediction>;
    /// Watches a route and date: known places (not the same one), today or later, a positive
    /// limit in a currency with a rate, 1 to 9 adults.
    async fn add_watch(&self, watch: &NewWatch) -> Result<Watch>;
    /// Your watches, by departure date.
    async fn watches(&self) -> Result<Vec<Watch>>;
    /// Stops a watch; another traveller's is NotFound, like one that never was.
    async fn remove_watch(&self, id: &str) -> Result<()>;
    /// Searches each of your watches still ahead now: the alerts that fired (each watch fires
    /// once per drop, and each alert is a `price_alert.triggered` event).
    async fn check_watches(&self) -> Result<Vec<Alert>>;
}
