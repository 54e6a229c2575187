//! The door every face talks to: the `Agency` trait and the types it speaks in.
//! `LocalAgency` (`crate::local`) answers it from this machine's store and market;
//! `RemoteAgency` (`crate::remote`) from a team server over HTTP.

use crate::booking::desk::{Modification, Review};
use crate::booking::payment::Card;
use crate::booking::{Booking, BookingRequest, BookingStatus, RefundQuote};
use crate::error::Result;
use crate::model::PlaceSuggestion;
use crate::model::package::PackageSpec;
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
    async fn confirm_payment(&self, id: &str) -> Result<Booking>;
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

    // Profile and trips
    async fn profile(&self) -> Result<Profile>;
    async fn update_profile(&self, update: &ProfileUpdate) -> Result<Profile>;
    async fn create_trip(&self, trip: &NewTrip) -> Result<Trip>;
    async fn list_trips(&self) -> Result<Vec<Trip>>;
    async fn get_trip(&self, id: &str) -> Result<Trip>;
    async fn add_to_trip(&self, trip: &str, booking: &str) -> Result<Trip>;
    async fn trip_calendar(&self, id: &str) -> Result<String>;
}
