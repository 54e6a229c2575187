//! Suppliers behind traits. The sandbox is one; Duffel, Amadeus and Stripe adapters plug in
//! beside it. A provider answers a resolved request (airport codes, dates) with offers in its
//! own currency; sorting, filtering, dedupe and conversion happen in `search::aggregate`.

pub mod sandbox;

use crate::error::Result;
use crate::model::{Cabin, FlightOffer, HotelOffer, Passengers};
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
}

#[async_trait]
pub trait FlightProvider: Send + Sync {
    /// A short stable name, shown in offers (`provider`) and warnings.
    fn name(&self) -> &str;
    async fn search_flights(&self, req: &FlightRequest) -> Result<Vec<FlightOffer>>;
}

#[async_trait]
pub trait HotelProvider: Send + Sync {
    fn name(&self) -> &str;
    /// Every room type that can take the guests, one offer each.
    async fn search_hotels(&self, req: &HotelRequest) -> Result<Vec<HotelOffer>>;
}
