//! Fare history: the prices searches have seen, for trends and predictions.

use crate::error::Result;
use crate::model::Cabin;
use crate::model::fare::Observation;
use jiff::civil::Date;

/// One cheapest fare a search saw.
#[derive(Debug, Clone, PartialEq)]
pub struct FareSeen<'a> {
    pub origin: &'a str,
    pub destination: &'a str,
    pub date: Date,
    pub cabin: Cabin,
    /// When it was seen, in seconds.
    pub observed_at: i64,
    /// Days from the day it was seen to the departure.
    pub days_ahead: i64,
    /// Per traveller, in EUR minor units.
    pub cheapest: i64,
}

/// Promise: one fare per route, date, cabin and second: a second record of the same moment
/// replaces the first (one statement), whatever the number of writers.
pub trait Fares {
    fn record(&self, fare: &FareSeen<'_>) -> Result<()>;
    /// What was seen for a route, date and cabin, oldest first.
    fn history(
        &self,
        origin: &str,
        destination: &str,
        date: Date,
        cabin: Cabin,
    ) -> Result<Vec<Observation>>;
}
