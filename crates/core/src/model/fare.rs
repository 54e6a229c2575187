//! A fare a search saw, kept for trends and price predictions.

use super::Money;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One recorded fare of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Observation {
    pub observed_at: Timestamp,
    pub days_ahead: i64,
    /// Per traveller.
    pub cheapest: Money,
}

/// Book now or wait (`ai::predict::forecast`): the fare trend for a route and date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Prediction {
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub days_ahead: i64,
    /// Today's cheapest fare per traveller (EUR).
    pub current: Money,
    /// What the fare is expected to be if you wait a week (EUR), when that can be estimated.
    pub in_a_week: Option<Money>,
    /// `in_a_week - current`.
    pub expected_change: Option<Money>,
    /// rising, falling, flat or unknown (as departure approaches).
    pub trend: String,
    /// book_now or wait.
    pub advice: String,
    /// low, medium or high.
    pub confidence: String,
    /// Recorded fares of this date, oldest first.
    pub history: Vec<Observation>,
    /// How the answer was reached, in one sentence.
    pub basis: String,
}
