//! A fare a search saw, kept for trends and price predictions.

use super::Money;
use jiff::Timestamp;
use serde::Serialize;

/// One recorded fare of a date.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Observation {
    pub observed_at: Timestamp,
    pub days_ahead: i64,
    /// Per traveller.
    pub cheapest: Money,
}
