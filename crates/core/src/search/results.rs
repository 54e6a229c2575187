//! What a search answers: offers with their warnings, a streaming provider's preview, the
//! cheapest day of a calendar, the destinations of an explore.

use crate::model::{Cabin, Currency, FlightOffer, HotelOffer, Money, Passengers};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One provider's answer during a streaming flight search (`Agency::search_flights_streaming`).
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
pub(crate) fn updates_by_provider(results: &FlightResults, progress: Progress<'_>) {
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
