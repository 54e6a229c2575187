//! Price watches: "tell me when LHR-JFK on 14 December is below 400".

use super::{Cabin, Money};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Watch {
    pub id: String,
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub cabin: Cabin,
    pub adults: u8,
    /// Alert when the cheapest total for the travellers is below this.
    pub below: Money,
    pub last_price: Option<Money>,
    pub last_checked_at: Option<Timestamp>,
    /// The price of the last alert.
    pub fired_price: Option<Money>,
    pub created_at: Timestamp,
}

/// What `watch add` asks for.
#[derive(Debug, Clone)]
pub struct NewWatch {
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub below: Money,
    pub adults: u8,
    pub cabin: Cabin,
}
