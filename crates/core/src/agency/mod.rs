//! The facade every face talks to: the `Agency` trait and the types it speaks in.
//! `LocalAgency` (`local/`) runs on the local SQLite store and the sandbox market (plus any
//! configured suppliers); a `RemoteAgency` (HTTP) implements the same trait against a team
//! server.

use crate::booking::payment::sandbox::SandboxPayments;
use crate::booking::payment::{Card, PaymentProvider};
use crate::booking::service::{Modification, Review};
use crate::booking::{Booking, BookingRequest, BookingStatus, RefundQuote};
use crate::config::{Clock, Paths};
use crate::error::{Error, Result};
use crate::fixtures;
use crate::model::package::PackageSpec;
use crate::model::{
    Cabin, Currency, FlightOffer, FxTable, HotelOffer, Money, Passengers, PlaceSuggestion,
};
use crate::places::{Places, import::ImportReport};
use crate::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use crate::profile::{Profile, ProfileUpdate};
use crate::providers::sandbox::{SandboxProvider, network::Network};
use crate::providers::{FlightProvider, HotelProvider};
use crate::search::aggregate::Aggregator;
use crate::search::packages::{Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary};
use crate::search::{FlightQuery, HotelQuery, flights, hotels};
use crate::store::{self, Store};
use crate::trips::{NewTrip, Trip};
use async_trait::async_trait;
use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// One provider's answer during a streaming flight search ([`Agency::search_flights_streaming`]).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProviderUpdate {
    pub provider: String,
    /// That provider's offers that pass the query's filters, converted and sorted. A preview:
    /// book from the final, merged results.
    pub offers: Vec<FlightOffer>,
    /// Why the provider gave nothing (it failed or was too slow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Receives provider updates as they arrive.
pub type Progress<'a> = &'a (dyn Fn(ProviderUpdate) + Send + Sync);

/// The final results split by provider (for faces that stream, when nothing finer is known).
fn updates_by_provider(results: &FlightResults, progress: Progress<'_>) {
    let mut names: Vec<&str> = results.offers.iter().map(|o| o.provider.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        progress(ProviderUpdate {
            provider: name.to_string(),
            offers: results
                .offers
                .iter()
                .filter(|o| o.provider == name)
                .cloned()
                .collect(),
            error: None,
        });
    }
}

/// Flight offers with what a face should tell the user about how they were found.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FlightResults {
    pub offers: Vec<FlightOffer>,
    /// Partial-result notices (a provider failed or was slow).
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HotelResults {
    pub offers: Vec<HotelOffer>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Cheapest fare per day: `flights calendar`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarQuery {
    pub origin: String,
    pub destination: String,
    pub dates: Vec<Date>,
    #[serde(default)]
    pub passengers: Passengers,
    #[serde(default = "economy")]
    pub cabin: Cabin,
    #[serde(default)]
    pub currency: Option<Currency>,
}

fn economy() -> Cabin {
    Cabin::Economy
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarDay {
    pub date: Date,
    /// Cheapest total for all passengers; `None` when nothing flies or it is sold out.
    pub cheapest: Option<Money>,
    pub stops: Option<usize>,
}

/// Cheapest destinations from an origin in a month: `flights explore`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExploreQuery {
    pub origin: String,
    pub month: Date,
    #[serde(default)]
    pub max_price: Option<Money>,
    /// ISO country code or name.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub currency: Option<Currency>,
    #[serde(default)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Destination {
    pub destination: String,
    pub city: String,
    pub country: String,
    pub date: Date,
    /// One adult, economy, direct, taxes included.
    pub price: Money,
    pub airlines: Vec<String>,
}

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

mod local;

pub use local::{LOCAL_USER, LocalAgency, LocalOptions};
